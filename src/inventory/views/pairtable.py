"""``clashes`` as a table, drawn here line by line: the same segments, so the same bytes on
a terminal and piped, as Rich's ``Table`` gives for the three columns of
``planning.PairsView`` (score, kind, the pair and its evidence), for a tenth of the work.

Rich's table measures every cell, then renders each through its generic machinery
(padding, a ``Text`` per line, segments split and cropped again and again): nine tenths of
a 2,000-pair answer's CPU. Here the column widths still come from Rich's own rules
(``Table._calculate_column_widths``, given each column's measurement at once), and each
cell is wrapped as ``Text.wrap`` wraps it (``rich._wrap.divide_line``, the same breaks),
then cut into the segments ``Text.render`` would yield: a piece per style run, the padding
apart. A cell this cannot draw exactly (a tab, a character wider than one cell, a column
narrower than its longest word) sends the whole table back to Rich
(``PairsView`` keeps it). tests/test_pair_table.py compares the two, byte for byte.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.segment import Segment
    from rich.style import Style

Fragments = tuple[tuple[str, str], ...]
"""One line of a cell, as pieces of text and their styles' names."""
Pieces = Sequence[tuple[str, str]]
"""A cell's text in pieces, each with its style's name ("" for none), as appended to a
``rich.text.Text``."""


class _Measured:
    """Stands for all the cells of a column when Rich works out the widths: the widest
    word and line among them (what ``Text.__rich_measure__`` gives of each)."""

    def __init__(self, narrowest: int, widest: int) -> None:
        self.narrowest, self.widest = narrowest, widest

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Any:
        from rich.measure import Measurement

        return Measurement(self.narrowest, self.widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        yield from ()  # measured only: a table of these is never drawn


def _measure(texts: Sequence[str]) -> _Measured:
    narrowest = widest = 0
    for text in texts:
        lines = text.splitlines()
        wide = max(map(len, lines)) if lines else 0
        words = text.split()
        narrowest = max(narrowest, max(map(len, words)) if words else wide)
        widest = max(widest, wide)
    return _Measured(narrowest, widest)


class _Cells:
    """Wraps pieces of text into a column's lines of segments, as Rich's ``Text.wrap`` (left
    or right justified, folded or cut with an ellipsis) then ``Text.render`` would."""

    def __init__(self, console: Console) -> None:
        from rich._wrap import divide_line
        from rich.segment import Segment

        self.styles: dict[str, Style] = {}
        self.made: dict[tuple[Fragments, int, bool, bool, str], list[list[Segment]]] = {}
        self.console = console
        self.divide = divide_line
        self.segment = Segment

    def style(self, name: str) -> Style:
        found = self.styles.get(name)
        if found is None:
            found = self.styles[name] = self.console.get_style(name)
        return found

    def lines(
        self, pieces: Pieces, width: int, *, right: bool = False, fold: bool = True, base: str = ""
    ) -> list[list[Segment]] | None:
        """The cell's lines, each ``width`` wide; None when it cannot be drawn here. Each
        line of text is wrapped once: an activity's lines recur in all its pairs."""
        out: list[list[Segment]] = []
        made = self.made
        for line in _split(pieces):
            key = (line, width, right, fold, base)
            found = made.get(key)
            if found is None:
                found = self._line(line, width, right, fold, base)
                if found is None:
                    return None
                made[key] = found
            out += found
        return out

    def _line(
        self, fragments: Fragments, width: int, right: bool, fold: bool, base: str
    ) -> list[list[Segment]] | None:
        line = "".join(text for text, _ in fragments)
        if right:
            # No wrap (the score): stripped, then padded on the left.
            text = line.rstrip()
            if len(text) > width:
                return None
            return [self._render(" " * (width - len(text)) + text, [], base)]
        spans = []
        at = 0
        for text, name in fragments:
            if name:
                spans.append((at, at + len(text), name))
            at += len(text)
        out = []
        breaks = [0, *self.divide(line, width, fold=fold), len(line)]
        for a, b in itertools.pairwise(breaks):
            piece = line[a:b]
            if len(piece) > width:  # Text.rstrip_end: trailing spaces beyond it go
                excess = len(piece) - width
                spaces = len(piece) - len(piece.rstrip())
                piece = piece[: len(piece) - min(spaces, excess)]
            if len(piece) > width:
                return None  # a word cut with an ellipsis: left to Rich
            shown = _crop(spans, a, a + len(piece))
            out.append(self._render(piece + " " * (width - len(piece)), shown, base))
        return out

    def _render(self, text: str, spans: list[tuple[int, int, str]], base: str) -> list[Segment]:
        """``Text.render`` of one line: a segment for each run between span boundaries."""
        segment = self.segment
        if base:
            return [segment(text, self.style(base))]
        if not spans:
            return [segment(text)]
        out = []
        at = 0
        for a, b, name in spans:
            if a > at:
                out.append(segment(text[at:a], self.style("")))
            out.append(segment(text[a:b], self.style(name)))
            at = b
        if at < len(text):
            out.append(segment(text[at:], self.style("")))
        return out


def _split(pieces: Pieces) -> list[Fragments]:
    """The pieces' lines (``Text.split`` at each newline), each as its non-empty pieces."""
    lines: list[list[tuple[str, str]]] = [[]]
    for text, name in pieces:
        for number, part in enumerate(text.split("\n")):
            if number:
                lines.append([])
            if part:
                lines[-1].append((part, name))
    return [tuple(line) for line in lines]


def _crop(spans: list[tuple[int, int, str]], a: int, b: int) -> list[tuple[int, int, str]]:
    """The spans inside ``a``-``b``, cut to it and counted from ``a`` (``Text.divide``)."""
    return [(max(s, a) - a, min(e, b) - a, n) for s, e, n in spans if s < b and e > a]


def pair_table(
    console: Console,
    options: ConsoleOptions,
    rows: Sequence[tuple[str, str, str, Pieces]],
    headers: tuple[str, str, str],
    fit: bool,
) -> Iterator[Segment] | None:
    """The table of ``rows`` (score, kind, the kind's style, the pair's pieces) as segments,
    or None when a cell is one this cannot draw exactly."""
    from rich import box
    from rich.cells import cell_len
    from rich.control import strip_control_codes
    from rich.table import Table

    texts = {*headers, *(t for r in rows for t in (r[0], r[1], *(p[0] for p in r[3])))}
    joined = "".join(texts).replace("\n", "")  # each distinct text once
    if "\t" in joined or cell_len(joined) != len(joined) or strip_control_codes(joined) != joined:
        return None
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=fit)
    table.add_column(headers[0], justify="right", no_wrap=True)
    table.add_column(headers[1], max_width=12 if fit else None)
    table.add_column(headers[2], overflow="fold")
    table.add_row(
        _measure([r[0] for r in rows]),
        _measure([r[1] for r in rows]),
        _measure(["".join(p[0] for p in r[3]) for r in rows]),
    )
    try:
        # As Table.__rich_console__ asks for them (private: pinned by the tests, and a Rich
        # that moved them gets its own Table back instead of an error).
        widths = table._calculate_column_widths(
            console, options.update_width(options.max_width - table._extra_width)
        )
        cells = _Cells(console)
    except (AttributeError, ImportError, TypeError):
        return None
    inner = (widths[0] - 1, widths[1] - 2, widths[2] - 1)
    if min(inner) < 1:
        return None
    header = [
        cells.lines([(headers[0], "")], inner[0], right=True),
        cells.lines([(headers[1], "")], inner[1], fold=False),
        cells.lines([(headers[2], "")], inner[2]),
    ]
    body = []
    for score, kind, style, pieces in rows:
        made = (
            cells.lines([(score, "")], inner[0], right=True),
            cells.lines([(kind, "")], inner[1], fold=False, base=style),
            cells.lines(pieces, inner[2]),
        )
        if made[0] is None or made[1] is None or made[2] is None:
            return None
        body.append(made)
    if header[0] is None or header[1] is None or header[2] is None:
        return None
    return _drawn(console, options, widths, header, body)  # type: ignore[arg-type]


def _drawn(
    console: Console,
    options: ConsoleOptions,
    widths: list[int],
    header: list[list[list[Segment]]],
    body: list[tuple[list[list[Segment]], ...]],
) -> Iterator[Segment]:
    from rich import box
    from rich.segment import Segment

    chosen = box.SIMPLE_HEAD.substitute(options, safe=console.safe_box)
    bold = console.get_style("table.header")
    new_line = Segment.line()
    pads = ((0, 1), (1, 1), (1, 0))
    head_divider = Segment(chosen.head_vertical, _null(console))
    divider = Segment(chosen.mid_vertical, _null(console))
    head_rule = Segment(chosen.get_row(widths, "head", edge=False), _null(console))
    row_rule = Segment(chosen.get_row(widths, "row", edge=False), _null(console))

    def padded(lines: list[list[Segment]], column: int, style: Style | None) -> list[list[Segment]]:
        left, right = pads[column]
        out = []
        for line in lines:
            made = [Segment(" " * left, style)] if left else []
            if style is not None:
                made += [Segment(s.text, style + s.style) for s in line]
            else:
                made += line
            if right:
                made.append(Segment(" " * right, style))
            out.append(made)
        return out

    # Unstyled segments side by side print as one: joined, the console has a few per line
    # to go through instead of a dozen. Without colours (piped) no style prints at all.
    colourless = console.color_system is None

    def joined(line: list[Segment]) -> Iterator[Segment]:
        if colourless:
            yield Segment("".join([s.text for s in line]))
            return
        run: list[str] = []
        for s in line:
            if s.style:
                if run:
                    yield Segment("".join(run))
                    run = []
                yield s
            else:
                run.append(s.text)
        if run:
            yield Segment("".join(run))

    def row(
        cells: list[list[list[Segment]]], style: Style | None, bottom: bool
    ) -> Iterator[Segment]:
        height = max(map(len, cells))
        shaped = []
        for column, lines in enumerate(cells):
            blank = [Segment(" " * widths[column], style)]
            extra = [blank] * (height - len(lines))
            shaped.append(extra + lines if bottom else lines + extra)
        rule = head_divider if bottom else divider
        for number in range(height):
            line: list[Segment] = []
            for column, lines in enumerate(shaped):
                if column:
                    line.append(rule)
                line += lines[number]
            line.append(new_line)
            yield from joined(line)

    yield from row([padded(lines, c, bold) for c, lines in enumerate(header)], bold, True)
    yield from joined([head_rule, new_line])
    for index, cells in enumerate(body):
        if index:
            yield from joined([row_rule, new_line])
        yield from row([padded(lines, c, None) for c, lines in enumerate(cells)], None, False)


def _null(console: Console) -> Style:
    return console.get_style("")
