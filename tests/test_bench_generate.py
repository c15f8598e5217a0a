"""The benchmark's synthetic stores: the real schema, rows the normal loader accepts, and
fuzzy dates in about the newsletter's proportions."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from bench.generate import PROJECT_WEIGHTS, write

from inventory.model import Activity, Certainty, Precision
from inventory.projects import load_registry
from inventory.records import to_row as activity_to_row
from inventory.vocab import COLUMNS
from tests.helpers import load

ROWS = 10_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "10k.csv"
    write(path, ROWS, seed=7)
    return path


@pytest.fixture(scope="module")
def activities(generated: Path) -> list[Activity]:
    store = load(generated)
    assert store.problems == []
    return store.activities


@pytest.mark.slow
def test_every_row_loads(activities: list[Activity]) -> None:
    assert len(activities) == ROWS


def test_schema_and_ids(generated: Path) -> None:
    with generated.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == COLUMNS
    ids = [row[0] for row in rows[1:]]
    assert len(set(ids)) == ROWS
    assert all(re.fullmatch(r"[0-9a-hjkmnp-tv-z]{8}", i) for i in ids)  # Crockford base32


def test_derived_columns_are_what_the_tool_writes(
    generated: Path, activities: list[Activity]
) -> None:
    with generated.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {a.id: a for a in activities}
    assert len(by_id) == len(rows)
    for row in rows:
        written = activity_to_row(by_id[row["id"]])
        assert {c: row[c] for c in COLUMNS} == {c: written[c] for c in COLUMNS}


def test_proportions(activities: list[Activity]) -> None:
    share = Counter[str]()
    for a in activities:
        s = a.schedule
        share["tentative"] += s.certainty is Certainty.TENTATIVE
        share["month"] += s.precision is Precision.MONTH
        share["deadline"] += s.deadline
        share["two parts"] += len(s.segments) > 1
        share["across months"] += bool(s.segments) and s.start.month != s.end.month
        share["half day"] += any(seg.start_half or seg.end_half for seg in s.segments)
        share["shared"] += len(a.projects) > 1
        share["no place"] += a.place is None
    expected = {  # percent, as the generator draws them
        "tentative": 5,
        "month": 3,
        "deadline": 1,
        "two parts": 2,
        "across months": 3,
        "half day": 1,
        "shared": 4,
        "no place": 2.8,  # 4 of the 144 place weights
    }
    for name, percent in expected.items():
        assert share[name] / ROWS * 100 == pytest.approx(percent, abs=1.2), name


def test_projects_come_from_the_registry(activities: list[Activity]) -> None:
    known = {p.name for p in load_registry().projects}
    used = {p for a in activities for p in a.projects}
    assert used == set(PROJECT_WEIGHTS)
    assert used <= known


def test_years_spread(activities: list[Activity]) -> None:
    years = Counter(a.schedule.month[:4] for a in activities)
    assert set(years) >= {str(y) for y in range(2015, 2031)}
    assert max(years.values()) < 2 * min(c for y, c in years.items() if "2015" <= y <= "2030")


def test_deterministic(tmp_path: Path, generated: Path) -> None:
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    write(again, ROWS, seed=7)
    write(other, 100, seed=8)
    assert again.read_bytes() == generated.read_bytes()
    assert other.read_bytes()[:2000] != generated.read_bytes()[:2000]
