"""Writing to a terminal or a pipe: Rich consoles that neither wrap nor pad piped output,
and the choice between block characters and colour (a terminal) or plain ASCII (a pipe).

No models here: the report's views use it without importing pydantic.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text


def is_terminal(stream: IO[str]) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


def make_console(stream: IO[str] | None = None, *, width: int | None = None) -> object:
    """A Rich console that writes plain, unwrapped text when not on a terminal."""
    from rich.console import Console

    stream = stream or sys.stdout
    terminal = is_terminal(stream)
    if width is None and not terminal:
        # Piped: nobody's screen to fit, so never wrap or cut a cell.
        width = 10_000
    return Console(
        file=stream,
        width=width,
        no_color=not terminal or "NO_COLOR" in os.environ,
        color_system="auto" if terminal else None,
        highlight=False,
        soft_wrap=False,
        emoji=False,
    )


def print_out(stream: IO[str], *renderables: object, width: int | None = None) -> None:
    """Print Rich renderables; when not on a terminal, without the padding Rich adds to
    the end of each line (it would end up in files and diffs)."""
    console = make_console(stream, width=width)
    if is_terminal(stream):
        for item in renderables:
            console.print(item)  # type: ignore[attr-defined]
        return
    with console.capture() as capture:  # type: ignore[attr-defined]
        for item in renderables:
            console.print(item)  # type: ignore[attr-defined]
    stream.write("\n".join(line.rstrip() for line in capture.get().splitlines()) + "\n")


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: tuple[int, ...] = (),
    head: bool = True,
) -> object:
    """A Rich table of plain strings, to print with :func:`print_out`; ``right`` names the
    columns to align right (numbers)."""
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD if head else None, show_header=head, show_edge=False, pad_edge=False
    )
    for index, header in enumerate(headers):
        table.add_column(header, justify="right" if index in right else "left", overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def wants_plain(stream: IO[str], ascii_: bool | None) -> bool:
    return (not is_terminal(stream)) if ascii_ is None else ascii_


def wants_colour(stream: IO[str], plain: bool) -> bool:
    return not plain and is_terminal(stream) and "NO_COLOR" not in os.environ


def fit_width(stream: IO[str], width: int | None) -> int | None:
    """The width to fit, or None for piped output, which is never cut."""
    if width is not None:
        return width
    if is_terminal(stream):
        return int(make_console(stream).width)  # type: ignore[attr-defined]
    return None


def emit_lines(stream: IO[str], lines: list[Text], width: int | None, plain: bool) -> None:
    """Print the lines; plain ones without their styles, so ``--ascii`` has no colour
    even on a terminal."""
    from rich.text import Text

    print_out(stream, *(Text(line.plain) if plain else line for line in lines), width=width)
