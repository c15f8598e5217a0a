"""A test run stopped from outside (a time limit's SIGTERM or SIGKILL, a Ctrl-C) leaves no
PostgreSQL server and no Chromium running, and no server folder (tests/reaper.py).

Each case starts a real pytest on a test that starts the thing and waits, stops that pytest
as a time limit or a user would, and watches the process go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.backends import need_postgres
from tests.helpers import REPO
from tests.reaper import alive

pytestmark = pytest.mark.slow

HOLD_SERVER = """
import os, time
from pathlib import Path

def test_hold(pg_server):
    Path(os.environ["PROBE"]).write_text(f"{pg_server.postmaster_pid()} {pg_server.root}")
    time.sleep(600)
"""

STUCK_WITH_SERVER = """
import os, signal, time
from pathlib import Path

def test_stuck(pg_server):
    # A test stuck where no interrupt reaches it: its worker cannot end it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Path(os.environ["PROBE"]).write_text(f"{pg_server.postmaster_pid()} {pg_server.root}")
    time.sleep(600)
"""

HOLD_BROWSER = """
import os, time
from pathlib import Path

def test_hold(chromium_pid):
    Path(os.environ["PROBE"]).write_text(f"{chromium_pid} -")
    time.sleep(600)
"""


def held(
    tmp_path: Path, test: str, plugin: str, *options: str
) -> tuple[subprocess.Popen[bytes], int, Path]:
    """A pytest holding what ``test`` starts: the process, the held pid and folder."""
    (tmp_path / "test_hold.py").write_text(test)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    probe = tmp_path / "probe"
    src = str(REPO / "src")
    outer = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    env = {**outer, "PROBE": str(probe), "PYTHONPATH": f"{REPO}{os.pathsep}{src}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", plugin, "-p", "no:cacheprovider",
         "-c", str(tmp_path / "pytest.ini"), *options, str(tmp_path / "test_hold.py")],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (probe.exists() and probe.read_text()):
        assert proc.poll() is None, "the held test ended before it started its server"
        assert time.monotonic() < deadline, "the held test did not start in 120 s"
        time.sleep(0.1)
    pid, folder = probe.read_text().split(" ", 1)
    assert alive(int(pid))
    return proc, int(pid), Path(folder)


def gone_within(seconds: float, pid: int) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=str)
def test_a_stopped_test_run_leaves_no_postgresql_server(tmp_path: Path, stop: int) -> None:
    need_postgres()
    proc, postmaster, folder = held(tmp_path, HOLD_SERVER, "tests.backends")
    assert folder.is_dir()
    proc.send_signal(stop)
    proc.wait(timeout=60)
    assert gone_within(10, postmaster), f"PostgreSQL {postmaster} still runs"
    deadline = time.monotonic() + 10
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not folder.exists()


def test_a_killed_xdist_run_leaves_no_postgresql_server_and_no_worker(tmp_path: Path) -> None:
    # The server belongs to a worker, which outlives its killed controller unless reaped.
    need_postgres()
    proc, postmaster, folder = held(tmp_path, STUCK_WITH_SERVER, "tests.backends", "-n", "1")
    proc.kill()
    proc.wait(timeout=60)
    assert gone_within(10, postmaster), f"PostgreSQL {postmaster} still runs"
    deadline = time.monotonic() + 10
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not folder.exists()


def test_a_killed_test_run_leaves_no_chromium(tmp_path: Path) -> None:
    proc, chromium, _ = held(tmp_path, HOLD_BROWSER, "tests.chromium")
    proc.kill()
    proc.wait(timeout=60)
    assert gone_within(10, chromium), f"Chromium {chromium} still runs"
