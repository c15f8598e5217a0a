"""The history of a file store: one JSON line per change, appended beside the store
(``activities.csv`` keeps ``activities.csv.history.jsonl``) under the store's lock."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from pathlib import Path

from ..errors import StoreError
from ..history import Change
from ..months import Period
from .files import os_error


def journal_path(store: Path) -> Path:
    return store.with_name(store.name + ".history.jsonl")


def _lines(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return [line for line in handle if line.strip()]
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"cannot read the history: {error}", source=str(path)) from None


def last_number(path: Path) -> int:
    """The number of the last change recorded, 0 when none (read from the end)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 65536))
            tail = handle.read().decode("utf-8", "replace").splitlines()
    except FileNotFoundError:
        return 0
    except OSError as error:
        raise os_error(path, error, "read the history") from None
    for line in reversed(tail):
        with contextlib.suppress(ValueError, KeyError, TypeError):
            return int(json.loads(line)["change"])
    return len(_lines(path))


def append(path: Path, change: Change) -> None:
    """Append one change and flush it to disk (call under the store's lock)."""
    line = json.dumps(change.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise os_error(path, error, "write the history") from None


def read(
    path: Path,
    *,
    ident: str | None = None,
    author: str | None = None,
    period: Period | None = None,
    limit: int | None = None,
    edits: bool = True,
) -> list[Change]:
    changes: list[Change] = []
    for line in reversed(_lines(path)):
        try:
            change = Change.from_json(json.loads(line))
        except (ValueError, KeyError, TypeError):
            continue
        if ident is not None and not any(e.id == ident for e in change.edits):
            continue
        if author is not None and change.author != author:
            continue
        if period is not None and not period[0] <= change.at.date() <= period[1]:
            continue
        if not edits:
            change = dataclasses.replace(change, edits=())
        elif ident is not None:
            change = dataclasses.replace(
                change, edits=tuple(e for e in change.edits if e.id == ident)
            )
        changes.append(change)
        if limit is not None and len(changes) >= limit:
            break
    return changes


def find(path: Path, number: int) -> Change | None:
    for line in reversed(_lines(path)):
        try:
            data = json.loads(line)
            if int(data["change"]) == number:
                return Change.from_json(data)
        except (ValueError, KeyError, TypeError):
            continue
    return None
