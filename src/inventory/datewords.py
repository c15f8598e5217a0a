"""A schedule's days in words, from plain values: what ``dates.render_schedule`` writes for
a model, written here for a record too (``list``'s table draws its cells from the records
the store keeps, and builds no model). No models are imported here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from .months import MONTH_NAMES, month_bounds, month_label
from .vocab import Certainty, HalfDay

Point = tuple[date, str | None, date, str | None]
"""One segment: its first day and half-day marker ("AM", "PM" or None), its last and its."""


class DatedPart(Protocol):
    """A segment of a dated schedule: ``model.Segment``, or ``planning.PlottedPart`` read
    from a record."""

    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...
    @property
    def start_half(self) -> HalfDay | None: ...
    @property
    def end_half(self) -> HalfDay | None: ...


class Dated(Protocol):
    """A dated schedule: ``model.Schedule``, or ``planning.PlottedSchedule``."""

    @property
    def segments(self) -> Sequence[DatedPart]: ...
    @property
    def deadline(self) -> bool: ...
    @property
    def certainty(self) -> Certainty: ...


def schedule_days(schedule: Dated, *, with_year: bool) -> str:
    """:func:`day_words` of a dated schedule's segments, deadline and certainty."""
    segments = [
        (
            s.start,
            None if s.start_half is None else s.start_half.value,
            s.end,
            None if s.end_half is None else s.end_half.value,
        )
        for s in schedule.segments
    ]
    return day_words(
        segments,
        with_year=with_year,
        deadline=schedule.deadline,
        tentative=schedule.certainty is Certainty.TENTATIVE,
    )


def _ym(d: date) -> tuple[int, int]:
    return d.year, d.month


def dates_tbd(month: str) -> str:
    """A schedule with no days known, with its year: ``November 2019 (dates TBD)``. One
    wording: ids are derived from this text (``ids.identity``)."""
    return f"{month_label(month_bounds(month)[0])} (dates TBD)"


def day_words(
    segments: Sequence[Point], *, with_year: bool, deadline: bool, tentative: bool
) -> str:
    """Days in the newsletter's own style, e.g. ``21-22 and 28-29 October 2019``."""
    # (day, half, the start of its segment if it ends one)
    points: list[tuple[date, str | None, date | None]] = []
    for start, start_half, end, end_half in segments:
        points.append((start, start_half, None))
        if end != start:
            points.append((end, end_half, start))

    words: list[str] = []
    for i, (day, half, seg_start) in enumerate(points):
        nxt = points[i + 1][0] if i + 1 < len(points) else None
        # A month is written where it changes, and on both ends of a range across months
        # ("30 October - 1 November") so the range reads on its own.
        show_month = (
            nxt is None
            or _ym(nxt) != _ym(day)
            or (seg_start is not None and _ym(seg_start) != _ym(day))
        )
        show_year = with_year and (nxt is None or nxt.year != day.year)
        word = str(day.day)
        if half is not None:
            word += f" ({half})"
        if show_month:
            word += " " + MONTH_NAMES[day.month - 1]
        if show_year:
            word += f" {day.year}"
        words.append(word)

    pieces: list[str] = []
    w = 0
    for start, _, end, _ in segments:
        if end == start:
            pieces.append(words[w])
            w += 1
        else:
            dash = " - " if _ym(start) != _ym(end) else "-"
            pieces.append(words[w] + dash + words[w + 1])
            w += 2
    out = pieces[0] if len(pieces) == 1 else ", ".join(pieces[:-1]) + " and " + pieces[-1]
    if deadline:
        out = "by " + out
    if tentative:
        out += " (dates TBC)"
    return out


def record_dates(schedule: dict[str, Any]) -> str:
    """``render_schedule`` (with the year) of a record's ``schedule``."""
    if schedule["precision"] == "month":
        return dates_tbd(schedule["month"])
    day = date.fromisoformat
    segments = [
        (day(s["start"]), s["start_half"], day(s["end"]), s["end_half"])
        for s in schedule["segments"]
    ]
    return day_words(
        segments,
        with_year=True,
        deadline=bool(schedule["deadline"]),
        tentative=schedule["certainty"] == "tentative",
    )
