"""The newsletter's own text layout, written (``report --format text``, and the Markdown
and page writers' month headings)::

    Inventory of activities (October- December 2019)
    OCTOBER 2019
    GLACY+<TAB>Cybercrime reporting platform – Official launch ..., Ghana, 1-2 October

``readers.newsletter`` reads it back.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..dates import render_schedule
from ..model import Activity
from ..months import month_name


def heading(month: str) -> str:
    """The newsletter's month heading for ``YYYY-MM``: ``OCTOBER 2019``."""
    return month_name(month).upper()


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
