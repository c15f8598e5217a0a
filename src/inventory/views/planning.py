"""Rich renderings of summaries (the report); the data comes from ``report``."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import IO, TYPE_CHECKING

from ..dates import render_schedule
from ..model import Activity, Precision
from ..months import MONTH_NAMES, Period, month_bounds, month_short, months_between
from ..planning import Calendar, Cell, Pair, PairKind, Timeline, columns, row_cells
from .console import emit_lines, fit_width, wants_colour, wants_plain

if TYPE_CHECKING:
    from rich.text import Text

    from ..projects import Project, ProjectSummary

_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- planning views (issue 6): calendar, timeline, clashes, report chart -------------------
# The data comes from ``planning``; here it is only drawn. Piped output (or ``ascii``) uses
# plain ASCII and no colour; a terminal gets block characters and colour.


def _abbreviate_months(text: str) -> str:
    for name in MONTH_NAMES:
        text = re.sub(name, name[:3], text, flags=re.IGNORECASE)
    return text


# Day counts are shaded in four steps, each a share of the busiest day in view.
_HEAT = ("white on #0e4429", "white on #006d32", "black on #26a641", "bold black on #39d353")


def _heat_steps(busiest: int) -> list[int]:
    """The lowest count of each of the four shades."""
    if busiest <= 4:
        return list(range(1, 5))
    return [1] + [math.ceil(busiest * k / 4) for k in (1, 2, 3)]


def _heat_style(count: int, steps: list[int]) -> str:
    level = sum(1 for s in steps if count >= s)
    return _HEAT[level - 1] if level else "dim"


def render_calendar(
    cal: Calendar, stream: IO[str], *, width: int | None = None, ascii_: bool | None = None
) -> None:
    """Month grids like ``cal``, weeks as rows; each day shows how many activities run."""
    from rich.text import Text

    from ..formats.table import where

    plain = wants_plain(stream, ascii_)
    fit = fit_width(stream, width)
    none = "." if plain else "·"
    busiest = cal.busiest
    steps = _heat_steps(busiest.count if busiest else 0)
    lines = [Text(f"Activities per day: {cal.label}", style="bold")]
    for month in cal.months:
        first = month_bounds(month.month)[0]
        lines.append(Text(""))
        lines.append(Text(f"{MONTH_NAMES[first.month - 1]} {first.year}".center(62), "bold"))
        lines.append(Text("   ".join(f"{d:<6}" for d in _WEEKDAYS).rstrip(), style="dim"))
        for week in month.weeks:
            line = Text()
            for index, day in enumerate(week):
                if index:
                    line.append(" ")
                if day is None:
                    line.append(" " * 8)
                    continue
                line.append(f"{day.day:>2} ", style="dim" if day.weekday() >= 5 else "")
                load = month.days.get(day)
                if load is None:  # in the month but outside the period asked for
                    line.append(" " * 5)
                elif not load.count:
                    line.append(f"{none:<5}", style="dim")
                else:
                    heat = _heat_style(load.count, steps)
                    badge = f"[{load.count}"
                    line.append(badge, style=heat)
                    if load.tentative:
                        line.append("?", style=f"{heat} bold dark_orange")
                        badge += "?"
                    line.append("]", style=heat)
                    line.append(" " * (4 - len(badge)))
            line.rstrip()
            lines.append(line)
        ids = {i for load in month.days.values() for i in load.ids}
        lines.append(Text(""))
        busy = sum(1 for load in month.days.values() if load.count)
        lines.append(Text(f"{len(ids)} activities on {busy} days"))
        if month.dates_unknown:
            lines.append(Text(f"also this month, dates unknown: {len(month.dates_unknown)}"))
            for activity in month.dates_unknown:
                place = where(activity)
                title = activity.title + (f", {place}" if place else "")
                projects = ", ".join(activity.projects) or "(no project)"
                entry = f"  {activity.id}  {projects}: {title}"
                if fit is not None and len(entry) > fit:
                    entry = entry[: fit - 3] + "..." if plain else entry[: fit - 1] + "…"
                lines.append(Text(entry))
    lines.append(Text(""))
    if busiest is not None:
        day = busiest.day
        lines.append(
            Text(
                f"Busiest day: {_DAY_NAMES[day.weekday()]} {day.day} "
                f"{MONTH_NAMES[day.month - 1]} {day.year} ({busiest.count} activities)"
            )
        )
    legend = Text("[n] activities running that day; ")
    legend.append("?", style="bold dark_orange")
    legend.append(f": some of them with dates TBC; {none}: none")
    if wants_colour(stream, plain):
        legend.append(". Shades: ")
        bounds = [*steps[1:], None]
        for low, high in zip(steps, bounds, strict=True):
            top = "+" if high is None else ("" if high - 1 == low else f"-{high - 1}")
            legend.append(f" {low}{top} ", style=_heat_style(low, steps))
            legend.append(" ")
    lines.append(legend)
    lines.append(Text("A deadline counts on its due day; an activity with dates TBD on no day."))
    emit_lines(stream, lines, width, plain)


_GLYPHS = {
    Cell.NONE: " ",
    Cell.UNKNOWN: "·",
    Cell.GAP: "─",
    Cell.TENTATIVE: "░",
    Cell.CONFIRMED: "█",
    Cell.AM: "▌",
    Cell.PM: "▐",
    Cell.DEADLINE: "◆",
}
_ASCII_GLYPHS = {
    Cell.NONE: " ",
    Cell.UNKNOWN: ".",
    Cell.GAP: "-",
    Cell.TENTATIVE: "?",
    Cell.CONFIRMED: "#",
    Cell.AM: "#",
    Cell.PM: "#",
    Cell.DEADLINE: "*",
}
_CELL_STYLES = {
    Cell.UNKNOWN: "dim",
    Cell.GAP: "dim green",
    Cell.TENTATIVE: "yellow",
    Cell.CONFIRMED: "green",
    Cell.AM: "green",
    Cell.PM: "green",
    Cell.DEADLINE: "bold red",
}
_MIN_LABEL = 32
"""A terminal narrower than the bars plus this much gets wider columns (several days each)."""
_INDENT = "  "


def short_dates(activity: Activity) -> str:
    """``27-30 Jan``, ``16 (PM)-20 (AM) Mar``, ``by 31 Jan``, ``TBD``: the bar says the rest."""
    schedule = activity.schedule
    if schedule.precision is Precision.MONTH:
        return "TBD"
    text = render_schedule(schedule, with_year=False).replace(" (dates TBC)", "")
    text = text.replace(" (AM)", "am").replace(" (PM)", "pm").replace(" and ", ", ")
    return _abbreviate_months(text)


def _ruler(pieces: list[tuple[int, str]], length: int) -> str:
    """A ruler: each text at its column, dropped where it would touch the one before."""
    out = [" "] * length
    end = -1
    for col, text in pieces:
        if col <= end or col + len(text) > length:
            continue
        out[col : col + len(text)] = text
        end = col + len(text)
    return "".join(out).rstrip()


def _timeline_header(period: Period, per_column: int, ncols: int) -> tuple[str, str]:
    first, last = period
    months: list[tuple[int, str]] = []
    for month in months_between(first, last):
        start = max(month_bounds(month)[0], first)
        col = (start - first).days // per_column
        name = MONTH_NAMES[int(month[5:]) - 1][:3]
        months.append((col, f"{name} {month[:4]}"))
    # A month name alone where the year would not fit before the next month.
    fitted = []
    for index, (col, text) in enumerate(months):
        nxt = months[index + 1][0] if index + 1 < len(months) else ncols + 1
        fitted.append((col, text if col + len(text) < nxt else text[:3]))
    weeks: list[tuple[int, str]] = []
    if per_column <= 2:
        day = first + timedelta(days=(7 - first.weekday()) % 7)
        while day <= last:
            weeks.append(((day - first).days // per_column, str(day.day)))
            day += timedelta(days=7)
    return _ruler(fitted, ncols + 8), _ruler(weeks, ncols + 2)


def _label(activity: Activity, room: int | None, ellipsis: str) -> str:
    """Title and place; cut to ``room`` in the title, so that the place (what tells six
    "Assessment of crime proceeds" apart) stays whole when it can."""
    from ..formats.table import where

    place = where(activity)
    label = activity.title + (f", {place}" if place else "")
    if room is None or len(label) <= room:
        return label
    # The whole place, else the city (or the country) alone, else no place at all.
    short = activity.place.city if activity.place and activity.place.city else place
    for tail in dict.fromkeys([f", {place}" if place else "", f", {short}" if short else ""]):
        keep = room - len(tail) - len(ellipsis)
        if keep >= 12:  # enough of the title left to recognise it
            return activity.title[:keep].rstrip(" ,") + ellipsis + tail
    return label[: max(room - len(ellipsis), 0)] + ellipsis


def render_timeline(
    timeline: Timeline, stream: IO[str], *, width: int | None = None, ascii_: bool | None = None
) -> None:
    """A Gantt chart: a header of months and weeks, then a bar per activity per group."""
    from rich.text import Text

    plain = wants_plain(stream, ascii_)
    glyphs = _ASCII_GLYPHS if plain else _GLYPHS
    ellipsis = "..." if plain else "…"
    fit = fit_width(stream, width)
    first, last = timeline.period
    ndays = (last - first).days + 1
    dates = {a.id: short_dates(a) for a in timeline.activities}
    date_width = max((len(d) for d in dates.values()), default=0)
    fixed = len(_INDENT) + 2 + date_width + 2
    if fit is None:
        per_column = 1 if ndays <= 93 else 7  # a quarter by day, longer periods by week
    else:
        per_column = max(1, math.ceil(ndays / max(fit - fixed - _MIN_LABEL, 7)))
    cols = columns(timeline.period, per_column)
    ncols = len(cols)
    guides = {i for i, col in enumerate(cols) if per_column == 1 and col[0].weekday() == 0}
    unit = "1 day" if per_column == 1 else f"{per_column} days"
    named = sum(1 for g in timeline.groups if not g.name.startswith("("))
    kind = {"project": ("project", "projects"), "country": ("country", "countries")}
    noun = kind[timeline.by][named != 1]
    lines = [
        Text(
            f"Timeline {timeline.label} ({first} to {last}): {len(timeline.activities)} "
            f"activities in {named} {noun}; one column = {unit}",
            style="bold",
        )
    ]
    if not timeline.activities:
        emit_lines(stream, lines, width, plain)
        return
    month_row, week_row = _timeline_header(timeline.period, per_column, ncols)
    lines.append(Text(_INDENT + month_row, style="bold"))
    if week_row:
        lines.append(Text(_INDENT + week_row, style="dim"))
    cells: dict[str, list[Cell]] = {}
    for group in timeline.groups:
        lines.append(Text(f"{group.name} ({len(group.activities)})", style="bold"))
        for activity in group.activities:
            row = cells.get(activity.id)
            if row is None:
                row = cells[activity.id] = row_cells(activity, timeline.period, per_column)
            line = Text(_INDENT)
            for index, cell in enumerate(row):
                if cell is Cell.NONE and index in guides:
                    line.append(":" if plain else "┊", style="dim")
                else:
                    line.append(glyphs[cell], style=_CELL_STYLES.get(cell, ""))
            line.append("  ")
            style = {"tentative": "yellow", "unscheduled": "dim"}.get(
                activity.schedule.certainty.value, ""
            )
            line.append(f"{dates[activity.id]:<{date_width}}", style=style)
            label = _label(activity, None if fit is None else fit - ncols - fixed, ellipsis)
            line.append("  " + label)
            lines.append(line)
    legend = [
        (Cell.CONFIRMED, "confirmed"),
        (Cell.TENTATIVE, "dates TBC"),
        (Cell.DEADLINE, "deadline"),
        (Cell.GAP, "between two parts"),
        (Cell.UNKNOWN, "dates TBD (some day that month)"),
    ]
    if not plain:
        legend.insert(2, (Cell.AM, "half day"))
    footer = Text()
    for cell, meaning in legend:
        glyph = glyphs[Cell.AM] + glyphs[Cell.PM] if cell is Cell.AM else glyphs[cell]
        if footer and fit is not None and len(footer) + 3 + len(glyph) + len(meaning) > fit:
            lines.append(footer)
            footer = Text()
        if footer:
            footer.append("   ")
        footer.append(glyph, style=_CELL_STYLES.get(cell, ""))
        footer.append(f" {meaning}")
    lines.append(footer)
    emit_lines(stream, lines, width, plain)


def _pair_cell(pair: Pair) -> Text:
    from rich.text import Text

    from ..formats.table import when, where

    cell = Text()
    for activity in (pair.first, pair.second):
        place = where(activity)
        projects = ", ".join(activity.projects) or "(no project)"
        cell.append(f"{activity.id}  ", style="dim")
        cell.append(f"{when(activity)}  {projects}\n", style="bold")
        cell.append(f"{activity.title}{', ' + place if place else ''}\n")
    reasons = [f"{'+' + str(r.points) if r.points else '':<3} {r.text}" for r in pair.reasons]
    cell.append("\n".join(reasons), style="cyan")
    return cell


def render_pairs(
    pairs: Sequence[Pair], stream: IO[str], *, title: str, width: int | None = None
) -> None:
    """The pairs, ranked, each with the evidence that weighed in its score."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from .console import is_terminal, print_out

    counts = {kind: sum(1 for p in pairs if p.kind is kind) for kind in PairKind}
    summary = "; ".join(f"{n} {kind.value}" for kind, n in counts.items() if n)
    parts: list[object] = [Text(f"{title}: {summary or 'no pairs'}", style="bold")]
    if not pairs:
        print_out(stream, *parts, width=width)
        return
    fit = is_terminal(stream) or width is not None
    # The long column last: piped, it runs on to the right without pushing another one.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=fit)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Kind", max_width=12 if fit else None)
    table.add_column("Activities, and the evidence (points)", overflow="fold")
    styles = {PairKind.DUPLICATE: "bold red", PairKind.CLASH: "yellow", PairKind.PARALLEL: ""}
    for index, pair in enumerate(pairs):
        table.add_row(
            str(pair.score),
            Text(pair.kind.value, style=styles[pair.kind]),
            _pair_cell(pair),
            end_section=index < len(pairs) - 1,
        )
    parts.append(table)
    print_out(stream, *parts, width=width)


def render_project(
    project: Project, summary: ProjectSummary, names: dict[str, str], stream: IO[str]
) -> None:
    """``projects show``: the facts, activities per month, countries reached and not, and
    the activities dated outside the project's duration."""
    from ..formats.table import when
    from ..projects import facts
    from .console import print_out, text_table

    def listed(codes: list[str]) -> str:
        return ", ".join(sorted((names[c] for c in codes), key=str.casefold)) or "-"

    parts: list[object] = [project.name]
    parts.append(text_table(("", ""), [list(pair) for pair in facts(project, names)], head=False))
    per_month = summary.per_month()
    parts += ["", f"Activities per month ({len(summary.activities)} in the store)"]
    if per_month:
        rows = [[month_short(m), str(n or "·")] for m, n in per_month.items()]
        parts.append(text_table(("Month", "Activities"), rows, right=(1,)))
    reach = [
        [f"Participating, reached ({len(summary.participating_reached)})",
         listed(summary.participating_reached)],
        [f"Participating, not yet reached ({len(summary.participating_not_reached)})",
         listed(summary.participating_not_reached)],
        [f"Others reached ({len(summary.other_reached)})", listed(summary.other_reached)],
    ]  # fmt: skip
    parts += ["", "Countries reached (cancelled activities left out)"]
    parts.append(text_table(("", ""), reach, head=False))
    parts += ["", f"Activities outside the project's duration ({len(summary.outside)})"]
    if summary.outside:
        from ..dates import render_schedule

        # The reason starts with the dates, already in their own column.
        rows = [
            [a.id, when(a), a.title, why.removeprefix(render_schedule(a.schedule) + " ")]
            for a, why in summary.outside
        ]
        parts.append(text_table(("ID", "Dates", "Title", "Why"), rows))
    print_out(stream, *parts)
