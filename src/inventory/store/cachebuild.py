"""The parsing side of a cache build (``cache.Cache._rebuild``): rows of the CSV store read
and validated into what the cache keeps, in this process for a small store, in worker
processes for a big one, which write the rows of a build from scratch to throw-away
databases of their own that the main process copies in (``Parsers.merge``). Imported by
every query (cache.py), it imports the models only when rows are read."""

from __future__ import annotations

import gc
import os
import sqlite3
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, cast

from ..errors import ParseError, Problem
from . import cacheschema

if TYPE_CHECKING:
    from ..projects import Registry
    from .cacherows import RowReader


def parse_rows(
    rows: list[tuple[int, bytes, list[str]]], reader: RowReader, source: str
) -> list[tuple[int, bytes, cacheschema.Compact | Problem]]:
    """Read and validate rows of a CSV store into what the cache stores (in a worker process
    for a big build: it is most of the work)."""
    out: list[tuple[int, bytes, cacheschema.Compact | Problem]] = []
    prepare = reader.prepare
    for line, hash_, cells in rows:
        try:
            out.append((line, hash_, prepare(cells, hash_)))
        except ParseError as error:
            out.append((line, hash_, Problem(error.message, line, error.field, "error", source)))
    return out


_WORKER: dict[str, Any] = {}


def _worker_start(names: list[str], registry: Registry, source: str, shard: str | None) -> None:
    from .cacherows import RowReader

    gc.disable()  # a worker lives for one build: see collector.py
    _WORKER.update(reader=RowReader(names, registry), source=source, sent={})
    _WORKER["shard"] = shard  # opened by the first chunk: a pool restarts a worker whose
    # start fails, again and again, where a chunk's failure is reported


def _worker_parse(rows: list[tuple[int, bytes, list[str]]]) -> tuple[list[Any], list[Any]]:
    """Parse rows and send each schedule's template once: a row carries its number (in the
    order they were first sent), and the templates not sent before come with the rows."""
    out: list[Any] = parse_rows(rows, _WORKER["reader"], _WORKER["source"])
    sent: dict[int, int] = _WORKER["sent"]  # by id(): the reader keeps every template alive
    new: list[cacheschema.Template] = []
    for at, (line, hash_, item) in enumerate(out):
        if not isinstance(item, Problem):
            row, when = item[0], item[0][7]
            number = sent.get(id(when))
            if number is None:
                number = sent[id(when)] = len(sent)
                new.append(when)
            out[at] = (line, hash_, ((*row[:7], number, *row[8:]), item[1]))
    return new, out


class ShardFailed(Exception):
    """A worker could not write its shard (no room in the temporary folder, say): the build
    is done again the way that sends rows back."""


News = tuple[list[Problem], list[cacheschema.Template], list[cacheschema.Where], list[str], int]
"""What a worker that writes a shard tells of a chunk: its problems, the templates, places
and lists of projects it numbered for the first time (in the order of their numbers) and
the longest window so far, in days."""

_SHARD = """
CREATE TABLE row (
    line INTEGER NOT NULL, id TEXT, title TEXT, status INTEGER, month TEXT, start INTEGER,
    "end" INTEGER, parts INTEGER, template INTEGER, place INTEGER, projects INTEGER,
    hash BLOB, cf TEXT, fold TEXT, modality TEXT, extra TEXT
);
CREATE TABLE segment (line INTEGER NOT NULL, id TEXT, start INTEGER, "end" INTEGER)
"""
"""A shard: the rows one worker read, as ``activity_row`` keeps them but with their line,
and with the numbers of what they share as the worker gave them (see Parsers.merge)."""


class _Shard:
    """A worker's rows, written to its own throw-away database while the others parse: the
    main process then copies them all into the cache in one statement each, in SQLite,
    instead of receiving, numbering and inserting them a row at a time in Python."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF"):  # deleted after the build
            self.connection.execute(f"PRAGMA {pragma}")
        self.connection.execute("BEGIN")
        for statement in _SHARD.split(";"):
            self.connection.execute(statement)
        self.templates: dict[int, int] = {}  # by id(): the reader keeps every template alive
        self.places: dict[str, int] = {}
        self.lists: dict[str, int] = {}
        self.span = 0

    def store(self, rows: list[tuple[int, bytes, list[str]]]) -> News:
        problems: list[Problem] = []
        templates: list[cacheschema.Template] = []
        places: list[cacheschema.Where] = []
        lists: list[str] = []
        numbered, where_at, list_at = self.templates, self.places, self.lists
        statuses = cacheschema.STATUSES
        ready: list[tuple[Any, ...]] = []
        segments: list[tuple[int, str, int, int]] = []
        span = self.span
        for line, _, item in parse_rows(rows, _WORKER["reader"], _WORKER["source"]):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            row, parts = item
            when, where, listed = row[7], row[8], row[9]
            template = numbered.get(id(when))
            if template is None:
                template = numbered[id(when)] = len(numbered)
                templates.append(when)
            place = where_at.get(where[0])
            if place is None:
                place = where_at[where[0]] = len(where_at)
                places.append(where)
            projects = list_at.get(listed)
            if projects is None:
                projects = list_at[listed] = len(list_at)
                lists.append(listed)
            status = statuses[row[2]]
            ready.append((line, *row[:2], status, *row[3:7], template, place, projects, *row[10:]))
            if parts:
                segments += [(line, row[0], start, end) for start, end in parts]
            span = max(span, row[5] - row[4])
        self.span = span
        self.connection.executemany(f"INSERT INTO row VALUES ({', '.join('?' * 16)})", ready)
        self.connection.executemany("INSERT INTO segment VALUES (?, ?, ?, ?)", segments)
        return problems, templates, places, lists, span


def _worker_store(rows: list[tuple[int, bytes, list[str]]]) -> News:
    try:
        if isinstance(_WORKER["shard"], str):
            _WORKER["shard"] = _Shard(_WORKER["shard"])
        return cast(_Shard, _WORKER["shard"]).store(rows)
    except (sqlite3.Error, OSError) as error:
        raise ShardFailed(str(error)) from None


def _worker_finish() -> None:
    try:
        shard = _WORKER.pop("shard")
        if isinstance(shard, str):
            shard = _Shard(shard)  # it was sent no row
        shard.connection.execute("COMMIT")
        shard.connection.close()
    except (sqlite3.Error, OSError) as error:
        raise ShardFailed(str(error)) from None


def workers_for(size: int) -> int:
    """How many worker processes read a store of ``size`` bytes (0: this process does)."""
    workers = min(os.cpu_count() or 1, 4)
    if size < Parsers.BIG or workers < 2:
        return 0
    import multiprocessing  # only for a big build: importing it costs a query 10 ms

    return workers if "fork" in multiprocessing.get_all_start_methods() else 0


@contextmanager
def shards(connection: sqlite3.Connection, size: int) -> Iterator[list[tuple[str, str]]]:
    """The databases (attached to ``connection`` as ``shard0``, ``shard1``...) that the
    workers of a build from scratch write their rows to, in a temporary folder removed
    afterwards; none when the store is read in this process. Attached before the build's
    transaction, as SQLite attaches only outside one."""
    workers = 0 if connection.in_transaction else workers_for(size)
    if not workers:
        yield []
        return
    import shutil
    import tempfile

    names: list[tuple[str, str]] = []
    folder = None
    try:
        _sweep(tempfile.gettempdir())
        folder = tempfile.mkdtemp(prefix=f"{SHARDS}{os.getpid()}-")
        for number in range(workers):
            names.append((f"shard{number}", os.path.join(folder, f"shard{number}.sqlite3")))
            connection.execute(f"ATTACH ? AS {names[-1][0]}", (names[-1][1],))
    except (OSError, sqlite3.Error):
        names = []  # no room for shards: the rows come back to this process
    try:
        yield names
    finally:
        for name, _ in names:
            with suppress(sqlite3.Error):
                connection.execute(f"DETACH {name}")
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


SHARDS = "inventory-cache-"
"""How the temporary folder of a build's shards is named, before its process's id."""


def _sweep(base: str) -> None:
    """Remove the shard folders of this user's builds that were killed (a process that is
    gone): they would fill the temporary folder a build at a time."""
    import shutil

    for entry in os.scandir(base):
        if not entry.name.startswith(SHARDS) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            pid = int(entry.name[len(SHARDS) :].split("-")[0])
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except (ValueError, OSError):
            continue


class Parsers:
    """Parses chunks of rows: in this process for a small job, in worker processes (one per
    core, forked so they start at once) for a big one, keeping a few chunks in flight so the
    reading, the parsing and the inserting overlap. Each worker is sent the rows of its own
    share of the dates cells, so a date text is placed once in all, not once a worker. Its
    rows come back out of file order, which the build allows for: a duplicate id is settled
    by line once all are in (``Cache._resolve``).

    With ``shards`` (a build from scratch, see :func:`shards`) and a ``writer``, the workers
    send back no rows: each writes its own into its shard, and only what the rows share
    comes back, numbered here by the writer; :meth:`merge` copies the rows in."""

    BIG = 4_000_000
    """Bytes of CSV from which workers pay for themselves (about 20,000 rows)."""

    def __init__(
        self,
        names: list[str],
        registry: Registry,
        source: str,
        size: int,
        shards: list[tuple[str, str]] | None = None,
        writer: cacheschema.CacheWriter | None = None,
    ) -> None:
        from .cacherows import RowReader  # only a refresh reads rows (and needs the models)

        self.reader = RowReader(names, registry)
        self.source = source
        self.pools: list[Any] = []
        self.pending: deque[Any] = deque()
        self.key = names.index("dates") if "dates" in names else -1
        self.problems: list[Problem] = []
        workers = workers_for(size)
        if not workers:
            return
        import multiprocessing

        self.shards = [name for name, _ in shards] if shards and writer is not None else []
        self.writer = writer
        files = [file for _, file in shards] if self.shards and shards else [None] * workers
        context = multiprocessing.get_context("fork")
        self.pools = [
            context.Pool(1, _worker_start, (names, registry, source, file)) for file in files
        ]
        self.depth = len(self.pools) * 2
        self.sent: list[list[Any]] = [[] for _ in self.pools]
        # A sharded build's numbers, by worker: what it numbered n is numbered [n] here.
        self.maps: list[tuple[list[tuple[int, int]], list[int], list[int]]] = [
            ([], [], []) for _ in self.pools
        ]
        self.span = 0

    @property
    def sharded(self) -> bool:
        return bool(self.pools and self.shards)

    def __enter__(self) -> Parsers:
        return self

    def __exit__(self, *exc: object) -> None:
        for pool in self.pools:
            pool.terminate()
        for pool in self.pools:
            pool.join()

    def _share(self, cells: list[str]) -> int:
        # By the dates' text: every month it is read under goes to one worker, which works
        # out the template they share once.
        return hash(cells[self.key] if 0 <= self.key < len(cells) else "") % len(self.pools)

    def _received(self, worker: int, result: Any) -> list[Any]:
        if self.sharded:
            self._news(worker, result)
            return []
        new, out = cast(tuple[list[Any], list[Any]], result)
        sent = self.sent[worker]
        sent += new
        for at, (line, hash_, item) in enumerate(out):
            if not isinstance(item, Problem):
                row = item[0]
                out[at] = (line, hash_, ((*row[:7], sent[row[7]], *row[8:]), item[1]))
        return out

    def _news(self, worker: int, news: News) -> None:
        problems, templates, places, lists, span = news
        writer = self.writer
        assert writer is not None
        self.problems += problems
        numbers = self.maps[worker]
        numbers[0].extend(writer.template(t) for t in templates)
        numbers[1].extend(writer.place(p)[0] for p in places)
        numbers[2].extend(writer.listed(j)[0] for j in lists)
        self.span = max(self.span, span)

    def submit(self, rows: list[tuple[int, bytes, list[str]]]) -> Iterator[list[Any]]:
        """Hand rows over; yields the chunks parsed so far, oldest first (none when the
        workers write shards)."""
        if not self.pools:
            if rows:
                yield parse_rows(rows, self.reader, self.source)
            return
        shares: list[list[tuple[int, bytes, list[str]]]] = [[] for _ in self.pools]
        for row in rows:
            shares[self._share(row[2])].append(row)
        task = _worker_store if self.sharded else _worker_parse
        for worker, (pool, share) in enumerate(zip(self.pools, shares, strict=True)):
            if share:
                self.pending.append((worker, pool.apply_async(task, (share,))))
        while len(self.pending) > self.depth:
            worker, result = self.pending.popleft()
            yield self._received(worker, result.get())

    def drain(self) -> Iterator[list[Any]]:
        while self.pending:
            worker, result = self.pending.popleft()
            yield self._received(worker, result.get())

    def merge(self) -> int:
        """Copy the shards' rows into the cache (after :meth:`drain`), each with the numbers
        the writer gave what it shares, and settle the ids read more than once; the problems
        found are in ``problems``. Returns the longest window, in days."""
        writer = self.writer
        assert writer is not None
        for pool in self.pools:
            pool.apply(_worker_finish)
        connection = writer.connection
        writer.flush()
        for table, columns in (("template", "schedule, shape"), ("place", "n"), ("list", "n")):
            connection.execute(f"DROP TABLE IF EXISTS temp.shard_{table}")
            connection.execute(
                f"CREATE TEMP TABLE shard_{table} (worker INTEGER, local INTEGER, {columns}, "
                "PRIMARY KEY (worker, local)) WITHOUT ROWID"
            )
        for worker, (templates, places, lists) in enumerate(self.maps):
            for table, numbers in (("template", templates), ("place", places), ("list", lists)):
                rows = [
                    (worker, at, *(n if isinstance(n, tuple) else (n,)))
                    for at, n in enumerate(numbers)
                ]
                if rows:
                    marks = ", ".join("?" * len(rows[0]))
                    connection.executemany(f"INSERT INTO temp.shard_{table} VALUES ({marks})", rows)
        for worker, shard in enumerate(self.shards):
            connection.execute(
                "INSERT INTO activity_row SELECT r.id, r.title, r.status, r.month, r.start, "
                'r."end", r.parts, t.schedule, t.shape, p.n, l.n, r.hash, r.cf, r.fold, '
                f"r.modality, r.extra FROM {shard}.row r "
                "JOIN temp.shard_template t ON t.worker = ?1 AND t.local = r.template "
                "JOIN temp.shard_place p ON p.worker = ?1 AND p.local = r.place "
                "JOIN temp.shard_list l ON l.worker = ?1 AND l.local = r.projects",
                (worker,),
            )
            connection.execute(f'INSERT INTO segment SELECT id, start, "end" FROM {shard}.segment')
        for table in ("template", "place", "list"):
            connection.execute(f"DROP TABLE temp.shard_{table}")
        self._settle(connection)
        return self.span

    def _settle(self, connection: sqlite3.Connection) -> None:
        """The ids read more than once (by one worker or several): the row that comes first
        in the file keeps it, as in a build in one process, and each other line is reported
        against it. Found by making the index of ids, which refuses an id twice: at once
        when there is none, the usual case."""
        index = cacheschema.statement("activity_row_id")
        try:
            connection.execute(index)
            return
        except sqlite3.IntegrityError:
            pass
        connection.execute("CREATE INDEX activity_row_twice ON activity_row (id)")
        connection.execute("DROP TABLE IF EXISTS temp.twice")
        connection.execute("CREATE TEMP TABLE twice (id TEXT PRIMARY KEY, line INTEGER, hash BLOB)")
        connection.execute(
            "INSERT INTO temp.twice (id) "
            "SELECT id FROM activity_row GROUP BY id HAVING count(*) > 1"
        )
        read: dict[str, list[tuple[int, bytes]]] = {}
        for shard in self.shards:
            for ident, line, hash_ in connection.execute(
                f"SELECT id, line, hash FROM {shard}.row WHERE id IN (SELECT id FROM temp.twice)"
            ):
                read.setdefault(ident, []).append((line, hash_))
        kept: list[tuple[int, bytes, str]] = []
        for ident, lines in read.items():
            (first, hash_), *others = sorted(lines)
            self.problems += [duplicate(ident, line, first, self.source) for line, _ in others]
            kept.append((first, hash_, ident))
        connection.executemany("UPDATE temp.twice SET line = ?, hash = ? WHERE id = ?", kept)
        connection.execute(
            "DELETE FROM activity_row WHERE id IN (SELECT id FROM temp.twice) AND rowid NOT IN "
            "(SELECT (SELECT min(r.rowid) FROM activity_row r "
            "WHERE r.id = t.id AND r.hash = t.hash) FROM temp.twice t)"
        )
        connection.execute("DELETE FROM segment WHERE id IN (SELECT id FROM temp.twice)")
        for shard in self.shards:
            connection.execute(
                f'INSERT INTO segment SELECT s.id, s.start, s."end" FROM {shard}.segment s '
                "JOIN temp.twice t ON t.id = s.id AND t.line = s.line"
            )
        connection.execute("DROP INDEX activity_row_twice")
        connection.execute("DROP TABLE temp.twice")
        connection.execute(index)


def duplicate(ident: str, line: int, first: int, source: str) -> Problem:
    return Problem(
        f"duplicate id {ident!r}, first used on line {first}", line, "id", "error", source
    )
