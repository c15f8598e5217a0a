"""The JSON store: an array of records (the shape of ``list --json``), read whole and
answered in memory through :meth:`Criteria.matches` — for exchanges and small stores; a
large one belongs in SQLite."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import MAX_PROBLEMS, ParseError, Problem, StoreError
from ..model import Activity
from ..months import Period
from ..query import EVERYTHING, Criteria, select_from
from ..records import from_record, to_record
from ..selection import Selection
from ..textio import decode, load_json
from .files import Snapshot, read_snapshot
from .filestore import FileSession, FileStore


def parse_records(data: Any, source: str, registry: Any) -> tuple[list[Activity], list[Problem]]:
    if isinstance(data, dict) and "activities" in data:
        data = data["activities"]
    if not isinstance(data, list):
        raise StoreError(
            f"expected a JSON array of activities, found {type(data).__name__}", source=source
        )
    activities: list[Activity] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, record in enumerate(data, start=1):
        if len(problems) >= MAX_PROBLEMS:
            message = f"stopped reading after {MAX_PROBLEMS:,} records that could not be read"
            problems.append(Problem(message, None, f"#{index}", "error", source))
            break
        try:
            activity = from_record(record, registry)
        except ParseError as error:
            field = f"#{index}" + (f".{error.field}" if error.field else "")
            problems.append(Problem(error.message, None, field, "error", source))
            continue
        if activity.id in seen:
            problems.append(
                Problem(f"duplicate id {activity.id!r}", None, f"#{index}.id", "error", source)
            )
            continue
        seen.add(activity.id)
        activities.append(activity)
    return activities, problems


class JsonStore(FileStore):
    kind = "json"

    def __init__(self, path: Path, *, create: bool = False) -> None:
        super().__init__(path, create=create)
        self._loaded: tuple[list[Activity], list[Problem]] | None = None

    def _load(self, snapshot: Snapshot | None = None) -> tuple[list[Activity], list[Problem]]:
        if snapshot is None and self._loaded is not None:
            return self._loaded
        if snapshot is None:
            snapshot = read_snapshot(self.path)
        if snapshot is None:
            if not self.create:
                raise StoreError("no such store", source=str(self.path))
            return [], []
        text = decode(snapshot.data, str(self.path)).lstrip("\ufeff")
        if not text.strip():
            return [], []
        loaded = parse_records(load_json(text, str(self.path)), str(self.path), self.registry)
        self._loaded = loaded
        return loaded

    def problems(self) -> list[Problem]:
        return list(self._load()[1])

    def _all(self) -> list[Activity]:
        return self._load()[0]

    def count(self, criteria: Criteria | None = None) -> int:
        return len(select_from(self._all(), criteria or Criteria()))

    def select(self, criteria: Criteria = EVERYTHING, limit: int | None = None) -> Selection:
        return Selection(activities=select_from(self._all(), criteria, limit))

    def bounds(self, criteria: Criteria | None = None) -> Period | None:
        chosen = select_from(self._all(), criteria or Criteria())
        if not chosen:
            return None
        return min(a.start for a in chosen), max(a.end for a in chosen)

    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        return sorted(a.id for a in self._all() if a.id.startswith(prefix))[:limit]

    def project_names(self) -> set[str]:
        return {p for a in self._all() for p in a.projects}

    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]:
        wanted = set(ids)
        return {a.id: a for a in self._all() if a.id in wanted}

    def empty(self) -> bytes:
        return b"[]\n"

    def _session(self, snapshot: Snapshot | None) -> FileSession:
        self._loaded = None
        return JsonSession(self, snapshot)


class JsonSession(FileSession):
    store: JsonStore

    def __init__(self, store: JsonStore, snapshot: Snapshot | None) -> None:
        super().__init__(store, snapshot)
        activities, problems = store._load(snapshot) if snapshot is not None else ([], [])
        if problems:
            # Rewriting would drop the records we cannot read.
            raise StoreError(
                f"{len(problems)} record(s) could not be read (first: {problems[0]}); "
                "nothing was written",
                source=str(store.path),
                hint="run 'inventory validate' and fix them first",
            )
        self.activities = {a.id: a for a in activities}

    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        return sorted(i for i in self.activities if i.startswith(prefix))[:limit]

    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]:
        return {i: self.activities[i] for i in ids if i in self.activities}

    def render(self, changes: dict[str, Activity | None]) -> bytes:
        for ident, activity in changes.items():
            if activity is None:
                self.activities.pop(ident, None)
            else:
                self.activities[ident] = activity
        records = [to_record(a) for a in self.activities.values()]
        return (json.dumps(records, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
