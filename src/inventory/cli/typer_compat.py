"""What the command line adds to Typer, through its documented extension points only: a
``TyperGroup`` subclass passed as ``cls=`` to ``typer.Typer``, Click's public ``Group`` API
(``list_commands``, ``get_command``, ``format_commands``, ``main``) and
``typer.main.get_command``, the documented way from a ``typer.Typer`` to its Click command.
Nothing here imports ``typer._*`` or reads a private attribute, so any Typer from 0.29 on
serves.

Two things live here:

* **a lazy command tree**: :class:`LazyGroup` builds only the command a run reaches, from a
  table of ``name -> module`` (Typer builds every registered command on every run);
* **one-line usage errors**: Click's four-line "Usage / Try / Error" block becomes
  ``inventory: error: ...`` and exit 2, the same as every other usage mistake.

Option values are converted by Typer itself. Typer 0.29 builds a pydantic ``TypeAdapter``
for every parameter of the command it runs, and ``parser=`` goes through one too, so there is
no public way around pydantic: its import and the first adapter cost some 80 ms a command
run (``--help`` and ``--version`` build none). Measured and accepted in issue 23 rather than
keep a subclass of Typer's private ``RuntimeParam``. Whole numbers use our own ``parser=``
(:func:`whole_number`), so that a refusal says what was typed, as every other one does.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.core
import typer.main

from ..sanitise import printable


@dataclass(frozen=True)
class Entry:
    """A command of the lazy tree: its module (``inventory.cli.<module>``) and its one-line
    help for ``inventory --help``, which is the first sentence of the command's docstring
    (tests/test_typer_compat.py holds the two equal)."""

    module: str
    help: str
    group: bool = False
    """A sub-app (``projects``, ``db``) rather than one command."""


def whole_number(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """A ``parser=`` for a whole-number option, bounds included: Typer's own check would
    answer "Input should be a valid integer" without saying what was typed."""

    def parse(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                raise ValueError(f"{value!r} is not a whole number") from None
        if low is not None and number < low:
            raise ValueError(f"expected {low} or more, got {number}")
        if high is not None and number > high:
            raise ValueError(f"expected {high} or less, got {number}")
        return number

    return parse


_NEAR = 0.8
"""How alike a mistyped option must be to a real one to be suggested (as for countries)."""

_PYDANTIC_PREFIX = "Value error, "
"""What pydantic puts before the message of a ValueError raised by a parser or a choice."""


def _is_click_error(error: BaseException) -> bool:
    # Click's exceptions by their documented attributes: Typer vendors Click under a private
    # name, so the class itself is not ours to import.
    return isinstance(getattr(error, "exit_code", None), int) and hasattr(error, "format_message")


def one_line(error: Any) -> tuple[str, str | None]:
    """A Click usage error as one line (and a hint), without Click's Usage block."""
    message = error.format_message()
    hint = None
    ctx = getattr(error, "ctx", None)
    if ctx is not None and getattr(ctx, "command_path", None):
        hint = f"'{ctx.command_path} --help' lists the options"
    param = getattr(error, "param", None)
    options = [o for o in getattr(param, "opts", None) or () if o.startswith("-")]
    if isinstance(error, typer.BadParameter) and options and error.message:
        # The same words as the values our own parsers refuse ("invalid value for --year:
        # ..."): the message says what was expected, so no hint.
        name = max(options, key=lambda o: (o.startswith("--"), len(o)))
        text = error.message.removeprefix(_PYDANTIC_PREFIX).rstrip(".")
        return f"invalid value for {name}: {text}", None
    if hasattr(error, "param_type") and getattr(param, "param_type_name", "") == "argument":
        # A missing argument, in the house's words rather than "Missing argument 'ID...'."
        metavar = (
            getattr(param, "metavar", None) or getattr(param, "name", "") or ""
        ).removesuffix("...")
        many = getattr(param, "nargs", 1) != 1
        return f"expected {'at least one ' if many else ''}{metavar}", hint
    if hasattr(error, "option_name") and hasattr(error, "possibilities"):
        # Click suggests any option sharing a few letters ("--limit": "--city"); only a
        # near spelling is a suggestion (E5).
        typed = str(error.option_name).lstrip("-")
        possible = [
            p
            for p in error.possibilities or ()
            if difflib.SequenceMatcher(None, typed, p.lstrip("-")).ratio() >= _NEAR
        ]
        message = f"no such option: {error.option_name}"
        if possible:
            message += f"; did you mean {', '.join(sorted(possible))}?"
    return message, hint


def run_quietly(
    command: LazyGroup, args: Any, prog_name: str | None, standalone: bool, **extra: Any
) -> Any:
    """Run a Click command, turning usage errors into one line on stderr and exit 2."""
    try:
        result = super(LazyGroup, command).main(args, prog_name, standalone_mode=False, **extra)
    except typer.Abort:
        typer.echo("inventory: aborted", err=True)
        if standalone:
            sys.exit(1)
        raise
    except typer.Exit:
        raise
    except Exception as error:
        if not _is_click_error(error):
            raise
        message, hint = one_line(error)
        if getattr(error, "exit_code", 2) == 0 or message.startswith("Usage:"):
            typer.echo(message, err=True)  # no_args_is_help: the help is the message
        else:
            typer.echo(f"inventory: error: {printable(message)}", err=True)
            if hint:
                typer.echo(f"inventory: hint: {printable(hint)}", err=True)
        code: int = getattr(error, "exit_code", 2)
        if standalone:
            sys.exit(code)
        raise typer.Exit(code) from None
    if standalone:
        sys.exit(result if isinstance(result, int) else 0)
    return result


_TYPE_LABELS = (" <list[str]>", " <str>", " <int>", " <Path>", " <int range>")
"""Typer's type after an argument's metavariable, which already says what to type."""


def readable(text: str) -> str:
    """Help with arguments as Click shows them (``FILE``, ``ID...``), not Typer's
    ``{FILE}`` and ``ID... <list[str]>``: the metavariable already says what to type. Done
    on the help text, the one public place: Typer's display of a parameter is private."""
    for label in _TYPE_LABELS:
        text = text.replace(label, "")
    out, rest = [], text
    while "{" in rest:
        before, _, after = rest.partition("{")
        inside, closed, tail = after.partition("}")
        if not closed or not inside.replace(".", "").replace("_", "").isupper():
            out.append(before + "{")
            rest = after
            continue
        out.append(before + inside)
        rest = tail.removeprefix("...") if inside.endswith("...") else tail
    return "".join(out) + rest


class ReadableCommand(typer.core.TyperCommand):
    """A command whose ``--help`` shows its arguments by their metavariable."""

    def get_help(self, ctx: Any) -> str:
        return readable(super().get_help(ctx))

    def get_usage(self, ctx: Any) -> str:
        return readable(super().get_usage(ctx))


class LazyGroup(typer.core.TyperGroup):
    """The root group: commands are built from :attr:`entries` when a run reaches them."""

    entries: ClassVar[dict[str, Entry]] = {}
    package = "inventory.cli"

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.entries)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = self.entries.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"{self.package}.{entry.module}")
        group = typer.main.get_command(module.app)
        if entry.group:
            group.name = cmd_name
            return group
        getter = getattr(group, "get_command", None)
        return getter(ctx, cmd_name) if getter is not None else group

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # The one-line help of each command, without importing and building them all.
        rows = [(name, entry.help) for name, entry in self.entries.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if complete_var is not None:
            extra["complete_var"] = complete_var
        extra["windows_expand_args"] = windows_expand_args
        return run_quietly(self, args, prog_name, standalone_mode, **extra)
