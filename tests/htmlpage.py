"""What the web page's tests share: the pages made by the command itself, and a DOM read
without a browser (Python's own HTML parser) into an outline that a golden file can hold.

The outline keeps what the page *says* and how it is built (elements, ids, classes, the
attributes that carry meaning: ``datetime``, ``scope``, ``lang``, ``data-*``, ``href``,
roles and labels; every text) and leaves out what only draws it (the CSS, SVG coordinates),
so a change of style does not churn the golden files while a changed word or row does.
The same outline is taken from Chromium's DOM in test_html_browser.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from inventory.cli import app
from tests.helpers import BUNDLED_STORE, runner

VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source", "col", "area", "base"}
KEPT = (
    "lang", "charset", "name", "http-equiv", "content", "href", "scope", "datetime",
    "data-month", "data-id", "data-edtf", "title", "role", "aria-label", "aria-labelledby",
    "aria-hidden",
)  # fmt: skip
LEFT_OUT = {"style", "defs"}
"""Drawing, not content: the stylesheet and the SVG patterns."""

# Lines under each month heading of the newsletter, counted by hand.
Q4_2019 = {"2019-10": 29, "2019-11": 26, "2019-12": 17}
Q1_2020 = {"2020-01": 14, "2020-02": 26, "2020-03": 20}
# As of 12 February 2020, the February activities over before that day: 3-4 February in
# Bucharest, 3-7 February in Beirut, Batumi and Kharkiv, Safer Internet Day on 11 February.
Q1_2020_AS_OF_12_FEB = {
    "inventory": {"2020-01": 14, "2020-02": 5},
    "coming-next": {"2020-02": 21, "2020-03": 20},
}

PAGES = {
    # name: the command's arguments (the store and -o added by make_page)
    "report-2019-q4": ("report", "--quarter", "Q4-2019", "--as-of", "2020-01-01"),
    # As of 12 February 2020: January and early February are the inventory, the rest next.
    "report-2020-q1": ("report", "--quarter", "Q1-2020", "--as-of", "2020-02-12"),
    "projects": ("projects",),
}


def make_page(name: str, folder: Path, store: Path = BUNDLED_STORE, *extra: str) -> Path:
    """The page as a user makes it: ``inventory ... --format html -o FILE``."""
    target = folder / f"{name}.html"
    argv = [*PAGES[name], *extra, "--format", "html", "-o", str(target), "--store", str(store)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    return target


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        out = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and (cls is None or cls in child.classes):
                    out.append(child)
                out += child.find_all(tag, cls)
        return out

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        words = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(words).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        # Close up to the matching element, as a browser would for a forgotten end tag.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
        raise AssertionError(f"</{tag}> closes nothing")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def outline(html: str) -> list[str]:
    """One line per element (and per text), indented by depth."""
    lines: list[str] = []

    def walk(node: Node, depth: int) -> None:
        for child in node.children:
            if isinstance(child, str):
                text = " ".join(child.split())
                if text:
                    lines.append("  " * depth + f'"{text}"')
                continue
            if child.tag in LEFT_OUT:
                continue
            head = child.tag
            if "id" in child.attrs:
                head += "#" + child.attrs["id"]
            head += "".join("." + c for c in child.classes)
            attrs = child.attrs
            if child.tag == "meta" and attrs.get("name") == "generator":
                attrs = {"name": "generator"}  # the version changes with every release
            head += "".join(f" {k}={attrs[k]!r}" for k in KEPT if k in attrs)
            lines.append("  " * depth + head)
            walk(child, depth + 1)

    walk(parse(html), 0)
    return lines
