"""Standard output for people and for pipes: one Rich console per run decides whether it
writes to a terminal (``FORCE_COLOR``, ``TTY_COMPATIBLE``, else the stream itself), whether
to colour (``NO_COLOR`` when not empty, the terminal's ``TERM``) and how wide to draw
(``COLUMNS``, else the terminal's width). Views read those decisions from the console they
are drawn on; none asks the stream itself.

Piped, with no ``COLUMNS``, nothing is fitted: no cell is wrapped or cut, and the padding
Rich adds to the end of lines is dropped (it would end up in files and diffs). On a
terminal, output longer than the screen goes through a pager, as ``git`` does.

No models here: the report's view uses it without importing pydantic.
"""

from __future__ import annotations

import gc
import io
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from ..sanitise import printable

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions

UNLIMITED = 100_000
"""The width of a console with no screen to fit (piped, no ``COLUMNS``)."""
ENV_PAGER = "INVENTORY_PAGER"


def _columns() -> int | None:
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def make_console(
    file: IO[str] | None = None, *, width: int | None = None, terminal: bool | None = None
) -> Console:
    """The console for ``file`` (standard output by default). ``width`` and ``terminal``
    override what the environment says (tests, and the pager's buffer)."""
    from rich.console import Console

    console = Console(
        file=file or sys.stdout,
        width=width,
        force_terminal=terminal,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    if width is None and not console.is_terminal and _columns() is None:
        console.width = UNLIMITED
    return console


def may_be_terminal(stream: IO[str]) -> bool:
    """False only where Rich would certainly say "not a terminal": no ``FORCE_COLOR`` or
    ``TTY_COMPATIBLE=1`` and a stream that is not a TTY."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1":
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def room(options: ConsoleOptions) -> int | None:
    """The width a view must fit in, or None when nothing is to be fitted (piped)."""
    return None if options.max_width >= UNLIMITED else options.max_width


def plain(console: Console, options: ConsoleOptions, ascii_: bool | None) -> bool:
    """Whether to draw with ASCII characters and no colour: asked for (``--ascii``), or not
    a terminal, or an output encoding that cannot show block characters."""
    if ascii_ is not None:
        return ascii_
    return not console.is_terminal or options.ascii_only


def show(console: Console, *renderables: Any) -> None:
    """Print renderables; off a terminal, without trailing spaces."""
    # Drawing a table makes objects by the hundred thousand, and each of the collector's
    # older passes would walk every object the run already holds (the command's modules,
    # the store's answer): set aside while drawing, they cost nothing (a tenth of the CPU
    # of a 1,600-row table), and are collected as before once it is drawn.
    gc.freeze()
    try:
        if console.is_terminal:
            for item in renderables:
                console.print(item)
            return
        with console.capture() as capture:
            for item in renderables:
                console.print(item)
    finally:
        gc.unfreeze()
    text = "\n".join(line.rstrip() for line in capture.get().splitlines())
    console.file.write(text + "\n" if text else "")


def render_text(*renderables: Any, width: int | None = None, terminal: bool = False) -> str:
    """What :func:`show` prints, as a string (for tests and golden files)."""
    out = io.StringIO()
    show(make_console(out, width=width, terminal=terminal), *renderables)
    return out.getvalue()


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: tuple[int, ...] = (),
    head: bool = True,
) -> Any:
    """A Rich table of plain strings; ``right`` names the columns to align right (numbers)."""
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD if head else None, show_header=head, show_edge=False, pad_edge=False
    )
    for index, header in enumerate(headers):
        table.add_column(
            printable(header), justify="right" if index in right else "left", overflow="fold"
        )
    for row in rows:
        table.add_row(*(printable(cell) for cell in row))
    return table


# --- the pager -------------------------------------------------------------------------------


def pager_command(environ: dict[str, str] | None = None) -> list[str] | None:
    """``$INVENTORY_PAGER``, else ``$PAGER``, else ``less``, split into words; None when it
    is empty or ``cat`` (no pager wanted) or cannot be found."""
    env = os.environ if environ is None else environ
    chosen = env.get(ENV_PAGER, env.get("PAGER", "less"))
    try:
        words = shlex.split(chosen)
    except ValueError:
        return None
    if not words or words[0] == "cat" or shutil.which(words[0]) is None:
        return None
    return words


class Screen:
    """Standard output for one run. Off a terminal (or with the pager off) it writes through
    at once; on a terminal it keeps what is printed until :meth:`close`, then shows it
    through the pager if it is longer than the screen, else as it is."""

    def __init__(
        self, stream: IO[str] | None = None, *, pager: bool = True, width: int | None = None
    ) -> None:
        self.target = stream or sys.stdout
        self._width = width
        self._console: Console | None = None
        self.pager: list[str] | None = None
        self.stream: IO[str] = self.target
        if may_be_terminal(self.target):
            # Rich decides; off a terminal the console is made only when a view needs it
            # (JSON, CSV and the like never do: importing Rich is a fifth of a run).
            console = make_console(self.target, width=width)
            self._console = console
            self.pager = pager_command() if pager and console.is_terminal else None
            if self.pager is not None:
                self._buffer = io.StringIO()
                self._console = make_console(self._buffer, width=console.width, terminal=True)
                self.stream = self._buffer

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = make_console(self.target, width=self._width)
        return self._console

    def close(self) -> None:
        if self.pager is None:
            return
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        if not text:
            return
        if text.count("\n") < self.console.height:
            self.target.write(text)
            self.target.flush()
            return
        self._page(text, self.pager)

    def _page(self, text: str, command: list[str]) -> None:
        env = dict(os.environ)
        env.setdefault("LESS", "FRX")  # as git: quit when it fits, keep colours and screen
        env.setdefault("LV", "-c")
        encoding = getattr(self.target, "encoding", None) or "utf-8"
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
        except OSError:
            self.target.write(text)
            return
        assert process.stdin is not None
        try:
            process.stdin.write(text.encode(encoding, "replace"))
            process.stdin.close()
        except BrokenPipeError:  # the reader quit before the end: nothing more to show
            pass
        while True:
            try:
                process.wait()
                return
            except KeyboardInterrupt:  # Ctrl-C is for the pager, as in git
                continue
