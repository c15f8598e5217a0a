"""Pairs of activities that overlap in time, scored: one activity listed twice (a likely
duplicate), two in the same place at the same time (a clash), or one project busy in
several places at once (parallel load). ``clashes`` shows them all; ``validate`` warns
about the likely duplicates; both ask :func:`find_pairs`, so they never disagree.

Candidates are found through an index, not by comparing every pair: activities are
bucketed by what can link them (a project, a country, a city, a place named in a title),
and only activities of the same bucket whose days overlap are scored. Cost grows with the
pairs that overlap inside a bucket, not with the square of the store.
"""

from __future__ import annotations

import calendar as _calendar
import gc
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .dates import render_schedule
from .model import Activity
from .pairfeatures import Features as _Features
from .places import fold
from .titlewords import WORD, CorpusCounts

if TYPE_CHECKING:
    from .store import Store


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


@dataclass(frozen=True)
class Reason:
    points: int
    text: str

    def __str__(self) -> str:
        return f"{self.text} (+{self.points})" if self.points else self.text


def side_json(a: Activity) -> dict[str, Any]:
    """One activity of a pair, as ``clashes --json`` shows it."""
    place = a.place
    return {
        "id": a.id,
        "projects": list(a.projects),
        "title": a.title,
        "dates": render_schedule(a.schedule),
        "place": place.text if place else None,
        "countries": [c.code for c in place.countries] if place else [],
    }


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

    def to_json(self, side: Callable[[Activity], Any] | None = None) -> dict[str, Any]:
        """``side``: what stands for each activity (default :func:`side_json`); a writer
        that meets an activity in many pairs makes its part once."""
        side = side or side_json
        return {
            "kind": self.kind.value,
            "score": self.score,
            "reasons": [{"points": r.points, "text": r.text} for r in self.reasons],
            "shared_days": [d.isoformat() for d in self.shared_days],
            "possible": self.possible,
            "activities": [side(self.first), side(self.second)],
        }


@dataclass
class _Corpus:
    """What is common across the store: frequent words and usual venues weigh less. Made
    at once (:meth:`of`) or one activity at a time (:meth:`add`, then :meth:`done`)."""

    size: int = 0
    idf: dict[str, float] = field(default_factory=dict)
    cities: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    cache: dict[str, _Features] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, activities: Sequence[Activity]) -> _Corpus:
        corpus = cls()
        for a in activities:
            corpus.cache[a.id] = corpus.add(a)
        return corpus.done()

    def add(self, a: Activity) -> _Features:
        """Count one activity in; its features."""
        features = _Features.of(a)
        self.size += 1
        self.df.update(features.words)
        if features.city:
            self.cities[features.city] += 1
        self.countries.update(features.codes)
        return features

    @classmethod
    def counted(cls, counts: CorpusCounts) -> _Corpus:
        """What :meth:`of` makes of a store, from its counts (``Store.corpus_counts``)."""
        corpus = cls(
            size=counts.size, cities=Counter(counts.cities), countries=Counter(counts.countries)
        )
        corpus.df = Counter(counts.words)
        return corpus.done()

    def done(self) -> _Corpus:
        n = max(self.size, 1)
        self.idf = {w: math.log((n + 1) / (c + 1)) + 1 for w, c in self.df.items()}
        self.size = n
        self.df = Counter()
        return self

    def weight(self, word: str) -> float:
        return w if (w := self.idf.get(word)) is not None else math.log(self.size + 1) + 1

    def similarity(self, a: frozenset[str], b: frozenset[str]) -> float:
        """:func:`wording_similarity` with this corpus's weights: the same sums in the same
        order, each weight looked up in C (every pair assessed asks)."""
        union = a | b
        if not union:
            return 0.0
        get, unknown = self.idf.get, itertools.repeat(math.log(self.size + 1) + 1)
        return sum(map(get, a & b, unknown)) / sum(map(get, union, unknown))

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


_MONTHS = tuple(_calendar.month_abbr)
"""Read once: ``month_abbr`` formats a date for each name asked."""


def _short(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month]}"


def _day_text(days: Sequence[date]) -> str:
    first, last = days[0], days[-1]
    if first == last:
        return _short(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{_short(last)}"
    return f"{_short(first)}-{_short(last)}"


def _programme_wide(f: _Features) -> bool:
    return len(f.projects) >= PROGRAMME_WIDE


def _time_reason(fa: _Features, fb: _Features) -> tuple[Reason, tuple[date, ...], float] | None:
    """How the two overlap in time: the reason, the days in common, and their share of
    the days either runs; None when they do not overlap at all."""
    if fa.month or fb.month:
        if not (fa.start <= fb.end and fb.start <= fa.end):
            return None
        return Reason(MAYBE_OVERLAP, "may overlap: no days known yet"), (), 0.0
    ha, hb = fa.halves, fb.halves
    # The days both run, intersected in C; then those whose halves meet.
    shared = tuple(sorted(d for d in ha.keys() & hb.keys() if ha[d] & hb[d]))
    if not shared:
        return None
    span = len(ha.keys() | hb.keys())
    share = len(shared) / span
    if fa.deadline or fb.deadline:
        # A due date says nothing about the days the work is done on.
        return Reason(SAME_DUE_DAY, f"due the same day ({_day_text(shared)})"), shared, share
    if share == 1:
        return Reason(SAME_DAYS, f"same dates ({_day_text(shared)})"), shared, share
    points = OVERLAP_BASE + round(OVERLAP_SHARE * share)
    text = f"{len(shared)} of {span} days in common ({_day_text(shared)})"
    return Reason(points, text), shared, share


def _place_reason(fa: _Features, fb: _Features, corpus: _Corpus) -> Reason | None:
    """What links the two places, if anything: the same city, the same country, or a
    place of one named in the other's title or location."""
    if fa.city and fa.city == fb.city:
        points = SAME_CITY
        text = f"same city ({fa.place_city or fa.city})"
        if corpus.usual(corpus.cities[fa.city]):
            points //= 2
            text += f", a usual venue: {corpus.cities[fa.city]} of {corpus.size} activities"
        return Reason(points, text)
    countries = fa.codes & fb.codes
    if countries:
        names = [name for code, name in fa.countries if code in countries]
        points = SAME_COUNTRY
        text = f"same country ({', '.join(names)})"
        if fa.city and fb.city:
            points = SAME_COUNTRY // 3
            text += f", different cities ({fa.place_city}, {fb.place_city})"
        elif all(corpus.usual(corpus.countries[c]) for c in countries):
            points //= 2
            text += ", a usual venue"
        return Reason(points, text)
    for name, there, other, folded in (
        *((n, fa, fb, fb) for n in _named_in(fa.names, fb.text)),
        *((n, fb, fa, fa) for n in _named_in(fb.names, fa.text)),
    ):
        field_ = "title" if _named_in([(name, fold(name))], folded.title) else "location"
        return Reason(NAMED_PLACE, f"{name} (where {there.ident} is) is named in the {field_} of "
                      f"{other.ident}")  # fmt: skip
    return None


def assess_pair(a: Activity, b: Activity, corpus: _Corpus) -> Pair | None:
    """The evidence that two activities clash or are one listed twice; None if unrelated."""
    verdict = _assess(corpus.features(a), corpus.features(b), corpus)
    return None if verdict is None else Pair(a, b, *verdict)


Verdict = tuple[PairKind, int, tuple[Reason, ...], tuple[date, ...], bool]
"""What :func:`assess_pair` finds of a pair: its kind, score, reasons, shared days, and
whether they only possibly overlap."""


def _assess(fa: _Features, fb: _Features, corpus: _Corpus) -> Verdict | None:
    """:func:`assess_pair` from the two activities' features alone."""
    timing = _time_reason(fa, fb)
    if timing is None:
        return None
    time_reason, shared, share = timing
    possible = not shared
    due = fa.deadline or fb.deadline
    projects = [p for p in fa.projects if p in fb.projects]
    placeless = not fa.names and not fb.names
    # Cheap checks first: most pairs of a busy period share neither a place nor a project.
    if not projects and not (fa.codes & fb.codes or fa.names or fb.names):
        return None
    place = _place_reason(fa, fb, corpus)
    linked = place is not None
    if not linked and not projects:
        return None
    if not linked and not placeless and (possible or due):
        return None

    reasons = [time_reason] + ([place] if place else [])
    if projects:
        points, text = SHARED_PROJECT, f"shared project ({', '.join(projects)})"
        if _programme_wide(fa) or _programme_wide(fb):
            # Everyone attends the programme's own conferences: being there too is expected.
            points //= 2
            text += "; one is a programme-wide event"
        reasons.append(Reason(points, text))

    similarity = corpus.similarity(fa.words, fb.words)
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
    return kind, score, tuple(reasons), shared, possible


DEFAULT_MIN_SCORE = 40
"""What ``clashes`` shows and ``validate`` warns about unless asked otherwise."""


def _own_keys(f: _Features, by_project: bool) -> list[tuple[str, str]]:
    """The groups an activity is in by its own place (its countries, its city, its names)
    and, with ``by_project`` or no place at all, by its projects."""
    keys = [("country", code) for code in f.codes]
    if f.city:
        keys.append(("city", f.city))
    keys += [("named", key) for _, key in f.names]
    if by_project or not f.names:
        keys += [("project" if by_project else "placeless", p) for p in f.projects]
    return keys


def _first_words(names: Iterable[tuple[str, str]], into: dict[str, set[str]]) -> None:
    """Index place names (as written and folded) by their first word, for :func:`_named_keys`."""
    for _, key in names:
        words = WORD.findall(key)
        if words:
            into[words[0]].add(key)


def _named_keys(f: _Features, first_words: dict[str, set[str]]) -> list[tuple[str, str]]:
    """The groups of the places (of any activity: ``first_words``) that an activity's title
    or location names, looked up word by word, not name by name."""
    own = {key for _, key in f.names}
    found = []
    for word in set(WORD.findall(f.text)):
        for key in first_words.get(word, ()):
            if key not in own and _named_in([(key, key)], f.text):
                found.append(("named", key))
    return found


def _buckets(
    activities: Sequence[Activity], corpus: _Corpus, by_project: bool
) -> tuple[list[list[int]], list[list[int]]]:
    """Groups of activities (as indexes) that a place could link (a country, a city, a place
    named in a title or location, no place at all within a project), then, with
    ``by_project``, those of a shared project. Two in no common group of either kind can
    score neither a place nor a project; in none of the first, no place links them."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    first_words: dict[str, set[str]] = defaultdict(set)
    for index, activity in enumerate(activities):
        features = corpus.features(activity)
        for key in _own_keys(features, by_project):
            groups[key].append(index)
        _first_words(features.names, first_words)
    for index, activity in enumerate(activities):
        for key in _named_keys(corpus.features(activity), first_words):
            groups[key].append(index)
    found: tuple[list[list[int]], list[list[int]]] = ([], [])
    for key, members in groups.items():
        if len(members) > 1:
            found[key[0] == "project"].append(sorted(set(members)))
    return found


def _overlapping(
    members: list[int], windows: Sequence[tuple[int, int]]
) -> Iterable[tuple[int, int]]:
    """Pairs of ``members`` whose windows (first and last day, as ordinals) overlap: a
    sweep by first day."""
    running: list[int] = []
    for index in sorted(members, key=lambda i: (windows[i][0], i)):
        start = windows[index][0]
        running = [r for r in running if windows[r][1] >= start]
        for other in running:
            yield (other, index) if other < index else (index, other)
        running.append(index)


def _parallel_most(fa: _Features, fb: _Features) -> int:
    """The most a pair sharing a project and no place, one side with a place, can score: its
    days in common (at most the shorter's and the windows' overlap) and the project."""
    if fa.month or fa.deadline or fb.month or fb.deadline:
        return 0  # no known day, or only a due date: not parallel load, nor anything else
    # min and max written out: this is asked of every pair of a project's activities.
    la, lb = len(fa.halves), len(fb.halves)
    longer, shorter = (la, lb) if la > lb else (lb, la)
    overlap = (fa.end if fa.end < fb.end else fb.end) - (
        fa.start if fa.start > fb.start else fb.start
    )
    shared = overlap + 1 if overlap + 1 < shorter else shorter
    if shared == longer:
        return SAME_DAYS + SHARED_PROJECT
    return OVERLAP_BASE + round(OVERLAP_SHARE * shared / longer) + SHARED_PROJECT


def _maybe_duplicate(fa: _Features, fb: _Features, corpus: _Corpus) -> bool:
    """A cheap test every likely duplicate passes: at the same time (half the days, or
    no day known), and similar words or a shared project."""
    if not fa.month and not fb.month:  # first a bound: the overlap, the shorter's days
        la, lb = len(fa.halves), len(fb.halves)
        most = min(min(fa.end, fb.end) - max(fa.start, fb.start) + 1, la, lb)
        if most < DUPLICATE_MIN_DAY_SHARE * max(la, lb):
            return False
        ha, hb = fa.halves, fb.halves
        shared = sum(1 for d in ha.keys() & hb.keys() if ha[d] & hb[d])
        if shared < DUPLICATE_MIN_DAY_SHARE * len(fa.halves.keys() | fb.halves.keys()):
            return False
    if set(fa.projects) & set(fb.projects):
        return True
    return corpus.similarity(fa.words, fb.words) >= DUPLICATE_MIN_WORDING


def store_corpus(store: Store) -> _Corpus:
    """What "common" is measured against in ``store`` (its word, city and country counts),
    as the store keeps or counts them (``Store.corpus_counts``), not from its models."""
    return _Corpus.counted(store.corpus_counts())


def find_pairs(
    activities: Sequence[Activity],
    *,
    corpus: Sequence[Activity] | _Corpus | None = None,
    min_score: int = 0,
    focus: Callable[[Activity], bool] | None = None,
    kinds: Collection[PairKind] = tuple(PairKind),
    progress: Callable[[int, int], None] | None = None,
) -> list[Pair]:
    """Pairs of ``activities`` that overlap in time and share a place or a project.

    ``corpus`` (default: ``activities``) is what "common" is measured against: pass the
    whole store (or its :func:`store_corpus`) so a pair scores the same whatever the
    period asked for. ``focus`` keeps the pairs with at least one side it accepts (a
    project's clashes with any other);
    ``kinds`` the kinds wanted (``validate`` asks only for likely duplicates, which lets
    the search skip pairs linked by nothing but a project). Likely duplicates come first,
    then clashes, then parallel load; by score within each.
    """
    # The search makes objects by the ten thousand (features, keys, reasons), and each of
    # the collector's older passes would walk every object the run already holds (the
    # models, the modules): set aside meanwhile, they cost nothing (a third of the search's
    # CPU at 100k), and are collected as before once it is done.
    gc.freeze()
    try:
        return _find_pairs(activities, corpus, min_score, focus, kinds, progress)
    finally:
        gc.unfreeze()


def _find_pairs(
    activities: Sequence[Activity],
    corpus: Sequence[Activity] | _Corpus | None,
    min_score: int,
    focus: Callable[[Activity], bool] | None,
    kinds: Collection[PairKind],
    progress: Callable[[int, int], None] | None,
) -> list[Pair]:
    if isinstance(corpus, _Corpus):
        stats = corpus
    else:
        stats = _Corpus.of(corpus if corpus is not None else activities)
    only_duplicates = set(kinds) == {PairKind.DUPLICATE}
    seen: set[tuple[int, int]] = set()
    pairs: list[Pair] = []
    windows = [(a.start.toordinal(), a.end.toordinal()) for a in activities]
    places, projects = _buckets(activities, stats, by_project=not only_duplicates)
    total = len(places) + len(projects)
    features = [stats.features(a) for a in activities]
    placed_undated = [bool(f.names) and (f.month or f.deadline) for f in features]

    def scored(key: tuple[int, int]) -> None:
        first, second = key
        if (windows[first], activities[first].id) > (windows[second], activities[second].id):
            first, second = second, first
        a, b = activities[first], activities[second]
        if focus is not None and not (focus(a) or focus(b)):
            return
        fa, fb = features[first], features[second]  # assess_pair's, by index
        if only_duplicates and not _maybe_duplicate(fa, fb, stats):
            return
        verdict = _assess(fa, fb, stats)
        # A pair is made only of a verdict kept: most scored fall below min_score.
        if verdict is not None and verdict[0] in kinds and verdict[1] >= min_score:
            pairs.append(Pair(a, b, *verdict))

    for done, members in enumerate(places, start=1):
        if progress is not None:
            progress(done, total)
        for key in _overlapping(members, windows):
            if key not in seen:
                seen.add(key)
                scored(key)
    # The pairs left share a project and no place: only parallel load, scored by the time
    # and the project alone unless neither has a place. One with a place and no known day
    # (or only a due date) is in none; a pair whose days cannot reach min_score is skipped.
    for done, members in enumerate(projects, start=len(places) + 1):
        if progress is not None:
            progress(done, total)
        kept = [i for i in members if not placed_undated[i]]
        for key in _overlapping(kept, windows):
            if key in seen:
                continue
            seen.add(key)
            fa, fb = features[key[0]], features[key[1]]
            if (fa.names or fb.names) and _parallel_most(fa, fb) < min_score:
                continue
            scored(key)
    pairs.sort(key=lambda p: (KIND_ORDER[p.kind], -p.score, p.first.sort_key(), p.second.id))
    return pairs
