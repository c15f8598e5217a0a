"""What the store holds about each project of the registry: its activities, the countries
they reach (participating or not), those dated outside its duration, and the tabular forms
the table, CSV and Markdown outputs share."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .dates import render_schedule
from .errors import ParseError, StoreError
from .model import Activity, Schedule, Status
from .months import Period, month_bounds, months_between
from .projects import Project, Registry
from .query import EVERYTHING, Criteria
from .vocab import LIST_SEPARATOR

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class Outlying:
    """An activity dated outside its project's duration, as ``projects show`` names it: a
    schedule read from the stored record, not a whole activity (a big project may have
    tens of thousands of them)."""

    id: str
    title: str
    status: Status
    schedule: Schedule

    @classmethod
    def of(cls, activity: Activity) -> Outlying:
        return cls(activity.id, activity.title, activity.status, activity.schedule)

    @classmethod
    def read(cls, text: str) -> Outlying:
        """From a record as a store keeps it (``records.to_record``, as JSON text)."""
        record = json.loads(text)
        kept = {k: v for k, v in record["schedule"].items() if k not in ("start", "end", "edtf")}
        return cls(
            record["id"], record["title"], Status(record["status"]), Schedule.model_validate(kept)
        )


@dataclass
class ProjectSummary:
    """A project and what the store holds about it."""

    project: Project
    count: int
    """Activities naming the project."""
    reached: list[str]
    """Country codes of its activities, cancelled ones left out, sorted."""
    outside_count: int
    """Activities dated outside the project's duration."""
    outside: list[tuple[Outlying, str]] = field(default_factory=list)
    """Those activities with the reason, soonest first (asked for with ``detail``)."""
    months: dict[str, int] = field(default_factory=dict)
    """Activities overlapping each month that has any (asked for with ``detail``)."""

    @property
    def participating_reached(self) -> list[str]:
        return [c for c in self.project.countries if c in self.reached]

    @property
    def participating_not_reached(self) -> list[str]:
        return [c for c in self.project.countries if c not in self.reached]

    @property
    def other_reached(self) -> list[str]:
        """Countries reached that are not participating countries."""
        return [c for c in self.reached if c not in self.project.countries]

    def per_month(self) -> dict[str, int]:
        """Activities overlapping each month (one running across months counts in each, as
        in ``report``), every month from the first to the last."""
        counts = self.months
        if not counts:
            return {}
        first, last = min(counts), max(counts)
        return {
            m: counts.get(m, 0)
            for m in months_between(month_bounds(first)[0], month_bounds(last)[0])
        }

    def to_json(self, names: dict[str, str], *, detail: bool = False) -> dict[str, Any]:
        """The JSON shape of ``projects`` (and, with ``detail``, of ``projects show``)."""
        project = self.project

        def countries(codes: Iterable[str]) -> list[dict[str, str]]:
            return [{"code": c, "name": names.get(c, c)} for c in codes]

        amount = project.budget_amount
        out: dict[str, Any] = {
            "name": project.name,
            "aliases": list(project.aliases),
            "kind": project.kind,
            "start": project.start,
            "end": project.end,
            "duration": project.duration or None,
            "scope": project.scope,
            "budget": None
            if amount is None
            else {
                "amount": int(amount) if amount == amount.to_integral_value() else float(amount),
                "currency": project.budget_currency,
            },
            "funding": project.funding,
            "implementation": project.implementation,
            "notes": project.notes,
            "participating": countries(project.countries),
            "activities": self.count,
            "countries_reached": countries(self.reached),
            "participating_reached": countries(self.participating_reached),
            "participating_not_reached": countries(self.participating_not_reached),
            "outside_duration": self.outside_count,
        }
        if detail:
            out["per_month"] = self.per_month()
            out["other_countries_reached"] = countries(self.other_reached)
            out["outside_duration"] = [
                {
                    "id": activity.id,
                    "title": activity.title,
                    "dates": render_schedule(activity.schedule),
                    "reason": reason,
                }
                for activity, reason in self.outside
            ]
        return out


SHOWN = 10
"""How many of a project's activities dated outside its duration ``projects show`` draws in
its table (a generated store has tens of thousands); the rest are counted, and ``list``
gives them (:func:`outside_listings`)."""

LIVE = tuple(s for s in Status if s is not Status.CANCELLED)
"""The statuses whose activities reach their countries."""


def window(project: Project) -> Period | None:
    """The project's duration as days; an open end reaches as far as a day can; None when
    neither end is known (nothing is then outside it)."""
    first, last = project.first_day, project.last_day
    if first is None and last is None:
        return None
    return first or date.min, last or date.max


def summarise_one(
    project: Project, activities: Iterable[Activity], registry: Registry | None = None
) -> ProjectSummary:
    """``project`` and its activities, in detail, from the models; with ``registry``, an
    alias in the store counts too. What :func:`summarise_store` answers from the store."""
    canonical = registry.canonical if registry else str.strip
    mine = sorted(
        (a for a in activities if any(canonical(p) == project.name for p in a.projects)),
        key=Activity.sort_key,
    )
    reached = sorted({c for a in mine if a.status is not Status.CANCELLED for c in a.country_codes})
    outside = [
        (Outlying.of(a), reason)
        for a in mine
        if (reason := project.outside(a.schedule)) is not None
    ]
    months = Counter(m for a in mine for m in a.schedule.months())
    return ProjectSummary(
        project=project,
        count=len(mine),
        reached=reached,
        outside_count=len(outside),
        outside=outside,
        months=dict(sorted(months.items())),
    )


def unknown_projects(registry: Registry, activities: Iterable[Activity]) -> dict[str, int]:
    """Project names in the store that the registry does not know, with their counts."""
    counts = Counter(p for a in activities for p in a.projects if registry.find(p) is None)
    return dict(sorted(counts.items(), key=lambda item: item[0].casefold()))


@dataclass
class Overview:
    """What ``projects`` says: each project of the registry, in its order; the names of
    projects the registry does not know, with their activities; and how many activities
    name a project of the registry."""

    summaries: list[ProjectSummary]
    unknown: dict[str, int]
    total: int


def summarise_store(store: Store, registry: Registry, *, detail: bool = False) -> Overview:
    """Every project of the registry with what ``store`` holds about it, from the store's
    aggregates: one grouped pass gives each name's activities and those outside its
    project's duration; the countries reached are asked of the store's indexes. Models are
    built only with ``detail``, for the activities outside a project's duration."""
    windows: dict[str, Period] = {}
    for name in store.project_names():
        project = registry.find(name)
        if project is not None and (span := window(project)) is not None:
            windows[name] = span
    tallies = store.tally(EVERYTHING, "project", windows)
    named = _names(registry, tallies)
    summaries = []
    for project in registry.projects:
        names = named.get(project.name, [])
        if len(names) == 1:
            tally = tallies[names[0]]
            summaries.append(_summary(store, project, names, detail, tally.count, tally.outside))
        else:
            summaries.append(_summary(store, project, names, detail))
    unknown = {n: t.count for n, t in tallies.items() if registry.find(n) is None}
    known = tuple(n for names in named.values() for n in names)
    return Overview(
        summaries=summaries,
        unknown=dict(sorted(unknown.items(), key=lambda item: item[0].casefold())),
        total=store.count(Criteria(projects=known)) if detail and known else 0,
    )


def summarise_project(
    store: Store, registry: Registry, project: Project, *, shown: int | None = None
) -> ProjectSummary:
    """One project in detail (``projects show``), from the store's aggregates; of its
    activities dated outside its duration, all of them, or the first ``shown`` (soonest
    first) with the count of all: only those are read from the store."""
    names = _names(registry, store.project_names()).get(project.name, [])
    return _summary(store, project, names, True, shown=shown)


def outside_listings(project: Project) -> list[str]:
    """The ``list`` commands that give every activity dated outside ``project``'s duration:
    those overlapping a day before it began, and those overlapping a day after it ended
    (an activity is outside when its first day is before the duration or its last after,
    ``Project.outside``); none when its duration is not known."""
    from shlex import quote

    span = window(project)
    if span is None:
        return []
    name = quote(project.name)
    out = []
    if span[0] != date.min:
        out.append(f"inventory list --project {name} --to {span[0] - timedelta(days=1)}")
    if span[1] != date.max:
        out.append(f"inventory list --project {name} --from {span[1] + timedelta(days=1)}")
    return out


def _names(registry: Registry, stored: Iterable[str]) -> dict[str, list[str]]:
    """The names the store uses for each project of the registry (an alias kept in a
    database written before the registry knew it counts for its project)."""
    out: dict[str, list[str]] = {}
    for name in sorted(stored):
        project = registry.find(name)
        if project is not None:
            out.setdefault(project.name, []).append(name)
    return out


def _summary(
    store: Store,
    project: Project,
    names: Sequence[str],
    detail: bool,
    count: int | None = None,
    outside_count: int | None = None,
    shown: int | None = None,
) -> ProjectSummary:
    if not names:  # an empty Criteria.projects would match every activity
        return ProjectSummary(project=project, count=0, reached=[], outside_count=0)
    where = Criteria(projects=tuple(names))
    span = window(project)
    if count is None:
        count = store.count(where)
    outside: list[tuple[Outlying, str]] = []
    if detail and span is not None:
        asked = where.but(outside=span)
        selected = store.select(asked, limit=shown)
        # The stored records when the store keeps them (no model each); the JSON store's
        # models when it has only those.
        found = (
            [Outlying.of(a) for a in selected.activities]
            if selected.built
            else [Outlying.read(r) for r in selected.records]
        )
        for entry in found:
            reason = project.outside(entry.schedule)
            if reason is not None:
                outside.append((entry, reason))
        # Criteria.outside is Project.outside's test (a first day before the duration or a
        # last after it): with a limit the count is the store's, of the same activities.
        if shown is not None and len(outside) == shown:
            outside_count = store.count(asked)
        else:
            outside_count = len(outside)
    elif outside_count is None:
        outside_count = store.count(where.but(outside=span)) if span is not None else 0
    return ProjectSummary(
        project=project,
        count=count,
        reached=sorted(store.keys(where.but(status=LIVE), "country")),
        outside_count=outside_count,
        outside=outside,
        months=store.per_month(where) if detail else {},
    )


# --- tabular forms, shared by the table, CSV and Markdown outputs -----------------------

TABLE_HEADERS = (
    "Project", "Duration", "Budget", "Activities", "Countries reached", "Participating reached",
)  # fmt: skip
CSV_HEADERS = (
    "name", "kind", "start", "end", "budget_amount", "budget_currency", "activities",
    "countries_reached", "participating", "participating_reached", "participating_not_reached",
    "outside_duration",
)  # fmt: skip


def country_names(summaries: Iterable[ProjectSummary]) -> dict[str, str]:
    """Display name of every country code the summaries mention.

    `StoreError` naming the project for a participating country code that does not exist.
    """
    from .gazetteer import country_by_code

    names: dict[str, str] = {}
    for summary in summaries:
        for code in (*summary.project.countries, *summary.reached):
            if code in names:
                continue
            try:
                names[code] = country_by_code(code).name
            except ParseError:
                raise StoreError(
                    f"{summary.project.name}: unknown country code {code!r}; "
                    "expected ISO 3166-1 alpha-2 codes such as GE or UA",
                    field="countries",
                ) from None
    return names


def table_rows(summaries: Iterable[ProjectSummary]) -> list[list[str]]:
    """One row per project under `TABLE_HEADERS`."""
    rows = []
    for s in summaries:
        participating = (
            f"{len(s.participating_reached)} of {len(s.project.countries)}"
            if s.project.countries
            else "-"
        )
        rows.append(
            [
                s.project.name,
                s.project.duration or "-",
                s.project.budget or "-",
                str(s.count),
                str(len(s.reached)),
                participating,
            ]
        )
    return rows


def csv_rows(summaries: Iterable[ProjectSummary]) -> list[list[str]]:
    """The summaries as rows under `CSV_HEADERS` (first): plain values, codes joined with ';'."""
    rows: list[list[str]] = [list(CSV_HEADERS)]
    for s in summaries:
        p = s.project
        rows.append(
            [
                p.name,
                p.kind,
                p.start or "",
                p.end or "",
                "" if p.budget_amount is None else str(p.budget_amount),
                p.budget_currency or "",
                str(s.count),
                LIST_SEPARATOR.join(s.reached),
                LIST_SEPARATOR.join(p.countries),
                LIST_SEPARATOR.join(s.participating_reached),
                LIST_SEPARATOR.join(s.participating_not_reached),
                str(s.outside_count),
            ]
        )
    return rows


def facts(project: Project, names: dict[str, str]) -> list[tuple[str, str]]:
    """The project's facts as (label, value) pairs, for a person to read."""
    countries = ", ".join(names.get(c, c) for c in project.countries)
    pairs = [
        ("Kind", project.kind),
        ("Aliases", ", ".join(project.aliases)),
        ("Duration", project.duration),
        ("Scope", project.scope or ""),
        ("Budget", project.budget),
        ("Funding", project.funding or ""),
        ("Implementation", project.implementation or ""),
        (
            "Participating",
            f"{countries} ({len(project.countries)})" if project.countries else "",
        ),
        ("Notes", project.notes or ""),
    ]
    return [(label, value or "-") for label, value in pairs]
