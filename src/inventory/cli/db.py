"""The store itself: ``db init``, ``db upgrade``, ``db dump``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..formats import Format, Listing
from ..store.base import Administered
from .options import command, location, say, write_output
from .root import StoreOpt

app = typer.Typer(
    rich_markup_mode=None,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


@app.callback()
def db_cmd() -> None:
    """The store itself: create it, upgrade its schema, dump it to CSV.

    \b
    Examples:
      inventory db init --store postgresql://officer@db.example/inventory
      inventory db upgrade --store postgresql://officer@db.example/inventory
      inventory db dump -o backup-2019-11-28.csv
    """


@command(app, "init")
def init_cmd(store: StoreOpt = None) -> None:
    """Create an empty store: the schema in a PostgreSQL database (which must exist), or
    an empty file. A store that exists already is left as it is.

    \b
    Examples:
      inventory db init --store postgresql://officer@db.example/inventory
      inventory db init --store team.db
    """
    from ..store import check_new_store, open_store

    where = location(store)
    check_new_store(where, create=True)
    with open_store(where, create=True) as opened:
        say(administered(opened).initialise())


@command(app, "upgrade")
def upgrade_cmd(store: StoreOpt = None) -> None:
    """Bring the store's schema up to this version of inventory (PostgreSQL and SQLite;
    a CSV or JSON file has no schema). Every officer then needs this version.

    \b
    Example:
      inventory db upgrade --store postgresql://officer@db.example/inventory
    """
    from ..store import open_store

    with open_store(location(store)) as opened:
        admin = administered(opened)
        before, latest = admin.schema()
        if latest == 0:
            say(f"{opened.location}: a {opened.kind.upper()} store has no schema to upgrade")
            return
        steps = admin.upgrade()
        for step in steps:
            say(f"applied step {step}")
        after, _ = admin.schema()
        if steps:
            say(f"{opened.location}: upgraded from schema {before} to {after}")
        else:
            say(f"{opened.location}: schema {after} is up to date")


@command(app, "dump")
def dump_cmd(
    store: StoreOpt = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (atomically) instead of standard output.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the whole store as CSV (the CSV store's own columns, extra columns kept), for
    a backup: 'inventory import' or '--store' reads it back as it was.

    \b
    Examples:
      inventory db dump > backup.csv
      inventory db dump --store postgresql://officer@db.example/inventory -o backup.csv
    """
    import io

    from ..formats import Output, write
    from .options import reading

    with reading(store) as opened:
        activities = opened.select()
        buffer = io.StringIO()
        write(Listing(activities), Format.CSV, Output(stream=buffer, terminal=False))
        where = write_output(output, buffer.getvalue().encode("utf-8"), opened)
        source = opened.location
    count = len(activities)
    say(f"dumped {count} activit{'y' if count == 1 else 'ies'} of {source} to {where}")


def administered(store: Any) -> Administered:
    """The store as ``db`` asks it: every backend is one (``store.base.Administered``)."""
    assert isinstance(store, Administered), f"{type(store).__name__} cannot be administered"
    return store
