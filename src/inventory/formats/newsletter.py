"""Reading and writing the newsletter's activity tables.

The format, as the office writes it::

    Inventory of activities (October- December 2019)
    OCTOBER 2019
    GLACY+<TAB>Cybercrime reporting platform – Official launch ..., Ghana, 1-2 October

A month heading gives the year (and, for "dates TBD", the month) of the lines
under it. A line that cannot be fully understood is imported with what could be
understood and reported; none is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from ..dates import parse_schedule, render_schedule, split_trailing_dates
from ..errors import ParseError, Problem
from ..ids import derive_id
from ..model import Activity, Certainty, Place, Precision, Schedule
from ..months import MONTH_NAMES, MONTH_NUMBERS, month_name
from ..places import split_place
from ..projects import Registry

_HEADING = re.compile(r"^\s*(" + "|".join(MONTH_NAMES) + r")\s+(\d{4})\s*$", re.IGNORECASE)
# Section titles of the newsletter, e.g. "Coming next (January - March 2020)".
_SECTION = re.compile(r"^\s*(inventory of activities|coming next)\b", re.IGNORECASE)
MODALITIES = ("Desk Study", "Online", "Virtual", "Webinar", "Hybrid")


@dataclass
class ImportResult:
    activities: list[Activity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def heading(month: str) -> str:
    """The newsletter's month heading for ``YYYY-MM``: ``OCTOBER 2019``."""
    return month_name(month).upper()


def heading_month(line: str) -> str | None:
    """``YYYY-MM`` for a month heading such as ``OCTOBER 2019``, else None."""
    match = _HEADING.match(line.replace("\t", " "))
    if not match:
        return None
    return f"{match.group(2)}-{MONTH_NUMBERS[match.group(1).lower()]:02d}"


def _from_markdown(raw: str) -> str:
    """A line of the Markdown layout (``### OCTOBER 2019``, ``| GLACY+ | Title, ... |``)
    as the plain layout; other lines unchanged."""
    stripped = raw.strip()
    if stripped.startswith("#"):
        return stripped.lstrip("#").strip().strip("*")
    if stripped.startswith("|") and stripped.endswith("|"):
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", stripped[1:-1])]
        if len(cells) != 2 or set(cells[1]) <= set("-: ") or cells == ["Projects", "Activity"]:
            return ""
        return cells[0] + "\t" + cells[1]
    return raw


def _split_modality(head: str) -> tuple[str, str | None]:
    chunks = head.rsplit(",", 1)
    if len(chunks) == 2:
        for modality in MODALITIES:
            if chunks[1].strip().casefold() == modality.casefold():
                return chunks[0].rstrip(), modality
    return head, None


def _unscheduled(month: str, text: str) -> Schedule:
    return Schedule(
        precision=Precision.MONTH, certainty=Certainty.UNSCHEDULED, month=month, text=text
    )


def read_newsletter(
    text: str,
    registry: Registry,
    *,
    source: str = "<stdin>",
    context_year: int | None = None,
) -> ImportResult:
    """Every activity line of a newsletter's tables, in the order written."""
    result = ImportResult()
    month: str | None = None
    taken: set[str] = set()

    def report(message: str, line: int, fld: str | None = None, severity: str = "warning") -> None:
        result.problems.append(Problem(message, line, fld, severity, source))

    for number, raw in enumerate(text.splitlines(), start=1):
        raw = _from_markdown(raw)
        line = raw.strip()
        if not line or _SECTION.match(line):
            continue
        heading = heading_month(line)
        if heading is not None:
            month = heading
            continue
        if "\t" in raw:
            column, body = raw.split("\t", 1)
        else:
            column, body = "", raw
        body = " ".join(body.split())
        if not body:
            continue
        split = split_trailing_dates(body)
        if "\t" not in raw and split is None:
            report(
                f"not an activity line (no project column, no dates): {line[:60]!r}",
                number,
                severity="error",
            )
            continue
        if "\t" not in raw:
            report(
                "no tab between the project column and the title; read as an activity "
                "with no project",
                number,
                "projects",
            )

        names = registry.split(column)
        if not names:
            report("no project given", number, "projects")
        for name in names:
            if registry.find(name) is None:
                report(f"unknown project {name!r}, kept as written", number, "projects")
        projects = tuple(dict.fromkeys(registry.canonical(n) for n in names))

        head, date_text = split if split is not None else (body, "")
        schedule: Schedule | None = None
        if date_text:
            try:
                schedule = parse_schedule(date_text, context_month=month, context_year=context_year)
            except ParseError as error:
                report(error.message, number, "dates")
        else:
            report("no dates found at the end of the line", number, "dates")
        if schedule is None:
            if month is None:
                report(
                    "no month heading above this line and no readable dates",
                    number,
                    "dates",
                    severity="error",
                )
                continue
            # Keep the activity, as unscheduled in its heading's month, rather than drop it.
            schedule = _unscheduled(month, date_text)

        head, modality = _split_modality(head)
        place: Place | None
        if date_text.casefold().startswith("location and"):
            title, place = head, None
        else:
            title, place = split_place(head)
        try:
            activity = Activity(
                id=derive_id(title, place, schedule, taken),
                projects=projects,
                title=title,
                place=place,
                modality=modality,
                schedule=schedule,
            )
        except ValidationError as error:
            first = error.errors()[0]
            report(
                f"{first['msg']}",
                number,
                ".".join(str(p) for p in first["loc"]) or None,
                severity="error",
            )
            continue
        taken.add(activity.id)
        result.activities.append(activity)
    if not result.activities and not any(p.severity == "error" for p in result.problems):
        result.problems.append(Problem("no activity lines found", None, None, "warning", source))
    return result


def line_body(activity: Activity) -> str:
    """``Title, Location, dates`` without the year: it is read under a month heading."""
    parts = [activity.title]
    if activity.modality:
        parts.append(activity.modality)
    if activity.place is not None and activity.place.text:
        parts.append(activity.place.text)
    parts.append(render_schedule(activity.schedule, with_year=False))
    return ", ".join(parts)


def render_line(activity: Activity) -> str:
    """One newsletter line: ``PROJECTS<TAB>Title, Location, dates``."""
    return ", ".join(activity.projects) + "\t" + line_body(activity)


def render_newsletter(activities: Iterable[Activity], title: str | None = None) -> str:
    """The newsletter's own layout: month headings, then one line per activity."""
    lines: list[str] = []
    if title:
        lines += [title, ""]
    month = None
    for activity in sorted(activities, key=Activity.sort_key):
        if activity.schedule.month != month:
            month = activity.schedule.month
            if lines and lines[-1] != "":
                lines.append("")
            lines.append(heading(month))
        lines.append(render_line(activity))
    return "\n".join(lines) + "\n"
