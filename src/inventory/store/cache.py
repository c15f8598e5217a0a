"""The CSV store's cache: a SQLite database beside the file (``.activities.csv.cache.sqlite3``)
holding every readable row validated once, read through the ``activity`` view of
``cacheschema.py`` as a SQLite store is read (``sql.py``), so a query reads only the rows it
returns. It is derived and disposable, and never answers stale:

* it names the file it describes by ``(device, inode, size, mtime_ns, ctime_ns)`` and a
  SHA-256 of its bytes. Every tool write replaces the file and updates the cache in the
  same step; a hand edit changes the size or the ctime, which user space cannot set back.
  When the file changed within a few seconds of being read (a coarse clock may give two
  saves one ctime), the digest is compared too, as git does for a "racily clean" file;
* it names what its contents depend on besides the file: :data:`CACHE_FORMAT`, the
  schema, pycountry's tables, Unicode's, the built-in project list (by content and version,
  never by a file's time, so a reinstall or a fresh clone reuses it) and the project
  registry rows were read with; any difference rebuilds it from scratch;
* a refresh after a hand edit re-validates only the rows whose bytes changed (each row's
  BLAKE2b-128 is kept) and drops the rows that are gone;
* anything unusual about it (not a regular file, a damaged or foreign database, an older
  schema) makes it be rebuilt, or kept in memory for this run when the folder is read-only.

Who can write the store's folder can change the store's answers anyway; the cache adds no
new way in (see "Data safety" in the README).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import sqlite3
import stat
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..collector import paused_collector
from ..errors import Problem, StoreError
from ..textio import read_plain_file
from . import cachebuild, cacheschema, sql
from .cachebuild import Parsers, duplicate
from .cacheschema import CACHE_FORMAT
from .csvdoc import Header, RawRow, read_data_rows
from .files import (
    TICK_NS,
    Identity,
    Snapshot,
    create_companion,
    distrust,
    is_racy,
    os_error,
    read_snapshot,
    stat_snapshot,
)

if TYPE_CHECKING:
    from ..model import Activity
    from ..projects import Registry

Progress = Callable[[int, int], None]
CHUNK = 2000
BUILD_CACHE_KB = 65536


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Names what a cache's contents depend on besides the store: by content and version,
    never by a file's time (a reinstall or a clone gives every file a new one)."""
    here = Path(__file__).resolve().parent.parent
    builtin = read_plain_file(here / "_data" / "projects.csv") or b""
    parts = [
        f"format {CACHE_FORMAT}",
        f"schema {sql.SCHEMA_VERSION}",
        f"record {sql.RECORD_FORMAT}",
        f"unicode {unicodedata.unidata_version}",
        f"projects {hashlib.sha256(builtin).hexdigest()}",
    ]
    spec = importlib.util.find_spec("pycountry")
    if spec is not None and spec.origin:
        # The country names a record carries come from its tables: named by their size and
        # the version its install records beside it, both read without importing it.
        root = Path(spec.origin).parent
        with contextlib.suppress(OSError):
            parts.append(f"countries {(root / 'databases' / 'iso3166-1.json').stat().st_size}")
        with contextlib.suppress(OSError):
            parts += sorted(p.name for p in root.parent.glob("pycountry-*.dist-info"))
    return "\n".join(parts)


def cache_path(store: Path) -> Path:
    return store.with_name(f".{store.name}.cache.sqlite3")


JOURNALS = ("-journal", "-wal", "-shm")
"""Files SQLite keeps beside a database, and reads on opening it: a "hot" journal left there
is rolled back into the database, so it is checked like the database itself."""


def _usable(path: Path, store: Path) -> str | None:
    """Why the cache may not be opened, or None: each of its files must be absent or one
    :func:`files.distrust` finds nothing against; anything else (a FIFO, a device, a
    folder, a symbolic link, a file of someone who cannot write the store) is removed if
    this user may, and never read."""
    for name in (path, *(path.with_name(path.name + suffix) for suffix in JOURNALS)):
        try:
            st = os.lstat(name)
            why = distrust(name, store, st)
        except FileNotFoundError:
            continue
        except OSError as error:
            return os_error(name, error, "read").message
        if why is None:
            continue
        try:
            if stat.S_ISDIR(st.st_mode):
                return f"{name.name} {why}"
            os.unlink(name)
        except OSError:
            return f"{name.name} {why}"
    return None


NO_ROOM = {
    sqlite3.SQLITE_FULL: "no space left on the device",
    sqlite3.SQLITE_IOERR: "the disk refused a write: full, over a quota or a file-size limit",
    sqlite3.SQLITE_READONLY: "the cache file is read-only",
    sqlite3.SQLITE_CANTOPEN: "the cache file cannot be opened",
    sqlite3.SQLITE_PERM: "permission denied",
}
"""SQLite's errors that mean the cache cannot be kept on disk (a full disk or quota, a
file-size limit, a read-only cache file): it is kept in memory for the run instead."""


def no_room(error: sqlite3.Error) -> str | None:
    """Why the cache cannot be written to disk, or None for another kind of error."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return None
    return NO_ROOM.get(code & 0xFF)


_said: set[str] = set()


def say_in_memory(path: Path, why: str) -> None:
    """Say once a run, on stderr, why the cache is not kept on disk (the answers are the
    same, only slower to come next time)."""
    if str(path) in _said:
        return
    _said.add(str(path))
    print(
        f"inventory: warning: {path}: cannot keep the cache ({why}); "
        "it is kept in memory for this run",
        file=sys.stderr,
    )


def open_cache(store: Path, *, memory: bool = False) -> tuple[sqlite3.Connection, bool]:
    """The cache's connection, with its schema, and whether it is in memory: it is when the
    folder is not writable, when ``memory`` (a dry run writes nothing, not even a cache),
    and when the disk has no room for it (said once on stderr)."""
    path = cache_path(store)
    if memory or not os.access(path.parent, os.W_OK):
        pass
    elif (why := _usable(path, store)) is not None:
        say_in_memory(path, why)
    else:
        for _ in range(2):
            try:
                connection = _connect_file(path, store)
            except OSError as error:
                say_in_memory(path, os_error(path, error).message.removeprefix("cannot write: "))
                break
            except StoreError:
                break
            try:
                connection.execute("PRAGMA journal_mode = DELETE")
                if sql.schema_version(connection) != cacheschema.CACHE_SCHEMA_VERSION:
                    _renew(connection)
                return connection, False
            except sqlite3.DatabaseError as error:
                connection.close()
                why = no_room(error)
                if why is None or _wasted(error):  # damaged or foreign: made anew
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                if why is not None:
                    say_in_memory(path, why)
                    break
    connection = sql.connect(":memory:")
    cacheschema.create(connection)
    return connection, True


def _wasted(error: sqlite3.Error) -> bool:
    """A cache left half-built by a full disk or a size limit: removed, to give the room
    back (it is rebuilt once there is room again)."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)


def _connect_file(path: Path, store: Path) -> sqlite3.Connection:
    """A connection to the cache's file, made first (exclusively, not through a link) with
    the store's permissions when it is new: SQLite would give it 0644 whatever the store's."""
    made = create_companion(path, store)
    if made is not None:
        os.close(made)
    return sql.connect(str(path))


def _renew(connection: sqlite3.Connection) -> None:
    """Replace a cache of another schema (or none) with an empty one of ours. Checked again
    under the write lock: two processes opening a new cache at once must not have the
    second wipe what the first has already filled."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if sql.schema_version(connection) != cacheschema.CACHE_SCHEMA_VERSION:
            kinds = "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'table')"
            for kind, name in connection.execute(kinds).fetchall():
                connection.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
            cacheschema.create(connection, in_transaction=True)
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise


def registry_source(store: Path) -> str:
    """What the registry is read from: the text of projects.csv beside the store (a few kB,
    compared faster than hashed), else the built-in list (covered by the code fingerprint)."""
    data = read_plain_file(store.parent / "projects.csv")
    return "built-in" if data is None else "file:" + data.decode("utf-8", "replace")


class Cache:
    """The cache of one CSV store file (see the module's docstring)."""

    def __init__(
        self, store: Path, registry: Callable[[], Registry], *, memory: bool = False
    ) -> None:
        self.store = store
        self.registry = registry
        self.connection, self.in_memory = open_cache(store, memory=memory)
        self.source = str(store)

    def close(self) -> None:
        self.connection.close()

    def _or_in_memory(self, action: Callable[[], None]) -> None:
        """Make a change to the cache; when the disk has no room for it (or the file is
        read-only), go on with a cache in memory: the store can still be read."""
        try:
            action()
        except sqlite3.Error as error:
            why = no_room(error)
            if self.in_memory or why is None:
                raise
            path = cache_path(self.store)
            self.connection.close()
            if _wasted(error):
                with contextlib.suppress(OSError):
                    os.unlink(path)
            say_in_memory(path, why)
            self.connection = sql.connect(":memory:")
            cacheschema.create(self.connection)
            self.in_memory = True
            action()

    # --- is it current? ---------------------------------------------------------------------

    def _fingerprint(self) -> dict[str, str]:
        return {"code": code_fingerprint(), "registry": registry_source(self.store)}

    def _describes(self, identity: Identity) -> bool:
        meta = dict(self.connection.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("identity") != repr(identity):
            return False
        if any(meta.get(k) != v for k, v in self._fingerprint().items()):
            return False
        seen = int(meta.get("seen_ns", "0"))
        if not is_racy(identity, seen):
            return True
        snapshot = stat_snapshot(self.store)  # its digest read in pieces, not held whole
        if snapshot is None or snapshot.identity != identity:
            return False
        try:
            if snapshot.digest != meta.get("digest"):
                return False
        except StoreError:
            return False  # it changed as it was read: the refresh reads it again
        if not is_racy(identity, snapshot.seen_ns):
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("BEGIN IMMEDIATE")
                sql.set_meta(self.connection, "seen_ns", str(snapshot.seen_ns))
                self.connection.execute("COMMIT")
        return True

    def ensure_current(self, progress: Progress | None = None) -> None:
        """Bring the cache up to the file as it is now."""
        self._or_in_memory(lambda: self._ensure_current(progress))

    def _ensure_current(self, progress: Progress | None) -> None:
        try:
            identity = _identity(self.store)
        except FileNotFoundError:
            identity = None
        if identity is not None and self._describes(identity):
            return
        if identity is not None and self._after_writer():
            with contextlib.suppress(FileNotFoundError):
                if self._describes(_identity(self.store)):
                    return
        snapshot = read_snapshot(self.store)
        if snapshot is None:
            self.clear()
            return
        self.refresh(snapshot, progress)

    def _after_writer(self) -> bool:
        """Wait for a tool write that holds the cache's lock over its rename (:meth:`hold`)
        to finish describing its file; whether the lock could be taken at all."""
        if self.in_memory:
            return False
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.execute("COMMIT")
        except sqlite3.Error:
            return False
        return True

    def clear(self) -> None:
        self._or_in_memory(self._clear)

    def _clear(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            for table in cacheschema.CACHE_TABLES:
                self.connection.execute(f"DELETE FROM {table}")
            self.connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("ROLLBACK")
            raise

    # --- refreshing -------------------------------------------------------------------------

    def refresh(self, snapshot: Snapshot, progress: Progress | None = None) -> None:
        """Make the cache describe ``snapshot``, re-reading only rows whose bytes changed."""
        self._or_in_memory(lambda: self._refresh(snapshot, progress))

    def _refresh(self, snapshot: Snapshot, progress: Progress | None) -> None:
        # A build reads and writes every page of its tables: SQLite's 2 MB default page
        # cache would send them to the disk and back (it is given back when it closes).
        self.connection.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KB}")
        try:
            with cachebuild.shards(self.connection, len(snapshot.data)) as shards:
                self._refresh_with(snapshot, progress, shards)
        except cachebuild.ShardFailed:
            self._refresh_with(snapshot, progress, [])

    def _refresh_with(
        self, snapshot: Snapshot, progress: Progress | None, shards: list[tuple[str, str]]
    ) -> None:
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            try:
                current = _identity(self.store)
            except FileNotFoundError:
                current = None
            if current != snapshot.identity:
                # The file moved on while we waited for the cache: describing an older
                # version would undo what its writer put in. The next reader refreshes.
                connection.execute("COMMIT")
                return
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            if (
                meta.get("identity") == repr(snapshot.identity)
                and meta.get("digest") == snapshot.digest
                and all(meta.get(k) == v for k, v in self._fingerprint().items())
            ):
                connection.execute("COMMIT")  # another process refreshed it meanwhile
                return
            with paused_collector():
                self._rebuild(snapshot, meta, progress, shards)
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def _rebuild(
        self,
        snapshot: Snapshot,
        meta: dict[str, str],
        progress: Progress | None,
        shards: list[tuple[str, str]] | None = None,
    ) -> None:
        connection = self.connection
        header, rows = read_data_rows(snapshot.data, self.source)
        fingerprint = self._fingerprint()
        if (
            any(meta.get(k) != v for k, v in fingerprint.items())
            or meta.get("header") != header.fingerprint()
        ):
            for table in cacheschema.CACHE_TABLES:
                connection.execute(f"DELETE FROM {table}")
        empty = connection.execute("SELECT NOT EXISTS (SELECT 1 FROM activity_row)").fetchone()[0]
        if empty:
            for table in ("schedule", "shape", "place", "list"):  # what no row uses any more
                connection.execute(f"DELETE FROM {table}")
            # Filling empty tables, an index is cheaper sorted once at the end than kept up
            # to date row by row (they are made again below, in this transaction).
            for (index,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).fetchall():
                connection.execute(f'DROP INDEX "{index}"')
        connection.execute("DROP TABLE IF EXISTS temp.incoming")
        connection.execute("CREATE TEMP TABLE incoming (hash BLOB NOT NULL, line INTEGER NOT NULL)")
        problems: list[Problem] = []
        conflicts: list[tuple[int, bytes, cacheschema.Compact]] = []
        span = sql.max_span(connection)
        writer = cacheschema.CacheWriter(connection, fresh=bool(empty))
        seen: set[str] = set()  # filling empty tables, all the ids so far: no index to ask
        total = max(len(snapshot.data), 1)  # counted in characters read: near enough
        done = 0
        sharded = shards if empty else None  # workers write the rows: see Parsers.merge
        registry = self.registry()
        size = len(snapshot.data)
        with Parsers(header.names, registry, self.source, size, sharded, writer) as parsers:

            def take(parsed: list[tuple[int, bytes, cacheschema.Compact | Problem]]) -> None:
                nonlocal span
                ready: list[cacheschema.Compact] = []
                ids = [] if empty else [p[0][0] for _, _, p in parsed if not isinstance(p, Problem)]
                taken = self._taken(ids)
                if not empty:
                    seen.clear()
                for line, hash_, item in parsed:
                    if isinstance(item, Problem):
                        problems.append(item)
                        continue
                    ident = item[0][0]
                    if ident in taken or ident in seen:
                        conflicts.append((line, hash_, item))
                    else:
                        seen.add(ident)
                        ready.append(item)
                span = max(span, writer.insert(ready))

            chunk: list[RawRow] = []

            def submit() -> None:
                known = set() if empty else self._known([r.hash for r in chunk])
                if not parsers.sharded:  # else the shards keep the lines
                    connection.executemany(
                        "INSERT INTO incoming VALUES (?, ?)", [(r.hash, r.line) for r in chunk]
                    )
                fresh = [(r.line, r.hash, r.cells) for r in chunk if r.hash not in known]
                for parsed in parsers.submit(fresh):
                    take(parsed)
                chunk.clear()

            for row in rows:
                done += len(row.raw)
                if row.problem is not None:
                    problems.append(row.problem)
                elif not row.blank:
                    chunk.append(row)
                    if len(chunk) >= CHUNK:
                        submit()
                        if progress is not None:
                            progress(done, total)
            submit()
            for parsed in parsers.drain():
                take(parsed)
            if parsers.sharded:
                span = max(span, parsers.merge())
                problems += parsers.problems
        writer.link()
        if empty:
            cacheschema.create(connection, in_transaction=True)
        connection.execute("CREATE INDEX temp.incoming_hash ON incoming (hash)")
        if not empty:  # else every row is one just read
            query = "SELECT id FROM activity_row WHERE hash NOT IN (SELECT hash FROM incoming)"
            cacheschema.remove(connection, [r[0] for r in connection.execute(query)])
        span = max(span, self._resolve(conflicts, problems, writer))
        self._duplicate_rows(problems)
        connection.execute("DROP TABLE temp.incoming")
        connection.execute("DELETE FROM problem")
        connection.executemany(
            "INSERT INTO problem VALUES (?, ?, ?)",
            [(p.line, p.field, p.message) for p in sorted(problems, key=lambda p: p.line or 0)],
        )
        cacheschema.keep_spans(connection)
        sql.set_meta(connection, "max_span", str(span))
        self._stamp(snapshot.identity, snapshot.digest, snapshot.seen_ns, header)
        if progress is not None:
            progress(total, total)

    def _known(self, hashes: list[bytes]) -> set[bytes]:
        return self._among("hash", hashes)

    def _taken(self, ids: list[str]) -> set[str]:
        return self._among("id", ids)

    def _among(self, column: str, values: list[Any]) -> set[Any]:
        marks = ", ".join("?" * len(values))
        query = f"SELECT {column} FROM activity_row WHERE {column} IN ({marks})"
        return {r[0] for r in self.connection.execute(query, values)} if values else set()

    def _resolve(
        self,
        conflicts: list[tuple[int, bytes, cacheschema.Compact]],
        problems: list[Problem],
        writer: cacheschema.CacheWriter,
    ) -> int:
        """Rows whose id was already taken when they were read: the row that comes first in
        the file keeps the id, the other is reported. (A row edited by hand keeps its id and
        lands here too: its old version is gone from the file by now, so it simply wins.)"""
        connection = self.connection
        span = 0
        for line, hash_, item in sorted(conflicts, key=lambda c: c[0]):
            ident = item[0][0]
            kept = connection.execute(
                "SELECT a.hash, min(i.line) FROM activity_row a "
                "LEFT JOIN incoming i ON i.hash = a.hash WHERE a.id = ? GROUP BY a.hash",
                (ident,),
            ).fetchone()
            if kept is not None and kept[0] == hash_:
                continue  # the same bytes twice: reported by _duplicate_rows
            if kept is not None and kept[1] is not None and kept[1] < line:
                problems.append(duplicate(ident, line, kept[1], self.source))
                continue
            if kept is not None and kept[1] is not None:
                problems.append(duplicate(ident, kept[1], line, self.source))
            cacheschema.remove(connection, [ident])
            span = max(span, writer.insert([item]))
        return span

    def _duplicate_rows(self, problems: list[Problem]) -> None:
        """Two rows with the same bytes: the same id twice."""
        twice = self.connection.execute(
            "SELECT hash, min(line) FROM incoming GROUP BY hash HAVING count(*) > 1"
        ).fetchall()
        for hash_, first in twice:
            ident = self.connection.execute(
                "SELECT id FROM activity_row WHERE hash = ?", (hash_,)
            ).fetchone()
            lines = self.connection.execute(
                "SELECT line FROM incoming WHERE hash = ? AND line > ?", (hash_, first)
            )
            for (line,) in lines:
                problems.append(duplicate(ident[0] if ident else "?", line, first, self.source))

    def _stamp(self, identity: Identity, digest: str, seen_ns: int, header: Header) -> None:
        connection = self.connection
        for key, value in {
            **self._fingerprint(),
            "identity": repr(identity),
            "digest": digest,
            "seen_ns": str(seen_ns),
            "header": header.fingerprint(),
            "projects": json.dumps(self._project_names(), ensure_ascii=False),
        }.items():
            sql.set_meta(connection, key, value)

    def _project_names(self) -> dict[str, str]:
        return sql.project_name_table(self.connection, self.registry())

    def project_lookup(self) -> dict[str, str] | None:
        value = sql.get_meta(self.connection, "projects")
        return None if value is None else dict(json.loads(value))

    # --- after a tool write -----------------------------------------------------------------

    def apply(
        self,
        changes: dict[str, Activity | None],
        hashes: dict[str, bytes],
        before: Identity,
        written: Snapshot,
        header: Header,
    ) -> None:
        """The file was rewritten by the tool (from the version ``before``) with these rows
        changed: update the cache in the same step instead of re-reading it. If the cache
        no longer describes ``before``, it is refreshed from what was written instead.

        ``written`` names the new file: its identity as the writer took it after the rename,
        ``digest`` the SHA-256 of every byte written (``Snapshot.drop_data`` keeps it), and
        ``data`` those bytes, or ``b""`` when the writer streamed them and kept none: then
        the file is not read back (see :func:`settle`) and the next reader within the tick
        compares digests."""
        self._or_in_memory(lambda: self._apply(changes, hashes, before, written, header))

    def hold(self) -> None:
        """Take the cache's lock ahead of a tool write's rename (see ``FileSession.hold``):
        a reader that finds the new file then waits the few milliseconds until
        :meth:`apply` describes it, instead of reading it all as after a hand edit. Without
        the lock (a read-only cache) readers refresh as they would anyway."""
        with contextlib.suppress(sqlite3.Error):
            self.connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("ROLLBACK")

    def _apply(
        self,
        changes: dict[str, Activity | None],
        hashes: dict[str, bytes],
        before: Identity,
        written: Snapshot,
        header: Header,
    ) -> None:
        seen = settle(written)
        connection = self.connection
        if not connection.in_transaction:  # else held since before the rename
            connection.execute("BEGIN IMMEDIATE")
        try:
            if sql.get_meta(connection, "identity") != repr(before) and written.streamed:
                # A streamed write holds no bytes to rebuild from: the next reader does.
                connection.execute("COMMIT")
                return
            if sql.get_meta(connection, "identity") != repr(before):
                meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
                # A writer that streamed the file holds no copy of it: read it as it is.
                source = written if written.data else read_snapshot(self.store)
                if source is not None and source.identity == written.identity:
                    self._rebuild(source, meta, None)
                else:
                    sql.set_meta(connection, "identity", "")  # the next reader rebuilds
                connection.execute("COMMIT")
                return
            identity, digest = written.identity, written.digest
            cacheschema.remove(connection, list(changes))
            span = cacheschema.CacheWriter(connection).insert(
                cacheschema.compact(a, hashes[i]) for i, a in changes.items() if a is not None
            )
            sql.widen_span(connection, span)
            cacheschema.keep_spans(connection)
            self._stamp(identity, digest, seen, header)
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def problems(self) -> list[Problem]:
        rows = self.connection.execute("SELECT line, field, message FROM problem ORDER BY rowid")
        return [Problem(m, line, f, "error", self.source) for line, f, m in rows]


def settle(written: Snapshot) -> int:
    """When the tool's own write was last seen as it wrote it, for the next reader to trust
    it without reading it: once a tick has passed since its times (at most TICK_NS, waited
    here), its bytes are read back and compared with what was written (a byte comparison,
    no hashing) and its identity taken again. A change in that tick (the only kind that
    leaves the identity as it was) shows in the bytes, a later one in the identity; either
    leaves the write racy, and the next reader compares digests as before. Without the
    bytes (``written.data`` empty) or on a coarse clock, nothing is read."""
    identity = written.identity
    if not written.data or not is_racy(identity, written.seen_ns):
        return written.seen_ns
    if not (identity[3] % 1_000_000_000 and identity[4] % 1_000_000_000):
        return written.seen_ns  # a coarse clock: seconds to wait, the reader checks instead
    wait = max(identity[3], identity[4]) + TICK_NS - time.time_ns()
    if wait > 0:
        time.sleep(wait / 1e9)
    seen = time.time_ns()
    try:
        same = _holds_bytes(written.path, written.data) and _identity(written.path) == identity
    except OSError:
        same = False
    return seen if same else written.seen_ns


def _holds_bytes(path: Path, data: bytes) -> bool:
    view = memoryview(data)
    done = 0
    with open(path, "rb", buffering=0) as file:
        while chunk := file.read(1 << 20):
            if view[done : done + len(chunk)] != chunk:
                return False
            done += len(chunk)
    return done == len(data)


def _identity(path: Path) -> Identity:
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
