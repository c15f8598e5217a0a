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
        (["list", "--limit", "x"], "'--limit' / '-n': 'x' is not a whole number."),
        (["list", "-n", "-1"], "Invalid value for '--limit' / '-n': expected 0 or more, got -1."),
        (["clashes", "--min-score", "101"], "expected 100 or less, got 101."),
        (["upcoming", "--days", "2.5"], "'2.5' is not a whole number."),
        (["list", "-f", "xml"], "'xml' is not one of 'table', 'json', 'ndjson', 'csv',"),
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
    assert result.stderr.startswith("inventory: error: ")
    assert "Usage:" not in result.stderr  # one line, not Click's four


def test_good_values_reach_the_command() -> None:
    args = ["list", "-p", "glacy+", "--month", "2019-11", "-f", "TEXT", "-n", "2"]
    result = CliRunner().invoke(app, [*args, "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "NOVEMBER 2019"
    assert result.output.count("\n") == 3  # the heading and two activities
