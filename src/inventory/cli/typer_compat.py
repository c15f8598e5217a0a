"""The only module that touches Typer's internals (``typer._*``, ``typer.main``); everything
else uses ``Annotated[..., typer.Option()]``, ``parser=`` and ``CliRunner``.

Four things live here:

* **option values without pydantic** (below);
* **arguments shown by their metavariable** (``ID...``), as Click shows them;
* **a lazy command tree**: :class:`LazyGroup` builds only the command a run reaches, from a
  table of ``name -> module`` (Typer builds every registered command on every run);
* **one-line usage errors**: Click's four-line "Usage / Try / Error" block becomes
  ``inventory: error: ...`` and exit 2, the same as every other usage mistake.

If a Typer release moves what this module relies on, each part falls back to plain Typer
(tests/test_typer_compat.py simulates that): slower, or a longer error message, never a
different answer.

Option values without pydantic
------------------------------

Typer 0.29 coerces every parameter of the command it runs through a pydantic
``TypeAdapter`` built on the spot, given or not: importing pydantic and building the
adapters was half of a ``list`` run on the bundled store (314 ms before this module, 156 ms
after, in bench/run.py's runs side by side with khal). Our options use six plain
kinds (text, whole number, flag, path, choice, and lists of text or choices), so
:class:`LightCommand` gives each such parameter a small converter of its own before Typer
asks for one, and leaves any other kind to Typer. The values a command receives are the same
either way (tests/test_typer_compat.py compares both on every parameter of every command,
and simulates each way the internals could move).

This leans on Typer internals (``_TyperParameter._runtime_param``, ``RuntimeParam``); the
pin ``typer>=0.29,<0.30`` in pyproject.toml keeps them stable, and if they move (an import
fails, a dataclass field or method is renamed) the light converters are skipped and Typer's
own take over.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, get_args, get_origin

import typer
import typer.core
import typer.main

from ..sanitise import printable

try:
    from typer._coercion import RuntimeParam
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # a Typer without these internals: Typer's own coercion is used
    RuntimeParam = None  # type: ignore[assignment,misc]


def _bad(message: str, ctx: Any, param: Any) -> typer.BadParameter:
    return typer.BadParameter(message, ctx=ctx, param=param)


def _text(value: Any, info: Any, ctx: Any, param: Any) -> str:
    if isinstance(value, bytes):  # argv that is not valid in the locale's encoding
        return value.decode("utf-8", "replace")
    return str(value)


def _flag(value: Any, info: Any, ctx: Any, param: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "on"):
        return True
    if text in ("", "0", "false", "f", "no", "n", "off"):
        return False
    raise _bad(f"{value!r} is not a yes/no value (expected true or false).", ctx, param)


def _whole(value: Any, info: Any, ctx: Any, param: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise _bad(f"{value!r} is not a whole number.", ctx, param) from None
    if info.min is not None and number < info.min:
        raise _bad(f"expected {info.min} or more, got {number}.", ctx, param)
    if info.max is not None and number > info.max:
        raise _bad(f"expected {info.max} or less, got {number}.", ctx, param)
    return number


def _path(value: Any, info: Any, ctx: Any, param: Any) -> Path:
    if isinstance(value, Path):
        return value
    # path_type=None: the existence and kind checks without Typer's pydantic Path adapter.
    checked = coerce_cli_path(value, info, path_type=None, param=param, ctx=ctx)
    return Path(checked)  # type: ignore[arg-type]


def _choice(choices: list[Enum]) -> Any:
    def convert(value: Any, info: Any, ctx: Any, param: Any) -> Any:
        try:
            return coerce_cli_choice(
                value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError as error:
            raise _bad(str(error), ctx, param) from None

    return convert


def converter_for(annotation: Any) -> Any:
    """The converter of one value of ``annotation``, or None to leave it to Typer."""
    if annotation is str:
        return _text
    if annotation is bool:
        return _flag
    if annotation is int:
        return _whole
    if annotation is Path:
        return _path
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(list(annotation))
    return None


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class LightParam(RuntimeParam):
        """One parameter's conversion, element by element for a repeatable option."""

        convert: Any
        many: bool

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            if self.many:
                return [self.convert(item, info, ctx, param) for item in value]
            return self.convert(value, info, ctx, param)


def light_param(param: Any) -> Any:
    """A :class:`LightParam` for ``param``, or None when it is a kind we leave to Typer."""
    descriptor = getattr(param, "type_descriptor", None)
    if RuntimeParam is None or descriptor is None or descriptor.file_annotation is not None:
        return None
    info = descriptor.parameter_info
    if info.parser is not None or info.clamp:
        return None
    annotation = descriptor.annotation
    many = get_origin(annotation) is list
    if many:
        (annotation,) = get_args(annotation)
    elif get_origin(annotation) is not None:
        return None
    convert = converter_for(annotation)
    if convert is None:
        return None
    return LightParam(
        parameter_info=info, annotation=descriptor.annotation, convert=convert, many=many
    )


def lighten(params: list[Any]) -> None:
    for param in params:
        if getattr(param, "_runtime_param", False) is None:
            try:
                light = light_param(param)
            except (TypeError, AttributeError, ValueError):
                return  # Typer's internals moved: leave every parameter to Typer
            if light is not None:
                param._runtime_param = light


def plain_metavars(params: list[Any]) -> None:
    """Arguments shown as their metavariable, as Click shows them (``FILE``, ``ID...``,
    ``[ID...]`` when optional), not Typer's ``{ID...}...`` and ``ID... <list[str]>``: the
    metavariable already says what to type."""
    for param in params:
        metavar = getattr(param, "metavar", None)
        if getattr(param, "param_type_name", "") != "argument" or not metavar:
            continue
        shown = metavar if param.nargs == 1 or metavar.endswith("...") else metavar + "..."
        usage = shown if param.required or shown.startswith("[") else f"[{shown}]"
        try:
            param._usage_display_name = lambda usage=usage: usage
            param.display_type_rich = lambda ctx: None
            param.display_type = lambda ctx: ""
        except (AttributeError, TypeError):  # slots or read-only: Typer's own display
            return


class _Light:
    # get_params, not __init__: Click adds --help there, and Typer the completion options.
    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        lighten(params)
        plain_metavars(params)
        return params


class LightCommand(_Light, typer.core.TyperCommand):
    """A Typer command whose plain parameters are converted without pydantic."""


class LightGroup(_Light, typer.core.TyperGroup):
    """A group (the app, ``projects``) whose own options are converted the same way."""


# --- the lazy command tree and one-line usage errors -----------------------------------------

try:
    from typer._click.exceptions import ClickException as _ClickException
    from typer._click.exceptions import NoSuchOption as _NoSuchOption
except ImportError:  # a Typer without its vendored Click: its own messages are shown
    _ClickException = None  # type: ignore[assignment,misc]
    _NoSuchOption = None  # type: ignore[assignment,misc]


@dataclass(frozen=True)
class Entry:
    """A command of the lazy tree: its module (``inventory.cli.<module>``), the name of the
    ``typer.Typer`` there that holds it, and its one-line help for ``inventory --help``."""

    module: str
    help: str
    group: bool = False
    """A sub-app (``projects``, ``db``) rather than one command."""


_NEAR = 0.8
"""How alike a mistyped option must be to a real one to be suggested (as for countries)."""


def one_line(error: Exception) -> tuple[str, str | None]:
    """A Click usage error as one line (and a hint), without Click's Usage block."""
    message = error.format_message() if hasattr(error, "format_message") else str(error)
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
        return f"invalid value for {name}: {error.message.rstrip('.')}", None
    if _NoSuchOption is not None and isinstance(error, _NoSuchOption):
        # Click suggests any option sharing a few letters ("--limit": "--city"); only a
        # near spelling is a suggestion (E5).
        typed = str(error.option_name).lstrip("-")
        possible = [
            p
            for p in getattr(error, "possibilities", None) or ()
            if difflib.SequenceMatcher(None, typed, p.lstrip("-")).ratio() >= _NEAR
        ]
        if possible:
            message = (
                f"no such option: {error.option_name}; did you mean {', '.join(sorted(possible))}?"
            )
        else:
            message = f"no such option: {error.option_name}"
    return message, hint


def run_quietly(
    command: Any, args: Any, prog_name: str | None, standalone: bool, **extra: Any
) -> Any:
    """Run a Click command, turning usage errors into one line on stderr and exit 2."""
    if _ClickException is None:
        return super(LazyGroup, command).main(args, prog_name, standalone_mode=standalone, **extra)
    try:
        result = super(LazyGroup, command).main(args, prog_name, standalone_mode=False, **extra)
    except _ClickException as error:
        message, hint = one_line(error)
        typer.echo(f"inventory: error: {printable(message)}", err=True)
        if hint:
            typer.echo(f"inventory: hint: {printable(hint)}", err=True)
        if standalone:
            sys.exit(error.exit_code)
        raise typer.Exit(error.exit_code) from None
    except typer.Abort:
        typer.echo("inventory: aborted", err=True)
        if standalone:
            sys.exit(1)
        raise
    if standalone:
        sys.exit(result if isinstance(result, int) else 0)
    return result


class LazyGroup(LightGroup):
    """The root group: commands are built from :attr:`entries` when a run reaches them."""

    entries: ClassVar[dict[str, Entry]] = {}
    package = "inventory.cli"

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.entries)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = self.entries.get(cmd_name)
        if entry is None:
            return None
        import importlib

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
