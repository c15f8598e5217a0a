"""The period summary a programme manager reads at a glance, as plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .model import Activity, Certainty, Status
from .query import Period

NO_PROJECT = "(no project)"


def months_between(first: date, last: date) -> list[str]:
    """Every ``YYYY-MM`` from the month of ``first`` to the month of ``last``."""
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass
class Report:
    period: Period
    label: str
    activities: list[Activity]
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
    deadlines: list[Activity] = field(default_factory=list)
    multi_project: int = 0
    cancelled: list[Activity] = field(default_factory=list)
    """Left out of every count above: they did not, or will not, take place."""

    @property
    def total(self) -> int:
        return len(self.activities)

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
                    "date": a.end.isoformat(),
                    "projects": list(a.projects),
                    "title": a.title,
                }
                for a in self.deadlines
            ],
        }


def build_report(activities: Sequence[Activity], period: Period, label: str) -> Report:
    """Summarise ``activities`` (already filtered to the period)."""
    months = months_between(*period)
    first_month = months[0]
    cancelled = [a for a in activities if a.status is Status.CANCELLED]
    ordered = sorted(
        (a for a in activities if a.status is not Status.CANCELLED), key=Activity.sort_key
    )
    projects = sorted({p for a in ordered for p in (a.projects or (NO_PROJECT,))}, key=str.casefold)
    report = Report(
        period=period,
        label=label,
        activities=ordered,
        months=months,
        projects=projects,
        cancelled=sorted(cancelled, key=Activity.sort_key),
    )
    report.matrix = {p: dict.fromkeys(months, 0) for p in projects}
    report.month_totals = dict.fromkeys(months, 0)
    reached: dict[str, set[str]] = {p: set() for p in projects}
    report.certainty = {c.value: 0 for c in Certainty}
    for activity in ordered:
        # An activity counts in the month it is listed under; one that began before the
        # period (30 October - 1 November, in a November report) counts in the first month.
        month = max(activity.schedule.month, first_month)
        names = activity.projects or (NO_PROJECT,)
        for project in names:
            report.matrix[project][month] += 1
            if activity.place:
                reached[project].update(c.name for c in activity.place.countries)
        report.month_totals[month] += 1
        report.certainty[activity.schedule.certainty.value] += 1
        if len(names) > 1:
            report.multi_project += 1
        if activity.schedule.deadline:
            report.deadlines.append(activity)
    report.project_totals = {p: sum(report.matrix[p].values()) for p in projects}
    report.countries = {p: sorted(reached[p]) for p in projects}
    return report
