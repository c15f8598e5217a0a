"""The root of the command line: global options, the table of commands (each built only
when a run reaches it), and the entry point."""

from __future__ import annotations

import contextlib
import signal
import sys
from typing import Annotated

import typer

from .. import __version__
from .root import GLOBALS, Globals, StoreOpt
from .typer_compat import Entry, LazyGroup

# The first sentence of each command's docstring (tests/test_typer_compat.py checks).
COMMANDS: dict[str, Entry] = {
    "list": Entry(
        "query", "List activities, soonest first, filtered by project, period, place or text."
    ),
    "upcoming": Entry("query", "Activities not yet finished on the reference date, soonest first."),
    "show": Entry("query", "Show activities in detail, every field."),
    "report": Entry(
        "query", "Summarise a period: activities per project per month, countries reached."
    ),
    "export": Entry(
        "query", "Export activities as a calendar file: the same as list --format ics."
    ),
    "import": Entry(
        "edit", "Bring the store in line with a newsletter (or a sheet, an export, another store)."
    ),
    "add": Entry("edit", "Add an activity."),
    "edit": Entry(
        "edit", "Change the named fields of activities; the others, and their ids, stay."
    ),
    "cancel": Entry("edit", "Mark activities cancelled."),
    "postpone": Entry("edit", "Mark activities postponed, with their new dates if known."),
    "remove": Entry("edit", "Delete activities from the store."),
    "validate": Entry(
        "check", "Check the whole store and print every problem with its file, line and field."
    ),
    "projects": Entry(
        "projects",
        "The projects with their duration, budget, activities and countries reached.",
        group=True,
    ),
    "calendar": Entry("planning", "A month grid like cal: how many activities run on each day."),
    "timeline": Entry(
        "planning",
        "A Gantt chart of a period: one bar per activity, grouped by project or country.",
    ),
    "clashes": Entry(
        "planning",
        "Pairs of activities that overlap in time: likely duplicates, clashes, parallel load.",
    ),
    "config": Entry(
        "admin",
        "Where things are: the store in use and why, the settings file, your own store, the cache.",
    ),
    "history": Entry("history", "The changes made to the store, newest first."),
    "undo": Entry("history", "Undo a change (default: your last one), recorded as a change."),
    "serve": Entry(
        "serve", "Serve the store to browsers and calendars: pages, a feed and an API, read-only."
    ),
    "db": Entry(
        "db", "The store itself: create it, upgrade its schema, dump it to CSV.", group=True
    ),
}


class InventoryGroup(LazyGroup):
    entries = COMMANDS


app = typer.Typer(
    name="inventory",
    cls=InventoryGroup,
    help="Keep an inventory of a programme's activities and answer questions about it.\n\n"
    "The store is found without flags inside a checkout (data/activities.csv); --store, "
    "$INVENTORY_STORE or the settings ('inventory config') point elsewhere.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"inventory {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    store: StoreOpt = None,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Never page long output, even on a terminal (also: INVENTORY_PAGER=cat).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Keep an inventory of a programme's activities and answer questions about it."""
    GLOBALS.set(Globals(store=store, pager=not no_pager))
    _safe_streams()


def _safe_streams() -> None:
    # A character the output encoding cannot show (an ASCII or cp1252 console) becomes a
    # replacement mark, never a traceback.
    # (surrogateescape, the C locale's choice, fails the same way on a character it lacks.)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") in (
            "strict",
            "surrogateescape",
        ):
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def main() -> None:
    """Console-script entry point."""
    # Die quietly when the reader of a pipe goes away (inventory list | head).
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if sys.argv[1:] in (["--version"], ["-V"]):
        print(f"inventory {__version__}")  # what _version prints, without building the app
        return
    app()
