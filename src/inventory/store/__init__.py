"""Stores: one interface (``base.Store``), four backends. :func:`open_store` picks the
backend from the location (a ``postgresql://`` URL, a ``.json``, a ``.db``/``.sqlite``
file, else CSV); no command chooses an engine or a file format."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import settings, user_store
from ..errors import StoreError, UsageError, hide, redact
from .base import AmbiguousId, Batch, Store
from .cache import Progress

__all__ = [
    "AmbiguousId",
    "Batch",
    "Location",
    "Store",
    "check_new_store",
    "find_store",
    "is_url",
    "open_store",
]

ENV_STORE = "INVENTORY_STORE"
DEFAULT_NAMES = ("data/activities.csv", "activities.csv", "activities.json")
URL_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
JSON_SUFFIXES = (".json", ".ndjson")
STORE_SUFFIXES = (".csv", *JSON_SUFFIXES, *SQLITE_SUFFIXES)
KINDS = ".csv, .json, .db/.sqlite/.sqlite3 or a postgresql:// URL"
"""The store kinds, as a message names them."""
_ANY_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CONNINFO = re.compile(r"^\s*[a-z_]+\s*=|\b(?:password|dbname|host|user|service)\s*=\S")
"""libpq's key-value form (``host=db dbname=inventory``), which is no file name."""
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
        hide(explicit)
        return Location(explicit, "--store")
    env = os.environ.get(ENV_STORE, "").strip()
    if env:
        hide(env)
        return Location(env, f"${ENV_STORE}")
    configured = settings()
    if configured.store:
        target = configured.store
        hide(target)
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
    _no_other_url(target)
    from .files import resolve

    path = resolve(Path(target).expanduser())
    suffix = path.suffix.lower()
    if path.is_dir():
        raise UsageError(f"{target} is a folder; expected a store file (.csv, .json or .db)")
    if not create and not path.exists():
        # Refused before the store is made: a read of a missing store leaves no cache.
        raise missing_store(path)
    if suffix in JSON_SUFFIXES:
        from .jsonfile import JsonStore

        return JsonStore(path, create=create)
    if suffix in SQLITE_SUFFIXES:
        from .sqlite import SqliteStore

        return SqliteStore(path, create=create)
    from .csvfile import CsvStore

    return CsvStore(path, create=create, progress=progress, keep_cache=keep_cache)


def is_url(text: str) -> bool:
    """Whether ``text`` is a URL of any scheme (``postgresql://``, ``https://``), which no
    file is named after."""
    return bool(_ANY_URL.match(text.strip()))


def _no_other_url(target: str) -> None:
    """A location that is neither a PostgreSQL URL nor a file name is refused, before
    anything is made on the disk from it (a cache or a folder named after a password)."""
    if is_url(target):
        scheme = target.strip().split("://", 1)[0]
        raise UsageError(
            f"{redact(target)}: {scheme}:// is not a store inventory knows; expected {KINDS}"
        )
    if _CONNINFO.search(target) and Path(target).suffix.lower() not in STORE_SUFFIXES:
        raise UsageError(
            f"{redact(target)}: a libpq connection string is not a store location; give it "
            "as a URL, postgresql://USER@HOST/DATABASE, with the password in PGPASSWORD or "
            "~/.pgpass"
        )


def missing_store(path: Path, *, writing: bool = False) -> StoreError:
    """No store at ``path``: with the store of a similar name in that folder, if any (a
    mistyped ``--store``), and how to start a new one."""
    import difflib

    similar: list[str] = []
    if path.parent.is_dir():
        with contextlib.suppress(OSError):
            names = [
                p.name
                for p in path.parent.iterdir()
                if p.suffix.lower() in STORE_SUFFIXES and not p.name.startswith(".")
            ]
            similar = difflib.get_close_matches(path.name, names, n=1, cutoff=0.6)
    shown = _shown(path)
    start = (
        f"give --create to start a new store there, or run inventory db init --store {shown}"
        if writing
        else f"start one with inventory db init --store {shown}, or import into it with "
        f"--create: inventory import FILE --store {shown} --create"
    )
    if similar:
        nearby = _shown(path.with_name(similar[0]))
        start = f"did you mean {nearby}? Else {start}"
    folder = "" if path.parent.is_dir() else f" (nor the folder {_shown(path.parent)})"
    return StoreError(f"no such store{folder}", source=shown, hint=start)


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def check_new_store(location: Location, *, create: bool) -> bool:
    """Whether a write to ``location`` may start a store there: refused for a name whose
    suffix names no store kind (``foo.txt`` would become a CSV store), and for a store that
    does not exist unless ``create`` (``--create``) or it is the per-user store; a misspelt
    ``--store activites.csv`` is not a new store. Nothing is made on the disk here."""
    may_create = create or location.why == USER_STORE_WHY
    if location.is_url:
        return may_create
    _no_other_url(location.target)
    from .files import resolve

    path = resolve(Path(location.target).expanduser())
    if path.is_dir():
        raise UsageError(f"{location.target} is a folder; expected a store file ({KINDS})")
    if path.suffix.lower() not in STORE_SUFFIXES:
        kind = f"suffix {path.suffix}" if path.suffix else "no suffix"
        raise UsageError(
            f"{location.target}: {kind}, which names no store kind; a store is {KINDS}"
        )
    if not path.exists() and not may_create:
        raise missing_store(path, writing=True)
    return may_create
