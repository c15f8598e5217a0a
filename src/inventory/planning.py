"""Planning views as plain data: load per day, timeline rows, clashes and duplicates.

Nothing here draws: ``views`` turns these into a calendar grid, a Gantt chart or a
table. Each function takes the activities already selected by the command's filters.

Dates follow the schedule model: an activity runs on each day of each of its segments
(never in the gap between two segments), a deadline on its due day, and a "dates TBD"
activity on no known day, only somewhere in its month.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any, Generic, NamedTuple, TypeVar

from .aggregates import NO_PROJECT, counts
from .datewords import dates_tbd, schedule_days
from .model import Activity, Certainty, HalfDay, Precision, Schedule, Segment, place_label
from .months import Period, days_in, month_bounds, months_between
from .vocab import Status

NO_COUNTRY = "(no country)"


def taking_place(activities: Iterable[Activity]) -> list[Activity]:
    """The activities that occupy days: a cancelled one, or one postponed with no new day
    yet, takes no day in any view (``aggregates.counts``)."""
    return [a for a in activities if counts(a)]


# --- an activity as a picture draws it, read from its record ---------------------------------


class PlottedPart(NamedTuple):
    """A segment of :class:`PlottedSchedule` (``model.Segment``'s fields)."""

    start: date
    end: date
    start_half: HalfDay | None
    end_half: HalfDay | None


class PlottedSchedule(NamedTuple):
    """What a picture reads of a ``model.Schedule``."""

    text: str
    month: str
    precision: Precision
    certainty: Certainty
    deadline: bool
    segments: tuple[PlottedPart, ...]


class PlottedCountry(NamedTuple):
    code: str
    name: str


class PlottedPlace(NamedTuple):
    """What a picture reads of a ``model.Place``."""

    text: str
    city: str | None
    countries: tuple[PlottedCountry, ...]

    @property
    def label(self) -> str:
        """``model.Place.label``."""
        return place_label(self.text, self.city, [c.name for c in self.countries])


class Plotted(NamedTuple):
    """An activity as the timeline draws it, read from its record (``records.to_record``,
    what ``list --json`` prints): the attributes of ``model.Activity`` a picture reads, so
    a period of a big store is drawn without building and validating a model each. Tuples,
    made and compared at a tuple's cost (a quarter of a big store has sixteen thousand)."""

    id: str
    projects: tuple[str, ...]
    title: str
    place: PlottedPlace | None
    schedule: PlottedSchedule
    status: Status
    start: date
    end: date

    @classmethod
    def read(cls, record: dict[str, Any]) -> Plotted:
        day = date.fromisoformat
        s = record["schedule"]
        schedule = PlottedSchedule(
            s["text"],
            s["month"],
            _PRECISIONS[s["precision"]],
            _CERTAINTIES[s["certainty"]],
            bool(s["deadline"]),
            tuple(
                PlottedPart(
                    day(p["start"]), day(p["end"]), _HALVES[p["start_half"]], _HALVES[p["end_half"]]
                )
                for p in s["segments"]
            ),
        )
        place = record["place"]
        return cls(
            record["id"],
            tuple(record["projects"]),
            record["title"],
            None
            if place is None
            else PlottedPlace(
                place["text"],
                place["city"],
                tuple(PlottedCountry(c["code"], c["name"]) for c in place["countries"]),
            ),
            schedule,
            _STATUSES[record["status"]],
            day(s["start"]),
            day(s["end"]),
        )

    def sort_key(self) -> tuple[date, int, int, str, str]:
        """``model.Activity.sort_key``."""
        if self.schedule.precision is Precision.MONTH:
            return (self.end, 1, 0, self.title.casefold(), self.id)
        afternoon = int(self.schedule.segments[0].start_half is HalfDay.PM)
        return (self.start, 0, afternoon, self.title.casefold(), self.id)


# By value, looked up rather than called: an enum's call costs a record a microsecond each.
_PRECISIONS = {p.value: p for p in Precision}
_CERTAINTIES = {c.value: c for c in Certainty}
_HALVES: dict[str | None, HalfDay | None] = {None: None, **{h.value: h for h in HalfDay}}
_STATUSES = {s.value: s for s in Status}


def plotted_taking_place(records: Iterable[dict[str, Any]]) -> list[Plotted]:
    """:func:`taking_place` of the activities whose records these are, as :class:`Plotted`."""
    out = []
    for record in records:
        status = record["status"]
        if status == Status.CANCELLED.value:
            continue
        if status == Status.POSTPONED.value and record["schedule"]["precision"] == "month":
            continue  # report.undated_postponement
        out.append(Plotted.read(record))
    return out


Pictured = TypeVar("Pictured", Activity, Plotted)
"""What the timeline draws: the models, or the activities read from their records."""


def schedule_words(schedule: Schedule | PlottedSchedule, *, with_year: bool = True) -> str:
    """``dates.render_schedule`` of a dated schedule, or with the year of any; of a model's
    or a record's schedule alike (the timeline draws either)."""
    if schedule.precision is Precision.MONTH:
        if not with_year:  # the officers' own words: only the models' parser has them
            from .dates import render_schedule

            assert isinstance(schedule, Schedule)
            return render_schedule(schedule, with_year=False)
        return dates_tbd(schedule.month)
    return schedule_days(schedule, with_year=with_year)


def _period_json(period: Period, label: str) -> dict[str, str]:
    return {"label": label, "start": period[0].isoformat(), "end": period[1].isoformat()}


# --- calendar: how many activities run each day -----------------------------------------


@dataclass(frozen=True)
class DayLoad:
    day: date
    ids: tuple[str, ...] = ()
    """The activities running that day, soonest first."""
    tentative: tuple[str, ...] = ()
    """Those of ``ids`` whose dates are still to be confirmed ("dates TBC")."""

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class CalendarMonth:
    month: str
    """``YYYY-MM``."""
    weeks: tuple[tuple[date | None, ...], ...]
    """Monday-first rows of seven; None before the 1st and after the last day."""
    days: dict[date, DayLoad]
    """The month's days that fall in the period (all of them for a month or a quarter)."""
    dates_unknown: tuple[Activity, ...]
    """Activities of this month with no day known ("dates TBD"): they run on no day here."""


@dataclass
class Calendar:
    period: Period
    label: str
    months: list[CalendarMonth]

    def loads(self) -> list[DayLoad]:
        return [load for month in self.months for load in month.days.values()]

    @property
    def busiest(self) -> DayLoad | None:
        loads = [load for load in self.loads() if load.count]
        return max(loads, key=lambda load: (load.count, -load.day.toordinal()), default=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": _period_json(self.period, self.label),
            "days": {
                load.day.isoformat(): {
                    "count": load.count,
                    "tentative": len(load.tentative),
                    "ids": list(load.ids),
                }
                for load in self.loads()
            },
            "dates_unknown": {
                month.month: [a.id for a in month.dates_unknown] for month in self.months
            },
        }


def build_calendar(activities: Sequence[Activity], period: Period, label: str) -> Calendar:
    """Per-day load over ``period``, one grid per month it touches."""
    running: dict[date, list[Activity]] = {}
    unknown: dict[str, list[Activity]] = {}
    for activity in sorted(activities, key=Activity.sort_key):
        schedule = activity.schedule
        if schedule.precision is Precision.MONTH:
            unknown.setdefault(schedule.month, []).append(activity)
            continue
        for day in schedule.days():
            running.setdefault(day, []).append(activity)
    months = []
    for month in months_between(*period):
        first, last = month_bounds(month)
        grid = _calendar.Calendar(firstweekday=_calendar.MONDAY)
        # Day numbers, not dates: December 9999's last week would run into the year 10000.
        weeks = tuple(
            tuple(first.replace(day=d) if d else None for d in week)
            for week in grid.monthdayscalendar(first.year, first.month)
        )
        in_period = (max(first, period[0]), min(last, period[1]))
        days = {}
        for day in days_in(in_period):
            there = running.get(day, [])
            days[day] = DayLoad(
                day,
                tuple(a.id for a in there),
                tuple(a.id for a in there if a.schedule.certainty is Certainty.TENTATIVE),
            )
        months.append(CalendarMonth(month, weeks, days, tuple(unknown.get(month, ()))))
    return Calendar(period, label, months)


# --- timeline: one bar per activity ----------------------------------------------------------


class Cell(StrEnum):
    """What one column of a timeline row shows, strongest first (see ``_STRENGTH``)."""

    NONE = "none"
    UNKNOWN = "unknown"
    """Somewhere in this month, day unknown ("dates TBD")."""
    GAP = "gap"
    """Between two parts of the same activity."""
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    AM = "am"
    """Confirmed, the morning only (a half-day start or end)."""
    PM = "pm"
    DEADLINE = "deadline"


_STRENGTH = {
    Cell.NONE: 0,
    Cell.UNKNOWN: 1,
    Cell.GAP: 2,
    Cell.TENTATIVE: 3,
    Cell.AM: 4,
    Cell.PM: 4,
    Cell.CONFIRMED: 5,
    Cell.DEADLINE: 6,
}


def day_cells(activity: Activity | Plotted, days: Sequence[date]) -> list[Cell]:
    """What the activity is doing on each of ``days``."""
    schedule = activity.schedule
    if schedule.precision is Precision.MONTH:
        first, last = month_bounds(schedule.month)
        return [Cell.UNKNOWN if first <= d <= last else Cell.NONE for d in days]
    if not days:
        return []
    marks = _marks(activity, min(days), max(days))
    return [marks.get(d, Cell.NONE) for d in days]


def _marks(activity: Activity | Plotted, first: date, last: date) -> dict[date, Cell]:
    """The days from ``first`` to ``last`` on which a dated activity does something, and
    what: its segments' days (a half day where one is), then the gaps between them. Only
    the days asked for are visited, so a bar costs the period drawn, not the activity."""
    schedule = activity.schedule
    marks: dict[date, Cell] = {}
    full = Cell.TENTATIVE if schedule.certainty is Certainty.TENTATIVE else Cell.CONFIRMED
    if schedule.deadline:
        full = Cell.DEADLINE
    for seg in schedule.segments:
        day, end = max(seg.start, first), min(seg.end, last)
        while day <= end:
            marks[day] = full
            day += _DAY
        if full is Cell.CONFIRMED:
            # A half day is only drawn when it is one: "16 (PM) – 20 (AM) March".
            if seg.start_half is HalfDay.PM:
                marks[seg.start] = Cell.PM
            elif seg.start_half is HalfDay.AM and seg.start == seg.end:
                marks[seg.start] = Cell.AM
            if seg.end_half is HalfDay.AM:
                marks[seg.end] = Cell.AM
    parts: Sequence[Segment | PlottedPart] = schedule.segments
    for before, after in pairwise(parts):
        day, end = max(before.end + _DAY, first), min(after.start - _DAY, last)
        while day <= end:
            marks[day] = Cell.GAP
            day += _DAY
    return marks


_DAY = timedelta(days=1)


def columns(period: Period, per_column: int) -> list[tuple[date, ...]]:
    """The period's days cut into columns of ``per_column`` consecutive days."""
    days = days_in(period)
    return [tuple(days[i : i + per_column]) for i in range(0, len(days), per_column)]


def row_cells(activity: Activity | Plotted, period: Period, per_column: int = 1) -> list[Cell]:
    """One cell per column; a column of several days shows the strongest of them, and a
    half day counts as a whole one when the column is wider than a day."""
    first, last = period
    ndays = (last - first).days + 1
    cells = [Cell.NONE] * ndays
    schedule = activity.schedule
    if schedule.precision is Precision.MONTH:
        start, end = month_bounds(schedule.month)
        for k in range(max((start - first).days, 0), min((end - first).days + 1, ndays)):
            cells[k] = Cell.UNKNOWN
    else:
        for day, cell in _marks(activity, first, last).items():
            k = (day - first).days
            if 0 <= k < ndays:
                cells[k] = cell
    if per_column == 1:
        return cells
    out = []
    for k in range(0, ndays, per_column):
        best = max(cells[k : k + per_column], key=_STRENGTH.__getitem__)
        if best in (Cell.AM, Cell.PM):
            best = Cell.CONFIRMED
        out.append(best)
    return out


@dataclass(frozen=True)
class TimelineGroup(Generic[Pictured]):
    name: str
    activities: tuple[Pictured, ...]


@dataclass
class Timeline(Generic[Pictured]):
    period: Period
    label: str
    by: str
    """``project`` or ``country``: what the rows are grouped by."""
    groups: list[TimelineGroup[Pictured]]
    activities: list[Pictured]
    """Every activity once, soonest first."""

    def to_json(self) -> dict[str, Any]:
        rows = []
        for group in self.groups:
            for a in group.activities:
                schedule = a.schedule
                rows.append(
                    {
                        "group": group.name,
                        "id": a.id,
                        "title": a.title,
                        "dates": schedule_words(schedule),
                        "start": a.start.isoformat(),
                        "end": a.end.isoformat(),
                        "segments": [
                            {"start": s.start.isoformat(), "end": s.end.isoformat()}
                            for s in schedule.segments
                        ],
                        "certainty": schedule.certainty.value,
                        "deadline": schedule.deadline,
                    }
                )
        return {
            "period": _period_json(self.period, self.label),
            "by": self.by,
            "activities": len(self.activities),
            "rows": rows,
        }


def group_names(
    activity: Activity | Plotted, by: str, only: Collection[str] = ()
) -> tuple[str, ...]:
    """The groups an activity is listed under. ``only``: project names (by project) or
    country codes (by country) to keep, so ``--project X`` does not list X's shared
    activities under every other project too."""
    if by == "country":
        countries = activity.place.countries if activity.place else ()
        names = tuple(c.name for c in countries if not only or c.code in only)
        return names or (() if only else (NO_COUNTRY,))
    projects = tuple(p for p in activity.projects if not only or p in only)
    return projects or (() if only else (NO_PROJECT,))


def build_timeline(
    activities: Sequence[Pictured],
    period: Period,
    label: str,
    by: str = "project",
    only: Collection[str] = (),
) -> Timeline[Pictured]:
    """Rows grouped by project (or country); an activity with several is under each, once."""
    if by not in ("project", "country"):
        raise ValueError(f"group by 'project' or 'country', not {by!r}")
    ordered = sorted(activities, key=lambda a: a.sort_key())
    members: dict[str, list[Pictured]] = {}
    for activity in ordered:
        for name in dict.fromkeys(group_names(activity, by, only)):
            members.setdefault(name, []).append(activity)
    # The "(no project)"/"(no country)" group goes last: it is what needs fixing.
    names = sorted(members, key=lambda n: (n.startswith("("), n.casefold()))
    groups = [TimelineGroup(n, tuple(members[n])) for n in names]
    return Timeline(period, label, by, groups, ordered)
