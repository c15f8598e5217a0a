from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests import helpers
from tests.helpers import BUNDLED_STORE, NEWSLETTER

pytest_plugins = ["tests.backends", "tests.chromium"]

SLOW_FIXTURES = {"pg_server", "pg_empty", "pg_store", "_pg_template", "browser", "_chromium"}
"""What starts a real PostgreSQL server or Chromium: a test that uses one is ``slow`` by what
it uses, so a new one is marked without anyone remembering to."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_server = callspec is not None and callspec.params.get("backend_store") == "postgresql"
        if names & SLOW_FIXTURES or on_server:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def runner() -> CliRunner:
    """The one runner of tests/helpers.py, for a test that would rather ask for it."""
    return helpers.runner


@pytest.fixture
def newsletter_text() -> str:
    return NEWSLETTER.read_text(encoding="utf-8")


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled store."""
    target = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, target)
    return target


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A developer's own settings must not change what the tests see; nor may pytest-xdist's
    # workers, which are given COLUMNS=80 and LINES=24 (a piped table is then fitted to 80).
    for name in (
        "INVENTORY_STORE",
        "INVENTORY_TODAY",
        "INVENTORY_DEBUG",
        "INVENTORY_AUTHOR",
        "INVENTORY_LOCK_TIMEOUT",
        "NO_COLOR",
        "FORCE_COLOR",
        "COLUMNS",
        "LINES",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("INVENTORY_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """With INVENTORY_NO_SKIPS=1 (CI) a skipped test fails, saying why it skipped: every
    part a test needs (PostgreSQL, Chromium, khal, a user to drop privileges to) must be
    there, so no test passes CI by not running."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("INVENTORY_NO_SKIPS") == "1" and report.skipped:
        if hasattr(report, "wasxfail"):
            return
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, and INVENTORY_NO_SKIPS=1 forbids it: {reason}"
