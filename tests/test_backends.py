"""Every backend answers as the CSV store does: the filter counts of test_cli.py (read off
the newsletter by hand), then each question's whole output compared with the bundled CSV
store's, then the writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from tests.helpers import BUNDLED_STORE, runner
from tests.test_cli import FILTER_COUNTS

QUESTIONS = [
    ["list", "--json"],
    ["list", "--project", "GLACY+", "--month", "2019-11", "--json"],
    ["list", "--from", "2020-03-16", "--json"],
    ["list", "--to", "2019-10-15", "--format", "csv"],
    ["list", "--search", "morocco", "--format", "text"],
    ["list", "--from", "2019-10-24", "--to", "2019-10-27", "--format", "ids"],
    ["upcoming", "--as-of", "2020-03-20", "--json"],
    ["report", "--quarter", "Q4-2019", "--json"],
    ["report", "--quarter", "Q1-2020", "--format", "text"],
    ["projects", "--json"],
    ["calendar", "--month", "2019-11"],
    ["timeline", "--quarter", "Q4-2019"],
    ["clashes", "--quarter", "Q4-2019", "--json"],
    ["show", "4nc4", "--json"],
    ["export", "--quarter", "Q1-2020", "-o", "-"],
    ["db", "dump"],
]


def run(store: str, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--store", store], env={"COLUMNS": "100"})
    assert result.exit_code == 0, (args, result.stderr)
    return result


def listed(store: str, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(run(store, "list", *args, "--json").stdout)
    return data


def test_filter_counts_on_every_backend(backend_store: str) -> None:
    for args, count in FILTER_COUNTS:
        assert len(listed(backend_store, *args)) == count, args


def test_glacy_in_november_first_and_last(backend_store: str) -> None:
    titles = [a["title"] for a in listed(backend_store, "-p", "GLACY+", "-m", "2019-11")]
    assert len(titles) == 11
    assert titles[0] == "INTERPOL Malware Analysis Training"
    assert titles[-1] == "Review of the Cybercrime Bill"


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: " ".join(q))
def test_every_question_answers_as_the_csv_store(backend_store: str, question: list[str]) -> None:
    expected = run(str(BUNDLED_STORE), *question).stdout
    assert run(backend_store, *question).stdout == expected


def test_add_edit_cancel_remove(backend_store: str) -> None:
    added = run(
        backend_store,
        "add",
        "-p",
        "glacy",
        "-t",
        "Advisory mission on cybercrime legislation",
        "-l",
        "Accra, Ghana",
        "-d",
        "3-5 December 2019 (dates TBC)",
        "--json",
    )
    [activity] = json.loads(added.stdout)
    ident = activity["id"]
    assert len(listed(backend_store, "--country", "GH", "--month", "2019-12")) == 3
    run(backend_store, "edit", ident[:6], "--dates", "4-6 December")
    [shown] = [a for a in listed(backend_store, "--month", "2019-12") if a["id"] == ident]
    assert (shown["schedule"]["start"], shown["schedule"]["certainty"]) == (
        "2019-12-04",
        "confirmed",
    )
    run(backend_store, "cancel", ident, "--force")
    assert [a["id"] for a in listed(backend_store, "--status", "cancelled")] == [ident]
    run(backend_store, "remove", ident, "--yes")
    assert len(listed(backend_store)) == 132
    assert ident not in run(backend_store, "list", "--format", "ids").stdout


@pytest.mark.parametrize(
    ("name", "first_line"),
    [("a.csv", "id,projects,title,"), ("a.json", "[]"), ("a.db", None)],
)
def test_db_init_makes_an_empty_store_and_upgrade_says_what_it_can(
    tmp_path: Path, name: str, first_line: str | None
) -> None:
    store = str(tmp_path / name)
    assert "created an empty store" in run(store, "db", "init").stderr
    if first_line is not None:
        assert (tmp_path / name).read_text().startswith(first_line)
    assert "nothing to do" in run(store, "db", "init").stderr
    assert run(store, "list", "--json").stdout == "[]\n"
    upgraded = run(store, "db", "upgrade").stderr
    if name.endswith(".db"):
        assert "schema 3 is up to date" in upgraded
    else:
        assert "store has no schema to upgrade" in upgraded


def test_validate_warns_as_the_csv_store(backend_store: str) -> None:
    # The same warnings, in the same order, streamed from each backend; only a CSV store
    # has lines to name.
    def warnings(store: str) -> list[tuple[str, str, str]]:
        records = json.loads(run(store, "validate", "--json").stdout)
        return [
            (r["severity"], r["field"], re.sub(r" \(line \d+\)", "", r["message"])) for r in records
        ]

    expected = warnings(str(BUNDLED_STORE))
    assert [(s, f) for s, f, _ in expected] == [
        ("warning", "dates"), ("warning", "projects"), ("warning", "title")
    ]  # fmt: skip
    assert warnings(backend_store) == expected
