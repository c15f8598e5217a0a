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
from . import limits
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
        try:
            _bounds(pdf, label)
            has_text = _has_text(pdf, label)
        except StoreError:
            # pdfplumber's close forgets the pages and lists them again: on a damaged page
            # tree that raises once more, on thousands of pages it takes seconds.
            pdf.cached_properties = [p for p in pdf.cached_properties if p != "_pages"]
            pdf._pages = []
            raise
        if not has_text:
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


def _bounds(pdf: Any, label: str) -> None:
    """Refuse a PDF that would cost too much to lay out (see :mod:`.limits`) before any
    page is: more than :data:`~.limits.MAX_PDF_PAGES` pages, a page whose drawing
    instructions decompress past :data:`~.limits.MAX_PAGE_CONTENT`, more characters drawn
    than :data:`~.limits.MAX_PAGE_CHARS` on a page or :data:`~.limits.MAX_PDF_CHARS` in
    all (counted by running each page's instructions with no layout: forms drawn many
    times count each time), or past :data:`~.limits.READ_SECONDS`."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdfpage import PDFPage

    deadline = limits.Deadline(label)
    counter = _counter(pdf.rsrcmgr, label, deadline)
    try:
        pages = []
        for page in PDFPage.create_pages(pdf.doc):
            pages.append(page)
            if len(pages) > limits.MAX_PDF_PAGES:
                raise limits.too_many(label, "pages", limits.MAX_PDF_PAGES)
            deadline.check()
        interpreter = PDFPageInterpreter(pdf.rsrcmgr, counter)
        for number, page in enumerate(pages, start=1):
            size = sum(_content_size(stream) for stream in page.contents)
            if size > limits.MAX_PAGE_CONTENT:
                raise StoreError(
                    f"page {number} has more than {limits.MAX_PAGE_CONTENT // 2**20} MB of "
                    "drawing instructions; refused",
                    source=label,
                )
            counter.page, counter.on_page = number, 0
            interpreter.process_page(page)
    except StoreError:
        raise
    except Exception:  # pdfminer raises many kinds (and RecursionError) on bad input
        raise StoreError(
            "is a PDF that cannot be read (damaged, cut short or encrypted); expected a PDF "
            "with text, as a word processor or a browser saves it",
            source=label,
        ) from None


def _has_text(pdf: Any, label: str) -> bool:
    """Whether any page has characters; laying the pages out here, where an error of
    pdfplumber's is said in one line (the layouts are kept for the pages' reading)."""
    try:
        return any(page.chars for page in pdf.pages)
    except Exception:  # pdfplumber wraps pdfminer's many kinds in its own
        raise StoreError(
            "is a PDF that cannot be read (damaged, cut short or encrypted); expected a PDF "
            "with text, as a word processor or a browser saves it",
            source=label,
        ) from None


def _content_size(ref: Any) -> int:
    """Bytes of one content stream decompressed, decompressing no more than the cap."""
    import zlib

    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, stream_value

    stream = stream_value(ref)
    if stream.data is not None:
        return len(stream.data)
    filters = stream.get_filters()
    if not filters:
        return len(stream.rawdata or b"")
    if len(filters) == 1 and filters[0][0] in LITERALS_FLATE_DECODE and not stream.decipher:
        try:
            inflate = zlib.decompressobj()
            return len(inflate.decompress(stream.rawdata or b"", limits.MAX_PAGE_CONTENT + 1))
        except zlib.error:
            return 0  # pdfminer reads what it can of it, or nothing
    return len(stream.get_data())  # other filters expand a few times at most


def _counter(rsrcmgr: Any, label: str, deadline: limits.Deadline) -> Any:
    """A pdfminer device that counts the characters drawn, and lays nothing out."""
    from pdfminer.pdfdevice import PDFDevice

    class Counter(PDFDevice):
        page = on_page = total = 0

        def render_string(self, textstate: Any, seq: Any, ncs: Any, graphicstate: Any) -> None:
            font = textstate.font
            for item in seq:
                if isinstance(item, bytes):
                    self.count(len(font.decode(item)) if font is not None else len(item))
            deadline.check()

        def count(self, n: int) -> None:
            self.on_page += n
            self.total += n
            if self.on_page > limits.MAX_PAGE_CHARS:
                raise StoreError(
                    f"page {self.page} draws more than {limits.MAX_PAGE_CHARS:,} "
                    "characters; refused",
                    source=label,
                )
            if self.total > limits.MAX_PDF_CHARS:
                raise limits.too_many(label, "characters of text", limits.MAX_PDF_CHARS)

    return Counter(rsrcmgr)


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
