"""The planning pictures as Rich renderables: the calendar grid, the timeline (Gantt), the
clashes and a project's page. The data comes from ``planning``, ``clashes`` and
``project_summary``; here it is only drawn, on whatever console prints it: plain ASCII and
no colour piped (or with ``ascii``), block characters and colour on a terminal, fitted to
the console's width when it has one."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..clashes import Pair, PairKind
from ..model import Activity, Precision
from ..months import MONTH_NAMES, Period, month_bounds, month_of, month_short, months_between
from ..planning import Calendar, Cell, Plotted, Timeline, columns, row_cells, schedule_words
from ..vocab import plural
from .console import plain, room, text_table

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.text import Text

    from ..project_summary import ProjectSummary
    from ..projects import Project

_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@functools.cache
def _abbreviate_months(text: str) -> str:
    # Cached: a chart's activities share a few hundred date texts, and twelve regular
    # expressions a row were a tenth of drawing it.
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


def _lines(lines: list[Text], plain_: bool, width: int) -> Iterator[Text]:
    """The lines as drawn; plain ones without their styles (``--ascii`` has no colour
    even on a terminal). A line that fits the width is marked not to wrap: Rich would
    look for places to break it word by word and find none (most of a chart's drawing)."""
    from rich.cells import cell_len
    from rich.text import Text

    for line in lines:
        shown = Text(line.plain) if plain_ else line
        text = shown.plain
        # A character is at most two cells wide; a tab would be expanded first.
        fits = 2 * len(text) <= width or cell_len(text) <= width
        if fits and len(text) <= width and "\t" not in text:
            shown.no_wrap = True
        yield shown


def _period_text(label: str, period: Period) -> str:
    """``Q1 2020 (2020-01-01 to 2020-03-31)``; the days once when the label is them."""
    span = f"{period[0]} to {period[1]}"
    return span if label in ("", span) else f"{label} ({span})"


@dataclass
class CalendarView:
    """Month grids like ``cal``, weeks as rows; each day shows how many activities run."""

    calendar: Calendar
    ascii: bool | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        plain_ = plain(console, options, self.ascii)
        colour = not plain_ and not console.no_color and console.color_system is not None
        lines = calendar_lines(self.calendar, room(options), plain_, colour)
        yield from _lines(lines, plain_, options.max_width)


def calendar_lines(cal: Calendar, fit: int | None, plain_: bool, colour: bool) -> list[Text]:
    from rich.text import Text

    from .listing import where

    none = "." if plain_ else "·"
    busiest = cal.busiest
    steps = _heat_steps(busiest.count if busiest else 0)
    first, last = cal.period
    whole_months = first.day == 1 and month_bounds(month_of(last))[1] == last
    title = cal.label if cal.label and whole_months else _period_text(cal.label, cal.period)
    lines = [Text(f"Activities per day: {title}", style="bold")]
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
        lines.append(Text(f"{plural(len(ids), 'activity')} on {plural(busy, 'day')}"))
        if month.dates_unknown:
            lines.append(Text(f"also this month, dates unknown: {len(month.dates_unknown)}"))
            for activity in month.dates_unknown:
                place = where(activity)
                title = activity.title + (f", {place}" if place else "")
                projects = ", ".join(activity.projects) or "(no project)"
                entry = f"  {activity.id}  {projects}: {title}"
                if fit is not None and len(entry) > fit:
                    entry = entry[: fit - 3] + "..." if plain_ else entry[: fit - 1] + "…"
                lines.append(Text(entry))
    lines.append(Text(""))
    if busiest is not None:
        day = busiest.day
        lines.append(
            Text(
                f"Busiest day: {_DAY_NAMES[day.weekday()]} {day.day} "
                f"{MONTH_NAMES[day.month - 1]} {day.year} ({plural(busiest.count, 'activity')})"
            )
        )
    legend = Text("[n] activities running that day; ")
    legend.append("?", style="bold dark_orange")
    legend.append(f": some of them with dates TBC; {none}: none")
    if colour:
        legend.append(". Shades: ")
        bounds = [*steps[1:], None]
        for low, high in zip(steps, bounds, strict=True):
            top = "+" if high is None else ("" if high - 1 == low else f"-{high - 1}")
            legend.append(f" {low}{top} ", style=_heat_style(low, steps))
            legend.append(" ")
    lines.append(legend)
    lines.append(Text("A deadline counts on its due day; an activity with dates TBD on no day."))
    return lines


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


def short_dates(activity: Activity | Plotted) -> str:
    """``27-30 Jan``, ``16 (PM)-20 (AM) Mar``, ``by 31 Jan``, ``TBD``: the bar says the rest."""
    schedule = activity.schedule
    if schedule.precision is Precision.MONTH:
        return "TBD"
    text = schedule_words(schedule, with_year=False).replace(" (dates TBC)", "")
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


def _label(activity: Activity | Plotted, room: int | None, ellipsis: str) -> str:
    """Title and place; cut to ``room`` in the title, so that the place (what tells six
    "Assessment of crime proceeds" apart) stays whole when it can."""
    place = activity.place.label if activity.place else ""
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


@dataclass
class TimelineView:
    """A Gantt chart: a header of months and weeks, then a bar per activity per group."""

    timeline: Timeline[Any]
    ascii: bool | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        plain_ = plain(console, options, self.ascii)
        lines = [line.text() for line in timeline_lines(self.timeline, room(options), plain_)]
        yield from _lines(lines, plain_, options.max_width)


_RICH_REWRITES = re.compile(r"[\t\n\x07\x08\x0b\x0c\r]")
"""What Rich does not print as it is given: tabs it expands, controls it strips."""


def plain_chart(timeline: Timeline[Any], width: int | None = None) -> list[str] | None:
    """The chart's lines as :class:`TimelineView` draws them piped (plain), fitted to
    ``width`` (None: nothing to fit, every line whole), written as text: Rich would only
    copy them out, at a tenth of a millisecond a line (a quarter of a big store has sixteen
    thousand). None when a line holds a character Rich would change, or is wider than
    ``width`` (then Rich draws it, wrapping that line)."""
    from rich.cells import cell_len

    lines = [line.plain.rstrip() for line in timeline_lines(timeline, width, True)]
    for line in lines:
        if _RICH_REWRITES.search(line):
            return None
        if width is not None and len(line) > width // 2 and cell_len(line) > width:
            return None
    return lines


def _bar(
    activity: Activity | Plotted,
    period: Period,
    per_column: int,
    glyphs: dict[Cell, str],
    guides: set[int],
    plain_: bool,
    made: dict[Any, tuple[str, tuple[tuple[int, int, str], ...]]],
) -> _Line:
    """The indent and the activity's bar, one character a column, each with its cell's
    style: the text and its spans made at once (appending character by character was most
    of a chart's cost); drawn plain, without spans at all. ``made``: the bars drawn so far,
    by what :func:`planning.row_cells` reads of a schedule (a quarter of a big store has
    thousands of rows and a few hundred bars)."""
    schedule = activity.schedule
    key = (
        schedule.precision,
        schedule.month,
        schedule.certainty,
        schedule.deadline,
        schedule.segments,
    )
    found = made.get(key)
    if found is None:
        row = row_cells(activity, period, per_column)
        guide = ":" if plain_ else "┊"
        chars = [
            guide if cell is Cell.NONE and k in guides else glyphs[cell]
            for k, cell in enumerate(row)
        ]
        spans = []
        if not plain_:
            offset = len(_INDENT)
            for k, cell in enumerate(row):
                style = "dim" if cell is Cell.NONE and k in guides else _CELL_STYLES.get(cell, "")
                if style:
                    spans.append((offset + k, offset + k + 1, style))
        found = made[key] = (_INDENT + "".join(chars), tuple(spans))
    text, styled = found
    return _Line(text, spans=styled)


class _Line:
    """A chart's line being made: its text in pieces and their styles, as Rich's ``Text``
    would hold them, at a fraction of its cost (a quarter of a big store has sixteen
    thousand lines); :meth:`text` makes the ``Text``, :attr:`plain` the text alone."""

    __slots__ = ("_length", "_parts", "_spans", "_style")

    def __init__(
        self, text: str = "", style: str = "", spans: Sequence[tuple[int, int, str]] = ()
    ) -> None:
        self._parts = [text]
        self._length = len(text)
        self._style = style
        self._spans = list(spans)

    def append(self, text: str, style: str = "") -> None:
        if style and text:
            self._spans.append((self._length, self._length + len(text), style))
        self._parts.append(text)
        self._length += len(text)

    def __len__(self) -> int:
        return self._length

    @property
    def plain(self) -> str:
        return "".join(self._parts)

    def text(self) -> Text:
        from rich.text import Span, Text

        spans = [Span(*span) for span in self._spans]
        return Text(self.plain, style=self._style, spans=spans)


def timeline_lines(timeline: Timeline[Any], fit: int | None, plain_: bool) -> list[_Line]:
    glyphs = _ASCII_GLYPHS if plain_ else _GLYPHS
    ellipsis = "..." if plain_ else "…"
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
        _Line(
            f"Timeline {_period_text(timeline.label, timeline.period)}: "
            f"{plural(len(timeline.activities), 'activity')} in {named} {noun}; "
            f"one column = {unit}",
            style="bold",
        )
    ]
    if not timeline.activities:
        return lines
    month_row, week_row = _timeline_header(timeline.period, per_column, ncols)
    lines.append(_Line(_INDENT + month_row, style="bold"))
    if week_row:
        lines.append(_Line(_INDENT + week_row, style="dim"))
    bars: dict[Any, tuple[str, tuple[tuple[int, int, str], ...]]] = {}
    for group in timeline.groups:
        lines.append(_Line(f"{group.name} ({len(group.activities)})", style="bold"))
        for activity in group.activities:
            line = _bar(activity, timeline.period, per_column, glyphs, guides, plain_, bars)
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
    if not plain_:
        legend.insert(2, (Cell.AM, "half day"))
    footer = _Line()
    for cell, meaning in legend:
        glyph = glyphs[Cell.AM] + glyphs[Cell.PM] if cell is Cell.AM else glyphs[cell]
        if footer and fit is not None and len(footer) + 3 + len(glyph) + len(meaning) > fit:
            lines.append(footer)
            footer = _Line()
        if footer:
            footer.append("   ")
        footer.append(glyph, style=_CELL_STYLES.get(cell, ""))
        footer.append(f" {meaning}")
    lines.append(footer)
    return lines


def _pair_cell(pair: Pair) -> Text:
    from rich.text import Text

    from .listing import when, where

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


@dataclass
class PairsView:
    """The pairs, ranked, each with the evidence that weighed in its score."""

    pairs: Sequence[Pair]
    title: str

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        pairs = self.pairs
        counts = {kind: sum(1 for p in pairs if p.kind is kind) for kind in PairKind}
        summary = "; ".join(f"{n} {kind.value}" for kind, n in counts.items() if n)
        yield Text(f"{self.title}: {summary or 'no pairs'}", style="bold")
        if not pairs:
            return
        fit = room(options) is not None
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
        yield table


YEARLY = 24
"""A project's activities per month over more months than this are drawn a year a row,
a column a month (a generated store's project ran a line a month over 16 years)."""


def _year_grid(per_month: dict[str, int], none: str) -> Any:
    """``per_month`` (every month from the first to the last) as a year a row; the months
    before the first and after the last are left blank."""
    years = sorted({int(m[:4]) for m in per_month})
    rows = [
        [str(year)]
        + [
            "" if (n := per_month.get(f"{year:04d}-{month:02d}")) is None else str(n or none)
            for month in range(1, 13)
        ]
        for year in range(years[0], years[-1] + 1)
    ]
    headers = ("Year", *(name[:3] for name in MONTH_NAMES))
    return text_table(headers, rows, right=tuple(range(1, 13)))


@dataclass
class ProjectPage:
    """``projects show``: the facts, activities per month, countries reached and not, and
    the activities dated outside the project's duration."""

    project: Project
    summary: ProjectSummary
    names: dict[str, str]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from ..dates import render_schedule
        from ..project_summary import facts

        project, summary, names = self.project, self.summary, self.names

        def listed(codes: list[str]) -> str:
            return ", ".join(sorted((names[c] for c in codes), key=str.casefold)) or "-"

        yield project.name
        yield text_table(("", ""), [list(pair) for pair in facts(project, names)], head=False)
        per_month = summary.per_month()
        yield ""
        yield f"Activities per month ({summary.count} in the store)"
        if per_month:
            none = "." if options.ascii_only else "·"
            if len(per_month) > YEARLY:
                yield _year_grid(per_month, none)
            else:
                rows = [[month_short(m), str(n or none)] for m, n in per_month.items()]
                yield text_table(("Month", "Activities"), rows, right=(1,))
        reach = [
            [f"Participating, reached ({len(summary.participating_reached)})",
             listed(summary.participating_reached)],
            [f"Participating, not yet reached ({len(summary.participating_not_reached)})",
             listed(summary.participating_not_reached)],
            [f"Others reached ({len(summary.other_reached)})", listed(summary.other_reached)],
        ]  # fmt: skip
        yield ""
        yield "Countries reached (cancelled activities left out)"
        yield text_table(("", ""), reach, head=False)
        yield ""
        yield f"Activities outside the project's duration ({summary.outside_count})"
        if summary.outside:
            # The reason starts with the dates, already in their own column.
            rows = [
                [
                    a.id,
                    a.status.mark(render_schedule(a.schedule)),
                    a.title,
                    why.removeprefix(render_schedule(a.schedule) + " "),
                ]
                for a, why in summary.outside
            ]
            yield text_table(("ID", "Dates", "Title", "Why"), rows)
        more = summary.outside_count - len(summary.outside)
        if more > 0:
            from ..project_summary import outside_listings

            yield f"and {more} more, listed by:"
            for command in outside_listings(project):
                yield f"  {command}"
