"""What the root command knows before any command is built: the options given before the
command (``inventory --store x list``). Typer only, so ``inventory --version`` and
``--help`` start as fast as a bare Typer app."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated

import typer

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        "-s",
        metavar="FILE|URL",
        help="The store: a .csv, .json or .db file, or a postgresql:// URL. Default: "
        "$INVENTORY_STORE, the settings, data/activities.csv found from here up, "
        "else your own store (see 'inventory config').",
        show_default=False,
    ),
]


@dataclass
class Globals:
    """Options given before the command (``inventory --store x list``)."""

    store: str | None = None
    pager: bool = True


GLOBALS: ContextVar[Globals | None] = ContextVar("inventory_globals", default=None)
"""Set by the root command for each run (``inventory --store x list``)."""
