"""The history of a file store: one JSON line per change, appended beside the store
(``activities.csv`` keeps ``activities.csv.history.jsonl``) under the store's lock.

A change and its line are one, as a write-ahead log makes them: the line is appended and
flushed *before* the store is replaced, marked ``"state":"pending"`` with the digest of the
store's new content, and marked ``"done"`` in place once the store is replaced (the word is
overwritten, so a change stays one line). A writer killed in between leaves a pending line
that the next writer resolves under the lock (:func:`recover`): the store holds the new
content, so the change stands (``done``); or it does not, so the change never happened
(``aborted``, never shown). Readers resolve a pending line the same way, by looking at the
store. A line without ``state`` (written before it existed) is a change that was made.

A last line cut off (a crash while appending, a full disk, a hand edit) is moved aside by
the next writer into ``HISTORY.torn-TIME`` with one warning, so the next change is recorded
on a line of its own with the next number, instead of being glued to the broken one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..changes import Change, Damage, same_activity
from ..errors import StoreError
from ..months import Period
from .files import check_companion, create_companion, os_error, planted

if TYPE_CHECKING:
    from ..model import Activity

PENDING, DONE, ABORTED = "pending", "done", "aborted"
_MARK = b'"state":"pending"'
"""Where a pending line's state is overwritten; "done" is padded with spaces, which JSON
allows before the next comma, so the line keeps its length."""
_WORDS = {DONE: b'"done"   ', ABORTED: b'"aborted"'}
_CHUNK = 1 << 16

ByIds = Callable[[Sequence[str]], "dict[str, Activity]"]


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
        if error.errno in (errno.EACCES, errno.EPERM):
            # Another user's file we may not even open: say whose, not just "denied".
            raise planted(path, store, "its entries cannot be trusted") or os_error(
                path, error, doing
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


def warn(message: str) -> None:
    # The one warning of a repair: a person should know their history was mended.
    print(f"inventory: warning: {message}", file=sys.stderr)


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    """One readable line of the history."""

    line: int
    change: Change
    state: str
    digest: str | None


@dataclass(frozen=True)
class Parsed:
    entries: list[HistoryLine]
    damage: list[Damage]


def _entry(raw: bytes, line: int) -> HistoryLine | str:
    """The entry a line holds, or why it holds none."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "is not a JSON line"
    if not isinstance(data, dict) or "change" not in data or "at" not in data:
        return "is not a change (no 'change' number or 'at' time)"
    try:
        change = Change.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return f"is not a change it can read ({error})"
    state = data.get("state", DONE)
    if state not in (PENDING, DONE, ABORTED):
        return f"has an unknown state {state!r}; expected pending, done or aborted"
    digest = data.get("digest")
    return HistoryLine(line, change, state, digest if isinstance(digest, str) else None)


def parse(path: Path) -> Parsed:
    """Every line: the entries it can read, and what is wrong with the others (a line
    that is not JSON, cut off, or whose number repeats or goes back)."""
    try:
        data = _read(path)
    except FileNotFoundError:
        return Parsed([], [])
    source = str(path)
    entries: list[HistoryLine] = []
    damage: list[Damage] = []
    raws = data.split(b"\n")
    torn = raws[-1]
    last = 0  # the number of the last change that counts, as lines go
    for number, raw in enumerate(raws[:-1], 1):
        if not raw.strip():
            continue
        found = _entry(raw, number)
        if isinstance(found, str):
            damage.append(Damage(number, last, found, source, unreadable=True))
            continue
        entries.append(found)
        if found.state == ABORTED:
            continue
        if found.change.number == last:
            damage.append(Damage(number, last, f"repeats change {last}", source))
        elif found.change.number < last:
            damage.append(
                Damage(number, last, f"change {found.change.number} after change {last}", source)
            )
        last = max(last, found.change.number)
    if torn.strip():
        found = _entry(torn, len(raws))
        if isinstance(found, HistoryLine):
            entries.append(found)  # a whole entry that lost only its line end
        else:
            what = "is cut off (no line end: a crash or a full disk while it was written)"
            damage.append(Damage(len(raws), last, what, source, unreadable=True))
    return Parsed(entries, damage)


def stands(entry: HistoryLine, store_digest: str | None, lookup: ByIds) -> bool:
    """Whether a pending entry's change is in the store: it holds the content the entry
    names; else (someone saved the store by hand since) its activities are as the change
    left them rather than as they were before it."""
    if entry.digest is not None and entry.digest == store_digest:
        return True
    from ..records import to_record  # only for a pending line, once in a long while

    edits = entry.change.edits
    current = lookup([e.id for e in edits])
    after = before = False
    for edit in edits:
        now = to_record(current[edit.id]) if edit.id in current else None
        is_after, is_before = same_activity(now, edit.after), same_activity(now, edit.before)
        after |= is_after and not is_before
        before |= is_before and not is_after
    return after and not before


def visible(
    path: Path, resolve: Callable[[HistoryLine], bool]
) -> tuple[list[Change], list[Damage]]:
    """The changes that were made, in the order of the file, and the damage found:
    aborted lines are left out, a pending one kept when ``resolve`` says it stands."""
    parsed = parse(path)
    changes = [
        e.change for e in parsed.entries if e.state == DONE or (e.state == PENDING and resolve(e))
    ]
    return changes, parsed.damage


def newest_first(
    changes: list[Change],
    *,
    ident: str | None = None,
    author: str | None = None,
    period: Period | None = None,
    limit: int | None = None,
    edits: bool = True,
) -> list[Change]:
    """``changes`` (in file order) newest first, filtered as ``Store.history`` says."""
    out: list[Change] = []
    for change in reversed(changes):
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
        out.append(change)
        if limit is not None and len(out) >= limit:
            break
    return out


# --- writing (under the store's lock) -------------------------------------------------------


def _reverse_lines(fd: int, end: int) -> Iterator[tuple[int, bytes]]:
    """The lines before ``end`` (just after a line end), newest first, with their offsets;
    read from the end, so a long history costs only the lines asked for."""
    chunks: list[bytes] = []
    buf = b""
    pos = line_end = end
    size = _CHUNK
    while line_end > 0:
        cut = buf.rfind(b"\n", 0, len(buf) - 1)
        if cut >= 0 or pos == 0:
            start = pos + cut + 1
            yield start, buf[start - pos :]
            buf = buf[: start - pos]
            line_end = start
            continue
        step = min(size, pos)
        chunks = [os.pread(fd, step, pos - step), buf]
        buf = b"".join(chunks)
        pos -= step
        size *= 2  # a whole import is one long line: read it in few steps


def next_number(path: Path) -> int:
    """The number of the next change: one more than the last change made, counting a line
    it cannot read after it as one (it may have been a change), never an aborted one."""
    try:
        fd = _open(path, os.O_RDONLY, "read the history")
    except FileNotFoundError:
        return 1
    try:
        unreadable = 0
        for _, raw in _reverse_lines(fd, os.fstat(fd).st_size):
            if not raw.strip():
                continue
            found = _entry(raw.rstrip(b"\n"), 0)
            if isinstance(found, str):
                unreadable += 1
            elif found.state != ABORTED:
                return found.change.number + 1 + unreadable
        return 1 + unreadable
    except OSError as error:
        raise os_error(path, error, "read the history") from None
    finally:
        os.close(fd)


def recover(path: Path, store_digest: Callable[[], str | None], lookup: ByIds) -> None:
    """Mend what a writer killed or starved of disk left (call under the store's lock,
    before a write): a last line cut off is moved aside, and a last change still pending
    is marked done or aborted as the store says."""
    try:
        fd = _open(path, os.O_RDWR, "repair the history")
    except FileNotFoundError:
        return
    try:
        size = os.fstat(fd).st_size
        end = _cut_off(path, fd, size)
        for offset, raw in _reverse_lines(fd, end):
            if not raw.strip():
                continue
            found = _entry(raw.rstrip(b"\n"), 0)
            if isinstance(found, HistoryLine) and found.state == PENDING:
                state = DONE if stands(found, store_digest(), lookup) else ABORTED
                _mark(fd, offset + raw.index(_MARK), state)
            break
    except OSError as error:
        raise os_error(path, error, "repair the history") from None
    finally:
        os.close(fd)


def _cut_off(path: Path, fd: int, size: int) -> int:
    """Where the complete lines end, once a cut-off last line is dealt with: a whole entry
    that lost only its line end gets one; anything else is moved aside."""
    if size == 0:
        return 0
    if os.pread(fd, 1, size - 1) == b"\n":
        return size
    start = next((offset for offset, _ in _reverse_lines(fd, size)), 0)
    # _reverse_lines takes its end as just after a line end; the cut-off line is its first.
    torn = os.pread(fd, size - start, start)
    if isinstance(_entry(torn, 0), HistoryLine):
        os.pwrite(fd, b"\n", size)
        os.fsync(fd)
        return size + 1
    aside = _put_aside(path, torn)
    os.ftruncate(fd, start)
    os.fsync(fd)
    line = os.pread(fd, start, 0).count(b"\n") + 1
    warn(
        f"{path}: line {line} was cut off (a crash or a full disk while it was written); "
        f"moved it to {aside.name}, and the history goes on after it"
    )
    return start


def _put_aside(path: Path, data: bytes) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    mode = stat.S_IMODE(os.stat(path).st_mode)
    for n in range(1, 1000):
        aside = path.with_name(f"{path.name}.torn-{stamp}" + (f"-{n}" if n > 1 else ""))
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(aside, flags, mode)
        except FileExistsError:
            continue
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        return aside
    raise StoreError(
        "cannot move its cut-off last line aside: too many torn files", source=str(path)
    )


def _mark(fd: int, offset: int, state: str) -> None:
    os.pwrite(fd, _WORDS[state], offset + len(b'"state":'))
    os.fsync(fd)


def entry(change: Change, digest: str) -> bytes:
    """The line that records ``change`` as pending, the store's new content ``digest``;
    made before the store is written, so that nothing in it (a command line that was not
    UTF-8) can fail once the store has changed."""
    data: dict[str, Any] = {"change": change.number, "state": PENDING, "digest": digest}
    data.update({k: v for k, v in change.to_json().items() if k != "change"})
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # A lone surrogate (argv bytes that were not UTF-8) is kept as a JSON escape.
    return (line.encode("utf-8", "backslashreplace").decode("utf-8") + "\n").encode("utf-8")


@dataclass(frozen=True)
class Pending:
    """A line appended and not yet marked: where it starts and where its state is."""

    path: Path
    offset: int
    state: int


def append(path: Path, line: bytes) -> Pending:
    """Append one pending :func:`entry` and flush it to disk; on failure (a full disk)
    nothing of it is left (call under the store's lock, after :func:`recover`)."""
    try:
        fd = _open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, "write the history")
    except FileNotFoundError:
        raise StoreError(
            "cannot write the history: its folder is gone; nothing was written", source=str(path)
        ) from None
    try:
        offset = os.fstat(fd).st_size
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as error:
            with contextlib.suppress(OSError):
                _take_back(path, fd, offset)
            failed = os_error(path, error, "write the history")
            raise StoreError(f"{failed.message}; nothing was written", source=str(path)) from None
    finally:
        os.close(fd)
    return Pending(path, offset, offset + line.index(_MARK))


def finish(pending: Pending, state: str) -> None:
    """Mark a pending line done (the store was replaced) or aborted; a failure leaves it
    pending, which readers and the next writer resolve from the store."""
    with contextlib.suppress(OSError):
        fd = _open(pending.path, os.O_WRONLY, "write the history")
        try:
            _mark(fd, pending.state, state)
        finally:
            os.close(fd)


def withdraw(pending: Pending) -> None:
    """Take back a pending line whose change was not made (the store was not replaced):
    the history goes on as if it had never been tried."""
    with contextlib.suppress(OSError, StoreError):
        fd = _open(pending.path, os.O_WRONLY, "write the history")
        try:
            _take_back(pending.path, fd, pending.offset)
        except OSError:
            _mark(fd, pending.state, ABORTED)
        finally:
            os.close(fd)


def _take_back(path: Path, fd: int, offset: int) -> None:
    """Cut the history back to ``offset``; a history this write began is removed."""
    with contextlib.suppress(OSError):
        if offset == 0:
            os.unlink(path)
    os.ftruncate(fd, offset)
    os.fsync(fd)
