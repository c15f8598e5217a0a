"""A big store is checked in worker processes (``validation.check`` given a store's records):
the same problems, in the same order, as checking it in one process from its models."""

from __future__ import annotations

import csv
from pathlib import Path

from bench.generate import write

from inventory.store import open_store
from inventory.validation import BATCH, check, written_by_hand

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


def test_checked_in_workers_is_checked_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "activities.csv"
    originals = generated_with_planted_problems(path)
    assert ROWS + 3 > 2 * BATCH  # several batches, so several in flight at once
    with open_store(str(path)) as store:
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
