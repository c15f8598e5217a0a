"""The counts ``clashes`` weighs evidence with (``Store.corpus_counts``: kept by the CSV
store's cache as rows come and go, counted in SQL by the SQLite and PostgreSQL stores)
equal those of the store's models (``titlewords.corpus_counts``), on every backend, after
every kind of write and after a hand edit of the CSV; and a corpus made from them scores
as one made from the models."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from bench.generate import write as generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.clashes import _Corpus
from inventory.model import Country, Place
from inventory.store import Store, open_store
from inventory.titlewords import CorpusCounts, corpus_counts, title_words
from tests.helpers import BUNDLED_STORE, made, run


def _of_models(store: Store) -> CorpusCounts:
    return corpus_counts(store.select().activities)


def _agree(target: str | Path) -> CorpusCounts:
    with open_store(str(target)) as store:
        kept, expected = store.corpus_counts(), _of_models(store)
    assert kept == expected
    return kept


def _fresh(path: Path, folder: Path) -> CorpusCounts:
    """The counts of a cache built afresh from the file as it is now."""
    folder.mkdir()
    copy = folder / path.name
    shutil.copy(path, copy)
    return _agree(copy)


def test_the_counts_of_two_activities_are_those_counted_by_hand() -> None:
    # The stemmer strips one ending ("trainings" is "training"); "of", "the" and "for" are
    # stop words; digits are not words; a city is folded; without a city, none counts.
    activities = [
        made(
            "aaaaaaaa",
            "Training of the Judges 2019",
            "3 May",
            city="Accra",
            country=("GH", "Ghana"),
        ),
        made("bbbbbbbb", "Trainings for judges", "4 May", country=("GH", "Ghana")),
    ]
    assert title_words("Training of the Judges 2019") == {"train", "judge"}
    assert corpus_counts(activities) == CorpusCounts(
        2, {"train": 1, "training": 1, "judge": 2}, {"accra": 1}, {"GH": 2}
    )


def test_every_backend_keeps_the_counts_of_its_models_through_add_edit_cancel_and_remove(
    backend_store: str,
) -> None:
    before = _agree(backend_store)
    assert before.size == 132
    added = run(
        "add", "-p", "GLACY+", "-t", "Séminaire régional sur la cybercriminalité: judges",
        "-d", "3-5 May 2020", "-l", "Strasbourg, France", "--json", store=backend_store,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    after_add = _agree(backend_store)
    assert after_add.size == 133
    assert after_add.words["judge"] == before.words.get("judge", 0) + 1
    assert after_add.cities["strasbourg"] == before.cities.get("strasbourg", 0) + 1
    ident = added.stdout.split('"id": "')[1][:8]
    edited = run("edit", ident, "-t", "Workshop for prosecutors", "-l", "Accra, Ghana",
                 store=backend_store)  # fmt: skip
    assert edited.exit_code == 0, edited.stderr
    after_edit = _agree(backend_store)
    assert after_edit.words.get("judge", 0) == before.words.get("judge", 0)
    assert after_edit.cities.get("strasbourg", 0) == before.cities.get("strasbourg", 0)
    assert after_edit.countries["GH"] == before.countries.get("GH", 0) + 1
    cancelled = run("cancel", ident, "--force", store=backend_store)
    assert cancelled.exit_code == 0, cancelled.stderr
    assert _agree(backend_store) == after_edit  # a cancelled activity still counts
    removed = run("remove", ident, "--yes", store=backend_store)
    assert removed.exit_code == 0, removed.stderr
    assert _agree(backend_store) == before


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_hand_edit_of_the_csv_is_counted_as_a_cache_built_afresh_counts_it(
    tmp_path: Path,
) -> None:
    store = tmp_path / "s" / "activities.csv"
    store.parent.mkdir()
    shutil.copy(BUNDLED_STORE, store)
    before = _agree(store)
    header, rows = _rows(store)
    title, city = header.index("title"), header.index("city")
    rows[0][title] = "Judges and prosecutors: a séminaire"
    rows[1][city] = "Strasbourg"
    del rows[2]
    rows.append(list(rows[3]))  # the same id twice: the first row keeps it
    rows[-1][title] = "Duplicate row"
    _write(store, header, rows)
    kept = _agree(store)
    assert kept == _fresh(store, tmp_path / "fresh")
    assert kept.size == before.size - 1
    assert kept.words["prosecutor"] >= 1


_WRITES = st.lists(
    st.tuples(st.sampled_from(["add", "retitle", "move", "remove", "hand"]), st.integers(0, 10**6)),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), count=st.integers(1, 40), writes=_WRITES)
def test_a_generated_csv_store_keeps_the_counts_of_its_models_through_any_writes(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    count: int,
    writes: list[tuple[str, int]],
) -> None:
    folder = tmp_path_factory.mktemp("generated")
    path = folder / "g.csv"
    generate(path, count, seed=seed)
    other = folder / "other" / "o.csv"
    generate(other, 40, seed=seed + 1)
    with open_store(str(other)) as source:
        spare = source.select().activities
    _agree(path)
    for step, (write, pick) in enumerate(writes):
        with open_store(str(path)) as store:
            mine = store.select().activities
            if write == "hand":
                header, rows = _rows(path)
                if rows:
                    rows[pick % len(rows)][header.index("title")] = spare[pick % 40].title
                    del rows[(pick // 7) % len(rows)]
                _write(path, header, rows)
            elif write == "add" or not mine:
                new = spare[pick % 40].model_copy(update={"id": f"zz{step:06d}"})
                with store.transaction() as batch:
                    batch.add(new)
            else:
                target, donor = mine[pick % len(mine)], spare[pick % 40]
                with store.transaction() as batch:
                    if write == "remove":
                        batch.remove(target.id)
                    elif write == "retitle":
                        batch.update(target.model_copy(update={"title": donor.title}))
                    else:
                        place = donor.place or Place(
                            city="Bern", countries=(Country(code="CH", name="Switzerland"),),
                            text="Bern, Switzerland",
                        )  # fmt: skip
                        batch.update(target.model_copy(update={"place": place}))
        kept = _agree(path)
        assert kept == _fresh(path, folder / f"fresh{step}")


@pytest.mark.parametrize("source", ["bundled", "generated"])
def test_a_corpus_made_from_the_counts_weighs_as_one_made_from_the_models(
    tmp_path: Path, source: str
) -> None:
    path = tmp_path / "s.csv"
    if source == "bundled":
        shutil.copy(BUNDLED_STORE, path)
    else:
        generate(path, 2000, seed=11)
    with open_store(str(path)) as store:
        activities = store.select().activities
        kept = _Corpus.counted(store.corpus_counts())
    expected = _Corpus.of(activities)
    assert (kept.size, kept.idf, kept.cities, kept.countries) == (
        expected.size,
        expected.idf,
        expected.cities,
        expected.countries,
    )


def test_a_sqlite_store_counts_once_per_change_and_again_after_the_next(tmp_path: Path) -> None:
    target = tmp_path / "s.db"
    with open_store(str(target), create=True) as store, store.transaction() as batch:
        batch.add(made("aaaaaaaa", "Training of judges", "3 May", city="Accra"))
    with open_store(str(target)) as store:
        assert store.corpus_counts().words == {"train": 1, "judge": 1}
        # What it kept is what it answers until the next change: planted, it shows.
        connection = store.connection  # type: ignore[attr-defined]
        kept = json.loads(
            connection.execute("SELECT value FROM meta WHERE key = 'corpus'").fetchone()[0]
        )
        kept[2] = {"planted": 7}
        connection.execute("UPDATE meta SET value = ? WHERE key = 'corpus'", (json.dumps(kept),))
        assert store.corpus_counts().words == {"planted": 7}
        with store.transaction() as batch:
            batch.add(made("bbbbbbbb", "Workshop for judges", "4 May"))
        assert store.corpus_counts().words == {"train": 1, "judge": 2, "workshop": 1}
