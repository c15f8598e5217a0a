"""The stable shapes of an activity outside Python: the JSON record and the CSV row.

One home for both, so that every store, every output format and every importer reads and
writes the same fields under the same names:

* the **record** is the documented JSON shape (README, "The JSON shape"): ``list --json``,
  the JSON store, the SQLite and PostgreSQL stores' ``record`` column and the CSV cache;
* the **row** is the CSV store's line, meant to be edited by people: ``dates`` (the text)
  and ``month`` (the month it is listed under, which gives the year) are the schedule;
  ``start``, ``end``, ``precision``, ``certainty`` and ``deadline`` are derived from them
  on every write, for sorting and filtering in a spreadsheet, and ignored on reading.

Reading either goes through the model, so every way in meets the same rules.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .dates import parse_schedule, render_schedule, to_edtf
from .errors import ParseError, excerpt
from .gazetteer import country_by_code
from .model import (
    MONTH_PATTERN,
    Activity,
    Certainty,
    Country,
    HalfDay,
    Place,
    Precision,
    Schedule,
    Segment,
    Status,
)
from .projects import Registry, load_registry
from .vocab import COLUMNS, LIST_SEPARATOR

# --- the JSON record ---------------------------------------------------------------------


def to_record(activity: Activity) -> dict[str, Any]:
    """The stable JSON shape of an activity (documented in the README)."""
    schedule = activity.schedule
    place = activity.place
    return {
        "id": activity.id,
        "projects": list(activity.projects),
        "title": activity.title,
        "modality": activity.modality,
        "place": None
        if place is None
        else {
            "text": place.text,
            "city": place.city,
            "countries": [{"code": c.code, "name": c.name} for c in place.countries],
        },
        "schedule": schedule_record(schedule),
        "status": activity.status.value,
        "extra": dict(activity.extra),
    }


def schedule_record(schedule: Schedule) -> dict[str, Any]:
    """The ``schedule`` part of :func:`to_record` (the CSV cache's row reader writes each
    distinct one once)."""
    return {
        "text": schedule.text,
        "month": schedule.month,
        "start": schedule.start.isoformat(),
        "end": schedule.end.isoformat(),
        "precision": schedule.precision.value,
        "certainty": schedule.certainty.value,
        "deadline": schedule.deadline,
        "segments": [
            {
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "start_half": s.start_half.value if s.start_half else None,
                "end_half": s.end_half.value if s.end_half else None,
            }
            for s in schedule.segments
        ],
        "year_inferred": schedule.year_inferred,
        "edtf": to_edtf(schedule),
    }


def differences(one: Activity, other: Activity) -> list[str]:
    """The fields of the JSON record in which two activities differ, the wording of their
    dates aside ("1-2 October" and "1-2 October 2019" are the same days)."""

    def comparable(activity: Activity) -> dict[str, Any]:
        record = to_record(activity)
        for key in ("text", "year_inferred"):
            record["schedule"].pop(key)
        return record

    mine, theirs = comparable(one), comparable(other)
    return [key for key, value in mine.items() if theirs.get(key) != value]


def model_error(error: ValidationError) -> ParseError:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or None
    message = str(first["msg"]).removeprefix("Value error, ")
    # The model's own messages name their field; the error names it once, in front.
    if first["loc"] and message.startswith(f"{first['loc'][-1]} "):
        message = message[len(str(first["loc"][-1])) + 1 :]
    if first["type"] == "extra_forbidden":
        message = "is not a field of an activity"
    elif first["type"] == "missing":
        message = "is missing"
    elif first["type"] == "string_pattern_mismatch":
        shown = excerpt(str(first["input"]))
        expected = _EXPECTED.get(str(first["loc"][-1]), "another form")
        message = f"is {shown}; expected {expected}"
    return ParseError(message, field=where)


_EXPECTED = {"month": "the month as YYYY-MM, e.g. 2019-10", "code": "a country code such as FR"}


def from_record(record: Any, registry: Registry | None = None) -> Activity:
    """Inverse of :func:`to_record`: derived fields are ignored, countries must be real ISO
    codes (their names come from the code), project names are read through ``registry``.
    Raises :class:`ParseError` naming the field."""
    if not isinstance(record, dict):
        raise ParseError(f"expected an object, found {type(record).__name__}")
    data = dict(record)
    schedule = data.get("schedule")
    if isinstance(schedule, dict):
        data["schedule"] = {k: v for k, v in schedule.items() if k not in ("start", "end", "edtf")}
    place = data.get("place")
    if isinstance(place, dict) and isinstance(place.get("countries"), list):
        countries = []
        for country in place["countries"]:
            code = country.get("code") if isinstance(country, dict) else country
            if not isinstance(code, str):
                raise ParseError("expected a country code such as FR", field="place.countries")
            try:
                countries.append(country_by_code(code))
            except ParseError as error:
                raise ParseError(error.message, field="place.countries") from None
        data["place"] = {**place, "countries": countries}
    try:
        activity = Activity.model_validate(data)
    except ValidationError as error:
        raise model_error(error) from None
    _check_dates_text(activity.schedule)
    if not activity.schedule.text:
        # Every stored schedule has its words: the CSV store keeps only them (and the month),
        # so one without would come back from it with these.
        words = render_schedule(activity.schedule, with_year=not activity.schedule.year_inferred)
        schedule = activity.schedule.model_copy(update={"text": words})
        activity = activity.model_copy(update={"schedule": schedule})
    return _canonical_projects(activity, registry)


def check_storable(activity: Activity) -> None:
    """What every store takes, whatever its kind, so that an activity moves between stores
    (``list --json | import -``) unchanged: beyond the model's rules, its date text says its
    days (the CSV store keeps only the text and the month). Raises :class:`ParseError`."""
    _check_dates_text(activity.schedule)


def _check_dates_text(schedule: Schedule) -> None:
    """A record's date text must say what its days say: the CSV store keeps only the text
    (and the month), so a text that says other days would come back as other dates."""
    if not schedule.text:
        return
    try:
        again = parse_schedule(schedule.text, context_month=schedule.month)
    except ParseError as error:
        raise ParseError(
            f"{excerpt(schedule.text)} cannot be read: {error.message}", field="schedule.text"
        ) from None
    if again.meaning() != schedule.meaning():
        raise ParseError(
            f"{excerpt(schedule.text)} says {render_schedule(again)}, but the segments say "
            f"{render_schedule(schedule)}; expected the text to say the same days",
            field="schedule.text",
        )


def trusted_record(record: dict[str, Any]) -> Activity:
    """An activity from a record this program wrote itself (a store's ``record`` column),
    still validated by the model: a cache answers only with what the model accepts."""
    data = dict(record)
    data["schedule"] = {
        k: v for k, v in record["schedule"].items() if k not in ("start", "end", "edtf")
    }
    try:
        return Activity.model_validate(data)
    except ValidationError as error:
        raise model_error(error) from None


def proven_record(record: dict[str, Any], shared: dict[Any, Any] | None = None) -> Activity:
    """:func:`trusted_record` of a record the model has already accepted (a CSV store's
    cache holds only what its build validated, each row as ``to_record`` writes it): the
    same models, equal field for field, with the same fields set and in the same order,
    made without running the validators again, which cost most of building them.

    ``shared`` (a dictionary kept from one call to the next) gives records with the same
    schedule or place the same model of it (frozen: one may stand for all): a big store
    has far fewer of either than activities."""
    schedule, place = record["schedule"], record["place"]
    made_schedule: Schedule | None
    made_place: Place | None
    if shared is None:
        made_schedule, made_place = _proven_schedule(schedule), _proven_place(place)
    else:
        key = (
            "schedule", schedule["text"], schedule["month"], schedule["precision"],
            schedule["certainty"], schedule["deadline"], schedule["year_inferred"],
            *((s["start"], s["end"], s["start_half"], s["end_half"]) for s in schedule["segments"]),
        )  # fmt: skip
        made_schedule = shared.get(key)
        if made_schedule is None:
            made_schedule = shared[key] = _proven_schedule(schedule)
        if place is None:
            made_place = None
        else:
            where = (
                "place",
                place["text"],
                place["city"],
                *((c["code"], c["name"]) for c in place["countries"]),
            )
            made_place = shared.get(where)
            if made_place is None:
                made_place = shared[where] = _proven_place(place)
    return _made(
        Activity,
        id=record["id"],
        projects=tuple(record["projects"]),
        title=record["title"],
        place=made_place,
        modality=record["modality"],
        schedule=made_schedule,
        status=Status(record["status"]),
        extra=dict(record["extra"]),
    )


def _proven_schedule(schedule: dict[str, Any]) -> Schedule:
    segments = tuple(
        _made(
            Segment,
            start=date.fromisoformat(s["start"]),
            end=date.fromisoformat(s["end"]),
            start_half=None if s["start_half"] is None else HalfDay(s["start_half"]),
            end_half=None if s["end_half"] is None else HalfDay(s["end_half"]),
        )
        for s in schedule["segments"]
    )
    return _made(
        Schedule,
        segments=segments,
        precision=Precision(schedule["precision"]),
        certainty=Certainty(schedule["certainty"]),
        deadline=schedule["deadline"],
        month=schedule["month"],
        text=schedule["text"],
        year_inferred=schedule["year_inferred"],
    )


def _proven_place(place: dict[str, Any] | None) -> Place | None:
    if place is None:
        return None
    return _made(
        Place,
        city=place["city"],
        countries=tuple(_made(Country, code=c["code"], name=c["name"]) for c in place["countries"]),
        text=place["text"],
    )


_M = TypeVar("_M", bound=BaseModel)


def _made(model: type[_M], **values: Any) -> _M:
    # What pydantic's model_construct does for a model with every field given, no extra and
    # no private attribute, without its per-field bookkeeping (it costs as much as validating).
    made = object.__new__(model)
    object.__setattr__(made, "__dict__", values)
    object.__setattr__(made, "__pydantic_fields_set__", set(values))
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made


def _canonical_projects(activity: Activity, registry: Registry | None) -> Activity:
    registry = registry or load_registry()
    names = tuple(dict.fromkeys(registry.canonical(n) for n in activity.projects))
    if names == activity.projects:
        return activity
    return activity.model_copy(update={"projects": names})


# --- the CSV row ---------------------------------------------------------------------------


def split_list(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def derived_cells(schedule: Schedule) -> dict[str, str]:
    """The :data:`DERIVED` columns of a schedule, as written on every save."""
    return {
        "start": schedule.start.isoformat(),
        "end": schedule.end.isoformat(),
        "precision": schedule.precision.value,
        "certainty": schedule.certainty.value,
        "deadline": "yes" if schedule.deadline else "",
    }


def to_row(activity: Activity) -> dict[str, str]:
    """The CSV row of an activity; its extra columns follow the known ones."""
    schedule = activity.schedule
    place = activity.place
    row = {
        "id": activity.id,
        "projects": f"{LIST_SEPARATOR} ".join(activity.projects),
        "title": activity.title,
        "modality": activity.modality or "",
        "city": (place.city or "") if place else "",
        "countries": LIST_SEPARATOR.join(activity.country_codes),
        "location": place.text if place else "",
        "dates": schedule.text or render_schedule(schedule, with_year=not schedule.year_inferred),
        "month": schedule.month,
        **derived_cells(schedule),
        "status": activity.status.value,
    }
    # The model refuses extra keys that name a column, so an extra never overwrites one.
    row.update(activity.extra)
    return row


def from_row(row: dict[str, str], registry: Registry | None = None) -> Activity:
    """Build an activity from the authoritative columns; raise ParseError naming the field.

    Project names are read through ``registry`` (the store's, else the built-in one), so an
    alias typed by hand ("Octopus") is the project it stands for everywhere."""

    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    dates, month = cell("dates"), cell("month")
    if month and not re.fullmatch(MONTH_PATTERN, month):
        raise ParseError(
            f"is {month!r}; expected the month as YYYY-MM, e.g. 2019-10", field="month"
        )
    if not dates:
        raise ParseError(
            "is empty; expected a date text such as '1-2 October 2019' or 'dates TBD'",
            field="dates",
        )
    try:
        schedule = parse_schedule(dates, context_month=month or None)
    except ParseError as error:
        raise ParseError(error.message, field="dates") from None
    if schedule.text != dates:
        schedule = schedule.model_copy(update={"text": dates})
    try:
        countries = tuple(country_by_code(code) for code in split_list(cell("countries")))
    except ParseError as error:
        raise ParseError(error.message, field="countries") from None
    place = None
    if cell("city") or countries or cell("location"):
        try:
            place = Place(city=cell("city") or None, countries=countries, text=cell("location"))
        except ValidationError as error:
            refused = model_error(error)
            column = {"text": "location"}.get(refused.field or "", refused.field)
            raise ParseError(refused.message.removeprefix(f"{column} "), field=column) from None
    status = cell("status") or Status.PLANNED.value
    if status not in {s.value for s in Status}:
        raise ParseError(
            f"unknown status {status!r}; expected one of {', '.join(s.value for s in Status)}",
            field="status",
        )
    try:
        activity = Activity.model_validate(
            {
                "id": cell("id"),
                "projects": split_list(cell("projects")),
                "title": cell("title"),
                "place": place,
                "modality": cell("modality") or None,
                "schedule": schedule,
                "status": status,
                "extra": {k: v for k, v in row.items() if k not in COLUMNS and k is not None},
            }
        )
    except ValidationError as error:
        raise model_error(error) from None
    return _canonical_projects(activity, registry)


def sort_string(activity: Activity) -> str:
    """:meth:`Activity.sort_key` as one string that sorts the same way, for the SQL stores'
    ``ORDER BY``: ISO day, kind, afternoon, folded title, then id. Titles hold no control
    characters, so ``\\x01`` sorts a title before any longer title it begins."""
    day, kind, afternoon, title, ident = activity.sort_key()
    return f"{day.isoformat()}{kind}{afternoon}{title}\x01{ident}"
