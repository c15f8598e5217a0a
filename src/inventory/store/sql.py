"""The SQLite schema shared by the SQLite store and the CSV store's cache, and the queries
that answer a :class:`~inventory.query.Criteria` from it (its ``to_sql`` gives the
``WHERE``).

Each activity is one ``activity`` row: its JSON record (``records.to_record``), the sort
string, and the columns a query filters on; its projects, countries and day segments are
rows of their own tables, indexed for the filters. Days are proleptic ordinals, so the
overlap test is integer arithmetic on an index (``query.Dialect.overlap``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import StoreError
from ..folding import project_key
from ..query import SQLITE, Criteria, city_key, haystack
from ..selection import Selection

if TYPE_CHECKING:
    from ..model import Activity
    from ..projects import Registry

SCHEMA_VERSION = 3

ACTIVITY_LINKS = """
CREATE TABLE IF NOT EXISTS activity_project (
    id TEXT NOT NULL, project TEXT NOT NULL, PRIMARY KEY (id, project)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS activity_project_name ON activity_project (project, id);
CREATE TABLE IF NOT EXISTS activity_country (
    id TEXT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (id, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS activity_country_code ON activity_country (code, id);
CREATE TABLE IF NOT EXISTS segment (
    id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS segment_id ON segment (id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS problem (line INTEGER, field TEXT, message TEXT NOT NULL);
"""[1:]
"""An activity's projects, countries and parts, and the store's meta and problems: the
same in the SQLite store and the CSV store's cache (``cacheschema.CACHE_SCHEMA``)."""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS activity (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    sort TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    month TEXT NOT NULL,
    precision TEXT NOT NULL,
    certainty TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    status TEXT NOT NULL,
    city TEXT NOT NULL,
    haystack TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    hash BLOB
);
CREATE INDEX IF NOT EXISTS activity_start ON activity (start);
CREATE INDEX IF NOT EXISTS activity_sort ON activity (sort);
-- Covers what the aggregates read of an activity found through its projects or countries
-- (its days, parts and status), so they never read its record (aggregates.py).
CREATE INDEX IF NOT EXISTS activity_span ON activity (id, start, "end", parts, status);
CREATE UNIQUE INDEX IF NOT EXISTS activity_hash ON activity (hash) WHERE hash IS NOT NULL;
{ACTIVITY_LINKS}"""
RECORD_FORMAT = "1"
"""The shape of the ``record`` column's JSON (``records.to_record``, written as ``list --json``
writes it). A store that says it holds this shape answers JSON queries with the records as
kept; bump it when the shape changes (tests/test_store.py pins the shape), and stores
written before fall back to building models until rewritten. A PostgreSQL store answers
with its records too: the change needs a schema step (pgschema) that rewrites them."""
TABLES = ("activity", "activity_project", "activity_country", "segment", "meta", "problem")

_COLUMNS = (
    'id, record, sort, start, "end", parts, month, precision, certainty, deadline, status, '
    "city, haystack, version, hash"
)


def connect(target: str, *, uri: bool = False, timeout: float = 60.0) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are begun explicitly, with
    ``BEGIN IMMEDIATE`` for writes, so two writers queue instead of deadlocking."""
    try:
        connection = sqlite3.connect(
            target, timeout=timeout, isolation_level=None, uri=uri, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the database: {error}", source=target) from None
    connection.execute("PRAGMA foreign_keys = OFF")
    return connection


def create_schema(
    connection: sqlite3.Connection, extra: str = "", *, in_transaction: bool = False
) -> None:
    """Create the tables (and ``extra`` ones) in one transaction: two processes creating the
    same new database at once both end with the whole schema. ``in_transaction``: the
    caller has begun it (and commits it)."""
    statements = [s.strip() for s in f"{SCHEMA}\n{extra}".split(";") if s.strip()]
    run_schema(connection, statements, SCHEMA_VERSION, in_transaction=in_transaction)


def run_schema(
    connection: sqlite3.Connection,
    statements: list[str],
    version: int,
    *,
    in_transaction: bool = False,
) -> None:
    """Run a schema's statements and stamp its version, all or none (see
    :func:`create_schema`; the CSV store's cache has a schema of its own)."""
    statements = [*statements, f"PRAGMA user_version = {version}"]
    if not in_transaction:
        connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            connection.execute(statement)
        if not in_transaction:
            connection.execute("COMMIT")
    except BaseException:
        if not in_transaction:
            connection.execute("ROLLBACK")
        raise


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def get_meta(connection: sqlite3.Connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def row_values(
    activity: Activity, version: int = 1, hash_: bytes | None = None, record: str | None = None
) -> tuple[Any, ...]:
    """``record``: the activity's :func:`record_text` when the caller has it already (a
    write puts the same text in the history)."""
    from ..records import sort_string

    schedule = activity.schedule
    return (
        activity.id,
        record_text(activity) if record is None else record,
        sort_string(activity),
        schedule.start.toordinal(),
        schedule.end.toordinal(),
        len(schedule.segments),
        schedule.month,
        schedule.precision.value,
        schedule.certainty.value,
        int(schedule.deadline),
        activity.status.value,
        city_key(activity),
        haystack(activity),
        version,
        hash_,
    )


def record_text(activity: Activity) -> str:
    """The ``record`` column: as ``list --json`` writes each record, so a query can copy it
    out as it is."""
    from ..records import to_record

    return json.dumps(to_record(activity), ensure_ascii=False)


Prepared = tuple[
    tuple[Any, ...], list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, int, int]], int
]
"""An activity made ready for :func:`insert_prepared`: its row, its project, country and
segment rows, and its window's length in days. Plain tuples, so a worker process can make
them and send them back."""


def prepare(
    activity: Activity, version: int = 1, hash_: bytes | None = None, record: str | None = None
) -> Prepared:
    segments = activity.schedule.segments
    return (
        row_values(activity, version, hash_, record),
        [(activity.id, p) for p in activity.projects],
        [(activity.id, c) for c in dict.fromkeys(activity.country_codes)],
        [(activity.id, s.start.toordinal(), s.end.toordinal()) for s in segments]
        if len(segments) > 1
        else [],
        (activity.end - activity.start).days,
    )


def insert_prepared(connection: sqlite3.Connection, items: Iterable[Prepared]) -> int:
    """Insert prepared activities; returns the longest window among them, in days."""
    rows: list[tuple[Any, ...]] = []
    projects: list[tuple[str, str]] = []
    countries: list[tuple[str, str]] = []
    segments: list[tuple[str, int, int]] = []
    span = 0
    for row, its_projects, its_countries, its_segments, length in items:
        rows.append(row)
        projects += its_projects
        countries += its_countries
        segments += its_segments
        span = max(span, length)
    connection.executemany(
        f"INSERT INTO activity ({_COLUMNS}) VALUES ({', '.join('?' * 15)})", rows
    )
    connection.executemany("INSERT INTO activity_project VALUES (?, ?)", projects)
    connection.executemany("INSERT INTO activity_country VALUES (?, ?)", countries)
    connection.executemany("INSERT INTO segment VALUES (?, ?, ?)", segments)
    return span


def insert(
    connection: sqlite3.Connection,
    activities: Iterable[tuple[Activity, bytes | None]],
    *,
    version: int = 1,
) -> int:
    """Insert activities (with their row hash, for the CSV cache); returns the longest
    window among them, in days, for the overlap bound."""
    return insert_prepared(connection, (prepare(a, version, h) for a, h in activities))


def delete(connection: sqlite3.Connection, ids: Sequence[str]) -> None:
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        for table in ("activity", "activity_project", "activity_country", "segment"):
            connection.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)


def widen_span(connection: sqlite3.Connection, span: int) -> None:
    """Keep the longest window known; it only grows (a removal leaves it wider than needed,
    which costs a little speed and never a result)."""
    if span > max_span(connection):
        set_meta(connection, "max_span", str(span))


def max_span(connection: sqlite3.Connection) -> int:
    value = get_meta(connection, "max_span")
    return int(value) if value else 0


def activities(rows: Iterable[tuple[str]], *, proven: bool = False) -> Iterator[Activity]:
    """The models of stored records; ``proven``: the model validated each as it came in
    (a CSV store's cache), so they are made without running the validators again."""
    from ..records import proven_record, trusted_record  # the models: for a table, a write

    if not proven:
        for (record,) in rows:
            yield trusted_record(json.loads(record))
        return
    shared: dict[Any, Any] = {}
    for (record,) in rows:
        if len(shared) > SHARED_KEPT:  # a whole store's scan: what rows share, a while
            shared.clear()
        yield proven_record(json.loads(record), shared)


SHARED_KEPT = 4096
"""Schedules and places a scan gives its models in common before it starts afresh: a big
store has tens of thousands of either, which a scan (a whole-store export) must not keep."""


BOUNDED_LIMIT = 1000
_FIRST_ENDS = (
    'SELECT max(f.e) FROM (SELECT a."end" AS e FROM activity a WHERE {where} '
    "ORDER BY a.start LIMIT ?) f"
)
"""The first few activities in sort order without sorting all that match: an activity's
sort day (``records.sort_string``: its first day, or its last for a month) is never before
its first day nor after its last, so the ``n`` that start first have ``n`` sort days no
later than the latest of their last days, and the first ``n`` in sort order all start by
then. Those ``n`` come from the start index, read in order and stopped there; the cache's
sort key is computed, and sorting every match to keep ten cost a project's page at 1M a
second (1.2 s to 17 ms)."""


def select(
    connection: sqlite3.Connection,
    criteria: Criteria,
    limit: int | None = None,
    *,
    shaped: bool = True,
    proven: bool = False,
) -> Selection:
    """The matching activities as their stored records, soonest first; models are built
    only when asked for (``shaped``: whether the records are in this version's shape;
    ``proven``: whether the model validated each as it came in, see ``Selection``)."""
    where, params = criteria.to_sql(SQLITE, max_span(connection))
    if limit is not None and limit <= BOUNDED_LIMIT:
        first_ends = _FIRST_ENDS.replace("{where}", where)
        where, params = f"{where} AND a.start <= ({first_ends})", [*params, *params, limit]
    sql = f"SELECT a.record FROM activity a WHERE {where} ORDER BY a.sort"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(min(limit, 2**63 - 1))  # --limit 10**30 means no limit, not a crash
    texts = [record for (record,) in connection.execute(sql, params)]
    return Selection(texts=texts, shaped=shaped, proven=proven)


def scan(
    connection: sqlite3.Connection, criteria: Criteria, *, copy: bool = False, proven: bool = False
) -> Iterator[Activity]:
    """The activities of :func:`select`, built one at a time as the cursor reads them. With
    ``copy``, their records are first copied to a temporary file in one quick read, so no
    read stays open while the caller works through them: in a rollback journal (the CSV
    store's cache) an open read makes every writer wait for it."""
    rows = ((r,) for _, r in scan_records(connection, criteria, copy=copy))
    yield from activities(rows, proven=proven)


def scan_records(
    connection: sqlite3.Connection, criteria: Criteria, *, copy: bool = False
) -> Iterator[tuple[str, str]]:
    """:func:`scan`'s ids and records as stored (``records.to_record`` as JSON), no model
    built."""
    where, params = criteria.to_sql(SQLITE, max_span(connection))
    rows = connection.execute(
        f"SELECT a.id, a.record FROM activity a WHERE {where} ORDER BY a.sort", params
    )
    if not copy:
        yield from rows
        return
    kept = sqlite3.connect("")  # a temporary file, deleted when closed
    try:
        kept.execute("CREATE TABLE record (id TEXT NOT NULL, record TEXT NOT NULL)")
        kept.executemany("INSERT INTO record VALUES (?, ?)", rows)
        yield from kept.execute("SELECT id, record FROM record ORDER BY rowid")
    finally:
        kept.close()


def count(connection: sqlite3.Connection, criteria: Criteria | None = None) -> int:
    where, params = (criteria or Criteria()).to_sql(SQLITE, max_span(connection))
    return int(
        connection.execute(f"SELECT count(*) FROM activity a WHERE {where}", params).fetchone()[0]
    )


def bounds(
    connection: sqlite3.Connection, criteria: Criteria | None = None
) -> tuple[date, date] | None:
    where, params = (criteria or Criteria()).to_sql(SQLITE, max_span(connection))
    row = connection.execute(
        f'SELECT min(a.start), max(a."end") FROM activity a WHERE {where}', params
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return date.fromordinal(row[0]), date.fromordinal(row[1])


def by_ids(
    connection: sqlite3.Connection, ids: Sequence[str], *, proven: bool = False
) -> dict[str, Activity]:
    found: dict[str, Activity] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = connection.execute(
            f"SELECT id, record FROM activity WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        )
        for ident, record in rows:
            found[ident] = next(activities([(record,)], proven=proven))
    return found


def ids_starting(connection: sqlite3.Connection, prefix: str, limit: int = 50) -> list[str]:
    """Ids that begin with ``prefix``, in order (an index range, not a scan)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
    if upper is None:
        rows = connection.execute("SELECT id FROM activity ORDER BY id LIMIT ?", (limit,))
    else:
        rows = connection.execute(
            "SELECT id FROM activity WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, upper, limit),
        )
    return [r[0] for r in rows]


def version_of(connection: sqlite3.Connection, ident: str) -> int | None:
    row = connection.execute("SELECT version FROM activity WHERE id = ?", (ident,)).fetchone()
    return None if row is None else int(row[0])


def project_name_table(connection: sqlite3.Connection, registry: Registry) -> dict[str, str]:
    """Every name a ``--project`` may give, by its lookup key: the registry's names and
    aliases, then the names the store uses that the registry does not know. Kept with the
    registry it was made from, so a query resolves ``--project`` without loading it."""
    names = {project_key(n): n for n in project_names(connection)}
    for project in registry.projects:
        for name in (project.name, *project.aliases):
            names[project_key(name)] = project.name
    return names


def project_names(connection: sqlite3.Connection) -> set[str]:
    # A skip scan of the (project, id) index: one probe per project, not one step per row
    # (a write asks this twice; a DISTINCT walks the whole index).
    rows = connection.execute(
        "WITH RECURSIVE p (project) AS ("
        "SELECT min(project) FROM activity_project UNION ALL "
        "SELECT (SELECT min(q.project) FROM activity_project q WHERE q.project > p.project) "
        "FROM p WHERE p.project IS NOT NULL"
        ") SELECT project FROM p WHERE project IS NOT NULL"
    )
    return {r[0] for r in rows}
