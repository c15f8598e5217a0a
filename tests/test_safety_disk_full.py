"""A disk with no room (issue 21, G4 of the reliability review): the store can still be read
when its cache cannot be written, a write that cannot be made durable is refused in one line
with the store unchanged, and all is well again once there is room.

Two ways to run out of room, both real: a small tmpfs filled up (where the tests run as root
and may mount one, as in CI), and a file-size limit (``RLIMIT_FSIZE``, with SIGXFSZ ignored as
a shell's ``ulimit -f`` user would see it: the write fails with EFBIG), which any user may
set. Where no tmpfs can be mounted, the "full" case falls back to the size limit, so the test
runs everywhere instead of skipping."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bench.generate import write

from tests.helpers import BUNDLED_STORE
from tests.safety import TIMEOUT, command, run_unprivileged, shared_folder, unprivileged

pytestmark = pytest.mark.slow  # fills a disk and races writers in real processes

ADD = ("add", "-p", "GLACY+", "-t", "Disk test", "--dates", "4 December 2019")
CACHE = ".activities.csv.cache.sqlite3"
SIZE_LIMIT = 16 * 1024
"""Smaller than the store (24.9 kB): neither its cache nor its new version can be written."""


@dataclass
class NoRoom:
    """A store where nothing more fits, and how to run the tool there and free room."""

    store: Path
    reason: str
    """What the refused write says."""
    limit: int | None = None
    """A file-size limit the tool runs under (None: none)."""
    fill: Path | None = None
    """What fills the disk (None: nothing)."""

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        limit = self.limit

        def limited() -> None:
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        return subprocess.run(
            [*command(), *args, "--store", str(self.store)],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
            preexec_fn=limited,
        )

    def free(self) -> None:
        self.limit = None
        if self.fill is not None:
            self.fill.unlink()


@contextlib.contextmanager
def _size_limited(base: Path) -> Iterator[NoRoom]:
    store = base / "activities.csv"
    shutil.copy(BUNDLED_STORE, store)
    yield NoRoom(
        store, "cannot write: the file would pass the size limit set for this user", SIZE_LIMIT
    )


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def _full_tmpfs(base: Path) -> Iterator[NoRoom]:
    """512 kB: room for the store (25 kB) and its cache (about 230 kB) once freed."""
    disk = base / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:  # a container without CAP_SYS_ADMIN: the size limit instead
        with _size_limited(base) as room:
            yield room
        return
    try:
        store = disk / "activities.csv"
        shutil.copy(BUNDLED_STORE, store)
        fill = disk / "fill"
        with contextlib.suppress(OSError), open(fill, "wb", buffering=0) as handle:
            while True:
                handle.write(b"\0" * 4096)
        assert shutil.disk_usage(disk).free < 4096
        yield NoRoom(store, "cannot write: no space left on the device", fill=fill)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)


@pytest.fixture(params=["full disk", "size limit"])
def no_room(request: pytest.FixtureRequest) -> Iterator[NoRoom]:
    base = Path(tempfile.mkdtemp(prefix="inventory-disk-"))
    try:
        make = _full_tmpfs if request.param == "full disk" and _can_mount() else _size_limited
        with make(base) as room:
            yield room
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _warnings(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode().splitlines() if "cannot keep the cache" in line]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("list", "--status", "held", "--json"), "72 held"),
        (("validate",), "132 activities, 0 errors"),
        (("report",), "132 activities, 6 shared by several projects"),
    ],
)
def test_a_query_with_no_room_for_the_cache_answers_from_the_store_and_says_why_once(
    no_room: NoRoom, args: tuple[str, ...], expected: str
) -> None:
    result = no_room.run(*args)
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    out = result.stdout.decode() + result.stderr.decode()
    if expected == "72 held":
        assert len(json.loads(result.stdout)) == 72
    else:
        assert expected in out
    [warning] = _warnings(result.stderr)
    assert CACHE in warning and "kept in memory for this run" in warning
    assert not (no_room.store.parent / CACHE).exists()  # nothing half-built left behind


def test_an_add_that_cannot_be_made_durable_is_refused_in_one_line_and_the_store_is_unchanged(
    no_room: NoRoom,
) -> None:
    result = no_room.run(*ADD)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    errors = [line for line in result.stderr.decode().splitlines() if ": error: " in line]
    # One line: the store's (or, written first, its history's) and the cause.
    [error] = errors
    cause = no_room.reason.split(": ", 1)[1]
    assert error.startswith(f"inventory: error: {no_room.store}")
    assert "cannot write" in error and cause in error
    assert no_room.store.read_bytes() == BUNDLED_STORE.read_bytes()
    assert not (no_room.store.parent / "activities.csv.history.jsonl").exists()
    assert [p.name for p in no_room.store.parent.iterdir() if "tmp" in p.name] == []


def test_once_there_is_room_again_the_cache_is_kept_and_an_add_lands(no_room: NoRoom) -> None:
    assert no_room.run("validate").returncode == 0
    no_room.free()
    listed = no_room.run("list", "--status", "held", "--json")
    assert listed.returncode == 0
    assert _warnings(listed.stderr) == []
    assert len(json.loads(listed.stdout)) == 72
    assert (no_room.store.parent / CACHE).is_file()
    added = no_room.run(*ADD)
    assert added.returncode == 0, added.stderr.decode()
    found = no_room.run("list", "--search", "Disk test", "--json")
    assert [a["schedule"]["start"] for a in json.loads(found.stdout)] == ["2019-12-04"]


def test_a_read_only_cache_file_is_worked_around_in_memory() -> None:
    """As a user the file permissions apply to (root writes a read-only file anyway)."""
    prefix = unprivileged()
    with shared_folder() as folder:
        store = folder / "activities.csv"
        shutil.copy(BUNDLED_STORE, store)
        if prefix:
            os.chown(folder, 65534, 65534)
            os.chown(store, 65534, 65534)
        first = run_unprivileged("validate", store=store, cwd=folder)
        assert first.returncode == 0, first.stderr.decode()
        cache = folder / CACHE
        assert cache.is_file()
        cache.chmod(0o444)
        os.utime(store, ns=(1, 1))  # the cache no longer describes the store: it must be written
        result = run_unprivileged("list", "--status", "held", "--json", store=store, cwd=folder)
        assert result.returncode == 0, result.stderr.decode()
        assert b"Traceback" not in result.stderr
        assert len(json.loads(result.stdout)) == 72
        [warning] = _warnings(result.stderr)
        assert "the cache file is read-only" in warning


def test_validate_with_no_room_for_its_scratch_data_says_so_in_one_line(tmp_path: Path) -> None:
    # A big store's duplicate search spills to a file in the temporary folder, shared with
    # the process that searches half of its days: no room there is one line, not a trace.
    store = tmp_path / "activities.csv"
    write(store, 20_000, seed=3)
    built = subprocess.run(
        [*command(), "list", "--month", "2019-11", "--json", "--store", str(store)],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    before = store.read_bytes()
    done = NoRoom(store, "", limit=SIZE_LIMIT).run("validate")
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "Traceback" not in err
    assert "cannot keep the check's scratch data in" in err
    assert store.read_bytes() == before
