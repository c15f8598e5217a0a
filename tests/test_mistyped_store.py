"""A mistyped store is not a new store (E3 of the command-line review): a write to a store
that does not exist is refused, with the store of a similar name in that folder and how to
start one (``--create``, ``db init``), and leaves nothing behind; a name whose suffix names
no store kind is refused for writes. The per-user store is still started by its first
write."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from inventory.config import user_store
from tests.helpers import BUNDLED_STORE, SHARED_NEWSLETTER, runner

ADD = ["add", "-p", "GLACY+", "-t", "Typo probe", "--dates", "5 May 2020"]
KINDS = ".csv, .json, .db/.sqlite/.sqlite3 or a postgresql:// URL"


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env=env)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding the team's activities.csv, as the current folder."""
    shutil.copy(BUNDLED_STORE, tmp_path / "activities.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def names(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_an_add_to_a_misspelt_store_is_refused_naming_the_store_beside_it(folder: Path) -> None:
    result = run(*ADD, "--store", "activites.csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "inventory: error: activites.csv: no such store",
        "inventory: hint: did you mean activities.csv? Else give --create to start a new "
        "store there, or run inventory db init --store activites.csv",
    ]
    # No file, no folder, no lock, no history, no cache.
    assert names(folder) == ["activities.csv"]
    assert (folder / "activities.csv").read_bytes() == BUNDLED_STORE.read_bytes()


def test_an_import_into_a_new_store_needs_create_and_then_adds_the_132(folder: Path) -> None:
    refused = run("import", str(SHARED_NEWSLETTER), "--store", "q4/new.csv")
    assert refused.exit_code == 1
    assert "q4/new.csv: no such store (nor the folder q4)" in refused.stderr
    assert "--create" in refused.stderr and "inventory db init" in refused.stderr
    assert names(folder) == ["activities.csv"]
    made = run("import", str(SHARED_NEWSLETTER), "--store", "q4/new.csv", "--create")
    assert made.exit_code == 0, made.stderr
    assert made.stderr.splitlines()[-1] == (
        "inventory: added 132, updated 0, unchanged 0, ambiguous 0"
    )


def test_a_dry_run_into_a_missing_store_is_refused_as_the_import_would_be(folder: Path) -> None:
    result = run("import", str(SHARED_NEWSLETTER), "--store", "activitie.csv", "--dry-run")
    assert result.exit_code == 1
    assert "did you mean activities.csv?" in result.stderr
    assert names(folder) == ["activities.csv"]


@pytest.mark.parametrize("name", ["foo.txt", "activities", "notes.md"])
@pytest.mark.parametrize("create", [[], ["--create"]])
def test_a_store_name_of_no_known_kind_is_refused_for_writes(
    folder: Path, name: str, create: list[str]
) -> None:
    result = run("import", str(SHARED_NEWSLETTER), "--store", name, *create)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"inventory: error: {name}: ")
    assert line.endswith(f"which names no store kind; a store is {KINDS}")
    assert names(folder) == ["activities.csv"]


@pytest.mark.parametrize(
    "command",
    [
        ["edit", "4nc4qthh", "--dates", "18-21 February 2020"],
        ["cancel", "4nc4qthh"],
        ["postpone", "4nc4qthh"],
        ["remove", "4nc4qthh", "--yes"],
        ["undo"],
    ],
    ids=lambda c: c[0],
)
def test_other_writes_to_a_missing_store_create_nothing(folder: Path, command: list[str]) -> None:
    result = run(*command, "--store", "activites.csv")
    assert result.exit_code == 1
    assert "activites.csv: no such store" in result.stderr
    assert names(folder) == ["activities.csv"]


def test_a_read_of_a_missing_store_leaves_no_cache_beside_it(folder: Path) -> None:
    result = run("list", "--store", "activites.csv")
    assert result.exit_code == 1
    assert "did you mean activities.csv?" in result.stderr
    assert names(folder) == ["activities.csv"]


def test_create_starts_a_new_store_with_the_one_activity(folder: Path) -> None:
    result = run(*ADD, "--store", "mine.json", "--create", "--json")
    assert result.exit_code == 0, result.stderr
    assert [a["title"] for a in json.loads(result.stdout)] == ["Typo probe"]
    listed = json.loads(run("list", "--json", "--store", "mine.json").stdout)
    assert [(a["title"], a["projects"]) for a in listed] == [("Typo probe", ["GLACY+"])]


def test_db_init_starts_a_store_that_a_write_then_finds(folder: Path) -> None:
    init = run("db", "init", "--store", "team.db")
    assert init.exit_code == 0, init.stderr
    added = run(*ADD, "--store", "team.db")
    assert added.exit_code == 0, added.stderr
    assert json.loads(run("list", "--json", "--store", "team.db").stdout)[0]["title"] == (
        "Typo probe"
    )


def test_db_init_refuses_a_name_of_no_known_kind(folder: Path) -> None:
    result = run("db", "init", "--store", "team.sql")
    assert result.exit_code == 2
    assert KINDS in result.stderr
    assert names(folder) == ["activities.csv"]


def test_a_missing_store_named_by_the_environment_is_refused_too(folder: Path) -> None:
    result = run(*ADD, env={"INVENTORY_STORE": str(folder / "activites.csv")})
    assert result.exit_code == 1
    assert "did you mean activities.csv?" in result.stderr
    assert names(folder) == ["activities.csv"]


def test_the_per_user_store_is_started_by_its_first_write_without_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert not user_store().exists()
    result = run(*ADD)
    assert result.exit_code == 0, result.stderr
    assert user_store().is_file()
    assert f"added {result.stderr.split('added ')[1].split()[0]} to {user_store()}" in (
        result.stderr
    )
    assert list(empty.iterdir()) == []
