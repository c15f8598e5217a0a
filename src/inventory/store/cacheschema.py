"""The CSV store's cache schema: the SQLite store's ``activity`` table (``sql.SCHEMA``) as a
view, so every query of ``sql.py``, ``query.py`` and ``aggregates.py`` reads the cache as it
reads a SQLite store, over tables that keep each thing once.

A store repeats a few thousand date texts, a few dozen places and lists of projects: each
is kept once (``schedule`` the texts, ``shape`` the rest of a schedule's JSON, ``place``,
``list``) and each ``activity_row`` holds what is its own (id, title, status, days) and the
numbers of what it shares. A shape is shared between years: its month and days are tokens
the view fills in from the row (``"\\u0001S"`` is the start day), so "11-14 September" has
one shape whatever its year. The record, sort string and haystack are put together as a
query reads them, by string functions that cost a query microseconds for the rows it
returns, instead of being kept whole for every row (they were three quarters of the cache).
An index the cache's queries need goes on ``activity_row`` (or the tables of projects,
countries and segments): a view has none.

Each derived column of the view equals what ``sql.row_values`` gives for the same activity
(tests/test_cache_rows.py compares them on generated stores and the bundled one), so a
query answers byte for byte as it did when the cache kept them whole.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from ..folding import fold
from ..vocab import HalfDay, Status
from .sql import ACTIVITY_LINKS, run_schema

if TYPE_CHECKING:
    from ..model import Activity, Place, Schedule

CACHE_FORMAT = 7
"""The version of what a cache holds and of how rows are read into it. A cache is kept for
as long as this, the schema, the built-in project list, the country tables and Unicode's
are the same: reinstalling the same version, or a fresh clone, reuses it. Bump it with
any change to the cache's tables (tests/test_cache_format.py pins them to this number)
and to how a row is read: the date grammar (dates.py), the model's rules or messages,
records.from_row or store/cacherows.py."""

CACHE_SCHEMA_VERSION = 100 + CACHE_FORMAT
"""The cache's ``PRAGMA user_version``: apart from ``sql.SCHEMA_VERSION``, whose tables it
no longer has, and following :data:`CACHE_FORMAT`, so a cache of another format has its
tables and view made anew (``cache._renew``), not only its rows."""

_ISO = "date({} + 1721424.5)"  # a proleptic ordinal as YYYY-MM-DD, as date.isoformat()
_START, _END = _ISO.format("r.start"), _ISO.format('r."end"')


def _marked(day: str) -> str:
    return f"substr({day}, 1, 8) || '?' || substr({day}, 9)"


# The title as casefold() gives it: lower() on the JSON string's inside when the row
# says that is the same (an ASCII title without escapes), else kept as it is.
_CASEFOLD = "coalesce(r.cf, lower(substr(r.title, 2, length(r.title) - 2)))"
_FOLDED = f"coalesce(r.fold, {_CASEFOLD})"
_DAYS = (
    "replace(replace(replace(h.json, "
    f"'\\u0001M', r.month), '\\u0001S', {_START}), '\\u0001E', {_END})"
)
_SORTED = f"CASE WHEN h.precision = 'month' THEN {_END} || '10' ELSE {_START} || '0' || h.pm END"
_HAYSTACK = (
    f"CASE WHEN h.hay = '' THEN {_FOLDED} WHEN {_FOLDED} = '' THEN h.hay "
    f"ELSE {_FOLDED} || ' ' || h.hay END"
)


STATUSES = {status.value: number for number, status in enumerate(Status)}
"""A status as ``activity_row`` keeps it: a number, stored in no byte beyond its type for
the first two (a tenth of a small store's cache, counting the index that covers it)."""
_STATUS = "CASE r.status " + " ".join(f"WHEN {n} THEN '{s}'" for s, n in STATUSES.items()) + " END"


def _of(table: str, value: str, column: str) -> str:
    """``value`` read from the row of ``table`` that the activity's ``column`` numbers."""
    return f"(SELECT {value} FROM {table} h WHERE h.id = r.{column})"


_EXPANDED = (
    f"CASE h.form WHEN 0 THEN {_DAYS} WHEN 2 THEN replace(replace({_DAYS}, "
    f"'\\u0001s', {_marked(_START)}), '\\u0001e', {_marked(_END)}) ELSE h.json END"
)

CORPUS_TABLE = """CREATE TABLE IF NOT EXISTS corpus (
    kind TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (kind, key)
) WITHOUT ROWID;
"""
"""The counts ``clashes`` weighs evidence with, kept as rows come and go (``cachecorpus.py``)."""

CACHE_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS activity_row (
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    status INTEGER NOT NULL,
    month TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    schedule INTEGER NOT NULL,
    shape INTEGER NOT NULL,
    place INTEGER NOT NULL,
    projects INTEGER NOT NULL,
    hash BLOB,
    cf TEXT,
    fold TEXT,
    modality TEXT,
    extra TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS activity_row_id ON activity_row (id);
CREATE INDEX IF NOT EXISTS activity_row_start ON activity_row (start);
-- Covers what the aggregates read of an activity found through its projects or countries
-- (its days, parts and status), as sql.SCHEMA's activity_span does (aggregates.tally_sql).
CREATE INDEX IF NOT EXISTS activity_row_span ON activity_row (id, start, "end", parts, status);
CREATE UNIQUE INDEX IF NOT EXISTS activity_row_hash ON activity_row (hash) WHERE hash IS NOT NULL;
CREATE TABLE IF NOT EXISTS schedule (
    id INTEGER PRIMARY KEY, key INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schedule_key ON schedule (key);
CREATE TABLE IF NOT EXISTS shape (
    id INTEGER PRIMARY KEY,
    json TEXT NOT NULL,
    form INTEGER NOT NULL,
    precision TEXT NOT NULL,
    certainty TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    pm INTEGER NOT NULL,
    key INTEGER NOT NULL
);
-- Found by a hash of its JSON, as a schedule by its text's: an index of the JSON itself
-- would be as big as the table.
CREATE INDEX IF NOT EXISTS shape_key ON shape (key);
CREATE TABLE IF NOT EXISTS place (
    id INTEGER PRIMARY KEY, json TEXT NOT NULL, city TEXT NOT NULL, hay TEXT NOT NULL,
    codes TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS place_json ON place (json);
CREATE TABLE IF NOT EXISTS list (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS list_json ON list (json);
{ACTIVITY_LINKS}{CORPUS_TABLE}-- Kept: each project's activities by window and parts, what
-- `projects` and `projects show` count (aggregates.kept_count); 232k rows for 1M activities.
CREATE TABLE IF NOT EXISTS project_span (
    project TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    parts INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (project, start, "end", parts)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS activity AS SELECT
    r.id AS id,
    '{{"id": "' || r.id || '", "projects": ' || {_of("list", "json", "projects")}
        || ', "title": ' || r.title || ', "modality": ' || coalesce(r.modality, 'null')
        || ', "place": ' || {_of("place", "json", "place")}
        || ', "schedule": {{"text": ' || {_of("schedule", "text", "schedule")}
        || {_of("shape", _EXPANDED, "shape")} || ', "status": "' || {_STATUS}
        || '", "extra": ' || coalesce(r.extra, '{{}}') || '}}' AS record,
    {_of("shape", _SORTED, "shape")} || {_CASEFOLD} || char(1) || r.id AS sort,
    r.start AS start,
    r."end" AS "end",
    r.parts AS parts,
    r.month AS month,
    {_of("shape", "precision", "shape")} AS precision,
    {_of("shape", "certainty", "shape")} AS certainty,
    {_of("shape", "deadline", "shape")} AS deadline,
    {_STATUS} AS status,
    {_of("place", "city", "place")} AS city,
    {_of("place", _HAYSTACK, "place")} AS haystack,
    1 AS version,
    r.hash AS hash,
    {_CASEFOLD} AS casefold
FROM activity_row r;
"""
"""What an activity shares is read by a subquery on its primary key for each column that
needs it, not joined: a query pays only for the columns it reads (a count or a tally of
projects reads none of them), and SQLite always goes from the activity to what it shares."""

CACHE_TABLES = (
    "activity_row",
    "schedule",
    "shape",
    "place",
    "list",
    "activity_project",
    "activity_country",
    "segment",
    "project_span",
    "meta",
    "problem",
    "corpus",
)
ROWS = ("activity_row", "activity_project", "activity_country", "segment")
"""The tables with rows of an activity's own (by its id)."""

_dumps = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False)

Shape = tuple[str, int, str, str, int, int]
"""What a schedule's JSON holds after its text, as the ``shape`` table keeps it: the JSON
(with tokens unless literal), its form (0: the month and days as tokens; 2: and the days
as EDTF writes a tentative one; 1: literal), precision, certainty, deadline, whether it
begins in an afternoon."""
Template = tuple[str, Shape]
"""A schedule as the cache keeps it: its text as JSON, and its shape."""
Where = tuple[str, str, str, str]
"""A place as the ``place`` table keeps it: its JSON, folded city, folded haystack and its
countries' codes (a JSON list, each once)."""
NOWHERE: Where = ("null", "", "", "[]")

Compact = tuple[tuple[Any, ...], list[tuple[int, int]]]
"""An activity made ready for :meth:`CacheWriter.insert`: its row (``activity_row``'s columns,
with the schedule as a :data:`Template`, the place as a :data:`Where` and the projects as
their JSON list instead of their numbers) and its day segments when it has several. Plain
tuples, so a worker process can make them and send them back; what they hold in common
is the same object, which a chunk sent back pickles once."""


def statement(index: str) -> str:
    """The statement of :data:`CACHE_SCHEMA` that makes this index."""
    return next(s for s in CACHE_SCHEMA.split(";\n") if f" {index} ON " in s).strip()


def create(connection: sqlite3.Connection, *, in_transaction: bool = False) -> None:
    """Create the tables, indexes and view in one transaction (see ``sql.create_schema``)."""
    statements = [s.strip() for s in CACHE_SCHEMA.split(";\n") if s.strip()]
    run_schema(connection, statements, CACHE_SCHEMA_VERSION, in_transaction=in_transaction)


def expand(template: str, form: int, month: str, start: str, end: str) -> str:
    """What the view makes of a shape's JSON (``_EXPANDED``), in Python."""
    if form == 1:
        return template
    text = template.replace("\\u0001M", month).replace("\\u0001S", start)
    text = text.replace("\\u0001E", end)
    if form == 2:
        text = text.replace("\\u0001s", f"{start[:8]}?{start[8:]}")
        text = text.replace("\\u0001e", f"{end[:8]}?{end[8:]}")
    return text


_EDTF = tuple(
    (form, _dumps(form)[1:-1])
    for form in ("\x01M-XX", "\x01S", "\x01S/\x01E", "../\x01E", "\x01s", "\x01s/\x01e", "../\x01e")
)
"""The forms of a one-part schedule's EDTF (dates.to_edtf) with its days as tokens, and as
JSON writes them."""


def template(schedule: Schedule) -> Template:
    """A schedule's text and shape: the JSON after its text with the month and days as
    tokens when putting them back gives that JSON exactly, else as it is (literal)."""
    from ..records import schedule_record  # a build's or a write's, never a query's

    record = schedule_record(schedule)
    text = encode_basestring(record["text"])
    after = len('{"text": ') + len(text)
    whole = _dumps(record)[after:]
    month, start, end = record["month"], record["start"], record["end"]
    segments = record["segments"]
    shaped = {**record, "month": "\x01M", "start": "\x01S", "end": "\x01E"}
    if len(segments) == 1 and (segments[0]["start"], segments[0]["end"]) == (start, end):
        shaped["segments"] = [{**segments[0], "start": "\x01S", "end": "\x01E"}]
    for edtf, escaped in _EDTF:
        if expand(escaped, 2, month, start, end) == record["edtf"]:
            shaped["edtf"] = edtf
            break
    json_ = _dumps(shaped)[after:]
    form = 2 if "\\u0001s" in json_ or "\\u0001e" in json_ else 0
    if expand(json_, form, month, start, end) != whole:
        json_, form = whole, 1  # never expected: kept whole rather than wrong
    first = schedule.segments[0] if schedule.segments else None
    shape = (
        json_,
        form,
        schedule.precision.value,
        schedule.certainty.value,
        int(schedule.deadline),
        int(first is not None and first.start_half is HalfDay.PM),
    )
    return text, shape


def signature(schedule: Schedule) -> tuple[Any, ...] | None:
    """What a schedule's :func:`template` depends on when it has at most one part: the same
    for two schedules gives them the same template, its month and days being tokens (a
    literal template is never shared). None for a schedule in parts."""
    segments = schedule.segments
    if len(segments) > 1:
        return None
    first = segments[0] if segments else None
    return (
        schedule.text,
        schedule.precision,
        schedule.certainty,
        schedule.deadline,
        schedule.year_inferred,
        None if first is None else (first.start_half, first.end_half, first.start == first.end),
        first is None or (first.start, first.end) == (schedule.start, schedule.end),
    )


def place_of(place: Place | None) -> Where:
    if place is None:
        return NOWHERE
    text = _dumps(
        {
            "text": place.text,
            "city": place.city,
            "countries": [{"code": c.code, "name": c.name} for c in place.countries],
        }
    )
    # query.haystack folds title and place joined by spaces; folding works a character at a
    # time and collapses spaces, so the place's part can be folded once.
    hay = fold(" ".join([place.text, place.city or "", *(c.name for c in place.countries)]))
    codes = _dumps(list(dict.fromkeys(c.code for c in place.countries)))
    return (text, fold(place.city or ""), hay, codes)


def titles(title: str) -> tuple[str, str | None, str | None]:
    """The title as JSON, its casefold when the view cannot make it from that with lower(),
    and its folded form when that is not the casefold."""
    text = encode_basestring(title)
    if title.isascii():
        # What fold() does to ASCII text: lower it and collapse its spaces.
        casefold = title.lower()
        folded = " ".join(casefold.split())
    else:
        casefold = title.casefold()
        folded = fold(title)
    inside = text[1:-1]
    cf = None if inside.isascii() and inside.lower() == casefold else casefold
    return text, cf, None if folded == casefold else folded


def compact(activity: Activity, hash_: bytes | None = None) -> Compact:
    """An activity (a tool write's, or a row read through the models) ready to insert."""
    schedule = activity.schedule
    segments = schedule.segments
    title, cf, folded = titles(activity.title)
    row = (
        activity.id,
        title,
        activity.status.value,
        schedule.month,
        schedule.start.toordinal(),
        schedule.end.toordinal(),
        len(segments),
        template(schedule),
        place_of(activity.place),
        _dumps(list(activity.projects)),
        hash_,
        cf,
        folded,
        None if activity.modality is None else encode_basestring(activity.modality),
        _dumps(dict(activity.extra)) if activity.extra else None,
    )
    parts = [(s.start.toordinal(), s.end.toordinal()) for s in segments]
    return (row, parts if len(parts) > 1 else [])


def _key(text: str) -> int:
    """What a schedule's text or a shape is looked up by: a hash of it, in 64 bits."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class CacheWriter:
    """Inserts prepared activities, giving each schedule, shape, place and list of projects
    its number once.

    ``fresh``: the tables were emptied in this transaction, so what it has numbered is all
    there is: nothing is looked up, and the project and country rows are made by
    :meth:`link` in one statement at the end (from the lists and places), not row by row."""

    def __init__(self, connection: sqlite3.Connection, *, fresh: bool = False) -> None:
        self.connection = connection
        self.fresh = fresh
        self.schedules: dict[str, int] = {}
        self.shapes: dict[tuple[str, int], int] = {}
        self.places: dict[str, tuple[int, tuple[str, ...]]] = {}
        self.lists: dict[str, tuple[int, tuple[str, ...]]] = {}
        self.new: dict[str, list[tuple[Any, ...]]] = {}  # fresh: numbered, to insert
        self.numbered: dict[str, int] = {}
        self.numbers: dict[int, tuple[Template, tuple[int, int]]] = {}
        from .cachecorpus import CorpusTally  # a write's: a query needs none of it

        self.tally = CorpusTally()  # the rows inserted, counted into the kept corpus counts

    def _number(self, table: str, where: str, key: tuple[Any, ...], values: tuple[Any, ...]) -> int:
        if self.fresh:
            self.numbered[table] = number = self.numbered.get(table, 0) + 1
            self.new.setdefault(table, []).append((number, *values))
            return number
        connection = self.connection
        row = connection.execute(f"SELECT id FROM {table} WHERE {where}", key).fetchone()
        if row is not None:
            return int(row[0])
        marks = ", ".join("?" * len(values))
        made = connection.execute(f"INSERT INTO {table} VALUES (NULL, {marks})", values).lastrowid
        assert made is not None
        return made

    def template(self, when: Template) -> tuple[int, int]:
        """The numbers of a schedule's text and of its shape."""
        known = self.numbers.get(id(when))  # the rows of a build share template objects
        if known is not None:
            return known[1]
        text, shape = when
        its = self.shapes.get((shape[0], shape[1]))
        if its is None:
            key = (_key(f"{shape[1]}{shape[0]}"), shape[0], shape[1])
            found = "key = ? AND json = ? AND form = ?"
            its = self._number("shape", found, key, (*shape, key[0]))
            self.shapes[(shape[0], shape[1])] = its
        number = self.schedules.get(text)
        if number is None:
            row = (_key(text), text)
            number = self._number("schedule", "key = ? AND text = ?", row, row)
            self.schedules[text] = number
        self.numbers[id(when)] = (when, (number, its))  # kept alive: its id stays its own
        return number, its

    def place(self, place: Where) -> tuple[int, tuple[str, ...]]:
        """The number of a place, and its countries' codes."""
        at = self.places.get(place[0])
        if at is None:
            number = self._number("place", "json = ?", place[:1], place)
            at = self.places[place[0]] = (number, tuple(json.loads(place[3])))
        return at

    def listed(self, listed: str) -> tuple[int, tuple[str, ...]]:
        """The number of a list of projects (as JSON), and its names."""
        of = self.lists.get(listed)
        if of is None:
            number = self._number("list", "json = ?", (listed,), (listed,))
            of = self.lists[listed] = (number, tuple(json.loads(listed)))
        return of

    def flush(self) -> None:
        """Insert what was numbered ``fresh`` and not yet inserted."""
        for table, made in self.new.items():
            marks = ", ".join("?" * len(made[0]))
            self.connection.executemany(f"INSERT INTO {table} VALUES ({marks})", made)
        self.new.clear()

    def insert(self, items: Iterable[Compact]) -> int:
        """Insert them; returns the longest window among them, in days."""
        places, lists, fresh = self.places, self.lists, self.fresh
        rows: list[tuple[Any, ...]] = []
        projects: list[tuple[str, str]] = []
        countries: list[tuple[str, str]] = []
        segments: list[tuple[str, int, int]] = []
        spans: Counter[tuple[str, int, int, int]] = Counter()
        span = 0
        for row, its_segments in items:
            ident, place, listed = row[0], row[8], row[9]
            at = places.get(place[0]) or self.place(place)
            of = lists.get(listed) or self.listed(listed)
            numbers = self.template(row[7])
            rows.append((*row[:2], STATUSES[row[2]], *row[3:7], *numbers, at[0], of[0], *row[10:]))
            if not fresh:
                projects += [(ident, p) for p in of[1]]
                countries += [(ident, c) for c in at[1]]
                self.tally.count(row[1], place[1], at[1])
                spans.update((p, row[4], row[5], row[6]) for p in of[1])
            if its_segments:
                segments += [(ident, s, e) for s, e in its_segments]
            span = max(span, row[5] - row[4])
        connection = self.connection
        self.flush()
        connection.executemany(f"INSERT INTO activity_row VALUES ({', '.join('?' * 16)})", rows)
        connection.executemany("INSERT INTO activity_project VALUES (?, ?)", projects)
        connection.executemany("INSERT INTO activity_country VALUES (?, ?)", countries)
        connection.executemany("INSERT INTO segment VALUES (?, ?, ?)", segments)
        if not fresh:
            self.tally.write(connection)
        _count_spans(connection, spans)
        return span

    def link(self) -> None:
        """Make the project and country rows of the activities inserted ``fresh``, and
        insert row by row from then on."""
        if not self.fresh:
            return
        connection = self.connection
        for table, name, shared in (
            ("activity_project", "project", "list l ON l.id = r.projects, json_each(l.json)"),
            ("activity_country", "code", "place p ON p.id = r.place, json_each(p.codes)"),
        ):
            # Sorted in a table of their own first, then copied whole: SQLite copies a table
            # into an empty one of the same shape page by page, full, where rows inserted
            # even in order leave its pages a sixth empty.
            connection.execute("DROP TABLE IF EXISTS temp.links")
            connection.execute(
                f"CREATE TEMP TABLE links (id TEXT NOT NULL, {name} TEXT NOT NULL, "
                f"PRIMARY KEY (id, {name})) WITHOUT ROWID"
            )
            connection.execute(
                "INSERT INTO temp.links SELECT r.id, j.value FROM activity_row r "
                f"JOIN {shared} j ORDER BY 1, 2"
            )
            connection.execute(f"INSERT INTO {table} SELECT * FROM temp.links")
            connection.execute("DROP TABLE temp.links")
        from .cachecorpus import count_all

        count_all(connection)
        self.fresh = False


SPANS_FROM = 20_000
"""Activities from which the cache keeps ``project_span``: below, a project's activities
are counted from their rows about as fast, and the table would take a tenth of the cache."""


def kept_spans(connection: sqlite3.Connection) -> bool:
    """Whether the cache keeps ``project_span`` (for a store of :data:`SPANS_FROM`
    activities or more)."""
    return connection.execute("SELECT 1 FROM meta WHERE key = 'spans'").fetchone() is not None


def keep_spans(connection: sqlite3.Connection) -> None:
    """Fill ``project_span`` once the store has :data:`SPANS_FROM` activities (after a
    build, a refresh or a write that brings it there), to keep it from then on."""
    if kept_spans(connection):
        return
    [(count,)] = connection.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM activity_row LIMIT {SPANS_FROM})"
    )
    if count < SPANS_FROM:
        return
    # Grouped by list of projects first: a pass over the rows in C, no join per row.
    connection.execute(
        'INSERT INTO project_span SELECT j.value, g.start, g."end", g.parts, sum(g.n) '
        'FROM (SELECT projects, start, "end", parts, count(*) AS n FROM activity_row '
        "GROUP BY 1, 2, 3, 4) g JOIN list l ON l.id = g.projects, json_each(l.json) j "
        "GROUP BY 1, 2, 3, 4"
    )
    connection.execute("INSERT INTO meta VALUES ('spans', '1')")


def _count_spans(connection: sqlite3.Connection, spans: Counter[tuple[str, int, int, int]]) -> None:
    """Add ``spans`` (a count by project, window and parts; negative to take activities
    away) to ``project_span`` where the cache keeps it, leaving out the windows none has
    any more."""
    if not spans or not kept_spans(connection):
        return
    connection.executemany(
        "INSERT INTO project_span VALUES (?, ?, ?, ?, ?) "
        'ON CONFLICT (project, start, "end", parts) DO UPDATE SET n = n + excluded.n',
        [(*key, n) for key, n in spans.items() if n],
    )
    connection.executemany(
        'DELETE FROM project_span WHERE project = ? AND start = ? AND "end" = ? AND parts = ? '
        "AND n <= 0",
        [key for key, n in spans.items() if n < 0],
    )


def remove(connection: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Remove activities (what they shared stays: a build starts it afresh)."""
    from .cachecorpus import count_out

    count_out(connection, ids)
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        if kept_spans(connection):
            gone = connection.execute(
                'SELECT k.project, r.start, r."end", r.parts, count(*) FROM activity_project k '
                f"JOIN activity_row r ON r.id = k.id WHERE k.id IN ({marks}) GROUP BY 1, 2, 3, 4",
                chunk,
            )
            _count_spans(connection, Counter({(p, s, e, n): -c for p, s, e, n, c in gone}))
        for table in ROWS:
            connection.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
