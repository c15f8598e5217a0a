"""One Criteria, two engines: ``Criteria.matches`` (memory: the JSON store) and
``Criteria.to_sql`` (the SQLite store and the CSV store's cache) must select the same
activities in the same order, for any criteria, on the bundled store and a generated one."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from bench.generate import write as generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.model import Activity
from inventory.query import Criteria, select_from, upcoming_criteria
from inventory.store import Store, open_store
from inventory.vocab import Certainty, Status
from tests.helpers import BUNDLED_STORE, load


def _stores(source: Path, folder: Path) -> dict[str, Store]:
    """The same activities in each backend."""
    activities = load(source).activities
    csv_path = folder / "s.csv"
    shutil.copy(source, csv_path)
    stores: dict[str, Store] = {"csv": open_store(str(csv_path))}
    for name in ("s.json", "s.db"):
        store = open_store(str(folder / name), create=True)
        with store.transaction() as batch:
            for activity in activities:
                batch.add(activity)
        stores[name.split(".")[1].replace("db", "sqlite")] = store
    return stores


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    return _stores(BUNDLED_STORE, tmp_path_factory.mktemp("bundled"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder / "g.csv", 3000, seed=11)
    return _stores(folder / "g.csv", folder)


PROJECTS = ["GLACY+", "CyberEast", "CyberSouth", "iPROCEEDS", "T-CY", "EndOCSEA@Europe"]
COUNTRIES = ["MA", "UA", "GE", "FR", "NL", "GH", "XK", "PT"]
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def criteria(draw: st.DrawFn) -> Criteria:
    period = None
    if draw(st.booleans()):
        first = draw(days)
        period = (first, first + timedelta(days=draw(st.integers(0, 120))))
    return Criteria(
        projects=tuple(draw(st.lists(st.sampled_from(PROJECTS), max_size=2, unique=True))),
        period=period,
        countries=tuple(draw(st.lists(st.sampled_from(COUNTRIES), max_size=2, unique=True))),
        city=draw(st.sampled_from([None, None, None, "Strasbourg", "strasbourg", "Kyiv"])),
        search=draw(st.sampled_from([None, None, "training", "MOROCCO", "cybersécurité", "ü"])),
        certainty=tuple(draw(st.lists(st.sampled_from(list(Certainty)), max_size=2, unique=True))),
        deadlines=draw(st.sampled_from([None, None, True, False])),
        status=tuple(draw(st.lists(st.sampled_from(list(Status)), max_size=2, unique=True))),
        not_over_on=draw(st.one_of(st.none(), days)),
        starting_by=draw(st.one_of(st.none(), days)),
    )


def _ids(found: list[Activity]) -> list[str]:
    return [a.id for a in found]


def _agree(stores: dict[str, Store], where: Criteria, limit: int | None = None) -> list[str]:
    everything = stores["json"].select()
    expected = _ids(select_from(everything, where, limit))
    for name, store in stores.items():
        assert _ids(store.select(where, limit)) == expected, name
        assert store.count(where) == len(select_from(everything, where)), name
    return expected


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=criteria(), limit=st.one_of(st.none(), st.integers(0, 5)))
def test_memory_and_sql_agree_on_the_bundled_store(
    bundled: dict[str, Store], where: Criteria, limit: int | None
) -> None:
    _agree(bundled, where, limit)


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=criteria())
def test_memory_and_sql_agree_on_a_generated_store(
    generated: dict[str, Store], where: Criteria
) -> None:
    _agree(generated, where)


@pytest.mark.parametrize(
    ("where", "count"),
    [
        # Counted by hand in the newsletter's tables (tests/fixtures/newsletter-2019-q4.txt).
        (Criteria(projects=("GLACY+",), period=(date(2019, 11, 1), date(2019, 11, 30))), 11),
        # The Ohrid course (21-22 and 28-29 October) is not running on 24-27 October.
        (Criteria(period=(date(2019, 10, 24), date(2019, 10, 27))), 7),
        (Criteria(countries=("MA",)), 7),
        (Criteria(city="STRASBOURG"), 14),
        (Criteria(certainty=(Certainty.UNSCHEDULED,)), 18),
        (Criteria(deadlines=True), 5),
        # 16 March 2020: Philippines 16-17, T-CY Bureau (AM), Drafting Group (PM) and the nine
        # March "dates TBD", which may fall on any day of the month.
        (Criteria(period=(date(2020, 3, 16), date(2020, 3, 16))), 12),
    ],
)
def test_hand_counted_answers_on_every_backend(
    bundled: dict[str, Store], where: Criteria, count: int
) -> None:
    assert len(_agree(bundled, where)) == count


def test_upcoming_keeps_ongoing_unscheduled_and_deadlines(bundled: dict[str, Store]) -> None:
    # On 20 March 2020, starting by that day: the Drafting Group (16 (PM) - 20 (AM) March)
    # still running, the Mid-Term Assessment and the Beirut event of 20 March, and the nine
    # March "dates TBD", which stay until the month ends. Armenia (30 March) starts later.
    where = upcoming_criteria(Criteria(), date(2020, 3, 20), until=date(2020, 3, 20))
    found = _agree(bundled, where)
    titles = {a.title for a in bundled["json"].by_ids(found).values()}
    assert "Protocol Drafting Group Meeting" in titles
    assert (
        "Advisory mission on CERT capacities, digital forensics lab and public-private "
        "cooperation" not in titles
    )  # 16-17 March: over
    assert len(found) == 12


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=criteria(), limit=st.one_of(st.none(), st.integers(0, 5)))
def test_the_records_a_store_keeps_are_those_its_models_give(
    bundled: dict[str, Store], where: Criteria, limit: int | None
) -> None:
    import json

    from inventory.records import to_record

    for name in ("csv", "sqlite"):
        store = bundled[name]
        kept = store.select(where, limit).records
        made = [
            json.dumps(to_record(a), ensure_ascii=False)
            for a in store.select(where, limit).activities
        ]
        assert kept == made, name


def test_a_sqlite_store_answers_to_the_names_of_the_registry_beside_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from inventory.cli import app
    from inventory.projects import builtin_text

    def run(*args: str, store: Path) -> Any:
        return CliRunner().invoke(app, [*args, "--store", str(store)])

    store = _stores(BUNDLED_STORE, tmp_path)["sqlite"]
    assert store.project_lookup() is not None
    glacy = run("list", "--project", "GLACY+", "--json", store=tmp_path / "s.db")
    assert run("list", "--project", "Global Action", store=tmp_path / "s.db").exit_code == 2
    # A registry beside the database gives GLACY+ a new alias: seen at once.
    registry = builtin_text().replace("GLACY+,", "GLACY+,Global Action;", 1)
    (tmp_path / "projects.csv").write_text(registry, encoding="utf-8")
    alias = run("list", "--project", "Global Action", "--json", store=tmp_path / "s.db")
    assert alias.exit_code == 0, alias.stderr
    assert alias.stdout == glacy.stdout and len(glacy.stdout) > 1000
