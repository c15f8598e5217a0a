"""A CSV store rewritten a row at a time: the file streams from the store to its next
version, its unchanged rows copied as they are, the changed ones written in their place, the
new ones appended, so a write to a million rows holds one row (or a megabyte), not the store.

It gives exactly the bytes :class:`csvdoc.Document` gives from the whole text (the tests keep
that writer as its oracle). Three ways through, the first that can tell:

* no id written appears anywhere in the rows (an ``add``): no row can be one of them, so the
  rows are copied a megabyte at a time, unread, and the new ones appended;
* each id appears, first, inside a row whose bytes hash to what the cache keeps for that id
  (``row_hash``), and those bytes appear nowhere else (else they might be a copy inside
  another row's quoted cell): the rows are copied around those bytes (an edit, a removal);
* otherwise each row is read (``csv.reader``, a line at a time) to find the ones written.

The file is the version the store's cache describes (the caller makes sure), which has been
read whole once already: its text is UTF-8 without a NUL, and its header names the columns.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from ..errors import StoreError
from ..sanitise import FORMULA_PREFIXES, unneutralise
from ..textio import MAX_ROW, Recorder, RowTooLong, csv_records
from .csvdoc import (
    BOM,
    Header,
    _check_header,
    ended,
    header_text,
    names_for,
    render_row,
    row_hash,
)

if TYPE_CHECKING:
    from ..model import Activity

PIECE = 1 << 20
SPAN = 1 << 16
"""Bytes read around an id found, for its row (a longer row is read the other way)."""
NEEDLES = 32
NEUTRALISED = tuple(p.encode() for p in (*FORMULA_PREFIXES, "'"))
"""How an id the store writes with a ``'`` before it (``sanitise``) starts: not searched."""
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
    hashes: Callable[[list[str]], dict[str, bytes]] = lambda ids: {},
    digest: bool = False,
) -> Streamed | None:
    """Write the store read from ``fd`` with these rows changed (an id's new activity, or
    None to remove its row) to ``sink``; None when the file is one the whole-text writer
    must handle (what may be blank, a header that cannot be read or that ends without an
    LF, text that is not UTF-8: it says so as it says it), the sink then to be discarded.
    ``check`` vets each row before anything is written; ``hashes`` gives the hash
    (``csvdoc.row_hash``) of the row of each id the store's cache holds, to find those rows
    in the bytes; ``digest``: say the SHA-256 of the bytes read."""
    old = hashlib.sha256() if digest else None
    stream = open(os.dup(fd), encoding="utf-8", newline="", buffering=PIECE)  # noqa: SIM115
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
        found = _find(fd, start, changes, hashes)
        if found is None or not _copy(fd, start, head, found, rows, newline, sink, old):
            sink.restart()
            old = lines.old = header_only
            try:
                _through(lines, reader, names.index("id"), head, changes, rows, newline, sink)
            except UnicodeDecodeError:
                return None
    return Streamed(written, rows, old.hexdigest() if old is not None else None)


@dataclass
class _Found:
    """Where the rows written are in the bytes of a store, as far as a search tells."""

    absent: list[bytes]
    """Ids (their bytes) in no row: they appear nowhere."""
    rows: list[tuple[int, int, str, bytes]]
    """The row of each id found: where it starts and ends, the id, and its bytes, which
    must appear once only in the file (else it might be a copy inside another row's
    quoted cell, not the row)."""


def _find(
    fd: int,
    start: int,
    changes: dict[str, Activity | None],
    hashes: Callable[[list[str]], dict[str, bytes]],
) -> _Found | None:
    """The rows of these ids found by searching the bytes for each id, and checked against
    the hash the cache keeps of each; None when that cannot tell (too many ids, an id with a
    quote or a line end, which a cell does not hold as it is, or one found where its row is
    not): then each row is read instead."""
    needles = {i: i.encode("utf-8") for i in changes}
    if not 0 < len(needles) <= NEEDLES or any(
        not n or any(c in n for c in b'"\r\n') or n.startswith(NEUTRALISED)
        for n in needles.values()
    ):
        return None
    first: dict[str, int] = {}
    keep = max(len(n) for n in needles.values()) - 1
    tail = b""
    position = start
    while len(first) < len(needles) and (chunk := os.pread(fd, PIECE, position)):
        window = tail + chunk
        for ident, needle in needles.items():
            if ident not in first and (at := window.find(needle)) >= 0:
                first[ident] = position - len(tail) + at
        position += len(chunk)
        tail = window[len(window) - keep :] if keep else b""
    known = hashes(list(first)) if first else {}
    rows = []
    for ident, at in first.items():
        if ident not in known:
            return None  # in a row the cache could not read, or in some other cell
        where = _row_around(fd, start, at, known[ident])
        if where is None:
            return None
        rows.append((where[0], where[1], ident, where[2]))
    rows.sort()
    if any(a[1] > b[0] for a, b in itertools.pairwise(rows)):
        return None
    absent = [n for i, n in needles.items() if i not in first]
    return _Found(absent, rows)


def _row_around(fd: int, start: int, at: int, hash_: bytes) -> tuple[int, int, bytes] | None:
    """The row with this hash holding the byte at ``at``: read from each line start before
    it in turn (a row can span lines), as the store's reader splits them."""
    span = min(at - start, SPAN)
    before = os.pread(fd, span, at - span)
    starts: list[int] = []
    end = len(before)
    while (
        len(starts) < 8
        and (i := max(before.rfind(b"\n", 0, end), before.rfind(b"\r", 0, end))) >= 0
    ):
        starts.append(at - span + i + 1)
        end = i
    if at - start <= SPAN:
        starts.append(start)
    for row_start in starts[:8]:
        window = os.pread(fd, SPAN, row_start)
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(window, final=False)
        except UnicodeDecodeError:
            return None
        recorder = Recorder(text)
        try:
            next(csv.reader(recorder, strict=True))
        except (csv.Error, RowTooLong, StopIteration):
            continue
        raw = "".join(recorder.buffer)
        data = raw.encode("utf-8")
        ended = data.endswith((b"\n", b"\r")) or len(window) < SPAN  # else cut short
        if ended and row_start + len(data) > at and row_hash(raw) == hash_:
            return row_start, row_start + len(data), data
    return None


def _copy(
    fd: int,
    start: int,
    head: bytes,
    found: _Found,
    rows: dict[str, str],
    newline: str,
    sink: Sink,
    old: Any,
) -> bool:
    """The rows copied as bytes a megabyte at a time, unread, the rows found replaced or
    left out, then the new ones (the ids :func:`_find` did not find are in none of these
    bytes: it read them all); False when a row found appears twice."""
    seen = [0] * len(found.rows)
    cuts = [(a, b, rows.get(ident, "").encode("utf-8")) for a, b, ident, _ in found.rows]
    last = b"\n"

    def put(data: bytes) -> None:
        nonlocal last
        if data:
            sink.write(data)
            last = data[-1:]

    sink.write(head)
    tail = b""
    position = start
    while chunk := os.pread(fd, PIECE, position):
        for index, (_, _, _, data) in enumerate(found.rows):
            seen[index] += _count(chunk, data)
            if tail and len(data) > 1:  # the ones across the edge of two pieces
                seen[index] += _count(tail[1 - len(data) :] + chunk[: len(data) - 1], data)
        if old is not None:
            old.update(chunk)
        end = position + len(chunk)
        piece = position
        while cuts and cuts[0][0] < end:
            cut_start, cut_end, replacement = cuts[0]
            if cut_start >= piece:
                put(chunk[piece - position : cut_start - position])
                put(replacement)
            piece = max(piece, min(cut_end, end))
            if cut_end > end:
                break
            cuts.pop(0)
        put(chunk[piece - position :])
        tail = chunk
        position = end
    if seen != [1] * len(found.rows):
        return False
    if last not in (b"\n", b"\r"):
        sink.write(newline.encode("utf-8"))
    at_end = {r[2] for r in found.rows}
    sink.write("".join(r for i, r in rows.items() if i not in at_end).encode("utf-8"))
    return True


def _count(haystack: bytes, needle: bytes) -> int:
    """How many times ``needle`` appears, overlapping ones too."""
    count, at = 0, haystack.find(needle)
    while at >= 0:
        count += 1
        at = haystack.find(needle, at + 1)
    return count


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
        if size >= PIECE:
            sink.write("".join(parts).encode("utf-8"))
            parts.clear()
            size = 0
    parts.extend(raw for ident, raw in rows.items() if ident not in done)
    sink.write("".join(parts).encode("utf-8"))
