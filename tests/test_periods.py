"""One rule for periods: whatever way a period is asked for, it selects and counts what
overlaps it. The report's totals are what ``list`` gives for the period, and each month's
column what ``list --month`` gives for that month; on the bundled store (through the
commands) and on generated stores (CSV and JSON, answered by SQL and in memory)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.cli import app
from inventory.dates import render_schedule
from inventory.model import Activity, Schedule, Segment
from inventory.months import Period, month_bounds, months_between
from inventory.projects import load_registry
from inventory.query import Criteria
from inventory.report import build_report
from inventory.store import open_store
from inventory.vocab import Certainty, Precision, Status
from tests.helpers import BUNDLED_STORE, runner

NOT_CANCELLED = ["--status", "planned", "--status", "held", "--status", "postponed"]
PROJECTS = [p.name for p in load_registry().projects]


def cli(*args: str, store: Path = BUNDLED_STORE) -> Any:
    result = runner.invoke(app, [*args, "--json", "--store", str(store)])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- the bundled store, through the commands -------------------------------------------------

PERIODS = [
    ["--quarter", "Q4-2019"],
    ["--quarter", "Q1-2020"],
    ["--year", "2019"],
    ["--year", "2020"],
    ["--month", "2019-10"],
    ["--month", "2019-11"],
    ["--month", "2020-03"],
    ["--from", "2019-10-30", "--to", "2019-11-01"],
    ["--from", "2019-12-01"],
    ["--to", "2019-11-15"],
    [],
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: " ".join(p) or "no period")
def test_report_counts_what_list_lists(period: list[str]) -> None:
    report = cli("report", *period)
    assert report["total"] == len(cli("list", *period, *NOT_CANCELLED))
    for month in report["months"]:
        listed = cli("list", "--month", month, *NOT_CANCELLED)
        # A month of the period, as far as the period reaches into it.
        first, last = month_bounds(month)
        first = max(first, date.fromisoformat(report["period"]["start"]))
        last = min(last, date.fromisoformat(report["period"]["end"]))
        in_part = cli("list", "--from", str(first), "--to", str(last), *NOT_CANCELLED)
        assert report["per_month"][month] == len(in_part)
        if (first, last) == month_bounds(month):
            assert report["per_month"][month] == len(listed)


def test_the_fiji_mission_counts_in_october_and_november() -> None:
    # "Cybercrime@Octopus  Advisory mission on cybercrime legislation, Fiji, 30 October -
    # 1 November", under the October heading: in the October and the November columns of
    # the quarter, as in each month's own report, and once in the quarter's total (72).
    quarter = cli("report", "--quarter", "Q4-2019")
    november = cli("report", "--month", "2019-11")
    assert quarter["per_month"]["2019-11"] == november["total"] == 27
    octopus = quarter["per_project_per_month"]["Cybercrime@Octopus"]
    assert (octopus["2019-10"], octopus["2019-11"]) == (5, 2)
    assert quarter["per_project"]["Cybercrime@Octopus"] == 6
    assert quarter["total"] == 72


def test_open_periods_are_clamped_to_the_store() -> None:
    later = cli("report", "--from", "2020-01-01")
    assert later["months"] == ["2020-01", "2020-02", "2020-03"]
    assert later["period"] == {"label": "from 2020-01-01", "start": "2020-01-01",
                               "end": "2020-03-31"}  # fmt: skip
    earlier = cli("report", "--to", "2019-10-31")
    assert earlier["months"] == ["2019-10"]
    assert earlier["period"]["start"] == "2019-10-01"
    for command in ("calendar", "timeline"):
        drawn = cli(command, "--from", "2020-03-20")
        assert drawn["period"]["end"] == "2020-03-31", command


def test_report_for_one_project_shows_only_it() -> None:
    # D25: GLACY+ in Q4 2019 (14 + 11 + 6 lines); its shared events are CyberEast's,
    # CyberSouth's, EndOCSEA's and iPROCEEDS' too, which the report names, not lists.
    report = cli("report", "--quarter", "Q4-2019", "--project", "GLACY+")
    assert report["per_project"] == {"GLACY+": 31}
    assert list(report["per_project_per_month"]) == ["GLACY+"]
    assert report["shared_with"] == {
        "CyberEast": 4,
        "CyberSouth": 5,
        "EndOCSEA@Europe": 4,
        "iPROCEEDS": 4,
    }
    table = runner.invoke(
        app,
        ["report", "--quarter", "Q4-2019", "--project", "GLACY+", "--store", str(BUNDLED_STORE)],
    ).stdout
    assert "CyberEast  " not in table
    assert "shared with CyberEast (4), CyberSouth (5), EndOCSEA@Europe (4), iPROCEEDS (4)" in table


@pytest.mark.parametrize(
    "month", ["2019-10", "2019-11", "2019-12", "2020-01", "2020-02", "2020-03"]
)
def test_calendar_timeline_and_export_select_the_same(month: str) -> None:
    listed = {a["id"] for a in cli("list", "--month", month, *NOT_CANCELLED)}
    calendar = cli("calendar", "--month", month)
    on_days = {i for day in calendar["days"].values() for i in day["ids"]}
    unknown = {i for ids in calendar["dates_unknown"].values() for i in ids}
    assert on_days | unknown == listed
    timeline = cli("timeline", "--month", month)
    assert {row["id"] for row in timeline["rows"]} == listed
    ics = runner.invoke(app, ["export", "--month", month, "--store", str(BUNDLED_STORE)])
    uids = {line.split(":", 1)[1].split("@")[0].split("-")[0]
            for line in ics.stdout.splitlines() if line.startswith("UID:")}  # fmt: skip
    every = {a["id"] for a in cli("list", "--month", month)}
    dated = {a["id"] for a in cli("list", "--month", month) if a["schedule"]["segments"]}
    assert uids == dated and dated <= every


# --- generated stores: SQL (CSV) and memory (JSON) against the report's own rule ------------

FIRST, LAST = date(2019, 1, 1), date(2021, 6, 30)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    start = draw(st.dates(FIRST, LAST))
    month = f"{start.year:04d}-{start.month:02d}"
    kind = draw(st.sampled_from(["days", "days", "two parts", "dates TBD", "deadline"]))
    if kind == "dates TBD":
        schedule = Schedule(precision=Precision.MONTH, certainty=Certainty.UNSCHEDULED, month=month)
    elif kind == "deadline":
        schedule = Schedule(segments=(Segment(start=start, end=start),), deadline=True, month=month)
    else:
        # Long enough to cross one or two month ends now and then.
        end = start + timedelta(days=draw(st.integers(0, 70)))
        segments = [Segment(start=start, end=end)]
        if kind == "two parts":
            second = end + timedelta(days=draw(st.integers(2, 60)))
            segments.append(
                Segment(start=second, end=second + timedelta(days=draw(st.integers(0, 3))))
            )
        schedule = Schedule(
            segments=tuple(segments),
            certainty=draw(st.sampled_from([Certainty.CONFIRMED, Certainty.TENTATIVE])),
            month=month,
        )
    return schedule.model_copy(update={"text": render_schedule(schedule)})


@st.composite
def activities(draw: st.DrawFn) -> list[Activity]:
    count = draw(st.integers(0, 14))
    out = []
    for n in range(count):
        out.append(
            Activity(
                id=f"gen{n:05d}",
                projects=tuple(
                    draw(st.lists(st.sampled_from(PROJECTS[:4]), max_size=2, unique=True))
                ),
                title=f"Activity {n}",
                schedule=draw(schedules()),
                status=draw(st.sampled_from([Status.PLANNED, Status.PLANNED, Status.CANCELLED])),
            )
        )
    return out


@st.composite
def periods(draw: st.DrawFn) -> Period:
    first = draw(st.dates(FIRST - timedelta(days=40), LAST))
    return first, first + timedelta(days=draw(st.integers(0, 400)))


def _counted(store: Any, criteria: Criteria) -> int:
    return sum(a.status is not Status.CANCELLED for a in store.select(criteria))


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(stored=activities(), period=periods(), suffix=st.sampled_from([".csv", ".json"]))
def test_generated_stores_report_what_they_list(
    tmp_path_factory: pytest.TempPathFactory, stored: list[Activity], period: Period, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("gen") / f"store{suffix}"
    with open_store(str(path), create=True) as store:
        with store.transaction() as batch:
            for activity in stored:
                batch.add(activity)
        where = Criteria(period=period)
        report = build_report(store.select(where), period, "generated")
        assert report.total == _counted(store, where)
        for month in months_between(*period):
            first, last = month_bounds(month)
            part = Criteria(period=(max(first, period[0]), min(last, period[1])))
            assert report.month_totals[month] == _counted(store, part), month
            for project in report.projects:
                if project.startswith("("):
                    continue
                assert report.matrix[project][month] == _counted(
                    store, part.but(projects=(project,))
                ), (project, month)
        for project, total in report.project_totals.items():
            if not project.startswith("("):
                assert total == _counted(store, where.but(projects=(project,))), project


def test_a_month_at_the_edge_counts_only_what_overlaps_its_part(tmp_path: Path) -> None:
    # Found by the property above: 1 March - 1 April and 1 May, in a period from 2 April.
    # April is in the period, and the activity runs in April, but not in the part of April
    # the period covers: April's column must not count it.
    first = Segment(start=date(2019, 3, 1), end=date(2019, 4, 1))
    second = Segment(start=date(2019, 5, 1), end=date(2019, 5, 1))
    schedule = Schedule(segments=(first, second), month="2019-03")
    activity = Activity(
        id="gen00000",
        title="Activity 0",
        schedule=schedule.model_copy(update={"text": render_schedule(schedule)}),
    )
    period = (date(2019, 4, 2), date(2019, 5, 1))
    report = build_report([activity], period, "edge")
    assert report.month_totals == {"2019-04": 0, "2019-05": 1}
    assert report.total == 1
