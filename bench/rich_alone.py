"""What Rich alone costs to draw ``inventory list``'s table: the floor a table is held to
(issue 22: a table costs its JSON plus this, within 1.2x).

    python bench/rich_alone.py STORE.csv --quarter Q4-2019
    python bench/rich_alone.py STORE.csv --project GLACY+ --month 2019-11 --width 120 --runs 5

The rows are those ``inventory list FILTERS --json`` prints for the store (any ``list``
filter may follow the store). Their cells are written out first, untimed; then a fresh
Python process imports Rich, builds a table in the same style (``views.listing``: simple
head, no edge, the same columns, the dates styled by certainty and status) and draws it as
``list`` does piped (no width, trailing spaces dropped), or fitted to ``--width`` columns.
It prints the CPU seconds of that import and drawing, the least of ``--runs`` processes:
``bench/run.py`` adds it to the CPU time of ``list ... --json`` and compares the table with
the sum. ``--detail`` prints a JSON object instead: import, draw, rows, width.

``run(store, filters, width=None, runs=3) -> dict`` does the same for a caller in Python.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Run in a fresh interpreter, so the import of Rich is counted as a table run pays it.
CHILD = r"""
import io, json, sys, time
clock = time.process_time
with open(sys.argv[1], encoding="utf-8") as f:
    given = json.load(f)
began = clock()
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text
imported = clock()
widths = given["widths"]
table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
table.add_column("ID", no_wrap=True, style="dim", min_width=8)
for name in ("Dates", "Projects", "Title", "Location"):
    table.add_column(name, width=widths.get(name) if widths else None, overflow="fold")
for ident, dates, style, projects, title, location in given["rows"]:
    table.add_row(ident, Text(dates, style=style), projects, title, location)
out = open(sys.argv[2] if len(sys.argv) > 2 else "/dev/null", "w", encoding="utf-8")
console = Console(file=out, width=given["width"] or 100_000, highlight=False, markup=False,
                  emoji=False, soft_wrap=False, force_terminal=False)
with console.capture() as capture:
    console.print(table)
text = "\n".join(line.rstrip() for line in capture.get().splitlines())
out.write(text + "\n")
out.close()
drawn = clock()
print(json.dumps({"import": imported - began, "draw": drawn - imported}))
"""


def rows_of(store: str, filters: list[str]) -> list[dict[str, Any]]:
    """The records ``inventory list FILTERS --json`` prints for ``store``."""
    env = {**os.environ, "INVENTORY_STORE": store}
    env.setdefault("PYTHONPATH", str(ROOT / "src"))
    done = subprocess.run(
        [PYTHON, "-m", "inventory", "list", *filters, "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    records: list[dict[str, Any]] = json.loads(done.stdout)
    return records


def cells(records: list[dict[str, Any]], width: int | None) -> dict[str, Any]:
    """The table's cells (as ``views.listing`` writes them) and, fitted, its widths."""
    sys.path.insert(0, str(ROOT / "src"))
    from inventory.views.listing import _style, fit_columns, record_when, record_where

    rows = [
        [
            r["id"],
            record_when(r),
            _style(r),
            ", ".join(r["projects"]) or "-",
            r["title"],
            record_where(r),
        ]
        for r in records
    ]
    widths = None
    if width is not None:
        columns = {"Dates": 1, "Projects": 3, "Title": 4, "Location": 5}
        widths = fit_columns({k: [row[i] for row in rows] for k, i in columns.items()}, width)
        if widths and widths["Dates"] < max((len(row[1]) for row in rows), default=0):
            for row, record in zip(rows, records, strict=True):  # as the table shortens them
                row[1] = record_when(record, short=True)
            widths = fit_columns({k: [row[i] for row in rows] for k, i in columns.items()}, width)
        if widths is None:
            raise SystemExit(f"--width {width}: too narrow for five columns (list draws three)")
    return {"rows": rows, "widths": widths, "width": width}


def run(
    store: str,
    filters: list[str],
    width: int | None = None,
    runs: int = 3,
    *,
    drawn: Path | None = None,
) -> dict[str, Any]:
    """The least CPU seconds Rich takes, in ``runs`` fresh processes, to import itself and
    draw the table of ``list FILTERS`` on ``store``: ``{"seconds", "import", "draw",
    "rows", "width"}``. ``drawn``: a file to keep the table in (to compare with list's)."""
    given = cells(rows_of(store, filters), width)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(given, f, ensure_ascii=False)
    try:
        times = []
        for _ in range(max(runs, 1)):
            command = [PYTHON, "-c", CHILD, f.name, *([str(drawn)] if drawn else [])]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            times.append(json.loads(done.stdout))
    finally:
        os.unlink(f.name)
    best = min(times, key=lambda t: t["import"] + t["draw"])
    return {
        "seconds": round(best["import"] + best["draw"], 4),
        "import": round(best["import"], 4),
        "draw": round(best["draw"], 4),
        "rows": len(given["rows"]),
        "width": width,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="CPU seconds Rich alone takes to draw list's table of these rows.",
        epilog="Any other option is a list filter, e.g. --quarter Q4-2019 --project GLACY+.",
    )
    parser.add_argument("store", help="the store (a CSV file, JSON file, SQLite file or URL)")
    parser.add_argument("--width", type=int, help="fit this many columns (default: piped)")
    parser.add_argument("--runs", type=int, default=3, help="processes; the least is kept")
    parser.add_argument("--detail", action="store_true", help="print a JSON object")
    args, filters = parser.parse_known_args(argv)
    result = run(args.store, filters, args.width, args.runs)
    print(json.dumps(result) if args.detail else f"{result['seconds']:.4f}")


if __name__ == "__main__":
    main()
