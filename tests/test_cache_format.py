"""A CSV store's cache is kept for as long as its format is the same, not the files of the
code: a reinstall or a fresh clone of the same version reuses it; a new format rebuilds it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from inventory.projects import load_registry
from inventory.store import cache as cache_module
from inventory.store import cacheschema, sql
from inventory.store.cache import Cache, cache_path

PINNED = {
    4: "b2bf87da075ae1ee28a811177319292466add4d0678483d830f88456931ff11d",
    5: "e30fb6e1aabbafe563fc28f933c82bb9569957c7ec4d80b44a0de74a236aeedb",
}
"""The cache's schema each CACHE_FORMAT was released with."""


def test_the_cache_format_is_bumped_whenever_the_cache_schema_changes() -> None:
    schema = f"{cacheschema.CACHE_SCHEMA_VERSION}\n{sql.RECORD_FORMAT}\n{cacheschema.CACHE_SCHEMA}"
    digest = hashlib.sha256(schema.encode()).hexdigest()
    assert PINNED.get(cache_module.CACHE_FORMAT) == digest, (
        "the cache's tables changed: bump cache.CACHE_FORMAT and pin the new schema's digest "
        f"here ({digest}), or old caches would be read as if they had the new shape"
    )


@pytest.fixture
def fingerprint() -> Iterator[None]:
    cache_module.code_fingerprint.cache_clear()
    yield
    cache_module.code_fingerprint.cache_clear()


def _mark(store: Path) -> None:
    """Change a status inside the cache only: the mark stays only if the cache is reused."""
    connection = sqlite3.connect(cache_path(store))
    connection.execute(
        "UPDATE activity_row SET status = 'marked' WHERE id = (SELECT min(id) FROM activity_row)"
    )
    connection.commit()
    connection.close()


def _marked(store: Path) -> bool:
    cache = Cache(store, load_registry)
    try:
        cache.ensure_current()
        return (
            cache.connection.execute(
                "SELECT count(*) FROM activity WHERE status = 'marked'"
            ).fetchone()[0]
            == 1
        )
    finally:
        cache.close()


def test_a_cache_outlives_new_timestamps_on_every_file_of_the_code(
    store_copy: Path, fingerprint: None, tmp_path: Path
) -> None:
    assert not _marked(store_copy)
    _mark(store_copy)
    source = Path(cache_module.__file__).resolve().parent.parent
    for file in [*source.rglob("*.py"), *source.rglob("*.csv")]:
        st = file.stat()
        os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    cache_module.code_fingerprint.cache_clear()
    try:
        assert _marked(store_copy)
    finally:
        for file in [*source.rglob("*.py"), *source.rglob("*.csv")]:
            st = file.stat()
            os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))


def test_a_cache_of_another_format_is_rebuilt(
    store_copy: Path, fingerprint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not _marked(store_copy)
    _mark(store_copy)
    monkeypatch.setattr(cache_module, "CACHE_FORMAT", cache_module.CACHE_FORMAT + 1)
    cache_module.code_fingerprint.cache_clear()
    assert not _marked(store_copy)
