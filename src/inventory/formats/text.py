"""``--format text``: the newsletter's own layout (month headings, then
``PROJECTS<TAB>Title, Location, dates``), ready to paste into the next issue; ``import``
reads it back to the same activities."""

from __future__ import annotations

from typing import Any

from . import Listing, Output, Summary
from .newsletter import render_newsletter


def write(result: Any, out: Output) -> None:
    activities = result.activities if isinstance(result, Listing | Summary) else []
    out.stream.write(render_newsletter(activities))
