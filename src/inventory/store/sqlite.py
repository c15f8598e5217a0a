"""The SQLite store (``--store inventory.db``, ``.sqlite`` or ``.sqlite3``): the same schema
as the CSV cache (``sql.py``), written in real transactions. WAL mode lets readers go on
while one writer writes; writers queue on SQLite's own lock (a busy timeout), and a write
costs the rows it changes. The history is a table written in the same transaction."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..aggregates import Sql
from ..changes import Author, Change, Edit, now
from ..errors import Problem, StoreError
from ..months import Period
from ..query import EVERYTHING, SQLITE, Criteria
from ..selection import Selection
from . import sql
from .base import Store, _Session
from .cache import registry_source
from .files import check_writable, lock_timeout
from .filestore import registry_beside

if TYPE_CHECKING:
    from ..model import Activity
    from ..projects import Registry
    from ..titlewords import CorpusCounts


HISTORY = """
CREATE TABLE IF NOT EXISTS change (
    number INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    command TEXT NOT NULL,
    reverts INTEGER
);
CREATE TABLE IF NOT EXISTS change_edit (
    number INTEGER NOT NULL,
    id TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS change_edit_id ON change_edit (id);
"""


LARGE_WRITE = 1000
"""A part of a write this large (an import's) gets :data:`LARGE_WRITE_CACHE_KB` of cache."""
LARGE_WRITE_CACHE_KB = 65536


class SqliteStore(Store):
    kind = "sqlite"

    def __init__(self, path: Path, *, create: bool = False) -> None:
        self.path = path
        self.location = str(path)
        self.create = create
        self._connection: sqlite3.Connection | None = None
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = registry_beside(self.path)
        return self._registry

    @property
    def connection(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = self._open()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        exists = self.path.exists()
        if not exists and not self.create:
            raise StoreError(
                "no such store",
                source=str(self.path),
                hint=f"create one with 'inventory import data/activities.csv --store {self.path}'",
            )
        if exists and not self.path.is_file():
            raise StoreError("is not a file; expected a SQLite database", source=str(self.path))
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                from .files import os_error

                raise os_error(self.path.parent, error, "create the folder") from None
        connection = sql.connect(str(self.path), timeout=lock_timeout())
        try:
            version = sql.schema_version(connection)
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
            if version == 0 and not tables:
                connection.execute("PRAGMA journal_mode = WAL")
                sql.create_schema(connection, HISTORY)
                connection.execute("BEGIN IMMEDIATE")
                sql.set_meta(connection, "record_format", sql.RECORD_FORMAT)
                connection.execute("COMMIT")
            elif version != sql.SCHEMA_VERSION or "activity" not in tables:
                connection.close()
                raise StoreError(
                    f"is not an inventory database of this version (schema {version}, "
                    f"expected {sql.SCHEMA_VERSION})",
                    source=str(self.path),
                    hint="move it aside, or export it with an older inventory and import the CSV",
                )
        except sqlite3.DatabaseError as error:
            connection.close()
            raise StoreError(
                f"is not a SQLite database ({error}); expected one made by inventory",
                source=str(self.path),
            ) from None
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    def own_files(self) -> set[Path]:
        path = self.path
        suffixes = ("", "-journal", "-wal", "-shm")
        return {path.with_name(path.name + s) for s in suffixes} | {path.parent / "projects.csv"}

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def problems(self) -> list[Problem]:
        return []

    def count(self, criteria: Criteria | None = None) -> int:
        return sql.count(self.connection, criteria)

    def select(self, criteria: Criteria = EVERYTHING, limit: int | None = None) -> Selection:
        shaped = sql.get_meta(self.connection, "record_format") == sql.RECORD_FORMAT
        return sql.select(self.connection, criteria, limit, shaped=shaped)

    def scan(self, criteria: Criteria = EVERYTHING) -> Iterator[Activity]:
        return sql.scan(self.connection, criteria)

    def bounds(self, criteria: Criteria | None = None) -> Period | None:
        return sql.bounds(self.connection, criteria)

    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        return sql.ids_starting(self.connection, prefix, limit)

    def project_names(self) -> set[str]:
        return sql.project_names(self.connection)

    def _sql(self) -> Sql:
        connection = self.connection
        return Sql(connection.execute, SQLITE, sql.max_span(connection))

    def project_lookup(self) -> dict[str, str] | None:
        source = sql.get_meta(self.connection, "projects_source")
        if source != self._names_source() and not self.keep_project_names():
            return None
        value = sql.get_meta(self.connection, "projects")
        return None if value is None else dict(json.loads(value))

    def _names_source(self) -> str:
        # The built-in registry comes with the code: a new version may rename a project (or
        # fold names another way). Its text, not the code's file times: those are a stat of
        # every module, and every write and query asks.
        source = registry_source(self.path)
        if source == "built-in":
            from importlib import resources

            builtin = resources.files("inventory").joinpath("_data/projects.csv")
            source += f" {__version__}:{builtin.read_text(encoding='utf-8')}"
        return source

    def keep_project_names(self) -> bool:
        """Write the name table for the registry as it is now (with each change, and once
        after projects.csv changed); False when the database cannot be written."""
        connection = self.connection
        own = not connection.in_transaction
        try:
            if own:
                connection.execute("BEGIN IMMEDIATE")
            table = sql.project_name_table(connection, self.registry)
            # Most writes leave it as it was: then no page of it is written again.
            for key, value in (
                ("projects", json.dumps(table, ensure_ascii=False)),
                ("projects_source", self._names_source()),
            ):
                if sql.get_meta(connection, key) != value:
                    sql.set_meta(connection, key, value)
            if own:
                connection.execute("COMMIT")
        except sqlite3.Error:
            if own and connection.in_transaction:
                connection.execute("ROLLBACK")
            return False
        return True

    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]:
        return sql.by_ids(self.connection, ids)

    def corpus_counts(self) -> CorpusCounts:
        """Counted once per version of the store (the last change of its history, which
        every write through the tool adds in its own transaction) and kept in ``meta``:
        no write pays for it and no table is added, and only the first query after a write
        reads every title. A database edited other than through the tool keeps stale
        counts until its next change."""
        from ..titlewords import CorpusCounts, rules

        connection = self.connection
        last = connection.execute("SELECT max(number) FROM change").fetchone()[0]
        version = f"{last} {rules()}"
        kept = sql.get_meta(connection, "corpus")
        if kept is not None:
            value = json.loads(kept)
            if value[0] == version:
                return CorpusCounts(*value[1:])
        counts = super().corpus_counts()
        if connection.in_transaction:  # a write's own reads: its change is not the last yet
            return counts
        value = [version, counts.size, counts.words, counts.cities, counts.countries]
        # The version was read before counting: a write in between labels newer counts
        # with an older version, which the next query counts again. Not worth waiting for
        # a writer's lock: a read-only or busy database just counts again next time.
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            connection.execute("BEGIN IMMEDIATE")
            sql.set_meta(connection, "corpus", json.dumps(value, ensure_ascii=False))
            connection.execute("COMMIT")
        except sqlite3.Error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        finally:
            connection.execute(f"PRAGMA busy_timeout = {int(lock_timeout() * 1000)}")
        return counts

    def in_stored_order(self) -> list[Activity]:
        """Every activity in the order the rows were written (``import`` reads another
        store this way, so that a round trip through SQLite keeps a CSV's order)."""
        rows = self.connection.execute("SELECT record FROM activity ORDER BY rowid")
        return list(sql.activities(rows))

    @contextlib.contextmanager
    def _begin(self, author: Author) -> Iterator[_Session]:
        if self.path.exists():
            check_writable(self.path)
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"cannot start a write: {error}", source=str(self.path)) from None
        try:
            yield _SqliteSession(self, author)
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def history(
        self,
        *,
        ident: str | None = None,
        author: str | None = None,
        period: Period | None = None,
        limit: int | None = None,
        edits: bool = True,
    ) -> list[Change]:
        return read_history(
            self.connection, ident=ident, author=author, period=period, limit=limit, edits=edits
        )

    def change(self, number: int) -> Change | None:
        found = read_history(self.connection, number=number)
        return found[0] if found else None

    def schema(self) -> tuple[int, int]:
        return sql.schema_version(self.connection), sql.SCHEMA_VERSION

    def upgrade(self) -> list[str]:
        return []  # a SQLite store is brought up to date as it is opened

    def initialise(self) -> str:
        existed = self.path.exists()
        self.create = True
        version = sql.schema_version(self.connection)
        if existed:
            return f"{self.path} is an inventory already (schema {version}); nothing to do"
        return f"created an empty store: {self.path} (schema {version})"


class _SqliteSession(_Session):
    streams = True

    def __init__(self, store: SqliteStore, author: Author) -> None:
        self.store = store
        self.author = author
        self._number: int | None = None
        self._at: datetime | None = None
        self._read: dict[str, Activity | None] = {}
        """What each id was read as since the last write (None: absent): a batch asks for
        the same id twice (is it taken, then what was it), an import for each of its rows."""

    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        return sql.ids_starting(self.store.connection, prefix, limit)

    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]:
        read = self._read
        wanted = [i for i in ids if i not in read]
        if wanted:
            found = sql.by_ids(self.store.connection, wanted)
            read.update((i, found.get(i)) for i in wanted)
        return {i: a for i in ids if (a := read[i]) is not None}

    def write(
        self, changes: dict[str, Activity | None], edits: list[Edit], reverts: int | None
    ) -> None:
        """A part of the batch in a bounded number of statements, whatever its size: the
        versions read at once, the rows inserted by one ``executemany`` a table, and each
        record turned into JSON once, for its row and for the history."""
        connection = self.store.connection
        self._read.clear()
        try:
            if len(changes) >= LARGE_WRITE:
                # An import's rows land at random places in every index (ids, sort keys):
                # with SQLite's 2 MB page cache, each insert soon misses it, more often the
                # larger the store. A bounded cache larger than a 100k store's indexes.
                connection.execute(f"PRAGMA cache_size = -{LARGE_WRITE_CACHE_KB}")
            if self._number is None:
                self._number, self._at = open_change(connection, self.author, reverts)
            rows = edit_rows(self._number, edits)
            texts = {row[1]: row[3] for row in rows if row[3] is not None}
            versions = versions_of(connection, list(changes))
            sql.delete(connection, [i for i in changes if i in versions])
            ready = [
                sql.prepare(activity, versions.get(ident, 0) + 1, None, texts.get(ident))
                for ident, activity in changes.items()
                if activity is not None
            ]
            sql.widen_span(connection, sql.insert_prepared(connection, ready))
            connection.executemany("INSERT INTO change_edit VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as error:
            raise StoreError(f"cannot write: {error}", source=str(self.store.path)) from None

    def commit(
        self, changes: dict[str, Activity | None], edits: list[Edit], reverts: int | None
    ) -> None:
        streamed = self._number is not None
        self.write(changes, edits, reverts)
        try:
            self.store.keep_project_names()
        except sqlite3.Error as error:
            raise StoreError(f"cannot write: {error}", source=str(self.store.path)) from None
        assert self._number is not None and self._at is not None
        self.change = Change(self._number, self._at, self.author.name, self.author.command,
                             () if streamed else tuple(edits), reverts)  # fmt: skip


def open_change(
    connection: sqlite3.Connection, author: Author, reverts: int | None = None
) -> tuple[int, datetime]:
    """Begin a history entry (its edits follow): its number and time."""
    at = now()
    cursor = connection.execute(
        "INSERT INTO change (at, author, command, reverts) VALUES (?, ?, ?, ?)",
        (at.isoformat(), author.name, author.command, reverts),
    )
    return int(cursor.lastrowid or 0), at


def edit_rows(number: int, edits: list[Edit]) -> list[tuple[int, str, str | None, str | None]]:
    """The ``change_edit`` rows of a change; a record is written as ``sql.record_text``
    writes it, so an added activity's row and its history hold the same text."""
    return [
        (
            number,
            e.id,
            None if e.before is None else json.dumps(e.before, ensure_ascii=False),
            None if e.after is None else json.dumps(e.after, ensure_ascii=False),
        )
        for e in edits
    ]


def record_edits(connection: sqlite3.Connection, number: int, edits: list[Edit]) -> None:
    connection.executemany("INSERT INTO change_edit VALUES (?, ?, ?, ?)", edit_rows(number, edits))


def versions_of(connection: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
    """The version of each of ``ids`` the store holds (the absent ones left out)."""
    found: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        rows = connection.execute(f"SELECT id, version FROM activity WHERE id IN ({marks})", chunk)
        found.update((ident, int(version)) for ident, version in rows)
    return found


def record_change(
    connection: sqlite3.Connection, author: Author, edits: list[Edit], reverts: int | None = None
) -> Change:
    number, at = open_change(connection, author, reverts)
    record_edits(connection, number, edits)
    return Change(number, at, author.name, author.command, tuple(edits), reverts)


def read_history(
    connection: sqlite3.Connection,
    *,
    ident: str | None = None,
    author: str | None = None,
    period: Period | None = None,
    limit: int | None = None,
    edits: bool = True,
    number: int | None = None,
) -> list[Change]:
    clauses: list[str] = []
    params: list[object] = []
    if number is not None:
        clauses.append("number = ?")
        params.append(number)
    if ident is not None:
        clauses.append("number IN (SELECT number FROM change_edit WHERE id = ?)")
        params.append(ident)
    if author is not None:
        clauses.append("author = ?")
        params.append(author)
    if period is not None:
        clauses.append("substr(at, 1, 10) BETWEEN ? AND ?")
        params += [period[0].isoformat(), period[1].isoformat()]
    sql_text = "SELECT number, at, author, command, reverts FROM change"
    if clauses:
        sql_text += " WHERE " + " AND ".join(clauses)
    sql_text += " ORDER BY number DESC"
    if limit is not None:
        sql_text += f" LIMIT {int(limit)}"
    changes = []
    for found, at, who, command, reverts in connection.execute(sql_text, params).fetchall():
        parts: tuple[Edit, ...] = ()
        if edits:
            only = "" if ident is None else " AND id = ?"
            parts = tuple(
                Edit(i, None if b is None else json.loads(b), None if a is None else json.loads(a))
                for i, b, a in connection.execute(
                    f"SELECT id, before, after FROM change_edit WHERE number = ?{only} "
                    "ORDER BY rowid",
                    (found,) if ident is None else (found, ident),
                )
            )
        changes.append(Change(found, datetime.fromisoformat(at), who, command, parts, reverts))
    return changes
