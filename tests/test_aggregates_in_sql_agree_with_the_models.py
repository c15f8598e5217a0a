"""What ``projects``, ``projects show``, ``clashes`` and ``report`` ask the store
(``Store.tally``, ``counts``, ``keys``, ``per_month``, ``period_counts``: SQL on the CSV
store's cache, the SQLite store and PostgreSQL) equals the same answer computed from the
models, for any criteria, on the bundled store and a generated one, on every backend."""

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
from inventory.records import from_row
from inventory.report import build_report, report_for
from inventory.store import Store, cacheschema, open_store
from tests.backends import need_postgres
from tests.helpers import BUNDLED_STORE, load
from tests.test_query import PROJECTS, criteria, days


@pytest.fixture(scope="module", autouse=True)
def _spans_kept_from_the_first() -> Iterator[None]:
    """The CSV store's cache keeps project_span from the first activity here (a big
    store's from cacheschema.SPANS_FROM), so its answers from it are compared too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cacheschema, "SPANS_FROM", 1)
        yield


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


@st.composite
def reported(draw: st.DrawFn) -> tuple[Criteria, Period]:
    """What a report is asked: any criteria, or only projects (most of the store), and a
    period from a day to two years."""
    if draw(st.booleans()):
        where = draw(criteria()).but(period=None)
    else:
        where = Criteria(projects=tuple(draw(st.lists(st.sampled_from(PROJECTS), max_size=3))))
    first = draw(days)
    return where, (first, first + timedelta(days=draw(st.integers(0, 730))))


def _same_report(stores: dict[str, Store], where: Criteria, period: Period) -> None:
    chosen = select_from(stores["json"].select(), where.but(period=period))
    expected = build_report(chosen, period, "asked", only=where.projects)
    for name, store in stores.items():
        counted, none = report_for(store, where, period, "asked", with_activities=False)
        assert none == [], name
        assert counted == expected, name
        assert report_for(store, where, period, "asked")[0] == expected, name


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(asked=reported())
def test_a_report_from_the_store_aggregates_is_the_models_report_on_the_bundled_store(
    bundled: dict[str, Store], asked: tuple[Criteria, Period]
) -> None:
    _same_report(bundled, *asked)


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(asked=reported())
def test_a_report_from_the_store_aggregates_is_the_models_report_on_a_generated_store(
    generated: dict[str, Store], asked: tuple[Criteria, Period]
) -> None:
    _same_report(generated, *asked)


@pytest.mark.slow
def test_a_hand_counted_report_from_the_aggregates_on_every_backend(
    bundled: dict[str, Store],
) -> None:
    # Read off the newsletter (tests/test_report_answers.py checks the same through the
    # command): November 2019 has its 26 lines and the Fiji workshop (30 October -
    # 1 November), which counts in October too; the Ohrid course (21-22 and 28-29 October,
    # two parts) counts once in October.
    quarter = (date(2019, 10, 1), date(2019, 12, 31))
    for name, store in bundled.items():
        report, _ = report_for(store, EVERYTHING, quarter, "Q4 2019", with_activities=False)
        assert report.month_totals["2019-11"] == 27, name
        assert report.matrix["Cybercrime@Octopus"]["2019-11"] == 2, name
        ohrid, _ = report_for(
            store, Criteria(search="ohrid"), quarter, "Q4 2019", with_activities=False
        )
        assert ohrid.month_totals == {"2019-10": 1, "2019-11": 0, "2019-12": 0}, name
        assert (ohrid.total, ohrid.spanning) == (1, 0), name
        fiji, _ = report_for(
            store, Criteria(search="fiji"), quarter, "Q4 2019", with_activities=False
        )
        assert fiji.month_totals == {"2019-10": 1, "2019-11": 1, "2019-12": 0}, name
        assert (fiji.total, fiji.spanning, fiji.countries) == (
            1,
            1,
            {"Cybercrime@Octopus": ["Fiji"]},
        ), name


_IN_PARTS = [
    # Activities in parts across months, which the generated stores do not have; the
    # months each counts in are read off its dates.
    ("2partsxx", "GLACY+; CyberEast", "Course in two parts", "Tbilisi", "GE",
     "Tbilisi, Georgia", "28-30 October and 4-5 November", "2019-10", "held"),
    ("3partsxx", "", "Desk study in parts", "", "UA;MD",
     "Ukraine and Moldova", "30 December and 2-3 January", "2019-12", "planned"),
    ("4partsxx", "GLACY+", "Cancelled in parts", "Rabat", "MA",
     "Rabat, Morocco", "14 and 21 November", "2019-11", "cancelled"),
]  # fmt: skip


@pytest.mark.slow
def test_activities_in_parts_count_in_each_month_their_parts_touch_on_every_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    columns = ("id", "projects", "title", "city", "countries", "location", "dates", "month")
    source = tmp_path / "parts.csv"
    with open_store(str(source), create=True) as store, store.transaction() as batch:
        for *values, status in _IN_PARTS:
            batch.add(from_row({**dict(zip(columns, values, strict=True)), "status": status}))
    stores = _stores(source, tmp_path, _postgres(request, "aggregates_in_parts"))
    quarter = (date(2019, 10, 1), date(2019, 12, 31))
    november = (date(2019, 11, 1), date(2019, 11, 30))
    for name, store in stores.items():
        q4, _ = report_for(store, EVERYTHING, quarter, "Q4 2019", with_activities=False)
        assert q4.matrix == {
            "(no project)": {"2019-10": 0, "2019-11": 0, "2019-12": 1},
            "CyberEast": {"2019-10": 1, "2019-11": 1, "2019-12": 0},
            "GLACY+": {"2019-10": 1, "2019-11": 1, "2019-12": 0},
        }, name
        assert q4.month_totals == {"2019-10": 1, "2019-11": 1, "2019-12": 1}, name
        assert (q4.total, q4.spanning, q4.multi_project) == (2, 1, 1), name
        assert [a.id for a in q4.cancelled] == ["4partsxx"], name
        assert q4.countries["(no project)"] == ["Moldova", "Ukraine"], name
        glacy, _ = report_for(
            store, Criteria(projects=("GLACY+",)), november, "November", with_activities=False
        )
        assert glacy.matrix == {"GLACY+": {"2019-11": 1}}, name
        assert (glacy.total, glacy.spanning, glacy.shared_with) == (1, 0, {"CyberEast": 1}), name
        for where, period in ((EVERYTHING, quarter), (Criteria(projects=("GLACY+",)), november)):
            _same_report(stores, where, period)
    for store in stores.values():
        store.close()
