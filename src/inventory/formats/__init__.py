"""Output formats: one module per format, one registry. A command builds a result (a list
of activities, a report, a calendar...) and hands it to :func:`write` with the format the
user chose; it never branches on the format itself. Each result kind lists the formats that
can write it, and the command's ``--format`` offers exactly those (help included).

A new format is a module with a ``write(result, out)`` for the result types it supports,
and one line in :data:`WRITERS`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import IO, Any, ClassVar


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    NDJSON = "ndjson"
    CSV = "csv"
    MARKDOWN = "markdown"
    TEXT = "text"
    IDS = "ids"
    ICS = "ics"
    XLSX = "xlsx"
    HTML = "html"


# --- what commands produce ------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """Activities to list, in order (``list``, ``upcoming``, ``add``...)."""

    activities: Sequence[Any]
    """A list of models, or what a store selected (``selection.Selection``): the JSON
    formats and the table then read its records, and build no model."""
    title: str | None = None
    """A name for the whole (a calendar's name, a page's title)."""
    versions: dict[str, Any] = field(default_factory=dict)
    """Each activity's changes in the store's history (``history.Version``), for the
    formats that carry a version (ICS)."""
    kind = "activities"


@dataclass(frozen=True)
class Detail:
    """Activities in detail, every field (``show``): JSON gives one object for one
    activity, an array for several."""

    activities: list[Any]
    kind = "activity"


@dataclass(frozen=True)
class Summary:
    """A period's report (``report``): its counts, and its activities for the layouts that
    list them (text, Markdown)."""

    report: Any
    activities: list[Any]
    chart: bool = False
    today: date | None = None
    """The reference day: what ended before it is the inventory, the rest comes next."""
    kind = "report"

    COUNTS_ONLY: ClassVar[frozenset[Format]] = frozenset({Format.TABLE, Format.JSON})
    """The layouts that read the report alone (its chart too), not its activities."""


@dataclass(frozen=True)
class Pairs:
    """Clashes and likely duplicates (``clashes``)."""

    pairs: list[Any]
    title: str
    kind = "pairs"


@dataclass(frozen=True)
class Projects:
    """The project registry with what the store holds about each (``projects``)."""

    summaries: list[Any]
    names: dict[str, str]
    total: int = 0
    """Activities naming a project of the registry (the web page says so)."""
    kind = "projects"


@dataclass(frozen=True)
class ProjectView:
    """One project in detail (``projects show``)."""

    project: Any
    summary: Any
    names: dict[str, str]
    kind = "project"


@dataclass(frozen=True)
class Data:
    """A result whose JSON is all there is to it besides its table (``validate``, ``history``,
    ``config``): ``json`` is the value, ``table`` a Rich renderable or plain lines. Either
    may be an iterator (of a list's items, of lines), written as it gives them."""

    json: Any
    table: Any = None
    kind: str = "data"


@dataclass(frozen=True)
class Writer:
    module: str
    kinds: frozenset[str]
    binary: bool = False
    help: str = ""


_ACTIVITY_KINDS = frozenset({"activities", "activity"})
_ECHO = "written"
"""The activities a write echoes (``add``, ``edit``, ``cancel``, ``postpone``): a table, or
data for a script; a calendar or a workbook of one edited row is no answer to a write."""
_VIEWS = frozenset({"report", "calendar", "timeline", "pairs", "projects", "project", "data"})

WRITERS: dict[Format, Writer] = {
    Format.TABLE: Writer("table", _ACTIVITY_KINDS | _VIEWS | {_ECHO}, help="a table for people"),
    Format.JSON: Writer("json", _ACTIVITY_KINDS | _VIEWS | {_ECHO}, help="JSON, for scripts"),
    Format.NDJSON: Writer(
        "ndjson", frozenset({"activities", _ECHO}), help="one JSON object a line"
    ),
    Format.CSV: Writer("csv", frozenset({"activities", "projects"}), help="CSV for spreadsheets"),
    Format.MARKDOWN: Writer(
        "markdown", frozenset({"activities", "report", "projects"}), help="Markdown tables"
    ),
    Format.TEXT: Writer(
        "text", frozenset({"activities", "report"}), help="the newsletter's own layout"
    ),
    Format.IDS: Writer("ids", frozenset({"activities", _ECHO}), help="the ids, one a line"),
    Format.ICS: Writer("ics", frozenset({"activities"}), binary=True, help="iCalendar"),
    Format.XLSX: Writer("xlsx", frozenset({"activities"}), binary=True, help="an xlsx workbook"),
    Format.HTML: Writer(
        "html", frozenset({"report", "projects"}), help="a web page to publish (with -o FILE)"
    ),
}


def formats_for(kind: str) -> list[Format]:
    """The formats that can write a result of ``kind``, in the registry's order."""
    return [fmt for fmt, writer in WRITERS.items() if kind in writer.kinds]


def _note(message: str) -> None:
    print(f"inventory: {message}", file=sys.stderr)


class Output:
    """Where a result goes: a stream, and the console that knows what it can show (a
    terminal or not, colour, width: ``views.console``).

    ``width``: fit this width; None: what the console decides (the terminal, ``COLUMNS``, or
    no limit when piped). ``ascii``: True for plain ASCII and no colour even on a terminal;
    None: plain when piped. ``console``: made from the stream when a view first needs it,
    unless given (the run's ``Screen``) or supplied lazily by ``screen``. ``note``: how a
    writer tells the person what it left out (stderr). ``terminal``: whether the output goes
    to a terminal: given (False for a file being written), else what the console decides."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        width: int | None = None,
        ascii: bool | None = None,
        console: Any = None,
        note: Callable[[str], None] = _note,
        terminal: bool | None = None,
        screen: Any = None,
    ) -> None:
        from ..views.console import may_be_terminal

        self.stream: IO[str] = stream if stream is not None else sys.stdout
        self.width = width
        self.ascii = ascii
        self.note = note
        self._console = console
        self._screen = screen
        self._forced = terminal
        if terminal is None:
            if console is not None:
                terminal = bool(console.is_terminal)
            elif not may_be_terminal(self.stream if screen is None else screen.target):
                terminal = False
            else:
                terminal = bool(self.console.is_terminal)
        self.terminal: bool = terminal

    @property
    def console(self) -> Any:
        if self._console is None:
            if self._screen is not None:
                self._console = self._screen.console
            else:
                from ..views.console import make_console

                self._console = make_console(self.stream, width=self.width, terminal=self._forced)
        return self._console

    def write_bytes(self, data: bytes) -> None:
        self.stream.flush()
        buffer = getattr(self.stream, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            self.stream.write(data.decode("utf-8"))


def write(result: Any, fmt: Format, out: Output | None = None) -> None:
    """Write ``result`` in ``fmt``; the format's module is imported only now."""
    out = out or Output()
    writer = WRITERS[fmt]
    kind = getattr(result, "kind", None) or type(result).__name__.lower()
    if kind not in writer.kinds:
        raise ValueError(f"{fmt.value} cannot write a {kind}")  # a bug: help offers only these
    module = importlib.import_module(f"{__name__}.{writer.module}")
    module.write(result, out)
