"""Changing the inventory: a new activity from what a person typed, an edit of some of its
fields, and what changed. Pure functions over models; the commands write the result
through a store transaction."""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .dates import parse_schedule, render_schedule
from .errors import InventoryError, ParseError, UsageError
from .ids import candidate_ids, derive_id, identity
from .model import MAX_PLACE, MAX_SHORT, Activity, Place, Schedule, Status, clean_text
from .places import parse_location
from .projects import Registry
from .records import model_error, to_row


def read_projects(
    names: Sequence[str], registry: Registry, in_store: Container[str] = ()
) -> tuple[str, ...]:
    """Canonical names for names typed on the command line. A name the registry does not
    know is accepted when the store already uses it (an import keeps unknown projects as
    written, so every command must accept them too); otherwise it is a usage error with a
    suggestion."""
    out = []
    for name in names:
        try:
            clean_text(name, "project name", MAX_SHORT)
        except ValueError as error:
            raise UsageError(str(error)) from None
        if not name.strip():
            raise UsageError("a project name is empty; expected e.g. GLACY+")
        for part in registry.split(name):
            if registry.find(part) is None and part.strip() in in_store:
                out.append(part.strip())
            else:
                out.append(registry.resolve(part).name)
    return tuple(dict.fromkeys(out))


def typed(text: str, field: str, limit: int) -> str:
    """Text typed on the command line, its spaces folded, through the model's gate before
    anything reads it: a 100 kB location is refused for its length, not searched for a
    country."""
    try:
        return clean_text(text, field, limit)
    except ValueError as error:
        raise ParseError(str(error).removeprefix(f"{field} "), field=field) from None


def read_schedule(text: str, *, year: int | None, month: str | None = None) -> Schedule:
    """A date typed on the command line: the year from the text, ``--year``, or the month
    the activity was listed under (for an edit)."""
    text = typed(text, "dates", MAX_SHORT)
    try:
        return parse_schedule(text, context_month=None if year else month, context_year=year)
    except ParseError as error:
        if "no year" in error.message and year is None and month is None:
            raise ParseError(
                f"cannot read date {text!r}: it has no year; write one (e.g. "
                "'3-5 December 2019') or pass --year",
                field="dates",
                text=text,
            ) from None
        raise


def read_location(text: str) -> Place:
    return parse_location(typed(text, "location", MAX_PLACE))


def new_activity(
    *,
    projects: Sequence[str],
    title: str,
    location: str | None,
    dates: str,
    year: int | None,
    modality: str | None,
    registry: Registry,
    in_store: Container[str] = (),
) -> Activity:
    """A new activity from what a person typed. Its id is derived from what it is, so an
    identical activity already in the store has the same id (see :func:`place_new`)."""
    schedule = read_schedule(dates, year=year)
    place = read_location(location) if location else None
    names = read_projects(projects, registry, in_store)
    try:
        draft = Activity(
            id="draft",
            projects=names,
            title=title,
            place=place,
            modality=modality or None,
            schedule=schedule,
        )
    except ValidationError as error:
        raise model_error(error) from None
    return draft.model_copy(update={"id": derive_id(draft.title, place, schedule)})


class AlreadyThere(InventoryError):
    """The activity is in the store already."""


def place_new(activity: Activity, taken: Container[str], existing: Any) -> Activity:
    """The activity with an id no other activity has. The same activity (same title, place,
    dates and projects) is refused; the same title, place and dates for other projects is
    another activity and gets an id of its own, as ``import`` gives it (``existing(id)``
    reads the activity that has an id)."""
    same = identity(activity.title, activity.place, activity.schedule)
    for ident in candidate_ids(activity.title, activity.place, activity.schedule):
        if ident not in taken:
            return activity if ident == activity.id else activity.model_copy(update={"id": ident})
        other = existing(ident)
        if set(other.projects) == set(activity.projects) and same == identity(
            other.title, other.place, other.schedule
        ):
            raise AlreadyThere(
                f"this activity is already in the store as {other.id} "
                f"({other.title[:50]}, {render_schedule(other.schedule)})"
            )
    raise AssertionError("unreachable: the candidates never end")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old or '(empty)'} -> {self.new or '(empty)'}"


def _describe(activity: Activity) -> dict[str, str]:
    row = to_row(activity)
    return {
        k: row[k]
        for k in (
            "projects",
            "title",
            "modality",
            "location",
            "city",
            "countries",
            "dates",
            "month",
            "status",
        )
    }


def edit_activity(
    activity: Activity,
    *,
    registry: Registry,
    title: str | None = None,
    dates: str | None = None,
    year: int | None = None,
    location: str | None = None,
    projects: Sequence[str] | None = None,
    modality: str | None = None,
    status: Status | None = None,
    in_store: Container[str] = (),
) -> tuple[Activity, list[FieldChange]]:
    """The activity with the named fields changed (its id stays), and what changed."""
    update: dict[str, Any] = {}
    if title is not None:
        update["title"] = title
    if dates is not None:
        update["schedule"] = read_schedule(dates, year=year, month=activity.schedule.month)
    if location is not None:
        update["place"] = read_location(location) if location.strip() else None
    if projects is not None:
        update["projects"] = read_projects(projects, registry, in_store)
    if modality is not None:
        update["modality"] = modality.strip() or None
    if status is not None:
        update["status"] = status
    try:
        # Validate through the model, not model_copy, so an edit meets the same rules as an add.
        changed = Activity.model_validate({**activity.model_dump(), **update})
    except ValidationError as error:
        raise model_error(error) from None
    return changed, field_changes(activity, changed)


def field_changes(before: Activity, after: Activity) -> list[FieldChange]:
    """What differs between two versions of an activity, field by field, as a person
    reads them (``edit`` and ``import`` report them)."""
    old, new = _describe(before), _describe(after)
    return [FieldChange(k, v, new[k]) for k, v in old.items() if v != new[k]]
