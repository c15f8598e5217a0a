"""The CSV store's cache: a SQLite database beside the file (``.activities.csv.cache.sqlite3``)
holding every readable row validated once, in the schema of ``sql.py``, so a query reads
only the rows it returns. It is derived and disposable, and never answers stale:

* it names the file it describes by ``(device, inode, size, mtime_ns, ctime_ns)`` and a
  SHA-256 of its bytes. Every tool write replaces the file and updates the cache in the
  same step; a hand edit changes the size or the ctime, which user space cannot set back.
  When the file changed within a few seconds of being read (a coarse clock may give two
  saves one ctime), the digest is compared too, as git does for a "racily clean" file;
* it names the code that built it (this package, pycountry's tables, Python) and the
  project registry rows were read with; any difference rebuilds it from scratch;
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
import importlib.util
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .. import __version__
from ..errors import ParseError, Problem
from ..model import Activity
from ..projects import Registry
from ..records import from_row, unneutralise
from . import sql
from .csvdoc import Header, RawRow, decode, read_rows
from .files import Identity, Snapshot, digest_of, is_racy, read_snapshot

Progress = Callable[[int, int], None]
CHUNK = 2000


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Names the code a cache was built by: a change to the loader, to a country's name
    (pycountry) or to Python's Unicode tables must not meet an old cache."""
    parts = [str(sql.SCHEMA_VERSION), __version__, sys.version]
    here = Path(__file__).resolve().parent.parent
    files = sorted(here.rglob("*.py")) + sorted(here.glob("_data/*.csv"))
    spec = importlib.util.find_spec("pycountry")
    if spec is not None and spec.origin:
        root = Path(spec.origin).parent
        files += [root / "__init__.py", root / "databases" / "iso3166-1.json"]
    for file in files:
        with contextlib.suppress(OSError):
            st = file.stat()
            parts.append(f"{file}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def cache_path(store: Path) -> Path:
    return store.with_name(f".{store.name}.cache.sqlite3")


def _usable(path: Path) -> bool:
    """Whether the cache file may be opened: absent, or a regular file of ours."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if stat.S_ISREG(st.st_mode) and (not hasattr(os, "getuid") or st.st_uid == os.getuid()):
        return True
    # A FIFO, a device, a folder, a symbolic link or someone else's file: never read it.
    with contextlib.suppress(OSError):
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(path)
            return True
    return False


def open_cache(store: Path) -> sqlite3.Connection:
    """The cache's connection, with its schema; in memory when the folder is not writable."""
    path = cache_path(store)
    if _usable(path) and os.access(path.parent, os.W_OK):
        for _ in range(2):
            connection = sql.connect(str(path))
            try:
                connection.execute("PRAGMA journal_mode = DELETE")
                if sql.schema_version(connection) != sql.SCHEMA_VERSION:
                    _wipe(connection)
                    sql.create_schema(connection)
                return connection
            except sqlite3.DatabaseError:
                connection.close()
                with contextlib.suppress(OSError):
                    os.unlink(path)
    connection = sql.connect(":memory:")
    sql.create_schema(connection)
    return connection


def _wipe(connection: sqlite3.Connection) -> None:
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        connection.execute(f'DROP TABLE IF EXISTS "{table}"')


def registry_source(store: Path) -> str:
    """What the registry is read from: the text of projects.csv beside the store (a few kB,
    compared faster than hashed), else the built-in list (covered by the code fingerprint)."""
    try:
        return "file:" + (store.parent / "projects.csv").read_bytes().decode("utf-8", "replace")
    except OSError:
        return "built-in"


class Cache:
    """The cache of one CSV store file (see the module's docstring)."""

    def __init__(self, store: Path, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        self.connection = open_cache(store)
        self.source = str(store)

    def close(self) -> None:
        self.connection.close()

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
        snapshot = read_snapshot(self.store)
        if snapshot is None or snapshot.identity != identity:
            return False
        if digest_of(snapshot.data) != meta.get("digest"):
            return False
        if not is_racy(identity, snapshot.seen_ns):
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("BEGIN IMMEDIATE")
                sql.set_meta(self.connection, "seen_ns", str(snapshot.seen_ns))
                self.connection.execute("COMMIT")
        return True

    def ensure_current(self, progress: Progress | None = None) -> None:
        """Bring the cache up to the file as it is now."""
        try:
            identity = _identity(self.store)
        except FileNotFoundError:
            identity = None
        if identity is not None and self._describes(identity):
            return
        snapshot = read_snapshot(self.store)
        if snapshot is None:
            self.clear()
            return
        self.refresh(snapshot, progress)

    def clear(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            for table in sql.TABLES:
                self.connection.execute(f"DELETE FROM {table}")
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    # --- refreshing -------------------------------------------------------------------------

    def refresh(self, snapshot: Snapshot, progress: Progress | None = None) -> None:
        """Make the cache describe ``snapshot``, re-reading only rows whose bytes changed."""
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
                and meta.get("digest") == digest_of(snapshot.data)
                and all(meta.get(k) == v for k, v in self._fingerprint().items())
            ):
                connection.execute("COMMIT")  # another process refreshed it meanwhile
                return
            self._rebuild(snapshot, meta, progress)
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def _rebuild(self, snapshot: Snapshot, meta: dict[str, str], progress: Progress | None) -> None:
        connection = self.connection
        text = decode(snapshot.data, self.source)
        header, rows = read_rows(text, self.source)
        fingerprint = self._fingerprint()
        if (
            any(meta.get(k) != v for k, v in fingerprint.items())
            or meta.get("header") != header.fingerprint()
        ):
            for table in sql.TABLES:
                connection.execute(f"DELETE FROM {table}")
        connection.execute("DROP TABLE IF EXISTS temp.incoming")
        connection.execute("CREATE TEMP TABLE incoming (hash BLOB NOT NULL, line INTEGER NOT NULL)")
        problems: list[Problem] = []
        fresh: list[RawRow] = []
        total = len(text)
        done = 0
        span = sql.max_span(connection)
        pending: list[tuple[Activity, RawRow]] = []

        def flush() -> None:
            nonlocal span
            known = self._known([r.hash for r in fresh])
            connection.executemany(
                "INSERT INTO incoming VALUES (?, ?)", [(r.hash, r.line) for r in fresh]
            )
            for row in fresh:
                if row.hash in known:
                    continue
                activity = self._parse(row, header, problems)
                if activity is not None:
                    pending.append((activity, row))
            fresh.clear()

        for row in rows:
            done += len(row.raw)
            if row.problem is not None:
                problems.append(row.problem)
                continue
            if row.blank:
                continue
            fresh.append(row)
            if len(fresh) >= CHUNK:
                flush()
                if progress is not None:
                    progress(done, total)
        flush()
        connection.execute("CREATE INDEX temp.incoming_hash ON incoming (hash)")
        gone = [
            r[0]
            for r in connection.execute(
                "SELECT id FROM activity WHERE hash NOT IN (SELECT hash FROM incoming)"
            )
        ]
        sql.delete(connection, gone)
        span = max(span, self._insert(pending, problems))
        self._duplicate_rows(problems)
        connection.execute("DROP TABLE temp.incoming")
        connection.execute("DELETE FROM problem")
        connection.executemany(
            "INSERT INTO problem VALUES (?, ?, ?)",
            [(p.line, p.field, p.message) for p in sorted(problems, key=lambda p: p.line or 0)],
        )
        sql.set_meta(connection, "max_span", str(span))
        self._stamp(snapshot.identity, digest_of(snapshot.data), snapshot.seen_ns, header)
        if progress is not None:
            progress(total, total)

    def _known(self, hashes: list[bytes]) -> set[bytes]:
        if not hashes:
            return set()
        marks = ", ".join("?" * len(hashes))
        rows = self.connection.execute(f"SELECT hash FROM activity WHERE hash IN ({marks})", hashes)
        return {r[0] for r in rows}

    def _parse(self, row: RawRow, header: Header, problems: list[Problem]) -> Activity | None:
        cells = dict(zip(header.names, (unneutralise(c) for c in row.cells), strict=False))
        try:
            return from_row(cells, self.registry)
        except ParseError as error:
            problems.append(Problem(error.message, row.line, error.field, "error", self.source))
            return None

    def _insert(self, pending: list[tuple[Activity, RawRow]], problems: list[Problem]) -> int:
        """Insert the newly read rows; an id already taken goes to the row that comes first
        in the file, the other is reported."""
        connection = self.connection
        span = 0
        by_id: dict[str, tuple[Activity, RawRow]] = {}
        for activity, row in pending:
            first = by_id.get(activity.id)
            if first is not None and first[1].hash == row.hash:
                continue  # the same bytes twice: reported by _duplicate_rows
            if first is None or row.line < first[1].line:
                if first is not None:
                    problems.append(_duplicate(activity.id, first[1].line, row.line, self.source))
                by_id[activity.id] = (activity, row)
            else:
                problems.append(_duplicate(activity.id, row.line, first[1].line, self.source))
        clashes = sql.by_ids(connection, list(by_id)) if by_id else {}
        for ident in clashes:
            activity, row = by_id[ident]
            kept = connection.execute(
                "SELECT min(i.line) FROM activity a JOIN incoming i ON i.hash = a.hash "
                "WHERE a.id = ?",
                (ident,),
            ).fetchone()
            if kept is not None and kept[0] is not None and kept[0] < row.line:
                problems.append(_duplicate(ident, row.line, kept[0], self.source))
                del by_id[ident]
            else:
                if kept is not None and kept[0] is not None:
                    problems.append(_duplicate(ident, kept[0], row.line, self.source))
                sql.delete(connection, [ident])
        span = sql.insert(connection, ((a, r.hash) for a, r in by_id.values()))
        return span

    def _duplicate_rows(self, problems: list[Problem]) -> None:
        """Two rows with the same bytes: the same id twice."""
        twice = self.connection.execute(
            "SELECT hash, min(line) FROM incoming GROUP BY hash HAVING count(*) > 1"
        ).fetchall()
        for hash_, first in twice:
            ident = self.connection.execute(
                "SELECT id FROM activity WHERE hash = ?", (hash_,)
            ).fetchone()
            lines = self.connection.execute(
                "SELECT line FROM incoming WHERE hash = ? AND line > ?", (hash_, first)
            )
            for (line,) in lines:
                problems.append(_duplicate(ident[0] if ident else "?", line, first, self.source))

    def _stamp(self, identity: Identity, digest: str, seen_ns: int, header: Header) -> None:
        connection = self.connection
        for key, value in {
            **self._fingerprint(),
            "identity": repr(identity),
            "digest": digest,
            "seen_ns": str(seen_ns),
            "header": header.fingerprint(),
        }.items():
            sql.set_meta(connection, key, value)

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
        no longer describes ``before``, it is refreshed from what was written instead."""
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            if sql.get_meta(connection, "identity") != repr(before):
                meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
                self._rebuild(written, meta, None)
                connection.execute("COMMIT")
                return
            identity, digest = written.identity, digest_of(written.data)
            sql.delete(connection, list(changes))
            span = sql.insert(
                connection, ((a, hashes[i]) for i, a in changes.items() if a is not None)
            )
            sql.widen_span(connection, span)
            self._stamp(identity, digest, time.time_ns(), header)
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def problems(self) -> list[Problem]:
        rows = self.connection.execute("SELECT line, field, message FROM problem ORDER BY rowid")
        return [Problem(m, line, f, "error", self.source) for line, f, m in rows]


def _duplicate(ident: str, line: int, first: int, source: str) -> Problem:
    return Problem(
        f"duplicate id {ident!r}, first used on line {first}", line, "id", "error", source
    )


def _identity(path: Path) -> Identity:
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
