"""The filter set as a person gives it: words (``2019-11``, ``Q4-2019``, ``GLACY+``,
``Morocco``), not yet a :class:`~inventory.query.Criteria`. The command line fills it from
its options (``cli/filters.py``) and the served pages from the query string (``web/``), and
both turn it into the same ``Criteria`` here, so a link and a command select the same
activities and refuse the same values with the same words; only the name a message gives a
filter differs (``--from`` on the command line, ``from`` in a URL)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from .errors import UsageError
from .folding import project_key
from .months import (
    Period,
    month_label,
    parse_day,
    parse_month_period,
    parse_quarter,
    parse_year,
    quarter_label,
)
from .query import Criteria
from .store import Store
from .vocab import Certainty, Status

OPTION_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "project": "--project",
        "month": "--month",
        "quarter": "--quarter",
        "year": "--year",
        "start": "--from",
        "end": "--to",
        "country": "--country",
        "city": "--city",
        "search": "--search",
        "certainty": "--certainty",
        "deadlines": "--deadlines",
        "status": "--status",
        "limit": "--limit",
    }
)
"""How the command line spells each filter (the default of :attr:`Filters.spelling`)."""

_EXAMPLES = {"month": "2019-11", "quarter": "Q4-2019", "year": "2020"}


def invalid(name: str, message: str) -> UsageError:
    """A bad value: exit 2 (or 400), one line naming where it was given."""
    return UsageError(f"invalid value for {name}: {message}")


@dataclass(frozen=True)
class Filters:
    """The filters as given (None: not given)."""

    project: list[str] | None = None
    month: str | None = None
    quarter: str | None = None
    year: str | None = None
    start: str | None = None
    end: str | None = None
    country: list[str] | None = None
    city: str | None = None
    search: str | None = None
    certainty: list[Certainty] | None = None
    deadlines: bool | None = None
    status: list[Status] | None = None
    limit: int | None = None
    spelling: Mapping[str, str] = field(
        default_factory=lambda: OPTION_NAMES, compare=False, repr=False
    )
    """Each field's name in messages: an option on the command line, a parameter in a URL."""

    def period(self) -> tuple[Period | None, str | None]:
        """The period named (month ... from/to) and its label."""
        return resolve_period(
            self.month, self.quarter, self.year, self.start, self.end, self.spelling
        )

    def criteria(self, store: Store) -> Criteria:
        """What to select, the period included (unclamped: an open end runs to the end of
        time until ``clamp`` cuts it to the store); a command drawing its own period
        replaces it with ``but``."""
        return build_criteria(
            store,
            project=self.project,
            period=self.period()[0],
            country=self.country,
            city=self.city,
            search=self.search,
            certainty=self.certainty,
            deadlines=self.deadlines,
            status=self.status,
            spelling=self.spelling,
        )


def resolve_period(
    month: str | None,
    quarter: str | None,
    year: str | None,
    start: str | None,
    end: str | None,
    spelling: Mapping[str, str] = OPTION_NAMES,
) -> tuple[Period | None, str | None]:
    """The period the filters name, and its label; at most one way of naming it. An open
    end (a start alone) runs to ``date.max``: :func:`clamp` cuts it to the store."""
    given = {"month": month, "quarter": quarter, "year": year, "start": start, "end": end}
    for name, value in given.items():
        if value is not None and not value.strip():
            example = _EXAMPLES.get(name, "2020-03-01 or 1 March 2020")
            raise invalid(spelling[name], f"is empty; expected a value such as {example}")
    named = [(n, v) for n, v in list(given.items())[:3] if v is not None]
    ranged = [n for n in ("start", "end") if given[n] is not None]
    if len(named) > 1 or (named and ranged):
        chosen = " and ".join(spelling[n] for n in [n for n, _ in named] + ranged)
        ways = ", ".join(spelling[n] for n in ("month", "quarter", "year"))
        raise UsageError(
            f"choose one of {ways} or {spelling['start']}/{spelling['end']}; got {chosen}"
        )
    try:
        if named:
            name, value = named[0]
            if name == "month":
                period = parse_month_period(value)
                return period, month_label(period[0])
            if name == "quarter":
                period = parse_quarter(value)
                return period, quarter_label(period[0])
            period = parse_year(value)
            return period, str(period[0].year)
        if start is None and end is None:
            return None, None
    except UsageError as error:
        raise invalid(spelling[named[0][0]], error.message) from None
    first = _day(spelling["start"], start) if start is not None else date.min
    last = _day(spelling["end"], end) if end is not None else date.max
    if first > last:
        raise UsageError(
            f"{spelling['start']} {first} is after {spelling['end']} {last}; "
            f"expected {spelling['start']} on or before {spelling['end']}"
        )
    if start is None:
        return (first, last), f"until {last}"
    return (first, last), f"from {first}" if end is None else f"{first} to {last}"


def _day(name: str, value: str) -> date:
    try:
        return parse_day(value)
    except UsageError as error:
        raise invalid(name, error.message) from None


def clamp(period: Period, store: Store, criteria: Criteria | None = None) -> Period | None:
    """An open-ended period cut to the days the store's matching activities span (a report
    of 8,000 empty years helps nobody); None when nothing falls in it."""
    if period[0] != date.min and period[1] != date.max:
        return period
    span = store.bounds((criteria or Criteria()).but(period=period))
    if span is None:
        return None
    first = period[0] if period[0] != date.min else span[0]
    last = period[1] if period[1] != date.max else span[1]
    return first, last


def canonical_projects(
    store: Store, given: list[str], spelling: Mapping[str, str] = OPTION_NAMES
) -> tuple[str, ...]:
    """The canonical names of project filters: from the names the store keeps when each
    is one of them (no registry, no models to load), else through the registry, which also
    splits "GLACY+, CyberEast" and suggests a name for a typo."""
    lookup = store.project_lookup()
    if lookup is not None and all(project_key(name) in lookup for name in given):
        return tuple(dict.fromkeys(lookup[project_key(name)] for name in given))
    from .editing import read_projects

    try:
        return read_projects(given, store.registry, store.project_names())
    except UsageError as error:
        raise invalid(spelling["project"], error.message) from None


def build_criteria(
    store: Store,
    *,
    project: list[str] | None = None,
    period: Period | None = None,
    country: list[str] | None = None,
    city: str | None = None,
    search: str | None = None,
    certainty: list[Certainty] | None = None,
    deadlines: bool | None = None,
    status: list[Status] | None = None,
    spelling: Mapping[str, str] = OPTION_NAMES,
) -> Criteria:
    for name, text in (("city", city), ("search", search)):
        if text is not None and not text.strip():
            raise invalid(spelling[name], "is empty; expected some text")
    projects: tuple[str, ...] = ()
    if project:
        projects = canonical_projects(store, project, spelling)
    countries: tuple[str, ...] = ()
    if country:
        from .gazetteer import resolve_country

        try:
            countries = tuple(resolve_country(c).code for c in country)
        except UsageError as error:
            raise invalid(spelling["country"], error.message) from None
    return Criteria(
        projects=projects,
        period=period,
        countries=countries,
        city=city,
        search=search,
        certainty=tuple(certainty or ()),
        deadlines=deadlines,
        status=tuple(status or ()),
    )
