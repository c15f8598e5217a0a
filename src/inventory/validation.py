"""Checking a whole store: rows that cannot be read (errors), and what a person should look
at (warnings): a missing or unknown project, dates outside a project's duration, derived
columns that disagree with the dates, and likely duplicates.

Likely duplicates are what ``clashes`` calls them (the one scorer of ``clashes.py``, asked
only for that kind, which keeps the search to activities a place links), so the two
commands never disagree.

A store of a million activities is checked in bounded memory: each activity is checked
and let go (its warnings given at once), keeping only its features for the duplicate
search, in a temporary file; the search then reads them back by first day and holds only
those of the activities running on the day it has reached (``clashes.DuplicateSearch``).
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .changes import Change, Damage
from .clashes import DEFAULT_MIN_SCORE, DuplicateSearch
from .errors import Problem
from .model import Activity
from .projects import Registry, outside_duration
from .records import sort_string, to_row
from .store.base import HandEdited
from .vocab import DERIVED

Written = Mapping[str, tuple[int, dict[str, str]]]
"""A CSV store's rows as written: each id's line and cells."""
Lookup = Callable[[Sequence[str]], Written]
"""The rows as written of some ids, asked a batch at a time (a big store's rows are not
all held at once)."""

BATCH = 2000


@dataclass
class Tally:
    """How many activities a check has gone through (known once it has ended)."""

    activities: int = 0


def validate(
    activities: Sequence[Activity],
    registry: Registry,
    *,
    source: str,
    unreadable: Sequence[Problem] = (),
    as_written: Written | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Problem]:
    """Every problem of a store: ``unreadable`` rows first, then warnings, each with the
    line of its row where ``as_written`` (a CSV store's id -> line and cells) knows it.
    ``progress`` is told how far it got: the activities, then the duplicate search."""
    return list(
        check(
            activities,
            registry,
            source=source,
            count=len(activities),
            unreadable=unreadable,
            as_written=as_written,
            progress=progress,
        )
    )


def check(
    activities: Iterable[Activity],
    registry: Registry,
    *,
    source: str,
    count: int,
    unreadable: Sequence[Problem] = (),
    as_written: Written | Lookup | None = None,
    progress: Callable[[int, int], None] | None = None,
    tally: Tally | None = None,
) -> Iterator[Problem]:
    """:func:`validate`'s problems one at a time, in its order, from ``count`` activities
    read one at a time (soonest first, as a store selects them), each let go once checked.
    ``as_written`` may also be a lookup, asked for the rows of a batch of ids at a time."""
    lookup = _lookup(as_written)
    tally = tally if tally is not None else Tally()
    total = 2 * count
    yield from unreadable
    search: DuplicateSearch[Tag] = DuplicateSearch(DEFAULT_MIN_SCORE)
    spill = sqlite3.connect("")  # a temporary file, deleted when closed
    try:
        spill.execute(
            "CREATE TABLE feature (start INTEGER, idx INTEGER, line INTEGER, sort TEXT, data BLOB)"
        )
        spill.execute("CREATE TABLE found (first TEXT, second TEXT, line INTEGER, text TEXT)")
        stream = iter(activities)
        while chunk := list(islice(stream, BATCH)):
            if progress is not None:
                progress(tally.activities, total)
            written = lookup([a.id for a in chunk])
            rows = []
            for activity in chunk:
                known = written.get(activity.id)
                line = known[0] if known is not None else None
                yield from _warnings(activity, registry, known, source)
                start, packed = search.add(activity)
                order = sort_string(activity)
                rows.append((start, tally.activities, line, order, marshal.dumps(packed)))
                tally.activities += 1
            spill.executemany("INSERT INTO feature VALUES (?, ?, ?, ?, ?)", rows)
        yield from _duplicates(search, spill, tally.activities, source, progress)
    finally:
        spill.close()


def written_by_hand(store: object) -> Lookup | None:
    """Where a store edited by hand (``store.HandEdited``: the CSV store) has each row, so
    problems are reported at their line; None for the stores no person edits."""
    return store.written_lookup() if isinstance(store, HandEdited) else None


def _lookup(as_written: Written | Lookup | None) -> Lookup:
    if as_written is None:
        return lambda ids: {}
    if callable(as_written):
        return as_written
    rows = as_written
    return lambda ids: {i: rows[i] for i in ids if i in rows}


def _warnings(
    activity: Activity,
    registry: Registry,
    written: tuple[int, dict[str, str]] | None,
    source: str,
) -> Iterator[Problem]:
    """The warnings about one activity, with the line of its row when known."""
    line = written[0] if written is not None else None

    def warn(message: str, field: str | None = None) -> Problem:
        return Problem(f"{activity.id}: {message}", line, field, "warning", source)

    if not activity.projects:
        yield warn("no project", "projects")
    for name in activity.projects:
        if registry.find(name) is None:
            known = ", ".join(p.name for p in registry.projects)
            yield warn(f"unknown project {name!r}; known: {known}", "projects")
    for reason in outside_duration(activity, registry):
        yield warn(reason, "dates")
    if written is not None:
        cells = written[1]
        expected = to_row(activity)
        for column in DERIVED:
            found = (cells.get(column) or "").strip()
            if column in cells and found and found != expected[column]:
                yield warn(
                    f"{column} is {found!r} but dates {activity.schedule.text!r} give "
                    f"{expected[column]!r}; the dates column wins and the next write "
                    "corrects it",
                    column,
                )


Tag = tuple[int | None, str]
"""What the duplicate search keeps of an activity besides its features: its line (if
known) and its place in the order of the store (``records.sort_string``)."""


def _duplicates(
    search: DuplicateSearch[Tag],
    spill: sqlite3.Connection,
    count: int,
    source: str,
    progress: Callable[[int, int], None] | None,
) -> Iterator[Problem]:
    """The likely duplicates among the activities spilled, in the order of the first of
    each pair, then of the second (soonest first): the second is warned about."""

    def packed() -> Iterator[tuple[Tag, Any]]:
        rows = spill.execute("SELECT line, sort, data FROM feature ORDER BY start, idx")
        for done, (line, order, data) in enumerate(rows):
            if progress is not None and done % BATCH == 0:
                # The second half of the bar: the duplicate search.
                progress(count + done, 2 * count)
            yield (line, order), marshal.loads(data)

    found: list[tuple[str, str, int | None, str]] = []
    for pair in search.search(packed()):
        (first_line, first), (line, second) = pair.first, pair.second
        where = f" (line {first_line})" if first_line else ""
        reasons = "; ".join(r.text for r in pair.reasons)
        text = f"likely duplicate of {pair.first_id}{where}, score {pair.score}: {reasons}"
        found.append((first, second, line, f"{pair.second_id}: {text}"))
        if len(found) >= BATCH:
            spill.executemany("INSERT INTO found VALUES (?, ?, ?, ?)", found)
            found = []
    spill.executemany("INSERT INTO found VALUES (?, ?, ?, ?)", found)
    if progress is not None and count:
        progress(2 * count, 2 * count)
    rows = spill.execute("SELECT line, text FROM found ORDER BY first, second")
    for line, text in rows:
        yield Problem(text, line, "title", "warning", source)


def check_history(
    damage: Sequence[Damage],
    changes: Sequence[Change],
    lookup: Callable[[Sequence[str]], Mapping[str, object]],
    *,
    source: str,
) -> Iterator[Problem]:
    """A history's problems: each damaged line (an error, with its line), then each
    activity whose last change disagrees with the store (a warning: a CSV store may be
    edited by hand), among those the history names."""
    for found in damage:
        yield Problem(f"history: {found.what}", found.line, None, "error", found.source)
    last: dict[str, tuple[int, bool]] = {}
    for change in sorted(changes, key=lambda c: c.number):
        for edit in change.edits:
            last[edit.id] = (change.number, edit.after is not None)
    ids = sorted(last)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        held = lookup(chunk)
        for ident in chunk:
            number, kept = last[ident]
            if kept and ident not in held:
                what = f"change {number} left {ident} in the store, which does not hold it"
            elif not kept and ident in held:
                what = f"change {number} removed {ident}, which the store holds"
            else:
                continue
            yield Problem(f"history: {what} (changed by hand?)", None, None, "warning", source)
