"""The filter set is declared once (``cli/filters.py``): every question offering ``--project``
offers ``list``'s filters or one of the documented subsets, and ``export`` is
``list --format ics``, file for file.

Expected counts were read by hand from tests/fixtures/newsletter-2019-q4.txt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from icalendar import Calendar
from typer.testing import CliRunner

from inventory.cli import app
from inventory.cli.app import COMMANDS
from inventory.cli.filters import SUBSETS
from tests.helpers import BUNDLED_STORE, find, load

runner = CliRunner()

VALUE_NOT_FILTER = {"add", "edit"}
"""Commands whose ``--project`` is the value to write, not a filter."""


def _commands() -> dict[str, Any]:
    """Every command as Click sees it (Typer's own Click: known by its public methods)."""
    root: Any = typer.main.get_command(app)
    found: dict[str, Any] = {}
    for name in COMMANDS:
        command = root.get_command(None, name)
        assert command is not None, name
        if hasattr(command, "list_commands"):
            for sub in command.list_commands(None):
                found[f"{name} {sub}"] = command.get_command(None, sub)
        else:
            found[name] = command
    return found


def _options(command: Any) -> dict[str, tuple[str, ...]]:
    """Each option's strings (``-p``, ``--project``), by its parameter's name."""
    return {
        p.name or "": tuple(p.opts + p.secondary_opts)
        for p in command.params
        if p.param_type_name == "option"
    }


COMMANDS_BUILT = _commands()
LIST_FILTERS = {
    name: opts
    for name, opts in _options(COMMANDS_BUILT["list"]).items()
    if name not in {"store", "fmt", "as_json", "output"}
}


def test_list_offers_the_thirteen_filters_by_their_documented_names() -> None:
    flags = {opts[0] if opts[0].startswith("--") else opts[1] for opts in LIST_FILTERS.values()}
    assert flags == {
        "--project", "--month", "--quarter", "--year", "--from", "--to", "--country", "--city",
        "--search", "--certainty", "--deadlines", "--status", "--limit",
    }  # fmt: skip


@pytest.mark.parametrize(
    "name",
    sorted(
        name
        for name, command in COMMANDS_BUILT.items()
        if "--project" in {o for opts in _options(command).values() for o in opts}
        and name not in VALUE_NOT_FILTER
    ),
)
def test_every_command_filtering_by_project_offers_lists_filters_or_a_documented_subset(
    name: str,
) -> None:
    offered = _options(COMMANDS_BUILT[name])
    filters = {n for n, opts in offered.items() if n in LIST_FILTERS}
    for n in filters:  # spelt as list spells them: the same short names, the same negation
        assert offered[n] == LIST_FILTERS[n], (name, n)
    subsets = {key: set(names) for key, names in SUBSETS.items()}
    assert filters in subsets.values(), (name, sorted(filters))


def test_the_questions_offering_project_are_the_ones_expected() -> None:
    # A new command with --project is seen here, and must be given a filter set.
    with_project = {
        name
        for name, command in COMMANDS_BUILT.items()
        if "--project" in {o for opts in _options(command).values() for o in opts}
    }
    assert with_project == {
        "list", "export", "upcoming", "report", "calendar", "timeline", "clashes", "add", "edit",
    }  # fmt: skip


def test_a_picture_refuses_a_filter_that_would_leave_holes_in_its_month() -> None:
    result = runner.invoke(app, ["calendar", "--city", "Tbilisi", "-s", str(BUNDLED_STORE)])
    assert result.exit_code == 2
    assert "no such option: --city" in result.stderr


@pytest.fixture
def edited_store(tmp_path: Path) -> Path:
    """The bundled store with one change in its history, so the files carry a version."""
    target = tmp_path / "activities.csv"
    target.write_bytes(BUNDLED_STORE.read_bytes())
    # Line 137: "T-CY Bureau Meeting, Strasbourg, France, 16 (AM) March 2020".
    bureau = find(load(target), "T-CY Bureau Meeting", "2020-03")
    result = runner.invoke(app, ["cancel", bureau.id, "-s", str(target)])
    assert result.exit_code == 0, result.stderr
    return target


@pytest.mark.parametrize(
    ("args", "events"),
    [
        # T-CY in 2020: lines 88 (21-24 January), 137 (16 (AM) March) and 138 (16-20 March).
        (["--project", "T-CY", "--year", "2020"], 3),
        # Georgia in Q1 2020 with days: Batumi 3-7 February and Tbilisi 26-28 February.
        (["--country", "Georgia", "--quarter", "Q1-2020"], 2),
        # Every activity: 114 with days, the Ohrid course (line 21) in two parts.
        ([], 115),
    ],
)
def test_export_and_list_format_ics_write_the_same_file(
    edited_store: Path, tmp_path: Path, args: list[str], events: int
) -> None:
    exported, listed = tmp_path / "export.ics", tmp_path / "list.ics"
    by_export = runner.invoke(app, ["export", *args, "-s", str(edited_store), "-o", str(exported)])
    by_list = runner.invoke(
        app, ["list", "--format", "ics", *args, "-s", str(edited_store), "-o", str(listed)]
    )
    assert (by_export.exit_code, by_list.exit_code) == (0, 0), by_export.stderr + by_list.stderr
    assert exported.read_bytes() == listed.read_bytes()
    calendar = Calendar.from_ical(listed.read_bytes())
    assert len(calendar.walk("VEVENT")) == events
    assert by_export.stderr.replace(str(exported), "FILE") == by_list.stderr.replace(
        str(listed), "FILE"
    )


def test_list_format_ics_names_its_calendar_and_versions_and_says_what_it_left_out(
    edited_store: Path,
) -> None:
    result = runner.invoke(
        app, ["list", "--format", "ics", "--project", "T-CY", "-q", "Q1-2020", "-s",
              str(edited_store), "-o", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    calendar = Calendar.from_ical(result.stdout_bytes)
    assert str(calendar["X-WR-CALNAME"]) == "Activity inventory (Q1 2020)"
    cancelled = [e for e in calendar.walk("VEVENT") if str(e["STATUS"]) == "CANCELLED"]
    assert [str(e["SUMMARY"]) for e in cancelled] == ["T-CY Bureau Meeting"]
    assert int(cancelled[0]["SEQUENCE"]) == 1  # the one change: the cancellation
    # Q1 2020 T-CY: lines 88, 137, 138, all with days; none left out.
    assert "left out" not in result.stderr
    november = runner.invoke(
        app, ["list", "-f", "ics", "-m", "2020-03", "-p", "CyberEast", "-s", str(edited_store),
              "-o", "-"],
    )  # fmt: skip
    # Lines 143-148: six CyberEast assessments in March 2020, all "dates TBD".
    assert "inventory: left out 6 activities with no days known:" in november.stderr
