"""Paths handled as a careful tool does: the reliability review's F4, F10-F15 and the CLI
review's D15, D17, D36. Permission cases run as ``nobody`` when the tests run as root (CI),
since root passes every permission check."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BUNDLED_STORE
from tests.safety import (
    cli,
    command,
    copy_store,
    kill,
    leftovers,
    paused_after,
    run,
    run_unprivileged,
    shared_folder,
    unprivileged,
)

UPCOMING_FROM_Q4 = 132  # on 2019-10-01 every activity of the bundled store is still to come


def count(store: Path, *args: str) -> int:
    result = cli("list", "--json", *args, store=store)
    assert result.exit_code == 0, result.stderr
    return len(json.loads(result.stdout))


def add(store: Path, title: str, *extra: str) -> Any:
    return cli(
        "add", "-p", "GLACY+", "-t", title, "--dates", "3-5 December 2019", *extra, store=store
    )


# --- F4: a symlinked store is one store -----------------------------------------------------


@pytest.mark.slow
def test_writes_through_a_symlink_reach_the_real_store(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    target = copy_store(real, "store.csv")
    link = tmp_path / "link.csv"
    link.symlink_to("real/store.csv")
    procs = [
        subprocess.Popen(
            [
                *command(),
                "add",
                "--store",
                str(path),
                "-p",
                "GLACY+",
                "-t",
                f"Via {name} {n}",
                "--dates",
                f"{n + 1} December 2019",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(5)
        for name, path in (("link", link), ("target", target))
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 10, errors
    assert link.is_symlink()  # was replaced by a regular file holding the link's adds
    text = target.read_text(encoding="utf-8")
    assert text.count("Via link") == 5 and text.count("Via target") == 5
    assert count(link) == count(target) == 142


# --- F10: an output never lands on one of the store's own files -------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "activities.csv",
        "activities.csv.lock",
        ".activities.csv.cache.sqlite3",
        "activities.csv.history.jsonl",
        "projects.csv",
        "alias.csv",
    ],
)
def test_export_refuses_the_store_and_its_files(tmp_path: Path, name: str) -> None:
    store = copy_store(tmp_path)
    (tmp_path / "alias.csv").symlink_to("activities.csv")
    assert count(store) == 132  # the cache exists now
    result = cli("export", "-o", str(tmp_path / name), store=store)
    assert result.exit_code == 2
    assert (
        "is the store;"
        if name in ("activities.csv", "alias.csv")
        else "is one of the store's own files"
    ) in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()
    assert not (tmp_path / "projects.csv").exists()
    assert count(store) == 132


def test_export_refuses_a_sqlite_store_and_its_journal(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    assert cli("import", str(BUNDLED_STORE), store=store).exit_code == 0
    for name in ("s.db", "s.db-wal"):
        result = cli("export", "-o", str(tmp_path / name), store=store)
        assert result.exit_code == 2 and "expected another file" in result.stderr
    assert count(store) == 132


@pytest.mark.slow
def test_export_into_a_named_pipe_writes_into_it(tmp_path: Path) -> None:
    # Replacing a device or a pipe with a file (as root, '-o /dev/null' did) breaks it for
    # everyone; a pipe is written into, as a shell redirection would.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = run("export", "--month", "2019-11", "-o", str(pipe), store=BUNDLED_STORE)
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert received[0].startswith(b"BEGIN:VCALENDAR") and b"INTERPOL Malware" in received[0]


# --- F11: the cache is used only when nothing about it is unusual -----------------------------


def forge(store: Path) -> Path:
    """Every activity cancelled in the cache, its description of the store left intact: the
    review's forged index, in the cache's form."""
    assert count(store) == 132
    cache = store.with_name(f".{store.name}.cache.sqlite3")
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE activity_row SET status = 2")  # cancelled, as the cache numbers it
    return cache


def test_a_cache_others_may_write_is_not_believed(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    cache = forge(store)
    cache.chmod(0o666)  # anyone who can reach the folder could have written it
    assert count(store, "--status", "cancelled") == 0
    result = cli("upcoming", "--as-of", "2019-10-01", "--json", store=store)
    assert len(json.loads(result.stdout)) == UPCOMING_FROM_Q4
    assert stat.S_IMODE(cache.stat().st_mode) & 0o022 == 0  # rebuilt as this user's own


def test_a_cache_of_another_user_is_not_believed(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a file another user's needs root (CI runs as root)")
    store = copy_store(tmp_path)
    cache = forge(store)
    os.chown(cache, 65534, 65534)
    assert count(store, "--status", "cancelled") == 0
    assert cache.stat().st_uid == 0


def test_a_journal_planted_beside_the_cache_is_removed_before_it_is_opened(
    tmp_path: Path,
) -> None:
    # SQLite rolls a "hot" journal back into the database when it opens it.
    store = copy_store(tmp_path)
    assert count(store) == 132
    planted = tmp_path / ".activities.csv.cache.sqlite3-journal"
    planted.write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 504)
    planted.chmod(0o666)
    assert count(store) == 132
    assert not planted.exists()


# --- F12: nothing at a path the tool opens can hang it -----------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        ".activities.csv.idx",  # the review's case: the index of the version it reviewed
        ".activities.csv.cache.sqlite3",
        ".activities.csv.cache.sqlite3-journal",
    ],
)
def test_a_fifo_at_the_cache_path_does_not_hang_a_query(tmp_path: Path, name: str) -> None:
    store = copy_store(tmp_path)
    os.mkfifo(tmp_path / name)
    result = run("list", "--json", store=store, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 132


def test_a_symlink_at_the_cache_path_is_never_written_through(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("someone's notes\n")
    (tmp_path / ".activities.csv.cache.sqlite3").symlink_to(victim)
    assert count(store) == 132
    assert victim.read_text() == "someone's notes\n"


@pytest.mark.parametrize("name", ["activities.csv.lock", "activities.csv.history.jsonl"])
def test_a_fifo_at_the_lock_or_history_path_is_one_line_not_a_hang(
    tmp_path: Path, name: str
) -> None:
    store = copy_store(tmp_path)
    os.mkfifo(tmp_path / name)
    result = run(
        "add", "-p", "GLACY+", "-t", "x", "--dates", "4 December 2019", store=store, timeout=60
    )
    assert result.returncode == 1
    [line] = result.stderr.decode().splitlines()[:1]
    assert name in line and "plain file" in line
    assert b"Traceback" not in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


def test_a_fifo_as_projects_csv_does_not_hang_a_query(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    os.mkfifo(tmp_path / "projects.csv")
    result = run(
        "list", "--json", "--project", "GLACY+", "--month", "2019-11", store=store, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 11  # the built-in projects are used


def test_a_projects_csv_that_is_not_utf8_is_one_line_naming_the_byte(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    (tmp_path / "projects.csv").write_bytes(b"name,aliases\nCaf\xe9,x\n")
    result = cli("list", store=store)
    assert result.exit_code == 1
    assert "projects.csv:2: not UTF-8 (byte 0xe9 at line 2)" in result.stderr


def test_a_fifo_as_the_store_is_one_line_not_a_hang(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    os.mkfifo(store)
    result = run("list", store=store, timeout=60)
    assert result.returncode == 1
    assert b"not a regular file; expected a store file" in result.stderr


# --- F13: one line, never a traceback ----------------------------------------------------------


def test_a_symlinked_lock_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    target = tmp_path / "target"
    target.write_text("precious\n")
    (tmp_path / "activities.csv.lock").symlink_to(target)
    result = run("add", "-p", "GLACY+", "-t", "x", "--dates", "4 December 2019", store=store)
    assert result.returncode == 1
    assert b"is a symbolic link; expected the lock file to be a plain file" in result.stderr
    assert b"Traceback" not in result.stderr
    assert target.read_text() == "precious\n"


def test_a_folder_at_the_lock_path_is_one_line_naming_it(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    (tmp_path / "activities.csv.lock").mkdir()
    result = add(store, "x")
    assert result.exit_code == 1
    assert "is a folder; expected the lock file to be a plain file" in result.stderr


def test_no_free_inodes_for_the_lock_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    store = copy_store(tmp_path)
    real_open = os.open

    def full(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".lock"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", full)
    result = add(store, "x")
    assert result.exit_code == 1
    assert "activities.csv.lock: cannot take the lock: no space left on the device" in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


def test_a_store_below_a_file_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "work").write_text("a file, not a folder\n")
    result = add(tmp_path / "work" / "a.csv", "x")
    assert result.exit_code == 1
    assert "a part of the path is a file, not a folder" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 200_000 + "]" * 200_000, "JSON nested too deep"),
        ("[" + "9" * 5000 + "]", "a number of 5,000 characters; at most 30 are allowed"),
    ],
)
def test_hostile_json_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    source = tmp_path / "hostile.json"
    source.write_text(text)
    result = run("import", str(source), store=tmp_path / "s.csv")
    assert result.returncode == 1
    [line] = result.stderr.decode().splitlines()
    assert line.startswith("inventory: error: ") and message in line
    assert "sys.set_int_max_str_digits" not in line  # Python's advice is not the user's


# --- F14: a killed writer's temporary files are removed by the next writer ----------------


@pytest.mark.slow
def test_a_writer_killed_after_writing_its_temporary_file_leaves_the_store_whole(
    tmp_path: Path,
) -> None:
    store = copy_store(tmp_path)
    argv = [
        *command(),
        "add",
        "--store",
        str(store),
        "-p",
        "GLACY+",
        "-t",
        "Killed add",
        "--dates",
        "4 December 2019",
    ]
    before = store.read_bytes()
    for _ in range(3):
        # Stopped just after flushing the new version to its temporary file (and before
        # giving it the store's mode; the first fsync is the history's line, written ahead),
        # then killed; each next writer removes what the one before it left.
        with paused_after("fchmod", argv, tmp_path, path="inventory-tmp") as proc:
            [left] = leftovers(tmp_path)
            kill(proc)
        assert leftovers(tmp_path) == [left]
        assert store.read_bytes() == before
    assert add(store, "Next add").exit_code == 0
    assert leftovers(tmp_path) == []
    assert count(store) == 133


# --- F15, D15, D17: read-only stores and folders ------------------------------------------


def test_a_read_only_store_is_refused_even_for_root(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    store.chmod(0o444)
    result = cli("cancel", "38z0", "--force", store=store)
    assert result.exit_code == 1
    assert "is read-only (mode -r--r--r--); nothing was written" in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()
    assert stat.S_IMODE(store.stat().st_mode) == 0o444


def test_another_users_read_only_store_is_refused_not_replaced() -> None:
    unprivileged()
    with shared_folder() as folder:
        folder.chmod(0o777)  # the unprivileged user could rename a file over it ...
        store = copy_store(folder)
        store.chmod(0o644)  # ... but the store is not theirs to write
        owner = store.stat().st_uid
        result = run_unprivileged("cancel", "38z0", "--force", store=store, cwd=folder)
        assert result.returncode == 1, result.stderr
        assert b"is read-only" in result.stderr and b"Traceback" not in result.stderr
        assert store.read_bytes() == BUNDLED_STORE.read_bytes()
        assert store.stat().st_uid == owner


@pytest.mark.slow
def test_a_store_in_a_read_only_folder_is_read_but_not_written() -> None:
    unprivileged()
    with shared_folder() as folder:
        data = folder / "d"
        data.mkdir()
        store = copy_store(data, "a.csv")
        store.chmod(0o666)
        data.chmod(0o555)
        listed = run_unprivileged("list", "--json", store=store, cwd=folder)
        assert listed.returncode == 0, listed.stderr
        assert len(json.loads(listed.stdout)) == 132
        for args in (
            ["cancel", "38z0", "--force"],
            ["add", "-p", "GLACY+", "-t", "x", "--dates", "4 May 2020"],
        ):
            result = run_unprivileged(*args, store=store, cwd=folder)
            assert result.returncode == 1
            [line] = result.stderr.decode().splitlines()
            assert f"{store}: cannot write: its folder {data} is read-only" in line
        assert store.read_bytes() == BUNDLED_STORE.read_bytes()
        assert os.listdir(data) == ["a.csv"]


@pytest.mark.slow
def test_a_lock_left_by_another_user_does_not_stop_a_write() -> None:
    unprivileged()
    with shared_folder() as folder:
        folder.chmod(0o777)
        store = copy_store(folder)
        store.chmod(0o666)
        lock = folder / "activities.csv.lock"
        lock.write_text("{}")
        lock.chmod(0o644)  # root's, not writable by the unprivileged user
        result = run_unprivileged("cancel", "38z0", "--force", store=store, cwd=folder)
        assert result.returncode == 0, result.stderr
        assert count(store, "--status", "cancelled") == 1


# --- D36: the umask is honoured; an existing file keeps its mode ---------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_stores_and_exports_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    shell = (
        f"umask {umask:03o} && {' '.join(command())} import {BUNDLED_STORE} --store new.csv"
        " --create"
        f" && {' '.join(command())} export --store new.csv -o n.ics"
    )
    result = subprocess.run(shell, shell=True, cwd=tmp_path, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for name in ("new.csv", "n.ics"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name


def test_a_rewrite_keeps_the_store_s_mode(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    store.chmod(0o640)
    assert cli("cancel", "38z0", "--force", store=store).exit_code == 0
    assert stat.S_IMODE(store.stat().st_mode) == 0o640


# --- F15: rows not edited keep their bytes, a byte-order mark included --------------------


def test_rows_in_every_hand_written_form_keep_their_bytes(tmp_path: Path) -> None:
    lines = BUNDLED_STORE.read_text(encoding="utf-8").splitlines()
    hand = {
        1: lines[1].replace(",GLACY+,", ",glacy+,"),  # lower-case project
        2: lines[2].replace(",held", ","),  # empty status
        3: lines[3].replace("APWG.EU eCrime", "APWG.EU  eCrime"),  # a double space
        19: lines[19].replace(",Cybercrime@Octopus,", ",Octopus,"),  # an alias
    }
    for index, line in hand.items():
        assert line != lines[index]
        lines[index] = line
    store = tmp_path / "activities.csv"
    store.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    before = store.read_bytes().split(b"\r\n")
    assert cli("cancel", "38z0", "--force", store=store).exit_code == 0
    after = store.read_bytes().split(b"\r\n")
    assert after[0].startswith(b"\xef\xbb\xbf")
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [34]  # 38z0m643 (the newsletter's line 480) is the store's line 35
