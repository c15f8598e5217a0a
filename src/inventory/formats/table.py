"""``--format table``: what a person reads on a terminal. Activities as a table, one
activity as its fields, and each other result through its view (``views/``). Piped, the
same tables come out without colour, and no cell is wrapped or cut."""

from __future__ import annotations

from collections.abc import Iterator
from functools import singledispatch
from typing import TYPE_CHECKING, Any

from ..sanitise import printable
from ..views.console import show, text_table
from ..views.listing import ActivityTable
from . import Data, Detail, Listing, Output, Pairs, Projects, ProjectView, Summary

if TYPE_CHECKING:
    from ..model import Activity
    from ..planning import Calendar, Timeline


def detail_rows(activity: Activity) -> list[tuple[str, str]]:
    """Every field of an activity, as ``show`` lists them."""
    from ..dates import render_schedule, to_edtf

    schedule = activity.schedule
    place = activity.place
    rows = [
        ("ID", activity.id),
        ("Title", activity.title),
        ("Projects", ", ".join(activity.projects) or "-"),
        ("Dates", render_schedule(schedule)),
        ("Dates as written", schedule.text or "-"),
        ("Listed under", schedule.month),
        ("Days", f"{schedule.start} to {schedule.end}"),
        ("Precision", schedule.precision.value),
        ("Certainty", schedule.certainty.value),
        ("Deadline", "yes" if schedule.deadline else "no"),
        ("EDTF", to_edtf(schedule)),
        ("Location", place.text if place and place.text else "-"),
        ("City", (place.city if place else None) or "-"),
        (
            "Countries",
            ", ".join(f"{c.name} ({c.code})" for c in place.countries) if place else "-",
        ),
        ("Modality", activity.modality or "-"),
        ("Status", activity.status.value),
    ]
    rows += [(key, value) for key, value in activity.extra.items()]
    return rows


@singledispatch
def _write(result: Any, out: Output) -> None:
    # The planning views' results are told apart here, not registered: importing them
    # imports the models, which a table of a selection does without.
    from ..planning import Calendar, Timeline

    if isinstance(result, Calendar):
        _calendar(result, out)
    elif isinstance(result, Timeline):
        _timeline(result, out)
    else:
        raise TypeError(f"no table for {type(result).__name__}")


@_write.register
def _(result: Listing, out: Output) -> None:
    if result.activities:  # an empty answer is said on stderr; stdout stays empty
        show(out.console, ActivityTable(result.activities))


@_write.register
def _(result: Detail, out: Output) -> None:
    tables = [
        text_table(("", ""), [list(r) for r in detail_rows(activity)], head=False)
        for activity in result.activities
    ]
    parts: list[Any] = []
    for table in tables:
        parts += ["", table] if parts else [table]
    show(out.console, *parts)


@_write.register
def _(result: Summary, out: Output) -> None:
    from ..views.report import ReportView

    show(out.console, ReportView(result.report, chart=result.chart, ascii=out.ascii))


@_write.register
def _(result: Pairs, out: Output) -> None:
    from ..views.planning import PairsView

    if result.pairs:  # none: said on stderr, stdout stays empty
        show(out.console, PairsView(result.pairs, result.title))


@_write.register
def _(result: Projects, out: Output) -> None:
    from ..project_summary import TABLE_HEADERS, table_rows

    rows = table_rows(result.summaries)
    show(out.console, text_table(TABLE_HEADERS, rows, right=(3, 4, 5)))


@_write.register
def _(result: ProjectView, out: Output) -> None:
    from ..views.planning import ProjectPage

    show(out.console, ProjectPage(result.project, result.summary, result.names))


@_write.register
def _(result: Data, out: Output) -> None:
    if result.table is None:
        return
    if isinstance(result.table, list | Iterator):  # lines (an iterator: as they come)
        for line in result.table:
            out.stream.write(f"{printable(str(line))}\n")
        return
    show(out.console, result.table)


def _calendar(result: Calendar, out: Output) -> None:
    from ..views.planning import CalendarView

    show(out.console, CalendarView(result, ascii=out.ascii))


def _timeline(result: Timeline[Any], out: Output) -> None:
    from ..views.console import UNLIMITED
    from ..views.planning import TimelineView, plain_chart

    if not result.activities:  # none: said on stderr, stdout stays empty
        return
    console = out.console
    if not console.is_terminal and out.ascii is not False:
        # Piped, nothing to colour: the text as it is, fitted to COLUMNS when it is set.
        lines = plain_chart(result, None if console.width >= UNLIMITED else console.width)
        if lines is not None:
            out.stream.write("".join(f"{line}\n" for line in lines))
            return
    show(console, TimelineView(result, ascii=out.ascii))


def write(result: Any, out: Output) -> None:
    _write(result, out)
