"""``timeline`` draws each activity from the record the store keeps (``planning.Plotted``), not
from a model: the chart and its JSON are those the models give, for any period, grouping
and filter, on the bundled store and a generated one, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from bench.generate import write as generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.dates import render_schedule
from inventory.planning import (
    Plotted,
    Timeline,
    build_timeline,
    plotted_taking_place,
    row_cells,
    schedule_words,
    taking_place,
)
from inventory.query import Criteria, select_from
from inventory.records import to_record
from inventory.store import Store
from inventory.views.console import render_text
from inventory.views.planning import TimelineView, plain_chart, short_dates
from tests.helpers import BUNDLED_STORE
from tests.test_aggregates_in_sql_agree_with_the_models import _postgres, _stores
from tests.test_query import COUNTRIES, PROJECTS, days


@pytest.fixture(scope="module")
def bundled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Store]]:
    url = _postgres(request, "timeline_bundled")
    stores = _stores(BUNDLED_STORE, tmp_path_factory.mktemp("bundled"), url)
    yield stores
    for store in stores.values():
        store.close()


@pytest.fixture(scope="module")
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Store]]:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder / "g.csv", 1200, seed=11)
    stores = _stores(folder / "g.csv", folder, _postgres(request, "timeline_generated"))
    yield stores
    for store in stores.values():
        store.close()


def _drawings(timeline: Timeline[Any]) -> list[str]:
    """The chart piped, fitted to a narrow and a wide terminal, and in colour."""
    return [
        render_text(TimelineView(timeline, ascii=True), width=None),
        render_text(TimelineView(timeline, ascii=True), width=72),
        render_text(TimelineView(timeline), width=160, terminal=True),
    ]


def _agree(
    stores: dict[str, Store], first: date, length: int, by: str, only: tuple[str, ...]
) -> None:
    period = (first, first + timedelta(days=length))
    asked = Criteria(period=period)
    models = taking_place(select_from(stores["json"].select(), asked))
    want = build_timeline(models, period, "the period", by, only)
    drawn = _drawings(want)
    for name, store in stores.items():
        got = build_timeline(
            plotted_taking_place(store.select(asked).rows), period, "the period", by, only
        )
        assert got.to_json() == want.to_json(), name
        assert _drawings(got) == drawn, name
    if want.activities:
        # Piped, the chart is written as text, not through Rich: the same text Rich draws.
        lines = plain_chart(want)
        assert lines is not None
        assert "".join(f"{line}\n" for line in lines) == drawn[0]
        # Fitted to COLUMNS, too; a line wider than them (a long first line at 72) is left
        # to Rich, which wraps it.
        lines = plain_chart(want, 72)
        if lines is not None:
            assert "".join(f"{line}\n" for line in lines) == drawn[1]
        lines = plain_chart(want, 120)
        assert lines is not None
        wide = render_text(TimelineView(want, ascii=True), width=120)
        assert "".join(f"{line}\n" for line in lines) == wide


@st.composite
def groupings(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
    by = draw(st.sampled_from(["project", "country"]))
    pool = PROJECTS if by == "project" else COUNTRIES
    return by, tuple(draw(st.lists(st.sampled_from(pool), max_size=2, unique=True)))


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=days, length=st.integers(0, 120), grouping=groupings())
def test_a_timeline_from_the_records_is_the_models_on_the_bundled_store(
    bundled: dict[str, Store], first: date, length: int, grouping: tuple[str, tuple[str, ...]]
) -> None:
    _agree(bundled, first, length, *grouping)


@pytest.mark.slow
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=days, length=st.integers(0, 400), grouping=groupings())
def test_a_timeline_from_the_records_is_the_models_on_a_generated_store(
    generated: dict[str, Store], first: date, length: int, grouping: tuple[str, tuple[str, ...]]
) -> None:
    _agree(generated, first, length, *grouping)


def test_the_quarter_of_the_newsletter_from_the_records_is_that_of_the_models(
    bundled: dict[str, Store],
) -> None:
    # Q4 2019, the newsletter's own quarter, grouped as the command does by default.
    _agree(bundled, date(2019, 10, 1), 91, "project", ())


@pytest.mark.parametrize("which", ["bundled", "generated"])
def test_an_activity_read_from_its_record_draws_as_its_model(
    request: pytest.FixtureRequest, which: str
) -> None:
    everything = request.getfixturevalue(which)["json"].select()
    assert everything
    for activity in everything:
        drawn = Plotted.read(to_record(activity))
        assert drawn.sort_key() == activity.sort_key(), activity.id
        assert short_dates(drawn) == short_dates(activity), activity.id
        assert schedule_words(drawn.schedule) == render_schedule(activity.schedule)
        month = (activity.start.replace(day=1), activity.end + timedelta(days=40))
        for per_column in (1, 7):
            assert row_cells(drawn, month, per_column) == row_cells(activity, month, per_column)
        assert (drawn.place.label if drawn.place else "") == (
            activity.place.label if activity.place else ""
        )
