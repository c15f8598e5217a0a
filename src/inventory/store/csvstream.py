"""A CSV store rewritten a row at a time: the file streams from the store to its next
version, its unchanged rows copied as they are, the changed ones written in their place, the
new ones appended, so a write to a million rows holds one row (or a megabyte), not the store.

It gives exactly the bytes :class:`csvdoc.Document` gives from the whole text (the tests keep
that writer as its oracle). Two ways through:

* none of the ids written appears anywhere in the rows (an ``add``, an import of new rows):
  no row can be one of them, so the rows are copied a megabyte at a time, unread;
* otherwise each row is read (``csv.reader``, a line at a time) to find the ones written.

The file is the version the store's cache describes (the caller makes sure), which has been
read whole once already: its text is UTF-8 without a NUL, and its header names the columns.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from ..errors import StoreError
from ..sanitise import unneutralise
from ..textio import MAX_ROW, RowTooLong, csv_records
from .csvdoc import BOM, Header, _check_header, ended, header_text, names_for, render_row

if TYPE_CHECKING:
    from ..model import Activity

CHUNK = 1 << 20
NEEDLES = 32
"""Ids looked for in the bytes, at most: each costs a search of the store (an import of
thousands of rows reads each row once instead)."""


class Sink(Protocol):
    """Where the new version goes (a temporary file), from the start again on ``restart``."""

    def write(self, data: bytes) -> None: ...

    def restart(self) -> None: ...


@dataclass
class Streamed:
    header: Header
    """The header as written (its columns widened for the activities written)."""
    rows: dict[str, str]
    """The rows written, by id, as written."""
    digest: str | None
    """The SHA-256 of the bytes read, when asked for (a racily clean file)."""


class _Lines:
    """A stream's lines for csv.reader, ended where ``textio.Recorder`` ends them (a text
    stream with ``newline=""`` splits as ``io.StringIO(text, newline="")`` does), keeping the
    current record's raw text (all of it, even when too long: a rewrite keeps every byte),
    with its limit on a row's length; a byte-order mark is taken off the first line."""

    def __init__(self, stream: TextIO, old: Any) -> None:
        self._stream = stream
        self.old = old
        self.buffer: list[str] = []
        self.size = 0
        self.count = 0
        self.bom = False
        self.first_lf: str | None = None
        """The first line that ends with LF (its line end is the file's)."""

    def __iter__(self) -> _Lines:
        return self

    def start_row(self) -> None:
        self.buffer = []
        self.size = 0

    def __next__(self) -> str:
        line = self._stream.readline()
        if not line:
            raise StopIteration
        if self.old is not None:
            self.old.update(line.encode("utf-8"))
        if self.count == 0 and line.startswith(BOM):
            self.bom = True
            line = line[1:]
        if self.first_lf is None and line.endswith("\n"):
            self.first_lf = line
        self.count += 1
        self.size += len(line)
        self.buffer.append(line)
        if self.size > MAX_ROW:
            raise RowTooLong
        return line


def rewrite(
    fd: int,
    changes: dict[str, Activity | None],
    sink: Sink,
    *,
    check: Callable[[Activity, str, list[str]], None],
    digest: bool = False,
) -> Streamed | None:
    """Write the store read from ``fd`` with these rows changed (an id's new activity, or
    None to remove its row) to ``sink``; None when the file is one the whole-text writer
    must handle (what may be blank, a header that cannot be read or that ends without an
    LF, text that is not UTF-8: it says so as it says it), the sink then to be discarded.
    ``check`` vets each row before anything is written; ``digest``: say the SHA-256 of the
    bytes read."""
    old = hashlib.sha256() if digest else None
    stream = open(os.dup(fd), encoding="utf-8", newline="", buffering=CHUNK)  # noqa: SIM115
    with stream:
        lines = _Lines(stream, old)
        reader = csv.reader(lines, strict=True)
        try:
            names = [unneutralise(h.strip()) for h in next(reader)]
            _check_header(names, "")
        except (StopIteration, csv.Error, RowTooLong, StoreError, UnicodeDecodeError):
            return None
        if lines.first_lf is None:
            return None
        newline = "\r\n" if lines.first_lf.endswith("\r\n") else "\n"
        raw = "".join(lines.buffer)
        written = Header(lines.bom, newline, names_for(names, changes), raw)
        rows = {i: render_row(written.names, newline, a) for i, a in changes.items() if a}
        for ident, activity in changes.items():
            if activity is not None:
                check(activity, rows[ident], written.names)
        bom = BOM if lines.bom else ""
        start = len((bom + raw).encode("utf-8"))
        head = (bom + header_text(written)).encode("utf-8")
        header_only = old.copy() if old is not None else None
        if not _copy(fd, start, head, changes, rows, newline, sink, old):
            sink.restart()
            old = lines.old = header_only
            try:
                _through(lines, reader, names.index("id"), head, changes, rows, newline, sink)
            except UnicodeDecodeError:
                return None
    return Streamed(written, rows, old.hexdigest() if old is not None else None)


def _copy(
    fd: int,
    start: int,
    head: bytes,
    changes: dict[str, Activity | None],
    rows: dict[str, str],
    newline: str,
    sink: Sink,
    old: Any,
) -> bool:
    """The rows copied as bytes a megabyte at a time, unread, then the new ones, while no id
    written appears anywhere in them (a cell holds its text as it is unless it has a quote
    or a line end, which no id searched has); False as soon as one does."""
    needles = [i.encode("utf-8") for i in changes]
    if not 0 < len(needles) <= NEEDLES or any(
        not n or any(c in n for c in b'"\r\n') for n in needles
    ):
        return False
    keep = max(len(n) for n in needles) - 1
    sink.write(head)
    tail = b""
    last = b"\n"
    position = start
    while chunk := os.pread(fd, CHUNK, position):
        position += len(chunk)
        window = tail + chunk[: keep + 1] if tail else chunk
        if any(n in window or n in chunk for n in needles):
            return False
        if old is not None:
            old.update(chunk)
        sink.write(chunk)
        tail, last = chunk[len(chunk) - keep :] if keep else b"", chunk[-1:]
    if last not in (b"\n", b"\r"):
        sink.write(newline.encode("utf-8"))
    sink.write("".join(rows.values()).encode("utf-8"))
    return True


def _through(
    lines: _Lines,
    reader: Iterator[list[str]],
    index: int,
    head: bytes,
    changes: dict[str, Activity | None],
    rows: dict[str, str],
    newline: str,
    sink: Sink,
) -> None:
    """Each row read, to replace or drop the first row of each id written, as
    ``Document.parse`` keys them."""
    sink.write(head)
    done: set[str] = set()
    parts: list[str] = []
    size = 0
    for _line, cells, unreadable in csv_records(lines, reader):
        raw = "".join(lines.buffer)
        ident = cells[index].strip() if unreadable is None and index < len(cells) else ""
        if ident in changes and ident not in done:
            done.add(ident)
            raw = rows.get(ident, "")
        else:
            raw = ended(raw, newline)
        parts.append(raw)
        size += len(raw)
        if size >= CHUNK:
            sink.write("".join(parts).encode("utf-8"))
            parts.clear()
            size = 0
    parts.extend(raw for ident, raw in rows.items() if ident not in done)
    sink.write("".join(parts).encode("utf-8"))
