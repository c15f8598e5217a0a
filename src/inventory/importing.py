"""Importing a file into a store: read it (``formats.readers``), reconcile it with what the
store holds (``reconcile``), and write the outcome in one transaction, or nothing.

The rules an officer can rely on:

* a line that cannot be fully understood is an error with its line; then nothing is written,
  unless ``skip_bad``, which writes the rest and lists every skipped line;
* a line that continues a stored activity updates it (its id kept, the changed fields
  reported); an identical one is unchanged; a new one is added; a line that could continue
  several is ambiguous and listed, added only with ``add_ambiguous``;
* planned activities of a quarter the input reports on ("Inventory of activities") that it
  does not list are reported, and changed only when ``mark_missing`` says how;
* a dry run reads and plans exactly the same, and writes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Problem
from .formats.readers import Context, Reading, Source, read
from .history import Author
from .model import Activity
from .projects import outside_duration
from .reconcile import Plan, Reconciler, Step
from .records import to_record
from .store import Store
from .vocab import Status


@dataclass
class Outcome:
    store: str
    reading: Reading
    plan: Plan
    dry_run: bool = False
    skip_bad: bool = False
    add_ambiguous: bool = False
    marked: Status | None = None
    """What ``mark_missing`` set the missing activities to."""
    written: bool = False
    problems: list[Problem] = field(default_factory=list)
    """The reading's problems, and warnings found while planning."""

    @property
    def failed(self) -> bool:
        """Lines could not be read and nothing was written for it."""
        return bool(self.reading.errors) and not self.skip_bad

    @property
    def added(self) -> list[Step]:
        steps = self.plan.of("add")
        if self.add_ambiguous:
            steps += self.plan.of("ambiguous")
        return steps

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.plan.of("add")),
            "updated": len(self.plan.of("update")),
            "unchanged": len(self.plan.of("unchanged")),
            "ambiguous": len(self.plan.of("ambiguous")),
            "missing": len(self.plan.missing),
            "skipped": len(self.reading.errors) if self.skip_bad else 0,
        }

    def summary(self) -> str:
        """``added N, updated N, unchanged N, ambiguous N`` (and what else happened)."""
        c = self.counts()
        line = (
            f"added {c['added']}, updated {c['updated']}, unchanged {c['unchanged']}, "
            f"ambiguous {c['ambiguous']}"
        )
        if self.add_ambiguous and c["ambiguous"]:
            line += " (added too)"
        if c["missing"]:
            line += f"; announced, not reported as held: {c['missing']}"
            if self.marked is not None:
                line += f" (marked {self.marked.value})"
        if c["skipped"]:
            line += f"; skipped {c['skipped']} line{'s' * (c['skipped'] != 1)}"
        if self.failed:
            return f"nothing written: {len(self.reading.errors)} line(s) could not be read"
        if self.dry_run:
            return f"dry run, nothing written; would have: {line}"
        return line

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


def read_source(source: Source, store: Any, year: int | None) -> Reading:
    context = Context(store.registry, frozenset(store.project_names()), year)
    return read(source, context)


def plan_import(store: Any, reading: Reading) -> Plan:
    periods = [s.period for s in reading.sections if s.held and s.period is not None]
    return Reconciler(store).plan(reading.items, periods)


def import_into(
    store: Store,
    source: Source,
    *,
    dry_run: bool = False,
    year: int | None = None,
    skip_bad: bool = False,
    add_ambiguous: bool = False,
    mark_missing: Status | None = None,
    author: Author | None = None,
) -> Outcome:
    """Read ``source`` and bring ``store`` in line with it (see the module's docstring)."""
    view: Any = store if store_exists(store) else _Empty(store)
    reading = read_source(source, view, year)
    outcome = Outcome(
        store=store.location,
        reading=reading,
        plan=Plan(),
        dry_run=dry_run,
        skip_bad=skip_bad,
        add_ambiguous=add_ambiguous,
        problems=list(reading.problems),
    )
    if dry_run or outcome.failed or not reading.items:
        _settle(outcome, plan_import(view, reading), mark_missing, store)
        return outcome
    with store.transaction(author) as batch:
        # Planned under the lock, against the version that is written over.
        plan = plan_import(store, reading)
        _settle(outcome, plan, mark_missing, store)
        for step in plan.steps:
            if step.kind == "add" or (step.kind == "ambiguous" and add_ambiguous):
                batch.add(step.activity)
            elif step.kind == "update":
                batch.update(step.activity)
        if outcome.marked is not None:
            for activity in plan.missing:
                batch.update(activity.model_copy(update={"status": outcome.marked}))
        outcome.written = bool(batch.changes)
    return outcome


def _settle(outcome: Outcome, plan: Plan, mark_missing: Status | None, store: Store) -> None:
    outcome.plan = plan
    outcome.marked = mark_missing if plan.missing else None
    _warn_outside_duration(outcome, store)


def _warn_outside_duration(outcome: Outcome, store: Store) -> None:
    """A warning per new activity dated outside the duration of one of its projects."""
    for step in outcome.added:
        reasons = outside_duration(step.activity, store.registry)
        if reasons:
            outcome.problems.append(
                Problem(
                    f"{step.activity.id} '{step.activity.title}': {'; '.join(reasons)}",
                    step.incoming.line,
                    "dates",
                    "warning",
                    step.incoming.where.rsplit(":", 1)[0]
                    if step.incoming.line is not None
                    else step.incoming.where,
                )
            )
