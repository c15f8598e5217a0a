"""A PostgreSQL password never shows (G5 of the reliability review): not in any output,
error, hint, ``config``, history entry or file name, whether the URL is malformed (libpq
quotes the whole URI in its error), points nowhere, holds a wrong password, or reaches a
real server; and ``-o`` given a URL is refused, creating nothing from it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from inventory.errors import redact
from tests.helpers import BUNDLED_STORE
from tests.pgserver import PASSWORD, Server

SECRET = "S3cr3tPW"
BENIN = "4nc4qthh"  # "Initial assessment mission, Benin, 17-20 February (dates TBC)"
GHANA = "0pd2p5j7"  # "Initial assessment visit, Burkina Faso, 27-30 January"


def inventory(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """The installed program, as a user runs it (so the history records its real command
    line): its exit code, and its standard output and error together."""
    script = Path(sys.executable).parent / "inventory"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "inventory.cli"]
    # Run in another folder, a relative PYTHONPATH (src) must still name this tree.
    given = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    paths = [str(Path(p).resolve()) for p in given if p]
    done = subprocess.run(
        [*command, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(paths),
            "INVENTORY_TODAY": "2019-11-28",
            **(env or {}),
        },
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr


def leaks(folder: Path, secret: str) -> list[str]:
    """Every file under ``folder`` whose name or bytes hold ``secret``."""
    found = []
    for path in folder.rglob("*"):
        if secret in str(path.relative_to(folder)):
            found.append(f"name: {path}")
        elif path.is_file() and secret.encode() in path.read_bytes():
            found.append(f"content: {path}")
    return found


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # libpq's error for a malformed IPv6 host quotes the whole URI.
        (
            'in URI: "postgresql://postgres:S3cr3tPW@[::1:55432/inv2"',
            'in URI: "postgresql://postgres@[::1:55432/inv2"',
        ),
        ("postgresql://officer:S3cr3tPW@db/inv", "postgresql://officer@db/inv"),
        ("postgres://officer:S3cr3tPW@db:5432/inv", "postgres://officer@db:5432/inv"),
        # A '/' in the password: no longer a user part to libpq, still the password.
        ("postgresql://officer:S3cr/3tPW@db/inv", "postgresql://officer:***@db/inv"),
        (
            "postgresql://officer@db/inv?password=S3cr3tPW&sslmode=require",
            "postgresql://officer@db/inv?password=***&sslmode=require",
        ),
        (
            "postgresql://officer@db/inv?sslpassword=S3cr3tPW",
            "postgresql://officer@db/inv?sslpassword=***",
        ),
        # libpq's key-value form, bare and quoted.
        ("host=db password=S3cr3tPW dbname=inv", "host=db password=*** dbname=inv"),
        ("host=db password='S3 cr3tPW' dbname=inv", "host=db password=*** dbname=inv"),
        ("host=db PASSWORD = S3cr3tPW", "host=db PASSWORD = ***"),
        # Text without a password is left as it is.
        ("postgresql://officer@db:5432/inv", "postgresql://officer@db:5432/inv"),
        ("postgresql://db:5432/inv?options=-c%20x@y", "postgresql://db:5432/inv?options=-c%20x@y"),
        ("no such store: team/activities.csv", "no such store: team/activities.csv"),
    ],
)
def test_redact_takes_every_form_of_password_out_of_a_text(text: str, shown: str) -> None:
    assert redact(text) == shown


MALFORMED = [
    f"postgresql://postgres:{SECRET}@[::1:55432/inv2",  # the review's G5
    f"postgresql://officer:{SECRET}@127.0.0.1:notaport/inv",
    f"postgresql://officer:{SECRET}@127.0.0.1:1/inv?sslmode=bogus",
    f"postgresql://officer@127.0.0.1:1/inv?password={SECRET}&sslmode=bogus",
    f"postgresql://officer:{SECRET}@127.0.0.1:1/inv",  # nothing listens on port 1
    "postgresql://officer:S3cr%33tPW@[::1/inv",  # percent-encoded: S3cr3tPW
    f"mysql://officer:{SECRET}@127.0.0.1/inv",
    f"host=[::1 password={SECRET} dbname=inv",
    f"postgresql://officer:{SECRET}@/inv?host=/nonexistent/folder",
]
EVERY_COMMAND = [
    ["list"],
    ["upcoming"],
    ["report", "--quarter", "Q4-2019"],
    ["show", BENIN],
    ["add", "-p", "GLACY+", "-t", "Probe", "--dates", "5 May 2020"],
    ["add", "-p", "GLACY+", "-t", "Probe", "--dates", "5 May 2020", "--create"],
    ["edit", BENIN, "--dates", "18-21 February 2020"],
    ["cancel", BENIN],
    ["postpone", BENIN],
    ["remove", BENIN, "--yes"],
    ["validate"],
    ["projects"],
    ["export", "-o", "q4.ics"],
    ["calendar", "--month", "2019-11"],
    ["timeline", "--quarter", "Q4-2019"],
    ["clashes"],
    ["config"],
    ["history"],
    ["undo"],
    ["import", str(BUNDLED_STORE)],
    ["import", str(BUNDLED_STORE), "--create", "--dry-run"],
    ["db", "init"],
    ["db", "upgrade"],
    ["db", "dump", "-o", "dump.csv"],
]


@pytest.mark.parametrize("url", MALFORMED)
def test_no_command_shows_the_password_of_a_url_that_cannot_be_used(
    url: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from inventory.cli import app

    runner = CliRunner()
    here = Path.cwd()
    work = tmp_path / "work"
    work.mkdir()
    os.chdir(work)
    try:
        for command in EVERY_COMMAND:
            result = runner.invoke(app, [*command, "--store", url])
            said = result.stdout + result.stderr
            assert result.exit_code != 0 or command == ["config"], (command, said)
            assert SECRET not in said, (command, said)
            assert "Traceback" not in said, (command, said)
        for how in (["--store", url], []):
            # Given by the environment, and as the settings' store.
            env = {"INVENTORY_STORE": url} if not how else None
            result = runner.invoke(app, ["list", *how], env=env)
            assert SECRET not in result.stdout + result.stderr
        settings = tmp_path / "config.toml"
        settings.write_text(f'store = "{url}"\n', encoding="utf-8")
        for command in (["config"], ["list"]):
            result = runner.invoke(app, command, env={"INVENTORY_CONFIG": str(settings)})
            assert SECRET not in result.stdout + result.stderr, command
    finally:
        os.chdir(here)
    assert leaks(work, SECRET) == []
    assert list(work.iterdir()) == []


def test_the_review_s_malformed_url_is_worded_with_its_password_as_stars(tmp_path: Path) -> None:
    code, said = inventory(
        "list", "--store", f"postgresql://postgres:{SECRET}@[::1:55432/inv2", cwd=tmp_path
    )
    assert code == 1
    assert said == (
        "inventory: error: postgresql://postgres@[::1:55432/inv2: cannot connect: end of "
        'string reached when looking for matching "]" in IPv6 host address in URI: '
        '"postgresql://postgres:***@[::1:55432/inv2"\n'
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", ["list", "export", "report", "projects", "db dump"])
def test_an_output_that_is_a_url_is_refused_and_nothing_is_made_from_it(
    command: str, tmp_path: Path
) -> None:
    store = tmp_path / "activities.csv"
    store.write_bytes(BUNDLED_STORE.read_bytes())
    url = f"postgresql://postgres:{SECRET}@127.0.0.1:55432/inv2"
    extra = ["--format", "csv"] if command == "list" else []
    code, said = inventory(*command.split(), *extra, "--store", str(store), "-o", url,
                           cwd=tmp_path)  # fmt: skip
    assert code == 2
    assert said == (
        "inventory: error: invalid value for --output: is a URL; expected a file name, or - "
        "for standard output\n"
    )
    assert leaks(tmp_path, SECRET) == []
    assert not (tmp_path / "postgresql:").exists()


@pytest.fixture
def officer_url(pg_server: Server) -> str:
    """A database owned by 'officer', who logs in with the password over TCP."""
    name = f"secrets{time.monotonic_ns()}"
    pg_server.create_database(name, owner="officer")
    return pg_server.tcp_url(name, password=PASSWORD)


def test_no_command_shows_the_password_to_a_real_server(
    officer_url: str, pg_server: Server, tmp_path: Path
) -> None:
    assert PASSWORD in officer_url
    said: list[str] = []
    steps = [
        ["db", "init"],
        ["import", str(BUNDLED_STORE)],
        *[c for c in EVERY_COMMAND if c[0] not in ("import", "db")],
        ["edit", GHANA, "--dates", "28-31 January 2020"],
        ["undo"],
        ["db", "upgrade"],
        ["db", "dump", "-o", "dump.csv"],
        ["report", "--quarter", "Q4-2019", "--format", "html", "-o", "q4.html"],
        ["export", "-o", officer_url],
    ]
    refused = {("add", "--create"): 1, ("export", officer_url): 2}  # a duplicate; a URL
    for step in steps:
        code, text = inventory(*step, "--store", officer_url, cwd=tmp_path)
        said.append(text)
        assert code == refused.get((step[0], step[-1]), 0), (step, text)
        assert PASSWORD not in text and "Traceback" not in text, (step, text)
    assert "added 132" in said[1] and "created the inventory" in said[0]
    wrong = pg_server.tcp_url(officer_url.rsplit("/", 1)[1], password="Wr0ngPW-x")
    code, text = inventory("list", "--store", wrong, cwd=tmp_path)
    assert code == 1 and "password authentication failed" in text
    assert "Wr0ngPW" not in text
    # The history, as the tool shows it and as the server keeps it.
    code, history = inventory("history", "--json", "--store", officer_url, cwd=tmp_path)
    assert code == 0 and "inventory cancel 4nc4qthh --store postgresql://officer@127.0.0.1:" in (
        history
    )
    with psycopg.connect(pg_server.url(officer_url.rsplit("/", 1)[1])) as connection:
        rows = connection.execute("SELECT * FROM change").fetchall()
    assert len(rows) >= 8
    assert PASSWORD not in repr(rows)
    assert leaks(tmp_path, PASSWORD) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dump.csv", "q4.html", "q4.ics"]
