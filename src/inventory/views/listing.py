"""Activities as a table, fitted to the console it is drawn on.

Piped (no width to fit), every cell is whole, so a grep finds "Cybercrime@Octopus" on one
line. On a screen the title takes the spare width and the other columns wrap first, each
at least as wide as its longest word; below that, the table turns into three columns
(id, dates, and the activity: title, then projects and place) rather than cut a word or
drop a column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..datewords import record_dates
from ..selection import rows_of
from .console import room

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions

    from ..model import Activity

GAP = 3
"""Between two columns: a space of padding on each side and the separator."""
ID_WIDTH = 8
MIN_TITLE = 20
# Widest each column gets on a screen before the title has more; what it is cut to first.
CAPS = {"Dates": 19, "Projects": 18, "Location": 20}


def when(activity: Activity, *, short: bool = False) -> str:
    """The dates as a person reads them, with the year, and the status if not planned;
    ``short``: months in three letters, for a screen too narrow for the whole names."""
    from ..dates import render_schedule

    return _marked(render_schedule(activity.schedule), activity.status.value, short)


def _marked(text: str, status: str, short: bool) -> str:
    if short:
        text = _MONTH_WORD.sub(lambda m: m.group()[:3], text)
    return text if status == "planned" else f"{text} [{status}]"


_MONTH_WORD = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"
)


def where(activity: Activity) -> str:
    return activity.place.label if activity.place else ""


# The same cells from an activity's record (``records.to_record``), as the store keeps it:
# the table of a selection builds no model.


def record_when(record: dict[str, Any], *, short: bool = False) -> str:
    """:func:`when` of the activity whose record this is."""
    return _marked(record_dates(record["schedule"]), record["status"], short)


def record_where(record: dict[str, Any]) -> str:
    """:func:`where` (``Place.label``) of the activity whose record this is."""
    place = record["place"]
    if place is None:
        return ""
    names = ", ".join(c["name"] for c in place["countries"])
    if place["city"] and names:
        return f"{place['city']}, {names}"
    return str(place["city"] or names or place["text"])


def _style(record: dict[str, Any]) -> str:
    if record["status"] == "cancelled":
        return "strike dim"
    return {"tentative": "yellow", "unscheduled": "dim italic"}.get(
        record["schedule"]["certainty"], ""
    )


def _longest_word(cells: Sequence[str]) -> int:
    return max((len(word) for cell in cells for word in cell.split()), default=1)


def fit_columns(cells: dict[str, list[str]], width: int) -> dict[str, int] | None:
    """Widths for Dates, Projects, Title and Location in ``width``, or None when the title
    would get less than :data:`MIN_TITLE` with the others at their longest word."""
    room_ = width - ID_WIDTH - GAP * 4
    natural = {name: max((len(c) for c in column), default=1) for name, column in cells.items()}
    # At least the header's width: a header cut mid-word ("Projec" / "ts") reads as two.
    widths = {
        name: max(len(name), min(_longest_word(cells[name]), CAPS[name], natural[name]))
        for name in CAPS
    }
    if room_ - sum(widths.values()) < MIN_TITLE:
        return None
    # Give the narrow columns what they would like (up to their cap), a character at a time
    # to the one lacking most, while the title keeps half the room: it is what a person
    # reads (at 80 columns a third gave it 22 characters and a title nine lines, E10).
    keep = max(MIN_TITLE, min(natural["Title"], room_ // 2))
    while room_ - sum(widths.values()) > keep:
        lacking = {n: min(CAPS[n], natural[n]) - w for n, w in widths.items()}
        name = max(lacking, key=lambda n: lacking[n])
        if lacking[name] <= 0:
            break
        widths[name] += 1
    widths["Title"] = min(natural["Title"], room_ - sum(widths.values()))
    return widths


@dataclass
class ActivityTable:
    activities: Sequence[Activity]
    """Models, or a store's ``selection.Selection``: the cells come from the records."""
    rich_table: bool = False
    """Drawn by Rich's ``Table`` even with no colour to print (what ``plaintable.py`` draws
    the same, faster, otherwise): the reference its tests compare with."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        records = rows_of(self.activities)
        cells = {
            "Dates": [record_when(r) for r in records],
            "Projects": [", ".join(r["projects"]) or "-" for r in records],
            "Title": [r["title"] for r in records],
            "Location": [record_where(r) for r in records],
        }
        width = room(options)
        widths = fit_columns(cells, width) if width is not None else {}
        if widths and widths["Dates"] < max(map(len, cells["Dates"]), default=0):
            # The dates would wrap: "11-14 Nov 2019" on one line reads better (E10).
            cells["Dates"] = [record_when(r, short=True) for r in records]
            widths = fit_columns(cells, width) if width is not None else {}
        if widths is not None and console.color_system is None and not self.rich_table:
            chosen = box.SIMPLE_HEAD.substitute(options, safe=console.safe_box)
            lines = _plain(records, cells, widths, chosen)
            if lines is not None:
                from rich.segment import Segment

                new_line = Segment.line()
                for line in lines:
                    yield Segment(line)
                    yield new_line
                return
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("ID", no_wrap=True, style="dim", min_width=ID_WIDTH)
        if widths is None:  # too narrow for five columns: three, nothing cut
            assert width is not None
            dates = min(_longest_word(cells["Dates"]), CAPS["Dates"])
            table.add_column("Dates", width=dates, overflow="fold")
            table.add_column(
                "Activity", width=max(width - ID_WIDTH - dates - GAP * 2, 8), overflow="fold"
            )
            for index, record in enumerate(records):
                text = Text(record["title"])
                detail = " · ".join(
                    x for x in (cells["Projects"][index], cells["Location"][index]) if x
                )
                text.append("\n" + detail, style="dim")
                table.add_row(record["id"], Text(cells["Dates"][index], _style(record)), text)
            yield table
            return
        for name in cells:
            table.add_column(name, width=widths.get(name), overflow="fold")
        for index, record in enumerate(records):
            table.add_row(
                record["id"],
                Text(cells["Dates"][index], style=_style(record)),
                cells["Projects"][index],
                cells["Title"][index],
                cells["Location"][index],
            )
        yield table


def _plain(
    records: Sequence[dict[str, Any]], cells: dict[str, list[str]], widths: dict[str, int], box: Any
) -> list[str] | None:
    """The five-column table's lines as Rich draws them with no colour (``plaintable.py``);
    None where Rich must draw it: an id longer than its column, which Rich would widen and
    then shrink the others to fit."""
    from .plaintable import plain_table

    ids = [r["id"] for r in records]
    if max(map(len, ids), default=0) > ID_WIDTH:
        return None
    if not widths:  # nothing to fit: every column as wide as its widest line
        widths = {
            name: max([len(name), *(len(ln) for cell in column for ln in cell.split("\n"))])
            for name, column in cells.items()
        }
    names = ["ID", *cells]
    return plain_table(
        box,
        names,
        [ids, *cells.values()],
        [ID_WIDTH, *(widths[name] for name in cells)],
        [True, False, False, False, False],
    )
