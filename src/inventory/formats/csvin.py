"""Reading a CSV into activities: the tool's own export, the store itself, or a planning
sheet. The delimiter (``,``, ``;`` as Excel saves in France or Germany, or a tab) is found
from the header; a byte-order mark is dropped; an ``id`` column is optional (ids are then
derived, as for a newsletter line)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from ..errors import StoreError
from ..store.csvdoc import MAX_ROW, Recorder, RowTooLong, csv_error
from .readers import IMPORT_CHUNK, Context, Reading, Source, encoding_of
from .records_in import check_header, column_names, merged, rows_to_chunks

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
    """The CSV a chunk of activities at a time (``records_in.rows_to_chunks``)."""
    data = source.read()
    try:
        text = data.decode(encoding_of(data[:4]))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise StoreError(
            f"is not UTF-8 (byte 0x{data[error.start]:02x} at line {line})",
            source=source.label,
            line=line,
            hint="save it as 'CSV UTF-8' in the spreadsheet, or convert it with iconv",
        ) from None
    del data  # the text is all that is read from now on: one copy of a big input, not two
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise StoreError("contains a NUL byte; expected a text CSV file", source=source.label)
    first = text[: min(len(text), MAX_ROW)].split("\n", 1)[0].rstrip("\r")
    delimiter = delimiter_of(first)
    # Line by line, a row over MAX_ROW refused before it is split: one line of a billion
    # commas must not become a billion cells.
    recorder = Recorder(text, keep=False)
    reader = csv.reader(recorder, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield Reading(kind="CSV")
        return
    except csv.Error as error:
        raise StoreError(f"unreadable header: {error}", source=source.label, line=1) from None
    except RowTooLong:
        raise StoreError(
            f"the first row is over {MAX_ROW:,} characters long; expected the column names",
            source=source.label,
            line=1,
        ) from None
    names = column_names(header)
    why = check_header(names, "CSV")
    if why is not None:
        raise StoreError(why, source=source.label, line=1)

    def rows() -> Iterator[tuple[str, list[str]]]:
        while True:
            recorder.start_row()
            line = recorder.count + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                message = f"broken row: {csv_error(error)}"
                raise StoreError(message, source=source.label, line=line) from None
            except RowTooLong:
                message = f"row is over {MAX_ROW:,} characters long; expected a shorter row"
                raise StoreError(message, source=source.label, line=line) from None
            yield str(line), cells

    label = "CSV" + (" (semicolon-separated)" if delimiter == ";" else "")
    for reading in rows_to_chunks(rows(), names, context, source.label, size=size):
        reading.kind = label
        yield reading
