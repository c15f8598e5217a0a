"""What the commands print, and where: piped tables keep every cell whole, any output
encoding works, tables fit common widths, ``show`` gives every field, and the guide shows
what the commands really print."""

from __future__ import annotations

import os
import re

import pytest

from tests.helpers import (
    BUNDLED_STORE,
    README,
    data,
    python_m,
    run,
)


def test_piped_tables_keep_every_cell_whole() -> None:
    result = run("list", "--project", "octopus", "--month", "2019-11")
    assert sum("Cybercrime@Octopus" in line for line in result.stdout.splitlines()) == 2
    upcoming = run("upcoming", "--as-of", "2020-03-10", "--days", "7", "--project", "T-CY")
    assert any("16 (PM)-20 (AM) March 2020" in line for line in upcoming.stdout.splitlines())


@pytest.mark.slow
@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
        {"PYTHONIOENCODING": "cp1252"},
    ],
    ids=["ascii", "C locale", "cp1252"],
)
def test_an_output_encoding_that_is_not_utf8_still_prints_everything(env: dict[str, str]) -> None:
    for args in (
        ["list", "--month", "2019-11"],
        ["list", "--month", "2019-11", "--json"],
        ["report", "--quarter", "Q4-2019"],
        ["timeline", "--quarter", "Q4-2019"],
        ["projects"],
    ):
        result = python_m(*args, "--store", str(BUNDLED_STORE), env=env)
        assert result.returncode == 0, (args, result.stderr[-300:])
        assert b"Traceback" not in result.stderr
        assert result.stdout  # written, with replacements where a character has no byte


@pytest.mark.parametrize("width", [100, 80, 60, 40])
def test_tables_fit_common_widths_and_lose_nothing(width: int) -> None:
    result = run("list", "--project", "GLACY+", "--month", "2019-11", env={"COLUMNS": str(width)})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    words = set(result.stdout.split())
    for activity in data("list", "--project", "GLACY+", "--month", "2019-11"):
        for word in activity["title"].split():
            assert word in words, (width, word)  # no word cut, no column dropped
    if width >= 80:
        assert "Location" in lines[0]
        assert any("INTERPOL Malware" in line for line in lines)  # a title column, not 7 wide


def test_show_is_a_detail_view_of_every_field() -> None:
    text = run("show", "8z2j").stdout
    for label, value in [("Modality", "Desk Study"), ("Status", "held"),
                         ("Deadline", "yes"), ("EDTF", "../2019-11-30"),
                         ("Certainty", "confirmed")]:  # fmt: skip
        assert re.search(rf"^{label}\s+{re.escape(value)}$", text, re.MULTILINE), label
    assert data("show", "8z2j")["title"] == "Review of the Cybercrime Bill"


def test_the_guide_shows_what_validate_prints() -> None:
    # The guide's validate example, against the frozen copy of the store it shows.
    guide = README.parent / "docs" / "guide.md"
    shown = guide.read_text(encoding="utf-8").split("$ inventory validate\n")[1].split("\n```")[0]
    store = shown.rsplit("\ninventory: ", 1)[1].split(": ")[0]
    fixture = os.path.relpath(BUNDLED_STORE, README.parent)
    result = python_m("validate", "--store", fixture, cwd=README.parent)
    printed = (result.stdout + result.stderr).decode().rstrip("\n")
    assert shown == printed.replace(fixture, store)
    assert shown.endswith("132 activities, 0 errors, 3 warnings")
