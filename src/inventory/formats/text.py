"""``--format text``: the newsletter's own layout (month headings, then
``PROJECTS<TAB>Title, Location, dates``), ready to paste into the next issue; ``import``
reads it back to the same activities. Cancelled activities are left out (the layout has
no mark for them, and the report does not count them either); the writer says so."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import Activity, Status
from ..sanitise import printable
from ..vocab import plural
from . import Listing, Output, Summary
from .newsletter import render_newsletter


def layout_activities(result: Any, out: Output) -> Sequence[Activity]:
    """The activities of a listing or a report that the newsletter layout shows."""
    activities = result.activities if isinstance(result, Listing | Summary) else []
    shown = [a for a in activities if a.status is not Status.CANCELLED]
    if len(shown) < len(activities):
        left_out = plural(len(activities) - len(shown), "cancelled activity")
        out.note(f"left out {left_out}: the newsletter layout has no mark for it")
    return shown


def write(result: Any, out: Output) -> None:
    out.stream.write(printable(render_newsletter(layout_activities(result, out))))
