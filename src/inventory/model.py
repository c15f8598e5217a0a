"""The activity model: what an inventory line *means*, with no I/O.

A fuzzy schedule follows the design of EDTF and Princeton's ``undate``: the known
day ranges (segments), the earliest and latest possible day (the window), a
precision, and the original text kept beside them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from .errors import excerpt
from .months import month_bounds, month_of
from .sanitise import FORBIDDEN, describe_char
from .vocab import COLUMNS, Certainty, HalfDay, Precision, Status

__all__ = [
    "Activity",
    "Certainty",
    "Country",
    "HalfDay",
    "Place",
    "Precision",
    "Schedule",
    "Segment",
    "Status",
]

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
YearMonth = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]
"""A calendar month as ``YYYY-MM``."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# One gate for every text that enters the store, whatever the way in (add, edit, every
# import format, a hand-edited row, projects.csv): the characters ``sanitise.FORBIDDEN`` names
# are refused, and each field has a length cap. Tabs and newlines are folded into spaces in
# the fields that are words; the fields kept as written are one line; only the values of
# extra columns may span lines (a spreadsheet's notes).
MAX_TITLE = 1000
MAX_SHORT = 200
"""Modality, city, country name, project name, dates as written, an extra column's name."""
MAX_PLACE = 500
MAX_EXTRA_KEYS = 50
MAX_EXTRA_VALUE = 10_000
ID_PATTERN = re.compile(r"[0-9a-z]{4,16}")


def clean_text(
    value: str, field: str, limit: int, *, fold: bool = True, lines: bool = False
) -> str:
    """``value`` with its whitespace folded (unless not ``fold``), or a ValueError that says
    what is wrong with it. Unfolded text is one line unless ``lines``."""
    found = FORBIDDEN.search(value.replace("\r\n", "\n") if lines else value)
    if found:
        raise ValueError(f"{field} contains {describe_char(found.group())}; expected plain text")
    if not fold and not lines:
        if "\n" in value:
            raise ValueError(f"{field} contains a line break; expected one line of text")
        value = value.strip()  # as a CSV cell reads back
    if fold:
        value = " ".join(value.split())
    if len(value) > limit:
        raise ValueError(
            f"{field} is {len(value):,} characters long; at most {limit:,} are allowed"
        )
    return value


def _check_id(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ValueError(
            ("is empty" if not value else f"{excerpt(value, 40)} is not an id")
            + "; expected 4 to 16 lower-case letters and digits, e.g. 38z0m643"
        )
    return value


def cleaned(field: str, limit: int, *, fold: bool = True) -> Any:
    """:func:`clean_text` as a field's validator (``Annotated[str, cleaned("city", 200)]``)."""
    return AfterValidator(lambda v: clean_text(v, field, limit, fold=fold))


class Segment(_Frozen):
    """One run of consecutive days, both ends inclusive.

    ``start_half``/``end_half`` mark a half day on the first/last day ("16 (PM) –
    20 (AM) March"). A one-day segment has one marker, stored on both ends.
    """

    start: date
    end: date
    start_half: HalfDay | None = None
    end_half: HalfDay | None = None

    @model_validator(mode="after")
    def _check(self) -> Segment:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.start == self.end and self.start_half != self.end_half:
            raise ValueError("a one-day segment has one half-day marker, on both ends")
        return self


class Schedule(_Frozen):
    """When an activity happens, as precisely as the text says and no more."""

    segments: tuple[Segment, ...] = ()
    precision: Precision = Precision.DAY
    certainty: Certainty = Certainty.CONFIRMED
    deadline: bool = False
    month: YearMonth
    """The month the activity belongs to: its first day's month, or for a month-precision
    schedule the month heading it was listed under."""
    text: Annotated[str, cleaned("dates", MAX_SHORT, fold=False)] = ""
    """The date text as written, e.g. ``22-23 January (dates TBC)``."""
    year_inferred: bool = False
    """True when the year came from a heading or ``--year``, not from the text."""

    @model_validator(mode="after")
    def _check(self) -> Schedule:
        if self.precision is Precision.MONTH:
            if self.segments:
                raise ValueError("a month-precision schedule has no day segments")
            if self.certainty is not Certainty.UNSCHEDULED:
                raise ValueError("a schedule with no days known is 'unscheduled'")
            if self.deadline:
                raise ValueError("a deadline needs a day")
            return self
        if not self.segments:
            raise ValueError("a day-precision schedule needs at least one segment")
        if self.certainty is Certainty.UNSCHEDULED:
            raise ValueError(
                "a schedule with days is 'confirmed' or 'tentative', not 'unscheduled'"
            )
        for before, after in zip(self.segments, self.segments[1:], strict=False):
            if after.start <= before.end:
                raise ValueError(
                    f"segments must be in order and apart: {after.start} is not after {before.end}"
                )
        if self.deadline and (
            len(self.segments) != 1 or self.segments[0].start != self.segments[0].end
        ):
            raise ValueError("a deadline is a single day")
        first = self.segments[0].start
        if self.month != month_of(first):
            raise ValueError(f"month {self.month} does not match the first day {first}")
        return self

    @property
    def start(self) -> date:
        """Earliest possible day."""
        return self.segments[0].start if self.segments else month_bounds(self.month)[0]

    @property
    def end(self) -> date:
        """Latest possible day."""
        return self.segments[-1].end if self.segments else month_bounds(self.month)[1]

    def days(self) -> list[date]:
        """Every day on which the activity is known to run (empty for month precision)."""
        out: list[date] = []
        for seg in self.segments:
            out.extend(
                date.fromordinal(o) for o in range(seg.start.toordinal(), seg.end.toordinal() + 1)
            )
        return out

    def overlaps(self, first: date, last: date) -> bool:
        """Whether the activity touches the period [first, last].

        Day precision: some segment touches it (the gap between two segments does
        not count). Month precision: the month touches it.
        """
        if not self.segments:
            return self.start <= last and self.end >= first
        return any(seg.start <= last and seg.end >= first for seg in self.segments)

    def months(self, within: tuple[date, date] | None = None) -> tuple[str, ...]:
        """The ``YYYY-MM`` months the activity overlaps, in order: those its segments touch
        (not a month that falls in the gap between two), or its month when no day is known;
        ``within`` a period, only where it overlaps that period. A month counts an activity
        exactly when :meth:`overlaps` says so for (that part of) the month."""
        if not self.segments:
            inside = within is None or self.overlaps(*within)
            return (self.month,) if inside else ()
        out: dict[str, None] = {}
        for seg in self.segments:
            first, last = seg.start, seg.end
            if within is not None:
                first, last = max(first, within[0]), min(last, within[1])
                if first > last:
                    continue
            year, month = first.year, first.month
            while (year, month) <= (last.year, last.month):
                out[f"{year:04d}-{month:02d}"] = None
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return tuple(out)

    def meaning(self) -> dict[str, Any]:
        """Everything but the wording: two schedules with equal meaning are the same dates."""
        return self.model_dump(exclude={"text", "year_inferred"})


class Country(_Frozen):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    """ISO 3166-1 alpha-2 (``XK`` for Kosovo, a user-assigned code in wide use)."""
    name: Annotated[str, cleaned("country name", MAX_SHORT)]


class Place(_Frozen):
    city: Annotated[str, cleaned("city", MAX_SHORT)] | None = None
    countries: tuple[Country, ...] = ()
    text: Annotated[str, cleaned("location", MAX_PLACE, fold=False)] = ""
    """The location as written, e.g. ``LYON, FRANCE`` or ``Portugal / The Netherlands``."""

    @field_validator("city", mode="after")
    @classmethod
    def _no_empty_city(cls, city: str | None) -> str | None:
        return city or None  # as an empty cell reads back

    @property
    def label(self) -> str:
        """The place as a reader wants it: ``Lyon, France``, ``Portugal, Netherlands``."""
        return place_label(self.text, self.city, [c.name for c in self.countries])


def place_label(text: str, city: str | None, countries: Sequence[str]) -> str:
    """:attr:`Place.label` of a place's parts (the timeline reads them from a record)."""
    names = ", ".join(countries)
    if city and names:
        return f"{city}, {names}"
    return city or names or text


class Activity(_Frozen):
    id: Annotated[str, AfterValidator(_check_id)]
    projects: tuple[Annotated[str, cleaned("project name", MAX_SHORT)], ...] = ()
    """Canonical project names where known, otherwise as written. May be empty (flagged)."""
    title: Annotated[str, cleaned("title", MAX_TITLE)]
    place: Place | None = None
    modality: Annotated[str, cleaned("modality", MAX_SHORT)] | None = None
    """As the text says, e.g. ``Desk Study``."""
    schedule: Schedule
    status: Status = Status.PLANNED
    extra: dict[str, str] = Field(default_factory=dict)
    """Store columns this version does not know; kept so a rewrite loses nothing."""

    @field_validator("place", mode="after")
    @classmethod
    def _no_empty_place(cls, place: Place | None) -> Place | None:
        if place is not None and not (place.city or place.countries or place.text):
            return None  # as a row with no city, countries or location reads back
        return place

    @field_validator("modality", mode="after")
    @classmethod
    def _no_empty_modality(cls, modality: str | None) -> str | None:
        return modality or None  # as an empty cell reads back

    @field_validator("extra", mode="after")
    @classmethod
    def _no_empty_values(cls, extra: dict[str, str]) -> dict[str, str]:
        # An empty cell is no value: a new row in a store with a column this version does
        # not know leaves that cell empty, and must read back as the activity it wrote.
        return {key: value for key, value in extra.items() if value != ""}

    @model_validator(mode="after")
    def _check(self) -> Activity:
        if not self.title:
            raise ValueError("title is empty")
        if any(not name for name in self.projects):
            raise ValueError("a project name is empty")
        if any(";" in name for name in self.projects):
            # The CSV store's projects cell is a list separated by ';'.
            raise ValueError("a project name contains ';', which separates projects")
        if len(self.extra) > MAX_EXTRA_KEYS:
            raise ValueError(f"{len(self.extra)} extra fields; at most {MAX_EXTRA_KEYS}")
        for key, value in self.extra.items():
            name = clean_text(key, "an extra field's name", MAX_SHORT)
            if not name or name != key:
                raise ValueError(f"extra field name {key[:40]!r} is empty or has spaces around it")
            if key in COLUMNS:
                raise ValueError(f"extra field {key!r} would overwrite the {key} column")
            clean_text(value, f"extra field {key!r}", MAX_EXTRA_VALUE, fold=False, lines=True)
        return self

    @property
    def start(self) -> date:
        return self.schedule.start

    @property
    def end(self) -> date:
        return self.schedule.end

    @property
    def country_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.place.countries) if self.place else ()

    def sort_key(self) -> tuple[date, int, int, str, str]:
        """Soonest first; within a month, dated activities before unscheduled ones; on
        the same day, one starting in the afternoon after the others."""
        if self.schedule.precision is Precision.MONTH:
            return (self.end, 1, 0, self.title.casefold(), self.id)
        afternoon = int(self.schedule.segments[0].start_half is HalfDay.PM)
        return (self.start, 0, afternoon, self.title.casefold(), self.id)
