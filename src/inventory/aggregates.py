"""What the activities matching a :class:`~inventory.query.Criteria` add up to, without
building them: counts by project, country, city or title (with their first and last days,
and how many fall outside a window given per key), the months they run in, and which keys
they reach at all, and what a period's report counts. ``projects``, ``projects show``,
``clashes`` and ``report`` ask the store these questions (``Store.tally``,
``Store.per_month``, ``Store.keys``, ``Store.period_counts``) instead of going through
every activity.

Each answer has two engines side by side, as ``Criteria`` has ``matches`` and ``to_sql``:
from the models, in one pass (the JSON store, and the reference the tests compare with:
tests/test_aggregates_in_sql_agree_with_the_models.py), and in SQL on the shared schema
(``store/sql.py``: the CSV store's cache and the SQLite store; ``store/pgschema.py``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from .months import Period, month_bounds, months_between
from .query import Criteria, Dialect, city_key
from .vocab import Precision, Status

if TYPE_CHECKING:
    from .model import Activity

NO_PROJECT = "(no project)"
"""The row a period's counts give an activity of no project."""

By = Literal["project", "country", "city", "title"]
BY: tuple[By, ...] = ("project", "country", "city", "title")


@dataclass(frozen=True)
class KeyTotals:
    """The activities of one key (a project as the store names it, a country code, a folded
    city, a title)."""

    count: int
    first: date
    """The earliest possible day among them."""
    last: date
    """The latest possible day among them."""
    outside: int = 0
    """Those not wholly inside the key's window (``within``); 0 without one."""


def keys_of(activity: Activity, by: By) -> Iterable[str]:
    """The keys an activity counts under: each project and country once, its folded city
    when it has one, its title."""
    if by == "project":
        return dict.fromkeys(activity.projects)
    if by == "country":
        return dict.fromkeys(activity.country_codes)
    if by == "city":
        city = city_key(activity)
        return (city,) if city else ()
    return (activity.title,)


@dataclass
class PeriodCounts:
    """What a period's report counts (``report.Report``), by its one rule (:func:`counts`:
    not cancelled, not postponed without a new day): an activity counts in every month of
    the period it overlaps, once in every total. Its rows are its projects
    (:data:`NO_PROJECT` for none), only those asked for when some are (``only``)."""

    total: int = 0
    matrix: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    """row -> month -> activities of that row overlapping that month."""
    month_totals: Counter[str] = field(default_factory=Counter)
    """Each activity once a month, however many projects it has."""
    project_totals: Counter[str] = field(default_factory=Counter)
    reached: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """row -> the country codes of its activities."""
    certainty: Counter[str] = field(default_factory=Counter)
    multi_project: int = 0
    spanning: int = 0
    """Activities counted in more than one month of the period."""
    shared: Counter[str] = field(default_factory=Counter)
    """With ``only``: the other projects of the activities counted, how many each."""
    named: list[str] = field(default_factory=list)
    """The ids of the activities a report names: the cancelled ones, those postponed with no
    new day (neither counted), and the deadlines counted."""

    def add(self, rows: Iterable[str], months: Sequence[str], n: int = 1) -> None:
        """``n`` activities of these rows, overlapping these months of the period."""
        for row in rows:
            for month in months:
                self.matrix[row][month] += n
            self.project_totals[row] += n
        for month in months:
            self.month_totals[month] += n
        self.total += n
        self.spanning += n if len(months) > 1 else 0


def undated_postponement(activity: Activity) -> bool:
    """Postponed, and no new day known yet: it takes place in no month for now."""
    return activity.status is Status.POSTPONED and activity.schedule.precision is Precision.MONTH


def counts(activity: Activity) -> bool:
    """Whether an activity counts in a period it overlaps: not cancelled, not postponed
    without a new day. The one rule of the reports, the calendar and the timeline."""
    return activity.status is not Status.CANCELLED and not undated_postponement(activity)


def report_rows(projects: Sequence[str], only: Collection[str]) -> tuple[str, ...]:
    """The rows an activity of ``projects`` counts in (see :class:`PeriodCounts`)."""
    names = tuple(projects) or (NO_PROJECT,)
    return tuple(p for p in names if p in only) if only else names


# --- from the models -------------------------------------------------------------------------


def tally_models(
    activities: Iterable[Activity], by: By, within: Mapping[str, Period] | None = None
) -> dict[str, KeyTotals]:
    """:func:`tally_sql`'s answer from the models, in one pass; by key, sorted."""
    within = within or {}
    counts: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    for activity in activities:
        start, end = activity.start, activity.end
        for key in keys_of(activity, by):
            counts[key] += 1
            if key not in first or start < first[key]:
                first[key] = start
            if key not in last or end > last[key]:
                last[key] = end
            window = within.get(key)
            if window is not None and (start < window[0] or end > window[1]):
                outside[key] += 1
    return {k: KeyTotals(counts[k], first[k], last[k], outside[k]) for k in sorted(counts)}


def counts_models(activities: Iterable[Activity], by: By) -> dict[str, int]:
    """:func:`counts_sql`'s answer from the models: the activities under each key; sorted."""
    counts = Counter(key for a in activities for key in keys_of(a, by))
    return dict(sorted(counts.items()))


def folded_titles_models(activities: Iterable[Activity]) -> dict[str, int]:
    """:func:`folded_titles_sql`'s answer from the models; sorted."""
    return dict(sorted(Counter(a.title.casefold() for a in activities).items()))


def folded_titles_sql(sql: Sql) -> dict[str, int]:
    """Every activity's title, casefolded, counted: what ``clashes`` weighs words with (the
    words of a title are those of its casefolded title). Read from the ``sort`` column's
    index alone (``records.sort_string``: the day, kind and afternoon in 12 characters,
    the casefolded title, then ``\\x01`` and the id), not from every record."""
    if sql.casefolded:
        rows = sql.run(f"SELECT {sql.casefolded}, count(*) FROM activity a GROUP BY 1", [])
        return dict(sorted((title, int(n)) for title, n in rows))
    counts = Counter(
        s[12 : s.rindex("\x01")] for (s,) in sql.run("SELECT a.sort FROM activity a", [])
    )
    return dict(sorted(counts.items()))


def per_month_models(activities: Iterable[Activity]) -> dict[str, int]:
    """Activities overlapping each month (``Schedule.months``), months with none left out;
    sorted."""
    counts = Counter(m for a in activities for m in a.schedule.months())
    return dict(sorted(counts.items()))


def period_counts_models(
    activities: Iterable[Activity], period: Period | None, only: Collection[str] = ()
) -> PeriodCounts:
    """:class:`~inventory.aggregates.PeriodCounts` of ``activities`` (overlapping ``period``
    and matching ``only`` already), in one pass: the reference the SQL stores' answer is
    compared with (tests/test_aggregates_in_sql_agree_with_the_models.py)."""
    out = PeriodCounts()
    for activity in activities:
        if not counts(activity):
            out.named.append(activity.id)
            continue
        rows = report_rows(activity.projects, only)
        out.add(rows, activity.schedule.months(within=period))
        for row in rows:
            out.reached[row].update(activity.country_codes)
        if only:
            out.shared.update(p for p in activity.projects if p not in only)
        out.certainty[activity.schedule.certainty.value] += 1
        out.multi_project += len(activity.projects) > 1
        if activity.schedule.deadline:
            out.named.append(activity.id)
    return out


# --- in SQL ----------------------------------------------------------------------------------

Runner = Callable[[str, Sequence[Any]], Iterable[Sequence[Any]]]
"""Runs a query with its parameters and gives its rows."""


@dataclass(frozen=True)
class Sql:
    """How a SQL store answers: its query runner, its dialect, the overlap bound."""

    run: Runner
    dialect: Dialect
    max_span: int = 0
    casefolded: str | None = None
    """The casefolded title as a column of ``activity a``, where the store keeps one (the
    CSV store's cache); else it is read out of the ``sort`` column."""
    spans: bool = False
    """The store keeps ``project_span`` (the CSV store's cache): each project's activities
    counted by window and parts, which answers :func:`kept_count` and what ``projects`` and
    ``projects show`` ask of one project or of all without reading their activities."""


def _one_project(criteria: Criteria) -> str | None:
    """The project ``criteria`` asks for when it asks nothing else (but activities outside
    a window): what ``project_span`` answers."""
    if len(criteria.projects) == 1 and criteria.but(projects=(), outside=None) == Criteria():
        return criteria.projects[0]
    return None


def kept_count(sql: Sql, criteria: Criteria) -> int | None:
    """How many activities ``criteria`` matches, from ``project_span`` when the store keeps
    it and the criteria ask for one project (and perhaps those outside a window); None:
    ask the activities."""
    project = _one_project(criteria) if sql.spans else None
    if project is None:
        return None
    query = "SELECT coalesce(sum(n), 0) FROM project_span WHERE project = ?"
    params: list[Any] = [project]
    if criteria.outside is not None:
        first, last = criteria.outside
        query += ' AND (start < ? OR "end" > ?)'
        params += [first.toordinal(), last.toordinal()]
    return int(next(iter(sql.run(query, params)))[0])


_SOURCES: dict[str, tuple[str, str, str]] = {
    # key column, the rows it comes from, an extra condition
    "project": ("k.project", "activity_project k JOIN activity a ON a.id = k.id", ""),
    "country": ("k.code", "activity_country k JOIN activity a ON a.id = k.id", ""),
    "city": ("a.city", "activity a", " AND a.city <> ''"),
}


def tally_sql(
    sql: Sql, criteria: Criteria, by: By, within: Mapping[str, Period] | None = None
) -> dict[str, KeyTotals]:
    """The matching activities by key, counted in one grouped query (of ``project_span``
    for every project of the store, where it is kept)."""
    dialect = sql.dialect
    if by == "project" and sql.spans and criteria == Criteria():
        return _tally_spans(sql, within or {})
    where, params = criteria.to_sql(dialect, sql.max_span)
    key, rows, extra = _SOURCES.get(by, (dialect.title(), "activity a", ""))
    windows = ""
    outside = "0"
    head: list[Any] = []
    if within:
        marks = ", ".join(f"({dialect.mark}, {dialect.window()})" for _ in within)
        windows = f"WITH w (key, first, last) AS (VALUES {marks}) "
        for name, (first, last) in within.items():
            head += [name, dialect.day(first), dialect.day(last)]
        rows += f" LEFT JOIN w ON w.key = {key}"
        outside = 'sum(CASE WHEN a.start < w.first OR a."end" > w.last THEN 1 ELSE 0 END)'
    # A bound every activity meets: with it SQLite, which has no statistics, looks each
    # activity up in the index that covers its days (sql.SCHEMA's activity_span) rather
    # than in its primary key's, which leads to the whole row (about a sixth of the time).
    bound = f"a.start >= {dialect.mark}"
    query = (
        f'{windows}SELECT {key}, count(*), min(a.start), max(a."end"), {outside} '
        f"FROM {rows} WHERE {bound} AND {where}{extra} GROUP BY {key}"
    )
    found = {
        name: KeyTotals(int(n), dialect.from_day(first), dialect.from_day(last), int(out or 0))
        for name, n, first, last, out in sql.run(query, [*head, dialect.day(date.min), *params])
    }
    return dict(sorted(found.items()))


def _tally_spans(sql: Sql, within: Mapping[str, Period]) -> dict[str, KeyTotals]:
    found: dict[str, KeyTotals] = {}
    for name, n, first, last in sql.run(
        'SELECT project, sum(n), min(start), max("end") FROM project_span GROUP BY project', []
    ):
        found[name] = KeyTotals(int(n), date.fromordinal(first), date.fromordinal(last))
    for name, (first, last) in within.items():
        if name in found:
            outside = kept_count(sql, Criteria(projects=(name,), outside=(first, last)))
            found[name] = dataclasses.replace(found[name], outside=outside or 0)
    return dict(sorted(found.items()))


def counts_sql(sql: Sql, criteria: Criteria, by: By) -> dict[str, int]:
    """The matching activities under each key, counted only: of the whole store, a project's
    or a country's come from their index alone, and the titles are counted as they are
    read (cheaper than sorting them to group them)."""
    where, params = criteria.to_sql(sql.dialect, sql.max_span)
    if by == "title":
        rows = sql.run(f"SELECT {sql.dialect.title()} FROM activity a WHERE {where}", params)
        counts = Counter(title for (title,) in rows)
        return dict(sorted(counts.items()))
    key, source, extra = _SOURCES[by]
    if by != "city" and criteria == Criteria():
        key, source = key.removeprefix("k."), source.split(" k ")[0]
    query = f"SELECT {key}, count(*) FROM {source} WHERE {where}{extra} GROUP BY {key}"
    found = {name: int(n) for name, n in sql.run(query, params)}
    return dict(sorted(found.items()))


def keys_sql(sql: Sql, criteria: Criteria, by: By) -> set[str]:
    """The keys :func:`tally_sql` would give, without counting: each key of the store is
    asked whether one matching activity has it, which stops at the first."""
    if by not in ("project", "country"):
        return set(tally_sql(sql, criteria, by))
    where, params = criteria.to_sql(sql.dialect, sql.max_span)
    table, column = {"project": ("activity_project", "project")}.get(
        by, ("activity_country", "code")
    )
    query = (
        f"SELECT d.{column} FROM (SELECT DISTINCT {column} FROM {table}) d WHERE EXISTS "
        f"(SELECT 1 FROM {table} k JOIN activity a ON a.id = k.id "
        f"WHERE k.{column} = d.{column} AND {where})"
    )
    return {row[0] for row in sql.run(query, params)}


def per_month_sql(sql: Sql, criteria: Criteria) -> dict[str, int]:
    """:func:`per_month_models` in SQL: an activity in one part runs in every month from
    that of its first day to that of its last, so those pairs are counted in one grouped
    query and spread over their months; one in several parts (a few in a hundred) counts
    in the months its parts touch, each once."""
    dialect = sql.dialect
    where, params = criteria.to_sql(dialect, sql.max_span)
    month = dialect.month_of
    counts: Counter[str] = Counter()
    project = _one_project(criteria) if sql.spans else None
    if project is not None and criteria.outside is None:
        spans = sql.run(
            f"SELECT {month('start')}, {month(_END)}, sum(n) "
            "FROM project_span WHERE project = ? AND parts <= 1 GROUP BY 1, 2",
            [project],
        )
    else:
        spans = sql.run(
            f"SELECT {month('a.start')}, {month(_A_END)}, count(*) FROM activity a "
            f"WHERE {where} AND a.parts <= 1 GROUP BY 1, 2",
            params,
        )
    for first, last, n in spans:
        for key in _months(first, last):
            counts[key] += int(n)
    if dialect.name == "postgresql":
        parts = (
            f"SELECT a.id, {month('lower(r)')}, {month('upper(r) - 1')} "
            f"FROM activity a, unnest(a.days) r WHERE {where} AND a.parts > 1"
        )
    else:
        parts = (
            f"SELECT s.id, {month('s.start')}, {month(_S_END)} FROM segment s "
            f"JOIN activity a ON a.id = s.id WHERE {where} AND a.parts > 1"
        )
    touched: dict[str, set[str]] = defaultdict(set)
    for ident, first, last in sql.run(parts, params):
        touched[ident].update(_months(first, last))
    counts.update(m for months in touched.values() for m in months)
    return dict(sorted(counts.items()))


_A_END, _S_END, _END = 'a."end"', 's."end"', '"end"'
_UNDATED_POSTPONEMENT = "(a.status = 'postponed' AND a.\"precision\" = 'month')"
""":func:`undated_postponement` in SQL."""


def _months(first: str, last: str) -> list[str]:
    if first == last:
        return [first]
    return months_between(month_bounds(first)[0], month_bounds(last)[0])


def period_counts_sql(sql: Sql, criteria: Criteria, period: Period) -> PeriodCounts:
    """:class:`PeriodCounts` of the activities ``criteria`` matches overlapping ``period``
    (``only``: ``criteria.projects``), in five grouped queries over the period's rows: an
    activity in one part counts in the months from that of its first day in the period to
    that of its last, so those pairs are counted; one in several parts (a few in a
    hundred) is read part by part."""
    dialect = sql.dialect
    where, params = criteria.but(period=period).to_sql(dialect, sql.max_span)
    only = criteria.projects
    counted = f"a.status <> 'cancelled' AND NOT ({_UNDATED_POSTPONEMENT})"
    lo, hi = dialect.day(period[0]), dialect.day(period[1])
    month, mark = dialect.month_of, dialect.mark
    later, earlier = dialect.greatest, dialect.least
    first, last = month(f"{later}(a.start, {mark})"), month(f"{earlier}({_A_END}, {mark})")
    out = PeriodCounts()
    multi = "(SELECT count(*) FROM activity_project q WHERE q.id = a.id) > 1"
    rows = sql.run(
        f"SELECT {first}, {last}, a.certainty, {multi}, count(*) FROM activity a "
        f"WHERE {where} AND {counted} AND a.parts <= 1 GROUP BY 1, 2, 3, 4",
        [lo, hi, *params],
    )
    for start, end, certainty, several, n in rows:
        months = _months(start, end)
        for m in months:
            out.month_totals[m] += int(n)
        out.total += int(n)
        out.spanning += int(n) if len(months) > 1 else 0
        out.certainty[certainty] += int(n)
        out.multi_project += int(n) if several else 0
    rows = sql.run(
        f"SELECT k.project, {first}, {last}, count(*) FROM activity a "
        f"LEFT JOIN activity_project k ON k.id = a.id "
        f"WHERE {where} AND {counted} AND a.parts <= 1 GROUP BY 1, 2, 3",
        [lo, hi, *params],
    )
    for project, start, end, n in rows:
        project = project if project is not None else NO_PROJECT
        if only and project not in only:
            out.shared[project] += int(n)
            continue
        for m in _months(start, end):
            out.matrix[project][m] += int(n)
        out.project_totals[project] += int(n)
    # Activities in several parts: the months their parts touch in the period, each once.
    head = f"SELECT a.id, k.project, a.certainty, {multi}, "
    if dialect.name == "postgresql":
        parts = (
            f"{head}{month(f'{later}(lower(r), {mark})')}, "
            f"{month(f'{earlier}(upper(r) - 1, {mark})')} FROM activity a "
            f"CROSS JOIN unnest(a.days) r LEFT JOIN activity_project k ON k.id = a.id "
            f"WHERE {where} AND {counted} AND a.parts > 1 AND r && daterange({mark}, {mark}, '[]')"
        )
        tail = [lo, hi]
    else:
        parts = (
            f"{head}{month(f'{later}(s.start, {mark})')}, {month(f'{earlier}({_S_END}, {mark})')} "
            f"FROM segment s JOIN activity a ON a.id = s.id "
            f"LEFT JOIN activity_project k ON k.id = a.id "
            f"WHERE {where} AND {counted} AND a.parts > 1 "
            f"AND s.start <= {mark} AND {_S_END} >= {mark}"
        )
        tail = [hi, lo]
    touched: dict[str, tuple[str, bool, dict[str, None], dict[str, None]]] = {}
    for ident, project, certainty, several, start, end in sql.run(parts, [lo, hi, *params, *tail]):
        _, _, touches, names = touched.setdefault(ident, (certainty, bool(several), {}, {}))
        touches.update(dict.fromkeys(_months(start, end)))
        if project is not None:
            names[project] = None
    for certainty, several, touches, names in touched.values():
        out.certainty[certainty] += 1
        out.multi_project += several
        out.add(report_rows(tuple(names), only), sorted(touches))
        if only:
            out.shared.update(p for p in names if p not in only)
    rows = sql.run(
        f"SELECT DISTINCT k.project, c.code FROM activity a "
        f"LEFT JOIN activity_project k ON k.id = a.id JOIN activity_country c ON c.id = a.id "
        f"WHERE {where} AND {counted}",
        params,
    )
    for project, code in rows:
        project = project if project is not None else NO_PROJECT
        if not only or project in only:
            out.reached[project].add(code)
    named = (
        f"SELECT a.id FROM activity a WHERE {where} AND (a.status = 'cancelled' OR "
        f"{_UNDATED_POSTPONEMENT} OR a.deadline = {mark})"
    )
    out.named = [ident for (ident,) in sql.run(named, [*params, True])]
    return out
