"""Planning views as plain data: load per day, timeline rows, clashes and duplicates.

Nothing here draws: ``views`` turns these into a calendar grid, a Gantt chart or a
table. Each function takes the activities already selected by the command's filters.

Dates follow the schedule model: an activity runs on each day of each of its segments
(never in the gap between two segments), a deadline on its due day, and a "dates TBD"
activity on no known day, only somewhere in its month.
"""

from __future__ import annotations

import calendar as _calendar
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .dates import render_schedule
from .model import Activity, Certainty, HalfDay, Precision, Schedule, Status
from .months import Period, days_in, month_bounds, months_between
from .places import fold
from .report import NO_PROJECT

NO_COUNTRY = "(no country)"


def taking_place(activities: Iterable[Activity]) -> list[Activity]:
    """The activities that occupy days: a cancelled one takes no day in any view."""
    return [a for a in activities if a.status is not Status.CANCELLED]


def clip_period(period: Period, activities: Iterable[Activity]) -> Period | None:
    """An open-ended ``--from``/``--to`` period cut to the days the activities span;
    None when nothing falls in it (a chart of 3,000 empty years helps nobody)."""
    chosen = [a for a in activities if a.schedule.overlaps(*period)]
    if not chosen:
        return None
    first = period[0] if period[0] != date.min else min(a.start for a in chosen)
    last = period[1] if period[1] != date.max else max(a.end for a in chosen)
    return first, last


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
        weeks = tuple(
            tuple(d if d.month == first.month else None for d in week)
            for week in grid.monthdatescalendar(first.year, first.month)
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


def day_cells(activity: Activity, days: Sequence[date]) -> list[Cell]:
    """What the activity is doing on each of ``days``."""
    schedule = activity.schedule
    if schedule.precision is Precision.MONTH:
        first, last = month_bounds(schedule.month)
        return [Cell.UNKNOWN if first <= d <= last else Cell.NONE for d in days]
    marks: dict[date, Cell] = {}
    full = Cell.TENTATIVE if schedule.certainty is Certainty.TENTATIVE else Cell.CONFIRMED
    if schedule.deadline:
        full = Cell.DEADLINE
    for seg in schedule.segments:
        for n in range((seg.end - seg.start).days + 1):
            marks[seg.start + timedelta(days=n)] = full
        if full is Cell.CONFIRMED:
            # A half day is only drawn when it is one: "16 (PM) – 20 (AM) March".
            if seg.start_half is HalfDay.PM:
                marks[seg.start] = Cell.PM
            elif seg.start_half is HalfDay.AM and seg.start == seg.end:
                marks[seg.start] = Cell.AM
            if seg.end_half is HalfDay.AM:
                marks[seg.end] = Cell.AM
    for before, after in zip(schedule.segments, schedule.segments[1:], strict=False):
        for n in range(1, (after.start - before.end).days):
            marks[before.end + timedelta(days=n)] = Cell.GAP
    return [marks.get(d, Cell.NONE) for d in days]


def columns(period: Period, per_column: int) -> list[tuple[date, ...]]:
    """The period's days cut into columns of ``per_column`` consecutive days."""
    days = days_in(period)
    return [tuple(days[i : i + per_column]) for i in range(0, len(days), per_column)]


def row_cells(activity: Activity, period: Period, per_column: int = 1) -> list[Cell]:
    """One cell per column; a column of several days shows the strongest of them, and a
    half day counts as a whole one when the column is wider than a day."""
    cols = columns(period, per_column)
    out = []
    for col in cols:
        cells = day_cells(activity, col)
        best = max(cells, key=_STRENGTH.__getitem__)
        if per_column > 1 and best in (Cell.AM, Cell.PM):
            best = Cell.CONFIRMED
        out.append(best)
    return out


@dataclass(frozen=True)
class TimelineGroup:
    name: str
    activities: tuple[Activity, ...]


@dataclass
class Timeline:
    period: Period
    label: str
    by: str
    """``project`` or ``country``: what the rows are grouped by."""
    groups: list[TimelineGroup]
    activities: list[Activity]
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
                        "dates": render_schedule(schedule),
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


def group_names(activity: Activity, by: str, only: Collection[str] = ()) -> tuple[str, ...]:
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
    activities: Sequence[Activity],
    period: Period,
    label: str,
    by: str = "project",
    only: Collection[str] = (),
) -> Timeline:
    """Rows grouped by project (or country); an activity with several is under each, once."""
    if by not in ("project", "country"):
        raise ValueError(f"group by 'project' or 'country', not {by!r}")
    ordered = sorted(activities, key=Activity.sort_key)
    members: dict[str, list[Activity]] = {}
    for activity in ordered:
        for name in dict.fromkeys(group_names(activity, by, only)):
            members.setdefault(name, []).append(activity)
    # The "(no project)"/"(no country)" group goes last: it is what needs fixing.
    names = sorted(members, key=lambda n: (n.startswith("("), n.casefold()))
    groups = [TimelineGroup(n, tuple(members[n])) for n in names]
    return Timeline(period, label, by, groups, ordered)


# --- clashes and duplicates --------------------------------------------------------------------


class PairKind(StrEnum):
    DUPLICATE = "likely duplicate"
    CLASH = "same place, same time"
    PARALLEL = "parallel load"


KIND_ORDER = {PairKind.DUPLICATE: 0, PairKind.CLASH: 1, PairKind.PARALLEL: 2}

# Points each piece of evidence adds to a pair's score (at most 100 in all).
SAME_DAYS = 40
OVERLAP_BASE, OVERLAP_SHARE = 10, 20
"""Overlapping days: the base plus this much times the share of days in common."""
SAME_DUE_DAY = 10
MAYBE_OVERLAP = 5
SAME_CITY = 20
SAME_COUNTRY = 15
NAMED_PLACE = 25
SHARED_PROJECT = 15
WORDING = 30
"""Times the wording similarity (0-1), counted only for pairs whose places are linked."""
USUAL_VENUE_SHARE = 0.08
"""A city or country hosting more than this share of all activities is a usual venue: two
events there at once are routine (Strasbourg, the Council of Europe's seat), worth half."""

PROGRAMME_WIDE = 3
"""An activity of this many projects or more is one of the programme's own events."""
MIN_WORDING = 0.05
"""Below this the two titles share only a stray word: not worth a reason."""

DUPLICATE_MIN_DAY_SHARE = 0.5
DUPLICATE_MIN_WORDING = 0.5

# Function words in the newsletter's languages (titles are in English, some in French or
# Spanish); they say nothing about what an activity is.
_ENGLISH = "a an and as at by for from in into of on or the to with within its their this that"
_ENGLISH_MORE = "these those be is are was will all other others under new"
_FRENCH = "de des du la le les l d et en sur pour par au aux un une dans contre avec"
_SPANISH = "el los las y del al sobre para con"
STOP_WORDS = frozenset(" ".join((_ENGLISH, _ENGLISH_MORE, _FRENCH, _SPANISH)).split())
_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    # Enough for "trains"/"training", "prosecutors"/"prosecutor"; not a real stemmer.
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def title_words(text: str) -> frozenset[str]:
    """The content words of a title, folded and stemmed."""
    return frozenset(
        _stem(w) for w in _WORD.findall(fold(text)) if w not in STOP_WORDS and not w.isdigit()
    )


@dataclass(frozen=True)
class Reason:
    points: int
    text: str

    def __str__(self) -> str:
        return f"{self.text} (+{self.points})" if self.points else self.text


@dataclass(frozen=True)
class Pair:
    first: Activity
    second: Activity
    kind: PairKind
    score: int
    reasons: tuple[Reason, ...]
    shared_days: tuple[date, ...] = ()
    possible: bool = False
    """True when one side has no known day: they only possibly overlap."""

    def to_json(self) -> dict[str, Any]:
        def side(a: Activity) -> dict[str, Any]:
            place = a.place
            return {
                "id": a.id,
                "projects": list(a.projects),
                "title": a.title,
                "dates": render_schedule(a.schedule),
                "place": place.text if place else None,
                "countries": [c.code for c in place.countries] if place else [],
            }

        return {
            "kind": self.kind.value,
            "score": self.score,
            "reasons": [{"points": r.points, "text": r.text} for r in self.reasons],
            "shared_days": [d.isoformat() for d in self.shared_days],
            "possible": self.possible,
            "activities": [side(self.first), side(self.second)],
        }


@dataclass(frozen=True)
class _Features:
    """What the pair rules read of one activity, worked out once however many pairs it is in."""

    halves: dict[date, frozenset[HalfDay]]
    words: frozenset[str]
    city: str
    """Folded; empty when unknown."""
    codes: frozenset[str]
    names: tuple[tuple[str, str], ...]
    """Its country and city names, as written and folded."""
    text: str
    """Title and location, folded: where another activity's place may be named."""
    title: str
    """Title, folded."""

    @classmethod
    def of(cls, a: Activity) -> _Features:
        place = a.place
        names = tuple(c.name for c in place.countries) if place else ()
        if place and place.city:
            names += (place.city,)
        return cls(
            halves=_halves(a.schedule),
            words=title_words(a.title),
            city=fold(place.city) if place and place.city else "",
            codes=frozenset(a.country_codes),
            names=tuple((n, fold(n)) for n in names),
            text=fold(a.title + " " + (place.text if place else "")),
            title=fold(a.title),
        )


@dataclass
class _Corpus:
    """What is common across the store: frequent words and usual venues weigh less."""

    size: int
    idf: dict[str, float]
    cities: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    cache: dict[str, _Features] = field(default_factory=dict)

    @classmethod
    def of(cls, activities: Sequence[Activity]) -> _Corpus:
        df: Counter[str] = Counter()
        cities: Counter[str] = Counter()
        countries: Counter[str] = Counter()
        for a in activities:
            df.update(title_words(a.title))
            if a.place and a.place.city:
                cities[fold(a.place.city)] += 1
            countries.update(set(a.country_codes))
        n = max(len(activities), 1)
        idf = {w: math.log((n + 1) / (c + 1)) + 1 for w, c in df.items()}
        return cls(n, idf, cities, countries)

    def weight(self, word: str) -> float:
        return self.idf.get(word, math.log(self.size + 1) + 1)

    def usual(self, count: int) -> bool:
        return count > USUAL_VENUE_SHARE * self.size

    def features(self, a: Activity) -> _Features:
        found = self.cache.get(a.id)
        if found is None:
            found = self.cache[a.id] = _Features.of(a)
        return found


def wording_similarity(
    a: frozenset[str], b: frozenset[str], weight: Callable[[str], float]
) -> float:
    """Overlap of two word sets, each word weighted by its rarity (weighted Jaccard)."""
    union = a | b
    if not union:
        return 0.0
    return sum(weight(w) for w in a & b) / sum(weight(w) for w in union)


def _named_in(names: Iterable[tuple[str, str]], folded: str) -> list[str]:
    """The names (given as written and folded) that ``folded`` text contains as words."""
    return [
        name for name, key in names if key in folded and re.search(rf"\b{re.escape(key)}\b", folded)
    ]


def _short(day: date) -> str:
    return f"{day.day} {_calendar.month_abbr[day.month]}"


def _day_text(days: Sequence[date]) -> str:
    first, last = days[0], days[-1]
    if first == last:
        return _short(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{_short(last)}"
    return f"{_short(first)}-{_short(last)}"


def _halves(schedule: Schedule) -> dict[date, frozenset[HalfDay]]:
    """The half days each known day is taken: "16 (PM) – 20 (AM) March" leaves the
    morning of the 16th free for a "16 (AM)" meeting, so the two do not overlap."""
    both = frozenset(HalfDay)
    out: dict[date, frozenset[HalfDay]] = {}
    for seg in schedule.segments:
        for n in range((seg.end - seg.start).days + 1):
            out[seg.start + timedelta(days=n)] = both
        if seg.start == seg.end:
            if seg.start_half is not None:
                out[seg.start] = frozenset({seg.start_half})
            continue
        if seg.start_half is HalfDay.PM:
            out[seg.start] = frozenset({HalfDay.PM})
        if seg.end_half is HalfDay.AM:
            out[seg.end] = frozenset({HalfDay.AM})
    return out


def _programme_wide(a: Activity) -> bool:
    return len(a.projects) >= PROGRAMME_WIDE


def _time_reason(
    a: Activity, b: Activity, fa: _Features, fb: _Features
) -> tuple[Reason, tuple[date, ...], float] | None:
    """How the two overlap in time: the reason, the days in common, and their share of
    the days either runs; None when they do not overlap at all."""
    sa, sb = a.schedule, b.schedule
    if sa.precision is Precision.MONTH or sb.precision is Precision.MONTH:
        if not (sa.start <= sb.end and sb.start <= sa.end):
            return None
        return Reason(MAYBE_OVERLAP, "may overlap: no days known yet"), (), 0.0
    ha, hb = fa.halves, fb.halves
    shared = tuple(sorted(d for d in ha if ha[d] & hb.get(d, frozenset())))
    if not shared:
        return None
    span = len(ha.keys() | hb.keys())
    share = len(shared) / span
    if sa.deadline or sb.deadline:
        # A due date says nothing about the days the work is done on.
        return Reason(SAME_DUE_DAY, f"due the same day ({_day_text(shared)})"), shared, share
    if share == 1:
        return Reason(SAME_DAYS, f"same dates ({_day_text(shared)})"), shared, share
    points = OVERLAP_BASE + round(OVERLAP_SHARE * share)
    text = f"{len(shared)} of {span} days in common ({_day_text(shared)})"
    return Reason(points, text), shared, share


def _place_reason(
    a: Activity, b: Activity, fa: _Features, fb: _Features, corpus: _Corpus
) -> Reason | None:
    """What links the two places, if anything: the same city, the same country, or a
    place of one named in the other's title or location."""
    if fa.city and fa.city == fb.city:
        points = SAME_CITY
        text = f"same city ({a.place.city if a.place else fa.city})"
        if corpus.usual(corpus.cities[fa.city]):
            points //= 2
            text += f", a usual venue: {corpus.cities[fa.city]} of {corpus.size} activities"
        return Reason(points, text)
    countries = fa.codes & fb.codes
    if countries:
        names = [c.name for c in (a.place.countries if a.place else ()) if c.code in countries]
        points = SAME_COUNTRY
        text = f"same country ({', '.join(names)})"
        if fa.city and fb.city:
            points = SAME_COUNTRY // 3
            text += f", different cities ({a.place.city if a.place else ''}, "
            text += f"{b.place.city if b.place else ''})"
        elif all(corpus.usual(corpus.countries[c]) for c in countries):
            points //= 2
            text += ", a usual venue"
        return Reason(points, text)
    for name, there, other, folded in (
        *((n, a, b, fb) for n in _named_in(fa.names, fb.text)),
        *((n, b, a, fa) for n in _named_in(fb.names, fa.text)),
    ):
        field_ = "title" if _named_in([(name, fold(name))], folded.title) else "location"
        return Reason(NAMED_PLACE, f"{name} (where {there.id} is) is named in the {field_} of "
                      f"{other.id}")  # fmt: skip
    return None


def assess_pair(a: Activity, b: Activity, corpus: _Corpus) -> Pair | None:
    """The evidence that two activities clash or are one listed twice; None if unrelated."""
    fa, fb = corpus.features(a), corpus.features(b)
    timing = _time_reason(a, b, fa, fb)
    if timing is None:
        return None
    time_reason, shared, share = timing
    possible = not shared
    due = a.schedule.deadline or b.schedule.deadline
    projects = [p for p in a.projects if p in b.projects]
    placeless = not fa.names and not fb.names
    # Cheap checks first: most pairs of a busy period share neither a place nor a project.
    if not projects and not (fa.codes & fb.codes or fa.names or fb.names):
        return None
    place = _place_reason(a, b, fa, fb, corpus)
    linked = place is not None
    if not linked and not projects:
        return None
    if not linked and not placeless and (possible or due):
        return None

    reasons = [time_reason] + ([place] if place else [])
    if projects:
        points, text = SHARED_PROJECT, f"shared project ({', '.join(projects)})"
        if _programme_wide(a) or _programme_wide(b):
            # Everyone attends the programme's own conferences: being there too is expected.
            points //= 2
            text += "; one is a programme-wide event"
        reasons.append(Reason(points, text))

    similarity = wording_similarity(fa.words, fb.words, corpus.weight)
    similar = similarity >= DUPLICATE_MIN_WORDING
    common = sorted(fa.words & fb.words, key=lambda w: (-corpus.weight(w), w))
    if similarity >= MIN_WORDING and common:
        text = f"similar wording ({similarity:.2f}: {', '.join(common[:4])})"
        if linked or placeless:
            reasons.append(Reason(round(WORDING * similarity), text))
        elif similar:
            # The same title in two places is a series (a workshop in each capital).
            reasons.append(Reason(0, text + " but different places: a series"))

    same_time = possible or share >= DUPLICATE_MIN_DAY_SHARE
    # One activity listed twice: at the same time, in a place both point to, with the same
    # team or the same words (with no place at all, the words and the team must agree).
    if linked:
        duplicate = similar or (bool(projects) and not possible)
    else:
        duplicate = placeless and similar and bool(projects)
    if same_time and duplicate:
        kind = PairKind.DUPLICATE
    elif linked:
        kind = PairKind.CLASH
    elif projects and not possible and not due:
        # Known days only: a "dates TBD" activity can still be fitted around the others.
        kind = PairKind.PARALLEL
    else:
        return None
    score = min(100, sum(r.points for r in reasons))
    return Pair(a, b, kind, score, tuple(reasons), shared, possible)


def find_pairs(
    activities: Sequence[Activity],
    *,
    corpus: Sequence[Activity] | None = None,
    min_score: int = 0,
    focus: Callable[[Activity], bool] | None = None,
) -> list[Pair]:
    """Pairs of ``activities`` that overlap in time and share a place or a project.

    ``corpus`` (default: ``activities``) is what "common" is measured against: pass the
    whole store so a pair scores the same whatever the period asked for. ``focus`` keeps
    the pairs with at least one side it accepts (a project's clashes with any other).
    Likely duplicates come first, then clashes, then parallel load; by score within each.
    """
    stats = _Corpus.of(corpus if corpus is not None else activities)
    ordered = sorted(activities, key=lambda a: (a.start, a.end, a.id))
    pairs: list[Pair] = []
    open_: list[Activity] = []
    # Sweep by first day: only activities whose windows still run can overlap the next.
    for activity in ordered:
        open_ = [o for o in open_ if o.end >= activity.start]
        for other in open_:
            if focus is not None and not (focus(other) or focus(activity)):
                continue
            pair = assess_pair(other, activity, stats)
            if pair is not None and pair.score >= min_score:
                pairs.append(pair)
        open_.append(activity)
    pairs.sort(key=lambda p: (KIND_ORDER[p.kind], -p.score, p.first.sort_key(), p.second.id))
    return pairs
