"""Where the store is and what its columns are called.

Standard library only: the command line needs these before it knows whether it will build
a model at all, and importing the models costs more than importing Typer.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import StoreError

ENV_STORE = "INVENTORY_STORE"
DEFAULT_NAMES = ("data/activities.csv", "activities.csv", "activities.json")
LIST_SEPARATOR = ";"
COLUMNS = (
    "id", "projects", "title", "modality", "city", "countries", "location",
    "dates", "month", "start", "end", "precision", "certainty", "deadline", "status",
)  # fmt: skip


def find_store(explicit: str | None = None, *, cwd: Path | None = None) -> Path:
    """The store to use: ``--store``, then ``$INVENTORY_STORE``, then the usual places
    in the current folder and its parents (so it is found from anywhere in a checkout)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in DEFAULT_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    raise StoreError(
        f"no store found: looked for {', '.join(DEFAULT_NAMES)} in {here} and its parents",
        hint=f"pass --store PATH, set {ENV_STORE}, or create one with "
        "'inventory import NEWSLETTER.txt --store data/activities.csv'",
    )


def store_format(path: Path) -> str:
    return "json" if path.suffix.lower() in (".json", ".ndjson") else "csv"
