"""HTML markup into ``layout`` events: the walk the HTML and e-mail reader and Markdown's
HTML blocks (``newsletter``) share, in a module of its own so neither reader imports the
other.

Parsed with selectolax (the lexbor HTML5 parser: what a browser builds from the same bytes,
omitted end tags and all). Table rows become :class:`Row` s, everything else lines of
:class:`Text` in document order; a table used for layout (a row whose cells hold tables, as
in most newsletter e-mails) is looked into rather than read as a row.
"""

from __future__ import annotations

from typing import Any

from .readers import Event, Row, Text

BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "ul",
        "caption",
    ]
)
SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "-comment"})


class _Walker:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.tables = 0
        self.paragraphs = 0

    def emit_text(self, buffer: list[str]) -> None:
        text = "".join(buffer)
        buffer.clear()
        for line in text.split("\n"):
            if line.strip():
                self.paragraphs += 1
                self.events.append(Text(line, len(self.events) + 1, f"paragraph {self.paragraphs}"))

    def walk(self, node: Any, buffer: list[str]) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                buffer.append(_spaces(child.text(deep=False)))
            elif tag in SKIP:
                continue
            elif tag == "br":
                buffer.append("\n")
            elif tag == "table":
                self.emit_text(buffer)
                self.table(child)
            elif tag in BLOCKS or tag in ("tr", "td", "th", "tbody", "thead", "tfoot"):
                self.emit_text(buffer)
                self.walk(child, buffer)
                self.emit_text(buffer)
            else:
                self.walk(child, buffer)

    def table(self, table: Any) -> None:
        self.tables += 1
        number = self.tables
        rows = [r for r in table.css("tr") if _owner(r) == table]
        for index, row in enumerate(rows, start=1):
            cells = [c for c in row.iter() if c.tag in ("td", "th")]
            if any(c.css_first("table") is not None for c in cells):
                for cell in cells:
                    buffer: list[str] = []
                    self.walk(cell, buffer)
                    self.emit_text(buffer)
                continue
            texts = tuple(_cell_text(c) for c in cells)
            if any(t.strip() for t in texts):
                self.events.append(Row(texts, len(self.events) + 1, f"table {number}, row {index}"))


def _owner(row: Any) -> Any:
    node = row.parent
    while node is not None and node.tag != "table":
        node = node.parent
    return node


def _cell_text(cell: Any) -> str:
    walker = _Walker()
    buffer: list[str] = []
    walker.walk(cell, buffer)
    walker.emit_text(buffer)
    return "\n".join(e.text if isinstance(e, Text) else " ".join(getattr(e, "cells", ()))
                     for e in walker.events)  # fmt: skip


def _spaces(text: str | None) -> str:
    """A text node as HTML shows it: runs of white space (newlines too) as one space."""
    if not text:
        return ""
    core = " ".join(text.split())
    lead = " " if text[0].isspace() else ""
    trail = " " if core and text[-1].isspace() else ""
    return lead + core + trail


def events_of_html(markup: str) -> list[Event]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(markup)
    walker = _Walker()
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return []
    buffer: list[str] = []
    walker.walk(root, buffer)
    walker.emit_text(buffer)
    return walker.events
