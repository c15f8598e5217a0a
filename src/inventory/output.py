"""Renderers: a list of activities in each output format.

Every listing command goes through :func:`render`, so ``--format`` means the same
thing everywhere. Rich is imported only for the table format.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import IO

from .dates import render_schedule
from .model import Activity, Certainty, Status
from .newsletter import heading, line_body, render_newsletter
from .store import COLUMNS, activity_to_json, render_csv
from .terminal import is_terminal, print_out
from .vocab import Format

MARKS = {Certainty.TENTATIVE: "TBC", Certainty.UNSCHEDULED: "TBD"}


def when(activity: Activity) -> str:
    """The dates as a person reads them, with the year."""
    return activity.status.mark(render_schedule(activity.schedule))


def where(activity: Activity) -> str:
    return activity.place.label if activity.place else ""


def render_table(activities: Sequence[Activity], stream: IO[str], width: int | None = None) -> None:
    if not activities:
        return  # the command says so on stderr; stdout stays empty for scripts
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # On a screen the title takes whatever width is left; piped, every cell is whole.
    fit = is_terminal(stream) or width is not None
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=fit)
    table.add_column("ID", no_wrap=True, style="dim")
    table.add_column("Dates", max_width=19, overflow="fold")
    table.add_column("Projects", overflow="fold", max_width=16)
    table.add_column("Title", overflow="fold", min_width=20, ratio=1 if fit else None)
    table.add_column("Location", overflow="fold", max_width=18)
    for activity in activities:
        certainty = activity.schedule.certainty
        style = {"tentative": "yellow", "unscheduled": "dim italic"}.get(certainty.value, "")
        if activity.status is Status.CANCELLED:
            style = "strike dim"
        table.add_row(
            activity.id,
            Text(when(activity), style=style),
            ", ".join(activity.projects) or "-",
            activity.title,
            where(activity),
        )
    print_out(stream, table, width=width)


def render_markdown(activities: Sequence[Activity]) -> str:
    """The newsletter layout as Markdown tables, one per month; ``import`` reads it back."""
    out: list[str] = []
    month = None
    for activity in sorted(activities, key=Activity.sort_key):
        if activity.schedule.month != month:
            month = activity.schedule.month
            if out:
                out.append("")
            out += [
                f"### {heading(month)}",
                "",
                "| Projects | Activity |",
                "|---|---|",
            ]
        body = line_body(activity).replace("|", "\\|")
        out.append(f"| {', '.join(activity.projects)} | {body} |")
    return "\n".join(out) + "\n" if out else ""


def render(
    activities: Sequence[Activity],
    fmt: Format,
    stream: IO[str] | None = None,
    *,
    title: str | None = None,
) -> None:
    """Write ``activities`` to ``stream`` (stdout) in ``fmt``."""
    stream = stream or sys.stdout
    if fmt is Format.TABLE:
        render_table(activities, stream)
    elif fmt is Format.JSON:
        # One activity per chunk: a million-row answer is not held twice in memory.
        stream.write("[")
        for index, activity in enumerate(activities):
            stream.write(",\n" if index else "\n")
            stream.write(json.dumps(activity_to_json(activity), ensure_ascii=False))
        stream.write("\n]\n" if activities else "]\n")
    elif fmt is Format.NDJSON:
        for activity in activities:
            stream.write(json.dumps(activity_to_json(activity), ensure_ascii=False) + "\n")
    elif fmt is Format.CSV:
        stream.write(render_csv(activities, COLUMNS, safe=True))
    elif fmt is Format.MARKDOWN:
        stream.write(render_markdown(activities))
    elif fmt is Format.TEXT:
        stream.write(render_newsletter(activities, title=title))
