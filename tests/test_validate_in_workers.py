"""A big store is checked in worker processes (``validation.check`` given a store's records):
the same problems, in the same order, as checking it in one process from its models."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from bench.generate import write

from inventory.store import open_store
from inventory.store.csvfile import CsvStore
from inventory.validation import BATCH, check, proven_by_cache, written_by_hand

ROWS = 5000


def generated_with_planted_problems(path: Path) -> dict[str, str]:
    """A generated store with three activities entered twice (copied to the end of the
    file under ids that sort after every other) and one whose start cell disagrees with
    its dates; each copy's original."""
    write(path, ROWS, seed=22)
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    names = list(rows[0])
    copies = {f"zzzz000{n}": dict(rows[n * 1000], id=f"zzzz000{n}") for n in (1, 2, 3)}
    rows += copies.values()
    rows[7]["start"] = "1999-01-01"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return {ident: rows[n * 1000]["id"] for n, ident in zip((1, 2, 3), copies, strict=True)}


def failing(path: str) -> None:
    raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.parametrize(
    ("proven", "file_for_workers"),
    [(False, True), (True, True), (True, False)],
    ids=["validated", "proven", "rows-as-written-looked-up-here"],
)
def test_checked_in_workers_is_checked_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, proven: bool, file_for_workers: bool
) -> None:
    # Checked from the cache's records, validated again or not (proven_by_cache); the
    # workers look up the rows as written in a file another process writes, or, when it
    # cannot, this process looks them up for them.
    path = tmp_path / "activities.csv"
    originals = generated_with_planted_problems(path)
    assert ROWS + 3 > 2 * BATCH  # several batches, so several in flight at once
    if not file_for_workers:
        monkeypatch.setattr(CsvStore, "write_written", lambda self, path: failing(path))
    with open_store(str(path)) as store:
        assert proven_by_cache(store)
        count = store.count()
        registry = store.registry
        alone = list(
            check(
                store.scan(),
                registry,
                source="s",
                count=count,
                as_written=written_by_hand(store),
            )
        )
        records = store.scan_records()
        assert records is not None
        shared = list(
            check(
                [],
                registry,
                source="s",
                count=count,
                as_written=written_by_hand(store),
                records=records,
                workers=2,
                proven=proven,
            )
        )
    assert count == ROWS + 3
    assert shared == alone
    # The planted problems, each at its line (the header is line 1, so row k is line k+1):
    # a copy has its original's window and sorts after it by id, so it is the one warned
    # about, at its line at the end of the file, naming its original's line.
    for n, line in ((1, ROWS + 2), (2, ROWS + 3), (3, ROWS + 4)):
        ident = f"zzzz000{n}"
        warned = [p for p in shared if p.message.startswith(f"{ident}: likely duplicate of")]
        assert [p.line for p in warned] == [line]
        assert f"of {originals[ident]} (line {n * 1000 + 2}), score" in warned[0].message
    start_warnings = [p for p in shared if p.field == "start"]
    assert [(p.line, p.message.split(": ")[1][:30]) for p in start_warnings] == [
        (9, "start is '1999-01-01' but date")
    ]
    assert all(p.source == "s" for p in shared)
