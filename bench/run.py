"""Time inventory's start-up and its queries at 10k, 100k and 1M activities, side by side
with a bare Typer app, khal, Miller, DuckDB and a plain csv.reader loop.

    python bench/run.py                              # everything (about 25 minutes)
    python bench/run.py --sizes 10k,100k --runs 3    # a quick look
    python bench/run.py --setup                      # first: khal and DuckDB in bench/out/venv

Every time is the median wall time of a fresh process (``--runs`` of them, the commands
compared taking turns); "peak" is the largest resident set of those processes. The stores
are generated (seeded) into bench/out/ and kept for the next run; each run works on a copy,
so its writes never touch them. The first query on a copy builds its cache, timed on its
own, then a row is added by hand and the first query after it timed. The same store is
imported into SQLite and timed there. Concurrent adds (50 and 100 at 10k, 20 at 100k) count
what landed. khal, Miller and DuckDB are left out, with a note, when they are not installed.
Child processes run without PYTHONDONTWRITEBYTECODE, so they use bytecode caches as an
installed tool does.
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


def run_once(
    argv: Sequence[str], env: dict[str, str], *, keep: list[str] | None = None
) -> tuple[float, int, int]:
    """Wall time, peak resident set (kB) and exit status of one fresh process; its standard
    output is appended to ``keep`` when given."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL if keep is None else subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    if keep is not None:
        assert process.stdout is not None
        keep.append(process.stdout.read().decode())
        process.stdout.close()
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


def edit_by_hand(path: Path) -> Callable[[], None]:
    """Append one row by hand (as a spreadsheet save would add one); returns the undo."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(size - 4096, 0))
        last = handle.read().splitlines()[-1].decode("utf-8")
    cells = next(csv.reader([last]))
    cells[0], cells[2] = "benchedt", "A row added by hand for the benchmark"
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(cells)
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(line.getvalue())
    return lambda: os.truncate(path, size)


def timed(argv: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    elapsed, peak, status = run_once(argv, env)
    if status != 0:
        raise SystemExit(f"{' '.join(argv)}: exit status {status}")
    return elapsed, peak


def writes(store: Path, runs: int, env: dict[str, str]) -> dict[str, Timing]:
    """``add`` (a new activity each time), ``cancel`` (the last one added), and the first
    query after each write, on ``store``."""
    out = {name: Timing(name) for name in ("add", "cancel", "first query after a write")}
    query = [*INVENTORY, *QUERY, "--store", str(store)]
    for n in range(runs):
        title = f"Benchmark workshop {n} {time.time_ns()}"
        add = [*INVENTORY, "add", "--store", str(store), "-p", "GLACY+", "-t", title,
               "-l", "Accra, Ghana", "--dates", "6 May 2020", "--json"]  # fmt: skip
        printed: list[str] = []
        elapsed, peak, status = run_once(add, env, keep=printed)
        if status != 0:
            raise SystemExit(f"add failed: exit status {status}")
        out["add"].times.append(elapsed)
        out["add"].peak_kb = max(out["add"].peak_kb, peak)
        ident = json.loads(printed[0])[0]["id"]
        for label, argv in (
            ("first query after a write", query),
            ("cancel", [*INVENTORY, "cancel", ident, "--store", str(store)]),
        ):
            elapsed, peak = timed(argv, env)
            out[label].times.append(elapsed)
            out[label].peak_kb = max(out[label].peak_kb, peak)
        timed(query, env)
    return out


def concurrent_bench(store: Path, count: int, env: dict[str, str]) -> tuple[int, int, float]:
    """``count`` adds started at once (tests/writers.py, as the tests do): (landed, failed,
    wall seconds)."""
    sys.path.insert(0, str(ROOT))
    from tests.writers import concurrent_adds

    before = json.loads(
        subprocess.run([*INVENTORY, "list", "--json", "--search", "Concurrent bench",
                        "--store", str(store)], capture_output=True, text=True, env=env,
                       cwd=ROOT).stdout or "[]"
    )  # fmt: skip
    tag = time.time_ns()
    start = time.perf_counter()
    writers = concurrent_adds(
        store, count, title=f"Concurrent bench {tag}", dates=lambda n: "7 May 2020",
        command=INVENTORY, env=env, cwd=ROOT,
    )  # fmt: skip
    failed = sum(w.returncode != 0 for w in writers)
    wall = time.perf_counter() - start
    after = json.loads(
        subprocess.run([*INVENTORY, "list", "--json", "--search", f"Concurrent bench {tag}",
                        "--store", str(store)], capture_output=True, text=True, env=env,
                       cwd=ROOT).stdout or "[]"
    )  # fmt: skip
    del before
    return len(after), failed, wall


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
    parser.add_argument("--no-concurrency", action="store_true", help="skip the concurrent adds")
    parser.add_argument(
        "--postgres", action="store_true", help="only the PostgreSQL column (see postgres_column)"
    )
    args = parser.parse_args(argv)
    if args.postgres:
        OUT.mkdir(parents=True, exist_ok=True)
        postgres_column([s.strip().lower() for s in args.sizes.split(",")], args.runs)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    if args.setup:
        setup()
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
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
    bundled = OUT / "bundled.csv"
    shutil.copy(ROOT / "data" / "activities.csv", bundled)
    commands: dict[str, tuple[Sequence[str], dict[str, str]]] = {
        "inventory list (bundled store)": ([*INVENTORY, *QUERY, "--store", str(bundled)], env),
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
    summary: list[list[str]] = []
    for size in sizes:
        source, made = ensure_store(size)
        if made is not None:
            say(f"\n(generated {source.name} in {made:.1f} s)")
        # A working copy: the benchmark writes to it.
        path = OUT / f"work-{size}.csv"
        shutil.copy(source, path)
        for stale in OUT.glob(f"*work-{size}.csv*"):
            if stale != path:
                stale.unlink()
        query = [*INVENTORY, *QUERY, "--store", str(path)]
        first, first_peak = timed(query, env)
        undo = edit_by_hand(path)
        try:
            after_edit, edit_peak = timed(query, env)
        finally:
            undo()
        timed(query, env)
        commands = {
            "list (warm)": (query, env),
            "report --quarter Q4-2019": ([*INVENTORY, *REPORT, "--store", str(path)], env),
            "upcoming --days 30": ([*INVENTORY, *UPCOMING, "--store", str(path)], env),
        }
        if miller:
            commands["Miller"] = (
                [miller, "--icsv", "--ojson", "filter", MILLER_FILTER, str(path)],
                env,
            )
        if duck:
            commands["DuckDB"] = ([duck, "-c", DUCKDB_SCRIPT, str(path)], env)
        timings = side_by_side(commands, args.runs)
        timings.update(writes(path, args.runs, env))
        # validate streams the store (each activity checked and let go, the duplicate search
        # holding only the activities running on the day it has reached), so a million stays
        # small in memory; its time grows with the candidate pairs, which grow with the
        # square of the activities per day (900,000 likely duplicates at a million).
        validate, validate_peak = timed([*INVENTORY, "validate", "--store", str(path)], env)
        # The same store in SQLite.
        database = OUT / f"work-{size}.db"
        for stale in OUT.glob(f"work-{size}.db*"):
            stale.unlink()
        imported, import_peak = timed(
            [*INVENTORY, "import", str(source), "--store", str(database)], env
        )
        db_query = [*INVENTORY, *QUERY, "--store", str(database)]
        db = side_by_side({"SQLite list (warm)": (db_query, env)}, args.runs)
        db.update({f"SQLite {k}": v for k, v in writes(database, args.runs, env).items()})
        base = in_process(baseline_query(path), args.runs)
        warm = timings["list (warm)"].median
        say(f"\n## {size} activities ({mb(path.stat().st_size // 1024)} of CSV)\n")
        say("| operation | median | peak |")
        say("|---|---|---|")
        built = f"{ms(first)} | {mb(first_peak)}"
        say(f"| CSV: first query on a new store (builds the cache) | {built} |")
        say(f"| CSV: first query after a one-row hand edit | {ms(after_edit)} | {mb(edit_peak)} |")
        for label, timing in timings.items():
            say(f"| CSV: {label} | {ms(timing.median)} | {mb(timing.peak_kb)} |")
        if validate == validate:  # not NaN: it was run
            say(f"| CSV: validate | {ms(validate)} | {mb(validate_peak)} |")
        say(f"| import of the CSV into a new SQLite store | {ms(imported)} | {mb(import_peak)} |")
        for label, timing in db.items():
            say(f"| {label} | {ms(timing.median)} | {mb(timing.peak_kb)} |")
        say(f"| {base.label} | {ms(base.median)} | - |")
        duck_time = timings["DuckDB"].median if duck else float("nan")
        summary.append(
            [
                size,
                ms(first),
                ms(warm),
                ratio(warm, duck_time) if duck else "-",
                ratio(warm, timings["Miller"].median) if miller else "-",
                ms(timings["add"].median),
                ms(timings["first query after a write"].median),
                ms(after_edit),
                ms(validate) if validate == validate else "not run",
                ms(db["SQLite list (warm)"].median),
                ratio(db["SQLite list (warm)"].median, duck_time) if duck else "-",
                ms(db["SQLite add"].median),
                ms(imported),
            ]
        )
        if not args.no_concurrency and size in ("10k", "100k"):
            say("\n| concurrent adds | landed | failed | wall |")
            say("|---|---|---|---|")
            plan = [("CSV", path, 50 if size == "10k" else 20)]
            if size == "10k":
                plan.append(("SQLite", database, 100))
            for label, store, count in plan:
                landed, failed, wall = concurrent_bench(store, count, env)
                say(f"| {count} on the {size} {label} store | {landed} | {failed} | {ms(wall)} |")

    if summary:
        say("\n## Summary, side by side in this run\n")
        say(
            "| size | CSV first query | CSV warm query | / DuckDB | / Miller | CSV add "
            "| query after add | after a hand edit | validate | SQLite warm | / DuckDB "
            "| SQLite add | import to SQLite |"
        )
        say("|" + "---|" * 13)
        for row in summary:
            say("| " + " | ".join(row) + " |")
    for note in notes:
        say(f"\nNote: {note}")
    (OUT / "last-run.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def postgres_column(sizes: list[str], runs: int) -> None:
    """The PostgreSQL store next to the SQLite one, on a throw-away server started here
    (tests/pgserver.py; fsync on): the import of the generated store, the warm query on
    both, and ``add``. Writes bench/out/postgres.md.

        python bench/run.py --postgres --sizes 100k,1m --runs 5
    """
    sys.path.insert(0, str(ROOT))
    from tests.pgserver import missing_reason, start_server

    reason = missing_reason()
    if reason:
        raise SystemExit(reason)
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    env = child_env()
    server = start_server(fast=False)
    try:
        say(f"# PostgreSQL column; median of {runs} runs, load {os.getloadavg()[0]:.2f}\n")
        say("| size | import into PostgreSQL | SQLite list (warm) | PostgreSQL list (warm) "
            "| PostgreSQL / SQLite | PostgreSQL add | peak (list) |")  # fmt: skip
        say("|---|---|---|---|---|---|---|")
        for size in sizes:
            path, _ = ensure_store(size)
            sqlite = OUT / f"{size}.db"
            if not sqlite.exists():
                run_once([*INVENTORY, "import", str(path), "--store", str(sqlite)], env)
            url = server.create_database(f"bench{size}")
            elapsed, _, status = run_once([*INVENTORY, "import", str(path), "--store", url], env)
            if status != 0:
                raise SystemExit(f"import into PostgreSQL failed ({status})")
            imported = elapsed
            timings = side_by_side(
                {
                    "sqlite": ([*INVENTORY, *QUERY, "--store", str(sqlite)], env),
                    "postgresql": ([*INVENTORY, *QUERY, "--store", url], env),
                },
                runs,
            )
            adds = Timing("add")
            for n in range(runs + 1):
                argv = [*INVENTORY, "add", "-p", "GLACY+", "-t", f"Benchmark workshop {n}",
                        "-l", "Ghana", "-d", f"{n % 28 + 1} May 2031", "--store", url]  # fmt: skip
                elapsed, _, status = run_once(argv, env)
                if status != 0:
                    raise SystemExit(f"add failed ({status})")
                if n:  # the first one warms the caches
                    adds.times.append(elapsed)
            lite, pg = timings["sqlite"], timings["postgresql"]
            cells = [size, ms(imported), ms(lite.median), ms(pg.median),
                     ratio(pg.median, lite.median), ms(adds.median), mb(pg.peak_kb)]  # fmt: skip
            say("| " + " | ".join(cells) + " |")
    finally:
        server.remove()
    (OUT / "postgres.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
