"""A bad value on the command line is exit 2 and one line naming it, and nothing is
written: empty values, two-digit years, huge day counts, impossible dates, unknown
projects, ids and options."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import (
    one_line_usage_error,
    run,
)


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--month", ""],
        ["list", "--quarter", ""],
        ["list", "--year", ""],
        ["list", "--from", ""],
        ["upcoming", "--as-of", ""],
        ["report", "--month", " "],
    ],
    ids=lambda a: " ".join(a),
)
def test_empty_values_are_usage_errors(args: list[str]) -> None:
    one_line_usage_error(run(*args))


def test_a_two_digit_year_is_refused(store_copy: Path, tmp_path: Path) -> None:
    before = store_copy.read_bytes()
    add = ["add", "-p", "GLACY+", "-t", "Year probe", "--dates", "3-5 March", "--year", "20"]
    one_line_usage_error(run(*add, store=store_copy))
    assert store_copy.read_bytes() == before
    newsletter = tmp_path / "n.txt"
    newsletter.write_text("GLACY+\tWorkshop, Accra, Ghana, 3-5 March\n")
    one_line_usage_error(run("import", str(newsletter), "--year", "20", store=store_copy))
    assert store_copy.read_bytes() == before


@pytest.mark.parametrize("days", ["3000000", "100000000000000000000"])
def test_a_huge_number_of_days_is_a_usage_error(days: str) -> None:
    one_line_usage_error(run("upcoming", "--days", days, "--as-of", "2020-01-01"))


@pytest.mark.parametrize(
    "args",
    [
        ["add", "-p", "GLACY+", "-t", "", "--dates", "1 May 2020"],
        ["add", "-p", "GLACY+", "-t", "   ", "--dates", "1 May 2020"],
        ["add", "-p", "GLACY+", "-t", "X", "--dates", "31 February 2020"],
        ["add", "-p", "Foo", "-t", "X", "--dates", "1 May 2020"],
        ["add", "-p", "GLACY+", "-t", "X", "--dates", "1 May 2020", "-l", "Atlantis, Nowhere"],
        ["show", "zzzz"],
        ["edit", "3", "--title", "x"],
        ["list", "--limit", "x"],
        ["list", "--nope"],
    ],
    ids=lambda a: " ".join(a),
)
def test_a_bad_value_is_exit_2_and_one_line_everywhere(store_copy: Path, args: list[str]) -> None:
    before = store_copy.read_bytes()
    one_line_usage_error(run(*args, store=store_copy))
    assert store_copy.read_bytes() == before
