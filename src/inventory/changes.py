"""Changing the inventory: new activities, edits, ids typed by people, and validation.

Pure functions over models; the CLI takes the lock, loads, calls these, and saves.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .dates import parse_schedule, render_schedule
from .errors import InventoryError, ParseError, Problem, UsageError
from .ids import derive_id
from .model import Activity, Place, Schedule, Status
from .places import fold, parse_location
from .projects import Registry, outside_duration
from .store import DERIVED, Store, activity_to_row


class AmbiguousId(UsageError):
    """An id prefix that matches several activities."""


def resolve_id(activities: Sequence[Activity], key: str) -> Activity:
    """The activity whose id is ``key`` or starts with it (a unique prefix is enough)."""
    key = key.strip().lower()
    if not key:
        raise UsageError("an id is needed, e.g. 38z0m643 or a unique prefix such as 38z0")
    exact = [a for a in activities if a.id == key]
    if exact:
        return exact[0]
    found = [a for a in activities if a.id.startswith(key)]
    if len(found) == 1:
        return found[0]
    if found:
        listed = "; ".join(f"{a.id} {a.title[:40]}" for a in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise AmbiguousId(
            f"id '{key}' matches {len(found)} activities: {listed}{more}; type more characters"
        )
    close = difflib.get_close_matches(key, [a.id for a in activities], n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InventoryError(
        f"no activity with id '{key}'{hint}", hint="'inventory list' shows the ids"
    )


def _model_error(error: ValidationError) -> ParseError:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    return ParseError(str(first["msg"]).removeprefix("Value error, "), field=field)


def read_projects(names: Sequence[str], registry: Registry) -> tuple[str, ...]:
    """Canonical names for names typed on the command line; an unknown one is an error."""
    out = []
    for name in names:
        for part in registry.split(name):
            out.append(registry.resolve(part).name)
    return tuple(dict.fromkeys(out))


def read_schedule(text: str, *, year: int | None, month: str | None = None) -> Schedule:
    """A date typed on the command line: the year from the text, ``--year``, or the month
    the activity was listed under (for an edit)."""
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


def new_activity(
    *,
    projects: Sequence[str],
    title: str,
    location: str | None,
    dates: str,
    year: int | None,
    modality: str | None,
    registry: Registry,
) -> Activity:
    """A new activity from what a person typed. Its id is derived from what it is, so an
    identical activity already in the store has the same id (see :func:`ensure_new`)."""
    schedule = read_schedule(dates, year=year)
    place = parse_location(location) if location else None
    names = read_projects(projects, registry)
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
        raise _model_error(error) from None
    return draft.model_copy(update={"id": derive_id(draft.title, place, schedule)})


def ensure_new(activity: Activity, existing: Sequence[Activity]) -> None:
    """Refuse to add an activity that is already in the store."""
    for other in existing:
        if other.id == activity.id:
            raise InventoryError(
                f"this activity is already in the store as {other.id} "
                f"({other.title[:50]}, {render_schedule(other.schedule)})"
            )


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old or '(empty)'} -> {self.new or '(empty)'}"


def _describe(activity: Activity) -> dict[str, str]:
    row = activity_to_row(activity)
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
) -> tuple[Activity, list[Change]]:
    """The activity with the named fields changed (its id stays), and what changed."""
    update: dict[str, Any] = {}
    if title is not None:
        update["title"] = title
    if dates is not None:
        update["schedule"] = read_schedule(dates, year=year, month=activity.schedule.month)
    if location is not None:
        update["place"] = parse_location(location) if location.strip() else None
    if projects is not None:
        update["projects"] = read_projects(projects, registry)
    if modality is not None:
        update["modality"] = modality.strip() or None
    if status is not None:
        update["status"] = status
    try:
        # Validate through the model, not model_copy, so an edit meets the same rules as an add.
        changed = Activity.model_validate({**activity.model_dump(), **update})
    except ValidationError as error:
        raise _model_error(error) from None
    before, after = _describe(activity), _describe(changed)
    return changed, [Change(k, before[k], after[k]) for k in before if before[k] != after[k]]


# --- validation --------------------------------------------------------------------------


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio()


def _same_place(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return True
    return bool({c.code for c in a.countries} & {c.code for c in b.countries}) or (
        not a.countries and not b.countries
    )


def likely_duplicates(
    activities: Sequence[Activity], threshold: float = 0.85
) -> list[tuple[Activity, Activity, float]]:
    """Pairs with a shared project, overlapping dates, the same country and near-identical
    titles: the same activity entered twice."""
    pairs = []
    ordered = sorted(activities, key=lambda a: a.start)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.start > first.end:
                break
            if not set(first.projects) & set(second.projects):
                continue
            if not second.schedule.overlaps(first.start, first.end) or not first.schedule.overlaps(
                second.start, second.end
            ):
                continue
            if not _same_place(first.place, second.place):
                continue
            score = _similar(first.title, second.title)
            if score >= threshold:
                pairs.append((first, second, score))
    return pairs


def validate(store: Store, registry: Registry) -> list[Problem]:
    """Every problem of a store: unreadable rows (errors), and things a person should look
    at (warnings): unknown or missing projects, dates outside a project's duration, stale
    derived columns, likely duplicates."""
    source = str(store.path)
    problems = list(store.problems)

    def warn(activity: Activity, message: str, field: str | None = None) -> None:
        problems.append(
            Problem(
                f"{activity.id}: {message}", store.lines.get(activity.id), field, "warning", source
            )
        )

    for activity in store.activities:
        if not activity.projects:
            warn(activity, "no project", "projects")
        for name in activity.projects:
            if registry.find(name) is None:
                warn(
                    activity,
                    f"unknown project {name!r}; known: "
                    f"{', '.join(p.name for p in registry.projects)}",
                    "projects",
                )
        for reason in outside_duration(activity, registry):
            warn(activity, reason, "dates")
        raw = store.raw_rows.get(activity.id)
        if raw is not None:
            cells = dict(zip(store.header, raw[0], strict=False))
            expected = activity_to_row(activity)
            for column in DERIVED:
                found = (cells.get(column) or "").strip()
                if column in cells and found and found != expected[column]:
                    warn(
                        activity,
                        f"{column} is {found!r} but dates "
                        f"{activity.schedule.text!r} give {expected[column]!r}; the dates "
                        "column wins and the next write corrects it",
                        column,
                    )
    for first, second, score in likely_duplicates(store.activities):
        warn(
            second,
            f"likely duplicate of {first.id} (line {store.lines.get(first.id, '?')}): "
            f"same project, overlapping dates, titles {score:.0%} alike",
            "title",
        )
    return problems
