"""``validate`` builds a CSV store's activities from its cache's records without validating
them again (``records.proven_record``): the cache's build validated every row. Below, every
record of a cache, from generated stores, the bundled one and rows edited by hand in every
odd way, is built both ways: the two activities must be the same, down to the fields set."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from bench.generate import write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from inventory.records import proven_record, trusted_record
from inventory.store import open_store
from inventory.validation import proven_by_cache
from tests.helpers import BUNDLED_STORE
from tests.test_cache_rows import CELLS, NAMES


def fields_set(model: Any) -> Any:
    """Which fields each model (and each model inside it) was given, all the way down."""
    if isinstance(model, BaseModel):
        return (
            type(model).__name__,
            sorted(model.model_fields_set),
            {name: fields_set(value) for name, value in model.__dict__.items()},
        )
    if isinstance(model, tuple):
        return [fields_set(item) for item in model]
    return None


def records_built_both_ways(path: Path) -> int:
    with open_store(str(path)) as store:
        assert proven_by_cache(store)
        records = store.scan_records()
        assert records is not None
        count = 0
        shared: dict[Any, Any] = {}  # one model of each schedule and place, for all records
        for _, text in records:
            validated = trusted_record(json.loads(text))
            for proven in (
                proven_record(json.loads(text)),
                proven_record(json.loads(text), shared),
            ):
                assert proven == validated
                assert repr(proven) == repr(validated)
                assert proven.model_dump_json() == validated.model_dump_json()
                assert fields_set(proven) == fields_set(validated)
            count += 1
        return count


def test_the_bundled_stores_records_build_as_validated() -> None:
    assert records_built_both_ways(BUNDLED_STORE) == 132


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_a_generated_stores_records_build_as_validated(tmp_path: Path, seed: int) -> None:
    path = tmp_path / f"generated-{seed}.csv"
    write(path, 400, seed=seed)
    assert records_built_both_ways(path) == 400


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(CELLS, min_size=1, max_size=6))
def test_rows_edited_by_hand_build_as_validated(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    path = tmp_path / "edited.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(NAMES)
        # Each its own id, so every row the build accepts is a record.
        for n, cells in enumerate(rows):
            writer.writerow(
                [f"row{n:04d}" if name == "id" else cells.get(name, "") for name in NAMES]
            )
    with open_store(str(path)) as store:
        refused = len(store.problems())
    assert records_built_both_ways(path) == len(rows) - refused
