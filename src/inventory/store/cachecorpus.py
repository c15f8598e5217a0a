"""The counts ``clashes`` weighs evidence with (``titlewords.CorpusCounts``: the activities,
and how many have each title word, folded city and country), kept in the CSV store's cache
as its rows are inserted and removed (a build, a refresh after a hand edit, a tool write),
so a query reads a few thousand rows instead of every title of the store.

The ``corpus`` table (``cacheschema.CACHE_SCHEMA``) holds one row a key: kind ``all`` (key
``''``: how many activities), ``word``, ``city`` or ``country``; a key counted down to none
is deleted. Its counts equal ``titlewords.corpus_counts`` of the store's models
(tests/test_kept_corpus_counts.py). The word rules are part of the cache's format: a change
to them bumps ``CACHE_FORMAT`` (tests/test_cache_format.py pins them).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections import Counter
from collections.abc import Sequence

from ..titlewords import CorpusCounts, title_words


@functools.lru_cache(maxsize=1 << 14)
def _words(title: str) -> frozenset[str]:
    """The words of a title kept as JSON (``activity_row.title``)."""
    return title_words(json.loads(title))


class CorpusTally:
    """Activities counted in (or out) by their title as JSON and their place's folded city
    and country codes: a store repeats both, so each distinct one is split into its keys
    once, when the counts are written."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.size = 0
        self.titles: Counter[str] = Counter()
        self.places: Counter[tuple[str, tuple[str, ...]]] = Counter()

    def count(self, title: str, city: str, codes: tuple[str, ...], sign: int = 1) -> None:
        self.size += sign
        self.titles[title] += sign
        self.places[(city, codes)] += sign

    def deltas(self) -> Counter[tuple[str, str]]:
        out: Counter[tuple[str, str]] = Counter()
        if self.size:
            out[("all", "")] += self.size
        for title, n in self.titles.items():
            for word in _words(title):
                out[("word", word)] += n
        for (city, codes), n in self.places.items():
            if city:
                out[("city", city)] += n
            for code in codes:
                out[("country", code)] += n
        return out

    def write(self, connection: sqlite3.Connection, *, fresh: bool = False) -> None:
        """Add the counts to the table (``fresh``: they are all there is), and forget them."""
        deltas = {k: n for k, n in self.deltas().items() if n}
        self._reset()
        if fresh:
            connection.execute("DELETE FROM corpus")
            connection.executemany(
                "INSERT INTO corpus VALUES (?, ?, ?)", [(*k, n) for k, n in deltas.items()]
            )
            return
        if not deltas:
            return
        connection.executemany(
            "INSERT INTO corpus VALUES (?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET n = n + excluded.n",
            [(*k, n) for k, n in deltas.items()],
        )
        connection.execute("DELETE FROM corpus WHERE n <= 0")


def count_all(connection: sqlite3.Connection) -> None:
    """Count every activity of a cache built afresh (whichever way its rows came in: a big
    store's are copied from the workers' shards), each distinct title and place once."""
    tally = CorpusTally()
    for title, n in connection.execute("SELECT title, count(*) FROM activity_row GROUP BY 1"):
        tally.titles[title] += n
    places = connection.execute(
        "SELECT p.city, p.codes, g.n FROM (SELECT place, count(*) AS n FROM activity_row "
        "GROUP BY 1) g JOIN place p ON p.id = g.place"
    )
    for city, codes, n in places:
        tally.places[(city, tuple(json.loads(codes)))] += n
        tally.size += n
    tally.write(connection, fresh=True)


def count_out(connection: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Count out the activities of these ids, before their rows are removed."""
    tally = CorpusTally()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = connection.execute(
            "SELECT r.title, p.city, p.codes FROM activity_row r JOIN place p ON p.id = r.place "
            f"WHERE r.id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        for title, city, codes in rows:
            tally.count(title, city, tuple(json.loads(codes)), -1)
    tally.write(connection)


def read(connection: sqlite3.Connection) -> CorpusCounts:
    kinds: dict[str, dict[str, int]] = {"all": {}, "word": {}, "city": {}, "country": {}}
    for kind, key, n in connection.execute("SELECT kind, key, n FROM corpus"):
        kinds[kind][key] = n
    return CorpusCounts(kinds["all"].get("", 0), kinds["word"], kinds["city"], kinds["country"])
