"""The period summary a programme manager reads at a glance, as plain data."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .aggregates import PeriodCounts, counts, period_counts_models, undated_postponement
from .months import Period, months_between
from .vocab import Certainty, Status

if TYPE_CHECKING:
    from .model import Activity
    from .query import Criteria
    from .store import Store


@dataclass
class Report:
    """What a period holds, counted by one rule: an activity counts in every month of the
    period it overlaps (so a month's column is what ``list --month`` gives for it), and
    once in every total (what ``list`` gives for the whole period)."""

    period: Period | None
    """None only for a store with nothing in it and no period asked for."""
    label: str
    total: int
    """Activities counted (cancelled ones are not)."""
    months: list[str]
    projects: list[str]
    """The rows: every project of the counted activities, or only those asked for."""
    matrix: dict[str, dict[str, int]] = field(default_factory=dict)
    """project -> month -> activities of that project overlapping that month."""
    month_totals: dict[str, int] = field(default_factory=dict)
    """Activities overlapping each month, each counted once however many projects it has."""
    project_totals: dict[str, int] = field(default_factory=dict)
    """Activities of each project in the period, each once however many months it spans."""
    countries: dict[str, list[str]] = field(default_factory=dict)
    """project -> country names reached, sorted."""
    certainty: dict[str, int] = field(default_factory=dict)
    deadlines: list[Listed] = field(default_factory=list)
    multi_project: int = 0
    cancelled: list[Listed] = field(default_factory=list)
    """Left out of every count above: they did not, or will not, take place."""
    postponed: list[Listed] = field(default_factory=list)
    """Postponed with no new date yet ("dates TBD"): left out of every count too, as they
    will not take place in the month they were postponed out of (E2)."""
    only: tuple[str, ...] = ()
    """The projects asked for (``--project``); empty for all of them."""
    shared_with: dict[str, int] = field(default_factory=dict)
    """With :attr:`only`: the other projects of the counted activities, and how many of
    them each shares (the rows of the report stay those asked for)."""
    spanning: int = 0
    """Activities counted in more than one month of the period."""

    def to_json(self) -> dict[str, Any]:
        return {
            "period": None
            if self.period is None
            else {
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
            "postponed": [a.id for a in self.postponed],
            "deadlines": [
                {
                    "id": a.id,
                    "date": a.due.isoformat(),
                    "projects": list(a.projects),
                    "title": a.title,
                }
                for a in self.deadlines
            ],
            "only": list(self.only),
            "shared_with": self.shared_with,
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


def build_report(
    activities: Sequence[Activity],
    period: Period | None,
    label: str,
    only: Collection[str] = (),
) -> Report:
    """Summarise ``activities``, already selected as overlapping ``period`` (and matching
    ``only``, the projects asked for, if any)."""
    from .model import Activity

    ordered = sorted(activities, key=Activity.sort_key)
    counted = period_counts_models(ordered, period, only)
    named = set(counted.named)
    return _assembled(counted, [a for a in ordered if a.id in named], period, label, only)


def _assembled(
    counted: PeriodCounts,
    named: Sequence[Activity],
    period: Period | None,
    label: str,
    only: Collection[str],
) -> Report:
    """The report of ``counted``; ``named`` are the activities of ``counted.named``, in
    order."""
    from .gazetteer import country_by_code

    months = months_between(*period) if period is not None else []
    projects = sorted(counted.project_totals, key=str.casefold)
    report = Report(
        period=period,
        label=label,
        total=counted.total,
        months=months,
        projects=projects,
        cancelled=[Listed.of(a) for a in named if a.status is Status.CANCELLED],
        postponed=[Listed.of(a) for a in named if undated_postponement(a)],
        only=tuple(only),
    )
    report.matrix = {p: {m: counted.matrix[p][m] for m in months} for p in projects}
    report.month_totals = {m: counted.month_totals[m] for m in months}
    report.project_totals = {p: counted.project_totals[p] for p in projects}
    report.countries = {
        p: sorted(country_by_code(c).name for c in counted.reached[p]) for p in projects
    }
    report.certainty = {c.value: counted.certainty[c.value] for c in Certainty}
    report.deadlines = [Listed.of(a) for a in named if counts(a) and a.schedule.deadline]
    report.multi_project = counted.multi_project
    report.spanning = counted.spanning
    report.shared_with = dict(sorted(counted.shared.items(), key=lambda kv: kv[0].casefold()))
    return report


def report_for(
    store: Store,
    criteria: Criteria,
    asked: Period | None,
    label: str | None,
    *,
    with_activities: bool = True,
) -> tuple[Report, list[Activity]]:
    """The report of ``inventory report`` and of the served ``/report`` page: of the period
    ``asked`` (an open end cut to the store's activities; None: all the store spans), and the
    activities in it (none without ``with_activities``: the layouts that show only the
    counts have them from the store's aggregates, with models of only the activities the
    report names). Its ``period`` is None when nothing matches."""
    from .filters import clamp

    where = criteria.but(period=None)
    if asked is None:
        period = store.bounds(where)
        label = "the whole store"
    else:
        period = clamp(asked, store, where)
    if period is None:
        return build_report([], None, label or ""), []
    if with_activities:
        activities = store.select(where.but(period=period)).activities
        return build_report(activities, period, label or "", only=where.projects), activities
    from .model import Activity

    counted = store.period_counts(where, period)
    named = sorted(store.by_ids(counted.named).values(), key=Activity.sort_key)
    return _assembled(counted, named, period, label or "", where.projects), []
