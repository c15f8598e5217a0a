"""Time inventory's start-up and its queries at 10k, 100k and 1M activities, side by side
with a bare Typer app, khal, Miller, DuckDB and a plain csv.reader loop.

    python bench/run.py                              # everything (about 15 minutes)
    python bench/run.py --sizes 10k,100k --runs 3    # a quick look
    python bench/run.py --setup                      # first: khal and DuckDB in bench/out/venv

Every time is the median wall time of a fresh process (``--runs`` of them, the commands
compared taking turns); "peak" is the largest resident set of those processes. The stores
are generated (seeded) into bench/out/ and kept for the next run; the first query on a new
store builds its index, timed on its own. khal, Miller and DuckDB are left out, with a note,
when they are not installed. Child processes run without PYTHONDONTWRITEBYTECODE, so they
use bytecode caches as an installed tool does.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV = OUT / "venv"
PYTHON = sys.executable
INVENTORY = [PYTHON, "-m", "inventory.cli"]
if (Path(PYTHON).parent / "inventory").exists():
    INVENTORY = [str(Path(PYTHON).parent / "inventory")]
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEED = 7
QUERY = ["list", "--project", "GLACY+", "--month", "2019-11", "--json"]
REPORT = ["report", "--quarter", "Q4-2019"]
UPCOMING = ["upcoming", "--as-of", "2019-11-01", "--days", "30", "--json"]
MILLER_FILTER = (
    '$projects =~ "(^|; )GLACY[+](;|$)" && $start <= "2019-11-30" && $end >= "2019-11-01"'
)
DUCKDB_SCRIPT = """
import json, sys, duckdb
rows = duckdb.sql('''
    SELECT * FROM read_csv($1, all_varchar = true, header = true)
    WHERE list_contains(string_split(projects, '; '), 'GLACY+')
      AND start <= '2019-11-30' AND "end" >= '2019-11-01'
    ORDER BY start, title
''', params=[sys.argv[1]])
names = rows.columns
json.dump([dict(zip(names, r)) for r in rows.fetchall()], sys.stdout, ensure_ascii=False)
"""


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("INVENTORY_STORE", None)
    env.pop("INVENTORY_NO_INDEX", None)
    return {**env, "COLUMNS": "120", **extra}


@dataclass
class Timing:
    label: str
    times: list[float] = field(default_factory=list)
    peak_kb: int = 0
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def run_once(argv: Sequence[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall time, peak resident set (kB) and exit status of one fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, process.returncode


def side_by_side(
    commands: dict[str, tuple[Sequence[str], dict[str, str]]], runs: int
) -> dict[str, Timing]:
    """Each command ``runs`` times, taking turns, after one untimed warm-up run each."""
    timings = {label: Timing(label) for label in commands}
    for label, (argv, env) in commands.items():
        _, _, status = run_once(argv, env)
        if status != 0:
            raise SystemExit(f"{label}: exit status {status}: {' '.join(argv)}")
    for _ in range(runs):
        for label, (argv, env) in commands.items():
            elapsed, peak, _ = run_once(argv, env)
            timings[label].times.append(elapsed)
            timings[label].peak_kb = max(timings[label].peak_kb, peak)
    return timings


def in_process(function: Callable[[], object], runs: int) -> Timing:
    timing = Timing("csv.reader loop (in-process)")
    function()
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timing.times.append(time.perf_counter() - start)
    return timing


def baseline_query(path: Path) -> Callable[[], object]:
    """The same question with a plain csv.reader loop on the raw (derived) columns: no
    validation, no fuzzy dates (the gap of a two-part activity counts), matches printed."""

    def query() -> object:
        out = io.StringIO()
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            p, s, e = header.index("projects"), header.index("start"), header.index("end")
            found = [
                dict(zip(header, row, strict=False))
                for row in reader
                if row[s] <= "2019-11-30"
                and row[e] >= "2019-11-01"
                and "GLACY+" in (x.strip() for x in row[p].split(";"))
            ]
        found.sort(key=lambda r: (r["start"], r["title"]))
        json.dump(found, out, ensure_ascii=False)
        return out

    return query


def tool(name: str) -> str | None:
    found = VENV / "bin" / name
    return str(found) if found.exists() else shutil.which(name)


def khal_command() -> list[str] | None:
    khal = tool("khal")
    if khal is None:
        return None
    folder = OUT / "khal"
    (folder / "calendar").mkdir(parents=True, exist_ok=True)
    config = folder / "config"
    config.write_text(
        f"[calendars]\n[[empty]]\npath = {folder / 'calendar'}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        f"[sqlite]\npath = {folder / 'khal.db'}\n",
        encoding="utf-8",
    )
    return [khal, "-c", str(config), "list"]


def duckdb_python() -> str | None:
    python = VENV / "bin" / "python"
    if python.exists():
        probe = subprocess.run([str(python), "-c", "import duckdb"], capture_output=True)
        if probe.returncode == 0:
            return str(python)
    return None


def setup() -> None:
    """khal and DuckDB for the comparison only, in their own virtual environment."""
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "khal", "duckdb"], check=True)
    if shutil.which("mlr") is None:
        print("Miller is not installed: apt-get install -y miller", file=sys.stderr)


def ensure_store(size: str) -> tuple[Path, float | None]:
    """The generated store of that size, and the seconds it took if it had to be made."""
    path = OUT / f"{size}.csv"
    generator = ROOT / "bench" / "generate.py"
    marker = OUT / f"{size}.csv.made"
    # The generator's text, not its mtime: a fresh clone or a worktree keeps its stores.
    digest = hashlib.sha256(generator.read_bytes()).hexdigest()[:16]
    wanted = f"rows={SIZES[size]} seed={SEED} generator={digest}"
    if path.exists() and marker.exists() and marker.read_text() == wanted:
        return path, None
    start = time.perf_counter()
    subprocess.run(
        [PYTHON, str(generator), "--rows", str(SIZES[size]), "--seed", str(SEED), "-o", str(path)],
        check=True,
        env=child_env(),
    )
    marker.write_text(wanted)
    return path, time.perf_counter() - start


def after_one_edit(path: Path, query: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    """The first query after a row is appended by hand (the index rebuilt, reusing the rows
    it knows); the store is then put back as it was, and its index brought up to date."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(size - 4096, 0))
        last = handle.read().splitlines()[-1].decode("utf-8")
    cells = next(csv.reader([last]))
    cells[0], cells[2] = "benchedt", "A row added by hand for the benchmark"
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(cells)
    try:
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write(line.getvalue())
        elapsed, peak, status = run_once(query, env)
        if status != 0:
            raise SystemExit(f"{' '.join(query)}: exit status {status} after an edit")
    finally:
        os.truncate(path, size)
    run_once(query, env)
    return elapsed, peak


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="any of 10k,100k,1m")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command")
    parser.add_argument("--startup-runs", type=int, default=15)
    parser.add_argument("--setup", action="store_true", help="install khal and DuckDB first")
    parser.add_argument(
        "--keep-index", action="store_true", help="do not rebuild the indexes to time the build"
    )
    parser.add_argument("--plain", default="10k,100k", help="sizes to time without the index too")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.setup:
        setup()
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    plain_sizes = {s.strip().lower() for s in args.plain.split(",") if s.strip()}
    env = child_env()
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    say(
        f"# {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {load:.2f}; median of {args.runs} runs "
        f"({args.startup_runs} for start-up)"
    )
    notes: list[str] = []

    # --- start-up -----------------------------------------------------------------------
    hello = [PYTHON, str(ROOT / "bench" / "hello.py")]
    startup = side_by_side(
        {
            "python -c pass": ([PYTHON, "-c", "pass"], env),
            "bare Typer app --version": ([*hello, "--version"], env),
            "inventory --version": ([*INVENTORY, "--version"], env),
            "bare Typer app --help": ([*hello, "--help"], env),
            "inventory --help": ([*INVENTORY, "--help"], env),
            "bare Typer app, one command with one option": (
                [*hello, "hello", "--name", "x"],
                env,
            ),
        },
        args.startup_runs,
    )
    say("\n## Start-up\n")
    say("| command | median | vs bare Typer app |")
    say("|---|---|---|")
    for label, timing in startup.items():
        versus = ""
        if label.startswith("inventory"):
            other = startup[label.replace("inventory", "bare Typer app")]
            versus = ratio(timing.median, other.median)
        say(f"| `{label}` | {ms(timing.median)} | {versus} |")

    # --- the bundled store, against khal ------------------------------------------------
    bundled = ROOT / "data" / "activities.csv"
    commands: dict[str, tuple[Sequence[str], dict[str, str]]] = {
        "inventory list (bundled store)": ([*INVENTORY, *QUERY, "--store", str(bundled)], env),
        "same, without the index": (
            [*INVENTORY, *QUERY, "--store", str(bundled)],
            child_env(INVENTORY_NO_INDEX="1"),
        ),
    }
    khal = khal_command()
    if khal:
        commands["khal list (empty calendar)"] = (khal, env)
    else:
        notes.append("khal is not installed (python bench/run.py --setup)")
    small = side_by_side(commands, args.startup_runs)
    say("\n## `inventory list --project GLACY+ --month 2019-11 --json`, bundled store\n")
    say("| command | median | peak | vs khal |")
    say("|---|---|---|---|")
    khal_time = small["khal list (empty calendar)"].median if khal else float("nan")
    for label, timing in small.items():
        versus = ratio(timing.median, khal_time) if khal else "-"
        say(f"| {label} | {ms(timing.median)} | {mb(timing.peak_kb)} | {versus} |")

    # --- generated stores ---------------------------------------------------------------
    miller = tool("mlr")
    duck = duckdb_python()
    if not miller:
        notes.append("Miller is not installed (apt-get install -y miller)")
    if not duck:
        notes.append("DuckDB is not installed (python bench/run.py --setup)")
    rows: list[list[str]] = []
    builds: list[list[str]] = []
    for size in sizes:
        path, made = ensure_store(size)
        if made is not None:
            say(f"\n(generated {path.name} in {made:.1f} s)")
        store_env = child_env()
        query = [*INVENTORY, *QUERY, "--store", str(path)]
        index = path.with_name(f".{path.name}.idx")
        if not args.keep_index and index.exists():
            index.unlink()
        elapsed, peak, status = run_once(query, store_env)
        if status != 0:
            raise SystemExit(f"{' '.join(query)}: exit status {status}")
        per_row = f"{elapsed / SIZES[size] * 1e6:.0f} µs"
        sizes_mb = [mb(index.stat().st_size // 1024), mb(path.stat().st_size // 1024)]
        edited, edited_peak = after_one_edit(path, query, store_env)
        builds.append(
            [size, ms(elapsed), per_row, mb(peak), *sizes_mb, ms(edited), mb(edited_peak)]
        )
        commands = {
            "list": (query, store_env),
            "report --quarter Q4-2019": ([*INVENTORY, *REPORT, "--store", str(path)], store_env),
            "upcoming --days 30": ([*INVENTORY, *UPCOMING, "--store", str(path)], store_env),
        }
        if miller:
            commands["Miller"] = (
                [miller, "--icsv", "--ojson", "filter", MILLER_FILTER, str(path)],
                store_env,
            )
        if duck:
            commands["DuckDB"] = ([duck, "-c", DUCKDB_SCRIPT, str(path)], store_env)
        timings = side_by_side(commands, args.runs)
        if size in plain_sizes:
            plain = side_by_side({"list, no index": (query, child_env(INVENTORY_NO_INDEX="1"))}, 1)
            timings.update(plain)
        base = in_process(baseline_query(path), args.runs)
        listing = timings["list"].median
        say(f"\n## {size} activities ({mb(path.stat().st_size // 1024)})\n")
        say("| command | median | peak | vs csv.reader loop | vs list |")
        say("|---|---|---|---|---|")
        say(f"| {base.label} | {ms(base.median)} | - | 1.00× | {ratio(base.median, listing)} |")
        for label, timing in timings.items():
            versus = f"{ratio(timing.median, base.median)} | {ratio(timing.median, listing)}"
            say(f"| {label} | {ms(timing.median)} | {mb(timing.peak_kb)} | {versus} |")
        row = [size, ms(listing), mb(timings["list"].peak_kb)]
        row.append(ratio(listing, timings["Miller"].median) if miller else "-")
        row.append(ratio(listing, timings["DuckDB"].median) if duck else "-")
        row.append(ratio(timings["report --quarter Q4-2019"].median, listing))
        row.append(ratio(timings["upcoming --days 30"].median, listing))
        rows.append(row)

    if rows:
        say("\n## Summary: `list` and its ratios, side by side in this run\n")
        say(
            "| size | list | peak | list / Miller | list / DuckDB | report / list "
            "| upcoming / list |"
        )
        say("|---|---|---|---|---|---|---|")
        for row in rows:
            say("| " + " | ".join(row) + " |")
        say("\n## The index: the first query after the store changes builds it\n")
        say(
            "| size | first query | per activity | peak | index file | store "
            "| first query after a one-row edit | its peak |"
        )
        say("|---|---|---|---|---|---|---|---|")
        for row in builds:
            say("| " + " | ".join(row) + " |")
    for note in notes:
        say(f"\nNote: {note}")
    (OUT / "last-run.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
