"""What ``projects``, ``projects show`` and ``clashes`` ask the store (``Store.tally``,
``counts``, ``keys``, ``per_month``: SQL on the CSV store's cache, the SQLite store and
PostgreSQL) equals the same answer computed from the models, for any criteria, on the
bundled store and a generated one, on every backend."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from bench.generate import write as generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.aggregates import BY, counts_models, per_month_models, tally_models
from inventory.clashes import _Corpus, store_corpus
from inventory.model import Activity
from inventory.months import Period
from inventory.project_summary import summarise_one, summarise_project, summarise_store
from inventory.query import EVERYTHING, Criteria, select_from
from inventory.store import Store, open_store
from tests.backends import need_postgres
from tests.helpers import BUNDLED_STORE, load
from tests.test_query import PROJECTS, criteria, days


def _stores(source: Path, folder: Path, postgres: str | None) -> dict[str, Store]:
    """The same activities in each backend."""
    activities = load(source).activities
    csv_path = folder / "s.csv"
    shutil.copy(source, csv_path)
    if (source.parent / "projects.csv").exists():
        shutil.copy(source.parent / "projects.csv", folder / "projects.csv")
    stores: dict[str, Store] = {"csv": open_store(str(csv_path))}
    targets = {"json": str(folder / "s.json"), "sqlite": str(folder / "s.db")}
    if postgres is not None:
        targets["postgresql"] = postgres
    for name, target in targets.items():
        store = open_store(target, create=True)
        with store.transaction() as batch:
            for activity in activities:
                batch.add(activity)
        stores[name] = store
    return stores


def _postgres(request: pytest.FixtureRequest, name: str) -> str:
    need_postgres()
    server = request.getfixturevalue("pg_server")
    return str(server.create_database(name))


@pytest.fixture(scope="module")
def bundled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Store]]:
    url = _postgres(request, "aggregates_bundled")
    stores = _stores(BUNDLED_STORE, tmp_path_factory.mktemp("bundled"), url)
    yield stores
    for store in stores.values():
        store.close()


@pytest.fixture(scope="module")
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Store]]:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder / "g.csv", 1500, seed=7)
    stores = _stores(folder / "g.csv", folder, _postgres(request, "aggregates_generated"))
    yield stores
    for store in stores.values():
        store.close()


@st.composite
def windows(draw: st.DrawFn) -> dict[str, Period]:
    out: dict[str, Period] = {}
    for name in draw(st.lists(st.sampled_from(PROJECTS), max_size=3, unique=True)):
        first = draw(days)
        out[name] = (first, first + timedelta(days=draw(st.integers(0, 2000))))
    return out


def _agree(stores: dict[str, Store], where: Criteria, within: dict[str, Period]) -> None:
    everything: list[Activity] = stores["json"].select()
    chosen = select_from(everything, where)
    for name, store in stores.items():
        for by in BY:
            assert store.tally(where, by, within) == tally_models(chosen, by, within), (name, by)
            assert store.counts(where, by) == counts_models(chosen, by), (name, by)
            assert store.keys(where, by) == set(counts_models(chosen, by)), (name, by)
        assert store.per_month(where) == per_month_models(chosen), name


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=criteria(), within=windows())
def test_aggregates_agree_with_the_models_on_the_bundled_store(
    bundled: dict[str, Store], where: Criteria, within: dict[str, Period]
) -> None:
    _agree(bundled, where, within)


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=criteria(), within=windows())
def test_aggregates_agree_with_the_models_on_a_generated_store(
    generated: dict[str, Store], where: Criteria, within: dict[str, Period]
) -> None:
    _agree(generated, where, within)


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=criteria(), first=days, length=st.integers(0, 3000))
def test_outside_a_window_selects_what_the_models_say_on_every_backend(
    generated: dict[str, Store], where: Criteria, first: date, length: int
) -> None:
    asked = where.but(outside=(first, first + timedelta(days=length)))
    expected = [a.id for a in select_from(generated["json"].select(), asked)]
    assert expected == [
        a.id
        for a in generated["json"].select()
        if where.matches(a) and (a.start < first or a.end > first + timedelta(days=length))
    ]
    for name, store in generated.items():
        assert [a.id for a in store.select(asked)] == expected, name
        assert store.count(asked) == len(expected), name


@pytest.mark.slow
def test_hand_counted_aggregates_on_every_backend(bundled: dict[str, Store]) -> None:
    # Counted by hand in the newsletter's tables (tests/test_query.py counts the same).
    glacy = Criteria(projects=("GLACY+",))
    for name, store in bundled.items():
        assert store.per_month(glacy)["2019-11"] == 11, name
        assert store.counts(EVERYTHING, "country")["MA"] == 7, name
        assert store.counts(EVERYTHING, "city")["strasbourg"] == 14, name
        # The Ohrid course (21-22 and 28-29 October) counts once in October, not twice.
        ohrid = Criteria(search="ohrid")
        assert store.per_month(ohrid) == {"2019-10": 1}, name


@pytest.mark.slow
@pytest.mark.parametrize("which", ["bundled", "generated"])
def test_project_summaries_from_the_store_are_those_of_the_models(
    request: pytest.FixtureRequest, which: str
) -> None:
    stores: dict[str, Store] = request.getfixturevalue(which)
    everything = stores["json"].select()
    for name, store in stores.items():
        registry = store.registry
        expected = [summarise_one(p, everything, registry) for p in registry.projects]
        overview = summarise_store(store, registry, detail=True)
        brief = summarise_store(store, registry)
        for want, got, short in zip(expected, overview.summaries, brief.summaries, strict=True):
            assert got == want, (name, want.project.name)
            assert (short.count, short.reached, short.outside_count) == (
                want.count,
                want.reached,
                want.outside_count,
            ), (name, want.project.name)
            assert summarise_project(store, registry, want.project) == want, name
        ids = {a.id for a in everything if any(registry.find(p) for p in a.projects)}
        assert overview.total == len(ids), name
        unknown = sorted({p for a in everything for p in a.projects if not registry.find(p)})
        assert sorted(overview.unknown) == unknown, name


@pytest.mark.slow
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shown=st.integers(1, 40))
def test_a_project_shown_in_part_is_the_models_first_outliers_and_their_whole_count(
    generated: dict[str, Store], shown: int
) -> None:
    everything = generated["json"].select()
    for name, store in generated.items():
        registry = store.registry
        for project in registry.projects:
            whole = summarise_one(project, everything, registry)
            part = summarise_project(store, registry, project, shown=shown)
            assert part.outside == whole.outside[:shown], (name, project.name)
            assert part.outside_count == whole.outside_count == len(whole.outside), name
            assert (part.count, part.reached, part.months) == (
                whole.count,
                whole.reached,
                whole.months,
            ), (name, project.name)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["bundled", "generated"])
def test_the_clashes_corpus_from_the_store_is_that_of_the_models(
    request: pytest.FixtureRequest, which: str
) -> None:
    stores: dict[str, Store] = request.getfixturevalue(which)
    expected = _Corpus.of(stores["json"].select())
    for name, store in stores.items():
        got = store_corpus(store)
        assert (got.size, got.idf, got.cities, got.countries) == (
            expected.size,
            expected.idf,
            expected.cities,
            expected.countries,
        ), name
