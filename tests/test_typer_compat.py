"""inventory.cli.typer_compat converts option text to the values Typer's own (pydantic)
coercion gives, for every parameter of every command, without importing pydantic; and its
lazy tree and one-line errors fall back to plain Typer when Typer's internals move."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer
import typer.main
from typer._click.core import Context
from typer._coercion import build_runtime_param
from typer.testing import CliRunner

from inventory.cli import app
from inventory.cli.typer_compat import LightParam, light_param
from tests.helpers import BUNDLED_STORE


def every_parameter() -> list[tuple[str, Any, Any]]:
    """(command path, command, parameter), --help and the completion options included."""
    found: list[tuple[str, Any, Any]] = []

    def walk(command: Any, path: str) -> None:
        ctx = Context(command)
        for param in command.get_params(ctx):
            found.append((f"{path} {param.name}", command, param))
        for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
            walk(command.get_command(ctx, name), f"{path} {name}")

    walk(typer.main.get_command(app), "inventory")
    return found


PARAMETERS = every_parameter()


def samples(annotation: Any, tmp_path: Path) -> list[Any]:
    many = get_origin(annotation) is list
    one = get_args(annotation)[0] if many else annotation
    if one is str:
        values: list[Any] = ["GLACY+", "", " spaced ", "Türkiye", "-"]
    elif one is int:
        values = ["3", "0", "-1", "100", "101", " 7 ", "x", "2.5", ""]
    elif one is bool:
        values = [True, False, "true", "False", "1", "0", "yes", "no", "on", "off", "maybe", ""]
    elif one is Path:
        (tmp_path / "a.csv").write_text("id\n")
        values = [str(tmp_path / "a.csv"), str(tmp_path / "missing.csv"), str(tmp_path)]
    elif isinstance(one, type) and issubclass(one, Enum):
        values = [m.value for m in one] + [m.value.upper() for m in one] + ["xml", ""]
    else:
        raise AssertionError(f"no samples for {annotation!r}")
    if many:
        return [tuple(values[:2]), tuple(values[-2:]), ()]
    return values


def outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except typer.BadParameter:
        return "bad", None


def test_every_parameter_is_converted_without_pydantic() -> None:
    left = [name for name, _, param in PARAMETERS if light_param(param) is None]
    assert left == []
    assert len(PARAMETERS) > 150  # the walk really reached the commands


@pytest.mark.parametrize(("name", "command", "param"), PARAMETERS, ids=[p[0] for p in PARAMETERS])
def test_same_values_as_typers_own_coercion(
    name: str, command: Any, param: Any, tmp_path: Path
) -> None:
    ctx = Context(command)
    light = light_param(param)
    assert isinstance(light, LightParam)
    typers = build_runtime_param(param.type_descriptor)
    for value in samples(param.type_descriptor.annotation, tmp_path):
        assert outcome(light, value, param, ctx) == outcome(typers, value, param, ctx), value


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
    ],
)  # fmt: skip
def test_bad_values_are_usage_errors(args: list[str], message: str) -> None:
    if "--store" not in args:
        args = [*args, "--store", str(BUNDLED_STORE)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1  # the message says what was expected
    assert result.stderr.startswith("inventory: error: ")
    assert "Usage:" not in result.stderr  # one line, not Click's four


def test_good_values_reach_the_command() -> None:
    args = ["list", "-p", "glacy+", "--month", "2019-11", "-f", "TEXT", "-n", "2"]
    result = CliRunner().invoke(app, [*args, "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "NOVEMBER 2019"
    assert result.output.count("\n") == 3  # the heading and two activities


# --- when Typer's internals move: plain Typer, the same answers -----------------------------

ANSWERS = [
    ["list", "--project", "octopus", "--month", "2019-11", "--json"],
    ["list", "-p", "glacy+", "--quarter", "Q4-2019", "-n", "3", "-f", "ids"],
    ["report", "--quarter", "Q1-2020", "--json"],
    ["calendar", "--month", "2019-11", "--json"],
    ["show", "38z0", "--json"],
]


def answers() -> list[tuple[int, str]]:
    runner = CliRunner()
    out = []
    for args in ANSWERS:
        result = runner.invoke(app, [*args, "--store", str(BUNDLED_STORE)])
        out.append((result.exit_code, result.stdout))
    return out


@pytest.fixture(scope="module")
def expected() -> list[tuple[int, str]]:
    return answers()


class _Renamed:
    """What Typer's RuntimeParam would look like after a field was renamed: building a
    light parameter the way typer_compat does raises TypeError."""

    def __init__(self, **fields: Any) -> None:
        raise TypeError("__init__() got an unexpected keyword argument 'parameter_info'")


@pytest.mark.parametrize(
    "move",
    ["internals gone", "a field renamed", "an abstract method renamed"],
)
def test_moved_internals_fall_back_to_typer(
    move: str, expected: list[tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import inventory.cli.typer_compat as compat

    lightened: list[Any] = []
    real_light_param = compat.light_param
    monkeypatch.setattr(compat, "light_param", lambda p: lightened.append(p) or real_light_param(p))
    if move == "internals gone":  # the import of typer._coercion failed
        monkeypatch.setattr(compat, "RuntimeParam", None)
    elif move == "a field renamed":
        monkeypatch.setattr(compat, "LightParam", _Renamed)
    else:  # LightParam no longer overrides what RuntimeParam asks for: abstract
        monkeypatch.setattr(LightParam, "__abstractmethods__", frozenset({"_coerce_value_2"}))
    assert answers() == expected
    assert lightened  # the light path was tried, and gave way to Typer's own


def test_usage_errors_without_the_vendored_click(monkeypatch: pytest.MonkeyPatch) -> None:
    # If typer._click moves, usage errors come out as Click writes them: longer, same code.
    import inventory.cli.typer_compat as compat

    monkeypatch.setattr(compat, "_ClickException", None)
    result = CliRunner().invoke(app, ["list", "--month", "2019-11", "--limit", "x"])
    assert result.exit_code == 2
    assert "'x' is not a whole number" in result.stderr


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
