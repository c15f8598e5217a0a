"""What the store holds about each project of the registry: its activities, the countries
they reach (participating or not), those dated outside its duration, and the tabular forms
the table, CSV and Markdown outputs share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .dates import render_schedule
from .errors import ParseError, StoreError
from .model import Activity, Status
from .months import month_bounds, months_between
from .projects import Project, Registry
from .vocab import LIST_SEPARATOR


@dataclass
class ProjectSummary:
    """A project and what the store holds about it."""

    project: Project
    activities: list[Activity]
    """Every activity naming the project, soonest first."""
    reached: list[str]
    """Country codes of its activities, cancelled ones left out, sorted."""
    outside: list[tuple[Activity, str]]
    """Activities dated outside the project's duration, with the reason."""

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
        if not self.activities:
            return {}
        counts = Counter(m for a in self.activities for m in a.schedule.months())
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
            "activities": len(self.activities),
            "countries_reached": countries(self.reached),
            "participating_reached": countries(self.participating_reached),
            "participating_not_reached": countries(self.participating_not_reached),
            "outside_duration": len(self.outside),
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


def summarise_one(
    project: Project, activities: Iterable[Activity], registry: Registry | None = None
) -> ProjectSummary:
    """``project`` and its activities; with ``registry``, an alias in the store counts too."""
    canonical = registry.canonical if registry else str.strip
    mine = sorted(
        (a for a in activities if any(canonical(p) == project.name for p in a.projects)),
        key=Activity.sort_key,
    )
    reached = sorted({c for a in mine if a.status is not Status.CANCELLED for c in a.country_codes})
    outside = [(a, reason) for a in mine if (reason := project.outside(a.schedule)) is not None]
    return ProjectSummary(project=project, activities=mine, reached=reached, outside=outside)


def summarise_projects(registry: Registry, activities: Sequence[Activity]) -> list[ProjectSummary]:
    """Every project of the registry, in its order, with its activities in the store."""
    return [summarise_one(project, activities, registry) for project in registry.projects]


def unknown_projects(registry: Registry, activities: Iterable[Activity]) -> dict[str, int]:
    """Project names in the store that the registry does not know, with their counts."""
    counts = Counter(p for a in activities for p in a.projects if registry.find(p) is None)
    return dict(sorted(counts.items(), key=lambda item: item[0].casefold()))


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
                str(len(s.activities)),
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
                str(len(s.activities)),
                LIST_SEPARATOR.join(s.reached),
                LIST_SEPARATOR.join(p.countries),
                LIST_SEPARATOR.join(s.participating_reached),
                LIST_SEPARATOR.join(s.participating_not_reached),
                str(len(s.outside)),
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
