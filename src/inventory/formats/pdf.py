"""Reading the newsletter as a PDF (how it is published) into ``layout`` events, with
pdfplumber: the rows of each ruled table as :class:`Row` s, the text around them as lines of
:class:`Text`, in reading order down each page. Running headers and footers (a line that
comes back at the top or bottom of most pages, page numbers aside) are left out. A PDF
with no text layer (a scan) is refused with a message that says so.

Tables drawn without rules come out as lines of text, "GLACY+ Title, Place, dates" wrapped
over lines: ``layout`` reads those too (project names without a tab, continuation lines).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

from ..errors import StoreError
from .layout import interpret
from .readers import Context, Event, Reading, Row, Source, Text, whole

_MARGIN = 0.1
"""The top and bottom tenth of a page, where running headers and footers sit."""


def _running(pages: list[list[tuple[float, float, Event]]]) -> set[str]:
    """Texts (digits folded) that come back in the margins of most pages."""
    counts: Counter[str] = Counter()
    for page in pages:
        keys = {
            _fold_digits(e.text)
            for top, height, e in page
            if isinstance(e, Text) and (top < height * _MARGIN or top > height * (1 - _MARGIN))
        }
        counts.update(keys)
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, n in counts.items() if n >= needed}


def _fold_digits(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()))


def events_of_pdf(data: bytes, label: str) -> list[Event]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFSyntaxError, Exception):  # pdfminer raises many kinds on bad input
        raise StoreError(
            "is a PDF that cannot be read (damaged, cut short or encrypted); expected a PDF "
            "with text, as a word processor or a browser saves it",
            source=label,
        ) from None
    pages: list[list[tuple[float, float, Event]]] = []
    with pdf:
        if not any(page.chars for page in pdf.pages):
            raise StoreError(
                "is a PDF with no text layer (a scanned image?); it cannot be read",
                source=label,
                hint="export the newsletter to PDF from Word, or copy its tables' text",
            )
        for number, page in enumerate(pdf.pages, start=1):
            pages.append(_page(page, number))
    running = _running(pages)
    events: list[Event] = []
    for items in pages:
        for _top, _height, event in items:
            if isinstance(event, Text) and (
                _fold_digits(event.text) in running or re.fullmatch(r"\s*\d+\s*", event.text)
            ):
                continue
            events.append(event)
    return events


def _page(page: Any, number: int) -> list[tuple[float, float, Event]]:
    height = float(page.height)
    items: list[tuple[float, float, Event]] = []
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    for t_index, table in enumerate(tables, start=1):
        for r_index, (row, cells) in enumerate(zip(table.rows, table.extract(), strict=False), 1):
            texts = tuple(c or "" for c in cells)
            if any(t.strip() for t in texts):
                where = f"page {number}, table {t_index}, row {r_index}"
                items.append((float(row.bbox[1]), height, Row(texts, 0, where)))

    def outside(obj: dict[str, Any]) -> bool:
        x = (float(obj["x0"]) + float(obj["x1"])) / 2
        y = (float(obj["top"]) + float(obj["bottom"])) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    rest = page.filter(outside) if boxes else page
    for l_index, line in enumerate(rest.extract_text_lines(), start=1):
        where = f"page {number}, line {l_index}"
        items.append((float(line["top"]), height, Text(line["text"], 0, where)))
    items.sort(key=lambda item: item[0])
    return items


def read(source: Source, context: Context, kind: str = "pdf") -> Reading:
    return interpret(events_of_pdf(whole(source), source.label), context, source.label)
