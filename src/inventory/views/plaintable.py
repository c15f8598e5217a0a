"""A table of plain cells in columns of known widths, as Rich's ``Table`` draws it with
no colour to print (piped): the lines themselves, for a fraction of the work.

Rich's table renders each cell through its generic machinery (a ``Text`` per cell, its
lines padded, cut into segments and joined again): at a thousand rows, more than the rest
of ``upcoming``. Without colour only the text is printed, so the lines can be made here:
each cell wrapped where Rich wraps it (``rich._wrap.divide_line``, the breaks
``Text.wrap`` uses, folding a word longer than its column), padded as the table pads it
(a space each side of a column, none at the table's edges) and the columns side by side
under the header's rule. A cell this does not draw as Rich would (a tab, a control
character, a character wider than one cell, a word wider than a column that must not
wrap), or a Rich without ``divide_line``, gives None: Rich draws the table.
tests/test_plain_table.py compares the two, byte for byte.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.box import Box


def plain_table(
    box: Box,
    headers: Sequence[str],
    columns: Sequence[Sequence[str]],
    widths: Sequence[int],
    no_wrap: Sequence[bool],
) -> list[str] | None:
    """The lines of a table (``box`` with no edge, padding 1 and no padding at the edges):
    ``columns[i]`` holds the cells of column ``i`` (every column as long), ``widths[i]`` its
    width inside the padding; a column with ``no_wrap`` is never wrapped (a cell wider than
    it gives None)."""
    try:
        from rich._wrap import divide_line
    except ImportError:
        return None
    from rich.cells import cell_len
    from rich.control import strip_control_codes

    texts = {*headers, *(cell for column in columns for cell in column)}
    joined = "".join(texts).replace("\n", "")
    if "\t" in joined or cell_len(joined) != len(joined) or strip_control_codes(joined) != joined:
        return None
    wrapped: dict[tuple[str, int, bool], list[str] | None] = {}

    def wrap(text: str, width: int, whole: bool) -> list[str] | None:
        key = (text, width, whole)
        if key in wrapped:
            return wrapped[key]
        out: list[str] | None = []
        for line in text.split("\n"):
            breaks = [] if whole else divide_line(line, width, fold=True)
            for a, b in itertools.pairwise([0, *breaks, len(line)]):
                piece = line[a:b]
                if len(piece) > width:  # Text.rstrip_end: the spaces beyond the width go
                    piece = piece[: max(width, len(piece.rstrip()))]
                if len(piece) > width:
                    out = None
                    break
                assert out is not None
                out.append(piece.ljust(width))
            if out is None:
                break
        wrapped[key] = out
        return out

    last = len(widths) - 1
    full = [w + (0 if i in (0, last) else 1) + 1 for i, w in enumerate(widths)]

    def row(cells: Sequence[str], vertical: str) -> list[str] | None:
        lines = []
        for i, cell in enumerate(cells):
            made = wrap(cell, widths[i], no_wrap[i])
            if made is None:
                return None
            lines.append(made)
        height = max(map(len, lines))
        out = []
        for number in range(height):
            parts = []
            for i, made in enumerate(lines):
                text = made[number] if number < len(made) else " " * widths[i]
                parts.append(("" if i == 0 else " ") + text + ("" if i == last else " "))
            out.append(vertical.join(parts).rstrip())
        return out

    head = row(headers, box.head_vertical)
    if head is None:
        return None
    out = [*head, box.get_row(full, "head", edge=False).rstrip()]
    for cells in zip(*columns, strict=True):
        lines = row(cells, box.mid_vertical)
        if lines is None:
            return None
        out += lines
    return out
