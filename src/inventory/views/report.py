"""The report drawn: counts per project and month, countries reached, deadlines due, and
bar charts. It reads only the :class:`report.Report`, so a report on a big store, counted
from the index, is drawn without importing the models."""

from __future__ import annotations

from typing import IO

from ..months import month_short
from ..report import Report
from .console import emit_lines, fit_width, print_out, wants_plain


def render_report(report: Report, stream: IO[str], width: int | None = None) -> None:
    from rich import box
    from rich.table import Table

    parts: list[object] = []
    print_ = parts.append
    print_(f"Inventory report: {report.label} ({report.period[0]} to {report.period[1]})")
    print_(
        f"{report.total} activities, {report.multi_project} shared by several projects; "
        f"{report.certainty['tentative']} tentative, {report.certainty['unscheduled']} "
        f"unscheduled, {len(report.deadlines)} deadlines"
        + (f"; {len(report.cancelled)} cancelled, not counted" if report.cancelled else "")
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
        for item in report.deadlines:
            due.add_row(item.status.mark(item.dates), ", ".join(item.projects), item.title)
        print_(due)
    print_out(stream, *parts, width=width)


_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(value: int, scale: float, plain: bool) -> str:
    """``value`` at ``scale`` characters per unit, in eighths of a block on a terminal."""
    length = value * scale
    if plain:
        return "#" * round(length)
    whole, part = divmod(round(length * 8), 8)
    return "█" * whole + (_EIGHTHS[part] if part else "")


def render_report_chart(
    report: Report, stream: IO[str], *, width: int | None = None, ascii_: bool | None = None
) -> None:
    """Bars of activities per project and per month, under the report's tables."""
    from rich.text import Text

    if not report.total:
        return
    plain = wants_plain(stream, ascii_)
    fit = fit_width(stream, width)
    labels = [*report.projects, *(month_short(m) for m in report.months)]
    label_width = max(len(label) for label in labels)
    biggest = max([*report.project_totals.values(), *report.month_totals.values(), 1])
    room = 50 if fit is None else max(fit - label_width - 2 - 2 - len(str(biggest)) - 1, 10)
    room = min(room, 50)
    # One character per activity when they fit, so the bars can be counted.
    scale = 1.0 if biggest <= room else room / biggest
    unit = "#" if plain else "█"
    note = f"one {unit} = 1 activity" if scale == 1 else f"scale: {biggest} = {room} characters"
    lines = [Text("")]

    def chart(title: str, rows: list[tuple[str, int]]) -> None:
        lines.append(Text(title, style="bold"))
        for label, value in rows:
            line = Text(f"  {label:<{label_width}}  ")
            line.append(_bar(value, scale, plain), style="cyan")
            line.append(f" {value}")
            lines.append(line)

    chart(
        f"Activities per project ({note}; a shared one counts for each)",
        sorted(report.project_totals.items(), key=lambda kv: (-kv[1], kv[0].casefold())),
    )
    lines.append(Text(""))
    chart(
        "Activities per month (each activity once)",
        [(month_short(m), report.month_totals[m]) for m in report.months],
    )
    emit_lines(stream, lines, width, plain)
