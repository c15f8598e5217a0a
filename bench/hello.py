"""The bare Typer app that ``inventory --version`` and ``--help`` are compared with."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(rich_markup_mode=None)


def _version(value: bool) -> None:
    if value:
        typer.echo("hello 0.1.0")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Say hello."""


@app.command()
def hello(name: str = "world") -> None:
    """Greet NAME."""
    typer.echo(f"Hello {name}")


if __name__ == "__main__":
    app()
