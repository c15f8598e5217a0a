"""Importing a file into a store: read it (``readers``), reconcile it with what the
store holds (``reconcile``), and write the outcome in one transaction, or nothing.

The rules an officer can rely on:

* a line that cannot be fully understood is an error with its line; then nothing is written,
  unless ``skip_bad``, which writes the rest and lists every skipped line;
* a line that continues a stored activity updates it (its id kept, the changed fields
  reported); an identical one is unchanged; a new one is added;
* a line the import is unsure of refuses the whole import, each listed with its reason
  (nothing is written): one that could continue several activities, or one too imprecisely
  (``ambiguous``), one that may continue an activity moved far (``possible``; both are
  added as new with ``add_ambiguous``, left out with ``skip_bad``), an update that would
  weaken what the store holds (``weakening``; applied for the ids ``allow_weakening``
  names, left out with ``skip_bad``), a project name neither the registry nor the store
  knows (until ``new_projects`` accepts it);
* planned activities of a quarter the input reports on ("Inventory of activities") that it
  does not list are reported, and changed only when ``mark_missing`` says how;
* a dry run reads and plans exactly the same, and writes nothing at all.
"""

from __future__ import annotations

import gc
import io
import pickle
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from .changes import Author
from .errors import Problem, StoreError
from .model import Activity
from .projects import outside_duration
from .readers import (
    IMPORT_CHUNK,
    Context,
    Incoming,
    Reading,
    Source,
    detect,
    read_chunks,
)
from .reconcile import UNSURE, Plan, Reconciler, Step
from .records import to_record
from .store import Store
from .store.base import Batch
from .vocab import Status, plural


@dataclass
class Outcome:
    store: str
    reading: Reading
    """What was read, but its activities: its problems, sections and kind."""
    plan: Plan
    """The steps kept (see ``import_into``'s ``keep_all``) and the missing activities."""
    dry_run: bool = False
    skip_bad: bool = False
    add_ambiguous: bool = False
    marked: Status | None = None
    """What ``mark_missing`` set the missing activities to."""
    written: bool = False
    problems: list[Problem] = field(default_factory=list)
    """The reading's problems, and warnings found while planning."""
    tally: Counter[str] = field(default_factory=Counter)
    """Steps of each kind, kept or not."""
    report: Callable[[Problem], None] | None = None
    """Told each problem as it is found, instead of keeping it in :attr:`problems` (but for
    ``--json``, which lists them, and the errors, which decide)."""
    keep_all: bool = False
    unknown_projects: dict[str, list[str]] = field(default_factory=dict)
    """Project names neither the registry nor the store knows, not accepted, each with
    where it is used (the first few places)."""

    def note(self, problem: Problem) -> None:
        if self.report is None or self.keep_all:
            self.problems.append(problem)
        if self.report is not None:
            self.report(problem)

    def unsure(self) -> int:
        """Lines planned but not applied, that refuse the import unless told what to do:
        ambiguous and possible ones (unless added as new), weakenings."""
        kinds = ["weakening"] if self.add_ambiguous else list(UNSURE)
        return sum(self.tally[k] for k in kinds)

    @property
    def failed(self) -> bool:
        """Nothing was (or would be) written: lines could not be read, or the import is
        unsure of some (see the module's docstring), or a project is unknown."""
        if self.unknown_projects:
            return True
        return bool(self.reading.errors or self.unsure()) and not self.skip_bad

    @property
    def added(self) -> list[Step]:
        steps = self.plan.of("add")
        if self.add_ambiguous:
            steps += self.plan.of("ambiguous") + self.plan.of("possible")
        return steps

    def counts(self) -> dict[str, int]:
        skipped = len(self.reading.errors) + self.unsure() if self.skip_bad else 0
        return {
            "added": self.tally["add"],
            "updated": self.tally["update"],
            "unchanged": self.tally["unchanged"],
            "ambiguous": self.tally["ambiguous"],
            "possible": self.tally["possible"],
            "weakening": self.tally["weakening"],
            "unknown_projects": len(self.unknown_projects),
            "missing": len(self.plan.missing),
            "skipped": skipped,
        }

    def summary(self) -> str:
        """``added N, updated N, unchanged N, ambiguous N`` (and what else happened)."""
        c = self.counts()
        line = (
            f"added {c['added']}, updated {c['updated']}, unchanged {c['unchanged']}, "
            f"ambiguous {c['ambiguous']}"
        )
        if c["possible"]:
            line += f", possibly continued {c['possible']}"
        if c["weakening"]:
            line += f", weakening {c['weakening']}"
        if self.add_ambiguous and c["ambiguous"] + c["possible"]:
            line += " (added as new)"
        if c["missing"]:
            line += f"; announced, not reported as held: {c['missing']}"
            if self.marked is not None:
                line += f" (marked {self.marked.value})"
        if c["skipped"]:
            line += f"; skipped {plural(c['skipped'], 'line')}"
        if self.failed:
            why = "; ".join(self._why_failed())
            if self.dry_run:
                return f"dry run, nothing written; the import would be refused: {why}"
            return f"nothing written: {why}"
        if self.dry_run:
            return f"dry run, nothing written; would have: {line}"
        return line

    def _why_failed(self) -> list[str]:
        why: list[str] = []
        errors = len(self.reading.errors)
        if errors and not self.skip_bad:
            why.append(f"{plural(errors, 'line')} could not be read")
        if self.unknown_projects:
            names = ", ".join(repr(n) for n in self.unknown_projects)
            noun = "projects" if len(self.unknown_projects) > 1 else "project"
            why.append(f"unknown {noun} {names} (--new-project NAME accepts one)")
        if not self.skip_bad:
            unsure = [(k, self.tally[k]) for k in UNSURE if self.tally[k]]
            if self.add_ambiguous:
                unsure = [(k, n) for k, n in unsure if k == "weakening"]
            said = {
                "ambiguous": "ambiguous",
                "possible": "possibly continuing a moved activity",
                "weakening": "weakening a stored activity",
            }
            for kind, n in unsure:
                why.append(f"{plural(n, 'line')} {said[kind]}")
        return why or ["the import was refused"]

    def hints(self) -> list[str]:
        """What the user can do about a refused import, one line each."""
        out: list[str] = []
        if self.failed and not self.skip_bad and (self.reading.errors or self.unsure()):
            out.append("--skip-bad writes the rest and leaves those lines out")
        ambiguous = self.tally["ambiguous"] + self.tally["possible"]
        if self.failed and ambiguous and not self.add_ambiguous:
            out.append("--add-ambiguous adds the ambiguous and possible lines as new")
        if self.failed and self.tally["weakening"]:
            out.append("--allow-weakening ID applies a weakening to that activity")
        return out

    def to_json(self) -> dict[str, Any]:
        """The plan, for scripts (``import --json``)."""
        return {
            "store": self.store,
            "input": self.reading.kind,
            "dry_run": self.dry_run,
            "written": self.written,
            "counts": self.counts(),
            "added": [s.to_json() for s in self.plan.of("add")],
            "updated": [s.to_json() for s in self.plan.of("update")],
            "unchanged": [
                {"where": s.incoming.where, "id": s.activity.id} for s in self.plan.of("unchanged")
            ],
            "ambiguous": [s.to_json() for s in self.plan.of("ambiguous")],
            "possible": [s.to_json() for s in self.plan.of("possible")],
            "weakening": [s.to_json() for s in self.plan.of("weakening")],
            "unknown_projects": [
                {"name": name, "where": where} for name, where in self.unknown_projects.items()
            ],
            "missing": [to_record(a) for a in self.plan.missing],
            "marked_missing": self.marked.value if self.marked else None,
            "problems": [
                {
                    "where": p.source + (f":{p.line}" if p.line is not None else ""),
                    "line": p.line,
                    "field": p.field,
                    "severity": p.severity,
                    "message": p.message,
                }
                for p in self.problems
            ],
        }


class _Empty:
    """A store that does not exist yet, as a dry run sees it: nothing in it."""

    def __init__(self, store: Store) -> None:
        self.location = store.location
        self.registry = store.registry

    def by_ids(self, ids: Any) -> dict[str, Activity]:
        return {}

    def select(self, *args: Any, **kwargs: Any) -> list[Activity]:
        return []

    def project_names(self) -> set[str]:
        return set()


def store_exists(store: Store) -> bool:
    path = getattr(store, "path", None)
    return path is None or path.exists()


class _Spool:
    """The activities read, ``size`` at a time: in memory while they are one chunk (a
    newsletter), else pickled and compressed in a temporary file, to be planned from there
    twice (see ``Reconciler``) without holding them all, or reading the input twice."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._first: list[Incoming] | None = None
        self._file: IO[bytes] | None = None
        self._offsets: list[int] = []
        self.total = 0

    def add(self, items: list[Incoming]) -> None:
        for start in range(0, len(items), self.size):
            self._add(items[start : start + self.size])

    def _add(self, items: list[Incoming]) -> None:
        self.total += len(items)
        if self._first is None and self._file is None:
            self._first = items
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="inventory-import-")  # noqa: SIM115 (closed by close)
        if self._first is not None:
            first, self._first = self._first, None
            self._dump(first)
        self._dump(items)

    def _dump(self, items: list[Incoming]) -> None:
        assert self._file is not None
        self._offsets.append(self._file.tell())
        self._file.write(zlib.compress(pickle.dumps(items, pickle.HIGHEST_PROTOCOL), 1))

    def __iter__(self) -> Iterator[tuple[int, list[Incoming]]]:
        """Each chunk with the number (from 0) of its first activity in the input."""
        if self._first is not None:
            yield 0, self._first
            return
        if self._file is None:
            return
        first = 0
        ends = [*self._offsets[1:], self._file.seek(0, io.SEEK_END)]
        for start, end in zip(self._offsets, ends, strict=True):
            self._file.seek(start)
            items: list[Incoming] = pickle.loads(zlib.decompress(self._file.read(end - start)))
            yield first, items
            first += len(items)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class _Refused(Exception):
    """Raised inside the transaction to roll it back: the plan is unsure of some lines."""


def import_into(
    store: Store,
    source: Source,
    *,
    dry_run: bool = False,
    year: int | None = None,
    skip_bad: bool = False,
    add_ambiguous: bool = False,
    allow_weakening: tuple[str, ...] = (),
    new_projects: tuple[str, ...] = (),
    mark_missing: Status | None = None,
    author: Author | None = None,
    keep_all: bool = False,
    chunk: int = IMPORT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    report: Callable[[Problem], None] | None = None,
) -> Outcome:
    """Read ``source`` and bring ``store`` in line with it (see the module's docstring).

    The input is read (and planned, and written) ``chunk`` activities at a time, so that a
    long one takes memory for a chunk, not for all of it; it is still one transaction,
    planned as a whole. The outcome keeps the steps a person is shown (updates, ambiguous
    lines; additions too on a dry run), every step with ``keep_all`` (for
    ``--json``). ``progress`` is told how far the planning and writing got; ``report``,
    each problem as it is found (then the outcome keeps only the errors, or all for
    ``keep_all``)."""
    view: Any = store if store_exists(store) else _Empty(store)
    context = Context(view.registry, frozenset(view.project_names()), year)
    reading = Reading()
    spool = _Spool(chunk)
    collecting = gc.isenabled()
    gc.disable()  # swept now and then instead (see _Sweeper)
    sweep = _Sweeper()
    try:
        outcome = Outcome(
            store=store.location,
            reading=reading,
            plan=Plan(),
            dry_run=dry_run,
            skip_bad=skip_bad,
            add_ambiguous=add_ambiguous,
            report=report,
            keep_all=keep_all,
        )
        known = _Known(view, new_projects)
        for part in _read(source, context, chunk):
            known.check(part.items)
            spool.add(part.items)
            reading.problems += [p for p in part.problems if p.severity == "error" or not report]
            for problem in part.problems:
                outcome.note(problem)
            reading.sections += part.sections
            reading.kind = part.kind or reading.kind
            sweep(len(part.items))
        outcome.unknown_projects = known.unknown
        keep = {"update", *UNSURE} | (
            {"add", "unchanged"} if keep_all else {"add"} if dry_run else set()
        )
        reconciler = Reconciler(view, allow_weakening)
        if dry_run or outcome.failed or not spool.total:
            _plan(outcome, reconciler, spool, keep, mark_missing, None, progress, sweep)
            return outcome
        reconciler = Reconciler(store, allow_weakening)
        try:
            with store.transaction(author) as batch:
                # Planned under the lock, against the version that is written over.
                _plan(outcome, reconciler, spool, keep, mark_missing, batch, progress, sweep)
                if outcome.failed:
                    raise _Refused  # rolls back what the chunks wrote so far
                outcome.written = batch.written
        except _Refused:
            outcome.written = False
        return outcome
    finally:
        spool.close()
        if collecting:
            gc.enable()


SWEEP_ROWS = 100_000
"""Rows between two sweeps of the cyclic garbage while an import keeps the collector off."""


class _Sweeper:
    """Collect the cyclic garbage now and then, with the collector off in between. Left on,
    it rescans every object kept alive (a chunk's models, the date parser's cache of 65,536
    schedules) again and again: at 100,000 rows it took half the import's time. A sweep
    costs the young objects alive at that moment (about a chunk's), whatever the rows since
    the last one, and finds next to nothing (none in an import of 100,000 generated rows,
    a few hundred objects in 30,000 real ones): one a chunk was a tenth of the import's
    CPU, one every :data:`SWEEP_ROWS` rows bounds the garbage as well at a tenth of that."""

    def __init__(self) -> None:
        self.rows = 0

    def __call__(self, rows: int) -> None:
        self.rows += rows
        if self.rows >= SWEEP_ROWS:
            self.rows = 0
            gc.collect(1)


def _read(source: Source, context: Context, size: int) -> Iterator[Reading]:
    """The input's readings; another store is read through its own backend, in the order it
    keeps its rows (so that a CSV -> SQLite -> JSON -> CSV round trip keeps the order).
    CSV and JSON stores are read by the CSV and JSON readers, in file order."""
    if detect(source) != "sqlite":
        yield from read_chunks(source, context, size)
        return
    from .store.sqlite import SqliteStore

    if source.path is None:
        raise StoreError(
            "is a SQLite store; it cannot be read from standard input",
            source=source.label,
            hint="pass its file name: inventory import other.db",
        )
    other = SqliteStore(source.path)
    try:
        activities = other.in_stored_order()
    finally:
        other.close()
    reading = Reading(kind="SQLite store")
    for number, activity in enumerate(activities, start=1):
        where = f"{source.label} (row {number})"
        reading.items.append(Incoming(activity, None, where, activity.status, False))
    yield reading


class _Known:
    """Project names the registry or the store knows, or the user accepted; the others
    found, with where (a few places each)."""

    SHOWN = 5

    def __init__(self, store: Any, accepted: tuple[str, ...]) -> None:
        self.registry = store.registry
        self.names = {n.casefold() for n in store.project_names()} | {
            n.casefold() for n in accepted
        }
        self.unknown: dict[str, list[str]] = {}

    def check(self, items: list[Incoming]) -> None:
        for item in items:
            for name in item.activity.projects:
                if name.casefold() in self.names or self.registry.find(name) is not None:
                    continue
                where = self.unknown.setdefault(name, [])
                if len(where) < self.SHOWN:
                    where.append(item.where)


def _plan(
    outcome: Outcome,
    reconciler: Reconciler,
    spool: _Spool,
    keep: set[str],
    mark_missing: Status | None,
    batch: Batch | None,
    progress: Callable[[int, int], None] | None,
    sweep: Callable[[int], None],
) -> None:
    """Plan the spooled activities against ``store`` (see ``Reconciler``), and write each
    chunk's steps to ``batch`` (None: write nothing) once it is planned."""
    periods = [s.period for s in outcome.reading.sections if s.held and s.period is not None]
    store = reconciler.store
    total = 2 * spool.total
    # An empty store has nothing a line could name or continue: no first pass to make.
    if not isinstance(store, _Empty) and store.count():
        for first, items in spool:
            reconciler.survey(items, first)
            sweep(len(items))
            if progress is not None:
                progress(first + len(items), total)
    reconciler.settle(watch=bool(periods))
    plan = outcome.plan
    plan.periods = periods
    for first, items in spool:
        steps = reconciler.steps(items, first)
        added: list[Step] = []
        for step in steps:
            outcome.tally[step.kind] += 1
            if step.note is not None:
                outcome.note(_warning(step, step.note, "status"))
            if step.kind in keep:
                plan.steps.append(step)
            if step.kind == "add" or (
                step.kind in ("ambiguous", "possible") and outcome.add_ambiguous
            ):
                added.append(step)
                if batch is not None:
                    batch.add(step.activity)
            elif step.kind == "update" and batch is not None:
                batch.update(step.activity)
        _warn_outside_duration(outcome, added, store)
        if batch is not None:
            reconciler.written(batch.flush())
        sweep(len(items))
        if progress is not None:
            progress(spool.total + first + len(items), total)
    plan.missing = reconciler.missing(periods)
    outcome.marked = mark_missing if plan.missing else None
    if outcome.marked is not None and batch is not None:
        for activity in plan.missing:
            batch.update(activity.model_copy(update={"status": outcome.marked}))


def _warn_outside_duration(outcome: Outcome, added: list[Step], store: Any) -> None:
    """A warning per new activity dated outside the duration of one of its projects."""
    for step in added:
        reasons = outside_duration(step.activity, store.registry)
        if reasons:
            message = f"{step.activity.id} '{step.activity.title}': {'; '.join(reasons)}"
            outcome.note(_warning(step, message, "dates"))


def _warning(step: Step, message: str, field: str | None) -> Problem:
    where = step.incoming.where
    source = where.rsplit(":", 1)[0] if step.incoming.line is not None else where
    return Problem(message, step.incoming.line, field, "warning", source)
