"""A store in a shared folder (issue 21, G7 of the reliability review): the files kept
beside it (history, cache, lock) take the store's permissions, and what another user plants
there cannot capture the history, redirect the cache or block writes for good.

The tool runs as ``nobody`` (and, for a group, as uid 65533 too), the store's owner; files
planted by "another user" are made by root and given to uid 65533, who cannot write the
store. This needs root (as CI runs), since only root can give a file away."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import BUNDLED_STORE
from tests.safety import TIMEOUT, command, shared_folder, unprivileged

NOBODY = 65534
OTHER = 65533
"""Another user, with no name on most systems (shown as '65533')."""
ADD = ("add", "-p", "GLACY+", "-t", "Shared test", "--dates", "4 December 2019")


@pytest.fixture
def folder() -> Iterator[Path]:
    """A sticky folder anyone may write (``/tmp``'s mode, 1777)."""
    if not unprivileged():
        pytest.skip("needs root, to run as two users and give files away")
    with shared_folder() as base:
        sticky = base / "shared"
        sticky.mkdir()
        sticky.chmod(0o1777)
        home = base / "home"
        home.mkdir()
        home.chmod(0o777)
        yield sticky


def as_user(uid: int, *args: str, store: Path) -> subprocess.CompletedProcess[bytes]:
    home = store.parent.parent / "home"  # beside the folder the store is in
    env = {
        **os.environ,
        "HOME": str(home),
        "INVENTORY_CONFIG": str(home / f"config-{uid}.toml"),
        "XDG_DATA_HOME": str(home / f"data-{uid}"),
        "XDG_CONFIG_HOME": str(home / f"config-{uid}"),
        "XDG_CACHE_HOME": str(home / f"cache-{uid}"),
    }
    prefix = ["setpriv", "--reuid", str(uid), "--regid", str(NOBODY), "--clear-groups"]
    return subprocess.run(
        [*prefix, *command(), *args, "--store", str(store)],
        capture_output=True,
        env=env,
        cwd=home,
        timeout=TIMEOUT,
        check=False,
    )


def make_store(folder: Path, mode: int, owner: int = NOBODY) -> Path:
    store = folder / "activities.csv"
    store.write_bytes(BUNDLED_STORE.read_bytes())
    os.chown(store, owner, NOBODY)
    store.chmod(mode)
    return store


def errors(result: subprocess.CompletedProcess[bytes]) -> list[str]:
    return [line for line in result.stderr.decode().splitlines() if ": error: " in line]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o660, 0o664], ids=oct)
def test_the_history_and_the_cache_take_the_store_s_mode(folder: Path, mode: int) -> None:
    store = make_store(folder, mode)
    result = as_user(NOBODY, *ADD, store=store)
    assert result.returncode == 0, result.stderr.decode()
    for name in ("activities.csv.history.jsonl", ".activities.csv.cache.sqlite3"):
        st = (folder / name).stat()
        assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (mode, NOBODY, NOBODY), name
    assert stat.S_IMODE(store.stat().st_mode) == mode


@pytest.mark.slow
def test_a_group_shared_store_can_be_written_by_each_member_in_turn(folder: Path) -> None:
    """Store 0660 of uid 65533, group nogroup; nobody (in nogroup) writes first, so makes the
    history, and 65533 must still be able to add to it (and the other way round)."""
    group = folder.parent / "group"  # not sticky: a member replaces the file another wrote
    group.mkdir()
    os.chown(group, 0, NOBODY)
    group.chmod(0o2770)
    store = make_store(group, 0o660, owner=OTHER)
    first = as_user(NOBODY, *ADD, store=store)
    assert first.returncode == 0, first.stderr.decode()
    second = as_user(OTHER, "edit", "agds86yn", "-t", "Renamed by a colleague", store=store)
    assert second.returncode == 0, second.stderr.decode()
    third = as_user(NOBODY, "undo", store=store)
    assert third.returncode == 0, third.stderr.decode()
    history = group / "activities.csv.history.jsonl"
    numbers = [json.loads(line)["change"] for line in history.read_text().splitlines()]
    assert numbers == [1, 2, 3]
    assert stat.S_IMODE(history.stat().st_mode) == 0o660


def plant(path: Path, kind: str) -> None:
    """What another user leaves at ``path``, given to them."""
    if kind == "symlink":
        path.symlink_to(path.parent / "victim")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "unreadable file":
        path.write_text("")
        path.chmod(0)
    else:  # a readable file of theirs
        path.write_text('{"change": 1, "at": "2019-12-01T00:00:00+00:00", "edits": []}\n')
        path.chmod(0o644)
    os.lchown(path, OTHER, NOBODY)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "unreadable file", "file"])
def test_a_lock_planted_by_another_user_does_not_block_writes(folder: Path, kind: str) -> None:
    store = make_store(folder, 0o600)
    victim = folder / "victim"
    victim.write_text("someone's notes\n")
    os.chown(victim, NOBODY, NOBODY)
    plant(folder / "activities.csv.lock", kind)
    result = as_user(NOBODY, *ADD, store=store)
    assert result.returncode == 0, result.stderr.decode()
    assert b"Shared test" in store.read_bytes()
    assert victim.read_text() == "someone's notes\n"
    assert os.lstat(folder / "activities.csv.lock").st_uid == OTHER  # theirs, left alone


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_history_planted_by_another_user_is_refused_naming_its_owner(
    folder: Path, kind: str
) -> None:
    store = make_store(folder, 0o600)
    victim = folder / "victim"
    victim.write_text("")
    os.chown(victim, NOBODY, NOBODY)
    history = folder / "activities.csv.history.jsonl"
    plant(history, kind)
    planted = os.readlink(history) if kind == "symlink" else history.read_text()
    result = as_user(NOBODY, *ADD, store=store)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    [line] = errors(result)
    assert str(history) in line and "'65533'" in line
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()
    assert (os.readlink(history) if kind == "symlink" else history.read_text()) == planted
    assert victim.read_text() == ""
    undo = as_user(NOBODY, "undo", store=store)
    assert undo.returncode == 1 and "'65533'" in errors(undo)[0]


def test_a_cache_planted_by_another_user_is_not_read_and_said_once(folder: Path) -> None:
    store = make_store(folder, 0o600)
    cache = folder / ".activities.csv.cache.sqlite3"
    cache.write_bytes(b"SQLite format 3\0" + b"\0" * 4000)
    os.chown(cache, OTHER, NOBODY)
    result = as_user(NOBODY, "list", "--status", "held", "--json", store=store)
    assert result.returncode == 0, result.stderr.decode()
    assert len(json.loads(result.stdout)) == 72
    [warning] = [line for line in result.stderr.decode().splitlines() if "cache" in line]
    assert "'65533'" in warning and "kept in memory for this run" in warning
    assert os.stat(cache).st_uid == OTHER
