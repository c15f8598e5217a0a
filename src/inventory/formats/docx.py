"""Reading the newsletter as a Word document (DOCX, how the editors write it) into
``layout`` events, with python-docx: paragraphs as :class:`Text`, table rows as
:class:`Row` s (a cell of several paragraphs is one cell of several lines; a merged cell
counts once), in document order. Page headers and footers are not part of the body and
are never read."""

from __future__ import annotations

import io
from typing import Any

from ..errors import StoreError
from .layout import interpret
from .readers import Context, Event, Reading, Row, Source, Text, whole


def events_of_docx(data: bytes) -> list[Event]:
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
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

    def block_(block: Any) -> None:
        nonlocal paragraphs
        if isinstance(block, Table):
            table(block)
            return
        for line in block.text.split("\n"):
            if line.strip():
                paragraphs += 1
                events.append(Text(line, len(events) + 1, f"paragraph {paragraphs}"))

    for block in document.iter_inner_content():
        block_(block)
    return events


def read(source: Source, context: Context, kind: str = "docx") -> Reading:
    try:
        events = events_of_docx(whole(source))
    except (KeyError, ValueError) as error:
        raise StoreError(
            f"is a damaged DOCX file ({error}); expected a Word document", source=source.label
        ) from None
    return interpret(events, context, source.label)
