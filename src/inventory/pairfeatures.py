"""What the pair rules of ``clashes`` read of one activity (:class:`Features`), worked out
once however many pairs it is in."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .model import Activity, HalfDay, Precision, Schedule
from .places import fold
from .titlewords import title_words

# Remembered: a store repeats its titles and places (a series, a usual venue), and
# ``validate`` works out the features of every activity of a million.
cached_fold = functools.lru_cache(maxsize=1 << 15)(fold)


@dataclass(frozen=True)
class Features:
    """What the pair rules read of one activity, worked out once however many pairs it is in:
    all of it, so a pair is scored from its two features alone (``validate`` keeps these,
    not the models, of a store too big to hold)."""

    ident: str
    projects: tuple[str, ...]
    start: int
    end: int
    """The window's first and last day, as ordinals."""
    month: bool
    """Month precision: no day known yet."""
    deadline: bool
    halves: dict[date, frozenset[HalfDay]]
    words: frozenset[str]
    city: str
    """Folded; empty when unknown."""
    place_city: str
    """As written; empty when unknown."""
    countries: tuple[tuple[str, str], ...]
    """Its countries' codes and names."""
    codes: frozenset[str]
    names: tuple[tuple[str, str], ...]
    """Its country and city names, as written and folded."""
    text: str
    """Title and location, folded: where another activity's place may be named."""
    title: str
    """Title, folded."""

    @classmethod
    def of(cls, a: Activity) -> Features:
        place = a.place
        names = tuple(c.name for c in place.countries) if place else ()
        if place and place.city:
            names += (place.city,)
        schedule = a.schedule
        return cls(
            ident=a.id,
            projects=tuple(a.projects),
            start=schedule.start.toordinal(),
            end=schedule.end.toordinal(),
            month=schedule.precision is Precision.MONTH,
            deadline=bool(schedule.deadline),
            halves=halves(schedule),
            words=title_words(a.title),
            city=cached_fold(place.city) if place and place.city else "",
            place_city=place.city or "" if place else "",
            countries=tuple((c.code, c.name) for c in place.countries) if place else (),
            codes=frozenset(a.country_codes),
            names=tuple((n, cached_fold(n)) for n in names),
            text=cached_fold(a.title + " " + (place.text if place else "")),
            title=cached_fold(a.title),
        )

    def pack(self) -> tuple[Any, ...]:
        """Plain values (for ``marshal``) that :meth:`unpack` makes the same features of."""
        halves = tuple((d.toordinal(), "".join(sorted(h))) for d, h in self.halves.items())
        return (
            self.ident, self.projects, self.start, self.end, self.month, self.deadline, halves,
            tuple(self.words), self.city, self.place_city, self.countries, tuple(self.codes),
            self.names, self.text, self.title,
        )  # fmt: skip

    @classmethod
    def unpack(cls, values: tuple[Any, ...]) -> Features:
        (ident, projects, start, end, month, deadline, halves, words, city, place_city,
         countries, codes, names, text, title) = values  # fmt: skip
        return cls(
            ident=ident,
            projects=tuple(projects),
            start=start,
            end=end,
            month=month,
            deadline=deadline,
            halves={date.fromordinal(d): HALF_SETS[h] for d, h in halves},
            words=frozenset(words),
            city=city,
            place_city=place_city,
            countries=tuple(tuple(c) for c in countries),
            codes=frozenset(codes),
            names=tuple(tuple(n) for n in names),
            text=text,
            title=title,
        )


HALF_SETS = {"".join(sorted(s)): frozenset(s) for s in ({HalfDay.AM}, {HalfDay.PM}, set(HalfDay))}


_WHOLE_DAY = frozenset(HalfDay)


def halves(schedule: Schedule) -> dict[date, frozenset[HalfDay]]:
    """The half days each known day is taken: "16 (PM) – 20 (AM) March" leaves the
    morning of the 16th free for a "16 (AM)" meeting, so the two do not overlap."""
    both = _WHOLE_DAY
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
