"""``--format table``: what a person reads on a terminal. Activities as a table, one
activity as its fields, and each other result through its view (``views/``). Piped, the
same tables come out without colour, and no cell is wrapped or cut."""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatch
from typing import Any

from ..dates import render_schedule, to_edtf
from ..model import Activity, Status
from ..planning import Calendar, Timeline
from ..views.console import print_out, text_table
from . import Data, Detail, Listing, Output, Pairs, Projects, ProjectView, Summary


def when(activity: Activity) -> str:
    """The dates as a person reads them, with the year, and the status if not planned."""
    return activity.status.mark(render_schedule(activity.schedule))


def where(activity: Activity) -> str:
    return activity.place.label if activity.place else ""


def activity_table(activities: Sequence[Activity], out: Output) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    fit = bool(out.terminal) or out.width is not None
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=fit)
    # On a screen the title gets the spare width, the others wrap first; piped, every cell
    # is whole (a grep must find "Cybercrime@Octopus" on one line).
    table.add_column("ID", no_wrap=True, style="dim")
    table.add_column("Dates", max_width=19 if fit else None, overflow="fold")
    table.add_column("Projects", max_width=18 if fit else None, overflow="fold")
    table.add_column(
        "Title", overflow="fold", min_width=24 if fit else None, ratio=1 if fit else None
    )
    table.add_column("Location", max_width=20 if fit else None, overflow="fold")
    for activity in activities:
        certainty = activity.schedule.certainty
        style = {"tentative": "yellow", "unscheduled": "dim italic"}.get(certainty.value, "")
        if activity.status is Status.CANCELLED:
            style = "strike dim"
        table.add_row(
            activity.id,
            Text(when(activity), style=style),
            ", ".join(activity.projects) or "-",
            activity.title,
            where(activity),
        )
    return table


def detail_rows(activity: Activity, version: str = "") -> list[tuple[str, str]]:
    """Every field of an activity, as ``show`` lists them."""
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
    if version:
        rows.append(("Version", version))
    return rows


@singledispatch
def _write(result: Any, out: Output) -> None:
    raise TypeError(f"no table for {type(result).__name__}")


@_write.register
def _(result: Listing, out: Output) -> None:
    if result.activities:  # an empty answer is said on stderr; stdout stays empty
        print_out(out.stream, activity_table(result.activities, out), width=out.width)


@_write.register
def _(result: Detail, out: Output) -> None:
    rows = [list(r) for r in detail_rows(result.activity, result.version)]
    print_out(out.stream, text_table(("", ""), rows, head=False), width=out.width)


@_write.register
def _(result: Summary, out: Output) -> None:
    from ..views.report import render_report, render_report_chart

    render_report(result.report, out.stream, width=out.width)
    if result.chart:
        render_report_chart(result.report, out.stream, width=out.width)


@_write.register
def _(result: Pairs, out: Output) -> None:
    from ..views.planning import render_pairs

    if result.pairs:
        render_pairs(result.pairs, out.stream, title=result.title, width=out.width)


@_write.register
def _(result: Projects, out: Output) -> None:
    from ..projects import TABLE_HEADERS, table_rows

    rows = table_rows(result.summaries)
    print_out(out.stream, text_table(TABLE_HEADERS, rows, right=(3, 4, 5)), width=out.width)


@_write.register
def _(result: ProjectView, out: Output) -> None:
    from ..views.planning import render_project

    render_project(result.project, result.summary, result.names, out.stream)


@_write.register
def _(result: Data, out: Output) -> None:
    if result.table is None:
        return
    if isinstance(result.table, list):
        for line in result.table:
            out.stream.write(f"{line}\n")
        return
    print_out(out.stream, result.table, width=out.width)


@_write.register
def _(result: Calendar, out: Output) -> None:
    from ..views.planning import render_calendar

    render_calendar(result, out.stream, width=out.width, ascii_=out.ascii)


@_write.register
def _(result: Timeline, out: Output) -> None:
    from ..views.planning import render_timeline

    render_timeline(result, out.stream, width=out.width, ascii_=out.ascii)


def write(result: Any, out: Output) -> None:
    _write(result, out)
