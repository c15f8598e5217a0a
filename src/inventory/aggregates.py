"""What the activities matching a :class:`~inventory.query.Criteria` add up to, without
building them: counts by project, country, city or title (with their first and last days,
and how many fall outside a window given per key), the months they run in, and which keys
they reach at all. ``projects``, ``projects show`` and ``clashes`` ask the store these
questions (``Store.tally``, ``Store.per_month``, ``Store.keys``) instead of going through
every activity.

Each answer has two engines side by side, as ``Criteria`` has ``matches`` and ``to_sql``:
from the models, in one pass (the JSON store, and the reference the tests compare with:
tests/test_aggregates_in_sql_agree_with_the_models.py), and in SQL on the shared schema
(``store/sql.py``: the CSV store's cache and the SQLite store; ``store/pgschema.py``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from .months import Period, month_bounds, months_between
from .query import EVERYTHING, Criteria, Dialect, city_key

if TYPE_CHECKING:
    from .model import Activity
    from .titlewords import CorpusCounts

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


def corpus_counts_sql(sql: Sql) -> CorpusCounts:
    """``titlewords.corpus_counts`` of every activity, from the casefolded titles (each
    distinct one's words taken once) and the city and country indexes."""
    from .titlewords import CorpusCounts, title_words

    words: Counter[str] = Counter()
    for title, n in folded_titles_sql(sql).items():
        for word in title_words(title):
            words[word] += n
    size = sum(int(n) for (n,) in sql.run("SELECT count(*) FROM activity a", []))
    cities, countries = counts_sql(sql, EVERYTHING, "city"), counts_sql(sql, EVERYTHING, "country")
    return CorpusCounts(size, dict(words), cities, countries)


def per_month_models(activities: Iterable[Activity]) -> dict[str, int]:
    """Activities overlapping each month (``Schedule.months``), months with none left out;
    sorted."""
    counts = Counter(m for a in activities for m in a.schedule.months())
    return dict(sorted(counts.items()))


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


_SOURCES: dict[str, tuple[str, str, str]] = {
    # key column, the rows it comes from, an extra condition
    "project": ("k.project", "activity_project k JOIN activity a ON a.id = k.id", ""),
    "country": ("k.code", "activity_country k JOIN activity a ON a.id = k.id", ""),
    "city": ("a.city", "activity a", " AND a.city <> ''"),
}


def tally_sql(
    sql: Sql, criteria: Criteria, by: By, within: Mapping[str, Period] | None = None
) -> dict[str, KeyTotals]:
    """The matching activities by key, counted in one grouped query."""
    dialect = sql.dialect
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


_A_END, _S_END = 'a."end"', 's."end"'


def _months(first: str, last: str) -> list[str]:
    if first == last:
        return [first]
    return months_between(month_bounds(first)[0], month_bounds(last)[0])
