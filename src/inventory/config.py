"""The per-user settings and places, as khal and taskwarrior have them: a TOML file in the
user's config folder (``~/.config/inventory/config.toml`` on Linux, via ``platformdirs``)
and a default store in the user's data folder, so ``inventory`` works outside a checkout.

::

    store = "~/shared/inventory/activities.csv"   # or postgresql://officer@db.example/inventory
    author = "Jane Officer"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import StoreError

ENV_CONFIG = "INVENTORY_CONFIG"
KEYS = {"store": "the store to use when --store and INVENTORY_STORE are not given",
        "author": "the name history records for your changes"}  # fmt: skip


def config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("inventory") / "config.toml"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("inventory")


def user_store() -> Path:
    """Where ``inventory`` keeps a store of its own when no other is named or found."""
    return data_dir() / "activities.csv"


@dataclass(frozen=True)
class Settings:
    store: str | None = None
    author: str | None = None
    source: Path | None = None
    """The file read, if there was one."""


@lru_cache(maxsize=4)
def _read(path: Path) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"cannot read the settings: {error}", source=str(path)) from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StoreError(f"not valid TOML: {error}", source=str(path)) from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise StoreError(
            f"unknown setting {unknown[0]!r}; expected one of {', '.join(KEYS)}", source=str(path)
        )
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise StoreError(f"{key} must be a non-empty text", source=str(path))
    return Settings(store=data.get("store"), author=data.get("author"), source=path)


def settings() -> Settings:
    return _read(config_path())
