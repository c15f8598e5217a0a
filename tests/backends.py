"""Fixtures for running the same tests on every backend (a pytest plugin, loaded by
conftest.py): ``pg_server`` (a real PostgreSQL, one per session), ``pg_empty`` (a fresh
empty database), ``pg_store`` (a fresh database holding the 132 activities of the bundled
store) and ``backend_store``, parametrised over csv, json, sqlite and postgresql, each
holding those 132 activities and one change in its history: their import, by "setup".

Without PostgreSQL the PostgreSQL cases skip, saying why and how to install it; with
INVENTORY_REQUIRE_POSTGRES=1 (CI) they fail instead.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from inventory.changes import Author
from inventory.store import open_store
from tests.helpers import BUNDLED_STORE
from tests.pgserver import ENV_REQUIRE, Server, missing_reason, start_server

BACKENDS = ("csv", "json", "sqlite", "postgresql")
FILE_NAMES = {"csv": "activities.csv", "json": "activities.json", "sqlite": "activities.db"}
SETUP = Author(name="setup", command="inventory import activities-2019-q4.csv")
_names = itertools.count(1)


def need_postgres() -> None:
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get(ENV_REQUIRE) == "1":
        pytest.fail(f"{reason} ({ENV_REQUIRE}=1: PostgreSQL tests must run here)")
    pytest.skip(reason)


def fill(target: str) -> None:
    """Import the bundled store's activities into ``target``, as one change by "setup"."""
    with open_store(str(BUNDLED_STORE)) as bundled:
        assert not bundled.problems()
        lines = bundled.rows_as_written()
        activities = sorted(bundled.select(), key=lambda a: lines[a.id][0])  # file order
    with open_store(target, create=True) as store, store.transaction(SETUP) as batch:
        for activity in activities:
            batch.add(activity)


@pytest.fixture(autouse=True)
def _no_libpq_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's PGPASSWORD or PGSERVICE must not change what the tests connect to.
    for name in ("PGPASSWORD", "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE", "PGHOST",
                 "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    need_postgres()
    server = start_server()
    try:
        server.create_officer()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def _pg_template(pg_server: Server) -> str:
    url = pg_server.create_database("inventory_template")
    fill(url)
    return "inventory_template"


@pytest.fixture
def pg_empty(pg_server: Server) -> str:
    """The URL of a new, empty database (no inventory in it)."""
    return pg_server.create_database(f"t{next(_names)}")


@pytest.fixture
def pg_store(pg_server: Server, _pg_template: str) -> str:
    """The URL of a new database holding the bundled store's 132 activities."""
    return pg_server.create_database(f"t{next(_names)}", template=_pg_template)


@pytest.fixture(scope="session")
def _file_seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    seeds = {}
    for kind, name in FILE_NAMES.items():
        folder = tmp_path_factory.mktemp(f"seed-{kind}")
        fill(str(folder / name))
        seeds[kind] = folder
    return seeds


@pytest.fixture(params=BACKENDS)
def backend_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store of each kind holding the 132 activities, its import recorded as change 1."""
    kind = request.param
    if kind == "postgresql":
        need_postgres()
        url: str = request.getfixturevalue("pg_store")
        return url
    seed: Path = request.getfixturevalue("_file_seeds")[kind]
    folder = tmp_path / kind
    shutil.copytree(seed, folder, ignore=shutil.ignore_patterns("*.lock", ".*"))
    return str(folder / FILE_NAMES[kind])
