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

from ..dates import render_schedule
from ..model import Activity, Status
from .console import room

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions

GAP = 3
"""Between two columns: a space of padding on each side and the separator."""
ID_WIDTH = 8
MIN_TITLE = 20
# Widest each column gets on a screen before the title has more; what it is cut to first.
CAPS = {"Dates": 19, "Projects": 18, "Location": 20}


def when(activity: Activity, *, short: bool = False) -> str:
    """The dates as a person reads them, with the year, and the status if not planned;
    ``short``: months in three letters, for a screen too narrow for the whole names."""
    text = render_schedule(activity.schedule)
    if short:
        text = _MONTH_WORD.sub(lambda m: m.group()[:3], text)
    return activity.status.mark(text)


_MONTH_WORD = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"
)


def where(activity: Activity) -> str:
    return activity.place.label if activity.place else ""


def _style(activity: Activity) -> str:
    if activity.status is Status.CANCELLED:
        return "strike dim"
    return {"tentative": "yellow", "unscheduled": "dim italic"}.get(
        activity.schedule.certainty.value, ""
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

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        activities = self.activities
        cells = {
            "Dates": [when(a) for a in activities],
            "Projects": [", ".join(a.projects) or "-" for a in activities],
            "Title": [a.title for a in activities],
            "Location": [where(a) for a in activities],
        }
        width = room(options)
        widths = fit_columns(cells, width) if width is not None else {}
        if widths and widths["Dates"] < max(map(len, cells["Dates"]), default=0):
            # The dates would wrap: "11-14 Nov 2019" on one line reads better (E10).
            cells["Dates"] = [when(a, short=True) for a in activities]
            widths = fit_columns(cells, width) if width is not None else {}
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("ID", no_wrap=True, style="dim", min_width=ID_WIDTH)
        if widths is None:  # too narrow for five columns: three, nothing cut
            assert width is not None
            dates = min(_longest_word(cells["Dates"]), CAPS["Dates"])
            table.add_column("Dates", width=dates, overflow="fold")
            table.add_column(
                "Activity", width=max(width - ID_WIDTH - dates - GAP * 2, 8), overflow="fold"
            )
            for index, activity in enumerate(activities):
                text = Text(activity.title)
                detail = " · ".join(x for x in (cells["Projects"][index], where(activity)) if x)
                text.append("\n" + detail, style="dim")
                table.add_row(activity.id, Text(cells["Dates"][index], _style(activity)), text)
            yield table
            return
        for name in cells:
            table.add_column(name, width=widths.get(name), overflow="fold")
        for index, activity in enumerate(activities):
            table.add_row(
                activity.id,
                Text(cells["Dates"][index], style=_style(activity)),
                cells["Projects"][index],
                cells["Title"][index],
                cells["Location"][index],
            )
        yield table
