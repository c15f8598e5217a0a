"""The web page of ``--format html`` (written through ``html.write``): the quarter to
publish, and the project registry.

One self-contained file: the CSS inline, the pictures inline SVG, no script and no fetch (a
Content-Security-Policy says so to the browser), so it reads the same from a USB stick or an
e-mail attachment. Jinja2 templates (``templates/``) write the markup with autoescaping on;
everything from the store reaches them as plain text and is escaped there.

This module turns a report and its activities into what the templates show, in the
newsletter's own terms: "Inventory of activities" (held, or finished before the reference
day) and "Coming next" (the rest), month by month, ``PROJECTS | Title, Location, dates``
with the dates as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from typing import Any

from .. import __version__
from ..aggregates import NO_PROJECT
from ..dates import render_schedule, to_edtf
from ..model import Activity, Certainty, Precision, Status
from ..months import MONTH_NAMES, day_label, month_of, month_short
from . import Output, Projects, Summary, svg
from .newsletter import heading
from .svg import Axis, BarChart, GanttGroup, bar_chart, column_chart, gantt_groups, make_axis

# --- what a page lists ----------------------------------------------------------------------

MARKS = {
    Certainty.TENTATIVE: "dates to be confirmed",
    Certainty.UNSCHEDULED: "day not yet known",
}
"""The words that say what colour also shows (never colour alone)."""


@dataclass(frozen=True)
class Line:
    """One activity as the newsletter lists it: ``PROJECTS | Title, Location, dates``."""

    id: str
    projects: tuple[str, ...]
    title: str
    modality: str
    place: str
    dates: str
    """As written under the month heading: ``22-23 January (dates TBC)``, ``dates TBD``."""
    datetime: str
    """For ``<time datetime>``: the first (or due) day, or the month when no day is known."""
    edtf: str
    full_dates: str
    """With the year: ``22-23 January 2020 (dates TBC)``."""
    certainty: str
    deadline: bool
    status: str
    marks: tuple[tuple[str, str], ...]
    """(class, words) badges: tentative, day not yet known, deadline, cancelled, postponed."""


@dataclass(frozen=True)
class MonthBlock:
    month: str
    heading: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Part:
    """A section of the page: the inventory of what happened, or what comes next."""

    id: str
    title: str
    months: tuple[MonthBlock, ...]

    @property
    def count(self) -> int:
        return sum(len(m.lines) for m in self.months)


def dates_as_written(activity: Activity) -> str:
    schedule = activity.schedule
    return schedule.text.strip() or render_schedule(schedule, with_year=False)


def line_of(activity: Activity) -> Line:
    schedule = activity.schedule
    if schedule.precision is Precision.MONTH:
        when = schedule.month  # a valid HTML month string: what is known, and no more
    else:
        when = schedule.segments[0].start.isoformat()
    marks: list[tuple[str, str]] = []
    if schedule.certainty in MARKS:
        marks.append((schedule.certainty.value, MARKS[schedule.certainty]))
    if schedule.deadline:
        marks.append(("deadline", "deadline"))
    if activity.status in (Status.CANCELLED, Status.POSTPONED):
        marks.append((activity.status.value, activity.status.value))
    place = activity.place
    return Line(
        id=activity.id,
        projects=activity.projects,
        title=activity.title,
        modality=activity.modality or "",
        place=(place.text or place.label) if place else "",
        dates=dates_as_written(activity),
        datetime=when,
        edtf=to_edtf(schedule),
        full_dates=render_schedule(schedule),
        certainty=schedule.certainty.value,
        deadline=schedule.deadline,
        status=activity.status.value,
        marks=tuple(marks),
    )


def is_past(activity: Activity, today: date | None) -> bool:
    """Held, or over before ``today`` (as ``upcoming`` sees it: not yet finished is next)."""
    if today is None or activity.status is Status.HELD:
        return True
    return activity.end < today


def month_range(months: Sequence[str]) -> str:
    """``October – December 2019``, ``December 2019 – January 2020``, ``November 2019``."""
    first, last = months[0], months[-1]
    if first == last:
        return f"{MONTH_NAMES[int(first[5:]) - 1]} {first[:4]}"
    start = MONTH_NAMES[int(first[5:]) - 1] + ("" if first[:4] == last[:4] else f" {first[:4]}")
    return f"{start} – {MONTH_NAMES[int(last[5:]) - 1]} {last[:4]}"


def parts(activities: Iterable[Activity], first_month: str, today: date | None) -> list[Part]:
    """The newsletter's two sections, each month by month; an activity that began before the
    period is listed under the period's first month, its dates showing when it began."""
    ordered = sorted(activities, key=Activity.sort_key)
    out = []
    for part_id, name, chosen in (
        ("inventory", "Inventory of activities", [a for a in ordered if is_past(a, today)]),
        ("coming-next", "Coming next", [a for a in ordered if not is_past(a, today)]),
    ):
        by_month: dict[str, list[Line]] = {}
        for activity in chosen:
            by_month.setdefault(max(activity.schedule.month, first_month), []).append(
                line_of(activity)
            )
        if not by_month:
            continue
        months = sorted(by_month)
        blocks = tuple(MonthBlock(m, heading(m), tuple(by_month[m])) for m in months)
        out.append(Part(part_id, f"{name} ({month_range(months)})", blocks))
    return out


def describe_activity(activity: Activity) -> str:
    """A timeline row's tooltip: the line as the newsletter writes it, and what it is."""
    line = line_of(activity)
    words = [activity.title, line.modality, line.place, line.full_dates]
    text = ", ".join(w for w in words if w)
    if activity.projects:
        text = f"{', '.join(activity.projects)}: {text}"
    return text + "".join(f" ({words})" for _, words in line.marks)


# --- the report page ------------------------------------------------------------------------


@dataclass(frozen=True)
class PageTimeline:
    axis: Axis
    groups: tuple[GanttGroup, ...]


def timeline(summary: Summary, today: date | None) -> PageTimeline:
    """One picture per project of the report, one row per activity taking place."""
    from ..planning import build_timeline, taking_place
    from ..views.planning import short_dates

    report = summary.report
    axis = make_axis(report.period, today)
    built = build_timeline(taking_place(summary.activities), report.period, report.label)
    # The report's projects (all of them, or the one asked for with --project) are the groups.
    wanted = set(report.projects)
    chosen = [(g.name, g.activities) for g in built.groups if g.name in wanted]
    shown = {a.id: a for _, group in chosen for a in group}
    groups = gantt_groups(
        chosen,
        axis,
        describe={i: describe_activity(a) for i, a in shown.items()},
        short={i: short_dates(a) for i, a in shown.items()},
    )
    return PageTimeline(axis, tuple(groups))


def _period_words(first: date, last: date) -> str:
    if first == last:
        return day_label(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day_label(last)}"
    if first.year == last.year:
        return f"{first.day} {MONTH_NAMES[first.month - 1]} – {day_label(last)}"
    return f"{day_label(first)} – {day_label(last)}"


def report_context(summary: Summary) -> dict[str, Any]:
    report = summary.report
    today = summary.today
    if report.period is None:  # nothing in the store, no period asked: a page of nothing
        report = replace(report, period=(today or date.today(),) * 2)
        summary = replace(summary, report=report)
    first_month = month_of(report.period[0])
    reached = sorted({c for names in report.countries.values() for c in names})
    ranked = sorted(report.project_totals.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    words = _period_words(*report.period)
    # A named period keeps its name (Q1 2020); --from/--to's ISO days read better in words.
    name = words if report.label == f"{report.period[0]} to {report.period[1]}" else report.label
    return {
        "title": f"Inventory of activities: {name}",
        "name": name,
        "report": report,
        "period_words": words,
        "today": today,
        "today_words": day_label(today) if today else "",
        "month_labels": {m: month_short(m) for m in report.months},
        "countries_reached": reached,
        "projects_named": [p for p in report.projects if p != NO_PROJECT],
        "parts": parts(summary.activities, first_month, today),
        "timeline": timeline(summary, today) if report.total else None,
        "per_project": bar_chart(ranked),
        "per_month": column_chart(
            [(month_short(m), report.month_totals[m]) for m in report.months]
        ),
    }


# --- the projects page ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectBlock:
    anchor: str
    summary: Any
    """A ``projects.ProjectSummary``."""
    facts: list[tuple[str, str]]
    per_month: BarChart | None
    months: list[tuple[str, str, int]]
    """(``YYYY-MM``, ``Nov 2019``, activities running in it)."""


def anchors(names: Iterable[str]) -> list[str]:
    """A unique ``id`` for each name: ``GLACY+`` -> ``glacy``, ``Cybercrime@Octopus`` ->
    ``cybercrime-octopus``."""
    out: list[str] = []
    for name in names:
        base = "p-" + (re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "project")
        anchor, n = base, 1
        while anchor in out:
            n += 1
            anchor = f"{base}-{n}"
        out.append(anchor)
    return out


def projects_context(result: Projects) -> dict[str, Any]:
    from ..project_summary import TABLE_HEADERS, facts, table_rows

    summaries = result.summaries
    blocks = []
    for anchor, summary in zip(anchors(s.project.name for s in summaries), summaries, strict=True):
        per_month = summary.per_month()
        months = [(m, month_short(m), n) for m, n in per_month.items()]
        blocks.append(
            ProjectBlock(
                anchor=anchor,
                summary=summary,
                facts=facts(summary.project, result.names),
                per_month=column_chart([(label, n) for _, label, n in months]) if months else None,
                months=months,
            )
        )
    ranked = sorted(
        ((s.project.name, s.count) for s in summaries),
        key=lambda kv: (-kv[1], kv[0].casefold()),
    )
    return {
        "title": "Projects of the programme",
        "headers": TABLE_HEADERS,
        "rows": list(zip(table_rows(summaries), blocks, strict=True)),
        "blocks": blocks,
        "names": result.names,
        "per_project": bar_chart(ranked),
        "total": result.total,
        "dates": render_schedule,
    }


# --- rendering ------------------------------------------------------------------------------


@functools.cache
def environment(*packages: str) -> Any:
    """The templates of the published pages, and those of ``packages`` first (the served
    pages of ``web/`` extend and reuse these)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.PackageLoader(name, "templates") for name in (*packages, "inventory.formats")]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are the package's own: asking the disk on every page (the default)
        # costs a served page more than its rows do.
        auto_reload=False,
    )
    env.globals["version"] = __version__
    env.globals["geo"] = svg  # the timeline's constants, so the templates and svg.py agree
    return env


@functools.cache
def stylesheet() -> Any:
    from markupsafe import Markup

    # The package's own file, not data from the store: it goes into <style> as it is.
    css = resources.files("inventory.formats").joinpath("templates", "page.css")
    return Markup(css.read_text(encoding="utf-8"))


def render(template: str, context: dict[str, Any]) -> str:
    """A page to publish: whole in one file (its stylesheet inside, no link out)."""
    return str(
        environment()
        .get_template(template)
        .render(css=stylesheet(), served=False, root="", **context)
    )


def render_report(summary: Summary) -> str:
    return render("report.html.j2", report_context(summary))


def render_projects(result: Projects) -> str:
    return render("projects.html.j2", projects_context(result))


def write_page(result: Any, out: Output) -> None:
    if isinstance(result, Summary):
        out.stream.write(render_report(result))
    elif isinstance(result, Projects):
        out.stream.write(render_projects(result))
    else:
        raise TypeError(f"no web page for {type(result).__name__}")
