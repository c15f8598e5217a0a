"""Where things are on a PDF page, for :mod:`.pdf`: its columns, found from the words'
positions, and the cells a table's merged cell covers.

Columns: pdfplumber's text lines run across the whole page, so on a page set in two
columns, or with text beside a table, a line joins both ("… technologies: CyberEast Pilot
introductory judicial training at the from prevention to prosecution, …"). The page is cut
into bands, top to bottom, each a run of lines that share a vertical gutter no word crosses
(a full-width title ends a band); a band's columns are read one after the other. A table is
one solid block here: the gutter between its own columns is not a page's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

Box = tuple[float, float, float, float]
"""x0, top, x1, bottom, as pdfplumber gives them."""

GUTTER = 9.0
"""The narrowest gap between two columns, in points: wider than the space between two
words (about 3 points at 10 points, 6 to 8 in a justified line)."""

_NARROWEST = 0.25
"""A column is at least this part of the text's width: a narrower one is a column of a table
drawn without rules (its projects), whose rows must be read across."""


@dataclass
class Band:
    """A horizontal slice of a page, and where its columns meet."""

    top: float
    cuts: list[float]


def bands(boxes: Sequence[Box], table_columns: Sequence[float] = ()) -> list[Band]:
    """The page's bands, top to bottom, from the boxes of its words and tables. A gutter
    where a table of the page (or the one the page goes on with) has a column edge is the
    table's: a row a page break cut out of its ruled table is read across, as a row.
    So is a gutter with a column narrower than a quarter of the text beside it (a table
    drawn without rules: its projects column)."""
    if not boxes:
        return []
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes)
    out: list[tuple[list[Box], list[tuple[float, float]]]] = []
    for line in _lines(boxes):
        gaps = _gaps(line, left, right)
        if out:
            held, held_gaps = out[-1]
            before = _inner(held_gaps, held)
            common = _intersect(held_gaps, gaps)
            after = _inner(common, [*held, *line])
            if (before and _overlapping(before, after)) or (
                not before and (after or not _inner(gaps, line))
            ):
                out[-1] = ([*held, *line], common)
                continue
        out.append((list(line), gaps))
    width = right - left
    result = []
    for held, gaps in out:
        cuts = [(a + b) / 2 for a, b in _inner(gaps, held)]
        edges = [left, *cuts, right]
        if any(b - a < width * _NARROWEST for a, b in pairwise(edges)) or any(
            lo <= x <= hi for lo, hi in _inner(gaps, held) for x in table_columns
        ):
            cuts = []
        result.append(Band(min(b[1] for b in held), cuts))
    return result


def place(bands_: Sequence[Band], x: float, y: float) -> tuple[int, int]:
    """The band and column a point is in."""
    index = 0
    for number, band in enumerate(bands_):
        if band.top <= y:
            index = number
    cuts = bands_[index].cuts if bands_ else []
    return index, sum(x > cut for cut in cuts)


def _lines(boxes: Sequence[Box]) -> list[list[Box]]:
    """Boxes grouped into visual lines: a box whose middle is within the line so far joins
    it (a table is one tall line with whatever stands beside it)."""
    lines: list[list[Box]] = []
    bottom = float("-inf")
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        if lines and (box[1] + box[3]) / 2 < bottom:
            lines[-1].append(box)
            bottom = max(bottom, box[3])
        else:
            lines.append([box])
            bottom = box[3]
    return lines


def _gaps(line: Sequence[Box], left: float, right: float) -> list[tuple[float, float]]:
    """The stretches of [left, right] no box of the line covers, at least a gutter wide."""
    gaps = []
    at = left
    for x0, _, x1, _ in sorted(line):
        if x0 - at >= GUTTER:
            gaps.append((at, x0))
        at = max(at, x1)
    if right - at >= GUTTER:
        gaps.append((at, right))
    return gaps


def _intersect(
    one: Sequence[tuple[float, float]], two: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    out = []
    for a0, a1 in one:
        for b0, b1 in two:
            lo, hi = max(a0, b0), min(a1, b1)
            if hi - lo >= GUTTER:
                out.append((lo, hi))
    return out


def _inner(gaps: Sequence[tuple[float, float]], boxes: Sequence[Box]) -> list[tuple[float, float]]:
    """The gaps with something on both sides: a gutter between columns, not a margin."""
    return [
        (a, b)
        for a, b in gaps
        if any(x1 <= a for _, _, x1, _ in boxes) and any(x0 >= b for x0, *_ in boxes)
    ]


def _overlapping(one: Sequence[tuple[float, float]], two: Sequence[tuple[float, float]]) -> bool:
    return any(min(a1, b1) > max(a0, b0) for a0, a1 in one for b0, b1 in two)


def covered(
    cells: Sequence[Box | None], spans: dict[int, tuple[Box, str]], row_bottom: float
) -> list[str | None]:
    """For each cell of a table's row that pdfplumber gives as None: the text of the merged
    cell above that reaches down over this row (``spans``: each column's last cell and its
    text), "" for a cell covered from the left (merged across), None for a cell given."""
    out: list[str | None] = []
    for column, cell in enumerate(cells):
        if cell is not None:
            out.append(None)
            continue
        above = spans.get(column)
        out.append(above[1] if above is not None and above[0][3] >= row_bottom - 1 else "")
    return out
