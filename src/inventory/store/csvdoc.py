"""The CSV store's text, read and written so that people can keep editing it by hand:
every row the tool does not change is written back byte for byte (quoting, spacing, CRLF
line ends, a byte-order mark, columns this version does not know), so a ``git diff`` after
an edit shows only the edited row.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Problem, StoreError
from ..sanitise import neutralise, unneutralise
from ..textio import MAX_ROW, Recorder, RowTooLong, csv_records, decode
from ..vocab import COLUMNS

if TYPE_CHECKING:
    from ..model import Activity

BOM = "\ufeff"
REQUIRED = ("id", "title", "dates")


def row_hash(raw: str) -> bytes:
    return hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class RawRow:
    """One record of the file; ``blank`` when all its cells are empty (kept, not read)."""

    line: int
    """Line of the file where the row starts."""
    cells: list[str]
    raw: str
    """The row's text as read, with its line end."""
    problem: Problem | None = None
    """Why the row cannot be read at all (it is still kept, byte for byte)."""
    _hash: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def hash(self) -> bytes:
        # Kept by hand: functools.cached_property takes a lock on each first use (Python
        # 3.11), a microsecond a row of a million-row build.
        if self._hash is None:
            self._hash = row_hash(self.raw)
        return self._hash

    @property
    def blank(self) -> bool:
        return self.problem is None and not any(map(str.strip, self.cells))


@dataclass
class Header:
    bom: bool
    newline: str
    names: list[str]
    raw: str
    """The header line as read (empty for a new file)."""

    def fingerprint(self) -> str:
        return "\x1f".join(self.names)


def _check_header(names: list[str], source: str) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        found = ", ".join(names) or "none"
        hint = "the first row must name the columns, e.g. " + ",".join(COLUMNS[:8])
        if len(names) == 1 and names[0].count(";") >= 2:
            hint = "it is semicolon-separated: import it with 'inventory import' (it detects ';')"
        raise StoreError(
            f"missing column(s) {', '.join(missing)}; found {found[:200]}",
            source=source,
            line=1,
            hint=hint,
        )
    seen = set()
    for name in names:
        if name in seen and name:
            raise StoreError(
                f"the column {name!r} appears twice; expected each column once",
                source=source,
                line=1,
            )
        seen.add(name)


def read_rows(text: str, source: str) -> tuple[Header, Iterator[RawRow]]:
    """The header, and the rows one by one (with a :class:`Problem` for a row the CSV
    reader cannot split or that has more cells than the header names)."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    if "\x00" in text:
        raise StoreError("contains a NUL byte; expected a text CSV file", source=source)
    first_end = text.find("\n")
    first_line = text if first_end < 0 else text[: first_end + 1]
    newline = "\r\n" if first_line.endswith("\r\n") else "\n"
    if not text.strip():
        return Header(bom, newline, list(COLUMNS), ""), iter(())
    return _read(Recorder(text), source, bom, newline)


DECODED = 1 << 22
"""Bytes of a big store decoded at a time (:func:`read_data_rows`)."""


class _Pieces(Recorder):
    """A :class:`Recorder` over a text given in pieces, each ending at a line end."""

    def __init__(self, first: str, rest: Iterator[str]) -> None:
        super().__init__(first)
        self._rest = rest

    def __next__(self) -> str:
        while self._pos >= len(self._text):
            piece = next(self._rest, None)
            if piece is None:
                raise StopIteration
            self._text, self._pos, self._cr = piece, 0, "\r" in piece
        return super().__next__()


def read_data_rows(data: bytes, source: str) -> tuple[Header, Iterator[RawRow]]:
    """``read_rows(decode(data, source), source)``, decoding a piece of a big store at a
    time: its text is not held whole beside its bytes (twice their size with a single
    character beyond Latin-1 in it). A piece ends at a line end, which no UTF-8 character
    straddles; a store that would not decode is said to as :func:`textio.decode` says it,
    before anything else is (its header's faults included)."""
    if len(data) <= 2 * DECODED or b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return read_rows(decode(data, source), source)

    def pieces(start: int) -> Iterator[str]:
        while start < len(data):
            end = data.find(b"\n", start + DECODED)
            end = len(data) if end < 0 else end + 1
            try:
                yield data[start:end].decode("utf-8")
            except UnicodeDecodeError:
                decode(data, source)  # raises what it says of the whole
                raise
            start = end

    rest = pieces(0)
    text = next(rest)
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    first_end = text.find("\n")
    if first_end < 0 or not text.strip():
        return read_rows(decode(data, source), source)
    newline = "\r\n" if text[: first_end + 1].endswith("\r\n") else "\n"
    try:
        return _read(_Pieces(text, rest), source, bom, newline)
    except StoreError:
        decode(data, source)
        raise


def _read(
    recorder: Recorder, source: str, bom: bool, newline: str
) -> tuple[Header, Iterator[RawRow]]:
    reader = csv.reader(recorder, strict=True)
    try:
        # Column names are written neutralised like every cell (a spreadsheet would run a
        # column named "=HYPERLINK(...)"): read them back as they were named.
        names = [unneutralise(h.strip()) for h in next(reader)]
    except csv.Error as error:
        raise StoreError(f"unreadable header: {error}", source=source, line=1) from None
    except RowTooLong:
        raise StoreError(
            f"the first row is over {MAX_ROW:,} characters long; expected the column names",
            source=source,
            line=1,
        ) from None
    _check_header(names, source)
    header = Header(bom, newline, names, "".join(recorder.buffer))

    def rows() -> Iterator[RawRow]:
        for line, cells, unreadable in csv_records(recorder, reader):
            if unreadable is not None:
                problem = Problem(unreadable, line, None, "error", source)
                yield RawRow(line, [], "".join(recorder.buffer), problem)
                continue
            raw = "".join(recorder.buffer)
            if len(cells) > len(names):
                message = f"{len(cells)} cells but the header names {len(names)} columns"
                yield RawRow(line, cells, raw, Problem(message, line, None, "error", source))
                continue
            yield RawRow(line, cells, raw)

    return header, rows()


@dataclass
class Document:
    """A whole CSV store in memory, for a write: its header and every row's text, keyed by
    the row's ``id`` cell where it has one."""

    header: Header
    order: list[str | int] = field(default_factory=list)
    """Row keys in file order: an id, or the line of a row without a readable id."""
    raw: dict[str | int, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, source: str) -> Document:
        header, rows = read_rows(text, source)
        doc = cls(header)
        index = header.names.index("id")
        for item in rows:
            # A row we cannot read is kept as it is, by line: it is not ours to drop.
            ident = item.cells[index].strip() if index < len(item.cells) else ""
            key: str | int = ident if ident and ident not in doc.raw else -item.line
            doc.order.append(key)
            doc.raw[key] = item.raw
        return doc

    def render_row(self, activity: Activity) -> str:
        return render_row(self.header.names, self.header.newline, activity)

    def apply(self, changes: dict[str, Activity | None]) -> None:
        """Replace, add (at the end) or remove (None) the rows of these ids."""
        self.header.names = names_for(self.header.names, changes)
        for ident, activity in changes.items():
            if activity is None:
                if ident in self.raw:
                    del self.raw[ident]
                    self.order.remove(ident)
                continue
            if ident not in self.raw:
                self.order.append(ident)
            self.raw[ident] = self.render_row(activity)

    def render(self) -> str:
        """The whole file's text: the rows' own strings joined, not copied one by one."""
        parts = [BOM] if self.header.bom else []
        parts.append(header_text(self.header))
        for key in self.order:
            parts.append(ended(self.raw[key], self.header.newline))
        return "".join(parts)


def ended(raw: str, newline: str) -> str:
    """A row as written back: a last row that had no line end gets one (a row added after
    it must not join it)."""
    return raw if raw.endswith(("\n", "\r")) else raw + newline


def names_for(names: list[str], changes: dict[str, Activity | None]) -> list[str]:
    """The header's columns once these activities are written: their columns, and their
    unknown ones, added at the end."""
    names = list(names)
    for activity in changes.values():
        if activity is not None:
            for column in (*COLUMNS, *activity.extra):
                if column not in names:
                    names.append(column)
    return names


def render_row(names: list[str], newline: str, activity: Activity) -> str:
    from ..records import to_row  # a write needs the models; a query reads no row

    row = to_row(activity)
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerow(
        [neutralise(row.get(column, "")) for column in names]
    )
    return out.getvalue()


def header_text(header: Header) -> str:
    """The header line as it is written back: as read while its columns are the same."""
    if header.raw and _same_names(header.raw, header.names):
        return header.raw if header.raw.endswith("\n") else header.raw + header.newline
    names_line = io.StringIO()
    csv.writer(names_line, lineterminator=header.newline).writerow(
        [neutralise(n) for n in header.names]
    )
    return names_line.getvalue()


def _same_names(raw: str, names: list[str]) -> bool:
    try:
        return [unneutralise(h.strip()) for h in next(csv.reader(io.StringIO(raw)))] == names
    except (csv.Error, StopIteration):
        return False
