"""The floors and peers bench/run.py divides by, each answering the same question as the
command it is compared with: Miller, DuckDB and a ``csv.reader`` pass on the same CSV, a
Python ``sqlite3`` script and psql running the same SQL, Rich drawing the same rows, the
icalendar library writing events, copying the file once."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from measure import ROOT

BENCH = ROOT / "bench"
OUT = BENCH / "out"
VENV = OUT / "venv"
PYTHON = sys.executable

MILLER_FILTER = (
    '$projects =~ "(^|; )GLACY[+](;|$)" && $start <= "2019-11-30" && $end >= "2019-11-01"'
)
DUCKDB_QUERY = """
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
DUCKDB_READ = """
import sys, duckdb
duckdb.sql("CREATE TABLE t AS SELECT * FROM read_csv($1, all_varchar = true, header = true)",
           params=[sys.argv[1]])
"""
SQLITE_QUERY = """
import json, sqlite3, sys
connection = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = connection.execute(sys.argv[2], json.loads(sys.argv[3]))
sys.stdout.write("[\\n" + ",\\n".join(r for (r,) in rows) + "\\n]\\n")
"""
RICH_ALONE = """
import json, os, sys
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

records = json.load(open(sys.argv[1], encoding="utf-8"))
table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
for name in ("ID", "Dates", "Projects", "Title", "Location"):
    table.add_column(name, overflow="fold")
for r in records:
    table.add_row(r["id"], Text(r["schedule"]["text"]), ", ".join(r["projects"]) or "-",
                  r["title"], (r.get("place") or {}).get("text") or "")
Console(file=open(os.devnull, "w"), width=120).print(table)
"""
ICS_FLOOR = """
import sys, time
from datetime import date, datetime, timedelta, timezone
from icalendar import Calendar, Event

count = int(sys.argv[1])
start = time.perf_counter()
calendar = Calendar()
calendar.add("prodid", "-//bench//ics floor//EN")
calendar.add("version", "2.0")
stamp = datetime(2024, 1, 1, tzinfo=timezone.utc)
for n in range(count):
    day = date(2019, 1, 1) + timedelta(days=n % 3000)
    event = Event()
    event.add("uid", f"bench{n:08d}@inventory")
    event.add("dtstamp", stamp)
    event.add("sequence", 0)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=2))
    event.add("summary", f"GLACY+: Regional workshop on cybercrime number {n}")
    event.add("status", "CONFIRMED")
    event.add("location", "Accra, Ghana")
    event.add("categories", ["GLACY+"])
    event.add("description", "4-5 November 2019\\nProjects: GLACY+\\nId: bench")
    calendar.add_component(event)
data = calendar.to_ical()
print((time.perf_counter() - start) / count)
"""
COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"


def tool(name: str) -> str | None:
    found = VENV / "bin" / name
    return str(found) if found.exists() else shutil.which(name)


def venv_python(module: str) -> str | None:
    python = VENV / "bin" / "python"
    if python.exists():
        probe = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)
        if probe.returncode == 0:
            return str(python)
    return None


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


def setup() -> None:
    """khal and DuckDB for the comparison only, in their own virtual environment."""
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "khal", "duckdb"], check=True)
    if shutil.which("mlr") is None:
        print("Miller is not installed: apt-get install -y miller", file=sys.stderr)


def csv_query(path: Path) -> Callable[[], object]:
    """The headline question with a plain csv.reader loop on the raw (derived) columns: no
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


def csv_pass(path: Path) -> Callable[[], object]:
    """Every row of the file through csv.reader, kept as a tuple: the least a cache build
    could do."""

    def read() -> object:
        with path.open(encoding="utf-8", newline="") as handle:
            return sum(1 for _ in csv.reader(handle))

    return read


def copy_once(path: Path, target: Path) -> Callable[[], object]:
    return lambda: shutil.copyfile(path, target)


def rich_alone(records: Path) -> list[str]:
    """Rich drawing the rows of ``records`` (list --json's output) as a five-column table
    at 120 columns, in a fresh process timed as the commands are: the inline script above.
    (``bench/rich_alone.py`` draws the very table ``list`` prints and reports the CPU of the
    import and drawing alone, for a closer look; it runs processes of its own, so it is not
    a command to time beside the others.)"""
    return [PYTHON, "-c", RICH_ALONE, str(records)]


def ics_per_event(count: int) -> tuple[float, str] | None:
    """Seconds the icalendar library takes per event, writing ``count`` events as export
    does, and where the figure came from: bench/ics_floor.py when there is one (its
    "icalendar alone" line: the library given each event's values, a store of ``count``
    generated activities), else the inline script above (the fields of
    src/inventory/formats/ics.py, median of three fresh processes)."""
    script = BENCH / "ics_floor.py"
    if script.exists():
        done = subprocess.run(
            [PYTHON, str(script), "--rows", str(count)], capture_output=True, text=True
        )
        for line in done.stdout.splitlines():
            if line.startswith("icalendar alone") and "µs/event" in line:
                try:
                    figure = float(line.split(":")[-1].split("µs")[0])
                except ValueError:
                    break
                return figure / 1e6, "bench/ics_floor.py, CPU"
    figures = []
    for _ in range(3):
        done = subprocess.run([PYTHON, "-c", ICS_FLOOR, str(count)], capture_output=True)
        if done.returncode != 0:
            return None
        figures.append(float(done.stdout))
    return sorted(figures)[1], f"icalendar alone, {count} events"


def sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def headline_sql(dialect: str, max_span: int) -> tuple[str, list[object]] | None:
    """The SQL inventory's SQLite (or PostgreSQL) store runs for the headline query, from
    the project's own Criteria, so the peer runs exactly the same statement."""
    try:
        from inventory.months import month_bounds
        from inventory.query import POSTGRES, SQLITE, Criteria
    except ImportError:
        return None
    criteria = Criteria(projects=("GLACY+",), period=month_bounds("2019-11"))
    where, params = criteria.to_sql(POSTGRES if dialect == "postgresql" else SQLITE, max_span)
    column = "a.record::text" if dialect == "postgresql" else "a.record"
    return f"SELECT {column} FROM activity a WHERE {where} ORDER BY a.sort", list(params)


def sqlite_peer(database: Path) -> list[str] | None:
    import sqlite3

    try:
        with sqlite3.connect(database) as connection:
            row = connection.execute("SELECT value FROM meta WHERE key = 'max_span'").fetchone()
    except sqlite3.Error:
        row = None
    found = headline_sql("sqlite", int(row[0]) if row else 0)
    if found is None:
        return None
    sql, params = found
    return [PYTHON, "-c", SQLITE_QUERY, str(database), sql, json.dumps(params)]


def psql_query(url: str) -> list[str] | None:
    psql = shutil.which("psql")
    found = headline_sql("postgresql", 0)
    if psql is None or found is None:
        return None
    sql, params = found
    for value in params:
        sql = sql.replace("%s", sql_literal(str(value)), 1)
    return [psql, url, "-X", "-q", "-A", "-t", "-c", sql]


def psql_insert(url: str) -> list[str] | None:
    """A one-row insert and its commit through psql: the least a write on the server costs
    (a table of the benchmark's own, one row of the store copied into it)."""
    psql = shutil.which("psql")
    if psql is None:
        return None
    create = "CREATE TABLE IF NOT EXISTS bench_floor (n bigint, record json)"
    subprocess.run([psql, url, "-X", "-q", "-c", create], check=True, capture_output=True)
    insert = "INSERT INTO bench_floor SELECT 1, record FROM activity ORDER BY id LIMIT 1"
    return [psql, url, "-X", "-q", "-c", insert]
