"""What ``--help`` and the shell completion offer: exactly the formats a command accepts,
readable metavariables, one meaning per short flag, and the store's own projects, ids,
countries and periods."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click.core import Context

from inventory.cli import app
from tests.helpers import (
    BUNDLED_STORE,
    run,
    runner,
)

FORMAT_COMMANDS = [
    ["list"],
    ["upcoming", "--as-of", "2019-11-01"],
    ["show", "38z0"],
    ["report", "--quarter", "Q4-2019"],
    ["calendar", "--month", "2019-11"],
    ["timeline", "--month", "2019-11"],
    ["clashes", "--quarter", "Q4-2019"],
    ["projects"],
    ["projects", "show", "GLACY+"],
    ["validate"],
]


@pytest.mark.parametrize("args", FORMAT_COMMANDS, ids=lambda a: " ".join(a))
def test_help_offers_exactly_what_the_command_accepts(args: list[str]) -> None:
    words = [a for a in args if not a.startswith("-") and not a[0].isdigit()][:2]
    words = [w for w in words if w not in ("38z0", "GLACY+")]
    help_text = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "200"}).stdout
    found = re.search(r"--format.*?\[([a-z|]+)\]", help_text)
    assert found, help_text
    offered = found.group(1).split("|")
    assert "table" in offered and "json" in offered
    for fmt in offered:
        result = run(*args, "--format", fmt)
        assert result.exit_code in (0, 1), (fmt, result.stderr)  # validate: 1 on warnings
        assert "not available" not in result.stderr and "not one of" not in result.stderr
    for fmt in {"table", "json", "ndjson", "csv", "markdown", "text", "ids"} - set(offered):
        assert run(*args, "--format", fmt).exit_code == 2, fmt


def test_help_shows_readable_metavariables() -> None:
    text = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "200"}).stdout
    text += runner.invoke(app, ["list", "--help"], env={"COLUMNS": "200"}).stdout
    text += runner.invoke(app, ["cancel", "--help"], env={"COLUMNS": "200"}).stdout
    for readable in ("FILE", "PROJECT", "YYYY-MM", "N", "ID..."):
        assert re.search(rf"\b{re.escape(readable)}", text), readable
    for raw in ("{file}", "{ID}", "<list[str]>", "<int range>", "<str>", "TEXT]"):
        assert raw not in text, raw


def test_one_meaning_per_short_flag() -> None:
    meanings: dict[str, set[str]] = {}

    def walk(command: Any) -> None:
        ctx = Context(command)
        for param in command.get_params(ctx):
            long = next((o for o in param.opts if o.startswith("--")), param.name)
            for short in (o for o in param.opts if re.fullmatch(r"-[A-Za-z]", o)):
                meanings.setdefault(short, set()).add(long)
        for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
            walk(command.get_command(ctx, name))

    walk(typer.main.get_command(app))
    assert {s: m for s, m in meanings.items() if len(m) > 1} == {}
    assert meanings["-n"] == {"--limit"} and meanings["-d"] == {"--dates"}


def complete(words: str, store: Path = BUNDLED_STORE) -> list[str]:
    line = f"inventory --store {store} {words}"
    env = {"_INVENTORY_COMPLETE": "complete_bash", "COMP_WORDS": line,
           "COMP_CWORD": str(len(line.split()) - (0 if line.endswith(" ") else 1))}  # fmt: skip
    result = runner.invoke(app, [], env=env, prog_name="inventory")
    return result.stdout.split("\n")


def test_completion_offers_projects_ids_countries_and_periods() -> None:
    assert "GLACY+" in complete("list --project ")
    assert "glACY+" in complete("list --project gl")  # any case, as the commands read it
    assert complete("show 38") == ["38z0m643", ""]
    assert "Morocco" in complete("list --country Mor")
    assert complete("list --month 2019-1")[:3] == ["2019-10", "2019-11", "2019-12"]
    assert "Q1-2020" in complete("report --quarter Q")
    assert "country" in complete("timeline --by c")
