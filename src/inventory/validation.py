"""Checking a whole store: rows that cannot be read (errors), and what a person should look
at (warnings): a missing or unknown project, dates outside a project's duration, derived
columns that disagree with the dates, and likely duplicates.

Likely duplicates are what ``clashes`` calls them (the one scorer of ``clashes.py``, asked
only for that kind, which keeps the search to activities a place links), so the two
commands never disagree.

A store of a million activities is checked in bounded memory: each activity is checked
and let go (its warnings given at once), keeping only its features for the duplicate
search, in a temporary file; the search then reads them back by first day and holds only
those of the activities running on the day it has reached (``duplicate_search.DuplicateSearch``).
"""

from __future__ import annotations

import functools
import gc
import itertools
import json
import marshal
import os
import sqlite3
import sys
import tempfile
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .changes import Change, Damage
from .clashes import DEFAULT_MIN_SCORE
from .collector import paused_collector
from .duplicate_search import DuplicateSearch
from .errors import InventoryError, Problem
from .model import Activity, Schedule
from .projects import Project, Registry
from .records import derived_cells, sort_string
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
    records: Iterable[tuple[str, str]] | None = None,
    workers: int | None = None,
    proven: bool = False,
) -> Iterator[Problem]:
    """:func:`validate`'s problems one at a time, in its order, from ``count`` activities
    read one at a time (soonest first, as a store selects them), each let go once checked.
    ``as_written`` may also be a lookup, asked for the rows of a batch of ids at a time.

    ``records`` (a store's ``scan_records``: ids and records) stands for ``activities``
    when given: a big store's are then checked in ``workers`` processes (by default one a
    core from :data:`BIG` activities), which build the models, each a batch at a time;
    ``proven`` records (:func:`proven_by_cache`) are built without validating them again."""
    lookup = _lookup(as_written)
    tally = tally if tally is not None else Tally()
    total = 2 * count
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if count >= BIG else 1
    search: DuplicateSearch[Tag] = DuplicateSearch(DEFAULT_MIN_SCORE)
    parts = 2 if workers > 1 and _fork_context() is not None else 1
    # Searched in two parts, a file of its own, so the process that searches half of the
    # days reads it too; else SQLite's nameless temporary one, kept in memory while it
    # fits: a small store checked with no room on the disk writes nothing.
    folder = tempfile.TemporaryDirectory(prefix="inventory-validate-") if parts > 1 else None
    spill = sqlite3.connect(os.path.join(folder.name, "spill.sqlite3") if folder else "")
    try:
        spill.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to roll back
        spill.execute("PRAGMA synchronous = OFF")
        spill.execute(
            'CREATE TABLE feature (start INTEGER, "end" INTEGER, idx INTEGER, line INTEGER, '
            "sort TEXT, data BLOB)"
        )
        if records is None:
            checked = _in_process(activities, lookup, registry, source, search, _Remembered())
        else:
            checked = _checked_records(
                records, lookup, registry, source, search, workers, proven, folder
            )
        # The first batch checked before a word is said: a check with no room for its
        # scratch data says only that.
        primed = next(checked, None)
        yield from unreadable
        for problems, rows in itertools.chain([primed] if primed is not None else [], checked):
            if progress is not None:
                progress(tally.activities, total)
            yield from problems
            first = tally.activities
            spill.executemany(
                "INSERT INTO feature VALUES (?, ?, ?, ?, ?, ?)",
                [(s, e, first + n, line, o, d) for n, (s, e, line, o, d) in enumerate(rows)],
            )
            tally.activities += len(rows)
        yield from _duplicates(
            search, spill, folder.name if folder else "", tally.activities, source, progress, parts
        )
    except sqlite3.Error as error:
        raise _no_scratch(error) from None
    finally:
        spill.close()
        if folder is not None:
            folder.cleanup()


Checked = tuple[list[Problem], list[tuple[int, int, int | None, str, bytes]]]
"""A batch checked: its warnings, and each activity's first and last day, line, place in
the store's order and packed features (what the duplicate search reads back)."""

BIG = 20_000
"""Activities from which checking in worker processes pays for starting them."""


def _check_batch(
    chunk: Sequence[Activity],
    written: Written,
    registry: Registry,
    find: Callable[[str], Project | None],
    source: str,
    search: DuplicateSearch[Any],
    remembered: _Remembered,
) -> Checked:
    problems: list[Problem] = []
    rows = []
    remembered.tidy()
    for activity in chunk:
        known = written.get(activity.id)
        line = known[0] if known is not None else None
        problems += _warnings(activity, registry, find, known, source, remembered)
        start, packed = search.add(activity)
        rows.append((start, packed[3], line, sort_string(activity), marshal.dumps(packed)))
    return problems, rows


def _in_process(
    activities: Iterable[Activity],
    lookup: Lookup,
    registry: Registry,
    source: str,
    search: DuplicateSearch[Any],
    remembered: _Remembered,
) -> Iterator[Checked]:
    # A store names a handful of projects a million times: each is looked up once.
    find = functools.cache(registry.find)
    stream = iter(activities)
    while chunk := list(islice(stream, BATCH)):
        written = lookup([a.id for a in chunk])
        yield _check_batch(chunk, written, registry, find, source, search, remembered)


def _built(
    records: Iterable[tuple[str, str]], proven: bool, remembered: _Remembered
) -> Iterator[Activity]:
    from .records import proven_record, trusted_record

    if not proven:
        for _, record in records:
            yield trusted_record(json.loads(record))
        return
    for _, record in records:
        yield proven_record(json.loads(record), remembered.models)


class _Remembered:
    """What checking works out again and again for a big store's activities, which share
    their schedules and places: one model of each (``records.proven_record``'s ``shared``),
    and of each schedule its derived cells and why it falls outside each project. Let go
    of when it grows past :data:`REMEMBERED` (a check's memory stays bounded)."""

    def __init__(self) -> None:
        self.models: dict[Any, Any] = {}
        self._schedules: dict[int, tuple[Schedule, dict[Any, Any]]] = {}

    def about(self, schedule: Schedule) -> dict[Any, Any]:
        """What is known of ``schedule`` (held here, so its id is no other's meanwhile)."""
        found = self._schedules.get(id(schedule))
        if found is None:
            if len(self._schedules) >= REMEMBERED:
                self._schedules.clear()
            found = self._schedules[id(schedule)] = (schedule, {})
        return found[1]

    def tidy(self) -> None:
        if len(self.models) >= REMEMBERED:
            self.models.clear()


REMEMBERED = 4096
_UNKNOWN = object()
_DERIVED = object()
"""What :meth:`_Remembered.about` keeps a schedule's derived cells under,"""
_AS_WRITTEN = object()
"""and those cells in the order of :data:`vocab.DERIVED`."""


def proven_by_cache(store: object) -> bool:
    """Whether ``store``'s records (``scan_records``) are already proven to be what the
    model makes of them: a CSV store's come from its cache, whose build validated each row
    the file holds (hand-edited or not, the rows it could not read are its ``problems``),
    so checking them again would find nothing and cost most of the check."""
    return isinstance(store, HandEdited)


def _checked_records(
    records: Iterable[tuple[str, str]],
    lookup: Lookup,
    registry: Registry,
    source: str,
    search: DuplicateSearch[Any],
    workers: int,
    proven: bool,
    folder: tempfile.TemporaryDirectory[str] | None,
) -> Iterator[Checked]:
    context = _fork_context() if workers > 1 else None
    if context is None:
        remembered = _Remembered()
        activities = _built(records, proven, remembered)
        yield from _in_process(activities, lookup, registry, source, search, remembered)
        return
    # A hand-edited store's rows as written are looked up by the workers themselves, in a
    # file another process reads from the store while the first read of the records sorts
    # them here: neither waits for the other.
    by_hand = lookup if isinstance(lookup, _ByHand) and folder is not None else None
    path = os.path.join(folder.name, "written.sqlite3") if folder is not None else ""
    opener = by_hand.store.written_from if by_hand is not None else None
    builder = _written_into(by_hand.store, path) if by_hand is not None else None
    stream = iter(records)
    pending: deque[Any] = deque()
    with context.Pool(workers, _worker_start, (registry, source, proven, opener, path)) as pool:
        try:
            while chunk := list(islice(stream, BATCH)):
                if builder is not None:
                    builder.join()
                    if builder.exitcode != 0:
                        by_hand = None  # looked up here, then, which says what is wrong
                    builder = None
                written = None if by_hand is not None else lookup([i for i, _ in chunk])
                pending.append(pool.apply_async(_worker_check, ([r for _, r in chunk], written)))
                while len(pending) > 2 * workers:
                    yield _absorbed(pending.popleft().get(), search)
            while pending:
                yield _absorbed(pending.popleft().get(), search)
        finally:
            pool.terminate()
            if builder is not None:
                builder.terminate()
                builder.join()


def _written_into(store: HandEdited, path: str) -> Any:
    """A forked process that writes ``store``'s rows as written into the file ``path``."""
    sys.stdout.flush()  # nothing written before the fork is written twice
    sys.stderr.flush()
    process = _fork_context().Process(target=_write_written, args=(store, path))
    process.start()
    return process


def _write_written(store: HandEdited, path: str) -> None:
    code = 1
    try:
        store.write_written(path)
        code = 0
    except BaseException:
        pass  # the parent reads them itself then, and says why it cannot
    finally:
        os._exit(code)  # none of the parent's clean-up is this process's


def _fork_context() -> Any:
    import multiprocessing  # only for a big store

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")  # started at once, the registry inherited


def _absorbed(done: tuple[Checked, DuplicateSearch[Any]], search: DuplicateSearch[Any]) -> Checked:
    checked, part = done
    search.absorb(part)
    return checked


_WORKER: dict[str, Any] = {}


def _worker_start(
    registry: Registry,
    source: str,
    proven: bool,
    opener: Callable[[str], Lookup] | None,
    path: str,
) -> None:
    # What the fork inherited lives as long as the worker: the collector need not go
    # through it again and again as each batch's models come and go.
    gc.freeze()
    _WORKER.update(
        registry=registry,
        source=source,
        find=functools.cache(registry.find),
        proven=proven,
        remembered=_Remembered(),
        written=lambda: opener(path) if opener is not None else _lookup(None),
    )


def _worker_check(
    records: list[str], written: Written | None
) -> tuple[Checked, DuplicateSearch[Any]]:
    """One batch checked in a worker: its warnings and features, and what it counted of
    the store's words and places (the duplicate search's, merged in order). ``written``
    None: the worker looks the rows up itself."""
    registry, source, find = _WORKER["registry"], _WORKER["source"], _WORKER["find"]
    part: DuplicateSearch[Any] = DuplicateSearch(DEFAULT_MIN_SCORE)
    remembered = _WORKER["remembered"]
    chunk = list(_built((("", r) for r in records), _WORKER["proven"], remembered))
    if written is None:
        if "lookup" not in _WORKER:  # opened at the first batch: the file is whole by then
            _WORKER["lookup"] = _WORKER["written"]()
        written = _WORKER["lookup"]([a.id for a in chunk])
    return _check_batch(chunk, written, registry, find, source, part, remembered), part


def written_by_hand(store: object) -> Lookup | None:
    """Where a store edited by hand (``store.HandEdited``: the CSV store) has each row, so
    problems are reported at their line; None for the stores no person edits. Read from
    the store when first asked (:func:`check` may have its workers read it instead)."""
    return _ByHand(store) if isinstance(store, HandEdited) else None


class _ByHand:
    """:func:`written_by_hand`'s lookup."""

    def __init__(self, store: HandEdited) -> None:
        self.store = store
        self._lookup: Lookup | None = None

    def __call__(self, ids: Sequence[str]) -> Written:
        if self._lookup is None:
            try:
                self._lookup = self.store.written_lookup()
            except sqlite3.Error as error:
                raise _no_scratch(error) from None
        return self._lookup(ids)


def _no_scratch(error: sqlite3.Error) -> InventoryError:
    # Only scratch data is written by a check, in the temporary folder: never the store.
    return InventoryError(
        f"cannot keep the check's scratch data in {tempfile.gettempdir()}: {error}",
        hint="free some room there, or name another folder with TMPDIR",
    )


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
    find: Callable[[str], Project | None],
    written: tuple[int, dict[str, str]] | None,
    source: str,
    remembered: _Remembered,
) -> list[Problem]:
    """The warnings about one activity, with the line of its row when known; ``find`` is
    ``registry.find``, remembered."""
    line = written[0] if written is not None else None
    schedule = activity.schedule
    about = remembered.about(schedule)
    out: list[Problem] = []

    def warn(message: str, field: str | None = None) -> None:
        out.append(Problem(f"{activity.id}: {message}", line, field, "warning", source))

    if not activity.projects:
        warn("no project", "projects")
    projects = [find(name) for name in activity.projects]
    for name, project in zip(activity.projects, projects, strict=True):
        if project is None:
            known = ", ".join(p.name for p in registry.projects)
            warn(f"unknown project {name!r}; known: {known}", "projects")
    # As ``projects.outside_duration`` gives them, the lookups above reused.
    for project in projects:
        if project is None:
            continue
        reason = about.get(project.name, _UNKNOWN)
        if reason is _UNKNOWN:
            reason = about[project.name] = project.outside(schedule)
        if reason is not None:
            warn(reason, "dates")
    if written is not None:
        cells = written[1]
        expected = about.get(_DERIVED)
        if expected is None:
            # The derived cells only (``to_row``'s): rendering the whole row is not needed.
            expected = about[_DERIVED] = derived_cells(schedule)
            about[_AS_WRITTEN] = tuple(expected[column] for column in DERIVED)
        if tuple(cells.get(column) for column in DERIVED) == about[_AS_WRITTEN]:
            return out  # each written as the dates give it (most rows): nothing to say
        for column in DERIVED:
            found = (cells.get(column) or "").strip()
            if column in cells and found and found != expected[column]:
                warn(
                    f"{column} is {found!r} but dates {schedule.text!r} give "
                    f"{expected[column]!r}; the dates column wins and the next write "
                    "corrects it",
                    column,
                )
    return out


Tag = tuple[int | None, str]
"""What the duplicate search keeps of an activity besides its features: its line (if
known) and its place in the order of the store (``records.sort_string``)."""


def _duplicates(
    search: DuplicateSearch[Tag],
    spill: sqlite3.Connection,
    folder: str,
    count: int,
    source: str,
    progress: Callable[[int, int], None] | None,
    parts: int,
) -> Iterator[Problem]:
    """The likely duplicates among the activities spilled, in the order of the first of
    each pair, then of the second (soonest first): the second is warned about. With two
    ``parts``, the days before the middle activity's first day are searched in a forked
    process while this one searches the rest, each writing what it finds to a file of its
    own (the feature file is only read meanwhile); the order of the answer is the sort's."""
    search.counted()  # before a fork: both parts read the same counts
    spill.commit()
    middle = _middle_day(spill, count) if parts > 1 else None
    spilled = os.path.join(folder, "spill.sqlite3")
    if middle is None:
        child = None
        rows = spill.execute("SELECT line, sort, data FROM feature ORDER BY start, idx")
        held: Iterable[Any] = ()
    else:
        child = _search_forked(search, spilled, middle, os.path.join(folder, "before.sqlite3"))
        rows = spill.execute(
            "SELECT line, sort, data FROM feature WHERE start >= ? ORDER BY start, idx", (middle,)
        )
        held = spill.execute(
            'SELECT line, sort, data FROM feature WHERE start < ? AND "end" >= ? '
            "ORDER BY start, idx",
            (middle, middle),
        ).fetchall()
    # The second half of the bar: the duplicate search (this process's part of it).
    share = count - (0 if middle is None else _before(spill, middle))
    found = _found_file(os.path.join(folder, "found.sqlite3") if folder else "")
    try:
        with paused_collector():
            _write_found(
                found, _found(search, _packed(rows, progress, count, share), _packed(held))
            )
        both = "found"
        if child is not None:
            child.join()
            if child.exitcode != 0:
                raise RuntimeError("the duplicate search's second process failed")
            found.execute("ATTACH ? AS before", (os.path.join(folder, "before.sqlite3"),))
            both = "(SELECT * FROM found UNION ALL SELECT * FROM before.found)"
        if progress is not None and count:
            progress(2 * count, 2 * count)
        rows = found.execute(f"SELECT line, text FROM {both} ORDER BY first, second")
        for line, text in rows:
            yield Problem(text, line, "title", "warning", source)
    finally:
        if child is not None and child.is_alive():
            child.terminate()
            child.join()
        found.close()


def _found_file(path: str) -> sqlite3.Connection:
    found = sqlite3.connect(path)
    found.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to roll back
    found.execute("PRAGMA synchronous = OFF")
    found.execute("CREATE TABLE found (first TEXT, second TEXT, line INTEGER, text TEXT)")
    return found


def _write_found(found: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    stream = iter(rows)
    while chunk := list(islice(stream, BATCH)):
        found.executemany("INSERT INTO found VALUES (?, ?, ?, ?)", chunk)
    found.commit()


def _packed(
    rows: Iterable[tuple[int | None, str, bytes]],
    progress: Callable[[int, int], None] | None = None,
    count: int = 0,
    share: int = 0,
) -> Iterator[tuple[Tag, Any]]:
    for done, (line, order, data) in enumerate(rows):
        if progress is not None and done % BATCH == 0:
            progress(count + done * count // max(share, 1), 2 * count)
        yield (line, order), marshal.loads(data)


def _found(
    search: DuplicateSearch[Tag],
    packed: Iterable[tuple[Tag, Any]],
    held: Iterable[tuple[Tag, Any]] = (),
) -> Iterator[tuple[str, str, int | None, str]]:
    """The rows of the ``found`` table: the sort keys of a pair, the line and the text of
    the warning about its second."""
    for pair in search.search(packed, held):
        (first_line, first), (line, second) = pair.first, pair.second
        where = f" (line {first_line})" if first_line else ""
        reasons = "; ".join(r.text for r in pair.reasons)
        text = f"likely duplicate of {pair.first_id}{where}, score {pair.score}: {reasons}"
        yield first, second, line, f"{pair.second_id}: {text}"


def _middle_day(spill: sqlite3.Connection, count: int) -> int | None:
    """The first day of the activity halfway through the store by first day, if some
    start before it (else there is nothing to split)."""
    row = spill.execute(
        "SELECT start FROM feature ORDER BY start LIMIT 1 OFFSET ?", (count // 2,)
    ).fetchone()
    if row is None or not _before(spill, row[0]):
        return None
    return int(row[0])


def _before(spill: sqlite3.Connection, day: int) -> int:
    return int(spill.execute("SELECT count(*) FROM feature WHERE start < ?", (day,)).fetchone()[0])


def _search_forked(search: DuplicateSearch[Tag], spilled: str, middle: int, into: str) -> Any:
    """The search of the days before ``middle``, in a forked process (which holds the
    counts already made), writing what it finds to the file ``into``: the process."""
    context = _fork_context()
    sys.stdout.flush()  # nothing written before the fork is written twice
    sys.stderr.flush()
    child = context.Process(target=_search_part, args=(search, spilled, middle, into))
    child.start()
    return child


def _search_part(search: DuplicateSearch[Tag], spilled: str, middle: int, into: str) -> None:
    code = 1
    gc.disable()  # as collector.py says; this process ends with the search
    try:
        rows = sqlite3.connect(spilled).execute(
            "SELECT line, sort, data FROM feature WHERE start < ? ORDER BY start, idx", (middle,)
        )
        _write_found(_found_file(into), _found(search, _packed(rows)))
        code = 0
    except BaseException:
        traceback.print_exc()  # the parent says only that this process failed
    finally:
        # Out at once: none of the parent's clean-up (its buffers, its files) is the child's.
        os._exit(code)


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
