"""What the tests start dies with the test run, however the run ends.

A PostgreSQL server started by ``pg_ctl`` leaves its own session (it must not get the
terminal's Ctrl-C), and Chromium lives under Playwright's driver: a pytest killed by a
time limit (SIGTERM, SIGKILL) runs no finaliser and no ``atexit``, and both were left
running. So each is given a reaper: a small process that holds the read end of a pipe
whose only writer is the test process. However that process ends, the kernel closes the
pipe; the reaper reads end-of-file and stops what it was told to (the process named in a
pid file, or a pid), then removes the folder. A run that ends well writes ``done`` first,
having stopped the server itself, and the reaper leaves quietly.

Under pytest-xdist the test process is a worker, and a worker whose controller was killed
runs on until its test ends (a minute, or never): so the reaper watches the controller as
well, and when it is gone it ends the orphaned worker too, then stops what it was told to.

``prctl(PR_SET_PDEATHSIG)`` would not do: the server runs as the ``postgres`` user under
``setpriv``, and a change of user clears that signal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = r"""
import os, select, shutil, signal, sys, time
pidfile, pid, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
controller = int(sys.argv[4])
parent = os.getppid()


def gone(process):
    try:
        with open(f"/proc/{process}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie is gone too
    except OSError:
        return True


said = b""
while True:
    # The parent check covers a write end inherited by a forked child of the test run.
    ready, _, _ = select.select([0], [], [], 0.5)
    if ready:
        chunk = os.read(0, 64)
        if not chunk:
            break
        said += chunk
    if os.getppid() != parent:
        break
    if controller and gone(controller):
        try:
            os.kill(parent, signal.SIGKILL)  # the orphaned xdist worker
        except OSError:
            pass
        break
if b"done" in said:
    sys.exit(0)
if pidfile:
    try:
        with open(pidfile) as handle:
            pid = int(handle.readline())
    except (OSError, ValueError):
        pid = 0
if pid > 0:
    # SIGQUIT: PostgreSQL's immediate shutdown (its backends go with it); Chromium ends too.
    for sig, wait in ((signal.SIGQUIT, 5.0), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except OSError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.05)
        else:
            continue
        break
if folder:
    shutil.rmtree(folder, ignore_errors=True)
"""


class Reaper:
    """Stops the process of ``pidfile`` (its first line) or ``pid``, and removes ``folder``,
    once the test process is gone; :meth:`release` when the test process did it itself."""

    def __init__(self, *, pidfile: Path | None = None, pid: int = 0, folder: Path | None = None):
        controller = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else 0
        argv = [str(pidfile or ""), str(pid), str(folder or ""), str(controller)]
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SCRIPT, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Out of the terminal's process group: Ctrl-C reaches pytest (whose finalisers
            # stop the server), not the reaper, which must outlive it.
            start_new_session=True,
            close_fds=True,
        )
        self.pid = self._process.pid

    def release(self) -> None:
        """The test process stopped and removed everything: the reaper has nothing to do."""
        if self._process.poll() is None and self._process.stdin is not None:
            try:
                self._process.stdin.write(b"done")
                self._process.stdin.close()
            except OSError:
                pass
            self._process.wait(timeout=10)

    def reap(self) -> None:
        """Stop it all now, as if the test process had died (for the tests of the reaper)."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
