"""What a store's ``select`` gives (``selection.Selection``), on every backend: the records
as the store holds them, the models made only when asked; ``list`` as a table draws its
cells from the same records ``list --json`` prints, and builds no model."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.dates import parse_schedule
from inventory.formats import Format, Listing, Output, write
from inventory.gazetteer import country_by_code
from inventory.model import Activity, Place, Status
from inventory.query import Criteria
from inventory.records import to_record
from inventory.store import open_store
from inventory.views.listing import record_when, record_where, when, where
from tests.backends import fill
from tests.helpers import run
from tests.test_dates import schedules

Q4_2019 = Criteria(period=(date(2019, 10, 1), date(2019, 12, 31)))


def _table(activities: Any, width: int | None = None) -> str:
    out = io.StringIO()
    write(Listing(activities), Format.TABLE, Output(out, width=width, terminal=False))
    return out.getvalue()


def _table_ids(text: str) -> list[str]:
    # Piped, each row is one line: the id, then the dates; the header and its rule first.
    return [line.split()[0] for line in text.splitlines()[2:]]


def test_the_table_and_the_json_of_one_quarter_list_the_same_ids_in_the_same_order(
    backend_store: str,
) -> None:
    table = run("list", "--quarter", "Q4-2019", store=backend_store)
    as_json = run("list", "--quarter", "Q4-2019", "--json", store=backend_store)
    assert table.exit_code == as_json.exit_code == 0, table.stderr + as_json.stderr
    ids = [record["id"] for record in json.loads(as_json.stdout)]
    assert _table_ids(table.stdout) == ids
    # The bundled store's 72 activities of October to December 2019; on the 1st of October
    # "Assessment mission..." sorts before "Cybercrime reporting...", then 1-3 October.
    assert len(ids) == 72
    assert ids[:3] == ["agds86yn", "s0x6ftjt", "3df4sdd9"]


def test_a_selection_gives_the_same_activities_as_records_rows_and_models(
    backend_store: str,
) -> None:
    with open_store(backend_store) as store:
        found = store.select(Q4_2019)
        assert len(found) == 72 and bool(found)
        records = found.records
        rows = found.rows
        models = found.activities
    assert [json.loads(text) for text in records] == rows
    assert rows == [to_record(a) for a in models]
    assert records == [json.dumps(to_record(a), ensure_ascii=False) for a in models]
    assert list(found) == models and found[0] == models[0] and found == models


@pytest.fixture
def model_count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many activities are made into models from now on: validated, or proven (a CSV
    store's cache holds only records the model validated as they came in)."""
    from inventory import records

    made = [0]
    validate, proven = Activity.model_validate, records.proven_record

    def counted(*args: Any, **kwargs: Any) -> Activity:
        made[0] += 1
        return validate(*args, **kwargs)

    def counted_proven(*args: Any, **kwargs: Any) -> Activity:
        made[0] += 1
        return proven(*args, **kwargs)

    monkeypatch.setattr(Activity, "model_validate", counted)
    monkeypatch.setattr(records, "proven_record", counted_proven)
    return made


def test_the_table_json_and_ids_of_a_selection_build_no_model_where_csv_builds_each(
    backend_store: str, model_count: list[int]
) -> None:
    with open_store(backend_store) as store:
        found = store.select(Q4_2019)
        before = model_count[0]  # the JSON store reads its file into models, once
        table = _table(found)
        narrow = _table(found, width=60)
        for fmt in (Format.JSON, Format.NDJSON, Format.IDS):
            write(Listing(found), fmt, Output(io.StringIO()))
        assert model_count[0] == before
        assert not found.built or backend_store.endswith(".json")
        write(Listing(found), Format.CSV, Output(io.StringIO()))
        built = model_count[0] - before
    assert built == (0 if backend_store.endswith(".json") else 72)
    assert table.count("\n") == 72 + 2 and "agds86yn" in table and "agds86yn" in narrow


@pytest.mark.parametrize("width", [None, 60, 100, 200])
def test_a_table_drawn_from_the_records_is_the_table_drawn_from_the_models(
    backend_store: str, width: int | None
) -> None:
    with open_store(backend_store) as store:
        found = store.select()
        models = list(store.select().activities)
    assert len(models) == 132
    assert _table(found, width) == _table(models, width)


def test_an_older_sqlite_store_s_records_are_made_again_in_today_s_shape(tmp_path: Path) -> None:
    path = str(tmp_path / "activities.db")
    fill(path)
    with sqlite3.connect(path) as connection:
        # A record as an older version might have written it: other key order, no edtf.
        (text,) = connection.execute("SELECT record FROM activity WHERE id = 'agds86yn'").fetchone()
        old = json.loads(text)
        old["schedule"].pop("edtf")
        connection.execute(
            "UPDATE activity SET record = ? WHERE id = 'agds86yn'",
            (json.dumps(dict(reversed(old.items()))),),
        )
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'record_format'")
    with open_store(path) as store:
        found = store.select(Criteria(search="Assessment mission of the institutional"))
        [record] = found.records
    assert json.loads(record)["schedule"]["edtf"] == "2019-10-01/2019-10-02"
    assert record.startswith('{"id": "agds86yn", "projects": ["CyberEast"], "title": ')


def test_the_built_store_s_records_are_kept_in_today_s_shape(tmp_path: Path) -> None:
    path = str(tmp_path / "activities.db")
    fill(path)
    with open_store(path) as store:
        found = store.select(Q4_2019)
        records = found.records
        assert not found.built  # copied as kept
    assert records == [json.dumps(to_record(a), ensure_ascii=False) for a in found.activities]


places = st.one_of(
    st.none(),
    st.builds(
        Place,
        city=st.sampled_from([None, "Lyon", "Chisinau"]),
        countries=st.lists(st.sampled_from(["FR", "MD", "GH", "PT"]), max_size=2).map(
            lambda codes: tuple(country_by_code(c) for c in dict.fromkeys(codes))
        ),
        text=st.sampled_from(["", "LYON, FRANCE", "online"]),
    ),
)


@given(
    schedule=schedules(),
    place=places,
    status=st.sampled_from(list(Status)),
    short=st.booleans(),
)
def test_a_record_s_dates_and_place_read_as_its_model_s(
    schedule: Any, place: Place | None, status: Status, short: bool
) -> None:
    activity = Activity(
        id="abcd1234", title="A title", schedule=schedule, place=place, status=status
    )
    record = to_record(activity)
    assert record_when(record, short=short) == when(activity, short=short)
    assert record_where(record) == where(activity)


def test_a_record_s_dates_read_as_the_newsletter_writes_them() -> None:
    record = to_record(run_one("1-2 October 2019"))
    assert record_when(record) == "1-2 October 2019"
    record["status"] = "cancelled"
    assert record_when(record, short=True) == "1-2 Oct 2019 [cancelled]"
    assert record_when(to_record(run_one("30 October - 1 November 2019 (dates TBC)"))) == (
        "30 October - 1 November 2019 (dates TBC)"
    )
    assert record_when(to_record(run_one("dates TBD", "2019-12"))) == "December 2019 (dates TBD)"


def run_one(text: str, month: str | None = None) -> Activity:
    from inventory.dates import parse_schedule

    schedule = parse_schedule(text, context_month=month)
    return Activity(id="abcd1234", title="A title", schedule=schedule)


@pytest.mark.parametrize(
    "criteria",
    [
        Criteria(),
        Q4_2019,
        Criteria(projects=("GLACY+",)),
        Criteria(period=(date(2020, 1, 1), date(2020, 3, 31)), projects=("CyberSouth",)),
    ],
)
def test_the_first_few_selected_are_the_first_few_of_all_in_order(
    backend_store: str, criteria: Criteria
) -> None:
    # A limit bounds the rows sorted by the start index (sql.select's _FIRST_ENDS): the
    # first n must be those of the whole answer, ties and months-only dates included.
    with open_store(backend_store) as store:
        whole = [a.id for a in store.select(criteria)]
        assert whole
        for n in (1, 2, 5, 10, len(whole), len(whole) + 3):
            assert [a.id for a in store.select(criteria, limit=n)] == whole[:n], n


@given(
    dated=st.lists(
        st.tuples(schedules(), st.sampled_from(["GLACY+", "CyberEast"])), min_size=1, max_size=25
    ),
    n=st.integers(min_value=1, max_value=12),
    kind=st.sampled_from(["csv", "db"]),
)
def test_a_limit_keeps_the_sort_of_the_whole_answer_on_any_dates(
    tmp_path_factory: pytest.TempPathFactory, dated: list[Any], n: int, kind: str
) -> None:
    # Month-only dates sort by their last day, half days after whole ones: the bound by
    # first days must never drop one of the first n.
    target = tmp_path_factory.mktemp("limit") / f"store.{kind}"
    with open_store(str(target), create=True) as store, store.transaction() as batch:
        for number, (schedule, project) in enumerate(dated):
            batch.add(
                Activity(
                    id=f"lim{number:05d}",
                    title=f"Workshop {number % 4}",
                    projects=(project,),
                    schedule=schedule,
                )
            )
    with open_store(str(target)) as store:
        for criteria in (Criteria(), Criteria(projects=("GLACY+",))):
            whole = [a.id for a in store.select(criteria)]
            assert [a.id for a in store.select(criteria, limit=n)] == whole[:n]


@pytest.mark.parametrize("kind", ["csv", "db", "json"])
def test_a_month_without_days_that_starts_first_comes_after_a_day_within_it(
    tmp_path: Path, kind: str
) -> None:
    # January without days sorts on 31 January, after 15 and 16 January, though it
    # starts first: the first one or two must be the two days, in the order of the days.
    target = tmp_path / f"store.{kind}"
    dated = {
        "month0001": ("dates TBD", "2020-01"),
        "day00002": ("16 January 2020", None),
        "day00001": ("15 January 2020", None),
        "later001": ("3 February 2020", None),
    }
    with open_store(str(target), create=True) as store, store.transaction() as batch:
        for ident, (text, month) in dated.items():
            schedule = parse_schedule(text, context_month=month)
            batch.add(Activity(id=ident, title=ident, projects=("GLACY+",), schedule=schedule))
    order = ["day00001", "day00002", "month0001", "later001"]  # 15, 16, 31 Jan, 3 Feb
    with open_store(str(target)) as store:
        assert [a.id for a in store.select()] == order
        for n in (1, 2, 3):
            assert [a.id for a in store.select(limit=n)] == order[:n]
