"""Selecting and ordering activities. Works on plain models; "today" is a parameter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .model import Activity, Certainty, Status
from .months import Period
from .places import fold


@dataclass(frozen=True)
class Filter:
    """Everything ``list`` can filter on. Empty fields match everything."""

    projects: tuple[str, ...] = ()
    """Canonical project names; an activity matches if it has any of them."""
    period: Period | None = None
    countries: tuple[str, ...] = ()
    """ISO codes."""
    city: str | None = None
    search: str | None = None
    certainty: tuple[Certainty, ...] = ()
    deadlines: bool | None = None
    """True: only deadlines; False: no deadlines; None: both."""
    status: tuple[Status, ...] = ()

    def matches(self, activity: Activity) -> bool:
        if self.projects and not set(self.projects) & set(activity.projects):
            return False
        if self.period and not activity.schedule.overlaps(*self.period):
            return False
        if self.countries and not set(self.countries) & set(activity.country_codes):
            return False
        if self.city and (
            activity.place is None or fold(activity.place.city or "") != fold(self.city)
        ):
            return False
        if self.search and fold(self.search) not in _haystack(activity):
            return False
        if self.certainty and activity.schedule.certainty not in self.certainty:
            return False
        if self.deadlines is not None and activity.schedule.deadline != self.deadlines:
            return False
        return not (self.status and activity.status not in self.status)


def _haystack(activity: Activity) -> str:
    parts = [activity.title]
    if activity.place is not None:
        parts += [activity.place.text, activity.place.city or ""]
        parts += [c.name for c in activity.place.countries]
    return fold(" ".join(parts))


def select(
    activities: Iterable[Activity], where: Filter, limit: int | None = None
) -> list[Activity]:
    """The matching activities, soonest first (unscheduled after the dated ones of their month)."""
    found = sorted((a for a in activities if where.matches(a)), key=Activity.sort_key)
    return found[:limit] if limit is not None else found


def upcoming(
    activities: Iterable[Activity],
    as_of: date,
    *,
    until: date | None = None,
    include_cancelled: bool = False,
) -> list[Activity]:
    """Activities not finished on ``as_of``: ongoing ones stay, a "dates TBD" one stays
    until its month ends, a deadline until its day. ``until`` drops those starting later."""
    out = []
    for activity in activities:
        if activity.end < as_of:
            continue
        if until is not None and activity.start > until:
            continue
        if activity.status is Status.CANCELLED and not include_cancelled:
            continue
        out.append(activity)
    return sorted(out, key=Activity.sort_key)


def latest_day(activities: Iterable[Activity]) -> date | None:
    return max((a.end for a in activities), default=None)
