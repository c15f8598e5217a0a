"""inventory.cli.typer_compat keeps to Typer's and Click's public API: a lazy command tree
that builds only the command a run reaches, one-line usage errors, and one short help per
command (its docstring's first sentence)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from inventory.cli import app
from inventory.cli.app import COMMANDS
from tests.helpers import BUNDLED_STORE

CLI = Path(__file__).parents[1] / "src" / "inventory" / "cli"


def test_the_command_line_uses_no_private_typer_or_click_name() -> None:
    private = []
    for path in sorted(CLI.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                private += [f"{path.name}: {node.module}"] if "._" in node.module else []
            elif isinstance(node, ast.Import):
                private += [f"{path.name}: {a.name}" for a in node.names if "._" in a.name]
            elif isinstance(node, ast.Attribute) and re.match(r"_[^_]", node.attr):
                private.append(f"{path.name}:{node.lineno}: .{node.attr}")
    assert private == []


def _first_sentence(text: str) -> str:
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    return re.split(r"(?<=[.?!])\s", paragraph)[0]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_commands_short_help_is_its_docstrings_first_sentence(name: str) -> None:
    root = typer.main.get_command(app)
    command = root.get_command(None, name)  # type: ignore[attr-defined]
    assert COMMANDS[name].help == _first_sentence(command.help or "")


def test_the_root_help_lists_every_command_with_its_short_help() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name, entry in COMMANDS.items():
        line = next(line for line in result.stdout.splitlines() if line.split()[:1] == [name])
        assert entry.help.split()[0] in line, name


def test_a_run_builds_only_the_command_it_reaches() -> None:
    probe = (
        "import sys\n"
        f"sys.argv = ['inventory', 'list', '-f', 'ids', '--store', {str(BUNDLED_STORE)!r}]\n"
        "from inventory.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('inventory.cli.')), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    built = eval(run.stderr.strip().splitlines()[-1])
    assert len(run.stdout.split()) == 132  # every row of the fixture
    assert "inventory.cli.query" in built
    assert not {"inventory.cli.edit", "inventory.cli.planning", "inventory.cli.db"} & set(built)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # One wording for every refused value, whichever layer refuses it (as list --year 19).
        (["list", "--limit", "x"], "error: invalid value for --limit: 'x' is not a whole number\n"),
        (["list", "-n", "-1"], "error: invalid value for --limit: expected 0 or more, got -1\n"),
        (["clashes", "--min-score", "101"], "--min-score: expected 100 or less, got 101\n"),
        (["upcoming", "--days", "2.5"], "--days: '2.5' is not a whole number\n"),
        (["add", "-t", "x", "--dates", "5 May", "--year", "20"],
         "invalid value for --year: expected 1000 or more, got 20\n"),
        (["list", "-f", "xml"], "--format: 'xml' is not one of 'table', 'json', 'ndjson', 'csv',"),
        (["list", "--status", "done"], "'done' is not one of 'planned', 'held', 'cancelled',"),
        (["list", "--store", "."], "is a folder; expected a store file"),
        # A missing argument in the house's words (E9), not "Missing argument 'ID...'.".
        (["cancel"], "inventory: error: expected at least one ID\n"),
        (["import"], "inventory: error: expected FILE\n"),
    ],
)  # fmt: skip
def test_bad_values_are_usage_errors(args: list[str], message: str) -> None:
    if "--store" not in args:
        args = [*args, "--store", str(BUNDLED_STORE)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) <= 2  # the message, and at most a hint
    assert result.stderr.startswith("inventory: error: ")
    assert "Usage:" not in result.stderr  # one line, not Click's four


def test_good_values_reach_the_command() -> None:
    args = ["list", "-p", "glacy+", "--month", "2019-11", "-f", "TEXT", "-n", "2"]
    result = CliRunner().invoke(app, [*args, "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "NOVEMBER 2019"
    assert result.output.count("\n") == 3  # the heading and two activities


# --- the app is reusable ---------------------------------------------------------------


def test_the_app_answers_twice_in_one_process() -> None:
    # Nothing is removed from the command tree after a run: an embedding program, a REPL
    # or a test can run command after command.
    runner = CliRunner()
    store = ["--store", str(BUNDLED_STORE)]
    first = runner.invoke(app, ["list", "--month", "2019-11", "--format", "ids", *store])
    second = runner.invoke(app, ["report", "--month", "2019-11", "--json", *store])
    third = runner.invoke(app, ["list", "--month", "2019-11", "--format", "ids", *store])
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert len(first.stdout.split()) == 27
    assert '"total": 27' in second.stdout
    assert third.stdout == first.stdout


# --- the CLI review's E6, E7 and E8 ---------------------------------------------------------


def test_config_help_describes_json_without_an_option_config_lacks() -> None:
    text = CliRunner().invoke(app, ["config", "--help"]).stdout
    assert re.search(r"--json\s+Print as JSON\.", text)
    assert "--format" not in text


def test_config_speaks_yes_and_no_not_python_literals(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    store.write_bytes(BUNDLED_STORE.read_bytes())
    env = {"INVENTORY_AUTHOR": "", "XDG_CONFIG_HOME": str(tmp_path)}
    result = CliRunner().invoke(app, ["config", "--store", str(store)], env=env)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "store exists: yes" in lines
    assert "settings exist: no" in lines
    assert any(line.startswith("author: (not set; '") for line in lines)
    assert not re.search(r"\b(None|True|False)\b", result.stdout)
    data = __import__("json").loads(
        CliRunner().invoke(app, ["config", "--json", "--store", str(store)], env=env).stdout
    )
    assert data["store_exists"] is True and data["author"] is None


def test_undo_of_an_unknown_change_number_is_a_usage_error(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    store.write_bytes(BUNDLED_STORE.read_bytes())
    result = CliRunner().invoke(app, ["undo", "999", "--store", str(store)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"inventory: error: no change 999 in {store}\n")
