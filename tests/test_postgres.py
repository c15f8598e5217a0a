"""The PostgreSQL store against a real server started by the tests (tests/backends.py):
its schema, credentials as psql takes them, concurrent officers, failures mid-write, and
moving a team's CSV onto the server and back. What every backend shares (queries, writes,
history, undo) is in test_backends.py and test_history.py."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from inventory.cli import app
from inventory.query import POSTGRES, Criteria
from inventory.store import open_store, pgschema
from inventory.store.postgres import redact, row_of
from tests.helpers import BUNDLED_STORE, light_probe, runner
from tests.pgserver import PASSWORD, Server

pytestmark = pytest.mark.slow  # starts a real PostgreSQL server

BENIN = "4nc4qthh"  # "Initial assessment mission, Benin, 17-20 February (dates TBC)"


def run(store: str, *args: str, code: int = 0, env: dict[str, str] | None = None) -> Any:
    result = runner.invoke(app, [*args, "--store", store], env=env)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result


def inventory_command() -> list[str]:
    script = Path(sys.executable).parent / "inventory"
    return [str(script)] if script.exists() else [sys.executable, "-m", "inventory.cli"]


def spawn(store: str, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*inventory_command(), *args, "--store", store],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url, autocommit=True)


def count(url: str) -> int:
    with connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM activity").fetchone()
        return int(row[0]) if row else -1


def changes(url: str) -> list[int]:
    with connect(url) as connection:
        return [r[0] for r in connection.execute("SELECT number FROM change ORDER BY number")]


def wait_blocked(url: str, how_many: int, timeout: float = 60.0) -> None:
    """Until ``how_many`` inventory clients wait on a lock on the server."""
    deadline = time.monotonic() + timeout
    with connect(url) as connection:
        while True:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'inventory' "
                "AND wait_event_type = 'Lock'"
            ).fetchone()
            if row and row[0] >= how_many:
                return
            assert time.monotonic() < deadline, "the clients never reached their write"
            time.sleep(0.05)


@contextlib.contextmanager
def holding(url: str, sql: str) -> Iterator[psycopg.Connection[Any]]:
    """Run ``sql`` in a transaction of our own and keep it open (its locks held)."""
    connection = psycopg.connect(url)
    try:
        connection.execute(sql)
        yield connection
    finally:
        with contextlib.suppress(psycopg.Error):
            connection.rollback()
            connection.close()


# --- the schema ------------------------------------------------------------------------------


def test_db_init_creates_the_schema_and_records_its_version(pg_empty: str) -> None:
    result = run(pg_empty, "list", code=1)
    assert "this database holds no inventory yet" in result.stderr
    assert "inventory db init --store" in result.stderr
    assert "created the inventory" in run(pg_empty, "db", "init").stderr
    with connect(pg_empty) as connection:
        rows = connection.execute("SELECT version FROM inventory_schema ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == list(range(1, pgschema.VERSION + 1))
    assert "nothing to do" in run(pg_empty, "db", "init").stderr
    assert run(pg_empty, "list", "--json").stdout == "[]\n"
    assert "is up to date" in run(pg_empty, "db", "upgrade").stderr


def _store_at(server: Server, version: int, name: str) -> str:
    """A database made by the steps up to ``version``, holding the 132 activities as that
    version kept them."""
    url = server.create_database(name)
    with connect(url) as connection:
        if version:
            pgschema.apply(connection, version)
        if version >= 1:
            with open_store(str(BUNDLED_STORE)) as csv_store:
                activities = csv_store.select()
            columns = pgschema_columns(version)
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY activity ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for activity in activities:
                    copy.write_row(row_of(activity, 0)[: len(columns)])
            for table, key, values in (
                ("activity_project", "project", lambda a: a.projects),
                ("activity_country", "code", lambda a: dict.fromkeys(a.country_codes)),
            ):
                with (
                    connection.cursor() as cursor,
                    cursor.copy(f"COPY {table} (id, {key}) FROM STDIN") as copy,
                ):
                    for activity in activities:
                        for value in values(activity):
                            copy.write_row((activity.id, value))
    return url


def pgschema_columns(version: int) -> list[str]:
    """The activity columns of a schema version (version 2 added ``version``)."""
    columns = [
        "id", "record", "sort", "start", '"end"', "during", "days", "parts", "month",
        '"precision"', "certainty", "deadline", "status", "city", "haystack", "version",
    ]  # fmt: skip
    return columns if version >= 2 else columns[:-1]


@pytest.mark.parametrize("version", range(pgschema.VERSION))
def test_upgrade_from_every_earlier_version(pg_server: Server, version: int) -> None:
    url = _store_at(pg_server, version, f"old{version}")
    if version:
        refused = run(url, "list", code=1)
        assert f"schema version {version}; this inventory needs {pgschema.VERSION}" in (
            refused.stderr
        )
        assert "inventory db upgrade --store" in refused.stderr
    upgraded = run(url, "db", "upgrade").stderr
    assert f"upgraded from schema {version} to {pgschema.VERSION}" in upgraded
    if not version:
        assert run(url, "list", "--json").stdout == "[]\n"
        return
    expected = run(str(BUNDLED_STORE), "list", "--json").stdout
    assert run(url, "list", "--json").stdout == expected
    # Rows written before the history have version 0: an edit of one is recorded.
    run(url, "edit", BENIN, "--title", "Assessment mission")
    [change] = json.loads(run(url, "history", BENIN, "--json").stdout)
    assert change["edits"][0]["before"]["title"] == "Initial assessment mission"
    run(url, "undo")
    assert run(url, "list", "--json").stdout == expected


def test_a_schema_newer_than_the_tool_is_refused(pg_store: str) -> None:
    with connect(pg_store) as connection:
        connection.execute("INSERT INTO inventory_schema (version, what) VALUES (99, 'future')")
    result = run(pg_store, "list", code=1)
    assert "schema version 99, newer than this inventory knows" in result.stderr
    assert "db upgrade" not in result.stderr
    assert "newer than this inventory knows" in run(pg_store, "db", "upgrade", code=1).stderr


def test_a_period_query_is_an_index_search_on_the_server(pg_store: str) -> None:
    # 20,000 more activities spread over fifty years, so that the planner has a choice.
    with connect(pg_store) as connection:
        connection.execute(
            "INSERT INTO activity SELECT 'gen' || n, a.record, a.sort, d, d + 2, "
            "daterange(d, d + 2, '[]'), datemultirange(daterange(d, d + 2, '[]')), 1, "
            'a.month, a."precision", a.certainty, a.deadline, a.status, a.city, '
            "a.haystack, 0 FROM generate_series(1, 20000) n, "
            "LATERAL (SELECT date '2000-01-01' + (n * 37 % 18000) AS d) days, "
            f"(SELECT * FROM activity WHERE id = '{BENIN}') a"
        )
        connection.execute("ANALYZE")
        where, params = Criteria(period=(_day("2019-11-01"), _day("2019-11-30"))).to_sql(POSTGRES)
        plan = "\n".join(
            r[0]
            for r in connection.execute(
                f"EXPLAIN SELECT a.record FROM activity a WHERE {where} ORDER BY a.sort", params
            )
        )
    assert "activity_during" in plan, plan


def test_a_large_import_leaves_the_planner_ready_for_period_queries(
    pg_empty: str, tmp_path: Path
) -> None:
    from bench.generate import write

    generated = tmp_path / "generated.csv"
    write(generated, 1500, seed=11)
    run(pg_empty, "import", str(generated), "--create")
    with connect(pg_empty) as connection:
        analysed = connection.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
            "AND relname IN ('activity', 'activity_project', 'activity_country')"
        ).fetchone()
        where, params = Criteria(period=(_day("2019-11-01"), _day("2019-11-30"))).to_sql(POSTGRES)
        plan = "\n".join(
            r[0]
            for r in connection.execute(
                f"EXPLAIN SELECT a.record FROM activity a WHERE {where} ORDER BY a.sort", params
            )
        )
    assert analysed == (3,)
    assert "activity_during" in plan, plan


def _day(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


# --- credentials ------------------------------------------------------------------------------


@pytest.fixture
def officer_db(pg_server: Server) -> str:
    """A database owned by the role 'officer', who logs in with a password over TCP."""
    name = f"team{time.monotonic_ns()}"
    pg_server.create_database(name, owner="officer")
    return name


def test_password_in_the_url_is_used_and_never_shown(
    pg_server: Server, officer_db: str, tmp_path: Path
) -> None:
    url = pg_server.tcp_url(officer_db, password=PASSWORD)
    init = run(url, "db", "init")
    run(url, "import", str(BUNDLED_STORE))
    assert len(json.loads(run(url, "list", "--json").stdout)) == 132
    shown = json.loads(runner.invoke(app, ["config", "--json", "--store", url]).stdout)
    assert shown["store"] == pg_server.tcp_url(officer_db)
    # The command line recorded in the history has no password either.
    process = spawn(url, "cancel", BENIN)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    history = run(url, "history", "--json").stdout
    assert "--store postgresql://officer@127.0.0.1:" in history
    for text in (init.stderr, out, err, history, json.dumps(shown)):
        assert PASSWORD not in text


@pytest.mark.parametrize("way", ["PGPASSWORD", "pgpass", "service"])
def test_password_from_the_environment_pgpass_or_a_service_file(
    pg_server: Server, officer_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    url = pg_server.tcp_url(officer_db)
    if way == "PGPASSWORD":
        monkeypatch.setenv("PGPASSWORD", PASSWORD)
    elif way == "pgpass":
        pgpass = tmp_path / "pgpass"
        pgpass.write_text(f"127.0.0.1:{pg_server.port}:*:officer:{PASSWORD}\n")
        pgpass.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
    else:
        services = tmp_path / "pg_service.conf"
        services.write_text(
            f"[team]\nhost=127.0.0.1\nport={pg_server.port}\nuser=officer\n"
            f"dbname={officer_db}\npassword={PASSWORD}\n"
        )
        monkeypatch.setenv("PGSERVICEFILE", str(services))
        url = "postgresql:///?service=team"
    assert "created the inventory" in run(url, "db", "init").stderr
    assert run(url, "list", "--json").stdout == "[]\n"


def test_a_wrong_or_missing_password_is_one_line(pg_server: Server, officer_db: str) -> None:
    wrong = run(pg_server.tcp_url(officer_db, password="not-it"), "list", code=1)
    [message, hint] = wrong.stderr.splitlines()
    assert message.startswith("inventory: error: postgresql://officer@127.0.0.1:")
    assert 'password authentication failed for user "officer"' in message
    assert "not-it" not in wrong.stderr
    assert hint == (
        "inventory: hint: the password in the URL was refused; check it (or leave it out of the "
        "URL and "
        "give it in PGPASSWORD, ~/.pgpass or a service file, as for psql)"
    )
    missing = run(pg_server.tcp_url(officer_db), "list", code=1)
    assert "no password supplied" in missing.stderr
    assert "hint: give the password in PGPASSWORD, ~/.pgpass or a service file" in missing.stderr


def test_a_silent_network_is_noticed_and_a_silent_client_lets_go(pg_store: str) -> None:
    # A cut link sends nothing: without keepalives and a TCP user timeout a write would wait
    # for ever. What the URL says wins over the defaults.
    store: Any = open_store(pg_store)
    try:
        settings = store.raw.info.get_parameters()
        assert settings["keepalives_idle"] == "10" and settings["tcp_user_timeout"] == "30000"
        with store.raw.cursor() as cursor:
            cursor.execute("SHOW idle_in_transaction_session_timeout")
            assert cursor.fetchone() == ("5min",)
    finally:
        store.close()
    own = f"{pg_store}{'&' if '?' in pg_store else '?'}tcp_user_timeout=2000&keepalives_idle=3"
    store = open_store(own)
    try:
        settings = store.raw.info.get_parameters()
        assert settings["keepalives_idle"] == "3" and settings["tcp_user_timeout"] == "2000"
    finally:
        store.close()


def test_a_server_that_is_not_there(tmp_path: Path) -> None:
    url = f"postgresql://officer:{PASSWORD}@127.0.0.1:1/inventory"
    result = run(url, "list", code=1)
    assert result.stderr.startswith(
        "inventory: error: postgresql://officer@127.0.0.1:1/inventory: cannot connect:"
    )
    assert "is the server running" in result.stderr
    assert PASSWORD not in result.stderr and "Traceback" not in result.stderr


def test_redact() -> None:
    assert redact("postgresql://jane:pw@db/x") == "postgresql://jane@db/x"
    assert redact("postgresql://db/x?password=pw&sslmode=require") == (
        "postgresql://db/x?password=***&sslmode=require"
    )
    assert redact("--store=postgresql://jane:p%40ss@db:5432/x") == (
        "--store=postgresql://jane@db:5432/x"
    )
    assert redact("postgresql:///?service=team") == "postgresql:///?service=team"


# --- concurrent officers ---------------------------------------------------------------------


def test_fifty_concurrent_adds_all_land(pg_store: str) -> None:
    processes = [
        spawn(
            pg_store,
            "add",
            "-p",
            "GLACY+",
            "-t",
            f"Concurrent workshop {n}",
            "-l",
            "Ghana",
            "-d",
            f"{n % 28 + 1} May 2021",
            INVENTORY_AUTHOR=f"officer{n}",
        )
        for n in range(50)
    ]
    errors = [p.communicate(timeout=300)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * 50, errors
    assert count(pg_store) == 182
    titles = {a["title"] for a in json.loads(run(pg_store, "list", "--json").stdout)}
    assert {f"Concurrent workshop {n}" for n in range(50)} <= titles
    authors = {c["author"] for c in json.loads(run(pg_store, "history", "--json").stdout)}
    assert authors == {"setup", *(f"officer{n}" for n in range(50))}


def test_two_conflicting_edits_one_lands_the_other_names_the_field_and_who(
    pg_store: str,
) -> None:
    # Both read the activity, then queue behind our lock on its row; when we let go, the
    # first to get the row writes it, and the second finds it changed.
    with holding(pg_store, f"SELECT 1 FROM activity WHERE id = '{BENIN}' FOR UPDATE"):
        alice = spawn(pg_store, "edit", BENIN, "--title", "Alice's title", INVENTORY_AUTHOR="alice")
        bob = spawn(pg_store, "edit", BENIN, "--dates", "18-21 February", INVENTORY_AUTHOR="bob")
        wait_blocked(pg_store, 2)
    outcomes = {"alice": alice.communicate(timeout=60), "bob": bob.communicate(timeout=60)}
    codes = {"alice": alice.returncode, "bob": bob.returncode}
    assert sorted(codes.values()) == [0, 1], outcomes
    winner = next(name for name, code in codes.items() if code == 0)
    loser = "bob" if winner == "alice" else "alice"
    field = {"alice": "title", "bob": "dates"}[winner]
    # (The loser said what it meant to change before it tried to write it.)
    [message, hint] = outcomes[loser][1].splitlines()[-2:]
    assert message.startswith(f"inventory: error: {BENIN} was changed by {winner} (change 2, ")
    assert message.endswith(f"UTC): {field} while this command ran; nothing was written")
    assert f"inventory show {BENIN}" in hint
    shown = json.loads(run(pg_store, "show", BENIN, "--json").stdout)
    if winner == "alice":
        assert (shown["title"], shown["schedule"]["start"]) == ("Alice's title", "2020-02-17")
    else:
        assert (shown["title"], shown["schedule"]["start"]) == (
            "Initial assessment mission",
            "2020-02-18",
        )
    assert changes(pg_store) == [1, 2]


def test_a_row_held_too_long_is_a_clear_error(pg_store: str) -> None:
    with holding(pg_store, f"SELECT 1 FROM activity WHERE id = '{BENIN}' FOR UPDATE"):
        process = spawn(pg_store, "cancel", BENIN, INVENTORY_LOCK_TIMEOUT="1")
        _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "held these activities for 1 s; nothing was written" in err
    assert "Traceback" not in err
    assert changes(pg_store) == [1]


# --- failures in the middle of a write ----------------------------------------------------------


def test_a_client_killed_in_the_middle_of_an_import_leaves_nothing(pg_empty: str) -> None:
    run(pg_empty, "db", "init")
    # The import writes its activities, then waits for our lock on the countries' table:
    # it is killed with its rows written and not committed.
    with holding(pg_empty, "LOCK TABLE activity_country IN EXCLUSIVE MODE"):
        process = spawn(pg_empty, "import", str(BUNDLED_STORE))
        wait_blocked(pg_empty, 1)
        assert writing_activities(pg_empty)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert count(pg_empty) == 0
    assert changes(pg_empty) == []


def writing_activities(url: str) -> bool:
    """Whether an inventory client has written rows into ``activity`` (uncommitted)."""
    with connect(url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity s USING (pid) "
            "WHERE s.application_name = 'inventory' AND l.granted "
            "AND l.relation = 'activity'::regclass AND l.mode = 'RowExclusiveLock'"
        ).fetchone()
    return bool(row and row[0])


def test_the_server_stopping_during_a_write_is_one_line_and_writes_nothing(
    pg_server: Server, pg_empty: str
) -> None:
    run(pg_empty, "db", "init")
    try:
        with holding(pg_empty, "LOCK TABLE activity_country IN EXCLUSIVE MODE"):
            process = spawn(pg_empty, "import", str(BUNDLED_STORE))
            wait_blocked(pg_empty, 1)
            assert writing_activities(pg_empty)
            pg_server.stop("fast")
            _, err = process.communicate(timeout=60)
    finally:
        pg_server.start()
        pg_server.wait_ready()
    assert process.returncode == 1
    lines = [line for line in err.splitlines() if "warning" not in line]
    assert lines[0].startswith("inventory: error: postgresql://")
    assert (
        "cannot write: terminating connection due to administrator command; nothing was written"
        in lines[0]
    )
    assert "Traceback" not in err
    assert count(pg_empty) == 0
    assert changes(pg_empty) == []


# --- moving a team onto the server, and back ----------------------------------------------------


def test_moving_a_csv_onto_the_server_and_back_is_lossless(pg_empty: str, tmp_path: Path) -> None:
    # The team's CSV has a column of its own and a cancelled activity.
    lines = BUNDLED_STORE.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",status")
    lines[5] = lines[5].rsplit(",", 1)[0] + ",cancelled"
    lines[0] += ",officer"
    lines[1:] = [f"{line},{'Ana' if i % 3 == 0 else ''}" for i, line in enumerate(lines[1:])]
    team = tmp_path / "team.csv"
    team.write_text("\n".join(lines) + "\n", encoding="utf-8")
    original = run(str(team), "list", "--json").stdout
    assert '"status": "cancelled"' in original and '"officer": "Ana"' in original

    imported = run(pg_empty, "import", str(team), "--create")
    assert "added 132, updated 0, unchanged 0" in imported.stderr
    assert run(pg_empty, "list", "--json").stdout == original

    backup = tmp_path / "backup.csv"
    result = runner.invoke(app, ["import", "-", "--store", str(backup), "--create"], input=original)
    assert result.exit_code == 0, result.stderr
    assert run(str(backup), "list", "--json").stdout == original

    dump = tmp_path / "dump.csv"
    assert "dumped 132 activities" in run(pg_empty, "db", "dump", "-o", str(dump)).stderr
    assert run(str(dump), "list", "--json").stdout == original
    assert run(pg_empty, "db", "dump").stdout == dump.read_text(encoding="utf-8")


# --- the question officers ask most, answered without the models ------------------------------


def test_a_json_query_on_the_server_builds_no_model(pg_store: str) -> None:
    # `list ... --json` prints the records as the server keeps them: neither Rich nor the
    # models are imported (pydantic is, by Typer: see test_architecture.py), and the answer
    # is the one the models give.
    argv = ["list", "--project", "GLACY+", "--month", "2019-11", "--json", "--store", pg_store]
    probe = light_probe(argv)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stderr.strip().splitlines()[-1] == "['pydantic']", done.stderr
    titles = [r["title"] for r in json.loads(done.stdout)]
    assert len(titles) == 11 and titles[0] == "INTERPOL Malware Analysis Training"
    assert done.stdout == run(str(BUNDLED_STORE), *argv[:-2]).stdout


def test_the_records_the_server_keeps_are_those_its_models_give(pg_store: str) -> None:
    from datetime import date

    from inventory.records import to_record

    questions = [
        Criteria(),
        Criteria(projects=("GLACY+",), period=(date(2019, 11, 1), date(2019, 11, 30))),
        Criteria(countries=("MA",)),
        Criteria(search="stakeholders’"),
        Criteria(period=(date(2020, 3, 16), date(2020, 3, 16))),
    ]
    with open_store(pg_store) as store:
        for where in questions:
            for limit in (None, 3):
                kept = store.select(where, limit).records
                made = [
                    json.dumps(to_record(a), ensure_ascii=False)
                    for a in store.select(where, limit).activities
                ]
                assert kept == made and kept, where
        # --project resolves from the names the server and the built-in list know.
        lookup = store.project_lookup()
        assert lookup is not None
        assert lookup["glacy+"] == lookup["glacy"] == "GLACY+"
