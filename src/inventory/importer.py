"""Importing a file into a store: detect its format, read it, add what is new."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, StoreError
from .model import Activity
from .newsletter import read_newsletter
from .projects import load_registry, outside_duration
from .store import decode_text, find_store, read_csv, read_json, save, transaction


@dataclass
class ImportOutcome:
    store: Path
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
        return decode_text(sys.stdin.buffer.read(), "<stdin>")
    path = Path(name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StoreError("no such file", source=name) from None
    except IsADirectoryError:
        raise StoreError("is a folder; expected a file", source=name) from None
    except OSError as error:
        raise StoreError(f"cannot read: {error.strerror}", source=name) from None
    return decode_text(data, name)


def parse_input(
    name: str, text: str, store_path: Path, year: int | None
) -> tuple[list[Activity], list[Problem]]:
    source = "<stdin>" if name == "-" else name
    fmt = detect_format(name, text)
    if fmt == "newsletter":
        result = read_newsletter(
            text,
            load_registry(store_path.parent / "projects.csv"),
            source=source,
            context_year=year,
        )
        return result.activities, result.problems
    reader = read_json if fmt == "json" else read_csv
    parsed = reader(text, Path(source))
    return parsed.activities, parsed.problems


def import_into(
    name: str,
    store_path: Path | None,
    *,
    dry_run: bool = False,
    year: int | None = None,
    skip_bad: bool = False,
) -> ImportOutcome:
    """Add the activities of ``name`` that the store does not have yet.

    When some input cannot be read at all nothing is written, unless ``skip_bad``.
    """
    text = read_input(name)
    path = find_store(str(store_path) if store_path else None)
    incoming, problems = parse_input(name, text, path, year)
    outcome = ImportOutcome(store=path, problems=problems)
    outcome.failed = any(p.severity == "error" for p in problems)
    with transaction(path, create=True) as store:
        known = store.ids
        for activity in incoming:
            if activity.id in known:
                outcome.present += 1
            else:
                outcome.added.append(activity)
                known.add(activity.id)
        _warn_outside_duration(outcome, path, "<stdin>" if name == "-" else name)
        if dry_run or not outcome.added or (outcome.failed and not skip_bad):
            if outcome.failed and not skip_bad and not dry_run:
                outcome.problems.append(
                    Problem(
                        "some lines could not be read; nothing was written (fix them, or pass "
                        "--skip-bad to import the rest)",
                        None,
                        None,
                        "error",
                        str(path),
                    )
                )
                outcome.added = []
            return outcome
        save(store, [*store.activities, *outcome.added])
    return outcome


def _warn_outside_duration(outcome: ImportOutcome, store: Path, source: str) -> None:
    """A warning per new activity dated outside the duration of one of its projects."""
    registry = load_registry(store.parent / "projects.csv")
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
