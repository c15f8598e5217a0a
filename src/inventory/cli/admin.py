"""The tool itself: ``config``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..changes import default_author
from ..config import config_path, settings, user_store
from ..formats import Data
from ..store.cache import cache_path
from .options import command, emit, location, module_app, pick_format
from .root import StoreOpt

app = module_app()


def _safe(target: str) -> str:
    """A store location for display: a URL's password is never shown."""
    from ..errors import redact

    return redact(target)


def _word(value: object) -> str:
    # A person reads these lines; --json keeps true, false and null for programs (E8).
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


@command(app, "config")
def config_cmd(
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Where things are: the store in use and why, the settings file, your own store, the
    cache. Settings (TOML): store = "PATH or postgresql://...", author = "Your Name".

    \b
    Examples:
      inventory config
      inventory config --json | jq -r .store
    """
    where = location(store)
    configured = settings()
    data = {
        "store": _safe(where.target),
        "store_chosen_by": where.why,
        "store_exists": where.found,
        "settings": str(config_path()),
        "settings_exist": configured.source is not None,
        "author": configured.author,
        "user_store": str(user_store()),
        # Any URL (a mistyped scheme too) has no cache: a file name made from it would hold
        # its password.
        "cache": None if "://" in where.target else _safe(str(cache_path(Path(where.target)))),
    }
    shown = dict(data)
    if data["author"] is None:
        shown["author"] = f"(not set; '{default_author()}' is recorded)"
    if data["cache"] is None:
        shown["cache"] = "none (PostgreSQL store)" if "://" in where.target else "none"
    lines = [f"{key.replace('_', ' ')}: {_word(value)}" for key, value in shown.items()]
    emit(Data(data, lines), pick_format(None, as_json))
