"""The PostgreSQL store (issue 14): not in this version yet."""

from __future__ import annotations

from ..errors import StoreError
from .base import Store


def PostgresStore(url: str, *, create: bool = False) -> Store:
    raise StoreError("PostgreSQL stores are not supported by this version yet")
