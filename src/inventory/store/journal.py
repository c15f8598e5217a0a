"""The history of a file store: one JSON line per change, appended beside the store
(``activities.csv`` keeps ``activities.csv.history.jsonl``) under the store's lock."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import stat
from pathlib import Path

from ..errors import StoreError
from ..history import Change
from ..months import Period
from .files import check_companion, create_companion, os_error, planted


def journal_path(store: Path) -> Path:
    return store.with_name(store.name + ".history.jsonl")


def _open(path: Path, flags: int, doing: str) -> int:
    """A descriptor on the history file, which must be a plain file: a FIFO would hang the
    command, a symbolic link would send the entries to whatever it points at. A new one is
    made exclusively with the store's permissions; one that someone who cannot write the
    store could have written is refused, naming its owner (in a shared folder another user
    may create it first, and rewrite it at will)."""
    store = path.with_name(path.name.removesuffix(".history.jsonl"))
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        if flags & os.O_CREAT:
            made = create_companion(path, store)
            if made is not None:
                os.close(made)
        fd = os.open(path, flags & ~os.O_CREAT)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENXIO):
            raise planted(path, store, "its entries cannot be trusted") or _not_a_file(
                path
            ) from None
        raise os_error(path, error, doing) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _not_a_file(path)
    check_companion(fd, path, store, "its entries cannot be trusted")
    return fd


def _not_a_file(path: Path) -> StoreError:
    return StoreError(
        "is not a plain file; expected the store's history (one JSON line per change)",
        source=str(path),
        hint="move it aside: inventory starts a new one",
    )


def _read(path: Path) -> bytes:
    fd = _open(path, os.O_RDONLY, "read the history")
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise os_error(path, error, "read the history") from None
    finally:
        os.close(fd)


def _lines(path: Path) -> list[str]:
    try:
        text = _read(path).decode("utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as error:
        raise StoreError(f"cannot read the history: {error}", source=str(path)) from None
    return [line for line in text.splitlines() if line.strip()]


def last_number(path: Path) -> int:
    """The number of the last change recorded, 0 when none (read from the end)."""
    try:
        fd = _open(path, os.O_RDONLY, "read the history")
    except FileNotFoundError:
        return 0
    try:
        size = os.fstat(fd).st_size
        tail = os.pread(fd, 65536, max(0, size - 65536)).decode("utf-8", "replace")
    except OSError as error:
        raise os_error(path, error, "read the history") from None
    finally:
        os.close(fd)
    for line in reversed(tail.splitlines()):
        with contextlib.suppress(ValueError, KeyError, TypeError):
            return int(json.loads(line)["change"])
    return len(_lines(path))


def entry(change: Change) -> bytes:
    """The line that records ``change``; made before the store is written, so that nothing
    in it (a command line that was not UTF-8) can fail once the store has changed."""
    line = json.dumps(change.to_json(), ensure_ascii=False, separators=(",", ":"))
    # A lone surrogate (argv bytes that were not UTF-8) is kept as a JSON escape.
    return (line.encode("utf-8", "backslashreplace").decode("utf-8") + "\n").encode("utf-8")


def append(path: Path, line: bytes) -> None:
    """Append one :func:`entry` and flush it to disk (call under the store's lock)."""
    try:
        fd = _open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, "write the history")
    except FileNotFoundError:
        raise StoreError("cannot write the history: its folder is gone", source=str(path)) from None
    try:
        os.write(fd, line)
        os.fsync(fd)
    except OSError as error:
        raise os_error(path, error, "write the history") from None
    finally:
        os.close(fd)


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
