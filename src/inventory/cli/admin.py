"""The tool itself: ``config``."""

from __future__ import annotations

from pathlib import Path

from ..config import config_path, settings, user_store
from ..formats import Data
from ..store.cache import cache_path
from .options import JsonOpt, command, emit, location, module_app, pick_format
from .root import StoreOpt

app = module_app()


def _safe(target: str) -> str:
    """A store location for display: a URL's password is never shown."""
    from ..errors import redact

    return redact(target)


@command(app, "config")
def config_cmd(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
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
    lines = [f"{key.replace('_', ' ')}: {value}" for key, value in data.items()]
    emit(Data(data, lines), pick_format(None, as_json))
