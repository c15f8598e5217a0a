"""Tables drawn with characters, as pandoc's own Markdown writes them, and the text of a
Markdown cell.

``pandoc -t markdown`` draws a table whose cells hold more than a line as a *grid table*::

    +-----------+----------------------------------+
    | Project(s)| Activity                         |
    +===========+==================================+
    | GLACY+    | Cybercrime reporting platform -- |
    |           | Official launch, Ghana, 1-2 Oct  |
    +-----------+----------------------------------+

(the columns are where the top border has its ``+``), and without grid tables a *multiline
table* (columns where the dash runs of the line under the header begin, rows separated by
blank lines) or a *simple table* (a row a line). A cell is Markdown: its lines are wrapped
at spaces (read back as spaces), a blank line parts two paragraphs (a line break), and with
pandoc's smart punctuation on (the default of its Markdown, whose only tables these are) an
en dash is written ``--``, an em dash ``---``, an ellipsis ``...``, curly quotes straight;
the characters themselves are escaped (``\\--``, ``\\'``), as is every other character
Markdown would read as a mark (``\\*``, ``\\[``, ``\\$``).

A table is read exactly as drawn or refused: a border that does not meet the columns, a cell
over some but not all of a row's columns, text across a column's edge is a
:class:`~inventory.errors.ParseError` naming its line, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ..errors import ParseError

__all__ = [
    "Drawn",
    "cell_text",
    "find_drawn",
    "inline_text",
    "parser",
    "smart_document",
    "starts_drawn",
]

_GRID_TOP = re.compile(r"^\+(?:[-:]+\+)+$")
_GRID_BORDER = re.compile(r"^\+(?:[-=:]+\+)+$")
_RULE = re.compile(r"^\s*-{3,}\s*$")
# Dash runs parted by spaces; "- - -" (single dashes only) is Markdown's thematic break.
_GROUPS = re.compile(r"^(?!\s*-(?:\s+-)*\s*$)\s*-+(?:\s+-+)+\s*$")
_SMART_ESCAPE = re.compile(r"\\['\"]|\\-|\\\.\.")
_TYPOGRAPHIC = re.compile("[–—…‘’“”]")
_AMBIGUOUS = re.compile(r"--|\.\.\.|['\"]")
_PROTECTED = 0xF0000
"""Escaped characters are moved to a private-use plane while smart punctuation is undone."""
_SPAN = re.compile(r"\[([^\[\]]*)\]\{[^{}]*\}")
_STRIKEOUT = re.compile(r"~~(.+?)~~")
_SUPERSCRIPT = re.compile(r"\^([^\s^]+)\^")
_SUBSCRIPT = re.compile(r"~([^\s~]+)~")
_OPENERS = frozenset("([{‘“–—-/\u00a0")


@dataclass
class Drawn:
    """A drawn table: the lines it takes (``start`` to ``end``, indexes into the document's
    lines) and its rows, each with the index of its first line and its cells in Markdown."""

    start: int
    end: int
    rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)


def starts_drawn(line: str) -> bool:
    """Whether ``line`` may begin a drawn table (a grid's top border, a row of dashes)."""
    return bool(_GRID_TOP.match(line.strip()) or _GROUPS.match(line) or _RULE.match(line))


def smart_document(texts: list[str]) -> bool | None:
    """Whether a Markdown text was written with pandoc's smart punctuation: True if it
    escapes a literal dash or quote (``\\'``, ``\\--``: only then are they marks), False if
    it writes a dash or a curly quote as itself, None if it does neither. ``texts``: its
    lines outside HTML blocks (which keep their characters either way)."""
    if any(_SMART_ESCAPE.search(t) for t in texts):
        return True
    if any(_TYPOGRAPHIC.search(t) for t in texts):
        return False
    return None


def find_drawn(texts: list[str], numbers: list[int]) -> list[Drawn]:
    """The drawn tables of a Markdown text (``numbers``: each line's number, for errors)."""
    found: list[Drawn] = []
    index = 0
    while index < len(texts):
        after_blank = index == 0 or not texts[index - 1].strip()
        table: Drawn | None = None
        if _GRID_TOP.match(texts[index].strip()):
            table = _grid(texts, numbers, index)
        elif after_blank and _RULE.match(texts[index]):
            table = _multiline(texts, numbers, index)
        elif after_blank and _GROUPS.match(texts[index]):
            table = _headerless(texts, numbers, index)
        elif (
            after_blank
            and texts[index].strip()
            and index + 1 < len(texts)
            and _GROUPS.match(texts[index + 1])
        ):
            table = _simple(texts, numbers, index)
        if table is None:
            index += 1
            continue
        found.append(table)
        index = table.end
    return found


# --- display columns --------------------------------------------------------------------------


def _width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _columns(line: str) -> list[int]:
    """The display column each character of ``line`` starts at (pandoc aligns by width)."""
    out: list[int] = []
    column = 0
    for char in line:
        out.append(column)
        column += _width(char)
    return out


def _at(line: str, starts: list[int], column: int) -> str | None:
    """The character starting at display ``column``; None if none does."""
    for char, start in zip(line, starts, strict=True):
        if start == column:
            return char
        if start > column:
            return None
    return None


def _covering(line: str, starts: list[int], column: int) -> str | None:
    """The character that covers display ``column`` (a wide one covers two); None if none."""
    for char, start in zip(line, starts, strict=True):
        if start <= column < start + max(_width(char), 1):
            return char
    return None


def _slice(line: str, starts: list[int], first: int, end: int | None) -> str:
    return "".join(
        c for c, s in zip(line, starts, strict=True) if s >= first and (end is None or s < end)
    )


# --- grid tables ------------------------------------------------------------------------------


def _grid(texts: list[str], numbers: list[int], start: int) -> Drawn:
    indent = len(texts[start]) - len(texts[start].lstrip())
    top = texts[start].rstrip()
    top_starts = _columns(top)
    edges = [s for c, s in zip(top, top_starts, strict=True) if c == "+"]
    table = Drawn(start, start + 1)
    row: list[int] = []
    header_done = False
    index = start + 1
    while index < len(texts):
        line = texts[index].rstrip()
        body = line[indent:]
        if not body.startswith(("+", "|")) or line[:indent].strip():
            break
        number = numbers[index]
        if body.startswith("+"):
            if not _GRID_BORDER.match(body.strip()):
                raise ParseError(
                    f"a grid table's border {body[:40]!r} is broken; expected '+' and '-' "
                    "(or '=' under the header) only",
                    line=number,
                )
            starts = _columns(line)
            if [s for c, s in zip(line, starts, strict=True) if c == "+"] != edges:
                raise ParseError(
                    "a grid table's border whose '+' are not where the top border has them "
                    "(a cell over several rows or columns?); expected the columns of line "
                    f"{numbers[start]}",
                    line=number,
                )
            if "=" in body:
                if header_done or not row:
                    raise ParseError(
                        "a grid table's header border ('+===+') that does not close its "
                        "first row; expected one, under the header",
                        line=number,
                    )
                header_done = True
            if row:
                table.rows.append((row[0], _grid_row(texts, numbers, row, edges)))
            elif "=" not in body:
                raise ParseError("a grid table's row with no lines", line=number)
            row = []
        else:
            row.append(index)
        index += 1
        table.end = index
    if row or table.end == start + 1:
        raise ParseError(
            f"the grid table of line {numbers[start]} has no bottom border; expected a "
            "'+---+' line after its last row",
            line=numbers[table.end - 1],
        )
    return table


def _grid_row(
    texts: list[str], numbers: list[int], indexes: list[int], edges: list[int]
) -> tuple[str, ...]:
    """A grid row's cells: every line has '|' at every column's edge; or, a cell over the
    whole row, no line has one inside (one cell, as an HTML cell over all columns is)."""
    inner = edges[1:-1]
    lines: list[tuple[str, list[int]]] = []
    kinds: set[str] = set()
    for index in indexes:
        line = texts[index].rstrip()
        starts = _columns(line)
        if _at(line, starts, edges[-1]) != "|" or starts[-1] != edges[-1]:
            raise ParseError(
                "a grid table's line that does not end at the table's right border "
                f"(column {edges[-1] + 1}); expected '|' there",
                line=numbers[index],
            )
        bars = [_at(line, starts, edge) == "|" for edge in inner]
        if all(bars):
            kinds.add("cells")
        elif not any(bars):
            kinds.add("whole")
        else:
            raise ParseError(
                "a grid table's cell over some of the row's columns; expected one cell per "
                "column, or one over all of them",
                line=numbers[index],
            )
        lines.append((line, starts))
    if len(kinds) > 1:
        raise ParseError(
            "a grid table's row whose lines disagree on its columns; expected '|' at every "
            "column's edge on every line of the row",
            line=numbers[indexes[0]],
        )
    if kinds == {"whole"}:
        return ("\n".join(_slice(t, s, edges[0] + 1, edges[-1]).strip() for t, s in lines),)
    return tuple(
        "\n".join(_slice(t, s, first + 1, end).strip() for t, s in lines)
        for first, end in pairwise(edges)
    )


# --- multiline and simple tables ----------------------------------------------------------------


def _edges(line: str) -> list[int]:
    """Where the columns of a row of dash runs begin (the line is ASCII: columns are
    characters)."""
    return [m.start() for m in re.finditer(r"-+", line)]


def _split(line: str, number: int, edges: list[int]) -> list[str]:
    """A line of a multiline or simple table cut where its columns begin."""
    starts = _columns(line)
    if _slice(line, starts, 0, edges[0]).strip():
        raise ParseError(
            f"text left of a table's first column (column {edges[0] + 1}); expected it "
            "within the columns the dashes mark",
            line=number,
        )
    for edge in edges[1:]:
        before = _covering(line, starts, edge - 1)
        if before is not None and not before.isspace():
            raise ParseError(
                f"text across the edge of a table's column (column {edge + 1}); expected a "
                "space before each column the dashes mark",
                line=number,
            )
    ends: list[int | None] = [*edges[1:], None]
    return [_slice(line, starts, a, b).strip() for a, b in zip(edges, ends, strict=True)]


def _cells(lines: list[tuple[int, str]], numbers: list[int], edges: list[int]) -> tuple[str, ...]:
    """A row of several lines: each column's lines, one under the other."""
    split = [_split(text, numbers[index], edges) for index, text in lines]
    return tuple("\n".join(parts[k] for parts in split) for k in range(len(edges)))


def _closes(texts: list[str], index: int) -> bool:
    """Whether ``texts[index]`` is a row of dashes closing a table (a blank line after)."""
    line = texts[index]
    after = index + 1 >= len(texts) or not texts[index + 1].strip()
    return bool(_RULE.match(line) or _GROUPS.match(line)) and after


def _body(
    texts: list[str], numbers: list[int], first: int, opened: int
) -> tuple[int, list[list[int]]]:
    """The rows of a multiline table's body from ``first`` (parted by blank lines) up to its
    closing row of dashes: (the index after that row, the rows' line indexes)."""
    rows: list[list[int]] = [[]]
    index = first
    while index < len(texts):
        if _closes(texts, index):
            return index + 1, [r for r in rows if r]
        if texts[index].strip():
            rows[-1].append(index)
        elif rows[-1]:
            rows.append([])
        index += 1
    raise ParseError(
        f"the table opened by the row of dashes of line {numbers[opened]} never closes; "
        "expected a row of dashes after its last row",
        line=numbers[opened],
    )


def _multiline(texts: list[str], numbers: list[int], start: int) -> Drawn | None:
    """A multiline table with a header: a rule, the header's lines, the columns' dashes,
    rows parted by blank lines, a rule. None if the rule begins no such table."""
    index = start + 1
    while index < len(texts) and texts[index].strip() and not _GROUPS.match(texts[index]):
        index += 1
    if index == start + 1 or index >= len(texts) or not _GROUPS.match(texts[index]):
        return None
    edges = _edges(texts[index])
    header = [(i, texts[i]) for i in range(start + 1, index)]
    end, rows = _body(texts, numbers, index + 1, start)
    table = Drawn(start, end, [(start + 1, _cells(header, numbers, edges))])
    table.rows += [(r[0], _cells([(i, texts[i]) for i in r], numbers, edges)) for r in rows]
    return table


def _headerless(texts: list[str], numbers: list[int], start: int) -> Drawn:
    """A table without a header, between two rows of dash runs: a row a line (a simple
    table), or rows parted by blank lines (a multiline one), as pandoc reads them."""
    edges = _edges(texts[start])
    end, rows = _body(texts, numbers, start + 1, start)
    if len(rows) == 1:
        rows = [[i] for i in rows[0]]
    table = Drawn(start, end)
    table.rows = [(r[0], _cells([(i, texts[i]) for i in r], numbers, edges)) for r in rows]
    return table


def _simple(texts: list[str], numbers: list[int], start: int) -> Drawn:
    """A simple table: its header, the columns' dashes, a row a line up to a blank line (or
    a row of dashes and a blank line)."""
    edges = _edges(texts[start + 1])
    table = Drawn(start, start + 2, [(start, _cells([(start, texts[start])], numbers, edges))])
    index = start + 2
    while index < len(texts) and texts[index].strip():
        if _closes(texts, index):
            index += 1
            break
        table.rows.append((index, _cells([(index, texts[index])], numbers, edges)))
        index += 1
    table.end = index
    return table


# --- a cell's text ------------------------------------------------------------------------------


def parser() -> Any:
    """CommonMark with pipe tables, its escapes kept apart (``text_special``) from the text
    around them, so that an escaped ``--`` is told from pandoc's en dash."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").disable("text_join")


def cell_text(markdown: str, line: int, *, smart: bool | None) -> str:
    """The text of a drawn table's cell: its paragraphs a line each, a wrapped line joined
    with a space, pandoc's marks and escapes undone (see :func:`inline_text`)."""
    parts: list[str] = []
    for token in parser().parse(markdown):
        if token.type == "inline":
            parts.append(inline_text(token, line, pandoc=True, smart=smart, soft=" "))
        elif token.type in ("code_block", "fence"):
            parts.append(token.content.strip())
    return "\n".join(p for p in parts if p)


def inline_text(
    token: Any, line: int, *, pandoc: bool, smart: bool | None, soft: str = "\n"
) -> str:
    """A Markdown inline's text as it reads: emphasis and link marks gone, a hard break
    (``<br>``, a ``\\`` at a line's end) a line break, a soft one ``soft``. Written by pandoc
    (``pandoc``), its own marks too (``^sup^``, ``~sub~``, ``[span]{.x}``), and its smart
    punctuation if ``smart``; when the document does not tell (None), a ``--`` or a straight
    quote (which reads one way with it and another without) is a ParseError."""
    parts: list[str] = []
    for child in token.children or ():
        kind = child.type
        if kind == "text":
            parts.append(child.content)
        elif kind == "text_special":
            parts.append(_escaped(child.content) if pandoc else child.content)
        elif kind == "code_inline":
            parts.append("".join(map(_escaped, child.content)) if pandoc else child.content)
        elif kind == "softbreak":
            parts.append(soft)
        elif kind == "hardbreak" or (
            kind == "html_inline" and re.match(r"<br\b", child.content, re.I)
        ):
            parts.append("\n")
        elif kind == "image":
            parts.append(child.content)
    text = "".join(parts)
    if pandoc:
        text = _SUBSCRIPT.sub(r"\1", _SUPERSCRIPT.sub(r"\1", _STRIKEOUT.sub(r"\1", text)))
        text = _SPAN.sub(r"\1", text)
        if smart is None and (found := _AMBIGUOUS.search(text)):
            raise ParseError(
                f"{found.group()!r} in {_unprotect(text).strip()[:60]!r} is an en dash or "
                "a curly quote if pandoc wrote it with smart punctuation, itself if not, "
                "and nothing else in the document tells which; expected the document "
                "converted again with pandoc -t markdown (or -t gfm)",
                line=line,
            )
        if smart:
            text = _punctuation(text, line)
        text = _unprotect(text)
    return text.strip()


def _escaped(char: str) -> str:
    """An escaped character, out of smart punctuation's reach until :func:`_unprotect`."""
    if char == "\\ ":
        return "\u00a0"  # pandoc's escaped space: a non-breaking one
    if len(char) == 1 and ord(char) < 128:
        return chr(_PROTECTED + ord(char))
    return char


def _unprotect(text: str) -> str:
    return re.sub("[\U000f0000-\U000f007f]", lambda m: chr(ord(m.group()) - _PROTECTED), text)


def _punctuation(text: str, line: int) -> str:
    """Pandoc's smart punctuation read back: ``---`` an em dash, ``--`` an en dash, ``...``
    an ellipsis, a straight quote the curly one its place says (an apostrophe within a
    word, an opening quote before a word, a closing one after it)."""
    text = text.replace("---", "—").replace("--", "–").replace("...", "…")
    chars = list(text)
    for index, char in enumerate(chars):
        if char not in "'\"":
            continue
        before = chars[index - 1] if index else " "
        after = chars[index + 1] if index + 1 < len(chars) else " "
        opens = (before.isspace() or before in _OPENERS) and not after.isspace()
        if before.isspace() and after.isspace():
            raise ParseError(
                f"a quote standing alone in {text.strip()[:60]!r}: which way it turns "
                "cannot be told; expected it next to a word",
                line=line,
            )
        if char == '"':
            chars[index] = "“" if opens else "”"
        elif before.isalnum() and after.isalnum():
            chars[index] = "’"
        elif opens and _closing_quote_after(chars, index + 1):
            chars[index] = "‘"
        else:
            chars[index] = "’"
    return "".join(chars)


def _closing_quote_after(chars: list[str], start: int) -> bool:
    """Whether a single quote after ``start`` closes one (after a word, not within one)."""
    for index in range(start, len(chars)):
        if chars[index] != "'":
            continue
        before = chars[index - 1]
        after = chars[index + 1] if index + 1 < len(chars) else " "
        if not before.isspace() and not after.isalnum():
            return True
    return False
