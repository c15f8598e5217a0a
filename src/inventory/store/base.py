"""The one interface every command goes through, whatever keeps the activities (a CSV or
JSON file, a SQLite file, a PostgreSQL server).

Reads: :meth:`Store.get` (an id or a unique prefix), :meth:`Store.select` (a
:class:`~inventory.query.Criteria`, soonest first, as a
:class:`~inventory.selection.Selection`), :meth:`Store.upcoming`, :meth:`Store.bounds`,
:meth:`Store.count`, :meth:`Store.problems` (rows that could not be read) and
:attr:`Store.registry` (the projects). Writes: :meth:`Store.transaction` gives a
:class:`Batch`; its adds, updates and removals are written together when the ``with``
block ends, and recorded as one :class:`~inventory.changes.Change`, or not at all.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..changes import Author, Change, Damage, Edit
from ..errors import Problem, StoreError, UsageError, shortened
from ..months import Period
from ..query import EVERYTHING, Criteria, upcoming_criteria
from ..selection import Selection

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..aggregates import By, KeyTotals, PeriodCounts, Sql
    from ..model import Activity
    from ..projects import Registry
    from ..titlewords import CorpusCounts


class AmbiguousId(UsageError):
    """An id prefix that matches several activities."""


class UnknownId(UsageError):
    """An id (or prefix) that no activity has."""


@runtime_checkable
class HandEdited(Protocol):
    """A store people edit by hand (``csvfile.CsvStore``): it can say where each row is and
    what its cells say, so a problem is reported at its line. ``validation.written_by_hand``
    asks for it with ``isinstance``; the other stores are not asked."""

    def rows_as_written(self) -> dict[str, tuple[int, dict[str, str]]]:
        """Each id's line and cells as written (the first row of a duplicated id)."""
        ...

    def written_lookup(self) -> Callable[[Sequence[str]], dict[str, tuple[int, dict[str, str]]]]:
        """:meth:`rows_as_written`, asked a batch of ids at a time: a big store keeps them
        in a temporary file rather than in memory (valid until the store is closed)."""
        ...

    def write_written(self, path: str) -> None:
        """:meth:`written_lookup`'s rows kept in the file ``path`` instead, for other
        processes to read (``validate``'s workers) through :meth:`written_from`."""
        ...

    def written_from(
        self, path: str
    ) -> Callable[[Sequence[str]], dict[str, tuple[int, dict[str, str]]]]:
        """:meth:`written_lookup` over the file :meth:`write_written` wrote."""
        ...


@runtime_checkable
class Administered(Protocol):
    """What ``inventory db`` asks of a store, and nothing else does: its creation and its
    schema. Every backend has it; a command other than ``db`` never needs it."""

    def schema(self) -> tuple[int, int]:
        """The store's schema version and the one this inventory writes (0, 0 for a store
        without one: a CSV or JSON file)."""
        ...

    def upgrade(self) -> list[str]:
        """Bring the store's schema up to this inventory's; what was done, step by step."""
        ...

    def initialise(self) -> str:
        """Create the store if it does not exist yet (an empty one); says what was done."""
        ...


class Store(ABC):
    """A place activities are kept. Subclasses: ``csvfile.CsvStore``, ``jsonfile.JsonStore``,
    ``sqlite.SqliteStore``, ``postgres.PostgresStore``."""

    kind: str = ""
    location: str = ""
    """What messages name: the file, or the server URL without its password."""

    @property
    @abstractmethod
    def registry(self) -> Registry: ...

    @abstractmethod
    def problems(self) -> list[Problem]:
        """Rows the store holds but cannot read (each with its line), and duplicate ids."""

    @abstractmethod
    def count(self, criteria: Criteria | None = None) -> int: ...

    @abstractmethod
    def select(self, criteria: Criteria = EVERYTHING, limit: int | None = None) -> Selection:
        """The matching activities, soonest first (:meth:`Activity.sort_key`), as the store
        holds them: their records, or their models; each writer takes the form it needs
        (:class:`~inventory.selection.Selection` makes the others only when asked)."""

    @abstractmethod
    def bounds(self, criteria: Criteria | None = None) -> Period | None:
        """The first and last possible day of the matching activities; None if none."""

    @abstractmethod
    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        """Ids beginning with ``prefix``, in order; at most ``limit``."""

    @abstractmethod
    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]: ...

    @abstractmethod
    def _begin(self, author: Author) -> contextlib.AbstractContextManager[_Session]:
        """Take the store for writing (a lock, a database transaction) and give what the
        batch reads and commits through."""

    @abstractmethod
    def history(
        self,
        *,
        ident: str | None = None,
        author: str | None = None,
        period: Period | None = None,
        limit: int | None = None,
        edits: bool = True,
    ) -> list[Change]:
        """Changes, newest first, filtered by activity, author and day (UTC). With ``ident``
        each change holds only that activity's edit; with ``edits`` false, none (a whole
        import's records are large)."""

    def history_damage(self) -> list[Damage]:
        """Lines of the history that are wrong (a file store's: a database's history is
        rows of a table, written in the transaction of their change)."""
        return []

    def change(self, number: int) -> Change | None:
        """One change with its edits; None when there is no such change."""
        for change in self.history():
            if change.number == number:
                return change
        return None

    @abstractmethod
    def project_names(self) -> set[str]:
        """Every project name the activities use, known to the registry or not."""

    def project_lookup(self) -> dict[str, str] | None:
        """Every project name the store answers to, by ``folding.project_key``, when the
        store can tell without loading the registry (None: ask the registry)."""
        return None

    def scan(self, criteria: Criteria = EVERYTHING) -> Iterator[Activity]:
        """What :meth:`select` finds, one at a time: a store that can streams them, so a
        whole store is gone through without being held (``validate``)."""
        yield from self.select(criteria)

    def scan_records(self, criteria: Criteria = EVERYTHING) -> Iterator[tuple[str, str]] | None:
        """What :meth:`scan` gives, as ids and records (the text ``Selection.records``
        holds), one at a time, when the store keeps them so (``validate`` hands them to
        worker processes, which build the models); None when it cannot."""
        return None

    def _sql(self) -> Sql | None:
        """How the store answers :meth:`tally`, :meth:`per_month` and :meth:`keys` in SQL;
        None: from the models, in one pass (the JSON store)."""
        return None

    def tally(
        self, criteria: Criteria, by: By, within: Mapping[str, Period] | None = None
    ) -> dict[str, KeyTotals]:
        """The matching activities by project (as the store names it), country code, folded
        city or title: how many, their first and last day, and how many are not wholly
        inside the key's window in ``within``; sorted by key (``aggregates.py``)."""
        from .. import aggregates

        sql = self._sql()
        if sql is not None:
            return aggregates.tally_sql(sql, criteria, by, within)
        return aggregates.tally_models(self.scan(criteria), by, within)

    def counts(self, criteria: Criteria, by: By) -> dict[str, int]:
        """The matching activities under each key of :meth:`tally`, counted only (what
        ``clashes`` weighs evidence with); sorted by key."""
        from .. import aggregates

        sql = self._sql()
        if sql is not None:
            return aggregates.counts_sql(sql, criteria, by)
        return aggregates.counts_models(self.scan(criteria), by)

    def folded_titles(self) -> dict[str, int]:
        """The store's titles, casefolded, each with how many activities have it; sorted
        (``aggregates.py``)."""
        from .. import aggregates

        sql = self._sql()
        if sql is not None:
            return aggregates.folded_titles_sql(sql)
        return aggregates.folded_titles_models(self.scan())

    def corpus_counts(self) -> CorpusCounts:
        """How many activities there are, and how many have each title word, folded city and
        country (``titlewords.py``: what ``clashes`` weighs evidence with). Counted here
        from the titles and the city and country indexes; a store that keeps them (the CSV
        store's cache) reads them instead."""
        from .. import aggregates

        sql = self._sql()
        if sql is not None:
            return aggregates.corpus_counts_sql(sql)
        from ..titlewords import corpus_counts

        return corpus_counts(self.scan())

    def keys(self, criteria: Criteria, by: By) -> set[str]:
        """The keys of :meth:`tally`, without counting them (the countries a project
        reached)."""
        from .. import aggregates

        sql = self._sql()
        if sql is not None:
            return aggregates.keys_sql(sql, criteria, by)
        return set(aggregates.tally_models(self.scan(criteria), by))

    def per_month(self, criteria: Criteria) -> dict[str, int]:
        """The matching activities overlapping each month (``Schedule.months``), months with
        none left out; sorted."""
        from .. import aggregates

        sql = self._sql()
        if sql is not None:
            return aggregates.per_month_sql(sql, criteria)
        return aggregates.per_month_models(self.scan(criteria))

    def period_counts(self, criteria: Criteria, period: Period) -> PeriodCounts:
        """What a report of ``period`` counts of the activities ``criteria`` matches
        (``aggregates.PeriodCounts``; its rows only ``criteria.projects`` when it names
        some)."""
        from .. import aggregates

        sql = self._sql()
        if sql is not None:
            return aggregates.period_counts_sql(sql, criteria, period)
        where = criteria.but(period=period)
        return aggregates.period_counts_models(self.scan(where), period, criteria.projects)

    def own_files(self) -> set[Path]:
        """The files this store keeps (itself, its lock, cache, history, projects.csv...),
        resolved: an output written over one of them would destroy or corrupt the store."""
        return set()

    def close(self) -> None:  # noqa: B027 (a default that does nothing)
        """Release connections; the file stores hold none between calls."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- shared on top of the above ---------------------------------------------------------

    def get(self, key: str) -> Activity:
        return resolve_id(key, self.ids_starting, self.by_ids)

    def upcoming(
        self,
        criteria: Criteria,
        as_of: date,
        *,
        until: date | None = None,
        include_cancelled: bool = False,
        limit: int | None = None,
    ) -> Selection:
        return self.select(upcoming_criteria(criteria, as_of, until, include_cancelled), limit)

    @contextlib.contextmanager
    def transaction(
        self, author: Author | None = None, *, reverts: int | None = None
    ) -> Iterator[Batch]:
        """A batch of changes written together at the end of the ``with`` block, and
        recorded as one change of the history (``reverts``: the change it undoes); an
        error inside it, or Ctrl-C, leaves the store as it was."""
        author = author or Author()
        with self._begin(author) as session:
            batch = Batch(session, reverts)
            yield batch
            changes = batch.changes
            if changes or batch.flushed:
                _pause_for_tests()
                session.commit(changes, batch.edits, reverts)
                batch.change = session.change


def _pause_for_tests() -> None:
    # Like git's GIT_TEST_* variables: lets a test interrupt or race a write at this exact
    # point (tests/test_cache.py sends Ctrl-C here). Unset, it costs one dictionary lookup.
    pause = os.environ.get("INVENTORY_TEST_PAUSE_BEFORE_COMMIT")
    if pause:
        time.sleep(float(pause))


class _Session(ABC):
    """A backend's side of one transaction."""

    change: Change | None = None
    streams: bool = False
    """Whether :meth:`write` writes inside the open transaction (SQL stores); a file store
    writes everything at the end (its whole file, once)."""

    def write(
        self, changes: dict[str, Activity | None], edits: list[Edit], reverts: int | None
    ) -> None:
        """Write part of the changes inside the open transaction, recorded in the same
        history entry as the rest (:meth:`commit` writes the last part and ends it). Only
        when :attr:`streams`; reads through the session see what was written."""
        raise NotImplementedError

    @abstractmethod
    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]: ...

    @abstractmethod
    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]: ...

    @abstractmethod
    def commit(
        self, changes: dict[str, Activity | None], edits: list[Edit], reverts: int | None
    ) -> None:
        """Write the changes (an id's new activity, or None to remove it) and their history
        entry, or raise and write nothing. An activity someone else changed since this
        session read it raises :class:`~inventory.changes.ConflictError`."""


class Batch:
    """Adds, updates and removals, read against the store as it is inside the transaction
    and written together when it ends. ``id in batch`` tells whether an id is taken."""

    def __init__(self, session: _Session, reverts: int | None = None) -> None:
        self._session = session
        self._reverts = reverts
        self._before: dict[str, Activity | None] = {}
        self._after: dict[str, Activity | None] = {}
        self.flushed = 0
        """Changes written already by :meth:`flush`."""
        self.change: Change | None = None
        """The history entry, once committed; without its edits when the batch was
        flushed (they are in the store's history, not held here)."""

    def flush(self) -> list[str]:
        """Write the changes so far inside the transaction and forget them, where the store
        can (a SQL store): a long batch (an import) then holds one part at a time, and is
        still written wholly or not at all, as one change of the history. Returns the ids
        written (none when the store writes everything at the end)."""
        if not self._session.streams:
            return []
        changes = self.changes
        if changes:
            self._session.write(changes, self.edits, self._reverts)
            self.flushed += len(changes)
        self._before.clear()
        self._after.clear()
        return list(changes)

    @property
    def written(self) -> bool:
        """Whether the batch changes anything (flushed or still held)."""
        return bool(self.flushed or self.changes)

    def current(self, ident: str) -> Activity | None:
        """The activity with exactly this id as the batch stands, None when there is none."""
        if ident in self._after:
            return self._after[ident]
        return self._session.by_ids([ident]).get(ident)

    def __contains__(self, ident: object) -> bool:
        return isinstance(ident, str) and self.current(ident) is not None

    def get(self, key: str) -> Activity:
        def starting(prefix: str, limit: int = 50) -> list[str]:
            found = set(self._session.ids_starting(prefix, limit))
            found |= {i for i, a in self._after.items() if a is not None and i.startswith(prefix)}
            found -= {i for i, a in self._after.items() if a is None}
            return sorted(found)[:limit]

        def fetch(ids: Sequence[str]) -> dict[str, Activity]:
            out = self._session.by_ids([i for i in ids if i not in self._after])
            out.update({i: a for i in ids if (a := self._after.get(i)) is not None})
            return out

        return resolve_id(key, starting, fetch)

    def _remember(self, ident: str) -> None:
        if ident not in self._before:
            self._before[ident] = self._session.by_ids([ident]).get(ident)

    def add(self, activity: Activity) -> None:
        from ..records import check_storable  # writing needs the models; a query does not

        check_storable(activity)
        if activity.id in self:
            raise StoreError(f"id {activity.id} is already in the store")
        self._remember(activity.id)
        self._after[activity.id] = activity

    def update(self, activity: Activity) -> None:
        from ..records import check_storable

        check_storable(activity)
        if activity.id not in self:
            raise StoreError(f"no activity with id {activity.id} to update")
        self._remember(activity.id)
        self._after[activity.id] = activity

    def remove(self, ident: str) -> None:
        if ident not in self:
            raise StoreError(f"no activity with id {ident} to remove")
        self._remember(ident)
        self._after[ident] = None

    @property
    def changes(self) -> dict[str, Activity | None]:
        """Each changed id's new activity (None: removed), in the order first touched;
        updates that change nothing are left out."""
        return {i: a for i, a in self._after.items() if self._before.get(i) != a}

    @property
    def edits(self) -> list[Edit]:
        """What this batch changes, as history records it."""
        from ..records import to_record

        out = []
        for ident, after in self.changes.items():
            before = self._before.get(ident)
            out.append(
                Edit(
                    ident,
                    None if before is None else to_record(before),
                    None if after is None else to_record(after),
                )
            )
        return out

    @property
    def added(self) -> list[Activity]:
        return [a for i, a in self._after.items() if a is not None and self._before.get(i) is None]


def resolve_id(key: str, starting: Any, fetch: Any) -> Activity:
    """The activity whose id is ``key`` or starts with it (a unique prefix is enough)."""
    key = key.strip().lower()
    if not key:
        raise UsageError("an id is needed, e.g. 38z0m643 or a unique prefix such as 38z0")
    found: list[str] = starting(key, 6)
    if key in found:
        return fetch([key])[key]  # type: ignore[no-any-return]
    if len(found) == 1:
        return fetch(found)[found[0]]  # type: ignore[no-any-return]
    if found:
        activities = fetch(found[:5])
        listed = "; ".join(
            f"{i} {shortened(activities[i].title, 40)}" for i in found[:5] if i in activities
        )
        more = " and more" if len(found) > 5 else ""
        raise AmbiguousId(
            f"id '{key}' matches several activities: {listed}{more}; type more characters"
        )
    close: list[str] = []
    for length in range(len(key) - 1, 1, -1):
        near = starting(key[:length], 200)
        if near:
            close = difflib.get_close_matches(key, near, n=3, cutoff=0.6)
            break
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    # A usage error, like an unknown project or country: the id was typed, not read.
    raise UnknownId(f"no activity with id '{key}'{hint}", hint="'inventory list' shows the ids")
