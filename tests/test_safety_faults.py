"""Faults and races as loops on small stores: the reliability review's F2 (a store rewritten
in place under a query), F3 (a hand save during an add), F5 (the lock file removed while
held), F6 (concurrent adds on a bigger store) and kill -9 during imports. The store tests
(tests/test_cache.py) race the same writes in-process; these go through the command line
as the review did."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BUNDLED_STORE
from tests.safety import TIMEOUT, bigger_store, cli, command, copy_store, leftovers, run
from tests.writers import concurrent_adds

pytestmark = pytest.mark.slow  # races and kills real processes

PAUSE = "INVENTORY_TEST_PAUSE_BEFORE_COMMIT"


def records(store: Path) -> list[dict[str, Any]]:
    result = run("list", "--json", store=store)
    assert result.returncode == 0, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def swap_rows_of_one_length(path: Path) -> None:
    """The review's swap.py: rows of the same length change places, saved over the file in
    place (same inode, same size), as an editor that writes into the file does."""
    head, *body = path.read_bytes().rstrip(b"\n").split(b"\n")
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, line in enumerate(body):
        by_length[len(line)].append(index)
    new = body[:]
    for indexes in by_length.values():
        for a, b in zip(indexes[0::2], indexes[1::2], strict=False):
            new[a], new[b] = body[b], body[a]
    with open(path, "r+b") as handle:
        handle.write(b"\n".join([head, *new]) + b"\n")


def drop_every_other_row(path: Path) -> None:
    """Rows removed, saved in place: every later row moves."""
    head, *body = path.read_bytes().rstrip(b"\n").split(b"\n")
    with open(path, "r+b") as handle:
        handle.write(b"\n".join([head, *body[::2]]) + b"\n")
        handle.truncate()


def wait_for(path: Path, proc: subprocess.Popen[Any]) -> bool:
    """Until ``path`` exists (True) or the process has ended (False)."""
    deadline = time.monotonic() + TIMEOUT
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


# --- F2: a query answers from one version of the store ------------------------------------


def test_a_store_rewritten_in_place_during_a_query_is_answered_from_one_version(
    tmp_path: Path,
) -> None:
    store = bigger_store(tmp_path / "a.csv", 20)  # 2,640 rows: about 2.6 MB of JSON out
    for rewrite in (swap_rows_of_one_length, drop_every_other_row):
        before = records(store)
        assert len(before) in (2640, 1320)
        # The reader stalls on its output pipe (nobody reads it yet), so the rewrite lands
        # while it runs; in the review, the answer then mixed the two versions.
        reader = subprocess.Popen(
            [*command(), "list", "--json", "--store", str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert reader.stdout is not None
        first = os.read(reader.stdout.fileno(), 1)  # unbuffered: communicate() reads the rest
        time.sleep(0.5)
        rewrite(store)
        rest, err = reader.communicate(timeout=TIMEOUT)
        assert reader.returncode == 0, err
        assert b"Traceback" not in err
        during = json.loads(first + rest)
        after = records(store)
        assert during in (before, after)


# --- F3: a hand save while an add runs is kept --------------------------------------------


def test_a_hand_save_during_an_add_is_not_overwritten(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    adder = subprocess.Popen(
        [
            *command(),
            "add",
            "--store",
            str(store),
            "-p",
            "GLACY+",
            "-t",
            "Tool add",
            "--dates",
            "3-5 December 2019",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, PAUSE: "2"},
    )
    wait_for(tmp_path / "activities.csv.lock", adder)
    time.sleep(0.3)
    # A person saves from a spreadsheet: a new file renamed over the store.
    edited = store.read_text(encoding="utf-8").replace(",GLACY+,", ",GLACY+ HANDEDIT,", 1)
    (tmp_path / "saved.tmp").write_text(edited, encoding="utf-8")
    os.replace(tmp_path / "saved.tmp", store)
    _, err = adder.communicate(timeout=TIMEOUT)
    text = store.read_text(encoding="utf-8")
    assert "HANDEDIT" in text  # the review: the add exited 0 and the hand edit was gone
    assert adder.returncode == 1
    assert b"was changed by someone else while this command ran" in err
    assert "Tool add" not in text


# --- F5: removing the lock file while it is held loses nothing ------------------------------


def test_the_lock_removed_while_held_loses_no_committed_write(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    lock = tmp_path / "activities.csv.lock"

    def writer(title: str, pause: str | None) -> subprocess.Popen[bytes]:
        env = {**os.environ, **({PAUSE: pause} if pause else {})}
        argv = [
            *command(),
            "add",
            "--store",
            str(store),
            "-p",
            "GLACY+",
            "-t",
            title,
            "--dates",
            "3-5 December 2019",
        ]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    first = writer("Writer A", "2")
    wait_for(lock, first)
    time.sleep(0.3)
    lock.unlink()  # what the review's hint said to do
    second = writer("Writer B", None)
    results = {
        name: (p, p.communicate(timeout=TIMEOUT)[1])
        for name, p in (("Writer A", first), ("Writer B", second))
    }
    titles = {r["title"] for r in records(store)}
    for name, (proc, err) in results.items():
        if proc.returncode == 0:
            assert name in titles, err  # every add that said "added" is in the store
        else:
            assert b"was changed by someone else" in err and name not in titles
    assert {p.returncode for p, _ in results.values()} == {0, 1}
    assert len(records(store)) == 133


# --- F6: concurrent adds on a store bigger than the bundled one ------------------------------


def test_concurrent_adds_on_a_bigger_store_all_land(tmp_path: Path) -> None:
    store = bigger_store(tmp_path / "a.csv", 10)
    assert len(records(store)) == 1320
    writers = concurrent_adds(
        store, 10, title="C", dates=lambda n: "3-5 December 2019", location=None, command=command()
    )
    assert [w.returncode for w in writers] == [0] * 10, [w.stderr for w in writers]
    titles = [r["title"] for r in records(store)]
    assert len(titles) == 1330
    assert {f"C {n}" for n in range(10)} <= set(titles)


# --- kill -9 during imports ------------------------------------------------------------


def test_kill_9_during_imports_leaves_the_old_or_the_new_store(tmp_path: Path) -> None:
    """An import of the 132 activities into a store killed at random moments: the store is
    empty-and-absent or complete, never partial; the next writer cleans up after it."""
    rng = random.Random(16)
    outcomes = set()
    for attempt in range(5):
        store = tmp_path / f"s{attempt}.csv"
        proc = subprocess.Popen(
            [*command(), "import", str(BUNDLED_STORE), "--store", str(store), "--create"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if store.exists():
            assert len(records(store)) == 132
            outcomes.add("written")
        else:
            outcomes.add("not written")
        again = cli("import", str(BUNDLED_STORE), store=store)
        assert again.exit_code == 0, again.stderr
        assert len(records(store)) == 132
    assert leftovers(tmp_path) == []
