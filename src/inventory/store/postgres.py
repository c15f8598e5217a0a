"""The PostgreSQL store (``--store postgresql://officer@db.example/inventory``), through
psycopg 3, for a team: many officers on one server, each write a transaction.

* **Credentials** are libpq's own, so they work as they do for ``psql``: in the URL, in
  ``PGPASSWORD``, in ``~/.pgpass`` (``PGPASSFILE``), or in a service file
  (``postgresql:///?service=inventory``, ``PGSERVICEFILE``). A password never appears in a
  message: :func:`redact` takes it out of the URL, and out of any text from the server.
* **Queries** are :meth:`Criteria.to_sql` in the ``POSTGRES`` dialect on the schema of
  ``pgschema.py``; a period is an index search on the ``during`` range.
* **Writes** are one transaction each. Every row carries the number of the change that last
  wrote it (its version); a write locks the rows it changes only if they still have the
  version it read, so a second officer editing the same activity at the same time gets a
  :class:`~inventory.changes.ConflictError` naming the field and who changed it, never a
  silent overwrite. The change and its edits go to ``change`` and ``change_edit`` in the
  same transaction. A client that dies, or a server that goes away, mid-write leaves
  nothing behind: the server rolls back what was not committed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..aggregates import Sql
from ..changes import Author, Change, Edit, changed_fields, conflict
from ..errors import Problem, StoreError, redact, secrets_in
from ..months import Period
from ..query import EVERYTHING, POSTGRES, Criteria, city_key, haystack
from ..selection import Selection
from . import pgschema
from .base import Store, _Session
from .files import lock_timeout

if TYPE_CHECKING:  # the models load only when a command needs them: not for list --json
    from ..model import Activity
    from ..projects import Registry

ACTIVITY_COLUMNS = (
    'id, record, sort, start, "end", during, days, parts, month, "precision", certainty, '
    "deadline, status, city, haystack, version"
)
ANALYZE_AFTER = 1000
"""A write of this many activities (an import) refreshes the planner's statistics at once,
rather than when autovacuum gets to it: until then a period query may not use its index."""
LOOKUPS_BEFORE_ID_SET = 64
"""After this many single-id lookups in one write (an import), the ids are read once and
absent ones answered from that set instead of one round trip each."""


def _secrets(url: str) -> list[str]:
    return secrets_in(url)


NETWORK_DEFAULTS = {
    "connect_timeout": "10",
    # A server that went away without a word (a cut link, a laptop's Wi-Fi) is noticed:
    # after 10 s of silence, three probes 5 s apart; and data the server never
    # acknowledged gives up after 30 s. Without them a write waits for ever.
    "keepalives": "1",
    "keepalives_idle": "10",
    "keepalives_interval": "5",
    "keepalives_count": "3",
    "tcp_user_timeout": "30000",
}
"""libpq settings used unless the URL (or a PG* variable) gives its own."""
_ENVIRONMENT = {"connect_timeout": "PGCONNECT_TIMEOUT"}
IDLE_IN_TRANSACTION = 300_000
"""ms: a session of ours that stops talking inside a transaction is ended by the server and
its changes rolled back, so it does not hold other officers' rows for ever."""


def connection_settings(url: str) -> dict[str, Any]:
    """What ``psycopg.connect`` is given beside the URL: the network defaults the URL does
    not set, and the session's lock and idle limits."""
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(url)
    settings: dict[str, Any] = {
        key: value
        for key, value in NETWORK_DEFAULTS.items()
        if key not in given and _ENVIRONMENT.get(key, "") not in os.environ
    }
    limits = (
        f"-c lock_timeout={int(lock_timeout() * 1000)} "
        f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION}"
    )
    given_options = str(given.get("options", "")).strip()
    settings["options"] = f"{given_options} {limits}".strip()
    settings.update(autocommit=True, application_name="inventory")
    return settings


class PostgresStore(Store):
    kind = "postgresql"

    def __init__(self, url: str, *, create: bool = False) -> None:
        self.url = url
        self.location = redact(url, _secrets(url))
        self.create = create
        self._connection: Any = None
        self._checked = False
        self._registry: Registry | None = None

    # --- connecting ------------------------------------------------------------------------

    def _error(self, error: Exception, doing: str, after: str = "") -> StoreError:
        """One line for a driver error, naming what was being done, never a password."""
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        # libpq quotes a URI it cannot parse whole: its password is shown as ***.
        for secret in sorted(_secrets(self.url), key=len, reverse=True):
            text = text.replace(secret, "***")
        text = redact(text)
        text = text.removeprefix("connection failed: ")
        hint = None
        if "password" in text and "authentication" in text and _secrets(self.url):
            hint = "the password in the URL was refused; check it (or leave it out of the URL "
            hint += "and give it in PGPASSWORD, ~/.pgpass or a service file, as for psql)"
        elif "password" in text and ("authentication" in text or "no password" in text):
            hint = "give the password in PGPASSWORD, ~/.pgpass or a service file, as for psql"
        elif "Connection refused" in text or "No such file or directory" in text:
            hint = "is the server running, and are the host and port right?"
        return StoreError(f"cannot {doing}: {text}{after}", source=self.location, hint=hint)

    @property
    def raw(self) -> Any:
        """The connection, whatever the schema's version (for ``db`` commands)."""
        if self._connection is None:
            import psycopg

            try:
                self._connection = psycopg.connect(self.url, **connection_settings(self.url))
            except psycopg.Error as error:
                raise self._error(error, "connect") from None
        return self._connection

    @property
    def connection(self) -> Any:
        """The connection to a store of this inventory's schema (made on a first write)."""
        connection = self.raw
        if not self._checked:
            with self._guard("read the schema version"):
                version = pgschema.schema_version(connection)
                if version == 0 and self.create:
                    pgschema.apply(connection)
                    version = pgschema.schema_version(connection)
            self._check_version(version)
            self._checked = True
        return connection

    def _check_version(self, version: int) -> None:
        if version == 0:
            raise StoreError(
                "this database holds no inventory yet",
                source=self.location,
                hint=f"create it with 'inventory db init --store {self.location}', or "
                f"import into it with --create: inventory import data/activities.csv "
                f"--store {self.location} --create",
            )
        if version < pgschema.VERSION:
            raise StoreError(
                f"the store has schema version {version}; this inventory needs {pgschema.VERSION}",
                source=self.location,
                hint=f"upgrade it (every officer then needs this inventory): "
                f"inventory db upgrade --store {self.location}",
            )
        if version > pgschema.VERSION:
            raise StoreError(
                f"the store has schema version {version}, newer than this inventory knows "
                f"({pgschema.VERSION})",
                source=self.location,
                hint="install the newer inventory: pip install --upgrade inventory",
            )

    @contextlib.contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.errors.LockNotAvailable:
            raise StoreError(
                f"cannot {doing}: another officer's write held the rows for "
                f"{lock_timeout():.0f} s; nothing was written",
                source=self.location,
                hint="try again when it ends, or wait longer with INVENTORY_LOCK_TIMEOUT=SECONDS",
            ) from None
        except psycopg.Error as error:
            raise self._error(error, doing) from None

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None

    # --- the schema ----------------------------------------------------------------------

    def schema(self) -> tuple[int, int]:
        with self._guard("read the schema version"):
            return pgschema.schema_version(self.raw), pgschema.VERSION

    def upgrade(self) -> list[str]:
        with self._guard("upgrade the schema"):
            version = pgschema.schema_version(self.raw)
            if version > pgschema.VERSION:
                self._check_version(version)
            return pgschema.apply(self.raw)

    def initialise(self) -> str:
        with self._guard("create the schema"):
            version = pgschema.schema_version(self.raw)
            if version == 0:
                pgschema.apply(self.raw)
                return f"created the inventory in {self.location} (schema {pgschema.VERSION})"
        self._check_version(version)
        return f"{self.location} holds an inventory already (schema {version}); nothing to do"

    # --- reading ---------------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            from ..projects import load_registry

            self._registry = load_registry()
        return self._registry

    def project_lookup(self) -> dict[str, str] | None:
        # The built-in registry's names (read without building its models) and the names
        # the activities use: what sql.project_name_table gives a SQLite store.
        from importlib import resources

        from ..folding import project_key, registry_names

        builtin = resources.files("inventory").joinpath("_data/projects.csv")
        names = {project_key(n): n for n in self.project_names()}
        names.update(registry_names(builtin.read_text(encoding="utf-8")))
        return names

    def problems(self) -> list[Problem]:
        self.connection  # noqa: B018 (reaching the server is the check)
        return []

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        connection = self.connection
        with self._guard("read"):
            return list(connection.execute(sql, params).fetchall())

    def count(self, criteria: Criteria | None = None) -> int:
        where, params = (criteria or EVERYTHING).to_sql(POSTGRES)
        return int(self._rows(f"SELECT count(*) FROM activity a WHERE {where}", params)[0][0])

    def select(self, criteria: Criteria = EVERYTHING, limit: int | None = None) -> Selection:
        # Records are kept compact, in to_record's key order (json, not jsonb, keeps it);
        # the selection prints them as list --json does. A new record shape comes with a
        # schema step that rewrites them (pgschema), so a store of this schema holds this
        # shape.
        where, params = criteria.to_sql(POSTGRES)
        sql = f"SELECT a.record FROM activity a WHERE {where} ORDER BY a.sort"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        return Selection(rows=[row[0] for row in self._rows(sql, params)])

    def scan(self, criteria: Criteria = EVERYTHING) -> Iterator[Activity]:
        # Streamed by the server a row at a time (psycopg's stream): no other query may run
        # on the connection until it ends.
        from ..records import trusted_record

        where, params = criteria.to_sql(POSTGRES)
        sql = f"SELECT a.record FROM activity a WHERE {where} ORDER BY a.sort"
        connection = self.connection
        with self._guard("read"):
            for (record,) in connection.cursor().stream(sql, params):
                yield trusted_record(record)

    def bounds(self, criteria: Criteria | None = None) -> Period | None:
        where, params = (criteria or EVERYTHING).to_sql(POSTGRES)
        [(first, last)] = self._rows(
            f'SELECT min(a.start), max(a."end") FROM activity a WHERE {where}', params
        )
        return None if first is None else (first, last)

    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        return _ids_starting(self._rows, prefix, limit)

    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]:
        from ..records import trusted_record

        rows = self._rows("SELECT id, record FROM activity WHERE id = ANY(%s)", (list(ids),))
        return {ident: trusted_record(record) for ident, record in rows}

    def _sql(self) -> Sql:
        return Sql(self._rows, POSTGRES)

    def project_names(self) -> set[str]:
        # A skip scan of the (project, id) index: one probe per project, not one per row
        # (every --project query asks this).
        rows = self._rows(
            "WITH RECURSIVE p AS ("
            "(SELECT project FROM activity_project ORDER BY project LIMIT 1) UNION ALL "
            "SELECT (SELECT q.project FROM activity_project q WHERE q.project > p.project "
            "ORDER BY q.project LIMIT 1) FROM p WHERE p.project IS NOT NULL"
            ") SELECT project FROM p WHERE project IS NOT NULL"
        )
        return {r[0] for r in rows}

    # --- history ---------------------------------------------------------------------------

    def history(
        self,
        *,
        ident: str | None = None,
        author: str | None = None,
        period: Period | None = None,
        limit: int | None = None,
        edits: bool = True,
        number: int | None = None,
    ) -> list[Change]:
        clauses: list[str] = []
        params: list[Any] = []
        if number is not None:
            clauses.append("c.number = %s")
            params.append(number)
        if ident is not None:
            clauses.append("c.number IN (SELECT e.number FROM change_edit e WHERE e.id = %s)")
            params.append(ident)
        if author is not None:
            clauses.append("c.author = %s")
            params.append(author)
        if period is not None:
            clauses.append("(c.at AT TIME ZONE 'UTC')::date BETWEEN %s AND %s")
            params += [period[0], period[1]]
        sql = "SELECT c.number, c.at, c.author, c.command, c.reverts FROM change c"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY c.number DESC"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        heads = self._rows(sql, params)
        found: dict[int, list[Edit]] = {int(h[0]): [] for h in heads}
        if edits and found:
            only = "" if ident is None else " AND id = %s"
            for number_, ident_, before, after in self._rows(
                f"SELECT number, id, before, after FROM change_edit WHERE number = ANY(%s)"
                f"{only} ORDER BY number, seq",
                (list(found),) if ident is None else (list(found), ident),
            ):
                found[int(number_)].append(Edit(ident_, before, after))
        return [
            Change(int(n), _utc(at), who, command, tuple(found[int(n)]), reverts)
            for n, at, who, command, reverts in heads
        ]

    def change(self, number: int) -> Change | None:
        found = self.history(number=number)
        return found[0] if found else None

    # --- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _begin(self, author: Author) -> Iterator[_Session]:
        connection = self.connection
        with self._guard("start a write"):
            connection.execute("BEGIN")
        session = _PostgresSession(self, author)
        try:
            yield session
        except BaseException:
            with contextlib.suppress(Exception):
                connection.execute("ROLLBACK")
            raise
        import psycopg

        try:
            connection.execute("COMMIT")
        except psycopg.Error as error:
            # Sent or not, the server may have committed: say so rather than guess.
            raise StoreError(
                f"the connection failed while committing ({self._error(error, 'commit').message}"
                "); the change may or may not have been written",
                source=self.location,
                hint="'inventory history --limit 1' shows whether it was",
            ) from None
        if session.written >= ANALYZE_AFTER:
            with contextlib.suppress(psycopg.Error):
                connection.execute("ANALYZE activity, activity_project, activity_country")


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _ids_starting(rows: Any, prefix: str, limit: int) -> list[str]:
    """Ids that begin with ``prefix``, in order: a range on the primary key (the ids'
    collation is "C", so the range is the prefix's)."""
    if not prefix:
        return [r[0] for r in rows("SELECT id FROM activity ORDER BY id LIMIT %s", (limit,))]
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return [
        r[0]
        for r in rows(
            "SELECT id FROM activity WHERE id >= %s AND id < %s ORDER BY id LIMIT %s",
            (prefix, upper, limit),
        )
    ]


def _days(activity: Activity) -> tuple[str, str]:
    """The window as a daterange and the known days as a datemultirange, in PostgreSQL's
    text form (inclusive bounds)."""
    schedule = activity.schedule
    during = f"[{schedule.start.isoformat()},{schedule.end.isoformat()}]"
    if not schedule.segments:
        return during, "{" + during + "}"
    pieces = ",".join(f"[{s.start.isoformat()},{s.end.isoformat()}]" for s in schedule.segments)
    return during, "{" + pieces + "}"


def row_of(activity: Activity, version: int, record: str | None = None) -> tuple[Any, ...]:
    """``record``: the activity's record as :func:`_json` writes it, when the caller has it
    already (a write puts the same text in the history)."""
    from ..records import sort_string, to_record

    schedule = activity.schedule
    during, days = _days(activity)
    return (
        activity.id,
        _json(to_record(activity)) if record is None else record,
        sort_string(activity),
        schedule.start,
        schedule.end,
        during,
        days,
        len(schedule.segments),
        schedule.month,
        schedule.precision.value,
        schedule.certainty.value,
        schedule.deadline,
        activity.status.value,
        city_key(activity),
        haystack(activity),
        version,
    )


class _PostgresSession(_Session):
    """One write. Reads see the latest committed rows (READ COMMITTED); the first read of
    each id is kept, with its version, so the batch and the final check agree on what was
    read."""

    def __init__(self, store: PostgresStore, author: Author) -> None:
        self.store = store
        self.author = author
        self.seen: dict[str, tuple[int, Activity] | None] = {}
        self.lookups = 0
        self.all_ids: set[str] | None = None
        self.written = 0
        self._number: int | None = None
        self._at: Any = None
        self._seq = 0
        """The next edit's place in the history entry (edits come in parts)."""

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.store._guard("read"):
            return list(self.store.connection.execute(sql, params).fetchall())

    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        return _ids_starting(self._rows, prefix, limit)

    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]:
        wanted = [i for i in dict.fromkeys(ids) if i not in self.seen]
        if wanted:
            self.lookups += 1
            if self.all_ids is None and self.lookups > LOOKUPS_BEFORE_ID_SET:
                self.all_ids = {r[0] for r in self._rows("SELECT id FROM activity")}
            if self.all_ids is not None:
                for ident in wanted:
                    if ident not in self.all_ids:
                        self.seen[ident] = None
                wanted = [i for i in wanted if i in self.all_ids]
        if wanted:
            from ..records import trusted_record

            for ident in wanted:
                self.seen[ident] = None
            for ident, record, version in self._rows(
                "SELECT id, record, version FROM activity WHERE id = ANY(%s)", (wanted,)
            ):
                self.seen[ident] = (int(version), trusted_record(record))
        out: dict[str, Activity] = {}
        for ident in ids:
            known = self.seen.get(ident)
            if known is not None:
                out[ident] = known[1]
        return out

    streams = True

    def write(
        self, changes: dict[str, Activity | None], edits: list[Edit], reverts: int | None
    ) -> None:
        """Write a part of the batch inside the open transaction (a long import holds one
        part at a time); its edits join the one history entry."""
        store = self.store
        connection = store.connection
        import psycopg

        read = {i: self.seen.get(i) for i in changes}
        held = {i: v[0] for i, v in read.items() if v is not None}
        try:
            with connection.cursor() as cursor:
                self._lock(cursor, held)
                if self._number is None:
                    self._number, self._at = cursor.execute(
                        "INSERT INTO change (author, command, reverts) VALUES (%s, %s, %s) "
                        "RETURNING number, at",
                        (self.author.name, self.author.command, reverts),
                    ).fetchone()
                number = self._number
                if held:
                    cursor.execute("DELETE FROM activity WHERE id = ANY(%s)", (list(held),))
                written = [a for a in changes.values() if a is not None]
                self.written += len(changes)
                # Each record turned into JSON once, for its row and for the history.
                texts = {e.id: (_json(e.before), _json(e.after)) for e in edits}
                with cursor.copy(f"COPY activity ({ACTIVITY_COLUMNS}) FROM STDIN") as copy:
                    for activity in written:
                        known = texts.get(activity.id)
                        copy.write_row(row_of(activity, number, known[1] if known else None))
                with cursor.copy("COPY activity_project (id, project) FROM STDIN") as copy:
                    for activity in written:
                        for project in dict.fromkeys(activity.projects):
                            copy.write_row((activity.id, project))
                with cursor.copy("COPY activity_country (id, code) FROM STDIN") as copy:
                    for activity in written:
                        for code in dict.fromkeys(activity.country_codes):
                            copy.write_row((activity.id, code))
                with cursor.copy(
                    "COPY change_edit (number, seq, id, before, after) FROM STDIN"
                ) as copy:
                    for edit in edits:
                        copy.write_row((number, self._seq, edit.id, *texts[edit.id]))
                        self._seq += 1
        except psycopg.errors.UniqueViolation as error:
            # Someone added the same id since this batch saw it absent.
            ident = _key_of(error) or next(iter(changes))
            raise self._conflict([ident], changes) from None
        except psycopg.errors.LockNotAvailable:
            raise StoreError(
                f"another officer's write held these activities for {lock_timeout():.0f} s; "
                "nothing was written",
                source=store.location,
                hint="try again when it ends, or wait longer with INVENTORY_LOCK_TIMEOUT=SECONDS",
            ) from None
        except psycopg.Error as error:
            raise store._error(error, "write", "; nothing was written") from None
        for ident, after in changes.items():
            self.seen.pop(ident, None)  # written: what it was read as is no longer needed
            if self.all_ids is not None:
                if after is None:
                    self.all_ids.discard(ident)
                else:
                    self.all_ids.add(ident)

    def commit(
        self, changes: dict[str, Activity | None], edits: list[Edit], reverts: int | None
    ) -> None:
        streamed = self._number is not None
        self.write(changes, edits, reverts)
        assert self._number is not None and self._at is not None
        self.change = Change(int(self._number), _utc(self._at), self.author.name,
                             self.author.command, () if streamed else tuple(edits),
                             reverts)  # fmt: skip

    def _lock(self, cursor: Any, held: dict[str, int]) -> None:
        """Lock the rows this write changes, if they still have the version it read; any
        other is a conflict (someone changed or removed it since)."""
        if not held:
            return
        ids = sorted(held)  # one order for every writer: no deadlock between two batches
        locked = {
            ident
            for ident, version in cursor.execute(
                "SELECT a.id, a.version FROM activity a "
                "JOIN unnest(%s::text[], %s::bigint[]) AS w(id, version) "
                "ON a.id = w.id AND a.version = w.version ORDER BY a.id FOR UPDATE OF a",
                (ids, [held[i] for i in ids]),
            ).fetchall()
        }
        lost = [i for i in ids if i not in locked]
        if lost:
            raise self._conflict(lost, None)

    def _conflict(self, ids: list[str], changes: dict[str, Activity | None] | None) -> Exception:
        """The conflict error for the first of ``ids``: what changed in it and who did it,
        read from the rows as they are now (the transaction is rolled back after)."""
        import psycopg

        store = self.store
        ident = ids[0]
        try:
            connection = store.connection
            connection.execute("ROLLBACK")
            connection.execute("BEGIN")
            row = connection.execute(
                "SELECT record FROM activity WHERE id = %s", (ident,)
            ).fetchone()
            latest = store.history(ident=ident, limit=1, edits=False)
            by = latest[0] if latest else None
        except psycopg.Error:
            row, by = None, None
        from ..records import to_record

        before = self.seen.get(ident)
        read_record = None if before is None else to_record(before[1])
        now_record = None if row is None else row[0]
        if read_record is None and changes is not None:
            # Added by someone else meanwhile: compare with what this batch meant to add.
            mine = changes.get(ident)
            fields = changed_fields(None if mine is None else to_record(mine), now_record)
            return conflict(ident, fields, by, what="added")
        fields = changed_fields(read_record, now_record)
        return conflict(ident, fields, by, what="removed" if row is None else "changed")


def _json(record: dict[str, Any] | None) -> str | None:
    return None if record is None else json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _key_of(error: Any) -> str | None:
    detail = getattr(getattr(error, "diag", None), "message_detail", None) or ""
    found = re.search(r"\(id\)=\((.*?)\)", detail)
    return found.group(1) if found else None
