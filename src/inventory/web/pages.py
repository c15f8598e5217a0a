"""The served pages' contexts: what each template is given. The report and projects pages
are the published ones (``formats/webpage.py``) with the site's navigation; the others are
the site's own templates, extending the same base and stylesheet."""

from __future__ import annotations

import functools
import json
import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from ..changes import Change
from ..dates import render_schedule
from ..filters import Filters
from ..formats import Projects, Summary
from ..formats.webpage import environment, projects_context, report_context, timeline
from ..model import Activity
from ..months import MONTH_NAMES, month_label
from ..records import trusted_record
from ..store import Store
from ..views.history import describe_edit
from ..vocab import Certainty, Status
from .params import NAMES, query_of

PAGE_ROWS = 100
SORTS = {
    "dates": None,
    "title": lambda r: (r["title"].casefold(),),
    "projects": lambda r: (", ".join(r["projects"]).casefold(),),
    "place": lambda r: ((r["place"] or {}).get("text", "").casefold(),),
    "status": lambda r: (r["status"],),
}
"""The columns a page sorts by; ``dates`` is the store's own order (soonest first)."""


HOST: ContextVar[str] = ContextVar("HOST", default="localhost")
"""The host a request named (``inventory.office.example``): the subscribe links' own."""


def served_page(template: str, **context: Any) -> str:
    env = environment("inventory.web")
    page = env.get_template(template)
    return str(page.render(served=True, root="/", css="", host=HOST.get(), **context))


def link(path: str, filters: Filters | None = None, **extra: str | None) -> str:
    query = urlencode(query_of(filters or Filters(spelling=NAMES), **extra))
    return path + ("?" + query if query else "")


@dataclass(frozen=True)
class ListedRow:
    id: str
    dates: str
    """As written in the newsletter: "16 (PM) – 20 (AM) March", "dates TBC"."""
    when: str
    """What the written dates leave unsaid, beside them: the year, or the month and year."""
    full: str
    """The dates as read, whole ("16 (PM)-20 (AM) March 2020"), for the tooltip."""
    start: str
    projects: list[tuple[str, str]]
    """Each project with the address of its page."""
    title: str
    place: str
    status: str
    certainty: str


@functools.lru_cache(maxsize=256)
def project_address(name: str) -> str:
    return "/projects/" + quote(name, safe="+@")


def listed_row(record: dict[str, Any]) -> ListedRow:
    """A row of the inventory as a person reads it: the dates as written, with the year."""
    activity = trusted_record(record)
    schedule = activity.schedule
    written = schedule.text.strip()
    month = date.fromisoformat(schedule.month + "-01")
    if not written or re.search(r"\b\d{4}\b", written):
        when = ""
    elif any(name.casefold() in written.casefold() for name in MONTH_NAMES):
        when = str(month.year)
    else:
        when = month_label(month)
    full = render_schedule(schedule)
    return ListedRow(
        id=activity.id,
        dates=written or full,
        when=when if written else "",
        full=full,
        start=record["schedule"]["start"] or "",
        projects=[(p, project_address(p)) for p in activity.projects],
        title=activity.title,
        place=activity.place.label if activity.place else "",
        status=activity.status.value,
        certainty=activity.schedule.certainty.value,
    )


def index_page(
    filters: Filters,
    records: list[str],
    sort: str | None,
    page: int,
    stored: int | None,
) -> str:
    from ..errors import UsageError

    key = (sort or "dates").lstrip("-")
    if key not in SORTS:
        raise UsageError(f"invalid value for sort: {sort!r}; expected one of {', '.join(SORTS)}")
    # The records as the store keeps them (JSON text), in its order: read only those a page
    # shows, unless another order needs them all.
    ordered: list[Any] = records
    by = SORTS[key]
    if by is not None:
        ordered = sorted((json.loads(r) for r in records), key=by)
    if (sort or "").startswith("-"):
        ordered = list(reversed(ordered))
    pages = max(1, -(-len(ordered) // PAGE_ROWS))
    page = min(page, pages)
    shown = [
        listed_row(r if isinstance(r, dict) else json.loads(r))
        for r in ordered[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    ]
    _, label = filters.period()
    columns = []
    for name, heading in (
        ("dates", "Dates"),
        ("projects", "Projects"),
        ("title", "Title"),
        ("place", "Place"),
        ("status", "Status"),
    ):
        ascending = key != name or (sort or "").startswith("-")
        wanted = name if ascending else f"-{name}"
        state = (
            "" if key != name else ("descending" if (sort or "").startswith("-") else "ascending")
        )
        columns.append((heading, link("/", filters, sort=wanted), state))
    ics = link("/calendar.ics", filters)
    return served_page(
        "index.html.j2",
        title="Activity inventory" + (f" ({label})" if label else ""),
        heading="Activity inventory",
        label=label,
        filters=filters,
        form=_form(filters),
        count=len(records),
        stored=stored,
        rows=shown,
        columns=columns,
        page=page,
        pages=pages,
        previous=link("/", filters, sort=sort, page=str(page - 1)) if page > 1 else None,
        next=link("/", filters, sort=sort, page=str(page + 1)) if page < pages else None,
        ics=ics,
        json=link("/api/activities", filters),
        here="inventory",
    )


def _form(filters: Filters) -> dict[str, Any]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        return ", ".join(value) if isinstance(value, list) else str(value)

    return {
        "project": text(filters.project),
        "month": text(filters.month),
        "quarter": text(filters.quarter),
        "year": text(filters.year),
        "from": text(filters.start),
        "to": text(filters.end),
        "country": text(filters.country),
        "city": text(filters.city),
        "text": text(filters.search),
        "certainty": [c.value for c in filters.certainty or []],
        "status": [s.value for s in filters.status or []],
        "certainties": [c.value for c in Certainty],
        "statuses": [s.value for s in Status],
    }


def activity_page(activity: Activity, history: list[Change]) -> str:
    from ..records import to_record

    record = to_record(activity)
    countries = (record["place"] or {}).get("countries", [])
    schedule = activity.schedule
    facts = [
        ("Id", activity.id),
        ("Dates", render_schedule(schedule)),
        ("Dates as written", schedule.text or "–"),
        ("Certainty", schedule.certainty.value),
        ("Status", activity.status.value),
        ("Modality", activity.modality or "–"),
        ("Place", activity.place.label if activity.place else "–"),
        (
            "Countries",
            ", ".join(c["name"] for c in countries) or "–",
        ),
        ("EDTF", record["schedule"]["edtf"] or "–"),
    ]
    facts += [(name, str(value)) for name, value in sorted(activity.extra.items())]
    changes = [
        {
            "number": change.number,
            "at": change.at,
            "author": change.author,
            "command": change.command,
            "edits": [describe_edit(e) for e in change.edits],
        }
        for change in history
    ]
    return served_page(
        "activity.html.j2",
        title=activity.title,
        activity=activity,
        projects=[(p, project_address(p)) for p in activity.projects],
        facts=facts,
        changes=changes,
        here="inventory",
    )


def report_page(summary: Summary, ics: str) -> str:
    return served_page("served_report.html.j2", **report_context(summary), here="report", ics=ics)


def projects_result(store: Store, name: str | None) -> Projects:
    """What ``projects --format html`` shows (every project in detail), or one project's
    part of it: from the store's aggregates, as the command asks them."""
    from ..project_summary import country_names, summarise_project, summarise_store

    registry = store.registry
    if name is None:
        overview = summarise_store(store, registry, detail=True)
        return Projects(overview.summaries, country_names(overview.summaries), overview.total)
    found = registry.find(name)
    if found is None:
        raise NotFound(f"no project {name[:80]!r} in {registry.source}")
    summaries = [summarise_project(store, registry, found)]
    return Projects(summaries, country_names(summaries), summaries[0].count)


class NotFound(Exception):
    """No such thing to show: 404."""


def projects_page(result: Projects, *, one: bool = False) -> str:
    context = projects_context(result)
    if one:
        name = result.summaries[0].project.name
        context["title"] = f"{name}: inventory of activities"
        mine = Filters(project=[name], spelling=NAMES)
        context["inventory"] = link("/", mine)
        context["ics"] = link("/calendar.ics", mine)
    return served_page("served_projects.html.j2", **context, here="projects", one=one)


def timeline_page(summary: Summary, filters: Filters) -> str:
    context = report_context(summary)
    return served_page(
        "timeline.html.j2",
        title=f"Timeline: {context['name']}",
        name=context["name"],
        period_words=context["period_words"],
        timeline=timeline(summary, summary.today) if summary.report.total else None,
        form=_form(filters),
        ics=link("/calendar.ics", filters),
        here="timeline",
    )


def api_page() -> str:
    return served_page(
        "api.html.j2", title="The inventory's API", here="api", spec=openapi_document()
    )


def openapi_document() -> dict[str, Any]:
    """The API described for OpenAPI readers (hand-written: three GET answers)."""
    filter_params = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": description,
        }
        for name, description in _FILTERS
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "inventory", "version": _version()},
        "paths": {
            "/api/activities": {
                "get": {
                    "summary": "The activities the filters select: `inventory list --json`.",
                    "parameters": filter_params,
                    "responses": {
                        "200": {
                            "description": "A JSON array of activity records; with `Accept: "
                            "application/x-ndjson`, one record a line, streamed.",
                        },
                        "400": {"description": "A bad filter, said in one line."},
                    },
                }
            },
            "/api/report": {
                "get": {
                    "summary": "A period's summary: `inventory report --json`.",
                    "parameters": [p for p in filter_params if p["name"] in _REPORT],
                    "responses": {"200": {"description": "The report as JSON."}},
                }
            },
            "/calendar.ics": {
                "get": {
                    "summary": "The activities as an iCalendar feed: `inventory export`.",
                    "parameters": filter_params,
                    "responses": {
                        "200": {"description": "text/calendar, with ETag and Last-Modified."},
                        "304": {"description": "Nothing changed since the tag or date given."},
                    },
                }
            },
        },
    }


_REPORT = {"month", "quarter", "year", "from", "to", "project"}
_FILTERS = [
    ("project", "A project or alias; repeat for several."),
    ("month", "A month: 2019-11."),
    ("quarter", "A quarter: Q4-2019."),
    ("year", "A year: 2020."),
    ("from", "First day: 2020-03-01 or 1 March 2020."),
    ("to", "Last day."),
    ("country", "A country, by name or ISO code; repeat for several."),
    ("city", "A city."),
    ("text", "Words in the title or place."),
    ("certainty", "confirmed, tentative or unscheduled; repeat for several."),
    ("deadlines", "yes: only deadlines; no: none."),
    ("status", "planned, held, cancelled or postponed; repeat for several."),
    ("limit", "At most this many."),
]


def _version() -> str:
    from .. import __version__

    return __version__
