"""``--format markdown``: the newsletter layout as Markdown tables, one per month, which
``import`` reads back (cancelled activities left out, as in ``text``); the project registry
as one table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..model import Activity
from ..sanitise import printable
from . import Listing, Output, Projects, Summary
from .newsletter import heading, line_body
from .text import layout_activities


def escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(escape(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def newsletter(activities: Sequence[Activity]) -> str:
    """The newsletter layout as Markdown tables, one per month."""
    out: list[str] = []
    month = None
    for activity in sorted(activities, key=Activity.sort_key):
        if activity.schedule.month != month:
            month = activity.schedule.month
            if out:
                out.append("")
            out += [f"### {heading(month)}", "", "| Projects | Activity |", "|---|---|"]
        out.append(f"| {escape(', '.join(activity.projects))} | {escape(line_body(activity))} |")
    return "\n".join(out) + "\n" if out else ""


def write(result: Any, out: Output) -> None:
    if isinstance(result, Projects):
        from ..project_summary import TABLE_HEADERS, table_rows

        out.stream.write(printable(table(TABLE_HEADERS, table_rows(result.summaries))))
    elif isinstance(result, Listing | Summary):
        out.stream.write(printable(newsletter(layout_activities(result, out))))
