"""An import reads, plans and writes a chunk at a time (``importing.import_into``'s
``chunk``), and still is one transaction planned as a whole: these tests import with tiny
chunks and check that nothing differs from one chunk but the memory it takes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.importing import Outcome, import_into
from inventory.readers import open_source
from inventory.records import to_record
from inventory.store import open_store
from inventory.store.base import Batch
from inventory.store.sqlite import SqliteStore
from inventory.vocab import Status
from tests.helpers import BUNDLED_STORE, FIXTURES

NEXT = FIXTURES / "newsletter-2020-q1.txt"
HEADER = "id,projects,title,dates,location\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def seeded(tmp_path: Path, name: str, rows: str = "") -> Path:
    """A SQLite store holding ``rows`` (CSV lines under :data:`HEADER`)."""
    db = tmp_path / f"{name}.db"
    if rows:
        with open_store(str(db), create=True) as store:
            source = open_source(str(write(tmp_path / f"{name}-seed.csv", HEADER + rows)))
            assert not import_into(store, source).failed
    return db


def run(db: Path, source: Path, chunk: int, **options: Any) -> Outcome:
    with open_store(str(db), create=True) as store:
        return import_into(store, open_source(str(source)), chunk=chunk, **options)


def contents(db: Path) -> tuple[list[dict[str, Any]], list[tuple[str, int, list[Any]]]]:
    """Every activity's record, and the history (command, and each edit's id and records)."""
    if not db.exists():
        return [], []
    with open_store(str(db)) as store:
        records = sorted((to_record(a) for a in store.select()), key=lambda r: r["id"])
        history = [
            (c.command, len(c.edits), [(e.id, e.before, e.after) for e in c.edits])
            for c in store.history()
        ]
    return records, history


# --- (a) one transaction, however many chunks were written inside it -----------------------


def test_an_unreadable_last_line_writes_nothing(tmp_path: Path) -> None:
    db = seeded(tmp_path, "store", 'kept01,GLACY+,Kept meeting,2-3 March 2019,"Paris, France"\n')
    before = contents(db)
    lines = "".join(f",GLACY+,Workshop number {n},{n}-{n + 1} May 2019,\n" for n in range(1, 11))
    source = write(tmp_path / "in.csv", HEADER + lines + ",GLACY+,Broken,31-35 May 2019,\n")
    outcome = run(db, source, chunk=3)
    assert outcome.failed and not outcome.written
    assert [p.line for p in outcome.reading.errors] == [12]
    assert outcome.summary() == "nothing written: 1 line could not be read"
    assert contents(db) == before
    # --skip-bad writes the ten others, in one change.
    outcome = run(db, source, chunk=3, skip_bad=True)
    assert outcome.counts()["added"] == 10 and outcome.counts()["skipped"] == 1
    records, history = contents(db)
    assert len(records) == 11
    assert [n for _, n, _ in history] == [10, 1]  # one change for the ten, newest first
    with open_store(str(db)) as store:
        change = store.history()[0]
        assert len(store.change(change.number).edits) == 10  # type: ignore[union-attr]


def test_a_failure_after_chunks_were_written_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = seeded(tmp_path, "store", 'kept01,GLACY+,Kept meeting,2-3 March 2019,"Paris, France"\n')
    before = contents(db)
    lines = "".join(f",GLACY+,Workshop number {n},{n}-{n + 1} May 2019,\n" for n in range(1, 11))
    source = write(tmp_path / "in.csv", HEADER + lines)
    flushes: list[int] = []
    flush = Batch.flush

    def failing(self: Batch) -> list[str]:
        written = flush(self)
        flushes.append(len(written))
        if len(flushes) == 3:  # three chunks of three are in the database by now
            with open_store(str(db)) as other:  # another reader sees none of them
                assert other.count() == 1
            raise OSError("disk full")
        return written

    monkeypatch.setattr(Batch, "flush", failing)
    with pytest.raises(OSError, match="disk full"):
        run(db, source, chunk=3)
    assert flushes == [3, 3, 3]
    assert contents(db) == before


# --- (b) reconciling across chunk boundaries -------------------------------------------------


def test_a_line_like_one_added_earlier_is_added_too(tmp_path: Path) -> None:
    # The second line would continue the first were it stored; an import plans against the
    # store as it was, so both are added, whichever chunk each is in.
    first = ',GLACY+,Workshop on evidence,2-3 May 2019,"Rome, Italy"\n'
    filler = "".join(f",GLACY+,Filler {n},{n} June 2019,\n" for n in range(1, 5))
    later = ',GLACY+,Workshop on evidence,4-5 May 2019,"Rome, Italy"\n'
    source = write(tmp_path / "in.csv", HEADER + first + filler + later)
    results = {}
    for chunk in (2, 1000):
        db = tmp_path / f"{chunk}.db"
        outcome = run(db, source, chunk=chunk)
        assert outcome.counts()["added"] == 6 and outcome.counts()["updated"] == 0
        results[chunk] = contents(db)[0]
    assert results[2] == results[1000]
    titles = [r["title"] for r in results[2]]
    assert titles.count("Workshop on evidence") == 2


def test_a_duplicate_id_in_a_later_chunk_is_refused(tmp_path: Path) -> None:
    db = seeded(tmp_path, "store")
    lines = [f"dupe{n:04},GLACY+,Meeting {n},{n} May 2019,\n" for n in range(1, 6)]
    source = write(tmp_path / "in.csv", HEADER + "".join(lines) + lines[0])
    outcome = run(db, source, chunk=2)
    assert outcome.failed
    assert [(p.line, p.message) for p in outcome.reading.errors] == [(7, "duplicate id 'dupe0001'")]
    assert not db.exists() or contents(db)[0] == []


def test_a_later_claim_by_id_wins_over_an_earlier_likely_line(tmp_path: Path) -> None:
    # Line 2 continues the stored s1 by its look, but line 6 names stor01: the id wins, in
    # whichever chunk it comes, and line 2 is a new activity.
    db = seeded(
        tmp_path, "store", 'stor01,GLACY+,Training on evidence,3-4 May 2019,"Rome, Italy"\n'
    )
    likely = ',GLACY+,Training on evidence,5-6 May 2019,"Rome, Italy"\n'
    filler = "".join(f",CyberSouth,Filler {n},{n} June 2019,\n" for n in range(1, 4))
    claim = 'stor01,GLACY+,Training on evidence,3-5 May 2019,"Rome, Italy"\n'
    source = write(tmp_path / "in.csv", HEADER + likely + filler + claim)
    for chunk in (2, 1000):
        copy = tmp_path / f"copy-{chunk}.db"
        shutil.copy(db, copy)
        outcome = run(copy, source, chunk=chunk)
        assert outcome.counts() == {
            "added": 4, "updated": 1, "unchanged": 0, "ambiguous": 0, "possible": 0,
            "weakening": 0, "unknown_projects": 0, "missing": 0, "skipped": 0,
        }  # fmt: skip
        (update,) = outcome.plan.of("update")
        assert (update.activity.id, update.incoming.line) == ("stor01", 6)


def test_two_lines_in_two_chunks_that_continue_one_activity_are_both_ambiguous(
    tmp_path: Path,
) -> None:
    db = seeded(
        tmp_path, "store", 'stor01,GLACY+,Training on evidence,3-4 May 2019,"Rome, Italy"\n'
    )
    one = ',GLACY+,Training on evidence,5-6 May 2019,"Rome, Italy"\n'
    two = ',GLACY+,Training on evidence,7-8 May 2019,"Rome, Italy"\n'
    filler = "".join(f",CyberSouth,Filler {n},{n} June 2019,\n" for n in range(1, 4))
    source = write(tmp_path / "in.csv", HEADER + one + filler + two)
    outcome = run(db, source, chunk=2)
    assert outcome.counts()["ambiguous"] == 2 and outcome.counts()["updated"] == 0
    assert [s.incoming.line for s in outcome.plan.of("ambiguous")] == [2, 6]
    assert all([c.id for c in s.candidates] == ["stor01"] for s in outcome.plan.of("ambiguous"))
    records = contents(db)[0]
    assert next(r for r in records if r["id"] == "stor01")["schedule"]["text"] == "3-4 May 2019"


# --- (c) the same stores with chunks of 3 as with one chunk ---------------------------------


def _newsletter_store(tmp_path: Path, name: str) -> Path:
    db = tmp_path / f"{name}.db"
    with open_store(str(db), create=True) as store:
        assert not import_into(store, open_source(str(BUNDLED_STORE))).failed
    return db


@pytest.mark.parametrize("mark", [None, Status.CANCELLED])
def test_the_next_newsletter_in_chunks_of_three_as_in_one(
    tmp_path: Path, mark: Status | None
) -> None:
    results = []
    for chunk in (3, 10_000):
        db = _newsletter_store(tmp_path, f"n{chunk}")
        outcome = run(db, NEXT, chunk=chunk, mark_missing=mark, keep_all=True, skip_bad=True)
        json = outcome.to_json()
        json.pop("store")
        records, history = contents(db)
        results.append((json, outcome.summary(), records, history[0][1:]))
    assert results[0] == results[1]
    assert results[0][1].startswith("added 3, updated 56, unchanged 0, ambiguous 1")


def test_a_refused_import_in_chunks_rolls_back_the_chunks_written_before(tmp_path: Path) -> None:
    # The ambiguous line is line 47 of 60: with chunks of 3, fifteen chunks were written in
    # the transaction before it was planned. Refused, the store is as it was.
    db = _newsletter_store(tmp_path, "refused")
    before = contents(db)
    outcome = run(db, NEXT, chunk=3)
    assert outcome.failed and not outcome.written
    assert outcome.summary() == "nothing written: 1 line ambiguous"
    assert contents(db) == before


TITLES = ["Workshop on evidence", "Workshop on evidence!", "Training on malware", "Cyber day"]
DATES = ["2-3 May 2019", "4-5 May 2019", "May 2019", "10 June 2019", "20-21 May 2019 (TBC)"]
PLACES = ['"Rome, Italy"', '"Paris, France"', ""]
PROJECTS = ["GLACY+", "CyberSouth"]
STORED = [f"stor{n:02}" for n in range(4)]

line = st.tuples(
    st.sampled_from(["", "", "", *STORED, "newa01", "newa02"]),
    st.sampled_from(PROJECTS),
    st.sampled_from(TITLES),
    st.sampled_from(DATES),
    st.sampled_from(PLACES),
).map(",".join)


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stored=st.lists(line, min_size=0, max_size=4),
    incoming=st.lists(line, min_size=1, max_size=12),
    add_ambiguous=st.booleans(),
)
def test_any_input_in_chunks_of_three_as_in_one(
    tmp_path_factory: pytest.TempPathFactory,
    stored: list[str],
    incoming: list[str],
    add_ambiguous: bool,
) -> None:
    tmp = tmp_path_factory.mktemp("diff")
    seed = "".join(
        f"stor{n:02},{row.split(',', 1)[1]}\n" for n, row in enumerate(stored)
    )  # stored rows under the ids stor00, stor01...
    source = write(tmp / "in.csv", HEADER + "".join(f"{row}\n" for row in incoming))
    results = []
    for chunk in (3, 10_000):
        db = seeded(tmp, f"c{chunk}", seed)
        outcome = run(db, source, chunk=chunk, add_ambiguous=add_ambiguous, keep_all=True)
        json = outcome.to_json()
        json.pop("store")
        records, history = contents(db)
        results.append((json, outcome.summary(), records, [h[1:] for h in history[:1]]))
    assert results[0] == results[1]


def test_on_the_server_chunks_of_three_write_as_one(pg_server: Any) -> None:
    # The PostgreSQL store writes each part inside the one transaction too: the same plan,
    # activities and history entry (its edits numbered on across the parts) as one chunk.
    import time

    from tests.backends import fill

    results = []
    for chunk in (3, 10_000):
        url = pg_server.create_database(f"chunks{chunk}x{time.monotonic_ns()}")
        fill(url)
        with open_store(url) as store:
            outcome = import_into(
                store, open_source(str(NEXT)), chunk=chunk, mark_missing=Status.CANCELLED,
                keep_all=True, skip_bad=True,
            )  # fmt: skip
            records = sorted((to_record(a) for a in store.select()), key=lambda r: r["id"])
            [change, _setup] = store.history()
            edits = [(e.id, e.before, e.after) for e in change.edits]
        json = outcome.to_json()
        json.pop("store")
        results.append((json, outcome.summary(), records, edits))
    assert results[0] == results[1]
    assert results[0][1].startswith("added 3, updated 56, unchanged 0, ambiguous 1")
    assert len(results[0][3]) == 3 + 56 + 2  # the additions, updates and the two marked


def test_an_import_asks_the_store_which_new_ids_it_holds_once_a_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Into a server store a question is a round trip: asking whether each new line's id is
    # free one line at a time cost a PostgreSQL import of 100k a third of its time.
    rows = "".join(
        f',GLACY+,Workshop {n},{n % 28 + 1} May 2020,"Accra, Ghana"\n' for n in range(40)
    )
    source = write(tmp_path / "new.csv", HEADER + rows)
    # The id the third line is given in an empty store, held in this one by another
    # activity: the line must be given another.
    assert not run(tmp_path / "scratch.db", source, chunk=20).failed
    with open_store(str(tmp_path / "scratch.db")) as scratch:
        wanted = next(a.id for a in scratch.select() if a.title == "Workshop 3")
    db = seeded(tmp_path, "held", f'{wanted},CyberSouth,Held one,1 March 2020,"Rabat, Morocco"\n')
    asked: list[int] = []
    original = SqliteStore.by_ids

    def by_ids(self: SqliteStore, ids: Any) -> Any:
        asked.append(len(ids))
        return original(self, ids)

    monkeypatch.setattr(SqliteStore, "by_ids", by_ids)
    assert not run(db, source, chunk=20).failed
    assert len(asked) <= 10, asked  # a few a chunk of 20 and the clash's, not one a line
    with open_store(str(db)) as store:
        ids = {a.title: a.id for a in store.select()}
    assert ids["Held one"] == wanted  # the id the store held stays its own
    assert ids["Workshop 3"] != wanted  # and the new line is given another
    assert len(ids) == 1 + 40
