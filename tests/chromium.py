"""The headless Chromium of the page's tests (a pytest plugin, loaded by conftest.py): the
system's ``chromium`` driven by Playwright, which never downloads a browser of its own here.

One browser per test process (per xdist worker), with a fresh profile, and a reaper
(tests/reaper.py) that stops it if the test process dies without closing it.

Without Chromium the tests that use it skip, saying how to install it (``apt-get install
chromium``); with INVENTORY_REQUIRE_BROWSER=1 (CI) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reaper import Reaper

REQUIRED_ENV = "INVENTORY_REQUIRE_BROWSER"
FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRED_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRED_ENV}=1: the browser tests must run)")
    pytest.skip(reason)


def browser_pid(profile: Path) -> int:
    """The main Chromium process of this profile: the one process whose command line names
    our own profile folder and is no helper (``--type=...``)."""
    wanted = f"--user-data-dir={profile}".encode()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                argv = Path("/proc", entry, "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if wanted in argv and not any(a.startswith(b"--type=") for a in argv):
                return int(entry)
        time.sleep(0.1)
    raise AssertionError(f"no Chromium process found for the profile {profile}")


@pytest.fixture(scope="session")
def _chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, int]]:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        unavailable("Chromium is not installed: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -e '.[test]'")
    flags = FLAGS + (["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=path, headless=True, args=flags
        )
        pid = browser_pid(profile)
        reaper = Reaper(pid=pid)
        try:
            yield context, pid
        finally:
            context.close()
            reaper.release()


@pytest.fixture
def browser(_chromium: tuple[Any, int]) -> Any:
    """The browser context (one per test process, with a fresh profile)."""
    return _chromium[0]


@pytest.fixture
def chromium_pid(_chromium: tuple[Any, int]) -> int:
    return _chromium[1]
