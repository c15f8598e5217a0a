"""Time inventory against its floors and peers at 10k and 100k activities (1M with
--million), every row a ratio measured in the same run, with the target of issue 22 beside
it and misses marked.

    python bench/run.py --setup        # first: khal and DuckDB in bench/out/venv
    python bench/run.py                # 10k and 100k (under 15 minutes on 2 cores)
    python bench/run.py --million      # and 1M (about an hour today)
    python bench/run.py --postgres     # and the PostgreSQL store (starts its own server)

Every time is the median of fresh processes (``--runs`` of them, ``--startup-runs`` for
start-up), the commands compared taking turns after one warm-up run each; a command whose
warm-up takes longer than ``--slow`` seconds is measured by that one run. "Peak" is the
largest resident set among a command's runs. A run past its limit (``--timeout``, or twice
the issue's target for the whole-store export) is stopped and reported as "> limit".
The stores are generated (seeded) into bench/out/ and kept for the next run; each run
works on copies, so its writes never touch them. Child processes keep their bytecode
caches, as an installed tool does. khal, Miller, DuckDB and psql rows are left out, with a
note, when the tool is not installed. The tables go to bench/out/last-run.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import measure
import peers
from measure import ROOT, Command, Timing, checked, in_process, run_once, side_by_side
from table import Cell, Report, mb, ms, ratio_cell, took

OUT = peers.OUT
PYTHON = sys.executable
INVENTORY = [PYTHON, "-m", "inventory.cli"]
if (Path(PYTHON).parent / "inventory").exists():
    INVENTORY = [str(Path(PYTHON).parent / "inventory")]
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEED = 7
QUERY = ["list", "--project", "GLACY+", "--month", "2019-11", "--json"]
Q4 = ["--quarter", "Q4-2019"]
FILED_CACHE_CPU = 275e-6
"""CPU seconds a row of the cache build cost when issue 22 was filed; the target is a third."""


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("INVENTORY_STORE", None)
    return {**env, "COLUMNS": "120", **extra}


# --- the stores ---------------------------------------------------------------------------


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


def cache_files(store: Path) -> list[Path]:
    """The CSV store's cache beside it (store/cache.py), with its journal files."""
    return sorted(store.parent.glob(f".{store.name}.cache*"))


def fresh_copy(source: Path, path: Path) -> Path:
    for stale in [*path.parent.glob(f"*{path.name}*")]:
        stale.unlink()
    shutil.copy(source, path)
    return path


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


def timed(label: str, argv: Sequence[str], env: dict[str, str], limit: float | None) -> Timing:
    timing = Timing(label)
    timing.add(checked(label, argv, run_once(argv, env, limit=limit)))
    return timing


def added_id(output: str) -> str:
    return str(json.loads(output)[0]["id"])


def add_argv(store: str, n: int) -> list[str]:
    title = f"Benchmark workshop {n} {time.time_ns()}"
    return [
        *INVENTORY,
        "add",
        "--store",
        store,
        "-p",
        "GLACY+",
        "-t",
        title,
        "-l",
        "Accra, Ghana",
        "--dates",
        "6 May 2020",
        "--json",
    ]


# --- the rows -----------------------------------------------------------------------------


@dataclass
class Context:
    args: argparse.Namespace
    env: dict[str, str]
    report: Report
    notes: list[str]
    say: Callable[[str], None]
    bundled: Path
    miller: str | None
    duck: str | None
    server: Any = None
    concurrency: list[str] = field(default_factory=list)
    sqlite_add: Timing = field(default_factory=lambda: Timing("SQLite add"))

    def group(self, commands: dict[str, Command], limit: float | None = None) -> dict[str, Timing]:
        return side_by_side(
            commands,
            self.args.runs,
            slow=self.args.slow,
            limit=limit if limit is not None else self.args.timeout,
        )

    def inv(self, *argv: str) -> Command:
        return [*INVENTORY, *argv], self.env


def startup(ctx: Context) -> list[str]:
    env = ctx.env
    hello = [PYTHON, str(ROOT / "bench" / "hello.py")]
    commands: dict[str, Command] = {
        "python -c pass": ([PYTHON, "-c", "pass"], env),
        "bare --version": ([*hello, "--version"], env),
        "inventory --version": ([*INVENTORY, "--version"], env),
        "bare --help": ([*hello, "--help"], env),
        "inventory --help": ([*INVENTORY, "--help"], env),
        "bare one command": ([*hello, "hello", "--name", "x"], env),
        "list (bundled)": ([*INVENTORY, *QUERY, "--store", str(ctx.bundled)], env),
    }
    khal = peers.khal_command()
    if khal:
        commands["khal"] = (khal, env)
    else:
        ctx.notes.append("khal is not installed (python bench/run.py --setup)")
    t = side_by_side(commands, ctx.args.startup_runs, slow=60, limit=ctx.args.timeout)
    report = Report()
    column = "this run"
    for name, peer, top, bottom in (
        ("`inventory --version`", "a bare Typer app's `--version` (bench/hello.py)",
         "inventory --version", "bare --version"),
        ("`inventory --help`", "the bare app's `--help`", "inventory --help", "bare --help"),
        (f"`{' '.join(QUERY)}`, bundled store", "`khal list`, empty calendar", "list (bundled)",
         "khal"),
        ("the bare app running one command with one option", "`python -c pass`",
         "bare one command", "python -c pass"),
    ):  # fmt: skip
        if bottom in t:
            report.put(name, peer, "—", column, ratio_cell(t[top], t[bottom]))
    lines = report.markdown([column], growth=False)
    return lines


def one_size(ctx: Context, size: str) -> None:
    args, env, report, say = ctx.args, ctx.env, ctx.report, ctx.say
    rows = SIZES[size]
    big = size == "1m"
    source, made = ensure_store(size)
    if made is not None:
        say(f"(generated {source.name} in {made:.1f} s)")
    path = fresh_copy(source, OUT / f"work-{size}.csv")
    csv_mb = path.stat().st_size / 2**20
    say(f"## {size}: {rows} activities, {csv_mb:.0f} MB of CSV")
    query = [*INVENTORY, *QUERY, "--store", str(path)]

    # Cache builds: the first query on a copy with no cache, three times while quick.
    say("- cache build")
    build = Timing("cache build")
    for _ in range(3):
        for stale in cache_files(path):
            stale.unlink()
        run = checked("cache build", query, run_once(query, env, limit=args.timeout))
        build.add(run)
        if run.stopped or run.wall > args.slow:
            break
    cache_bytes = sum(p.stat().st_size for p in cache_files(path))
    undo = edit_by_hand(path)
    try:
        after_edit = timed("after a hand edit", query, env, args.timeout)
    finally:
        undo()
    run_once(query, env)

    # SQLite (and PostgreSQL) imports, so their stores can join the headline group.
    say("- import")
    database = OUT / f"work-{size}.db"
    for stale in OUT.glob(f"work-{size}.db*"):
        stale.unlink()
    import_limit = max(args.timeout, 400.0 * rows / 1_000_000)
    imported = timed(
        "import",
        [*INVENTORY, "import", str(source), "--create", "--store", str(database)],
        env,
        import_limit,
    )
    pg_url = None
    pg_import = None
    if ctx.server is not None:
        pg_url = ctx.server.create_database(f"bench{size}")
        pg_import = timed(
            "PostgreSQL import",
            [*INVENTORY, "import", str(source), "--create", "--store", pg_url],
            env,
            import_limit,
        )

    say("- headline query, side by side")
    commands: dict[str, Command] = {"list": (query, env)}
    if ctx.duck:
        commands["DuckDB"] = ([ctx.duck, "-c", peers.DUCKDB_QUERY, str(path)], env)
        commands["DuckDB read"] = ([ctx.duck, "-c", peers.DUCKDB_READ, str(path)], env)
    if ctx.miller:
        miller = [ctx.miller, "--icsv", "--ojson", "filter", peers.MILLER_FILTER, str(path)]
        commands["Miller"] = (miller, env)
    commands["SQLite list"] = ([*INVENTORY, *QUERY, "--store", str(database)], env)
    sqlite_peer = peers.sqlite_peer(database)
    if sqlite_peer:
        commands["sqlite3"] = (sqlite_peer, env)
    if pg_url:
        commands["PostgreSQL list"] = ([*INVENTORY, *QUERY, "--store", pg_url], env)
        psql = peers.psql_query(pg_url)
        if psql:
            commands["psql"] = (psql, env)
    head = ctx.group(commands)
    warm = head["list"]
    reader = in_process("csv.reader query", peers.csv_query(path), args.runs)
    passed = in_process("csv.reader pass", peers.csv_pass(path), args.runs)

    name = "`list --project GLACY+ --month 2019-11 --json`, CSV store (warm)"
    if ctx.duck:
        report.put(name, "DuckDB on the same CSV", "—", size, ratio_cell(warm, head["DuckDB"]))
    if ctx.miller:
        report.put(name, "Miller (`mlr filter`)", "—", size, ratio_cell(warm, head["Miller"]))
    report.put(name, "a `csv.reader` pass, in-process", "—", size, ratio_cell(warm, reader))
    if sqlite_peer:
        report.put(
            "the same, SQLite store",
            "Python `sqlite3` running the same SQL (a process)",
            "—",
            size,
            ratio_cell(head["SQLite list"], head["sqlite3"]),
        )
    if pg_url:
        report.put(
            "the same, PostgreSQL store",
            "the same on the SQLite store",
            "≤ 1.5×",
            size,
            ratio_cell(head["PostgreSQL list"], head["SQLite list"], limit=1.5),
        )
        if "psql" in head:
            report.put(
                "the same, PostgreSQL store",
                "psql running the same SQL",
                "—",
                size,
                ratio_cell(head["PostgreSQL list"], head["psql"]),
            )

    # Cache build rows: CPU per row beyond a warm query's, wall, peak, size on disk.
    name = "first query on a new copy (cache build)"
    over_time = {"100k": 3.0, "1m": 30.0}.get(size)
    if ctx.duck:
        cell = ratio_cell(build, head["DuckDB read"])
        if over_time is not None:
            cell.misses.append(not build.times or build.median > over_time)
        report.put(name, "DuckDB reading the whole file", "≤ 3 s at 100k, ≤ 30 s at 1M", size, cell)
    report.put(
        name, "a `csv.reader` pass over every row, in-process", "—", size, ratio_cell(build, passed)
    )
    if build.times:
        per_row = (build.cpu_median - warm.cpu_median) / rows
        cell = Cell(
            f"{per_row * 1e6:.0f} µs ({FILED_CACHE_CPU / per_row:.1f}× under 275 µs)",
            per_row,
            [per_row > FILED_CACHE_CPU / 3],
        )
    else:
        cell = Cell(f"stopped at {ms(args.timeout)}", None, [True])
    report.put(
        "cache build: CPU per row (beyond a warm query's)",
        "275 µs when filed",
        "≥ 3× cheaper (≤ 92 µs)",
        size,
        cell,
        growth=1.25,
    )
    if cache_bytes:
        share = cache_bytes / path.stat().st_size
        report.put(
            "cache on disk",
            "the CSV's size",
            "≤ 2×",
            size,
            Cell(f"{share:.2f}× ({cache_bytes / 2**20:.0f} / {csv_mb:.0f} MB)", share, [share > 2]),
        )
    else:
        ctx.notes.append(f"{size}: no cache found beside the store (.{path.name}.cache*)")
    report.put(
        "first query after a one-row hand edit",
        "`list --json` warm",
        "—",
        size,
        ratio_cell(after_edit, warm),
    )

    query_like(ctx, size, path, warm)
    whole_export(ctx, size, path)
    csv_writes(ctx, size, path, warm)

    # SQLite.
    per_row = imported.median / rows if imported.times else None
    target = "same per row at every size; 100k ≤ 20 s, 1M ≤ 200 s"
    cell = Cell(
        f"{per_row * 1e6:.0f} µs a row ({took(imported)}, {mb(imported.peak_kb)})"
        if per_row
        else took(imported),
        per_row,
    )
    limit = {"100k": 20.0, "1m": 200.0}.get(size)
    if limit is not None:
        cell.misses.append(not imported.times or imported.median > limit)
    report.put("SQLite `import` of the CSV into a new store", "—", target, size, cell, 1.25)
    if pg_import is not None:
        cell = ratio_cell(pg_import, imported)
        if limit is not None:
            cell.misses.append(not pg_import.times or pg_import.median > limit)
        report.put("PostgreSQL `import`", "SQLite `import`", "100k ≤ 20 s, 1M ≤ 200 s", size, cell)
    sqlite_writes(ctx, size, database)
    if pg_url:
        postgres_writes(ctx, size, pg_url)

    say("- validate")
    validate = timed(
        "validate",
        [*INVENTORY, "validate", "--store", str(path)],
        env,
        max(args.timeout, 120.0 * rows / 1_000_000),
    )
    cell = ratio_cell(validate, warm)
    if big:
        cell.misses.append(not validate.times or validate.median > 60)
    report.put("`validate`", "`list --json` warm", "≤ 60 s at 1M", size, cell)

    if not args.no_concurrency and size in ("10k", "100k"):
        say("- concurrent adds")
        plan = [("CSV", path, 50 if size == "10k" else 20)]
        if size == "10k":
            plan.append(("SQLite", database, 100))
        for label, store, count in plan:
            landed, failed, wall = concurrent_bench(ctx, store, count)
            ctx.concurrency.append(
                f"| {count} on the {size} {label} store | {landed} | {failed} | {ms(wall)} |"
            )


def query_like(ctx: Context, size: str, path: Path, warm: Timing) -> None:
    """Each query-like command beside ``list --json`` for the same period, taking turns;
    the table beside the JSON and Rich drawing the same rows."""
    ctx.say("- query-like commands, side by side")
    store = ["--store", str(path)]
    records = OUT / f"q4-{size}.json"
    run = checked(
        "q4", [], run_once([*INVENTORY, "list", *Q4, "--json", *store], ctx.env, keep=True)
    )
    records.write_text(run.output, encoding="utf-8")
    inv = ctx.inv
    commands: dict[str, Command] = {
        "list": inv(*QUERY, *store),
        "list Q4": inv("list", *Q4, "--json", *store),
        "list 2019-11": inv("list", "--month", "2019-11", "--json", *store),
        "list Nov": inv("list", "--from", "2019-11-01", "--to", "2019-12-01", "--json", *store),
        "projects": inv("projects", *store),
        "projects show": inv("projects", "show", "GLACY+", *store),
        "clashes": inv("clashes", *Q4, *store),
        "report": inv("report", *Q4, *store),
        "timeline": inv("timeline", *Q4, *store),
        "calendar": inv("calendar", "--month", "2019-11", *store),
        "upcoming": inv("upcoming", "--as-of", "2019-11-01", "--days", "30", *store),
        "export Q4": inv("export", *Q4, "-o", str(OUT / f"q4-{size}.ics"), *store),
        "table Q4": inv("list", *Q4, *store),
        "Rich alone": (peers.rich_alone(records), ctx.env),
    }
    t = ctx.group(commands)
    bound = 3.0 if size == "1m" else 2.0
    peak = None if size == "1m" else 100.0
    target = "≤ 2×, ≤ 100 MB (1M: ≤ 3×)"
    for label, command, divisor, peer in (
        ("projects", "`projects`", "list", "`list --json` (headline)"),
        ("projects show", "`projects show GLACY+`", "list", "`list --json` (headline)"),
        ("clashes", "`clashes --quarter Q4-2019`", "list Q4", "`list --quarter Q4-2019 --json`"),
        ("report", "`report --quarter Q4-2019`", "list Q4", "`list --quarter Q4-2019 --json`"),
        ("timeline", "`timeline --quarter Q4-2019`", "list Q4", "`list --quarter Q4-2019 --json`"),
        ("calendar", "`calendar --month 2019-11`", "list 2019-11", "`list --month 2019-11 --json`"),
        (
            "upcoming",
            "`upcoming --as-of 2019-11-01 --days 30`",
            "list Nov",
            "`list --from 2019-11-01 --to 2019-12-01 --json`",
        ),
        ("export Q4", "`export --quarter Q4-2019`", "list Q4", "`list --quarter Q4-2019 --json`"),
    ):
        ctx.report.put(
            command,
            peer,
            target,
            size,
            ratio_cell(t[label], t[divisor], limit=bound, peak_limit_mb=peak),
        )
    floor = t["list Q4"].value + t["Rich alone"].value
    rows = len(json.loads(records.read_text(encoding="utf-8") or "[]"))
    ctx.report.put(
        "`list --quarter Q4-2019` as a table",
        "the same as JSON + Rich alone drawing those rows (a process)",
        "≤ 1.2×",
        size,
        ratio_cell(
            t["table Q4"],
            floor,
            limit=1.2,
            extra=f"; {rows} rows, Rich alone {ms(t['Rich alone'].value)}",
        ),
    )
    del warm


def whole_export(ctx: Context, size: str, path: Path) -> None:
    """``export`` of the whole store, once, stopped at twice the issue's 30 s (scaled to the
    size past 100k): seconds, per event, and the icalendar library's own per-event cost."""
    ctx.say("- export of the whole store")
    target = OUT / f"all-{size}.ics"
    target.unlink(missing_ok=True)
    limit = 60.0 * max(1.0, SIZES[size] / 100_000)
    argv = [*INVENTORY, "export", "-o", str(target), "--store", str(path)]
    timing = timed("export", argv, ctx.env, limit)
    if timing.times and target.exists():
        with target.open("rb") as handle:
            events = sum(1 for line in handle if line.startswith(b"BEGIN:VEVENT"))
    else:
        events = SIZES[size]
    floor = peers.ics_per_event(2000)
    ratio = ""
    if floor and timing.times:
        ratio = f"; {timing.median / events / floor[0]:.2f}× icalendar alone ({floor[1]}: "
        ratio += f"{floor[0] * 1e6:.0f} µs an event)"
    elif floor is None:
        ctx.notes.append("the icalendar floor could not run")
    per_event = timing.median / events if timing.times else None
    text = (
        f"{took(timing)}, {per_event * 1e6:.0f} µs an event × {events}, {mb(timing.peak_kb)}"
        if per_event
        else f"{took(timing)} ({events} events)"
    )
    cell = Cell(text + ratio, per_event)
    if size == "100k" or not timing.times:
        cell.misses.append(not timing.times or timing.median > 30)
    ctx.report.put(
        "`export` of the whole store",
        "the icalendar library per event",
        "linear; ≤ 30 s at 100k",
        size,
        cell,
        growth=1.25,
    )


def csv_writes(ctx: Context, size: str, path: Path, warm: Timing) -> None:
    """``add`` (a new activity each time), ``cancel`` of it, the first query after each write,
    and the rewrite floor (copying the file once, in a fresh process) taking turns."""
    ctx.say("- CSV writes")
    env, store = ctx.env, str(path)
    query = [*INVENTORY, *QUERY, "--store", store]
    copy = [PYTHON, "-c", peers.COPY, store, str(OUT / f"copy-{size}.csv")]
    t = {name: Timing(name) for name in ("add", "cancel", "after", "copy")}
    rounds = ctx.args.runs
    for n in range(rounds + 1):
        add = checked(
            "add", [], run_once(add_argv(store, n), env, keep=True, limit=ctx.args.timeout)
        )
        cancel = [*INVENTORY, "cancel", added_id(add.output), "--store", store]
        after = checked("query after add", query, run_once(query, env))
        gone = checked("cancel", cancel, run_once(cancel, env, limit=ctx.args.timeout))
        floor = checked("copy", copy, run_once(copy, env))
        run_once(query, env)
        if n or add.wall > ctx.args.slow:  # the first round warms up, unless slow
            t["add"].add(add)
            t["after"].add(after)
            t["cancel"].add(gone)
            t["copy"].add(floor)
            if not n:
                break
    inproc = in_process("copy in-process", peers.copy_once(path, OUT / f"copy-{size}.csv"), 3)
    (OUT / f"copy-{size}.csv").unlink(missing_ok=True)
    for name, label in (("add", "CSV `add`"), ("cancel", "CSV `cancel`")):
        floor_ratio = t[name].value / inproc.value if inproc.value else float("nan")
        cell = ratio_cell(
            t[name],
            t["copy"],
            limit=2.0 if size == "1m" else None,
            peak_limit_mb=100,
            extra=f"; {floor_ratio:.0f}× a copy in-process, {ms(inproc.value)}",
        )
        ctx.report.put(
            label, "copying the file once (a process)", "≤ 2× at 1M, ≤ 100 MB", size, cell
        )
    ctx.report.put(
        "first query after a tool write (CSV)",
        "`list --json` warm",
        "costs the rows written (read: ≤ 1.5×)",
        size,
        ratio_cell(t["after"], warm, limit=1.5),
    )


def sqlite_writes(ctx: Context, size: str, database: Path) -> None:
    """``add``, ``edit`` and ``cancel`` on the SQLite store, alternated with ``list --json``
    on the bundled store."""
    ctx.say("- SQLite writes")
    env, store = ctx.env, str(database)
    bundled = [*INVENTORY, *QUERY, "--store", str(ctx.bundled)]
    t = {name: Timing(name) for name in ("add", "edit", "cancel", "bundled")}
    for n in range(ctx.args.runs + 1):
        add = checked("add", [], run_once(add_argv(store, n), env, keep=True))
        ident = added_id(add.output)
        steps = [
            ("bundled", bundled),
            ("edit", [*INVENTORY, "edit", ident, "--title", f"Edited {n}", "--store", store]),
            ("bundled", bundled),
            ("cancel", [*INVENTORY, "cancel", ident, "--store", store]),
            ("bundled", bundled),
        ]
        if n:
            t["add"].add(add)
        for name, argv in steps:
            run = checked(name, argv, run_once(argv, env))
            if n:
                t[name].add(run)
    for name in ("add", "edit", "cancel"):
        ctx.report.put(
            f"SQLite `{name}`",
            "`list --json` on the bundled store (alternated)",
            "≤ 1.5×",
            size,
            ratio_cell(t[name], t["bundled"], limit=1.5),
        )
    ctx.sqlite_add = t["add"]


def postgres_writes(ctx: Context, size: str, url: str) -> None:
    ctx.say("- PostgreSQL writes")
    env = ctx.env
    insert = peers.psql_insert(url)
    t = {name: Timing(name) for name in ("add", "psql")}
    for n in range(ctx.args.runs + 1):
        add = checked("add", [], run_once(add_argv(url, n), env, keep=True))
        floor = checked("psql insert", insert, run_once(insert, env)) if insert else None
        if n:
            t["add"].add(add)
            if floor:
                t["psql"].add(floor)
    cell = ratio_cell(t["add"], ctx.sqlite_add)
    cell.misses.append(t["add"].median > 0.3)
    ctx.report.put("PostgreSQL `add`", "SQLite `add`", "≤ 0.3 s", size, cell)
    if insert:
        ctx.report.put(
            "PostgreSQL `add`", "a psql one-row insert", "—", size, ratio_cell(t["add"], t["psql"])
        )


def concurrent_bench(ctx: Context, store: Path, count: int) -> tuple[int, int, float]:
    """``count`` adds started at once (tests/writers.py, as the tests do): (landed, failed,
    wall seconds)."""
    sys.path.insert(0, str(ROOT))
    from tests.writers import concurrent_adds

    tag = time.time_ns()
    start = time.perf_counter()
    writers = concurrent_adds(
        store,
        count,
        title=f"Concurrent bench {tag}",
        dates=lambda n: "7 May 2020",
        command=INVENTORY,
        env=ctx.env,
        cwd=ROOT,
    )
    failed = sum(w.returncode != 0 for w in writers)
    wall = time.perf_counter() - start
    after = json.loads(
        subprocess.run(
            [
                *INVENTORY,
                "list",
                "--json",
                "--search",
                f"Concurrent bench {tag}",
                "--store",
                str(store),
            ],
            capture_output=True,
            text=True,
            env=ctx.env,
            cwd=ROOT,
        ).stdout
        or "[]"
    )
    return len(after), failed, wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10k,100k", help="any of 10k,100k,1m (default: 10k,100k)"
    )
    parser.add_argument("--million", action="store_true", help="add 1m to the sizes")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument("--startup-runs", type=int, default=15)
    parser.add_argument(
        "--slow",
        type=float,
        default=3.0,
        help="a command whose warm-up takes longer is measured by that one run (default 3 s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds after which a run is stopped and reported as such (default 300)",
    )
    parser.add_argument("--cpu", action="store_true", help="ratios of CPU time, not wall time")
    parser.add_argument("--setup", action="store_true", help="install khal and DuckDB first")
    parser.add_argument("--no-concurrency", action="store_true", help="skip the concurrent adds")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="the PostgreSQL store too, on a server started for the run (tests/pgserver.py)",
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.setup:
        peers.setup()
    measure.CPU = args.cpu
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    if args.million and "1m" not in sizes:
        sizes.append("1m")
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}: use 10k, 100k or 1m")
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    bundled = OUT / "bundled.csv"
    for stale in OUT.glob(".bundled.csv*"):
        stale.unlink()
    shutil.copy(ROOT / "data" / "activities.csv", bundled)
    miller, duck = peers.tool("mlr"), peers.venv_python("duckdb")
    ctx = Context(args, child_env(), Report(), [], say, bundled, miller, duck)
    if not miller:
        ctx.notes.append("Miller is not installed (apt-get install -y miller)")
    if not duck:
        ctx.notes.append("DuckDB is not installed (python bench/run.py --setup)")
    load = os.getloadavg()[0]
    head = (
        f"# {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {load:.2f}; median of {args.runs} runs "
        f"({args.startup_runs} for start-up), ratios of {'CPU' if args.cpu else 'wall'} time"
    )
    say(head)
    server = None
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from tests.pgserver import missing_reason, start_server

        reason = missing_reason()
        if reason:
            raise SystemExit(reason)
        server = start_server(fast=False)
        ctx.server = server
    try:
        say("- start-up")
        first = startup(ctx)
        for size in sizes:
            one_size(ctx, size)
    finally:
        if server is not None:
            server.remove()
    lines.clear()
    total = time.perf_counter() - began
    # CPU time does not stretch with the machine's load: it tells what the run would take
    # alone on the machine (the run is one process at a time, but for the cache build's
    # workers, DuckDB and the concurrent adds).
    children, own = (
        resource.getrusage(resource.RUSAGE_CHILDREN),
        resource.getrusage(resource.RUSAGE_SELF),
    )
    cpu = children.ru_utime + children.ru_stime + own.ru_utime + own.ru_stime
    say(f"{head}; the run took {total / 60:.1f} minutes ({cpu / 60:.1f} of CPU)\n")
    for line in first:
        say(line)
    say("")
    for line in ctx.report.markdown(sizes, growth=len(sizes) > 1):
        say(line)
    if ctx.concurrency:
        say("\n| concurrent adds, all started at once | landed | failed | wall |")
        say("|---|---|---|---|")
        for line in ctx.concurrency:
            say(line)
    for note in ctx.notes:
        say(f"\nNote: {note}")
    (OUT / "last-run.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
