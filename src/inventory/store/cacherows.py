"""Rows of a CSV store made into what its cache keeps (``cacheschema.Compact``), at the cost of
what each row has of its own.

It reads exactly as :func:`records.from_row` followed by :func:`cacheschema.compact` does, the same
checks in the same order with the same messages (tests/test_cache_rows.py compares the two
on generated rows), but what rows share is worked out once per build: a store repeats a few
thousand date texts under a few hundred months, a few hundred places and project lists, so
each distinct ``(dates, month)`` is parsed and placed once (and its JSON template worked
out once for every month that gives the same), and so is each place and each list of
projects. What is left a row is its own: one model validation (its
schedule and place are already models, which pydantic takes as they are) and its JSON.
"""

from __future__ import annotations

import json
import re
from functools import partial
from json.encoder import encode_basestring
from typing import Any

from pydantic import ValidationError

from ..dates import parse_schedule
from ..errors import ParseError
from ..gazetteer import country_by_code
from ..model import (
    ID_PATTERN,
    MAX_SHORT,
    MAX_TITLE,
    MONTH_PATTERN,
    Activity,
    Place,
    Schedule,
    Status,
)
from ..projects import Registry
from ..records import model_error, split_list
from ..sanitise import FORBIDDEN, unneutralise
from ..vocab import COLUMNS
from . import cacheschema

_dumps = partial(json.dumps, ensure_ascii=False)
_MONTH = re.compile(MONTH_PATTERN)
_STATUSES = {s.value for s in Status}


class _When:
    """A schedule and everything the cache keeps of it."""

    __slots__ = ("end", "month", "parts", "schedule", "segments", "start", "template")

    def __init__(self, schedule: Schedule, templates: dict[Any, cacheschema.Template]) -> None:
        self.schedule = schedule
        segments = schedule.segments
        self.start, self.end = schedule.start.toordinal(), schedule.end.toordinal()
        self.month = schedule.month
        self.parts = len(segments)
        self.segments = (
            [(s.start.toordinal(), s.end.toordinal()) for s in segments]
            if len(segments) > 1
            else []
        )
        # One object for each template, however many months share it: worked out once,
        # and a chunk sent back from a worker pickles it once.
        key = cacheschema.signature(schedule)
        made = None if key is None else templates.get(key)
        if made is None:
            made = cacheschema.template(schedule)
            if key is not None and made[1][1] != 1:
                templates[key] = made
        self.template = made


class _Where:
    """A place (or none) and everything the cache keeps of it."""

    __slots__ = ("place", "where")

    def __init__(self, place: Place | None) -> None:
        self.place = place
        self.where = cacheschema.place_of(place)


class RowReader:
    """Reads the rows of one store (its column ``names``) with ``registry``."""

    def __init__(self, names: list[str], registry: Registry) -> None:
        self.names = names
        self.registry = registry
        self.columns = {name: i for i, name in reversed(list(enumerate(names)))}
        # Where each column is in a row; a column the header lacks reads as the empty cell
        # that prepare() puts after the row's own.
        self.at = {name: self.columns.get(name, -1) for name in COLUMNS}
        self.width = len(names)
        self.lists: dict[str, tuple[str, ...]] = {}
        self.extras = [(i, n) for i, n in enumerate(names) if n not in COLUMNS and n is not None]
        self.whens: dict[tuple[str, str], _When | ParseError] = {}
        self.wheres: dict[tuple[str, str, str], _Where | ParseError] = {}
        self.canonical: dict[tuple[str, ...], str] = {}
        self.templates: dict[Any, cacheschema.Template] = {}

    def _when(self, dates: str, month: str) -> _When:
        key = (dates, month)
        found = self.whens.get(key)
        if found is None:
            try:
                schedule = parse_schedule(dates, context_month=month or None)
                if schedule.text != dates:
                    schedule = schedule.model_copy(update={"text": dates})
                found = _When(schedule, self.templates)
            except ParseError as error:
                found = ParseError(error.message, field="dates")
            self.whens[key] = found
        if isinstance(found, ParseError):
            raise ParseError(found.message, field=found.field)
        return found

    def _where(self, city: str, countries: str, location: str) -> _Where:
        key = (city, countries, location)
        found = self.wheres.get(key)
        if found is None:
            try:
                found = _Where(_place(city, countries, location))
            except ParseError as error:
                found = error
            self.wheres[key] = found
        if isinstance(found, ParseError):
            raise ParseError(found.message, field=found.field)
        return found

    def prepare(self, cells: list[str], hash_: bytes | None) -> cacheschema.Compact:
        """What ``cacheschema.compact(records.from_row(row, registry), hash_)`` gives for the row
        of these cells (read as ``cache.parse_rows`` reads them); raises its ParseError."""
        if "'" in "".join(cells):  # else no cell was neutralised: one search, not one a cell
            values = [unneutralise(c) if c.startswith("'") else c for c in cells]
        else:
            values = list(cells)
        size = len(values)
        if size < self.width:
            values += [""] * (self.width - size)  # a short row: its last cells are empty
        values.append("")  # what a column the header lacks reads as (index -1)
        at = self.at

        dates, month = values[at["dates"]].strip(), values[at["month"]].strip()
        if month and not _MONTH.fullmatch(month):
            raise ParseError(
                f"is {month!r}; expected the month as YYYY-MM, e.g. 2019-10", field="month"
            )
        if not dates:
            raise ParseError(
                "is empty; expected a date text such as '1-2 October 2019' or 'dates TBD'",
                field="dates",
            )
        when = self._when(dates, month)
        where = self._where(
            values[at["city"]].strip(),
            values[at["countries"]].strip(),
            values[at["location"]].strip(),
        )
        status = values[at["status"]].strip() or Status.PLANNED.value
        if status not in _STATUSES:
            raise ParseError(
                f"unknown status {status!r}; expected one of {', '.join(s.value for s in Status)}",
                field="status",
            )
        ident = values[at["id"]].strip()
        cell = values[at["projects"]].strip()
        written = self.lists.get(cell)
        if written is None:
            written = self.lists[cell] = split_list(cell)
        title = values[at["title"]].strip()
        modality = values[at["modality"]].strip() or None
        extra = {n: values[i] for i, n in self.extras if i < size}
        if any(extra.values()) or not _as_validated(ident, written, title, modality):
            try:
                activity = Activity.model_validate(
                    {
                        "id": ident,
                        "projects": written,
                        "title": title,
                        "place": where.place,
                        "modality": modality,
                        "schedule": when.schedule,
                        "status": status,
                        "extra": extra,
                    }
                )
            except ValidationError as error:
                raise model_error(error) from None
            ident, written, title = activity.id, activity.projects, activity.title
            modality, extra = activity.modality, activity.extra
        else:
            extra = {}
        found = self.canonical.get(written)
        if found is None:
            registry = self.registry
            names = tuple(dict.fromkeys(registry.canonical(n) for n in written))
            found = self.canonical[written] = _dumps(list(names))
        projects_json = found
        title_json, cf, folded = cacheschema.titles(title)
        row = (
            ident,
            title_json,
            status,
            when.month,
            when.start,
            when.end,
            when.parts,
            when.template,
            where.where,
            projects_json,
            hash_,
            cf,
            folded,
            None if modality is None else encode_basestring(modality),
            _dumps(extra) if extra else None,
        )
        return (row, when.segments)


def _plain(text: str, limit: int) -> bool:
    """Whether the model's cleaning (``model.clean_text``) keeps ``text`` as it is."""
    return len(text) <= limit and not FORBIDDEN.search(text) and " ".join(text.split()) == text


def _as_validated(ident: str, projects: tuple[str, ...], title: str, modality: str | None) -> bool:
    """Whether the model takes these fields as they are (with a schedule and place it made,
    a known status and no extra value): then validating them again would change nothing,
    and a row the model would change or refuse goes through it instead."""
    return (
        ID_PATTERN.fullmatch(ident) is not None
        and bool(title)
        and _plain(title, MAX_TITLE)
        and (modality is None or _plain(modality, MAX_SHORT))
        and all(_plain(name, MAX_SHORT) for name in projects)
    )


def _place(city: str, countries: str, location: str) -> Place | None:
    """The place of a row's cells, as :func:`records.from_row` reads it."""
    try:
        codes = tuple(country_by_code(code) for code in split_list(countries))
    except ParseError as error:
        raise ParseError(error.message, field="countries") from None
    if not (city or codes or location):
        return None
    try:
        place = Place(city=city or None, countries=codes, text=location)
    except ValidationError as error:
        refused = model_error(error)
        column = {"text": "location"}.get(refused.field or "", refused.field)
        raise ParseError(refused.message.removeprefix(f"{column} "), field=column) from None
    # Activity's own validator drops a place with nothing in it.
    return place if (place.city or place.countries or place.text) else None
