"""What to select, in memory and in SQL: one :class:`Criteria`, its :meth:`~Criteria.matches`
for a model and its :meth:`~Criteria.to_sql` for the SQL stores, side by side, so a new
filter is one field, one predicate and one clause (tests/test_query.py keeps the two in
step on every store).

The SQL reads the shared schema of ``store/sql.py``: a row per activity in ``activity``
(window ``start``/``end``, ``parts`` = number of day segments, folded ``city`` and
``haystack``, ...), its projects in ``activity_project``, its countries in
``activity_country`` and its day segments in ``segment``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from .folding import fold
from .months import Period
from .vocab import Certainty, Status

if TYPE_CHECKING:
    from .model import Activity


class Dialect:
    """How a clause is spelt in one SQL engine. SQLite keeps days as proleptic ordinals and
    finds overlaps through an index on the window's start (``max_span`` bounds how far
    before a period an overlapping activity can start); PostgreSQL keeps them as dates and
    answers overlaps with its range operators and a GiST index."""

    name = "sqlite"
    mark = "?"
    greatest, least = "max", "min"
    """The larger and the smaller of two values (SQLite's ``max`` and ``min`` of several
    arguments are scalar)."""

    def day(self, day: date) -> Any:
        return day.toordinal()

    def overlap(self, first: date, last: date, max_span: int) -> tuple[str, list[Any]]:
        lo, hi = self.day(first), self.day(last)
        return (
            'a.start <= ? AND a.start >= ? AND a."end" >= ? AND (a.parts <= 1 OR EXISTS '
            '(SELECT 1 FROM segment s WHERE s.id = a.id AND s.start <= ? AND s."end" >= ?))',
            [hi, lo - max_span, lo, hi, lo],
        )

    def not_over(self, day: date, max_span: int) -> tuple[str, list[Any]]:
        """Activities whose last day is ``day`` or later: none began more than ``max_span``
        days before it, a bound the index on the start answers (``upcoming`` otherwise reads
        every row of the store)."""
        at = self.day(day)
        return 'a.start >= ? AND a."end" >= ?', [at - max_span, at]

    def contains(self) -> str:
        return "instr(a.haystack, ?) > 0"

    def from_day(self, value: Any) -> date:
        return date.fromordinal(value)

    def month_of(self, column: str) -> str:
        """The ``YYYY-MM`` of a day column (an ordinal: day 1 is Julian day 1721425.5)."""
        return f"strftime('%Y-%m', {column} + 1721424.5)"

    def title(self) -> str:
        return "json_extract(a.record, '$.title')"

    def window(self) -> str:
        return "CAST(? AS INTEGER), CAST(? AS INTEGER)"


class Postgres(Dialect):
    """The schema of ``store/pgschema.py``: the window is the ``during`` daterange (a GiST
    index answers ``&&``), the known days of an activity in parts the ``days``
    datemultirange."""

    name = "postgresql"
    mark = "%s"
    greatest, least = "greatest", "least"

    def day(self, day: date) -> Any:
        return day

    def not_over(self, day: date, max_span: int) -> tuple[str, list[Any]]:
        return 'a."end" >= %s', [day]

    def overlap(self, first: date, last: date, max_span: int) -> tuple[str, list[Any]]:
        return (
            "a.during && daterange(%s, %s, '[]') AND (a.parts <= 1 OR "
            "a.days && daterange(%s, %s, '[]'))",
            [first, last, first, last],
        )

    def contains(self) -> str:
        return "strpos(a.haystack, %s) > 0"

    def from_day(self, value: Any) -> date:
        return value  # type: ignore[no-any-return]

    def month_of(self, column: str) -> str:
        return f"to_char({column}, 'YYYY-MM')"

    def title(self) -> str:
        return "a.record->>'title'"

    def window(self) -> str:
        return "%s::date, %s::date"


SQLITE = Dialect()
POSTGRES = Postgres()


@dataclass(frozen=True)
class Criteria:
    """Everything a query can ask for. Empty fields match everything."""

    projects: tuple[str, ...] = ()
    """Canonical project names; an activity matches if it has any of them."""
    period: Period | None = None
    """Overlaps the period: for known days, some day segment touches it (the gap between
    two segments does not count); for "dates TBD", its month touches it."""
    countries: tuple[str, ...] = ()
    """ISO codes; any of them."""
    city: str | None = None
    search: str | None = None
    """Folded text in the title or the place."""
    certainty: tuple[Certainty, ...] = ()
    deadlines: bool | None = None
    """True: only deadlines; False: no deadlines; None: both."""
    status: tuple[Status, ...] = ()
    not_over_on: date | None = None
    """Upcoming on this day: the latest possible day is on or after it."""
    starting_by: date | None = None
    """The earliest possible day is on or before it."""
    outside: Period | None = None
    """Not wholly inside the period: the earliest possible day is before it, or the latest
    after it (a project's activities dated outside its duration)."""

    def but(self, **changes: Any) -> Criteria:
        return dataclasses.replace(self, **changes)

    def matches(self, activity: Activity) -> bool:
        if self.projects and not set(self.projects) & set(activity.projects):
            return False
        if self.period and not activity.schedule.overlaps(*self.period):
            return False
        if self.countries and not set(self.countries) & set(activity.country_codes):
            return False
        if self.city is not None and city_key(activity) != fold(self.city):
            return False
        if self.search is not None and fold(self.search) not in haystack(activity):
            return False
        if self.certainty and activity.schedule.certainty not in self.certainty:
            return False
        if self.deadlines is not None and activity.schedule.deadline != self.deadlines:
            return False
        if self.status and activity.status not in self.status:
            return False
        if self.not_over_on is not None and activity.end < self.not_over_on:
            return False
        if self.starting_by is not None and activity.start > self.starting_by:
            return False
        return not (
            self.outside is not None
            and self.outside[0] <= activity.start
            and activity.end <= self.outside[1]
        )

    def to_sql(self, dialect: Dialect = SQLITE, max_span: int = 0) -> tuple[str, list[Any]]:
        """A ``WHERE`` condition on ``activity a`` and its parameters; ``max_span`` is the
        longest window in the store, in days (SQLite's overlap bound)."""
        clauses: list[str] = []
        params: list[Any] = []
        mark = dialect.mark

        def add(clause: str, *values: Any) -> None:
            clauses.append(clause)
            params.extend(values)

        def among(values: Iterable[str]) -> str:
            return ", ".join(mark for _ in values)

        if self.projects:
            add(
                "EXISTS (SELECT 1 FROM activity_project p WHERE p.id = a.id "
                f"AND p.project IN ({among(self.projects)}))",
                *self.projects,
            )
        if self.period:
            clause, values = dialect.overlap(*self.period, max_span)
            add(clause, *values)
        if self.countries:
            add(
                "EXISTS (SELECT 1 FROM activity_country c WHERE c.id = a.id "
                f"AND c.code IN ({among(self.countries)}))",
                *self.countries,
            )
        if self.city is not None:
            add(f"a.city = {mark}", fold(self.city))
        if self.search is not None:
            add(dialect.contains(), fold(self.search))
        if self.certainty:
            add(f"a.certainty IN ({among(self.certainty)})", *(c.value for c in self.certainty))
        if self.deadlines is not None:
            add(f"a.deadline = {mark}", self.deadlines)
        if self.status:
            add(f"a.status IN ({among(self.status)})", *(s.value for s in self.status))
        if self.not_over_on is not None:
            clause, values = dialect.not_over(self.not_over_on, max_span)
            add(clause, *values)
        if self.starting_by is not None:
            add(f"a.start <= {mark}", dialect.day(self.starting_by))
        if self.outside is not None:
            first, last = (dialect.day(d) for d in self.outside)
            add(f'(a.start < {mark} OR a."end" > {mark})', first, last)
        return (" AND ".join(clauses) or "TRUE"), params


def city_key(activity: Activity) -> str:
    """What ``--city`` compares: the folded city, empty when there is none."""
    return fold(activity.place.city or "") if activity.place else ""


def haystack(activity: Activity) -> str:
    """What ``--search`` looks in: the folded title and place."""
    parts = [activity.title]
    if activity.place is not None:
        parts += [activity.place.text, activity.place.city or ""]
        parts += [c.name for c in activity.place.countries]
    return fold(" ".join(parts))


EVERYTHING = Criteria()
"""The criteria that match every activity."""


def upcoming_criteria(
    criteria: Criteria, as_of: date, until: date | None = None, include_cancelled: bool = False
) -> Criteria:
    """Activities not finished on ``as_of``: ongoing ones stay, a "dates TBD" one until its
    month ends, a deadline until its day; ``until`` drops those starting later."""
    statuses = criteria.status
    if not include_cancelled:
        statuses = tuple(s for s in (statuses or tuple(Status)) if s is not Status.CANCELLED)
    return criteria.but(not_over_on=as_of, starting_by=until, status=statuses)


def select_from(
    activities: Iterable[Activity], where: Criteria = EVERYTHING, limit: int | None = None
) -> list[Activity]:
    """The matching activities, soonest first (unscheduled after the dated ones of their
    month): what every store's ``select`` answers."""
    found = sorted((a for a in activities if where.matches(a)), key=lambda a: a.sort_key())
    return found[:limit] if limit is not None else found
