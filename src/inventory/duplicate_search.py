"""``validate``'s search for likely duplicates in a store too big to hold: the pairs
``clashes.find_pairs(kinds=(PairKind.DUPLICATE,))`` finds, scored by the same functions of
``clashes``, found by a sweep through the activities by first day that holds only those
still running (:class:`DuplicateSearch`)."""

from __future__ import annotations

import functools
import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, NamedTuple, TypeVar

from .clashes import (
    DEFAULT_MIN_SCORE,
    DUPLICATE_MIN_WORDING,
    PairKind,
    Reason,
    _assess,
    _Corpus,
    _first_words,
    _maybe_duplicate,
    _named_keys,
    _own_keys,
)
from .model import Activity
from .pairfeatures import Features as _Features

T = TypeVar("T")


class Duplicate(NamedTuple, Generic[T]):
    """A likely duplicate :class:`DuplicateSearch` found: the tags its two activities were
    given (the first is the one that starts first), their ids, and the score and reasons
    ``find_pairs`` gives the pair."""

    first: T
    second: T
    first_id: str
    second_id: str
    score: int
    reasons: tuple[Reason, ...]


class DuplicateSearch(Generic[T]):
    """``find_pairs(kinds=(PairKind.DUPLICATE,))`` for a store too big to hold: it is shown
    each activity once (:meth:`add`, which gives its features as plain values to keep
    elsewhere, e.g. on disk), then those values again by first day (:meth:`search`), and
    holds meanwhile only the word counts and place names of the whole store, and the
    features of the activities still running on the day it has reached.

    Only candidates are compared: a likely duplicate shares a place group *and* a project
    or enough of its wording, so the activities running are grouped by a place group
    crossed with a project or a word of the title's prefix (:func:`_prefix`); two that
    share no such group cannot be one listed twice. :attr:`compared` counts the pairs
    scored."""

    def __init__(self, min_score: int = DEFAULT_MIN_SCORE) -> None:
        self.min_score = min_score
        self.corpus = _Corpus()
        self.first_words: dict[str, set[str]] = defaultdict(set)
        self.compared = 0
        self._done = False

    def add(self, activity: Activity) -> tuple[int, tuple[Any, ...]]:
        """Count one activity in; its first day (as an ordinal) and its features, packed."""
        features = self.corpus.add(activity)
        _first_words(features.names, self.first_words)
        return features.start, features.pack()

    def absorb(self, part: DuplicateSearch[Any]) -> None:
        """Count in what another search was shown (a worker's batch of the same store)."""
        mine, theirs = self.corpus, part.corpus
        mine.size += theirs.size
        mine.df.update(theirs.df)
        mine.cities.update(theirs.cities)
        mine.countries.update(theirs.countries)
        for word, keys in part.first_words.items():
            self.first_words[word] |= keys

    def counted(self) -> _Corpus:
        """The store's counts once all are counted in: made once, for a forked search too."""
        if not self._done:
            self.corpus.done()
            self._done = True
        return self.corpus

    def search(
        self,
        packed: Iterable[tuple[T, tuple[Any, ...]]],
        running_before: Iterable[tuple[T, tuple[Any, ...]]] = (),
    ) -> Iterator[Duplicate[T]]:
        """The likely duplicates among the activities given again, each with a tag, as
        :meth:`add` packed them, by first day (ties in any order). ``running_before`` (so
        too): those started before the first of ``packed`` and running on its day, compared
        with ``packed`` only (their own pairs are another part's of a split search)."""
        corpus = self.counted()
        # Each group holds exactly the activities running that are in it (one is taken out
        # of its groups when it ends), so an activity's candidates are the members of its
        # groups, no more: the search costs the candidate pairs, not the pairs running.
        groups: dict[tuple[tuple[str, str], tuple[str, str]], dict[T, None]] = {}
        active: dict[T, tuple[_Features, list[tuple[tuple[str, str], tuple[str, str]]]]] = {}
        ends: list[tuple[int, int, T]] = []
        prefixes: _Memo[frozenset[str], list[tuple[str, str]]] = _Memo(
            functools.partial(_prefix, corpus=corpus)
        )
        given = itertools.chain(((True, *p) for p in running_before), ((False, *p) for p in packed))
        for count, (held, tag, values) in enumerate(given):
            f = _Features.unpack(values)
            while ends and ends[0][0] < f.start:
                gone = heapq.heappop(ends)[2]
                for key in active.pop(gone)[1]:
                    left = groups[key]
                    del left[gone]
                    if not left:
                        del groups[key]
            keys = self._groups(f, prefixes)
            candidates: dict[T, None] = {}
            for key in keys:
                members = groups.get(key)
                if members is None:
                    groups[key] = {tag: None}
                    continue
                if not held:
                    candidates.update(members)
                members[tag] = None
            if candidates:
                order = ((f.start, f.end), f.ident)
                for other in candidates:
                    a, b = active[other][0], f
                    ta, tb = other, tag
                    if ((a.start, a.end), a.ident) > order:
                        a, b, ta, tb = b, a, tb, ta
                    self.compared += 1
                    if not _maybe_duplicate(a, b, corpus):
                        continue
                    verdict = _assess(a, b, corpus)
                    if verdict is None or verdict[0] is not PairKind.DUPLICATE:
                        continue
                    if verdict[1] >= self.min_score:
                        yield Duplicate(ta, tb, a.ident, b.ident, verdict[1], verdict[2])
            active[tag] = (f, keys)
            heapq.heappush(ends, (f.end, count, tag))

    def _groups(
        self, f: _Features, prefixes: _Memo[frozenset[str], list[tuple[str, str]]]
    ) -> list[tuple[tuple[str, str], tuple[str, str]]]:
        """The groups an activity is in: each place group it is in (by its own place or
        one its words name) crossed with each of its projects and its title's prefix."""
        prefix = prefixes.get(f.words)
        # With no day known ("dates TBD"), a pair is one listed twice only if its wording is
        # similar (a shared team is not enough when the days may differ: ``_assess``), so
        # such an activity is linked by its words alone.
        projects = () if f.month else dict.fromkeys(f.projects)
        links = [("project", p) for p in projects] + prefix
        # A city's group is left out: its name is among the names, and the "named"
        # group of that name holds the same activities.
        places = (*_own_keys(f, False), *_named_keys(f, self.first_words))
        return [
            (place, link) for place in dict.fromkeys(p for p in places if p[0] != "city")
            for link in links
        ]  # fmt: skip


K = TypeVar("K")
V = TypeVar("V")


class _Memo(Generic[K, V]):
    """A function's values remembered (a big store repeats its titles' words), let go of
    when they grow past :data:`_MEMO_SIZE`, so the search's memory stays bounded."""

    def __init__(self, make: Callable[[K], V]) -> None:
        self.make = make
        self.known: dict[K, V] = {}

    def get(self, key: K) -> V:
        found = self.known.get(key)
        if found is None:
            if len(self.known) >= _MEMO_SIZE:
                self.known.clear()
            found = self.known[key] = self.make(key)
        return found


_MEMO_SIZE = 50_000


_PREFIX_MARGIN = 1e-9
"""Kept below the threshold so a float rounded the other way never drops a pair."""


def _prefix(words: frozenset[str], corpus: _Corpus) -> list[tuple[str, str]]:
    """The rarest words of a title, enough that two titles with none in common in their
    prefixes cannot reach :data:`DUPLICATE_MIN_WORDING` (prefix filtering): in one order
    of all words (rarest first), the words after a title's prefix weigh less than that
    share of the title, so a pair similar enough shares a word before either's prefix
    ends (its first word in common, in that order, is inside both prefixes)."""
    weight = corpus.weight
    ranked = sorted((-weight(w), w) for w in words)
    rest = -sum(minus for minus, _ in ranked)
    bound = DUPLICATE_MIN_WORDING * rest * (1 - _PREFIX_MARGIN)
    out = []
    for minus, w in ranked:
        if rest < bound:
            break
        out.append(("word", w))
        rest += minus
    return out
