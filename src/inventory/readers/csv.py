"""Reading a CSV into activities: the tool's own export, the store itself, or a planning
sheet. The delimiter (``,``, ``;`` as Excel saves in France or Germany, or a tab) is found
from the header; a byte-order mark is dropped; an ``id`` column is optional (ids are then
derived, as for a newsletter line)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from ..errors import StoreError
from ..textio import MAX_ROW, Recorder, RowTooLong, csv_records
from . import IMPORT_CHUNK, Context, Reading, Source, encoding_of
from .records import check_header, column_names, merged, rows_to_chunks

DELIMITERS = (",", ";", "\t")


def delimiter_of(header_line: str) -> str:
    """The delimiter that splits the header into the most known column names."""

    def known(delimiter: str) -> int:
        try:
            cells = next(csv.reader([header_line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            return 0
        return len(
            {"id", "projects", "title", "dates", "month", "location"} & set(column_names(cells))
        )

    return max(DELIMITERS, key=lambda d: (known(d), header_line.count(d)))


def read(source: Source, context: Context, kind: str = "csv") -> Reading:
    return merged(read_chunks(source, context, kind))


def read_chunks(
    source: Source, context: Context, kind: str = "csv", size: int = IMPORT_CHUNK
) -> Iterator[Reading]:
    """The CSV a chunk of activities at a time (``records_in.rows_to_chunks``); a UTF-8
    one is read a line at a time too, never whole."""
    recorder: Recorder | _Lines
    if encoding_of(source.head[:4]) == "utf-8-sig":
        recorder = _Lines(source.open(), source.label)
        try:
            first = recorder.peek().rstrip("\r\n")
        except RowTooLong:
            raise _header_too_long(source.label) from None
    else:
        text = _whole_text(source)
        first = text[: min(len(text), MAX_ROW)].split("\n", 1)[0].rstrip("\r")
        recorder = Recorder(text, keep=False)
        del text
    delimiter = delimiter_of(first)
    # Line by line, a row over MAX_ROW refused before it is split: one line of a billion
    # commas must not become a billion cells.
    reader = csv.reader(recorder, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield Reading(kind="CSV")
        return
    except csv.Error as error:
        raise StoreError(f"unreadable header: {error}", source=source.label, line=1) from None
    except RowTooLong:
        raise _header_too_long(source.label) from None
    names = column_names(header)
    why = check_header(names, "CSV")
    if why is not None:
        raise StoreError(why, source=source.label, line=1)

    def rows() -> Iterator[tuple[str, list[str]]]:
        for line, cells, problem in csv_records(recorder, reader):
            if problem is not None:
                raise StoreError(problem, source=source.label, line=line)
            yield str(line), cells

    label = "CSV" + (" (semicolon-separated)" if delimiter == ";" else "")
    for reading in rows_to_chunks(rows(), names, context, source.label, size=size):
        reading.kind = label
        yield reading


def _whole_text(source: Source) -> str:
    data = source.read()
    try:
        text = data.decode(encoding_of(data[:4]))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _not_utf8(source.label, data[error.start], line) from None
    del data  # the text is all that is read from now on: one copy of a big input, not two
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise StoreError("contains a NUL byte; expected a text CSV file", source=source.label)
    return text


def _not_utf8(label: str, byte: int, line: int) -> StoreError:
    return StoreError(
        f"is not UTF-8 (byte 0x{byte:02x} at line {line})",
        source=label,
        line=line,
        hint="save it as 'CSV UTF-8' in the spreadsheet, or convert it with iconv",
    )


class _Lines:
    """What ``csvdoc.Recorder`` gives csv.reader (``keep=False``), read from the input a
    line at a time instead of from its whole text: lines end at LF, CRLF or a lone CR; a
    row longer than :data:`MAX_ROW` is given up on as soon as it is, before it is held."""

    def __init__(self, stream: IO[bytes], label: str) -> None:
        self._stream = stream
        self._label = label
        self._pending: list[str] = []
        self._lines = 0  # physical lines (LF-ended), for a decoding error
        self.size = 0
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def start_row(self) -> None:
        self.size = 0

    def peek(self) -> str:
        """The first line (the header), without taking it."""
        self._fill()
        return self._pending[0] if self._pending else ""

    def _fill(self) -> None:
        if self._pending:
            return
        limit = 4 * MAX_ROW + 8  # bytes enough for MAX_ROW characters and more
        raw = self._stream.readline(limit)
        if not raw:
            return
        if len(raw) >= limit and not raw.endswith(b"\n"):
            raise RowTooLong
        self._lines += 1
        try:
            line = raw.decode("utf-8-sig" if self._lines == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise _not_utf8(self._label, raw[error.start], self._lines) from None
        if self._lines == 1:
            line = line.lstrip("\ufeff")
        if "\x00" in line:
            raise StoreError("contains a NUL byte; expected a text CSV file", source=self._label)
        # A carriage return alone ends a line too.
        self._pending = _cr_split(line) if "\r" in line else [line]

    def __next__(self) -> str:
        self._fill()
        if not self._pending:
            raise StopIteration
        line = self._pending.pop(0)
        self.count += 1
        self.size += len(line)
        if self.size > MAX_ROW:
            raise RowTooLong
        return line


def _cr_split(text: str) -> list[str]:
    """``text`` (a line with its ending) cut after each CR that is not before an LF."""
    out: list[str] = []
    start = 0
    for index, char in enumerate(text):
        if char == "\r" and text[index + 1 : index + 2] != "\n":
            out.append(text[start : index + 1])
            start = index + 1
    if start < len(text):
        out.append(text[start:])
    return out


def _header_too_long(label: str) -> StoreError:
    return StoreError(
        f"the first row is over {MAX_ROW:,} characters long; expected the column names",
        source=label,
        line=1,
    )
