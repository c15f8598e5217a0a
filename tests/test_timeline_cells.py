"""A timeline's bar visits only the days it draws: each cell is still what the activity does
on that day (or the strongest of a column's days), as the day-by-day definition below, the
one the chart used before, says; on generated activities and the bundled ones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.model import Activity, Certainty, HalfDay, Precision
from inventory.months import month_bounds
from inventory.planning import _STRENGTH, Cell, columns, day_cells, row_cells
from tests.helpers import BUNDLED_STORE, load


def reference(activity: Activity, day: date) -> Cell:
    """Every day of every segment marked, half days over them, then the gaps."""
    schedule = activity.schedule
    if schedule.precision is Precision.MONTH:
        first, last = month_bounds(schedule.month)
        return Cell.UNKNOWN if first <= day <= last else Cell.NONE
    marks: dict[date, Cell] = {}
    full = Cell.TENTATIVE if schedule.certainty is Certainty.TENTATIVE else Cell.CONFIRMED
    if schedule.deadline:
        full = Cell.DEADLINE
    for seg in schedule.segments:
        for n in range((seg.end - seg.start).days + 1):
            marks[seg.start + timedelta(days=n)] = full
        if full is Cell.CONFIRMED:
            if seg.start_half is HalfDay.PM:
                marks[seg.start] = Cell.PM
            elif seg.start_half is HalfDay.AM and seg.start == seg.end:
                marks[seg.start] = Cell.AM
            if seg.end_half is HalfDay.AM:
                marks[seg.end] = Cell.AM
    for before, after in zip(schedule.segments, schedule.segments[1:], strict=False):
        for n in range(1, (after.start - before.end).days):
            marks[before.end + timedelta(days=n)] = Cell.GAP
    return marks.get(day, Cell.NONE)


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> list[Activity]:
    # As test_bench_generate imports it: docs/generate.py is another module of that name.
    from bench.generate import write

    path = tmp_path_factory.mktemp("generated") / "g.csv"
    write(path, 1500, seed=5, first_year=2019, last_year=2020)
    activities = load(path).activities + load(BUNDLED_STORE).activities
    # The generated store has every shape: half days, parts, deadlines, dates TBD.
    assert any(len(a.schedule.segments) > 1 for a in activities)
    assert any(a.schedule.segments and a.schedule.segments[0].start_half for a in activities)
    return activities


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    first=st.dates(min_value=date(2019, 1, 1), max_value=date(2020, 12, 31)),
    length=st.integers(0, 200),
    per_column=st.integers(1, 9),
)
def test_a_bar_shows_what_the_activity_does_on_each_day_of_its_columns(
    pool: list[Activity], data: st.DataObject, first: date, length: int, per_column: int
) -> None:
    activity = pool[data.draw(st.integers(0, len(pool) - 1))]
    period = (first, first + timedelta(days=length))
    expected = []
    for column in columns(period, per_column):
        best = max((reference(activity, d) for d in column), key=_STRENGTH.__getitem__)
        if per_column > 1 and best in (Cell.AM, Cell.PM):
            best = Cell.CONFIRMED
        expected.append(best)
    assert row_cells(activity, period, per_column) == expected
    days = [first + timedelta(days=n) for n in range(0, length + 1, 3)]
    assert day_cells(activity, days) == [reference(activity, d) for d in days]


def test_a_bar_of_a_long_activity_costs_the_period_not_the_activity() -> None:
    """A (made-up) activity of twenty years, drawn over a week: the cells of that week."""
    activity = load(BUNDLED_STORE).activities[0]
    schedule = activity.schedule.model_copy(
        update={
            "segments": (
                activity.schedule.segments[0].model_copy(
                    update={"start": date(2001, 1, 1), "end": date(2021, 1, 1)}
                ),
            )
        }
    )
    long = activity.model_copy(update={"schedule": schedule})
    assert row_cells(long, (date(2019, 10, 1), date(2019, 10, 7))) == [Cell.CONFIRMED] * 7
