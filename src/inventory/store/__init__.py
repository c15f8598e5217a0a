"""Stores: one interface (``base.Store``), four backends. :func:`open_store` picks the
backend from the location (a ``postgresql://`` URL, a ``.json``, a ``.db``/``.sqlite``
file, else CSV); no command chooses an engine or a file format."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..config import settings, user_store
from ..errors import StoreError, UsageError
from .base import AmbiguousId, Batch, Store
from .cache import Progress

__all__ = ["AmbiguousId", "Batch", "Location", "Store", "find_store", "open_store"]

ENV_STORE = "INVENTORY_STORE"
DEFAULT_NAMES = ("data/activities.csv", "activities.csv", "activities.json")
URL_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
USER_STORE_WHY = "the per-user store"
"""How a :class:`Location` says it fell back on the per-user store."""


@dataclass(frozen=True)
class Location:
    """Where a store is, and how it was chosen (for ``inventory config``)."""

    target: str
    why: str
    found: bool = True
    """False when nothing was named or found and this is the per-user default, not yet made."""

    @property
    def is_url(self) -> bool:
        return self.target.startswith(URL_SCHEMES)


def find_store(explicit: str | None = None, *, cwd: Path | None = None) -> Location:
    """The store to use: ``--store``, then ``$INVENTORY_STORE``, then the user's settings,
    then ``data/activities.csv`` (or ``activities.csv``/``.json``) in the current folder or
    a parent (so it is found from anywhere in a checkout), then the per-user store."""
    if explicit is not None:
        if not explicit.strip():
            raise StoreError("--store is empty; expected a file or a postgresql:// URL")
        return Location(explicit, "--store")
    env = os.environ.get(ENV_STORE, "").strip()
    if env:
        return Location(env, f"${ENV_STORE}")
    configured = settings()
    if configured.store:
        target = configured.store
        if not target.startswith(URL_SCHEMES):
            target = str(Path(target).expanduser())
        return Location(target, f"store in {configured.source}")
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in DEFAULT_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return Location(str(candidate), f"found from {here}")
    default = user_store()
    return Location(str(default), USER_STORE_WHY, found=default.is_file())


def no_store_error(location: Location) -> StoreError:
    return StoreError(
        f"no store found: none named, and no {', '.join(DEFAULT_NAMES)} in the current "
        "folder or its parents",
        hint=f"pass --store PATH or set {ENV_STORE}; or import a newsletter or CSV to start "
        f"your own ({location.target}): inventory import NEWSLETTER.txt",
    )


def open_store(
    location: Location | str,
    *,
    create: bool = False,
    progress: Progress | None = None,
    keep_cache: bool = True,
) -> Store:
    """The store at ``location``; ``create`` for a write that may start a new one;
    ``keep_cache=False`` leaves no cache file beside a CSV store (a dry run)."""
    if isinstance(location, str):
        location = Location(location, "given")
    if not location.found and not create:
        raise no_store_error(location)
    target = location.target
    if location.is_url:
        from .postgres import PostgresStore

        return PostgresStore(target, create=create)
    from .files import resolve

    path = resolve(Path(target).expanduser())
    suffix = path.suffix.lower()
    if path.is_dir():
        raise UsageError(f"{target} is a folder; expected a store file (.csv, .json or .db)")
    if suffix in (".json", ".ndjson"):
        from .jsonfile import JsonStore

        return JsonStore(path, create=create)
    if suffix in SQLITE_SUFFIXES:
        from .sqlite import SqliteStore

        return SqliteStore(path, create=create)
    from .csvfile import CsvStore

    return CsvStore(path, create=create, progress=progress, keep_cache=keep_cache)
