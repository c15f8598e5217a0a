"""What the safety tests share (tests/test_safety_*.py): the commands in-process and as real
processes, stores bigger than the bundled one, a writer stopped at a chosen moment, and
commands run as a user without root's rights.

The tests go through the command line only (``inventory.cli.app`` and ``python -m
inventory``), so the same files can be run against an older checkout to show that each
failure of the reliability review (F1-F15) happened there."""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from tests.helpers import BUNDLED_STORE, runner

TIMEOUT = 120
"""Seconds any one process may take: the machine is shared, and slow when busy."""


def store_args(args: tuple[Any, ...], store: Path | None) -> list[str]:
    """``--store``, and ``--create`` for an import or an add that starts its store on
    purpose (a store name that does not exist is otherwise refused: a typo is no new store)."""
    if store is None:
        return []
    new = args[:1] in (("import",), ("add",)) and not store.exists()
    return ["--store", str(store), *(["--create"] if new else [])]


def cli(*args: str, store: Path | None = None, input: str | None = None) -> Any:
    """A command in-process; ``store`` is passed as ``--store``."""
    argv = [*args, *store_args(args, store)]
    return runner.invoke(app, argv, input=input, catch_exceptions=True)


def command() -> list[str]:
    return [sys.executable, "-m", "inventory"]


def run(
    *args: str,
    store: Path | None = None,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """A command as a real process (bytes in and out: what a terminal would get)."""
    argv = [*command(), *args, *store_args(args, store)]
    return subprocess.run(
        argv,
        input=input,
        capture_output=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def copy_store(folder: Path, name: str = "activities.csv") -> Path:
    target = folder / name
    shutil.copy(BUNDLED_STORE, target)
    return target


def bigger_store(path: Path, copies: int) -> Path:
    """``copies`` times the bundled store's rows, each copy with its own ids (the original
    id and two digits), titles (the copy's number after the title) and year (copy n is n
    years earlier, where the date text names no year): rows of one length that differ."""
    rows = list(csv.reader(io.StringIO(BUNDLED_STORE.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for copy in range(copies):
        for row in body:
            cells = dict(zip(header, row, strict=True))
            cells["id"] = f"{cells['id']}{copy:02d}"
            cells["title"] = f"{cells['title']} #{copy:02d}"
            if not re.search(r"\d{4}", cells["dates"]):
                year, month = cells["month"].split("-")
                cells["month"] = f"{int(year) - copy}-{month}"
            writer.writerow([cells[h] for h in header])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def leftovers(folder: Path) -> list[str]:
    """Temporary files a writer leaves when it is killed in the middle of a write."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith("tmp"))


# --- a writer stopped at a chosen moment ---------------------------------------------------

PAUSE_HOOK = """
import os, time
_marker = os.environ.get("SAFETY_PAUSE_MARKER")
_name = os.environ.get("SAFETY_PAUSE_AT")
if _marker and _name:
    _real = getattr(os, _name)
    _part = os.environ.get("SAFETY_PAUSE_PATH", "")
    def _about(args):
        if not args:
            return ""
        if isinstance(args[0], int):
            try:
                return os.readlink(f"/proc/self/fd/{args[0]}")
            except OSError:
                return ""
        return os.fspath(args[0]) if isinstance(args[0], (str, bytes, os.PathLike)) else ""
    def _paused(*args, **kwargs):
        result = _real(*args, **kwargs)
        if _part and _part not in str(_about(args)):
            return result
        if not os.path.exists(_marker):
            open(_marker, "w").close()
            time.sleep(float(os.environ.get("SAFETY_PAUSE_SECONDS", "60")))
        return result
    setattr(os, _name, _paused)
"""


@contextmanager
def paused_after(
    name: str, argv: list[str], folder: Path, seconds: float = 60, *, path: str = ""
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv`` with ``os.<name>`` made to sleep after its first call (on a file whose
    path holds ``path``, if given), and yield the process once it sleeps there (a
    ``sitecustomize`` on PYTHONPATH does it: nothing in the program is changed for the
    test)."""
    hooks = folder / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(PAUSE_HOOK)
    marker = folder / f"paused-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")]),
        "SAFETY_PAUSE_AT": name,
        "SAFETY_PAUSE_PATH": path,
        "SAFETY_PAUSE_MARKER": str(marker),
        "SAFETY_PAUSE_SECONDS": str(seconds),
    }
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not marker.exists():
            if proc.poll() is not None:
                _, err = proc.communicate()
                pytest.fail(f"the command ended before os.{name}: {err.decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the command never reached os.{name}")
            time.sleep(0.005)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate()


# --- as a user without root's rights -------------------------------------------------------


def unprivileged() -> list[str]:
    """The prefix that runs a command as a user the file permissions apply to: nothing when
    the tests do not run as root, else ``nobody`` (CI runs as root, which every permission
    lets through). Skips the test, saying why, where that cannot be done."""
    if os.geteuid() != 0:
        return []
    prefix = _drop_privileges()
    if prefix is None:
        pytest.skip("running as root without setpriv or runuser (util-linux) to drop privileges")
    if not _runs_as(tuple(prefix)):
        pytest.skip(
            f"nobody cannot run {sys.executable} with inventory installed (a private folder "
            "on the way?); make the virtual environment readable to others: chmod a+rx on "
            "each folder above it"
        )
    return prefix


def _drop_privileges() -> list[str] | None:
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]
    if shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"]
    return None


@functools.cache
def _runs_as(prefix: tuple[str, ...]) -> bool:
    probe = [*prefix, sys.executable, "-c", "import inventory.cli"]
    try:
        done = subprocess.run(probe, capture_output=True, cwd="/", timeout=TIMEOUT, check=False)
    except OSError:
        return False
    return done.returncode == 0


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A folder the unprivileged user can reach (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="inventory-safety-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for path in [base, *base.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def run_unprivileged(
    *args: str, store: Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """A command as the unprivileged user, with settings and data folders it may write."""
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    home.chmod(0o777)
    environment = {
        **os.environ,
        "HOME": str(home),
        "INVENTORY_CONFIG": str(home / "config.toml"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        **(env or {}),
    }
    argv = [*unprivileged(), *command(), *args, "--store", str(store)]
    return subprocess.run(
        argv, capture_output=True, env=environment, cwd=cwd, timeout=TIMEOUT, check=False
    )
