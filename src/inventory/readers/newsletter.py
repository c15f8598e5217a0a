"""The newsletter's own text layout read as events (for ``layout.interpret``); the
writers of that layout are ``formats.newsletter`` and ``formats.markdown``.

The layout, as the office writes it (and as ``report --format text`` prints it)::

    Inventory of activities (October- December 2019)
    OCTOBER 2019
    GLACY+<TAB>Cybercrime reporting platform – Official launch ..., Ghana, 1-2 October

Markdown is read too: ``### OCTOBER 2019`` and ``| GLACY+ | Title, ... |`` rows. A text with
a line that starts with ``|`` or ``<`` has its blocks found by markdown-it-py (CommonMark and
its pipe tables): a pipe table's rows and the tables of an HTML block (pandoc writes
``<table>`` once a cell is merged or holds paragraphs) reach the interpreter as rows, read by
the HTML reader's table walk; every other block is read line by line as plain text is. A
cell that Word or Excel copied with line breaks in it comes quoted over several lines
(``"iPROCEEDS,⏎GLACY+"<TAB>Octopus Conference, ...``) and is read as one cell.

Text copied from a PDF viewer brings the pages' running headers and footers along
("10 www.coe.int/cybercrime Cybercrime@CoE Update", in the middle of a table): a line that
comes back at least three times (twice, on consecutive pages), alike but for one number
that grows each time (a page number) and the order of its words (even and odd pages mirror
it), and that does not read as an activity, is left out, as the PDF reader leaves out the
lines in its pages' margins. A line of a page number alone (below 1000: not a year) is
left out when three or more such lines count up.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

from ..dates import split_trailing_dates
from ..errors import ParseError
from ..projects import Registry
from . import Context, Event, Reading, Row, Source, Text, encoding_of, lines_of
from .drawn import cell_text, find_drawn, inline_text, parser, smart_document, starts_drawn
from .layout import interpret, leading_projects, normalise
from .markup import events_of_html

_NUMBER = re.compile(r"\d+")
_MARKDOWN_BLOCK = re.compile(r"^\s{0,3}[|<]")
# What may close a Markdown heading: its closing '#'s, pandoc's attributes ("{#october-2019}").
_HEADING_END = re.compile(r"(?:\s+#+|\s*\{\s*[#.]?[\w:.=\"'-]+(?:\s+[#.]?[\w:.=\"'-]+)*\s*\})\s*$")
_QUOTED_LINES = 20
"""Lines a quoted cell may run over before its quote is taken as a plain character."""


def _markdown_row(stripped: str) -> list[str] | None:
    """The cells of a Markdown table row; [] for its separator row; None if not a row."""
    if not (stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1):
        return None
    cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", stripped[1:-1])]
    if all(set(c) <= set("-: ") for c in cells):
        return []
    return cells


def events(lines: Iterable[Event]) -> Iterator[Event]:
    """Lines of text as events: tab-separated lines and Markdown rows are :class:`Row` s,
    a Markdown heading its text, other lines :class:`Text`."""
    queue = iter(lines)
    for event in queue:
        yield from _event(event, queue)


def _event(event: Event, queue: Iterator[Event]) -> Iterator[Event]:
    if not isinstance(event, Text):
        yield event
        return
    raw = event.text
    stripped = raw.strip()
    cells = _markdown_row(stripped)
    if cells is not None:
        if cells:
            yield Row(tuple(cells), event.line)
        return
    if stripped.startswith("#"):
        yield Text(_HEADING_END.sub("", stripped.lstrip("#")).strip(), event.line)
        return
    taken: list[Event] = []
    if raw.count('"') % 2 and re.search(r'(^|\t)\s*"', raw):
        joined, taken = _quoted(event, queue)
        if joined is not None:
            yield joined
            return
    if "\t" in raw:
        yield Row(tuple(raw.split("\t")), event.line, table=False)
    else:
        yield Text(raw, event.line)
    rest = iter(taken)
    for later in rest:
        yield from _event(later, rest)


def _quoted(first: Text, queue: Iterator[Event]) -> tuple[Row | None, list[Event]]:
    """A row whose quoted cell runs over the next lines, read as one row; or None and the
    lines looked at (to be read as they are) when the quote is never closed."""
    taken: list[Event] = []
    text = first.text
    quotes = text.count('"')
    for event in queue:
        taken.append(event)
        if not isinstance(event, Text) or not event.text.strip():
            break
        text += "\n" + event.text
        quotes += event.text.count('"')
        if quotes % 2 == 0:
            try:
                cells = next(csv.reader(io.StringIO(text), delimiter="\t", strict=True))
            except (csv.Error, StopIteration):
                break
            return Row(tuple(cells), first.line, table=False), []
        if len(taken) >= _QUOTED_LINES:
            break
    return None, taken


def read(source: Source, context: Context, kind: str = "text") -> Reading:
    """The activities of a newsletter in text or Markdown."""
    with source.open() as stream:
        lines = list(lines_of(stream, encoding_of(source.head), source.label))
    return _interpreted(lines, context, source.label)


def read_newsletter(
    text: str, registry: Registry, *, source: str = "<stdin>", context_year: int | None = None
) -> Reading:
    """The activities of a newsletter's text (for tests and callers holding the text)."""
    lines: list[Event] = [
        Text(line, number) for number, line in enumerate(text.splitlines(), start=1)
    ]
    return _interpreted(lines, Context(registry, year=context_year), source)


def _interpreted(lines: list[Event], context: Context, source: str) -> Reading:
    try:
        return interpret(document_events(lines, context), context, source)
    except ParseError as error:  # a drawn table not read exactly: the document is refused
        error.source = error.source or source
        raise


def document_events(lines: list[Event], context: Context) -> Iterator[Event]:
    """The events of a whole text document: its running lines left out, then its Markdown
    blocks (if it has tables in Markdown) or its lines read."""
    kept = without_running(lines, context)
    if any(
        isinstance(e, Text) and (_MARKDOWN_BLOCK.match(e.text) or starts_drawn(e.text))
        for e in kept
    ):
        return markdown_events(kept)
    return events(kept)


def without_running(lines: list[Event], context: Context) -> list[Event]:
    """``lines`` without the running headers, footers and page numbers of the pages they
    were copied from (see the module's docstring)."""
    series: dict[str, list[tuple[int, int]]] = {}
    for index, event in enumerate(lines):
        if not isinstance(event, Text):
            continue
        plain = normalise(event.text)
        numbers = _NUMBER.findall(plain)
        if len(numbers) != 1 or (plain == numbers[0] and int(numbers[0]) >= 1000):
            continue
        # Words in any order: a book's even and odd pages mirror their header ("10 www…
        # Update" / "Update www… 11").
        words = sorted(_NUMBER.sub("#", plain).casefold().split())
        series.setdefault(" ".join(words), []).append((index, int(numbers[0])))
    dropped: set[int] = set()
    for key, found in series.items():
        values = [value for _, value in found]
        if any(a >= b for a, b in pairwise(values)):
            continue
        # Three that count up; or, in a short copy, two on consecutive pages, of words
        # besides the number (two lines of a page number alone prove nothing).
        if len(found) < 3 and not (len(found) == 2 and values[1] == values[0] + 1 and key != "#"):
            continue
        if key != "#" and any(_reads_as_activity(lines[i], context) for i, _ in found):
            continue
        dropped.update(index for index, _ in found)
    return [e for index, e in enumerate(lines) if index not in dropped]


def _reads_as_activity(event: Event, context: Context) -> bool:
    plain = normalise(event.text) if isinstance(event, Text) else ""
    return bool(leading_projects(plain, context)[0]) or split_trailing_dates(plain) is not None


def markdown_events(lines: list[Event]) -> Iterator[Event]:
    """Markdown's blocks as events: pipe tables, the tables pandoc draws with characters
    (``drawn``) and HTML blocks through their parsers, the other blocks' lines as
    :func:`events` reads them (so a tab line stays a row). A drawn table that cannot be read
    exactly is a :class:`~inventory.errors.ParseError` naming its line."""
    texts = [e.text if isinstance(e, Text) else "" for e in lines]
    numbers = [e.line for e in lines]
    drawn = find_drawn(texts, numbers)
    markdown = list(texts)
    for table in drawn:
        markdown[table.start : table.end] = [""] * (table.end - table.start)
    tokens = parser().parse("\n".join(markdown))
    html = {i for t in tokens if t.type == "html_block" and t.map for i in range(*t.map)}
    smart = smart_document([t for i, t in enumerate(texts) if i not in html])
    blocks: dict[int, tuple[int, list[Event]]] = {}
    for table in drawn:
        rows = [
            Row(tuple(cell_text(c, numbers[at], smart=smart) for c in cells), numbers[at])
            for at, cells in table.rows
        ]
        blocks[table.start] = (table.end, [r for r in rows if any(c for c in r.cells)])
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        first, end = token.map
        if token.type == "table_open":
            blocks[first] = (end, list(_table_rows(tokens, index, lines, smart is True)))
        elif token.type == "html_block":
            at = lines[first].line
            blocks[first] = (end, [_placed(e, at) for e in events_of_html(token.content)])
    index = 0
    while index < len(lines):
        if index in blocks:
            end, found = blocks[index]
            yield from found
            index = max(end, index + 1)
            continue
        run_end = min([i for i in blocks if i > index], default=len(lines))
        yield from events(lines[index:run_end])
        index = run_end


def _table_rows(tokens: list[Any], start: int, lines: list[Event], smart: bool) -> Iterator[Row]:
    """The rows of the pipe table whose ``table_open`` is ``tokens[start]``."""
    cells: list[str] = []
    row_line = 0
    for token in tokens[start + 1 :]:
        if token.type == "table_close":
            return
        if token.type == "tr_open" and token.map is not None:
            cells, row_line = [], lines[token.map[0]].line
        elif token.type == "inline":
            cells.append(inline_text(token, row_line, pandoc=smart, smart=smart))
        elif token.type == "tr_close" and any(c.strip() for c in cells):
            yield Row(tuple(cells), row_line)


def _placed(event: Event, line: int) -> Event:
    """An event of an HTML block, placed at the block's line of the Markdown."""
    where = f"line {line}: {event.where}" if event.where else f"line {line}"
    if isinstance(event, Row):
        return Row(event.cells, line, where)
    if isinstance(event, Text):
        return Text(event.text, line, where)
    return event
