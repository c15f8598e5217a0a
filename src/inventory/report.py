"""The period summary a programme manager reads at a glance, as plain data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .months import Period, months_between
from .vocab import Certainty, Status

if TYPE_CHECKING:
    from .model import Activity

NO_PROJECT = "(no project)"


@dataclass
class Report:
    period: Period
    label: str
    total: int
    """Activities counted (cancelled ones are not)."""
    months: list[str]
    projects: list[str]
    matrix: dict[str, dict[str, int]] = field(default_factory=dict)
    """project -> month -> number of activities listed under that month."""
    month_totals: dict[str, int] = field(default_factory=dict)
    """Activities per month, each counted once however many projects it has."""
    project_totals: dict[str, int] = field(default_factory=dict)
    countries: dict[str, list[str]] = field(default_factory=dict)
    """project -> country names reached, sorted."""
    certainty: dict[str, int] = field(default_factory=dict)
    deadlines: list[Listed] = field(default_factory=list)
    multi_project: int = 0
    cancelled: list[Listed] = field(default_factory=list)
    """Left out of every count above: they did not, or will not, take place."""

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {
                "label": self.label,
                "start": self.period[0].isoformat(),
                "end": self.period[1].isoformat(),
            },
            "total": self.total,
            "multi_project": self.multi_project,
            "months": self.months,
            "per_project_per_month": self.matrix,
            "per_month": self.month_totals,
            "per_project": self.project_totals,
            "countries": self.countries,
            "certainty": self.certainty,
            "cancelled": [a.id for a in self.cancelled],
            "deadlines": [
                {
                    "id": a.id,
                    "date": a.due.isoformat(),
                    "projects": list(a.projects),
                    "title": a.title,
                }
                for a in self.deadlines
            ],
        }


@dataclass(frozen=True)
class Listed:
    """An activity a report names (a deadline, a cancelled one), as it names it."""

    id: str
    title: str
    projects: tuple[str, ...]
    due: date
    """The last day."""
    dates: str
    """The schedule written out with its year (``dates.render_schedule``)."""
    status: Status

    @classmethod
    def of(cls, activity: Activity) -> Listed:
        from .dates import render_schedule

        return cls(
            id=activity.id,
            title=activity.title,
            projects=activity.projects,
            due=activity.end,
            dates=render_schedule(activity.schedule),
            status=activity.status,
        )


@dataclass(frozen=True)
class Counted:
    """What a report reads of one activity: enough to count it without its model."""

    month: str
    """``YYYY-MM`` the activity is listed under (its schedule's month)."""
    projects: tuple[str, ...]
    countries: tuple[str, ...]
    """Names of the countries of its place."""
    certainty: Certainty
    deadline: bool
    status: Status

    @classmethod
    def of(cls, activity: Activity) -> Counted:
        schedule, place = activity.schedule, activity.place
        return cls(
            month=schedule.month,
            projects=activity.projects,
            countries=tuple(c.name for c in place.countries) if place else (),
            certainty=schedule.certainty,
            deadline=schedule.deadline,
            status=activity.status,
        )


def build_report(activities: Sequence[Activity], period: Period, label: str) -> Report:
    """Summarise ``activities`` (already filtered to the period)."""
    from .model import Activity

    ordered = sorted(activities, key=Activity.sort_key)
    entries = [Counted.of(a) for a in ordered]
    return summarise(entries, period, label, lambda i: Listed.of(ordered[i]))


def summarise(
    entries: Sequence[Counted], period: Period, label: str, listed: Callable[[int], Listed]
) -> Report:
    """Summarise activities given as ``entries``, in the activities' order
    (``Activity.sort_key``); ``listed(i)`` is the i-th one as the report names it, asked
    for only for the deadlines and the cancelled ones."""
    months = months_between(*period)
    first_month = months[0]
    counted = [i for i, e in enumerate(entries) if e.status is not Status.CANCELLED]
    projects = sorted(
        {p for i in counted for p in (entries[i].projects or (NO_PROJECT,))}, key=str.casefold
    )
    report = Report(
        period=period,
        label=label,
        total=len(counted),
        months=months,
        projects=projects,
        cancelled=[listed(i) for i, e in enumerate(entries) if e.status is Status.CANCELLED],
    )
    report.matrix = {p: dict.fromkeys(months, 0) for p in projects}
    report.month_totals = dict.fromkeys(months, 0)
    reached: dict[str, set[str]] = {p: set() for p in projects}
    report.certainty = {c.value: 0 for c in Certainty}
    for i in counted:
        entry = entries[i]
        # An activity counts in the month it is listed under; one that began before the
        # period (30 October - 1 November, in a November report) counts in the first month.
        month = max(entry.month, first_month)
        names = entry.projects or (NO_PROJECT,)
        for project in names:
            report.matrix[project][month] += 1
            reached[project].update(entry.countries)
        report.month_totals[month] += 1
        report.certainty[entry.certainty.value] += 1
        if len(names) > 1:
            report.multi_project += 1
        if entry.deadline:
            report.deadlines.append(listed(i))
    report.project_totals = {p: sum(report.matrix[p].values()) for p in projects}
    report.countries = {p: sorted(reached[p]) for p in projects}
    return report
