"""Geometry of the page's pictures: the timeline (Gantt) and the bar charts, as plain data
in SVG user units. The templates draw them (``templates/svg.html.j2``), so every text that
reaches a picture is escaped like the rest of the page.

The timeline draws fuzzy dates honestly, as the model holds them: a known day range is a
bar (half days as half a day's width, a two-part activity as two bars joined by a thin
line), dates to be confirmed are a hatched bar, a deadline is a diamond on its day, and an
activity with only its month known is a faded band over that month, never a bar.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..model import Activity, HalfDay, Precision
from ..months import Period, day_label, month_bounds, month_short, months_between

WIDTH = 1000.0
"""Every timeline picture is this wide, so the groups' days line up under each other."""
LABEL_WIDTH = 400.0
"""The dates and the title, left of the bars."""
DATES_WIDTH = 92.0
CHART_RIGHT = 8.0
ROW = 18.0
BAR = 10.0
HEAD = 24.0
"""The month names over each group's bars."""
TITLE_CHARS = 46
"""What fits on a line of the label column at the templates' font size (11 units, at most 6.5
a letter)."""
LINE = 13.0
"""A second line of a label: a row that needs one is this much taller."""


_EPSILON = 0.01
"""Less than this apart is touching (sums of day widths are not exact)."""


def _r(value: float) -> float:
    # Two decimals are a hundredth of a pixel: enough, and the page stays small.
    return round(value, 2)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str = ""
    width: float = 0.0
    """A month's width (its label is centred on it); 0 for a week line."""


@dataclass(frozen=True)
class Axis:
    period: Period
    days: int
    day_width: float
    months: tuple[Tick, ...]
    weeks: tuple[Tick, ...]
    """Mondays."""
    today: Tick | None
    """The reference day, when it falls in the period."""

    def x(self, day: date) -> float:
        return LABEL_WIDTH + (day - self.period[0]).days * self.day_width

    @property
    def right(self) -> float:
        return WIDTH - CHART_RIGHT


def make_axis(period: Period, today: date | None = None) -> Axis:
    first, last = period
    days = (last - first).days + 1
    day_width = (WIDTH - LABEL_WIDTH - CHART_RIGHT) / days
    axis = Axis(period, days, day_width, (), (), None)
    months = []
    for month in months_between(first, last):
        start, end = month_bounds(month)
        start, end = max(start, first), min(end, last)
        x = axis.x(start)
        width = (end - start).days + 1
        # A sliver of a month (a period from the 28th) gets its line but no name.
        label = month_short(month) if width * day_width >= 40 else ""
        months.append(Tick(_r(x), label, _r(width * day_width)))
    every_day = (date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1))
    weeks = [Tick(_r(axis.x(d))) for d in every_day if d.weekday() == 0 and d.day != 1]
    marker = None
    if today is not None and first <= today <= last:
        marker = Tick(_r(axis.x(today) + day_width / 2), f"as of {day_label(today)}")
    return Axis(period, days, day_width, tuple(months), tuple(weeks) if days <= 200 else (), marker)


@dataclass(frozen=True)
class Mark:
    """One shape of a timeline row."""

    kind: str
    """``bar`` (a known day range), ``band`` (somewhere that month), ``gap`` (between two
    parts), ``deadline`` (a due day)."""
    x: float
    width: float
    certainty: str
    half: str = ""
    """``am``/``pm``/``both`` when the bar starts or ends on half a day."""


@dataclass(frozen=True)
class GanttRow:
    id: str
    dates: str
    """Short dates for the label: ``27-30 Jan``, ``by 31 Jan``, ``TBD``."""
    lines: tuple[str, ...]
    """The title with its place, on one line or two; cut only past two lines."""
    description: str
    """The whole title, place and dates as written, for the row's tooltip."""
    certainty: str
    marks: tuple[Mark, ...]
    y: float

    @property
    def title(self) -> str:
        return " ".join(self.lines)

    @property
    def height(self) -> float:
        return ROW + LINE * (len(self.lines) - 1)

    @property
    def top(self) -> float:
        """Where the bars' row starts: centred on a two-line label."""
        return self.y + (self.height - ROW) / 2


@dataclass(frozen=True)
class GanttGroup:
    name: str
    rows: tuple[GanttRow, ...]
    height: float

    @property
    def bars(self) -> int:
        return sum(1 for row in self.rows for m in row.marks if m.kind == "bar")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def row_label(title: str, place: str, limit: int = TITLE_CHARS) -> str:
    """The title cut to fit with its place kept, as the terminal's timeline does: six
    "Assessment of crime proceeds…" in six capitals must not read as one."""
    if not place:
        return _cut(title, limit)
    place = _cut(place, limit // 2)
    return f"{_cut(title, limit - len(place) - 2)}, {place}"


def row_lines(title: str, place: str, limit: int = TITLE_CHARS) -> tuple[str, ...]:
    """The label on up to two lines broken between words, so a page as wide as the review's
    1280 pixels shows titles whole (E11: one line cut them at about 20 letters beside a long
    place). Past two lines the second is cut with the place kept, as `row_label` does; the
    row's tooltip always has the whole title."""
    whole = f"{title}, {place}" if place else title
    lines = textwrap.wrap(whole, limit)
    if len(lines) <= 2:
        return tuple(lines) or ("",)
    first = lines[0]
    if len(first) < len(title):
        return (first, row_label(title[len(first) :].lstrip(), place, limit))
    return (first, _cut(whole[len(first) :].lstrip(), limit))


def row_marks(activity: Activity, axis: Axis) -> tuple[Mark, ...]:
    """The shapes of one activity over the axis's period."""
    schedule = activity.schedule
    first, last = axis.period
    certainty = schedule.certainty.value
    if schedule.precision is Precision.MONTH:
        start, end = month_bounds(schedule.month)
        start, end = max(start, first), min(end, last)
        if start > end:
            return ()
        width = ((end - start).days + 1) * axis.day_width
        return (Mark("band", _r(axis.x(start)), _r(width), certainty),)
    half_day = axis.day_width / 2
    if schedule.deadline:
        due = schedule.segments[0].end
        if not first <= due <= last:
            return ()
        return (Mark("deadline", _r(axis.x(due) + half_day), 0.0, certainty),)
    marks: list[Mark] = []
    previous_end: float | None = None
    for seg in schedule.segments:
        if seg.end < first:  # a part before the period: the line to the next starts at its edge
            previous_end = axis.x(first)
            continue
        if seg.start > last:  # and one after it: the line runs to the edge
            if previous_end is not None and axis.right - previous_end > _EPSILON:
                marks.append(
                    Mark("gap", _r(previous_end), _r(axis.right - previous_end), certainty)
                )
            break
        start, end = max(seg.start, first), min(seg.end, last)
        x0, x1 = axis.x(start), axis.x(end) + axis.day_width
        halves = []
        if start == seg.start and seg.start_half is HalfDay.PM:
            x0 += half_day
            halves.append("pm")
        if end == seg.end and seg.end_half is HalfDay.AM:
            x1 -= half_day
            halves.append("am")
        if previous_end is not None and x0 - previous_end > _EPSILON:
            marks.append(Mark("gap", _r(previous_end), _r(x0 - previous_end), certainty))
        half = "both" if len(halves) == 2 else (halves[0] if halves else "")
        marks.append(Mark("bar", _r(x0), _r(x1 - x0), certainty, half))
        previous_end = x1
    return tuple(marks)


def gantt_groups(
    groups: Sequence[tuple[str, Sequence[Activity]]],
    axis: Axis,
    describe: dict[str, str],
    short: dict[str, str],
) -> list[GanttGroup]:
    """One picture per group (a project), one row per activity. ``describe`` and ``short``
    give each activity's tooltip and label dates by id."""

    def place(activity: Activity) -> str:
        return activity.place.label if activity.place else ""

    out = []
    for name, activities in groups:
        rows = []
        y = HEAD
        for activity in activities:
            rows.append(
                GanttRow(
                    id=activity.id,
                    dates=short[activity.id],
                    lines=row_lines(activity.title, place(activity)),
                    description=describe[activity.id],
                    certainty=(
                        "deadline"
                        if activity.schedule.deadline
                        else activity.schedule.certainty.value
                    ),
                    marks=row_marks(activity, axis),
                    y=y,
                )
            )
            y += rows[-1].height
        out.append(GanttGroup(name, tuple(rows), y + 4))
    return out


# --- bar charts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars (``across``) or columns over a time axis (``up``)."""

    direction: str
    bars: tuple[Bar, ...]
    width: float
    height: float
    baseline: float
    """x of the bars' start (across) or y of the columns' foot (up)."""
    label_every: int = 1
    """Columns: a label under every n-th one when they are too many to name each."""

    @property
    def spoken(self) -> str:
        """What the picture shows, for a screen reader: ``GLACY+ 31, CyberEast 14``."""
        return ", ".join(f"{b.label} {b.value}" for b in self.bars)


CHART_WIDTH = 480.0
"""Narrow enough to stay legible when a phone scales the picture down."""


def bar_chart(items: Sequence[tuple[str, int]]) -> BarChart:
    """One horizontal bar per item, longest scaled to the chart's width."""
    longest = max((len(label) for label, _ in items), default=0)
    # 7.4 units a letter is wider than the average at 11 units: a label is never clipped.
    label_width = min(max(longest * 7.4 + 12, 60), 200)
    fits = int((label_width - 12) / 7.4)
    items = [(_cut(label, fits), value) for label, value in items]
    biggest = max((v for _, v in items), default=0) or 1
    room = CHART_WIDTH - label_width - 40
    step, height = 22.0, 14.0
    bars = tuple(
        Bar(label, value, _r(label_width), _r(i * step + 4), _r(room * value / biggest), height)
        for i, (label, value) in enumerate(items)
    )
    return BarChart("across", bars, CHART_WIDTH, len(items) * step + 8, _r(label_width))


def column_chart(items: Sequence[tuple[str, int]]) -> BarChart:
    """One column per item (a month), left to right, tallest scaled to the chart's height."""
    count = max(len(items), 1)
    foot, top = 150.0, 18.0
    slot = (CHART_WIDTH - 20) / count
    width = min(slot * 0.6, 44.0)
    biggest = max((v for _, v in items), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        height = (foot - top) * value / biggest
        x = 10 + i * slot + (slot - width) / 2
        bars.append(Bar(label, value, _r(x), _r(foot - height), _r(width), _r(height)))
    # Month labels are about 50 units wide: leave out the ones that would overlap.
    every = max(1, int(-(-56 // slot)))
    return BarChart("up", tuple(bars), CHART_WIDTH, foot + 22, foot, every)
