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
from dataclasses import dataclass
from typing import Any

from ..dates import split_trailing_dates
from ..errors import StoreError
from . import Context, Event, Reading, Row, Source, Text, events_problem, limits, whole
from .layout import HEADER_WORDS, interpret, normalise
from .pdfpage import Band, Box, bands, covered, place

_MARGIN = 0.1
"""The top and bottom tenth of a page, where running headers and footers sit."""


def _running(pages: list[list[_Item]]) -> set[str]:
    """Texts (digits folded) that come back in the margins of most pages."""
    counts: Counter[str] = Counter()
    for page in pages:
        keys = {
            _fold_digits(e.text)
            for top, height, e, _ in page
            if isinstance(e, Text) and (top < height * _MARGIN or top > height * (1 - _MARGIN))
        }
        counts.update(keys)
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, n in counts.items() if n >= needed}


def _fold_digits(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()))


def events_of_pdf(data: bytes, label: str) -> tuple[list[Event], list[tuple[Event, str]]]:
    """The document's events in reading order, and what was assumed about some of them."""
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
    pages: list[list[_Item]] = []
    notes: list[tuple[Event, str]] = []
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
        last: _Last | None = None
        deadline = limits.Deadline(label)
        for number, page in enumerate(pdf.pages, start=1):
            items, last = _page(page, number, last, notes)
            pages.append(items)
            deadline.check()
    running = _running(pages)
    events: list[Event] = []
    ends: _Ends | None = None
    for items in pages:
        for _top, _height, event, edges in items:
            if isinstance(event, Text) and (
                _fold_digits(event.text) in running or re.fullmatch(r"\s*\d+\s*", event.text)
            ):
                continue
            before = events[-1] if events else None
            if (
                isinstance(event, Text)
                and isinstance(before, Text)
                and ends is not None
                and edges is not None
                and edges.first_in_column
                and event.text.lstrip()[:1] in _GOES_ON
                and _wrapped(ends.last, edges.first, ends.right)
            ):
                # A paragraph a column's end cut in two goes on at the top of the next
                # column: "…electronic evidence" / "– adoption of …" would lose its dash as
                # a bullet, "… 18-21 February" / "(dates TBC)" its qualifier.
                events[-1] = Text(_joined(before.text, event.text), before.line, before.where)
            else:
                events.append(event)
            ends = edges
    return events, notes


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


@dataclass
class _Ends:
    """Where a paragraph of text starts and ends, for one a column break cut in two."""

    first: dict[str, Any]
    last: dict[str, Any]
    right: float
    first_in_column: bool


_GOES_ON = "–—-("
"""How a line that only goes on with the one before may begin; a line that begins
otherwise at the top of a column is read as it stands (the one before may be complete)."""


_Item = tuple[float, float, Event, _Ends | None]
"""An event, its top on the page, the page's height, and where its text lies."""


@dataclass
class _Last:
    """The last row of a page's last table, for a table the page break cut in two."""

    xs: list[float]
    texts: list[str]
    complete: bool
    """Whether the row's activity is whole (its dates read): a row going on after the break
    begins with an empty project cell, a cell merged over the break too."""
    low: bool
    """Nothing but the page's footer below the table."""


def _page(
    page: Any, number: int, last: _Last | None, notes: list[tuple[Event, str]]
) -> tuple[list[_Item], _Last | None]:
    height = float(page.height)
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        x = (float(obj["x0"]) + float(obj["x1"])) / 2
        y = (float(obj["top"]) + float(obj["bottom"])) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    rest = page.filter(outside) if boxes else page
    words = [
        (float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]))
        for w in rest.extract_words()
    ]
    inner = [float(c[0]) for t in tables for c in t.cells if float(c[0]) > float(t.bbox[0]) + 1]
    inner += last.xs[1:] if last is not None else []
    found = bands(
        [*words, *((float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in boxes)], inner
    )
    keyed: list[tuple[tuple[int, int, float], Event | tuple[str, _Ends]]] = []
    following = None
    for t_index, table in enumerate(tables, start=1):
        x0, top, _, bottom = map(float, table.bbox)
        first = t_index == 1 and not any(w[1] < top and w[1] > height * _MARGIN for w in words)
        carried = last if first and last is not None and last.low else None
        region = place(found, x0 + 1, top + 1)
        rows, following = _rows(table, number, t_index, carried, notes)
        for row_top, row in rows:
            keyed.append(((*region, row_top), row))
        following.low = not any(w[1] > bottom and w[3] < height * (1 - _MARGIN) for w in words)
    for key, lines in _regions(rest, found):
        for top, text, ends in _paragraphs(lines):
            keyed.append(((*key, top), (text, ends)))
    keyed.sort(key=lambda item: item[0])
    items: list[_Item] = []
    l_index = 0
    for (band, column, top), got in keyed:
        if isinstance(got, tuple):
            l_index += 1
            where = f"page {number}, " + (f"column {column + 1}, " if found[band].cuts else "")
            items.append((top, height, Text(got[0], 0, f"{where}line {l_index}"), got[1]))
        else:
            items.append((top, height, got, None))
    return items, following if tables and following is not None and following.low else None


def _regions(rest: Any, found: list[Band]) -> list[tuple[tuple[int, int], list[dict[str, Any]]]]:
    """The text lines of each band's columns, a column at a time (pdfplumber's own lines
    run across a page's columns)."""
    keys = {
        place(found, (float(c["x0"]) + float(c["x1"])) / 2, float(c["top"])) for c in rest.chars
    }
    if len(keys) < 2:
        return [(key, rest.extract_text_lines()) for key in keys]
    out = []
    for key in sorted(keys):

        def inside(obj: dict[str, Any], key: tuple[int, int] = key) -> bool:
            if "x0" not in obj or "top" not in obj:
                return True
            x = (float(obj["x0"]) + float(obj["x1"])) / 2
            return place(found, x, float(obj["top"])) == key

        out.append((key, rest.filter(inside).extract_text_lines()))
    return out


def _paragraphs(lines: list[dict[str, Any]]) -> list[tuple[float, str, _Ends]]:
    """A column's lines, a line that wrapped joined to the one it goes on with: a line
    wrapped if the next one's first word would not have fitted after it, and the next one
    follows at the line spacing, not indented less. A paragraph's last line ends short, so
    "... Namibia, 18-21 February" / "(dates TBC)" is one line but a title is not joined to
    what follows it."""
    out: list[tuple[float, str, _Ends]] = []
    before: dict[str, Any] | None = None
    for line, right in zip(lines, _right_edges(lines), strict=True):
        text = str(line["text"])
        if before is not None and _goes_on(before, line, right):
            top, held, ends = out[-1]
            ends.last, ends.right = line, right
            out[-1] = (top, _joined(held, text), ends)
        else:
            out.append((float(line["top"]), text, _Ends(line, line, right, not out)))
        before = line
    return out


def _right_edges(lines: list[dict[str, Any]]) -> list[float]:
    """Each line's right margin: where the longest line of its block ends (a block: lines
    no wider apart than one and a half lines, so a footer far below does not count)."""
    blocks: list[list[dict[str, Any]]] = []
    for line in lines:
        size = float(line["bottom"]) - float(line["top"])
        if blocks and float(line["top"]) - float(blocks[-1][-1]["bottom"]) < size * 1.5:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return [max(float(line["x1"]) for line in block) for block in blocks for _ in block]


def _goes_on(before: dict[str, Any], line: dict[str, Any], right: float) -> bool:
    size = float(before["bottom"]) - float(before["top"])
    return (
        float(line["top"]) - float(before["bottom"]) < size * 0.6
        and float(line["x0"]) >= float(before["x0"]) - 1
        and _wrapped(before, line, right)
    )


def _wrapped(before: dict[str, Any], line: dict[str, Any], right: float) -> bool:
    """Whether ``before`` ended where it did because the first word of ``line`` did not fit
    before its right margin."""
    size = float(before["bottom"]) - float(before["top"])
    chars = [c for c in line.get("chars", []) if not str(c["text"]).isspace()]
    first = str(line["text"]).split(" ", 1)[0]
    if not chars or not first:
        return False
    word = float(chars[min(len(first), len(chars)) - 1]["x1"]) - float(line["x0"])
    return float(before["x1"]) + size * 0.2 + word > right - 1


def _joined(first: str, then: str) -> str:
    """At a hyphen between two letters or digits the word goes on ("long-" / "distance",
    "8-" / "10 October"): word processors wrap after it and add none of their own."""
    if re.search(r"[^\W_]-$", first) and re.match(r"[^\W_]", then):
        return first + then
    return first + " " + then


def _rows(
    table: Any, number: int, t_index: int, carried: _Last | None, notes: list[tuple[Event, str]]
) -> tuple[list[tuple[float, Row]], _Last]:
    """A table's rows, a merged cell's text carried down to each row it covers (pdfplumber
    gives None for those), and into a table that goes on from the page before."""
    xs = [float(x) for x in sorted({round(float(c[0]), 1) for c in table.cells})]
    spans: dict[int, tuple[Box, str]] = {}
    out: list[tuple[float, Row]] = []
    texts: list[str] = []
    same = (
        carried is not None
        and len(carried.xs) == len(xs)
        and all(abs(a - b) < 2 for a, b in zip(carried.xs, xs, strict=True))
    )
    for r_index, (row, cells) in enumerate(zip(table.rows, table.extract(), strict=False), 1):
        where = f"page {number}, table {t_index}, row {r_index}"
        bottom = float(row.bbox[3])
        texts = [c if c is not None else "" for c in cells]
        for column, text in enumerate(covered(row.cells, spans, bottom)):
            if text is not None:
                texts[column] = text
        if r_index == 1 and same and carried is not None:
            for column, cell in enumerate(row.cells):
                if cell is not None and not texts[column].strip() and carried.texts[column].strip():
                    value = carried.texts[column]
                    spans[column] = (cell, value)
                    if column == 0 and carried.complete:
                        texts[0] = value
                        notes.append((Row(tuple(texts), 0, where), _carried(value, number)))
        for column, cell in enumerate(row.cells):
            if cell is not None and (column not in spans or spans[column][0] != cell):
                spans[column] = (cell, texts[column])
        texts = [texts[0], *(_unwrapped(t) for t in texts[1:])]
        # A header cell wrapped inside its word ("Project(s" / ")") is still the header.
        texts = [t.replace("\n", "") if _header(t) else t for t in texts]
        if any(t.strip() for t in texts):
            out.append((float(row.bbox[1]), Row(tuple(texts), 0, where)))
    body = ", ".join(t.strip() for t in texts[1:] if t.strip())
    return out, _Last(xs, texts, split_trailing_dates(normalise(body)) is not None, False)


def _header(text: str) -> bool:
    return "\n" in text and text.replace("\n", "").strip().casefold() in HEADER_WORDS


def _carried(value: str, number: int) -> str:
    return (
        f"the project cell is empty where the table goes on from page {number - 1}: read as "
        f"{normalise(value)!r}, the cell above merged over the page break"
    )


def _unwrapped(text: str) -> str:
    """A cell's text with its wrapped lines joined: after a hyphen between two letters or
    digits the word goes on ("8-" / "10 October", "long-" / "distance"), as a word
    processor wraps it."""
    return re.sub(r"(?<=[^\W_])-[ \t]*\n\s*(?=[^\W_])", "-", text)


def read(source: Source, context: Context, kind: str = "pdf") -> Reading:
    events, notes = events_of_pdf(whole(source), source.label)
    reading = interpret(events, context, source.label)
    for event, message in notes:
        reading.problems.append(events_problem(event, source.label, message, "warning", "projects"))
    return reading
