"""What the commands share: the options (``Annotated`` aliases, so ``--month`` is spelt,
explained and checked the same everywhere), the period and filter they name, the store they
open, the format they write in, and the one way errors leave a command."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ..errors import InventoryError, UsageError, redact
from ..filters import clamp as clamp
from ..filters import resolve_period as resolve_period
from ..formats import WRITERS, Format, Output, formats_for, write
from ..months import ENV_TODAY, parse_day
from ..sanitise import FORBIDDEN, describe_char, printable
from ..store import (
    USER_STORE_WHY,
    Location,
    Store,
    check_new_store,
    find_store,
    is_url,
    open_store,
)
from ..views.console import Screen
from ..vocab import Certainty, Status
from . import completion
from .root import GLOBALS
from .typer_compat import ReadableCommand, whole_number

ENV_DEBUG = "INVENTORY_DEBUG"
F = TypeVar("F", bound=Callable[..., Any])


# --- messages and errors ---------------------------------------------------------------------


def say(message: str) -> None:
    """A message for the person at the terminal: stderr, never mixed with the data; never
    with a password in it (:func:`~inventory.errors.redact`)."""
    typer.echo(f"inventory: {printable(redact(message))}", err=True)


def fail(message: str, code: int = 1, hint: str | None = None) -> typer.Exit:
    """Print ``inventory: error: ...`` (and a hint) on stderr; return the Exit to raise."""
    typer.echo(f"inventory: error: {printable(redact(message))}", err=True)
    if hint:
        typer.echo(f"inventory: hint: {printable(redact(hint))}", err=True)
    return typer.Exit(code)


def bad(option: str, message: str) -> UsageError:
    """A bad option value: exit 2, one line naming the option."""
    return UsageError(f"invalid value for {option}: {message}")


@dataclass
class Run:
    """What one command's run shares: its standard output (the one console, and the pager
    on a terminal), and how many rows of the store it had to leave out."""

    screen: Screen | None = None
    skipped: int = 0

    def output(self, **options: Any) -> Output:
        if "stream" in options:  # a stream of the caller's own, not standard output
            return Output(**options)
        if self.screen is None:
            given = GLOBALS.get()
            self.screen = Screen(pager=given.pager if given is not None else True)
        return Output(stream=self.screen.stream, screen=self.screen, **options)


_RUN: ContextVar[Run | None] = ContextVar("inventory_run", default=None)


def current_run() -> Run:
    """The run of the command being executed (a fresh one outside any command)."""
    run = _RUN.get()
    if run is None:
        run = Run()
        _RUN.set(run)
    return run


def handled(func: F) -> F:
    """Domain errors as one line and an exit code (1 data, 2 usage); Ctrl-C as 130;
    ``INVENTORY_DEBUG=1`` shows the traceback instead. A command that had to leave out
    rows of the store it could not read ends with exit 1, after its output."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        run = Run()
        token = _RUN.set(run)
        try:
            _check_utf8(func, kwargs)
            result = func(*args, **kwargs)
        except InventoryError as error:
            if os.environ.get(ENV_DEBUG):
                raise
            raise fail(str(error), error.exit_code, error.hint) from None
        except KeyboardInterrupt:
            typer.echo("inventory: interrupted; nothing more was written", err=True)
            raise typer.Exit(130) from None
        finally:
            if run.screen is not None:
                run.screen.close()
            _RUN.reset(token)
        if run.skipped:
            rows = "1 row was" if run.skipped == 1 else f"{run.skipped} rows were"
            raise fail(
                f"{rows} left out: the store has rows that cannot be read",
                1,
                "'inventory validate' shows each with its line",
            )
        return result

    return wrapper  # type: ignore[return-value]


def _check_utf8(func: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    """Every text argument is UTF-8: a byte that is not (``$'T\\xfcrkiye'`` in a Latin-1
    shell) reaches Python as a lone surrogate, which no file, database or message can hold."""
    given = GLOBALS.get()
    values = [(name, v) for name, value in kwargs.items() for v in _texts(value)]
    values += [("store", given.store)] if given is not None and given.store else []
    for name, value in values:
        found = FORBIDDEN.search(value)
        if found is not None and "\udc80" <= found.group() <= "\udcff":
            raise bad(
                _option_name(func, name),
                f"'{printable(value[:60])}' contains {describe_char(found.group())}; "
                "expected UTF-8 text (is the terminal set to another encoding?)",
            )


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _option_name(func: Callable[..., Any], name: str) -> str:
    """How a parameter is spelt on the command line: ``--as-of``, ``FILE``."""
    import typing

    with contextlib.suppress(Exception):
        hint = typing.get_type_hints(func, include_extras=True).get(name)
        for info in typing.get_args(hint)[1:]:
            # Annotated[..., typer.Option("--as-of", "-a")] keeps the first name as default.
            decls = [getattr(info, "default", None), *(getattr(info, "param_decls", None) or ())]
            names = [d for d in decls if isinstance(d, str) and d.startswith("-")]
            if names:
                return max(names, key=len)
            if getattr(info, "metavar", None) and type(info).__name__ == "ArgumentInfo":
                return str(info.metavar)
    return "--" + name.replace("_", "-")


def command(app: typer.Typer, name: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a command on a module's app, with :func:`handled`."""

    def decorate(func: F) -> F:
        app.command(name, cls=ReadableCommand, **kwargs)(handled(func))
        return func

    return decorate


def module_app() -> typer.Typer:
    return typer.Typer(
        rich_markup_mode=None,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )


# --- options ----------------------------------------------------------------------------------


def _text(option: str) -> Callable[[str | None], str | None]:
    """A parser that refuses an empty value: a script's empty variable must not mean
    'everything'."""

    def parse(value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise typer.BadParameter(f"is empty; expected {option}")
        return value

    return parse


JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
ProjectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--project",
        "-p",
        metavar="PROJECT",
        help="Project name or alias, case-insensitive; repeatable.",
        show_default=False,
        autocompletion=completion.projects,
    ),
]
MonthOpt = Annotated[
    str | None,
    typer.Option(
        "--month",
        "-m",
        metavar="YYYY-MM",
        help="A month: 2019-11.",
        show_default=False,
        autocompletion=completion.months,
    ),
]
QuarterOpt = Annotated[
    str | None,
    typer.Option(
        "--quarter",
        "-q",
        metavar="Qn-YYYY",
        help="A quarter: Q4-2019, 2019-Q4 or 'Q4 2019'.",
        show_default=False,
        autocompletion=completion.quarters,
    ),
]
YearOpt = Annotated[
    str | None,
    typer.Option(
        "--year",
        "-y",
        metavar="YYYY",
        help="A year: 2020.",
        show_default=False,
        autocompletion=completion.years,
    ),
]
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from", metavar="DATE", help="First day: 2020-03-01 or 1 March 2020.", show_default=False
    ),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to", metavar="DATE", help="Last day: 2020-03-01 or 1 March 2020.", show_default=False
    ),
]
CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        "-c",
        metavar="COUNTRY",
        help="Country name, alias or ISO code (Ukraine, UA, 'the Netherlands'); repeatable.",
        show_default=False,
        autocompletion=completion.countries,
    ),
]
CityOpt = Annotated[
    str | None,
    typer.Option(
        "--city", metavar="CITY", help="City, case- and accent-insensitive.", show_default=False
    ),
]
SearchOpt = Annotated[
    str | None,
    typer.Option(
        "--search",
        metavar="TEXT",
        help="Text in the title or location, case-, accent- and quote-insensitive.",
        show_default=False,
    ),
]
CertaintyOpt = Annotated[
    list[Certainty] | None,
    typer.Option(
        "--certainty",
        metavar="CERTAINTY",
        help="confirmed, tentative or unscheduled; repeatable.",
        case_sensitive=False,
        show_default=False,
    ),
]
DeadlinesOpt = Annotated[
    bool | None,
    typer.Option(
        "--deadlines/--no-deadlines",
        help="Only deadlines ('by 30 November'), or none.",
        show_default=False,
    ),
]
StatusOpt = Annotated[
    list[Status] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="planned, held, cancelled or postponed; repeatable.",
        case_sensitive=False,
        show_default=False,
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit", "-n", parser=whole_number(0), metavar="N", help="At most N.", show_default=False
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help=f"Reference date. Default: ${ENV_TODAY}, else today.",
        show_default=False,
    ),
]
AuthorOpt = Annotated[
    str | None,
    typer.Option(
        "--author",
        metavar="NAME",
        help="Who the history records for this change. Default: $INVENTORY_AUTHOR, the "
        "settings' author, else your user name.",
        show_default=False,
    ),
]
CreateOpt = Annotated[
    bool,
    typer.Option(
        "--create",
        help="Start a new store at --store if there is none there (without it, a store name "
        "that does not exist is refused: a typo is not a new store).",
    ),
]
IdsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="ID...",
        help="Ids or unique prefixes.",
        show_default=False,
        autocompletion=completion.ids,
    ),
]


def format_choice(kind: str) -> type[Enum]:
    """The formats a command writing a ``kind`` offers, as the choice type of its
    ``--format`` (so help lists exactly those)."""
    return _format_enum(kind)


@functools.cache
def _format_enum(kind: str) -> type[Enum]:
    names = {f.value: f.value for f in formats_for(kind)}
    choice: type[Enum] = StrEnum(f"{kind.title()}Format", names)  # type: ignore[misc]
    return choice


def format_option(kind: str, help: str = "") -> Any:
    choice = format_choice(kind)
    return Annotated[
        choice | None,
        typer.Option(
            "--format",
            "-f",
            metavar="[" + "|".join(c.value for c in choice) + "]",
            case_sensitive=False,
            show_default=False,
            help=help or "Output format. Default: table.",
        ),
    ]


def pick_format(fmt: Any, as_json: bool) -> Format:
    if as_json:
        if fmt is not None and Format(fmt.value) is not Format.JSON:
            raise UsageError(f"--json contradicts --format {fmt.value}; give one of them")
        return Format.JSON
    return Format(fmt.value) if fmt is not None else Format.TABLE


# --- periods and filters -----------------------------------------------------------------


def day_option(option: str, value: str) -> date:
    """The day an option names (``--as-of 1 March 2020``), or exit 2 naming the option."""
    try:
        return parse_day(value)
    except UsageError as error:
        raise bad(option, error.message) from None


def reference_day(as_of: str | None) -> date:
    """Today, read once here: the core takes it as a parameter."""
    if as_of is not None:
        return day_option("--as-of", as_of)
    env = os.environ.get(ENV_TODAY)
    if env:
        return day_option(f"${ENV_TODAY}", env)
    return date.today()


# --- the store ---------------------------------------------------------------------------------


def shown_path(location: str) -> str:
    """A store's path as messages show it: relative to the current folder when inside it
    (``data/activities.csv``), as git shows paths; else as it is (a URL, another folder)."""
    if "://" in location or not os.path.isabs(location):
        return location
    try:
        relative = os.path.relpath(location)
    except ValueError:  # another drive (Windows)
        return location
    return location if relative.startswith("..") else relative


def location(store: str | None) -> Location:
    given = GLOBALS.get()
    return find_store(store if store is not None or given is None else given.store)


@contextmanager
def reading(store: str | None, *, warn: bool = True) -> Iterator[Store]:
    """The store, open for reading; rows it cannot read are warned about, left out, and
    make the command exit 1 after its output (``warn=False``: the command reports them)."""
    where = location(store)
    # One's own store before the first import: empty, not an error (as khal's calendar).
    unmade = not where.found and where.why == USER_STORE_WHY
    if unmade:
        say(f"your store ({where.target}) is empty; 'inventory import FILE' starts it")
    opened = open_store(where, create=unmade, progress=progress("Reading the store"))
    try:
        problems = opened.problems() if warn else []
        for problem in problems[:5]:
            say(f"warning: skipped {problem}")
        if len(problems) > 5:
            say(f"warning: and {len(problems) - 5} more rows that could not be read")
        current_run().skipped = len(problems)
        yield opened
    finally:
        opened.close()


@contextmanager
def writing(store: str | None, *, create: bool = False) -> Iterator[Store]:
    """The store, open for a write. One that does not exist is started only with
    ``create`` (``--create``) or when it is the per-user store: else a mistyped
    ``--store`` would silently become a new, empty store."""
    where = location(store)
    may_create = check_new_store(where, create=create)
    opened = open_store(where, create=may_create, progress=progress("Reading the store"))
    try:
        yield opened
    finally:
        opened.close()


def progress(label: str) -> Callable[[int, int], None] | None:
    """A progress callback that shows a Rich bar on stderr once the work has taken half a
    second, and only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if time.monotonic() - started < 0.5 and done < total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

            bar = Progress(
                f"inventory: {label}",
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task(label, total=total)
        bar = state["bar"]
        bar.update(state["task"], completed=done, total=total)
        if done >= total:
            bar.stop()

    return update


def emit(result: Any, fmt: Format, **output: Any) -> None:
    """Write a result to standard output in the format chosen; the only place a command's
    output goes through (so one console and one pager serve the whole run)."""
    out = current_run().output(**output)
    if WRITERS[fmt].binary and out.terminal:
        raise UsageError(
            f"--format {fmt.value} writes a binary file; give -o FILE where the command has "
            f"it, or redirect: > activities.{fmt.value}"
        )
    write(result, fmt, out)


def rendered(result: Any, fmt: Format, note: Callable[[str], None] | None = None) -> bytes:
    """What :func:`emit` would write, as bytes (for ``-o FILE``). ``note`` takes what the
    writer says it left out (default: stderr at once)."""
    import io

    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    out = Output(stream=stream, terminal=False)
    if note is not None:
        out.note = note
    write(result, fmt, out)
    stream.flush()
    return buffer.getvalue()


OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        show_default=False,
        help="Write to FILE (atomically) instead of standard output; needed for xlsx.",
    ),
]


def author(command_name: str, given: str | None = None) -> Any:
    """Who the history records for this write: ``--author``, else ``$INVENTORY_AUTHOR``,
    else ``author`` in the settings, else the operating-system user."""
    from ..changes import Author, default_author
    from ..config import settings

    if given is not None and not given.strip():
        raise bad("--author", "is empty; expected a name, e.g. 'Jane Officer'")
    configured = settings().author
    name = (given or "").strip() or os.environ.get("INVENTORY_AUTHOR") or configured
    name = name or default_author()
    words = ["inventory", *sys.argv[1:]] if sys.argv and "inventory" in sys.argv[0] else []
    # The history is read by everyone: a password typed in a URL stays out of it.
    words = [redact(w) for w in words]
    import shlex

    return Author(name=name, command=shlex.join(words)[:500] or f"inventory {command_name}")


if TYPE_CHECKING:
    ListFormatOpt = Any
    WrittenFormatOpt = Any
    ShowFormatOpt = Any
    ReportFormatOpt = Any
    ViewFormatOpt = Any
    ProjectsFormatOpt = Any
    DataFormatOpt = Any
else:
    ListFormatOpt = format_option("activities")
    WrittenFormatOpt = format_option(
        "written", "How to echo the activities written: table, json, ndjson or ids. Default: table."
    )
    ShowFormatOpt = format_option("activity")
    ReportFormatOpt = format_option(
        "report",
        "table (the summary), json (the summary as data), the period's inventory in the "
        "newsletter's layout (text or markdown), or html: a web page with both, a timeline "
        "and charts, to publish (with -o FILE). Default: table.",
    )
    ViewFormatOpt = format_option("calendar")
    ProjectsFormatOpt = format_option("projects")
    DataFormatOpt = format_option("data")


def write_output(output: str | None, data: bytes, store: Store) -> str:
    """Write ``data`` to ``-o FILE`` atomically, or to stdout; never onto the store itself,
    its cache, its lock or its history. Returns where it went, for the message."""
    from pathlib import Path

    from ..store.files import resolve, write_out

    if output is None or output == "-":
        current_run().output().write_bytes(data)
        return "standard output"
    if not output.strip():
        raise bad("--output", "is empty; expected a file name, or - for standard output")
    if is_url(output):
        # A URL (the store's, password and all) would become folders named after it.
        raise bad("--output", "is a URL; expected a file name, or - for standard output")
    target = resolve(Path(output).expanduser())
    if target in store.own_files():
        what = (
            "the store"
            if target == getattr(store, "path", None)
            else ("one of the store's own files (its lock, cache, history or projects.csv)")
        )
        raise bad("--output", f"{output} is {what}; expected another file")  # fmt: skip
    if target.is_dir():
        raise bad("--output", f"{output} is a folder; expected a file name")
    write_out(Path(output).expanduser(), target, data)
    return output
