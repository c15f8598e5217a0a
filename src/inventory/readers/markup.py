"""HTML markup into ``layout`` events: the walk the HTML and e-mail reader and Markdown's
HTML blocks (``newsletter``) share, in a module of its own so neither reader imports the
other.

Parsed with selectolax (the lexbor HTML5 parser: what a browser builds from the same bytes,
omitted end tags and all). Table rows become :class:`Row` s, everything else lines of
:class:`Text` in document order; a table used for layout (a row whose cells hold tables, as
in most newsletter e-mails) is looked into rather than read as a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import StoreError
from . import Event, Row, Text, limits

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


# Elements a browser closes by itself (the next one, or the end of the table or list,
# ends them) and elements that are never closed: they do not deepen the tree.
_SELF_CLOSING = frozenset(
    [
        "p",
        "li",
        "dt",
        "dd",
        "td",
        "th",
        "tr",
        "tbody",
        "thead",
        "tfoot",
        "colgroup",
        "caption",
        "option",
        "optgroup",
        "rb",
        "rt",
        "rp",
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|textarea|title|xmp)\b.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][^\s/>]*)[^>]*>?",
    re.S | re.I,
)


def check_markup(markup: str, label: str, deadline: limits.Deadline) -> None:
    """Refuse markup past :data:`~.limits.MAX_HTML_ELEMENTS` start tags or nested past
    :data:`~.limits.MAX_HTML_DEPTH` before the parser sees it (its time grows with the
    square of the depth): one pass over the tags, keeping the open ones as a browser
    would, closed by their end tag; those it closes by itself (``p``, ``td``...) aside."""
    open_tags: list[str] = []
    count = 0
    for match in _TAG.finditer(markup):
        name = match.group(3)
        if name is None:
            continue  # a comment, or a script's or a style's text
        count += 1
        if count > limits.MAX_HTML_ELEMENTS:
            raise limits.too_many(label, "HTML elements", limits.MAX_HTML_ELEMENTS)
        if count % 4096 == 0:
            deadline.check()
        name = name.lower()
        if name in _SELF_CLOSING:
            continue
        if not match.group(2):
            open_tags.append(name)
            if len(open_tags) > limits.MAX_HTML_DEPTH:
                raise StoreError(
                    f"has HTML nested deeper than {limits.MAX_HTML_DEPTH} levels; refused",
                    source=label,
                )
        elif name in open_tags:  # an end tag closes its element and any left open in it
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]


class _Walker:
    """Events from a parsed tree, in document order, without recursion: a nested element
    is a generator put on a stack (:meth:`run`), so depth costs memory, not the stack,
    and each node is visited once."""

    def __init__(self, label: str = "HTML", deadline: limits.Deadline | None = None) -> None:
        self.events: list[Event] = []
        self.tables = 0
        self.paragraphs = 0
        self.label = label
        self.deadline = deadline or limits.Deadline(label)

    def emit_text(self, buffer: list[str]) -> None:
        text = "".join(buffer)
        buffer.clear()
        for line in text.split("\n"):
            if line.strip():
                self.paragraphs += 1
                self.events.append(Text(line, len(self.events) + 1, f"paragraph {self.paragraphs}"))
                self.bounded()

    def bounded(self) -> None:
        if len(self.events) > limits.MAX_PARAGRAPHS:
            raise limits.too_many(self.label, "paragraphs and table rows", limits.MAX_PARAGRAPHS)

    def run(self, task: Iterator[Any]) -> None:
        """Carry out ``task`` and every task it yields, depth first."""
        stack = [task]
        steps = 0
        while stack:
            steps += 1
            if steps % 4096 == 0:
                self.deadline.check()
            inner = next(stack[-1], None)
            if inner is None:
                stack.pop()
            else:
                stack.append(inner)

    def walk(self, node: Any, buffer: list[str]) -> Iterator[Any]:
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
                yield self.table(child)
            elif tag in BLOCKS or tag in ("tr", "td", "th", "tbody", "thead", "tfoot"):
                self.emit_text(buffer)
                yield self.walk(child, buffer)
                self.emit_text(buffer)
            else:
                yield self.walk(child, buffer)

    def table(self, table: Any) -> Iterator[Any]:
        self.tables += 1
        number = self.tables
        for index, row in enumerate(_rows(table), start=1):
            cells = [c for c in row.iter() if c.tag in ("td", "th")]
            if any(c.css_first("table") is not None for c in cells):
                for cell in cells:
                    buffer: list[str] = []
                    yield self.walk(cell, buffer)
                    self.emit_text(buffer)
                continue
            texts = []
            for cell in cells:
                inner = _Walker(self.label, self.deadline)
                buffer = []
                yield inner.walk(cell, buffer)
                inner.emit_text(buffer)
                texts.append(inner.joined())
            if any(t.strip() for t in texts):
                self.events.append(
                    Row(tuple(texts), len(self.events) + 1, f"table {number}, row {index}")
                )
                self.bounded()

    def joined(self) -> str:
        return "\n".join(e.text if isinstance(e, Text) else " ".join(getattr(e, "cells", ()))
                         for e in self.events)  # fmt: skip


def _rows(table: Any) -> list[Any]:
    """The rows of ``table`` itself, not of the tables inside it: its descendants, a
    nested table left out whole, visited once each."""
    rows = []
    stack = [iter(table.iter())]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == "tr":
            rows.append(child)
        elif child.tag != "table":
            stack.append(iter(child.iter()))
    return rows


def _spaces(text: str | None) -> str:
    """A text node as HTML shows it: runs of white space (newlines too) as one space."""
    if not text:
        return ""
    core = " ".join(text.split())
    lead = " " if text[0].isspace() else ""
    trail = " " if core and text[-1].isspace() else ""
    return lead + core + trail


def events_of_html(
    markup: str, label: str = "HTML", deadline: limits.Deadline | None = None
) -> list[Event]:
    from selectolax.lexbor import LexborHTMLParser

    deadline = deadline or limits.Deadline(label)
    check_markup(markup, label, deadline)
    tree = LexborHTMLParser(markup)
    walker = _Walker(label, deadline)
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return []
    buffer: list[str] = []
    walker.run(walker.walk(root, buffer))
    walker.emit_text(buffer)
    return walker.events
