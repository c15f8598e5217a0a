"""After the tool's own write, the next query trusts the cache the write updated without
reading the store again, once the write has been read back a clock tick later; any other
change to the file, even one that leaves its times and size as they were, is still seen."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from inventory.model import Status
from inventory.store import cache as cache_mod
from inventory.store import open_store
from inventory.store.cache import cache_path, settle
from inventory.store.csvfile import CsvSession
from inventory.store.files import Snapshot, identity_of, read_snapshot
from tests.helpers import load
from tests.writers import inventory_command


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every time the cache reads the store's bytes."""
    reads: list[Path] = []
    original = cache_mod.read_snapshot

    def reading(path: Path, **kwargs: object) -> Snapshot | None:
        reads.append(path)
        return original(path)

    monkeypatch.setattr(cache_mod, "read_snapshot", reading)
    return reads


def _cancel(store: Path, ident: str) -> None:
    done = subprocess.run(
        [*inventory_command(), "cancel", ident, "--force", "--store", str(store)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_first_query_after_a_tool_write_reads_no_byte_of_the_store(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(store_copy)
    _cancel(store_copy, "38z0")
    reads = _reads(monkeypatch)
    statuses = {a.id: a.status.value for a in load(store_copy).activities}
    assert reads == []
    assert statuses["38z0m643"] == "cancelled"


def test_a_hand_edit_after_a_tool_write_is_seen(store_copy: Path) -> None:
    load(store_copy)
    _cancel(store_copy, "38z0")
    text = store_copy.read_text(encoding="utf-8")
    store_copy.write_text(
        text.replace("Cybercrime reporting platform", "Cybercrime REPORTING platform"),
        encoding="utf-8",
    )
    titles = [a.title for a in load(store_copy).activities]
    assert "Cybercrime REPORTING platform – Official launch and kick-off workshop" in titles


def test_a_write_whose_bytes_changed_within_the_tick_stays_racy(store_copy: Path) -> None:
    data = store_copy.read_bytes()
    st = os.stat(store_copy)
    # What the tool believes it wrote differs from what is there, though the identity is
    # the file's: an edit in the same tick. Nothing is trusted, the next reader compares.
    written = Snapshot(
        store_copy, data.replace(b"Cybercrime", b"CYBERCRIME", 1), identity_of(st), st.st_ctime_ns
    )
    assert settle(written) == st.st_ctime_ns
    same = Snapshot(store_copy, data, identity_of(st), st.st_ctime_ns)
    assert settle(same) > st.st_ctime_ns + cache_mod.TICK_NS


def test_on_a_fine_clock_an_edit_within_the_tick_after_a_read_is_caught_by_the_digest(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(store_copy)
    with sqlite3.connect(cache_path(store_copy)) as db:
        (identity,) = db.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
        frozen = tuple(int(n) for n in identity.strip("()").split(", "))
        # The cache saw the file a millisecond after its last change: within the tick.
        db.execute(
            "UPDATE meta SET value = ? WHERE key = 'seen_ns'", (str(max(frozen[3:]) + 10**6),)
        )
    data = store_copy.read_bytes()
    store_copy.write_bytes(
        data.replace(b"Cybercrime reporting platform", b"Cybercrime REPORTING platform")
    )
    from inventory.store import files as files_mod

    monkeypatch.setattr(cache_mod, "_identity", lambda path: frozen)
    monkeypatch.setattr(files_mod, "identity_of", lambda st: frozen)
    titles = [a.title for a in load(store_copy).activities]
    assert "Cybercrime REPORTING platform – Official launch and kick-off workshop" in titles
    assert read_snapshot(store_copy) is not None


def test_a_streamed_write_the_cache_did_not_expect_is_read_from_the_file(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory.projects import load_registry
    from inventory.store.cache import Cache
    from inventory.store.csvdoc import read_rows

    data = store_copy.read_bytes().replace(
        b"Cybercrime reporting platform", b"Cybercrime REPORTING platform"
    )
    store_copy.write_bytes(data)
    written = Snapshot(store_copy, data, identity_of(os.stat(store_copy)), 0)
    written.drop_data()  # a writer that streamed the file keeps its digest, not its bytes
    cache = Cache(store_copy, load_registry)
    try:
        header, _ = read_rows(data.decode("utf-8"), str(store_copy))
        cache.apply({}, {}, (0, 0, 0, 0, 0), written, header)
        titles = [
            t
            for (t,) in cache.connection.execute(
                "SELECT json_extract(record, '$.title') FROM activity"
            )
        ]
    finally:
        cache.close()
    assert "Cybercrime REPORTING platform – Official launch and kick-off workshop" in titles
    assert len(titles) == 132


def test_a_reader_that_finds_the_new_file_before_the_write_describes_it_waits_for_the_write(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A served page reads the store while `inventory add` runs: between the rename and the
    # cache's update the reader must wait for the update, not read the whole file as if a
    # person had edited it (at 100k that took a second: the served pages' slowest answers).
    load(store_copy)
    renamed, go = threading.Event(), threading.Event()
    original = CsvSession.written

    def written(self: CsvSession, *args: object, **kwargs: object) -> None:
        renamed.set()
        assert go.wait(10)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(CsvSession, "written", written)

    def write() -> None:
        with open_store(str(store_copy)) as store, store.transaction() as batch:
            target = store.get("38z0")
            batch.update(target.model_copy(update={"status": Status.POSTPONED}))

    writer = threading.Thread(target=write)
    writer.start()
    assert renamed.wait(10)
    reads = _reads(monkeypatch)
    answer: dict[str, str] = {}

    def read() -> None:
        answer.update({a.id: a.status.value for a in load(store_copy).activities})

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(0.5)
    assert reader.is_alive()  # it waits for the writer ...
    go.set()
    writer.join(10)
    reader.join(10)
    assert answer["38z0m643"] == "postponed"  # ... and then reads the new version
    assert reads == []  # from the cache the write updated, reading no byte of the file
