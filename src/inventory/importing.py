"""Importing a file into a store: detect its format, read it, add what is new."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ParseError, Problem, StoreError
from .formats.newsletter import read_newsletter
from .history import Author
from .model import Activity
from .projects import Registry, outside_duration
from .records import from_row, unneutralise
from .store import Store
from .store.csvdoc import decode, read_rows
from .store.jsonfile import load_json, parse_records


@dataclass
class ImportOutcome:
    store: str
    added: list[Activity] = field(default_factory=list)
    present: int = 0
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False
    """Some input could not be read at all."""


def detect_format(name: str, text: str) -> str:
    """``json``, ``csv`` or ``newsletter``: by the file's suffix, else by its first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in (".json", ".ndjson"):
        return "json"
    if suffix == ".csv":
        return "csv"
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return "json"
    first = text.lstrip().split("\n", 1)[0].lower()
    if first.startswith("id,") or (
        "," in first and {"id", "title", "dates"} <= set(c.strip() for c in first.split(","))
    ):
        return "csv"
    return "newsletter"


def read_input(name: str) -> str:
    if name == "-":
        return decode(sys.stdin.buffer.read(), "<stdin>").lstrip("\ufeff")
    path = Path(name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StoreError("no such file", source=name) from None
    except IsADirectoryError:
        raise StoreError("is a folder; expected a file", source=name) from None
    except OSError as error:
        raise StoreError(f"cannot read: {error.strerror}", source=name) from None
    return decode(data, name).lstrip("\ufeff")


def _read_csv(text: str, source: str, registry: Registry) -> tuple[list[Activity], list[Problem]]:
    header, rows = read_rows(text, source)
    activities: list[Activity] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for row in rows:
        if row.problem is not None:
            problems.append(row.problem)
            continue
        if row.blank:
            continue
        cells = dict(zip(header.names, (unneutralise(c) for c in row.cells), strict=False))
        try:
            activity = from_row(cells, registry)
        except ParseError as error:
            problems.append(Problem(error.message, row.line, error.field, "error", source))
            continue
        if activity.id in seen:
            problems.append(
                Problem(f"duplicate id {activity.id!r}", row.line, "id", "error", source)
            )
            continue
        seen.add(activity.id)
        activities.append(activity)
    return activities, problems


def parse_input(
    name: str, text: str, registry: Registry, year: int | None
) -> tuple[list[Activity], list[Problem]]:
    source = "<stdin>" if name == "-" else name
    fmt = detect_format(name, text)
    if fmt == "newsletter":
        result = read_newsletter(text, registry, source=source, context_year=year)
        return result.activities, result.problems
    if fmt == "json":
        return parse_records(load_json(text, source), source, registry)
    return _read_csv(text, source, registry)


def import_into(
    store: Store,
    name: str,
    text: str,
    *,
    dry_run: bool = False,
    year: int | None = None,
    skip_bad: bool = False,
    author: Author | None = None,
) -> ImportOutcome:
    """Add the activities of ``name`` that the store does not have yet.

    When some input cannot be read at all nothing is written, unless ``skip_bad``.
    """
    registry = store.registry
    incoming, problems = parse_input(name, text, registry, year)
    outcome = ImportOutcome(store=store.location, problems=problems)
    outcome.failed = any(p.severity == "error" for p in problems)
    source = "<stdin>" if name == "-" else name
    if dry_run:
        known = set(store.by_ids([a.id for a in incoming])) if _exists(store) else set()
        for activity in incoming:
            if activity.id in known:
                outcome.present += 1
            else:
                outcome.added.append(activity)
                known.add(activity.id)
        _warn_outside_duration(outcome, registry, source)
        return outcome
    if outcome.failed and not skip_bad:
        outcome.problems.append(
            Problem(
                "some lines could not be read; nothing was written (fix them, or pass "
                "--skip-bad to import the rest)",
                None,
                None,
                "error",
                store.location,
            )
        )
        return outcome
    with store.transaction(author) as batch:
        for activity in incoming:
            if activity.id in batch:
                outcome.present += 1
            else:
                batch.add(activity)
                outcome.added.append(activity)
    _warn_outside_duration(outcome, registry, source)
    return outcome


def _exists(store: Store) -> bool:
    try:
        store.count()
    except StoreError:
        return False
    return True


def _warn_outside_duration(outcome: ImportOutcome, registry: Registry, source: str) -> None:
    """A warning per new activity dated outside the duration of one of its projects."""
    for activity in outcome.added:
        reasons = outside_duration(activity, registry)
        if reasons:
            outcome.problems.append(
                Problem(
                    f"{activity.id} '{activity.title}': {'; '.join(reasons)}",
                    None,
                    "dates",
                    "warning",
                    source,
                )
            )
