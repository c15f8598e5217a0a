"""Reading the newsletter as a Word document (DOCX, how the editors write it) into
``layout`` events, with python-docx: paragraphs as :class:`Text`, table rows as
:class:`Row` s (a cell of several paragraphs is one cell of several lines; a merged cell
counts once), in document order. Page headers and footers are not part of the body and
are never read."""

from __future__ import annotations

import io
from typing import Any

from ..errors import StoreError
from . import Context, Event, Reading, Row, Source, Text, limits, whole
from .layout import interpret

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_GRID_SPAN = 64
"""Columns one table cell may span: Word makes tables of at most 63 columns, and
python-docx repeats a merged cell once per column it spans."""


def check_docx(data: bytes, label: str, deadline: limits.Deadline | None = None) -> None:
    """Refuse a DOCX that would cost too much to read (see :mod:`.limits`) before
    python-docx holds any of it: its size decompressed, entities, and in every XML part
    the nesting, elements, paragraphs and characters, each part read as a stream."""
    archive = limits.checked_zip(data, label, "a DOCX", deadline)
    paragraphs = 0
    with archive:
        for member in archive.infolist():
            if not member.filename.lower().endswith((".xml", ".rels")):
                continue
            with archive.open(member) as stream:
                paragraphs += limits.scan_xml(
                    stream,
                    label,
                    member.filename,
                    f"{_W}p",
                    "paragraphs",
                    limits.MAX_PARAGRAPHS,
                    already=paragraphs,
                    deadline=deadline,
                    attribute_caps={f"{_W}gridSpan": (f"{_W}val", MAX_GRID_SPAN)},
                )


def events_of_docx(
    data: bytes, label: str = "DOCX", deadline: limits.Deadline | None = None
) -> list[Event]:
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    deadline = deadline or limits.Deadline(label)
    events: list[Event] = []
    tables = 0
    paragraphs = 0

    def table(block: Any) -> None:
        nonlocal tables
        tables += 1
        number = tables
        for index, row in enumerate(block.rows, start=1):
            seen: set[int] = set()
            cells = []
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(cell)
            if any(cell.tables for cell in cells):
                for cell in cells:  # a layout table: read what is inside
                    for inner in cell.iter_inner_content():
                        block_(inner)
                continue
            texts = tuple("\n".join(p.text for p in cell.paragraphs) for cell in cells)
            if any(t.strip() for t in texts):
                events.append(Row(texts, len(events) + 1, f"table {number}, row {index}"))
                bounded()

    def block_(block: Any) -> None:
        nonlocal paragraphs
        if isinstance(block, Table):
            table(block)
            return
        for line in block.text.split("\n"):
            if line.strip():
                paragraphs += 1
                events.append(Text(line, len(events) + 1, f"paragraph {paragraphs}"))
                bounded()

    def bounded() -> None:
        # A paragraph of many lines (w:br) or a row of merged cells can still make more
        # events than the XML has paragraphs.
        if len(events) > limits.MAX_PARAGRAPHS:
            raise limits.too_many(label, "paragraphs and table rows", limits.MAX_PARAGRAPHS)
        if len(events) % 1024 == 0:
            deadline.check()

    for block in document.iter_inner_content():
        block_(block)
    return events


def read(source: Source, context: Context, kind: str = "docx") -> Reading:
    from lxml.etree import XMLSyntaxError

    data = whole(source)
    deadline = limits.Deadline(source.label)
    check_docx(data, source.label, deadline)
    try:
        events = events_of_docx(data, source.label, deadline)
    except (KeyError, ValueError, XMLSyntaxError) as error:
        raise StoreError(
            f"is a damaged DOCX file ({error}); expected a Word document", source=source.label
        ) from None
    return interpret(limits.timed(events, deadline), context, source.label)
