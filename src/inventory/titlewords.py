"""The content words of a title, as ``clashes`` weighs them (a word many titles have says
little), and what a store counts of them: how many activities there are, how many have each
word in their title, and how many are in each city and country (:class:`CorpusCounts`).

The CSV store's cache keeps these counts as rows are read and written
(``store/cachecorpus.py``), so ``clashes`` reads them instead of every title; the rules
here are part of that cache's format (tests/test_cache_format.py pins :func:`rules` to
``CACHE_FORMAT``), and of what the SQLite store's kept counts are labelled with.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .folding import fold

if TYPE_CHECKING:
    from .model import Activity

# Function words in the newsletter's languages (titles are in English, some in French or
# Spanish); they say nothing about what an activity is.
_ENGLISH = "a an and as at by for from in into of on or the to with within its their this that"
_ENGLISH_MORE = "these those be is are was will all other others under new"
_FRENCH = "de des du la le les l d et en sur pour par au aux un une dans contre avec"
_SPANISH = "el los las y del al sobre para con"
STOP_WORDS = frozenset(" ".join((_ENGLISH, _ENGLISH_MORE, _FRENCH, _SPANISH)).split())
WORD = re.compile(r"[a-z0-9]+")
STEMMING = 1
"""Bump with any change to :func:`_stem` (:func:`rules` names it): kept counts are made anew."""


def _stem(word: str) -> str:
    # Enough for "trains"/"training", "prosecutors"/"prosecutor"; not a real stemmer.
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=1 << 15)
def title_words(text: str) -> frozenset[str]:
    """The content words of a title, folded and stemmed."""
    return frozenset(
        _stem(w) for w in WORD.findall(fold(text)) if w not in STOP_WORDS and not w.isdigit()
    )


def rules() -> str:
    """Names the rules above, for what keeps counts made with them (the CSV cache)."""
    words = " ".join(sorted(STOP_WORDS))
    return f"{STEMMING} {WORD.pattern} {hashlib.sha256(words.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class CorpusCounts:
    """What is common across a store: its activities, and how many of them have each title
    word (:func:`title_words`), each folded city (``query.city_key``) and each country."""

    size: int
    words: Mapping[str, int]
    cities: Mapping[str, int]
    countries: Mapping[str, int]


def corpus_counts(activities: Iterable[Activity]) -> CorpusCounts:
    """A store's :class:`CorpusCounts` from its models, in one pass (the reference the kept
    counts are tested against)."""
    size = 0
    words: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    for a in activities:
        size += 1
        words.update(title_words(a.title))
        city = fold(a.place.city or "") if a.place else ""
        if city:
            cities[city] += 1
        countries.update(frozenset(a.country_codes))
    return CorpusCounts(size, dict(words), dict(cities), dict(countries))
