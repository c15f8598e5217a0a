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
from tests.helpers import run

PINNED = {
    4: "b2bf87da075ae1ee28a811177319292466add4d0678483d830f88456931ff11d",
    6: "40ec140d8197941b2ef3c0fdad1da0e189f9fa0f79d50d93a0c997f3ff31708c",
    7: "152632e83f18354982486fc1e78bba3e073576f5fa86631a260780b9ab0dc6ad",
}
"""The cache's schema each CACHE_FORMAT was released with."""


def test_the_cache_format_is_bumped_whenever_the_cache_schema_changes() -> None:
    schema = f"{cacheschema.CACHE_SCHEMA_VERSION}\n{sql.RECORD_FORMAT}\n{cacheschema.CACHE_SCHEMA}"
    digest = hashlib.sha256(schema.encode()).hexdigest()
    assert PINNED.get(cache_module.CACHE_FORMAT) == digest, (
        "the cache's tables changed: bump cache.CACHE_FORMAT and pin the new schema's digest "
        f"here ({digest}), or old caches would be read as if they had the new shape"
    )


WORD_RULES = {7: "1 [a-z0-9]+ 080923ebee9f4751"}
"""The title word rules (stop words, stemming) each CACHE_FORMAT keeps counts with."""


def test_the_cache_format_is_bumped_whenever_the_title_word_rules_change() -> None:
    from inventory.titlewords import rules

    assert WORD_RULES.get(cache_module.CACHE_FORMAT) == rules(), (
        "the title word rules changed: bump cache.CACHE_FORMAT and pin them here "
        f"({rules()!r}), or old caches would keep counts of other words"
    )


@pytest.fixture
def fingerprint() -> Iterator[None]:
    cache_module.code_fingerprint.cache_clear()
    yield
    cache_module.code_fingerprint.cache_clear()


def _mark(store: Path) -> None:
    """Change a title inside the cache only: the mark stays only if the cache is reused."""
    connection = sqlite3.connect(cache_path(store))
    connection.execute(
        "UPDATE activity_row SET title = '\"Marked\"', cf = NULL, fold = NULL "
        "WHERE id = (SELECT min(id) FROM activity_row)"
    )
    connection.commit()
    connection.close()


def _marked(store: Path) -> bool:
    cache = Cache(store, load_registry)
    try:
        cache.ensure_current()
        return (
            cache.connection.execute(
                "SELECT count(*) FROM activity WHERE casefold = 'marked'"
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


def test_a_cache_of_an_older_format_gets_the_tables_and_view_of_this_one(
    store_copy: Path,
) -> None:
    # A cache written by the previous format keeps its own view until it is made anew: a
    # column this format's queries read (clashes reads the view's casefold) must be there.
    assert run("list", "--month", "2019-11", "--json", store=store_copy).exit_code == 0
    with sqlite3.connect(cache_path(store_copy)) as old:
        old.execute("DROP VIEW activity")
        old.execute("CREATE VIEW activity AS SELECT r.id AS id FROM activity_row r")
        old.execute(f"PRAGMA user_version = {cacheschema.CACHE_SCHEMA_VERSION - 1}")
    old.close()
    done = run("clashes", "--quarter", "Q4-2019", "--json", store=store_copy)
    assert done.exit_code == 0, done.stderr
    assert '"score"' in done.stdout
