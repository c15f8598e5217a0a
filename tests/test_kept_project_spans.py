"""The CSV store's cache keeps each project's activities counted by window and parts
(``project_span``, read by ``projects`` and ``projects show``) from
``cacheschema.SPANS_FROM`` activities: after a build, a tool's add, edit, cancel and
remove and a hand edit of the file, it holds exactly what the activities it describes add
up to, with no window left at zero; a smaller store's cache keeps none until a write
brings the store there."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from bench.generate import write as generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.store import cacheschema, open_store
from tests.helpers import BUNDLED_STORE, run


@pytest.fixture(autouse=True)
def _kept_from_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # The stores here are small: kept from the first activity, as a big store's are.
    monkeypatch.setattr(cacheschema, "SPANS_FROM", 1)


_RECOUNTED = (
    'SELECT k.project, r.start, r."end", r.parts, count(*) FROM activity_project k '
    "JOIN activity_row r ON r.id = k.id GROUP BY 1, 2, 3, 4"
)


def _cache(store: Path) -> Path:
    return store.with_name(f".{store.name}.cache.sqlite3")


def _kept_and_recounted(store: Path) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    with open_store(str(store)) as opened:
        opened.count()  # brings the cache up to date with the file
    connection = sqlite3.connect(_cache(store))
    try:
        kept = set(connection.execute("SELECT * FROM project_span"))
        recounted = set(connection.execute(_RECOUNTED))
    finally:
        connection.close()
    return kept, recounted


def _agree(store: Path) -> set[tuple[object, ...]]:
    kept, recounted = _kept_and_recounted(store)
    assert kept == recounted
    assert all(row[-1] > 0 for row in kept)
    return kept


def _total(kept: set[tuple[object, ...]], project: str) -> int:
    return sum(int(str(row[-1])) for row in kept if row[0] == project)


def test_a_built_cache_counts_each_project_as_its_activities(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, store)
    kept = _agree(store)
    # The newsletter lists 62 GLACY+ activities and 4 of T-CY (tests/test_projects*.py).
    assert _total(kept, "GLACY+") == 62
    assert _total(kept, "T-CY") == 4


def test_the_counts_follow_the_tool_s_writes_and_a_hand_edit(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, store)
    before = _total(_agree(store), "GLACY+")
    added = run(
        "add", "-p", "GLACY+", "-p", "T-CY", "-t", "Workshop on evidence",
        "-d", "3-5 May 2020", "-l", "Strasbourg, France", "--json", store=store,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    ident = added.stdout.split('"id": "')[1][:8]
    kept = _agree(store)
    assert (_total(kept, "GLACY+"), _total(kept, "T-CY")) == (before + 1, 5)
    may = ("T-CY", date(2020, 5, 3).toordinal(), date(2020, 5, 5).toordinal(), 1, 1)
    assert may in kept
    moved = run("edit", ident, "-d", "10-12 June 2020", store=store)
    assert moved.exit_code == 0, moved.stderr
    kept = _agree(store)
    assert may not in kept  # counted down to none: gone
    assert run("cancel", ident, "--force", store=store).exit_code == 0
    assert _total(_agree(store), "GLACY+") == before + 1  # a cancelled one still counts
    assert run("remove", ident, "--yes", store=store).exit_code == 0
    assert _total(_agree(store), "T-CY") == 4
    # By hand: one GLACY+ activity becomes CyberEast's.
    text = store.read_text(encoding="utf-8")
    line = next(li for li in text.splitlines() if ",GLACY+," in li)
    store.write_text(text.replace(line, line.replace(",GLACY+,", ",CyberEast,")), "utf-8")
    assert _total(_agree(store), "GLACY+") == before - 1


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), drop=st.integers(1, 40))
def test_the_counts_of_a_generated_store_survive_a_hand_edit_of_many_rows(
    tmp_path_factory: object, seed: int, drop: int
) -> None:
    folder = Path(tmp_path_factory.mktemp("spans"))
    store = folder / "g.csv"
    generate(store, 600, seed=seed)
    _agree(store)
    lines = store.read_text(encoding="utf-8").splitlines(keepends=True)
    head, rows = lines[0], lines[1:]
    # Rows removed and others doubled under new ids, by hand.
    kept_rows = rows[drop:]
    copies = [r.replace(r[:8], f"{n:08d}"[-8:], 1) for n, r in enumerate(rows[:drop])]
    store.write_text(head + "".join(kept_rows + copies), encoding="utf-8")
    _agree(store)


def test_a_small_store_keeps_no_spans_until_a_write_makes_it_big_enough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, store)
    monkeypatch.setattr(cacheschema, "SPANS_FROM", 134)  # the bundled store has 132
    assert _kept_and_recounted(store)[0] == set()
    for title in ("Workshop on evidence", "Training on evidence"):
        added = run(
            "add", "-p", "T-CY", "-t", title, "-d", "3-5 May 2020", "-l", "Strasbourg, France",
            store=store,
        )  # fmt: skip
        assert added.exit_code == 0, added.stderr
    # The 134th activity brought the store there: kept from then on, whole.
    assert _total(_agree(store), "T-CY") == 6
