"""The CSV store's cache never answers stale, re-reads only what changed, and survives being
damaged, killed or raced; writers never lose each other's work or a person's save."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inventory.changes import Author
from inventory.errors import StoreError
from inventory.store import cache as cache_mod
from inventory.store import cachebuild, open_store
from inventory.store.cache import cache_path
from inventory.store.files import StoreLock
from inventory.vocab import Status
from tests.helpers import BUNDLED_STORE, load
from tests.writers import concurrent_adds, inventory_command

GLACY_NOVEMBER = 11  # GLACY+ lines of the November 2019 table, Fiji's mission aside


def titles(path: Path) -> list[str]:
    return [a.title for a in load(path).activities]


def parsed_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the rows the cache validates (it skips the ones it knows by their bytes)."""
    counted: list[int] = []
    original = cachebuild.parse_rows

    def counting(rows, *args):  # type: ignore[no-untyped-def]
        counted.append(len(rows))
        return original(rows, *args)

    monkeypatch.setattr(cachebuild, "parse_rows", counting)
    return counted


def test_a_hand_edit_revalidates_only_the_edited_row(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(store_copy)  # builds the cache
    counted = parsed_rows(monkeypatch)
    lines = store_copy.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("Cybercrime reporting platform", "Reporting platform")
    store_copy.write_text("".join(lines), encoding="utf-8")
    after = titles(store_copy)
    assert sum(counted) == 1
    assert "Reporting platform – Official launch and kick-off workshop" in after
    assert len(after) == 132


def test_rows_removed_or_added_by_hand_are_seen(store_copy: Path) -> None:
    load(store_copy)
    lines = store_copy.read_text(encoding="utf-8").splitlines(keepends=True)
    removed = lines.pop(5)
    store_copy.write_text("".join(lines), encoding="utf-8")
    assert len(load(store_copy).activities) == 131
    store_copy.write_text("".join([*lines, removed]), encoding="utf-8")
    assert len(load(store_copy).activities) == 132


def test_a_duplicate_id_goes_to_the_row_that_comes_first(store_copy: Path) -> None:
    load(store_copy)
    lines = store_copy.read_text(encoding="utf-8").splitlines(keepends=True)
    ident = lines[40].split(",")[0]
    # A person copies row 41 above row 3, changing its title: the copy comes first now.
    copy = lines[40].replace(lines[40].split(",")[2], "A copy", 1)
    lines.insert(2, copy)
    store_copy.write_text("".join(lines), encoding="utf-8")
    store = load(store_copy)
    [problem] = store.problems
    assert (problem.line, problem.field) == (42, "id")
    assert f"duplicate id '{ident}', first used on line 3" in problem.message
    assert [a.title for a in store.activities if a.id == ident] == ["A copy"]


def test_the_same_row_twice_is_reported(store_copy: Path) -> None:
    lines = store_copy.read_text(encoding="utf-8").splitlines(keepends=True)
    store_copy.write_text("".join([*lines, lines[7]]), encoding="utf-8")
    [problem] = load(store_copy).problems
    assert problem.line == 134 and "first used on line 8" in problem.message


def test_a_new_projects_csv_rebuilds_the_cache(store_copy: Path) -> None:
    from inventory.projects import builtin_text

    assert len(load(store_copy).activities) == 132
    registry = builtin_text().replace("GLACY+,", "GLACY+,Global Action;", 1)
    (store_copy.parent / "projects.csv").write_text(registry, encoding="utf-8")
    lines = store_copy.read_text(encoding="utf-8").splitlines(keepends=True)
    # A hand-typed alias reads as its project only with the new registry.
    ident = lines[1].split(",")[0]
    lines[1] = lines[1].replace(",GLACY+,", ",Global Action,", 1)
    store_copy.write_text("".join(lines), encoding="utf-8")
    assert [a.projects for a in load(store_copy).activities if a.id == ident] == [("GLACY+",)]


def test_a_damaged_cache_is_rebuilt(store_copy: Path) -> None:
    load(store_copy)
    cache_path(store_copy).write_bytes(b"not a database" * 100)
    assert len(load(store_copy).activities) == 132
    with sqlite3.connect(cache_path(store_copy)) as db:
        assert db.execute("SELECT count(*) FROM activity").fetchone() == (132,)


def test_an_edit_in_place_within_the_clock_tick_is_caught_by_the_digest(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory.store import files as files_mod

    def coarse(st: os.stat_result) -> tuple[int, ...]:
        """Times in whole seconds, as a coarse clock (ext3, HFS+; FAT keeps two) gives them."""
        whole = 1_000_000_000
        mtime, ctime = st.st_mtime_ns // whole * whole, st.st_ctime_ns // whole * whole
        return (st.st_dev, st.st_ino, st.st_size, mtime, ctime)

    monkeypatch.setattr(files_mod, "identity_of", coarse)
    monkeypatch.setattr(cache_mod, "_identity", lambda path: coarse(os.stat(path)))
    load(store_copy)
    data = store_copy.read_bytes()
    # Same size and, as a coarse clock would leave them, the same inode, size and times:
    # only the bytes differ. The cache was made less than a clock tick ago, so it checks them.
    changed = data.replace(b"Cybercrime reporting platform", b"Cybercrime REPORTING platform")
    with sqlite3.connect(cache_path(store_copy)) as db:
        (identity,) = db.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
    store_copy.write_bytes(changed)
    frozen = tuple(int(n) for n in identity.strip("()").split(", "))
    monkeypatch.setattr(cache_mod, "_identity", lambda path: frozen)
    monkeypatch.setattr(files_mod, "identity_of", lambda st: frozen)
    assert "Cybercrime REPORTING platform – Official launch and kick-off workshop" in titles(
        store_copy
    )


def test_a_write_compares_the_bytes_only_of_a_file_changed_within_a_tick_of_being_read(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fine file times (ext4): a change a tick after the version was read gives another
    # ctime, so a version read later than that is known by its identity; within the tick,
    # the bytes are compared (and a change there with the identity unchanged is caught).
    from inventory.store import files as files_mod

    st = os.stat(store_copy)
    identity = files_mod.identity_of(st)
    assert identity[3] % 1_000_000_000 and identity[4] % 1_000_000_000  # fine times here
    data = store_copy.read_bytes()
    digested: list[Path] = []
    original = files_mod.file_digest

    def counted(path: Path, of: tuple[int, ...]) -> str:
        digested.append(path)
        return original(path, of)  # type: ignore[arg-type]

    monkeypatch.setattr(files_mod, "file_digest", counted)
    later = files_mod.Snapshot(store_copy, data, identity, identity[4] + files_mod.TICK_NS)
    files_mod.check_unchanged(later, store_copy)
    assert digested == []
    within = files_mod.Snapshot(store_copy, data, identity, identity[4] + 1_000_000)
    files_mod.check_unchanged(within, store_copy)
    assert digested == [store_copy]
    store_copy.write_bytes(data.replace(b"Rabat", b"RABAT"))
    monkeypatch.setattr(files_mod, "identity_of", lambda st: identity)  # as if in the tick
    with pytest.raises(StoreError, match="changed by someone else"):
        files_mod.check_unchanged(within, store_copy)


def test_a_spreadsheet_save_during_a_write_is_not_lost(store_copy: Path) -> None:
    store = open_store(str(store_copy))
    target = store.get("38z0")
    saved = store_copy.read_text(encoding="utf-8").replace("Rabat", "RABAT")
    with (
        pytest.raises(StoreError, match="changed by someone else") as caught,
        store.transaction() as batch,
    ):
        batch.update(target.model_copy(update={"status": Status.POSTPONED}))
        # A person saves the file from a spreadsheet while the command runs.
        store_copy.write_text(saved, encoding="utf-8")
    assert "nothing was written" in str(caught.value)
    assert store_copy.read_text(encoding="utf-8") == saved  # their work is kept
    assert load(store_copy).activities  # and the store still reads


def test_a_held_lock_names_its_holder_and_a_dead_holders_lock_is_taken(store_copy: Path) -> None:
    # A process holds the lock and is killed: the kernel releases its flock, so the lock
    # left behind is not stale, and the next writer takes it at once.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path;"
            "from inventory.store.files import StoreLock;"
            "lock = StoreLock(Path(sys.argv[1]), command='inventory add (test)');"
            "lock.acquire(); print('held', flush=True); time.sleep(60)",
            str(store_copy),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    waiting = StoreLock(store_copy, timeout=0.3)
    with pytest.raises(StoreError) as caught:
        waiting.acquire()
    message = str(caught.value)
    assert f"is locked by process {holder.pid} (inventory add (test), running for" in message
    assert "remove" not in message  # no advice to break a lock
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert store_copy.with_name("activities.csv.lock").exists()
    started = time.monotonic()
    with StoreLock(store_copy, timeout=5):
        assert time.monotonic() - started < 1
    assert not store_copy.with_name("activities.csv.lock").exists()  # removed after use


@pytest.mark.slow
@pytest.mark.parametrize("name", ["activities.csv", "activities.db"])
def test_concurrent_writers_all_land(tmp_path: Path, name: str) -> None:
    store = tmp_path / name
    if name.endswith(".db"):
        with open_store(str(store), create=True) as opened, opened.transaction() as batch:
            for activity in load(BUNDLED_STORE).activities:
                batch.add(activity)
    else:
        shutil.copy(BUNDLED_STORE, store)
    writers = concurrent_adds(store, 20, title="Writer", command=inventory_command())
    assert [w.returncode for w in writers] == [0] * 20, [w.stderr for w in writers]
    with open_store(str(store)) as opened:
        landed = {a.title for a in opened.select() if a.title.startswith("Writer ")}
        assert landed == {f"Writer {n}" for n in range(20)}
        assert opened.count() == 152
        assert opened.problems() == []
        assert len(opened.history()) == 20 + (1 if name.endswith(".db") else 0)


KILL_WRITER = """
import sys
from inventory.changes import Author
from inventory.store import open_store
from inventory.vocab import Status
store = open_store(sys.argv[1])
statuses = [Status.POSTPONED, Status.HELD]
for n in range(10_000):
    with store.transaction(Author("killer", "test")) as batch:
        for activity in store.select()[:5]:
            batch.update(activity.model_copy(update={"status": statuses[n % 2]}))
    print(n, flush=True)
"""


@pytest.mark.slow
def test_kill_9_during_writes_leaves_the_old_or_the_new_store(tmp_path: Path) -> None:
    """A writer killed at random points: the store is always one of the versions it wrote
    (readable, every row there), and the cache never answers from a version the file is not."""
    store = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, store)
    versions = set()
    for attempt in range(12):
        writer = subprocess.Popen(
            [sys.executable, "-c", KILL_WRITER, str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert writer.stdout is not None
        writer.stdout.readline()
        time.sleep(0.01 * (attempt % 5))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        loaded = load(store)
        assert loaded.problems == []
        assert len(loaded.activities) == 132
        # What the cache answers is what the file holds.
        from inventory.store.csvdoc import read_rows
        from inventory.textio import decode

        _, rows = read_rows(decode(store.read_bytes(), "s"), "s")
        postponed = {r.cells[0] for r in rows if r.cells[-1] == "postponed"}
        assert {a.id for a in loaded.activities if a.status is Status.POSTPONED} == postponed
        versions.add(len(postponed))
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".inventory-tmp")]
        with open_store(str(store)) as opened, opened.transaction(Author("next", "t")) as batch:
            batch.update(opened.get("38z0").model_copy(update={"status": Status.HELD}))
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".inventory-tmp")], leftovers
    assert versions <= {0, 5}


@pytest.mark.slow
def test_ctrl_c_during_a_write_leaves_the_store_and_exits_130(store_copy: Path) -> None:
    before = store_copy.read_bytes()
    env = {**os.environ, "INVENTORY_TEST_PAUSE_BEFORE_COMMIT": "5"}
    proc = subprocess.Popen(
        [*inventory_command(), "cancel", "38z0", "--force", "--store", str(store_copy)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert store_copy.read_bytes() == before
