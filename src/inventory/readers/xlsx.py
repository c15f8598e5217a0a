"""Reading an xlsx workbook, with openpyxl: the tool's own export (``list --format xlsx``),
a planning sheet (the store's columns, ``id`` optional) or a sheet laid out like the
newsletter's tables. Every cell is read as the text a person sees in it."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from ..errors import StoreError
from . import Context, Event, Reading, Row, Source, limits, whole
from .layout import interpret
from .records import column_names, rows_to_reading


def _text(value: Any) -> str:
    """A cell as the text a person sees; a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d %B %Y").lstrip("0")
    return str(value)


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def check_workbook(data: bytes, label: str, deadline: limits.Deadline | None = None) -> None:
    """Refuse a workbook that would cost too much to read (see :mod:`.limits`) before
    openpyxl reads any of it: its size decompressed, entities, and in every XML part the
    nesting, cells (per row and in all), shared strings and characters, read as a stream."""
    archive = limits.checked_zip(data, label, "an xlsx workbook", deadline)
    cells = 0
    with archive:
        for member in archive.infolist():
            name = member.filename
            if not name.lower().endswith((".xml", ".rels")):
                continue
            counted, what, group = "", "", ""
            if name.startswith("xl/worksheets/"):
                counted, what, group = f"{_MAIN}c", "cells", f"{_MAIN}row"
            elif name == "xl/sharedStrings.xml":
                counted, what = f"{_MAIN}si", "shared strings"
            with archive.open(member) as stream:
                found = limits.scan_xml(
                    stream,
                    label,
                    name,
                    counted,
                    what,
                    limits.MAX_CELLS,
                    already=cells if group else 0,
                    max_elements=4 * limits.MAX_CELLS,
                    max_chars=limits.MAX_WORKBOOK_CHARS,
                    group=group,
                    max_in_group=limits.MAX_COLUMNS,
                    deadline=deadline,
                )
            if group:
                cells += found


def _rows(sheet: Any, label: str, deadline: limits.Deadline) -> Any:
    """The sheet's rows as text, numbered; the blank cells openpyxl fills in (up to the
    size the sheet declares) count too, so a sheet that declares a million rows and holds
    one ends at the cap, not after a million empty rows."""
    cells = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells += len(values)
        if cells > limits.MAX_CELLS:
            raise limits.too_many(label, "cells (blank ones included)", limits.MAX_CELLS)
        if number % 256 == 0:
            deadline.check()
        yield number, [_text(v) for v in values]


def read(source: Source, context: Context, kind: str = "xlsx") -> Reading:
    from openpyxl import load_workbook

    data = whole(source)
    deadline = limits.Deadline(source.label, limits.WORKBOOK_SECONDS)
    check_workbook(data, source.label, deadline)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise StoreError(
            f"is an xlsx workbook that cannot be read ({type(error).__name__})",
            source=source.label,
        ) from None
    sheet = book.active
    if sheet is None:
        raise StoreError("has no sheet", source=source.label)
    rows = list(_rows(sheet, source.label, deadline))
    book.close()
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        return Reading(kind="xlsx workbook")
    names = column_names(rows[0][1])
    if {"title", "dates"} <= set(names):
        reading = rows_to_reading(
            limits.timed(((str(n), cells) for n, cells in rows[1:]), deadline),
            names,
            context,
            source.label,
        )
    else:
        # A sheet laid out like the newsletter: a projects column, an activity column.
        events: list[Event] = [
            Row(tuple(cells), n, f"sheet {sheet.title!r}, row {n}") for n, cells in rows
        ]
        reading = interpret(limits.timed(events, deadline), context, source.label)
    reading.kind = "xlsx workbook"
    return reading
