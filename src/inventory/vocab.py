"""The words of the domain, as enums with no dependencies, so the CLI can offer them
as choices without importing the models."""

from __future__ import annotations

from enum import StrEnum


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"


class Certainty(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"  # days given, "(dates TBC)"
    UNSCHEDULED = "unscheduled"  # no days known: "dates TBD", "dates TBC"


class HalfDay(StrEnum):
    AM = "AM"
    PM = "PM"


class Status(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"

    def mark(self, dates: str) -> str:
        """``dates`` as a listing shows them: any status but planned follows in brackets."""
        return dates if self is Status.PLANNED else f"{dates} [{self.value}]"


COLUMNS = (
    "id", "projects", "title", "modality", "city", "countries", "location",
    "dates", "month", "start", "end", "precision", "certainty", "deadline", "status",
)  # fmt: skip
"""The CSV store's columns, in the order a new store is written; an activity's extra fields
(columns this version does not know) may not take these names."""
DERIVED = ("start", "end", "precision", "certainty", "deadline")
"""Columns the tool rewrites from ``dates`` and ``month``; editing them by hand has no effect."""
LIST_SEPARATOR = ";"
"""Between the items of a list in one CSV cell (projects, country codes, aliases)."""


def plural(count: int, noun: str) -> str:
    """``1 activity``, ``2 activities``, ``0 deadlines``: how every message counts."""
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"
