"""Text as files hold it, read with its limits: the one layer below both the stores and the
readers (a CSV store and a CSV import share the CSV grammar, a JSON store and a JSON import
the hostile-input rules), so that neither imports the other.

Each limit ends in one line of error, and memory stays within a small multiple of the
input: a row over :data:`MAX_ROW` characters is refused before it is split into cells, a
JSON number over :data:`MAX_DIGITS` digits before it is converted, nesting past Python's
recursion limit as it is met.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from .errors import StoreError

MAX_ROW = 1 << 20
"""Characters in one row (1 Mi): the longest row the model accepts is about 520,000 (50
extra columns of 10,000); a longer one is reported, not split into cells, so one line of a
billion commas costs its own size in memory, not fifty times that in cells."""


def decode(data: bytes, source: str) -> str:
    """The text of a store file: UTF-8 with or without a byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise StoreError(
            "is UTF-16 text; expected UTF-8", source=source, hint="save it as 'CSV UTF-8'"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise StoreError(
            f"not UTF-8 (byte 0x{data[error.start]:02x} at line {line}); expected a UTF-8 file",
            source=source,
            line=line,
            hint="save it as 'CSV UTF-8' in the spreadsheet, or convert it with iconv",
        ) from None


class RowTooLong(Exception):
    """A row over :data:`MAX_ROW` characters (raised by :class:`Recorder`)."""


class Recorder:
    """Feeds csv.reader line by line and keeps the raw text of the current record. Lines end
    where ``io.StringIO(text, newline="")`` ends them (LF, CRLF or a lone CR), without its
    copy of the text at four bytes a character (680 MB for a million-row store), and a row
    longer than :data:`MAX_ROW` is given up on as soon as it is. ``keep=False`` (a reader
    that needs no raw text) copies no line it gives up on."""

    def __init__(self, text: str, *, keep: bool = True) -> None:
        self._text = text
        self._keep = keep
        self._pos = 0
        self._cr = "\r" in text
        self.buffer: list[str] = []
        self.size = 0
        self.count = 0

    def __iter__(self) -> Recorder:
        return self

    def start_row(self) -> None:
        self.buffer = []
        self.size = 0

    def __next__(self) -> str:
        text, pos = self._text, self._pos
        if pos >= len(text):
            raise StopIteration
        newline = text.find("\n", pos)
        stop = len(text) if newline < 0 else newline + 1
        if self._cr:
            cr = text.find("\r", pos, stop)
            if cr >= 0 and cr + 1 != newline:  # a carriage return alone ends a line too
                stop = cr + 1
        self._pos = stop
        self.count += 1
        self.size += stop - pos
        if self.size > MAX_ROW and not self._keep:
            raise RowTooLong
        line = text[pos:stop]
        if self._keep:
            self.buffer.append(line)  # kept even when too long: a rewrite keeps every byte
        if self.size > MAX_ROW:
            raise RowTooLong
        return line


class Lines(Protocol):
    """What feeds csv.reader a record at a time and counts the lines it gave
    (:class:`Recorder` over a text, or a reader's own over a stream)."""

    count: int

    def start_row(self) -> None: ...


def csv_records(recorder: Lines, reader: Any) -> Iterator[tuple[int, list[str], str | None]]:
    """The records after the header: each with the line it starts on and its cells, or
    why it cannot be read (its cells then empty); the recorder holds its raw text."""
    while True:
        recorder.start_row()
        line = recorder.count + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield line, [], f"broken row: {csv_error(error)}"
            continue
        except RowTooLong:
            yield line, [], f"row is over {MAX_ROW:,} characters long; expected a shorter row"
            continue
        yield line, cells, None


def csv_error(error: csv.Error) -> str:
    """The csv module's complaint in the words of someone editing a spreadsheet."""
    text = str(error)
    if text.startswith("field larger than field limit"):
        return f"a cell is over {csv.field_size_limit():,} characters long; expected a shorter cell"
    return text


MAX_DIGITS = 30
"""Digits in a JSON number: no field of a record is a number, and a number of a million
digits costs seconds to read."""


class _NumberTooLong(ValueError):
    pass


def _number(text: str) -> float | int:
    if len(text) > MAX_DIGITS:
        raise _NumberTooLong(len(text))
    return float(text) if any(c in text for c in ".eE") else int(text)


def parse_json(text: str, source: str, line: int = 1) -> Any:
    """One JSON text (starting on ``line``), hostile input refused in one line."""
    try:
        return json.loads(text, parse_int=_number, parse_float=_number)
    except json.JSONDecodeError as error:
        raise StoreError(
            f"invalid JSON: {error.msg}", source=source, line=line + error.lineno - 1
        ) from None
    except RecursionError:
        raise StoreError(
            "JSON nested too deep; expected an array of activity records",
            source=source,
            line=line,
        ) from None
    except _NumberTooLong as error:
        raise StoreError(
            f"a number of {error.args[0]:,} characters; at most {MAX_DIGITS} are allowed",
            source=source,
            line=line,
        ) from None


def load_json(text: str, source: str) -> Any:
    """Parsed JSON, or JSON lines (one record a line, as ``--format ndjson`` and ``jq -c``
    write them) as a list; hostile input (deep nesting, huge numbers) is refused in one line."""
    try:
        return parse_json(text, source)
    except StoreError as error:
        if not error.message.startswith("invalid JSON: Extra data"):
            raise
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            records.append(parse_json(line, source, number))
    return records


def read_plain_file(path: Path) -> bytes | None:
    """The bytes of a plain file, or None when there is none: a FIFO or a device there is
    not read (it would hang every command), nor is a folder."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise StoreError(f"cannot read: {error.strerror}", source=str(path)) from None
    finally:
        os.close(fd)
