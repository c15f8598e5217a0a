"""A write to a SQLite store costs the rows it writes: an import of N rows issues a bounded
number of statements a row (counted with sqlite3's trace callback, not timed), reads each
part's versions at once, and writes each record's JSON once for its row and its history."""

from __future__ import annotations

import gc
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from inventory.changes import Author
from inventory.importing import import_into
from inventory.months import month_bounds
from inventory.readers import open_source
from inventory.store import open_store, sql
from inventory.store import sqlite as sqlite_store
from inventory.store.sqlite import SqliteStore
from tests.helpers import BUNDLED_STORE

HEADER = "id,projects,title,dates,location\n"


def generated(path: Path, rows: int) -> Path:
    """``rows`` activities, each with its own id, one project and one country."""
    lines = [
        f'a{n:05d},GLACY+,Workshop number {n},{n % 28 + 1} May 2019,"Accra, Ghana"\n'
        for n in range(rows)
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


@contextmanager
def traced(store: SqliteStore) -> Iterator[list[str]]:
    seen: list[str] = []
    store.connection.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        store.connection.set_trace_callback(None)


def imported(tmp_path: Path, rows: int, chunk: int) -> tuple[Path, list[str]]:
    db = tmp_path / f"{rows}.db"
    source = open_source(str(generated(tmp_path / f"{rows}.csv", rows)))
    with open_store(str(db), create=True) as store:
        assert isinstance(store, SqliteStore)
        with traced(store) as seen:
            outcome = import_into(store, source, chunk=chunk)
    assert outcome.summary() == f"added {rows}, updated 0, unchanged 0, ambiguous 0"
    return db, seen


def test_an_import_issues_a_bounded_number_of_statements_a_row(tmp_path: Path) -> None:
    # Per row: two lookups of its id (is it taken, as the plan and as the batch sees it),
    # and one insert each into activity, activity_project, activity_country and the
    # history; then a few statements a part (of 30 rows here), and a few an import.
    per_row, per_part = 6, 5
    _, small = imported(tmp_path, 90, 30)
    _, large = imported(tmp_path, 180, 30)
    assert len(small) <= per_row * 90 + per_part * 3 + 30
    # The next 90 rows (three parts more) cost what the first 90 did.
    assert len(large) - len(small) <= per_row * 90 + per_part * 3
    by_id = [s for s in large if re.search(r"WHERE id (=|IN \('[^']*'\))", s)]
    assert len(by_id) <= 2 * 180


def test_each_part_of_an_import_reads_its_versions_in_one_statement(tmp_path: Path) -> None:
    _, seen = imported(tmp_path, 90, 30)
    versions = [s for s in seen if "version FROM activity" in s]
    assert len(versions) == 3
    assert all("WHERE id IN (" in s for s in versions)
    inserts = [s for s in seen if s.startswith("INSERT INTO activity ")]
    assert len(inserts) == 90


def test_an_imported_row_and_its_history_hold_the_same_record(tmp_path: Path) -> None:
    db, _ = imported(tmp_path, 45, 20)
    connection = sqlite3.connect(db)
    try:
        pairs = connection.execute(
            "SELECT a.record, e.after, e.before FROM activity a JOIN change_edit e USING (id)"
        ).fetchall()
    finally:
        connection.close()
    assert len(pairs) == 45
    assert all(record == after and before is None for record, after, before in pairs)
    with open_store(str(db)) as store:
        [change] = store.history()
        assert len(change.edits) == 45
        assert change.edits[0].after is not None
        assert change.edits[0].after["title"] == "Workshop number 0"


def test_an_edit_after_an_import_raises_the_version_by_one(tmp_path: Path) -> None:
    db, _ = imported(tmp_path, 12, 5)
    with open_store(str(db)) as store, store.transaction(Author(command="edit")) as batch:
        batch.update(batch.get("a00003").model_copy(update={"title": "Workshop renamed"}))
    connection = sqlite3.connect(db)
    try:
        versions = dict(connection.execute("SELECT id, version FROM activity"))
        titles = [r[0] for r in connection.execute("SELECT record FROM activity")]
    finally:
        connection.close()
    assert versions["a00003"] == 2
    assert {v for i, v in versions.items() if i != "a00003"} == {1}
    assert sum('"title": "Workshop renamed"' in t for t in titles) == 1


def test_the_project_names_are_those_the_activities_use(tmp_path: Path) -> None:
    db = tmp_path / "bundled.db"
    with open_store(str(BUNDLED_STORE)) as bundled:
        activities = bundled.select()
    with open_store(str(db), create=True) as store, store.transaction() as batch:
        for activity in activities:
            batch.add(activity)
    used = {name for a in activities for name in a.projects}
    # As the fixture's projects column names them (read by hand).
    assert used == {"CyberEast", "CyberSouth", "Cybercrime@Octopus", "EndOCSEA@Europe",
                    "GLACY+", "T-CY", "iPROCEEDS"}  # fmt: skip
    connection = sqlite3.connect(db)
    try:
        assert sql.project_names(connection) == used
        connection.execute("DELETE FROM activity_project")
        assert sql.project_names(connection) == set()
    finally:
        connection.close()


def test_a_query_after_a_write_finds_the_project_names_kept_and_writes_nothing(
    tmp_path: Path,
) -> None:
    db, _ = imported(tmp_path, 5, 5)
    with open_store(str(db)) as store:
        assert isinstance(store, SqliteStore)
        with traced(store) as seen:
            lookup = store.project_lookup()
    assert lookup is not None
    assert lookup["glacy+"] == "GLACY+"
    assert not [s for s in seen if not s.startswith(("SELECT", "PRAGMA"))]


def test_an_import_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    # It is paused during an import (and swept once a chunk): on after, on or not.
    assert gc.isenabled()
    imported(tmp_path, 12, 5)
    assert gc.isenabled()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "b1,GLACY+,Workshop,32 May 2019,Ghana\n", encoding="utf-8")
    with open_store(str(tmp_path / "bad.db"), create=True) as store:
        assert import_into(store, open_source(str(bad))).failed
    assert gc.isenabled()
    gc.disable()
    try:
        imported(tmp_path, 13, 5)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_month_ends_on_its_last_day() -> None:
    assert month_bounds("2020-02") == (date(2020, 2, 1), date(2020, 2, 29))
    assert month_bounds("2019-02")[1] == date(2019, 2, 28)
    assert month_bounds("2000-02")[1] == date(2000, 2, 29)
    assert month_bounds("1900-02")[1] == date(1900, 2, 28)
    assert month_bounds("2019-04")[1] == date(2019, 4, 30)
    assert month_bounds("2019-12")[1] == date(2019, 12, 31)


def test_a_write_rewrites_the_project_names_only_when_they_change(tmp_path: Path) -> None:
    db, _ = imported(tmp_path, 5, 5)
    with open_store(str(db)) as store:
        assert isinstance(store, SqliteStore)
        first = store.get("a00001")
        with traced(store) as same, store.transaction(Author(command="edit")) as batch:
            batch.update(first.model_copy(update={"title": "Workshop renamed"}))
        with traced(store) as more, store.transaction(Author(command="edit")) as batch:
            batch.update(first.model_copy(update={"projects": ("GLACY+", "Brand New")}))
        lookup = store.project_lookup()
    meta = "INSERT INTO meta (key, value) VALUES ('projects'"
    assert not [s for s in same if s.startswith(meta)]
    assert len([s for s in more if s.startswith(meta)]) == 1
    assert lookup is not None
    assert lookup["brandnew"] == "Brand New"


def test_only_a_large_write_gets_a_larger_page_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "LARGE_WRITE", 20)
    _, seen = imported(tmp_path, 50, 25)
    pragmas = [s for s in seen if s.startswith("PRAGMA cache_size")]
    assert pragmas == [f"PRAGMA cache_size = -{sqlite_store.LARGE_WRITE_CACHE_KB}"] * 2
    _, small = imported(tmp_path, 19, 25)
    assert not [s for s in small if s.startswith("PRAGMA cache_size")]
