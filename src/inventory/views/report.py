"""The report drawn: counts per project and month, countries reached, deadlines due, and
bar charts. It reads only the :class:`report.Report`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..months import month_short
from ..report import Report
from ..vocab import plural
from .console import plain, room

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.text import Text

_EIGHTHS = " ▏▎▍▌▋▊▉"


def report_heading(report: Report) -> str:
    """``Inventory report: Q4 2019 (2019-10-01 to 2019-12-31)``, the period once."""
    if report.period is None:
        return f"Inventory report: {report.label} (no activities)"
    span = f"{report.period[0]} to {report.period[1]}"
    label = report.label if report.label != span else ""
    return f"Inventory report: {label} ({span})" if label else f"Inventory report: {span}"


def counts_line(report: Report) -> str:
    line = (
        f"{plural(report.total, 'activity')}, {report.multi_project} shared by several "
        f"projects; {report.certainty['tentative']} tentative, "
        f"{report.certainty['unscheduled']} unscheduled, "
        f"{plural(len(report.deadlines), 'deadline')}"
    )
    if report.cancelled:
        line += f"; {len(report.cancelled)} cancelled, not counted"
    if report.postponed:
        line += f"; {len(report.postponed)} postponed with no new date, not counted"
    return line


@dataclass
class ReportView:
    """The report's tables, and with ``chart`` its bar charts under them."""

    report: Report
    chart: bool = False
    ascii: bool | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich import box
        from rich.table import Table

        report = self.report
        yield report_heading(report)
        yield counts_line(report)
        if report.only:
            shared = ", ".join(f"{p} ({n})" for p, n in report.shared_with.items())
            yield f"Only {', '.join(report.only)}" + (f"; shared with {shared}" if shared else "")
        if not report.total:
            return
        none = "." if options.ascii_only else "·"
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
            cells = [str(report.matrix[project][m] or none) for m in report.months]
            matrix.add_row(project, *cells, str(report.project_totals[project]))
        yield matrix
        if report.spanning:
            yield (
                f"An activity running across months counts in each of them, and once in "
                f"the totals ({plural(report.spanning, 'activity')} here)."
            )
        reach = Table(title="Countries reached", box=box.SIMPLE_HEAD, title_justify="left")
        reach.add_column("Project")
        reach.add_column("#", justify="right")
        reach.add_column("Countries", overflow="fold")
        for project in report.projects:
            names = report.countries[project]
            reach.add_row(project, str(len(names)), ", ".join(names) or "-")
        yield reach
        if report.deadlines:
            due = Table(title="Deadlines due", box=box.SIMPLE_HEAD, title_justify="left")
            due.add_column("Due")
            due.add_column("Projects")
            due.add_column("Title", overflow="fold")
            for item in report.deadlines:
                due.add_row(item.status.mark(item.dates), ", ".join(item.projects), item.title)
            yield due
        if self.chart:
            yield from chart_lines(report, room(options), plain(console, options, self.ascii))


def _bar(value: int, scale: float, plain_: bool) -> str:
    """``value`` at ``scale`` characters per unit, in eighths of a block on a terminal."""
    length = value * scale
    if plain_:
        return "#" * round(length)
    whole, part = divmod(round(length * 8), 8)
    return "█" * whole + (_EIGHTHS[part] if part else "")


def chart_lines(report: Report, fit: int | None, plain_: bool) -> list[Text]:
    """Bars of activities per project and per month, under the report's tables."""
    from rich.text import Text

    if not report.total:
        return []
    labels = [*report.projects, *(month_short(m) for m in report.months)]
    label_width = max(len(label) for label in labels)
    biggest = max([*report.project_totals.values(), *report.month_totals.values(), 1])
    room_ = 50 if fit is None else max(fit - label_width - 2 - 2 - len(str(biggest)) - 1, 10)
    room_ = min(room_, 50)
    # One character per activity when they fit, so the bars can be counted.
    scale = 1.0 if biggest <= room_ else room_ / biggest
    unit = "#" if plain_ else "█"
    note = f"one {unit} = 1 activity" if scale == 1 else f"scale: {biggest} = {room_} characters"
    lines = [Text("")]

    def chart(title: str, rows: list[tuple[str, int]]) -> None:
        lines.append(Text(title, style="" if plain_ else "bold"))
        for label, value in rows:
            line = Text(f"  {label:<{label_width}}  ")
            line.append(_bar(value, scale, plain_), style="" if plain_ else "cyan")
            line.append(f" {value}")
            lines.append(line)

    chart(
        f"Activities per project ({note}; a shared one counts for each)",
        sorted(report.project_totals.items(), key=lambda kv: (-kv[1], kv[0].casefold())),
    )
    lines.append(Text(""))
    chart(
        "Activities per month (one running across months counts in each)",
        [(month_short(m), report.month_totals[m]) for m in report.months],
    )
    return lines
