"""The cache build reads each row as ``records.from_row`` does, row by row: the same
activities (as the cache keeps them: record, sort string, filter columns, project, country
and segment rows) and the same refusals, word for word, however the rows share their dates,
places and projects (what the build works out once)."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from bench.generate import write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.errors import ParseError
from inventory.projects import load_registry
from inventory.records import from_row
from inventory.sanitise import unneutralise
from inventory.store import cachebuild, cacheschema, open_store, sql
from inventory.store.cache import Cache, cache_path
from inventory.store.cacherows import RowReader
from inventory.titlewords import corpus_counts
from inventory.vocab import COLUMNS

REGISTRY = load_registry()
NAMES = [*COLUMNS, "notes", "budget"]
READER = RowReader(NAMES, REGISTRY)
"""One reader for every example: what it has worked out for earlier rows must not change
what it reads of later ones."""


def one_by_one(cells: list[str], names: list[str] = NAMES) -> Any:
    """What the cache kept before it shared work between rows: ``from_row`` on each row."""
    row = dict(zip(names, (unneutralise(c) for c in cells), strict=False))
    try:
        return cacheschema.compact(from_row(row, REGISTRY), b"h")
    except ParseError as error:
        return ("refused", error.message, error.field)


def through_the_build(cells: list[str], reader: RowReader = READER) -> Any:
    try:
        return reader.prepare(cells, b"h")
    except ParseError as error:
        return ("refused", error.message, error.field)


DATES = st.sampled_from(
    [
        "1-2 October",
        "1-2 October 2019",
        "30 December - 2 January",
        "21 – 22 and 28 - 29 October",
        "16 (PM) - 20 (AM) March",
        "16 (AM) March",
        "by 30 November",
        "d'ici le 31 janvier",
        "avant le 3 mars",
        "March 2020 (dates TBD)",
        "dates TBD",
        "dates TBC",
        "22-23 January (dates TBC)",
        "October",
        "31 February",
        "0 March",
        "3-1 March",
        "du 4 au 6 mars",
        "1er avril",
        "",
        "  7 October ",
        "somewhen",
        "1-2 October.",
    ]
)
MONTHS = st.sampled_from(
    ["2019-10", "2019-12", "2020-01", "2020-03", "", "2019-13", "Oct", "2019-1"]
)
TEXT = st.lists(
    st.sampled_from([*"aZé ,;'=+-@\t\n\x07’Łø/", "  ", "GLACY+", "Octopus", "Ǆ", "ﬁ", "e\u0301"]),
    max_size=8,
).map("".join)
CELLS = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["38z0m643", "abcd", "ab", "ABCD1234", "", " 9xyz1234 "]),
        "projects": st.one_of(
            st.sampled_from(["GLACY+", "glacy +; Octopus", "CyberSouth;", "; ;", "Unknown One"]),
            TEXT,
        ),
        "title": st.one_of(st.sampled_from(["Workshop on cybercrime", "", "  x  "]), TEXT),
        "modality": st.one_of(st.just(""), TEXT),
        "city": st.one_of(st.sampled_from(["", "Lyon", "Tromsø", "'=Nice"]), TEXT),
        "countries": st.sampled_from(["", "FR", "fr; DE", "FR;FR", "XK", "ZZ", "FRA", ";"]),
        "location": st.one_of(
            st.sampled_from(["", "LYON, FRANCE", "Portugal / Netherlands"]), TEXT
        ),
        "dates": DATES,
        "month": MONTHS,
        "status": st.sampled_from(["", "planned", "held", "cancelled", "Held", "done"]),
        "notes": st.one_of(st.just(""), TEXT),
        "budget": st.one_of(st.just(""), TEXT),
    }
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(cells=CELLS, width=st.integers(min_value=8, max_value=len(NAMES)))
def test_a_row_reads_as_from_row_reads_it_alone(cells: dict[str, str], width: int) -> None:
    row = [cells.get(name, "") for name in NAMES][:width]  # a short row lacks its last cells
    assert through_the_build(row) == one_by_one(row)


def test_a_refused_date_is_refused_again_the_same_way_on_a_later_row() -> None:
    reader = RowReader(NAMES, REGISTRY)
    row = ["38z0m643", "GLACY+", "A workshop", "", "", "FR", "", "31 February", "2020-02"]
    first = through_the_build(row, reader)
    assert first == (
        "refused",
        "cannot read date '31 February': February 2020 has 29 days",
        "dates",
    )
    assert through_the_build(row, reader) == first


def test_an_alias_is_kept_under_its_projects_name_and_a_shared_place_once_per_row() -> None:
    reader = RowReader(NAMES, REGISTRY)
    one = reader.prepare(
        ["38z0m643", "Octopus", "A", "", "Lyon", "FR; FR", "", "1-2 October", "2019-10"], b"1"
    )
    two = reader.prepare(
        ["a1b2c3d4", "octopus", "B", "", "Lyon", "FR; FR", "", "1-2 October", "2019-10"], b"2"
    )
    assert one[0][9] == two[0][9] == '["Cybercrime@Octopus"]'
    assert one[0][8][3] == two[0][8][3] == '["FR"]'  # the place's countries, each once
    assert (
        '"countries": [{"code": "FR", "name": "France"}, {"code": "FR", "name": "France"}]'
        in two[0][8][0]
    )


KEPT_TABLES = ("corpus", "project_span")
"""What the cache keeps counted of all its activities, however its rows came in."""


def _kept(store: Path) -> tuple[list[Any], ...]:
    connection = sqlite3.connect(cache_path(store))
    try:
        return tuple(sorted(connection.execute(f"SELECT * FROM {table}")) for table in KEPT_TABLES)
    finally:
        connection.close()


def _cached(store: Path) -> dict[str, tuple[Any, ...]]:
    cache = Cache(store, load_registry)
    try:
        cache.ensure_current()
        connection = cache.connection
        rows: dict[str, Any] = {}
        for row in connection.execute("SELECT * FROM activity"):
            ident = row[0]
            rows[ident] = (
                row[:14],
                sorted(
                    connection.execute(
                        "SELECT id, project FROM activity_project WHERE id = ?", (ident,)
                    )
                ),
                sorted(
                    connection.execute(
                        "SELECT id, code FROM activity_country WHERE id = ?", (ident,)
                    )
                ),
                sorted(
                    connection.execute(
                        'SELECT id, start, "end" FROM segment WHERE id = ?', (ident,)
                    )
                ),
            )
        return rows
    finally:
        cache.close()


def _expected(store: Path) -> dict[str, tuple[Any, ...]]:
    reader = csv.reader(io.StringIO(store.read_text(encoding="utf-8-sig"), newline=""))
    names = [unneutralise(n.strip()) for n in next(reader)]
    out: dict[str, Any] = {}
    for cells in reader:
        # As the SQLite store keeps the same activity: the cache's view must give its
        # columns exactly.
        activity = from_row(dict(zip(names, map(unneutralise, cells), strict=False)), REGISTRY)
        row, projects, countries, segments, _ = sql.prepare(activity, 1, b"h")
        out[row[0]] = (row[:14], sorted(projects), sorted(countries), sorted(segments))
    return out


def test_a_generated_store_is_cached_as_from_row_reads_each_row(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    write(store, 3000, seed=11)
    assert _cached(store) == _expected(store)


def test_the_bundled_store_is_cached_as_from_row_reads_each_row(store_copy: Path) -> None:
    expected = _expected(store_copy)
    assert len(expected) > 50
    assert _cached(store_copy) == expected


def test_the_cache_keeps_each_rows_hash(store_copy: Path) -> None:
    lines = store_copy.read_text(encoding="utf-8").splitlines(keepends=True)[1:]
    hashes = {hashlib.blake2b(line.encode(), digest_size=16).digest() for line in lines}
    cache = Cache(store_copy, load_registry)
    try:
        cache.ensure_current()
        kept = {h for (h,) in cache.connection.execute("SELECT hash FROM activity")}
    finally:
        cache.close()
    assert kept == hashes


def test_a_cache_file_is_an_ordinary_sqlite_database(store_copy: Path) -> None:
    Cache(store_copy, load_registry).ensure_current()
    cache_file = store_copy.with_name(f".{store_copy.name}.cache.sqlite3")
    connection = sqlite3.connect(cache_file)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def _with_duplicates(store: Path) -> tuple[list[str], list[tuple[int, str, str]]]:
    """A generated store with ids read twice, and the problems one process reports: the
    same id far down with another title (the same dates: one worker reads both), a row
    again byte for byte, and an id again with other dates in parts (another worker's)."""
    write(store, 3000, seed=5)
    lines = store.read_text(encoding="utf-8").splitlines(keepends=True)
    names = next(csv.reader([lines[0]]))
    twin = next(csv.reader([lines[5]]))
    twin[names.index("title")] = "Another title"
    parted = next(csv.reader([lines[20]]))
    parted[names.index("dates")], parted[names.index("month")] = "3-4 and 8 May 2021", ""
    added = io.StringIO()
    csv.writer(added, lineterminator="\n").writerows([twin])
    copied = io.StringIO()
    csv.writer(copied, lineterminator="\n").writerows([parted])
    store.write_text(
        "".join([*lines, added.getvalue(), lines[9], copied.getvalue()]), encoding="utf-8"
    )
    end = len(lines)
    return lines, [
        (end + 1, "id", f"duplicate id {twin[0]!r}, first used on line 6"),
        (end + 2, "id", f"duplicate id {next(csv.reader([lines[9]]))[0]!r}, first used on line 10"),
        (end + 3, "id", f"duplicate id {parted[0]!r}, first used on line 21"),
    ]


def _build(store: Path) -> tuple[dict[str, tuple[Any, ...]], list[tuple[Any, ...]]]:
    cache_path(store).unlink(missing_ok=True)
    cache = Cache(store, load_registry)
    try:
        cache.ensure_current()
        problems = [(p.line, p.field, p.message) for p in cache.problems()]
    finally:
        cache.close()
    return _cached(store), problems


def test_workers_find_the_same_activities_and_duplicates_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "activities.csv"
    _, expected = _with_duplicates(store)
    monkeypatch.setattr(cacheschema, "SPANS_FROM", 1)
    alone = _build(store)
    assert alone[1] == expected
    merged: list[int] = []
    merge = cachebuild.Parsers.merge

    def counted(self: cachebuild.Parsers) -> int:
        merged.append(len(self.shards))
        return merge(self)

    kept = _kept(store)
    assert kept[1]  # project_span, kept from the first activity here
    monkeypatch.setattr(cachebuild.Parsers, "BIG", 0)
    monkeypatch.setattr(cachebuild.Parsers, "merge", counted)
    assert _build(store) == alone
    assert merged == [min(os.cpu_count() or 1, 4)]  # the workers wrote shards, merged once
    assert _kept(store) == kept
    with open_store(str(store)) as opened:
        assert opened.corpus_counts() == corpus_counts(opened.select().activities)


@pytest.mark.parametrize("failing", ["__init__", "store"])
def test_a_worker_that_cannot_write_its_shard_leaves_the_build_to_send_rows_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    store = tmp_path / "activities.csv"
    _, expected = _with_duplicates(store)
    alone = _build(store)

    def full(self: object, *args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    merged: list[int] = []
    merge = cachebuild.Parsers.merge
    monkeypatch.setattr(cachebuild.Parsers, "BIG", 0)
    monkeypatch.setattr(cachebuild.Parsers, "merge", lambda self: merged.append(1) or merge(self))
    monkeypatch.setattr(cachebuild._Shard, failing, full)
    assert _build(store) == alone
    assert alone[1] == expected
    assert merged == []  # built again without shards


def _read_whole_or_in_pieces(data: bytes, *, pieces: bool) -> Any:
    from inventory.errors import StoreError
    from inventory.store import csvdoc
    from inventory.textio import decode

    try:
        if pieces:
            header, rows = csvdoc.read_data_rows(data, "s.csv")
        else:
            header, rows = csvdoc.read_rows(decode(data, "s.csv"), "s.csv")
        return header, [(r.line, r.cells, r.raw, r.problem, r.hash) for r in rows]
    except StoreError as error:
        return str(error)


CELL = st.text(alphabet=st.sampled_from(["a", "é", "–", '"', ",", "\n", "\r", " ", "\x00"]))


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(CELL, min_size=1, max_size=4), max_size=12),
    header=st.sampled_from(["id,title,dates", "\ufeffid,title,dates", "id,title", "id;title;x"]),
    end=st.sampled_from(["\n", "\r\n", "\r"]),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    piece=st.integers(min_value=1, max_value=40),
)
def test_a_big_store_read_a_piece_at_a_time_reads_as_its_whole_text(
    rows: list[list[str]], header: str, end: str, cut: int | None, piece: int
) -> None:
    from inventory.store import csvdoc

    out = io.StringIO()
    csv.writer(out, lineterminator=end).writerows(rows)
    data = (header + end + out.getvalue()).encode()
    if cut is not None and cut < len(data):
        data = data[:cut] + b"\xff" + data[cut:]  # a byte no UTF-8 text holds
    whole = _read_whole_or_in_pieces(data, pieces=False)
    original = csvdoc.DECODED
    csvdoc.DECODED = piece  # pieces of a few bytes: every row straddles some
    try:
        assert _read_whole_or_in_pieces(data, pieces=True) == whole
    finally:
        csvdoc.DECODED = original


def test_a_build_leaves_no_shards_and_removes_those_of_a_killed_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys
    import tempfile

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    killed = temporary / f"inventory-cache-{gone}-x1"
    (killed).mkdir()
    (killed / "shard0.sqlite3").write_bytes(b"left by a build killed with -9")
    running = temporary / f"inventory-cache-{os.getpid()}-x2"  # a build going on
    running.mkdir()
    store = tmp_path / "activities.csv"
    write(store, 300, seed=3)
    monkeypatch.setattr(cachebuild.Parsers, "BIG", 0)
    built = _build(store)
    assert sorted(p.name for p in temporary.iterdir()) == [running.name]
    assert len(built[0]) == 300
