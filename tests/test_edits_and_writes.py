"""What the writing commands keep and change: the byte order mark and line ends of a hand-
saved store, a status edited back, a dry run, a store of one's own outside a checkout, an
exported event's sequence, a declined remove, ids piped from one command into another, and
a notice for a doubtful location."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from tests.helpers import (
    BUNDLED_STORE,
    FIXTURES,
    data,
    run,
    runner,
)


def test_a_rewrite_keeps_the_byte_order_mark_and_crlf(store_copy: Path) -> None:
    store_copy.write_bytes(b"\xef\xbb\xbf" + BUNDLED_STORE.read_bytes().replace(b"\n", b"\r\n"))
    assert run("cancel", "38z0", "--force", store=store_copy).exit_code == 0
    written = store_copy.read_bytes()
    assert written.startswith(b"\xef\xbb\xbfid,")
    assert written.count(b"\r\n") == written.count(b"\n")  # CRLF kept too
    assert b"cancelled" in written


def test_edit_status_uncancels_and_marks_held(store_copy: Path) -> None:
    assert run("cancel", "38z0", "--force", store=store_copy).exit_code == 0
    assert run("edit", "38z0", "--status", "planned", store=store_copy).exit_code == 0
    assert data("show", "38z0", store=store_copy)["status"] == "planned"
    assert run("edit", "38z0", "--status", "held", store=store_copy).exit_code == 0
    assert data("show", "38z0", store=store_copy)["status"] == "held"


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "dr"
    folder.mkdir()
    newsletter = FIXTURES / "newsletter-2019-q4.txt"
    target = folder / "sub" / "dir" / "s.csv"
    result = run("import", str(newsletter), "--dry-run", "--create", store=target)
    assert result.exit_code == 0
    assert "nothing written; would have: added 132" in result.stderr
    assert list(folder.iterdir()) == []


@pytest.mark.slow
def test_outside_a_checkout_there_is_a_store_of_ones_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(home)
    monkeypatch.delenv("INVENTORY_STORE", raising=False)
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "INVENTORY_CONFIG": str(tmp_path / "cfg" / "config.toml")}  # fmt: skip
    assert run("projects", store=None, env=env).exit_code == 0
    config = json.loads(run("config", "--json", store=None, env=env).stdout)
    assert config["store"].startswith(str(tmp_path / "data"))
    newsletter = FIXTURES / "newsletter-2019-q4.txt"
    assert run("import", str(newsletter), store=None, env=env).exit_code == 0
    assert (
        data_of(run("report", "--quarter", "Q4-2019", "--json", store=None, env=env))["total"] == 72
    )


def data_of(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_an_exported_event_advances_when_the_activity_changes(store_copy: Path) -> None:
    def export() -> str:
        result = run("export", "--project", "T-CY", "--year", "2020", store=store_copy)
        assert result.exit_code == 0
        return result.stdout

    before = export()
    assert run("edit", "gjhys1b7", "--location", "Paris, France", store=store_copy).exit_code == 0
    after = export()

    def event(text: str) -> dict[str, str]:
        block = text.split("UID:gjhys1b7@inventory")[0].rsplit("BEGIN:VEVENT", 1)[1]
        block += text.split("UID:gjhys1b7@inventory")[1].split("END:VEVENT")[0]
        return dict(line.split(":", 1) for line in block.splitlines() if ":" in line)

    assert event(before).get("SEQUENCE") == "0" and event(after)["SEQUENCE"] == "1"
    assert event(after)["DTSTAMP"] > event(before)["DTSTAMP"]
    assert export() == after  # still the same bytes for the same store


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_declining_remove_is_not_an_error(store_copy: Path) -> None:
    import pty

    before = store_copy.read_bytes()
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "inventory", "remove", "38z0", "--store", str(store_copy)],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "src")},
    )
    os.close(slave)
    os.write(master, b"n\n")
    _, err = process.communicate(timeout=60)
    os.close(master)
    assert process.returncode == 0, err
    assert store_copy.read_bytes() == before
    prompt = err.decode()
    assert "…" in prompt and "of the worki " not in prompt  # cut at a word, marked


def test_ids_listed_by_one_command_feed_another(store_copy: Path) -> None:
    ids = runner.invoke(app, ["--store", str(store_copy), "list", "--month", "2019-11",
                              "--project", "T-CY", "--format", "ids"])  # fmt: skip
    assert ids.exit_code == 0 and ids.stdout.split() == []
    ids = runner.invoke(app, ["--store", str(store_copy), "list", "--project", "T-CY", "-f", "ids"])
    chosen = ids.stdout.split()
    assert len(chosen) == 4  # T-CY's four lines, read by hand
    cancel = ["--store", str(store_copy), "cancel", "--force", *chosen[:2]]
    assert runner.invoke(app, cancel).exit_code == 0
    statuses = [a["status"] for a in data("list", "--project", "T-CY", store=store_copy)]
    assert statuses.count("cancelled") == 2


def test_a_doubtful_location_gets_a_notice(store_copy: Path) -> None:
    add = ["add", "-p", "GLACY+", "--dates", "3 May 2020"]
    paris = run(*add, "-t", "Probe one", "-l", "Paris, Germany", store=store_copy)
    assert paris.exit_code == 0
    assert "Paris is not a city of Germany in the gazetteer" in paris.stderr
    atlantis = run(*add, "-t", "Probe two", "-l", "Atlantis", store=store_copy)
    assert "'Atlantis' read as Atlantis, South Africa" in atlantis.stderr
    usual = run(*add, "-t", "Probe three", "-l", "Strasbourg", store=store_copy)
    assert "notice" not in usual.stderr
