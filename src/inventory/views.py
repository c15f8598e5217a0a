"""Rich renderings of summaries (the report); the data comes from ``report``."""

from __future__ import annotations

from typing import IO

from .newsletter import MONTHS
from .report import Report


def month_short(month: str) -> str:
    return f"{MONTHS[int(month[5:]) - 1][:3].title()} {month[:4]}"


def render_report(report: Report, stream: IO[str], width: int | None = None) -> None:
    from rich import box
    from rich.table import Table

    from .output import print_out, when

    parts: list[object] = []
    print_ = parts.append
    print_(f"Inventory report: {report.label} ({report.period[0]} to {report.period[1]})")
    print_(
        f"{report.total} activities, {report.multi_project} shared by several projects; "
        f"{report.certainty['tentative']} tentative, {report.certainty['unscheduled']} "
        f"unscheduled, {len(report.deadlines)} deadlines"
    )
    if not report.total:
        print_out(stream, *parts, width=width)
        return
    matrix = Table(
        title="Activities per project per month",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_footer=True,
    )
    matrix.add_column("Project", footer="Total (each activity once)")
    for month in report.months:
        matrix.add_column(
            month_short(month), justify="right", footer=str(report.month_totals[month])
        )
    matrix.add_column("Total", justify="right", footer=str(report.total))
    for project in report.projects:
        cells = [str(report.matrix[project][m] or "·") for m in report.months]
        matrix.add_row(project, *cells, str(report.project_totals[project]))
    print_(matrix)
    reach = Table(title="Countries reached", box=box.SIMPLE_HEAD, title_justify="left")
    reach.add_column("Project")
    reach.add_column("#", justify="right")
    reach.add_column("Countries", overflow="fold")
    for project in report.projects:
        names = report.countries[project]
        reach.add_row(project, str(len(names)), ", ".join(names) or "-")
    print_(reach)
    if report.deadlines:
        due = Table(title="Deadlines due", box=box.SIMPLE_HEAD, title_justify="left")
        due.add_column("Due")
        due.add_column("Projects")
        due.add_column("Title", overflow="fold")
        for activity in report.deadlines:
            due.add_row(when(activity), ", ".join(activity.projects), activity.title)
        print_(due)
    print_out(stream, *parts, width=width)
