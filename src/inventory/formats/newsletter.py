"""The newsletter's own text layout: read as events (for ``layout.interpret``), and written.

The layout, as the office writes it (and as ``report --format text`` prints it)::

    Inventory of activities (October- December 2019)
    OCTOBER 2019
    GLACY+<TAB>Cybercrime reporting platform – Official launch ..., Ghana, 1-2 October

Markdown is read too: ``### OCTOBER 2019`` and ``| GLACY+ | Title, ... |`` rows. A cell that
Word or Excel copied with line breaks in it comes quoted over several lines
(``"iPROCEEDS,⏎GLACY+"<TAB>Octopus Conference, ...``) and is read as one cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from ..dates import render_schedule
from ..model import Activity
from ..months import month_name
from ..projects import Registry
from .layout import heading_month, interpret
from .readers import Context, Event, Reading, Row, Source, Text, encoding_of, lines_of

__all__ = ["heading", "heading_month", "read", "read_newsletter", "render_newsletter"]

_QUOTED_LINES = 20
"""Lines a quoted cell may run over before its quote is taken as a plain character."""


def heading(month: str) -> str:
    """The newsletter's month heading for ``YYYY-MM``: ``OCTOBER 2019``."""
    return month_name(month).upper()


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
        yield Text(stripped.lstrip("#").strip(), event.line)
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
        return interpret(
            events(lines_of(stream, encoding_of(source.head), source.label)),
            context,
            source.label,
        )


def read_newsletter(
    text: str, registry: Registry, *, source: str = "<stdin>", context_year: int | None = None
) -> Reading:
    """The activities of a newsletter's text (for tests and callers holding the text)."""
    lines = (Text(line, number) for number, line in enumerate(text.splitlines(), start=1))
    return interpret(events(lines), Context(registry, year=context_year), source)


def line_body(activity: Activity) -> str:
    """``Title, Location, dates`` without the year: it is read under a month heading."""
    parts = [activity.title]
    if activity.modality:
        parts.append(activity.modality)
    if activity.place is not None and activity.place.text:
        parts.append(activity.place.text)
    parts.append(render_schedule(activity.schedule, with_year=False))
    return ", ".join(parts)


def render_line(activity: Activity) -> str:
    """One newsletter line: ``PROJECTS<TAB>Title, Location, dates``."""
    return ", ".join(activity.projects) + "\t" + line_body(activity)


def render_newsletter(activities: Iterable[Activity], title: str | None = None) -> str:
    """The newsletter's own layout: month headings, then one line per activity."""
    lines: list[str] = []
    if title:
        lines += [title, ""]
    month = None
    for activity in sorted(activities, key=Activity.sort_key):
        if activity.schedule.month != month:
            month = activity.schedule.month
            if lines and lines[-1] != "":
                lines.append("")
            lines.append(heading(month))
        lines.append(render_line(activity))
    return "\n".join(lines) + "\n"
