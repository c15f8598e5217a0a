"""Planning views as data (calendar load, timeline rows) on the real store.

Every expected count, id set and pair below was worked out by hand from the lines of
tests/fixtures/newsletter-2019-q4.txt (which activities run on which day, which share a
project or a place), not taken from the program's output. Activities are found by the
start of their title and their month, so a reader can check each against the fixture.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from inventory.aggregates import NO_PROJECT
from inventory.months import parse_month_period, parse_quarter
from inventory.planning import (
    NO_COUNTRY,
    Cell,
    build_calendar,
    build_timeline,
    day_cells,
    row_cells,
)
from inventory.query import Criteria, select_from
from tests.helpers import BUNDLED_STORE, Loaded, find, in_period, load


@pytest.fixture(scope="module")
def store() -> Loaded:
    return load(BUNDLED_STORE)


# --- calendar -----------------------------------------------------------------------------

# November 2019, counted from the fixture: the November lines plus "30 October - 1
# November" (Fiji). 19 November: the T-CY Plenary (18-20), Costa Rica (18-22), Cyber Week
# Moldova (19-20), the EndOCSEA Steering Group, Tirana, Baku. 28 November: Costa Rica
# (25-29), Ankara, and both Morocco listings (28-29). 30 November: the deadline "by 30
# November" only.
NOVEMBER_2019 = {
    1: 1,
    2: 0,
    4: 2,
    6: 3,
    13: 3,
    17: 0,
    18: 4,
    19: 6,
    20: 5,
    21: 4,
    22: 4,
    26: 3,
    27: 1,
    28: 4,
    29: 4,
    30: 1,
}


@pytest.mark.parametrize(("day", "count"), sorted(NOVEMBER_2019.items()))
def test_november_2019_day_counts(store: Loaded, day: int, count: int) -> None:
    period = parse_month_period("2019-11")
    cal = build_calendar(in_period(store, period), period, "November 2019")
    assert cal.months[0].days[date(2019, 11, day)].count == count


def test_who_runs_on_28_november(store: Loaded) -> None:
    period = parse_month_period("2019-11")
    cal = build_calendar(in_period(store, period), period, "November 2019")
    expected = {
        find(store, "Support to the national delivery", "2019-11").id,
        find(store, "Workshop to review progress", "2019-11", "Ankara").id,
        find(store, "Training workshop on the international cooperation", "2019-11").id,
        find(store, "The Presidency of the Public Prosecution", "2019-11").id,
    }
    assert set(cal.months[0].days[date(2019, 11, 28)].ids) == expected


def test_a_deadline_counts_on_its_due_day(store: Loaded) -> None:
    period = parse_month_period("2019-11")
    cal = build_calendar(in_period(store, period), period, "November 2019")
    bill = find(store, "Review of the Cybercrime Bill", "2019-11")
    assert cal.months[0].days[date(2019, 11, 30)].ids == (bill.id,)
    assert all(bill.id not in load.ids for d, load in cal.months[0].days.items() if d.day < 30)


# October 2019: "21 – 22 and 28 - 29 October" (Ohrid) runs on four days, not in the gap.
# 22 October: Ohrid, Bucharest (21-25), Senegal (21-23), Belgium (22-25), Ghana 24/7 POC,
# Nigeria (22-24), Chile (22-25). 25 October: Bucharest, Belgium, Chile, Senegal (24-25).
@pytest.mark.parametrize(
    ("day", "count", "ohrid"),
    [(21, 4, True), (22, 7, True), (23, 8, False), (25, 4, False), (26, 0, False),
     (28, 1, True), (29, 1, True)],
)  # fmt: skip
def test_a_two_part_activity_counts_on_its_parts_only(
    store: Loaded, day: int, count: int, ohrid: bool
) -> None:
    period = parse_month_period("2019-10")
    cal = build_calendar(in_period(store, period), period, "October 2019")
    load = cal.months[0].days[date(2019, 10, day)]
    two_part = find(store, "Introductory training courses on cybercrime", "2019-10")
    assert load.count == count
    assert (two_part.id in load.ids) is ohrid


def test_tentative_days_are_counted_and_marked(store: Loaded) -> None:
    # 16 March: T-CY Bureau (16 AM), Protocol Drafting Group (16 PM-20 AM), Philippines
    # CERT mission (16-17, dates TBC). 20 March: the Drafting Group's last morning, the
    # Mid-Term Assessment (TBC), the Lebanon national event.
    period = parse_month_period("2020-03")
    cal = build_calendar(in_period(store, period), period, "March 2020")
    days = cal.months[0].days
    philippines = find(store, "Advisory mission on CERT capacities", "2020-03")
    assert (days[date(2020, 3, 16)].count, days[date(2020, 3, 16)].tentative) == (
        3,
        (philippines.id,),
    )
    assert (days[date(2020, 3, 20)].count, len(days[date(2020, 3, 20)].tentative)) == (3, 1)
    assert days[date(2020, 3, 21)].count == 0


def test_dates_tbd_are_listed_under_their_month_not_on_a_day(store: Loaded) -> None:
    # January: Ecuador (dates TBD), RIPE NCC Tbilisi ("dates TBC", no day). February: the
    # five "dates TBD", Hong Kong ("dates TBC") and the ECOWAS meeting ("location and dates
    # TBD"). March: the six CyberEast assessments, Ghanaian study visit, Maldives, France.
    period = parse_quarter("Q1-2020")
    cal = build_calendar(in_period(store, period), period, "Q1 2020")
    assert [m.month for m in cal.months] == ["2020-01", "2020-02", "2020-03"]
    assert [len(m.dates_unknown) for m in cal.months] == [2, 7, 9]
    unknown = {a.id for m in cal.months for a in m.dates_unknown}
    assert not unknown & {i for load in cal.loads() for i in load.ids}
    assert cal.to_json()["dates_unknown"]["2020-01"] == [
        find(store, "Legislation assessment and awareness", "2020-01").id,
        find(store, "RIPE NCC Training", "2020-01").id,
    ]


def test_calendar_json_has_every_day_of_the_period(store: Loaded) -> None:
    period = parse_month_period("2019-11")
    data = build_calendar(in_period(store, period), period, "November 2019").to_json()
    assert len(data["days"]) == 30
    assert data["days"]["2019-11-19"]["count"] == 6
    assert data["days"]["2019-11-19"]["tentative"] == 0
    assert len(data["days"]["2019-11-19"]["ids"]) == 6
    assert data["period"] == {"label": "November 2019", "start": "2019-11-01", "end": "2019-11-30"}


def test_calendar_weeks_start_on_monday() -> None:
    period = parse_month_period("2019-11")
    weeks = build_calendar([], period, "").months[0].weeks
    # 1 November 2019 was a Friday; the 30th a Saturday.
    assert weeks[0] == (None, None, None, None, date(2019, 11, 1), date(2019, 11, 2),
                        date(2019, 11, 3))  # fmt: skip
    assert weeks[-1][-2:] == (date(2019, 11, 30), None)


def test_busiest_day(store: Loaded) -> None:
    period = parse_month_period("2019-11")
    busiest = build_calendar(in_period(store, period), period, "").busiest
    assert busiest is not None and (busiest.day, busiest.count) == (date(2019, 11, 19), 6)


# --- timeline -----------------------------------------------------------------------------

# Q1 2020 per project, counted line by line: GLACY+ 8 + 15 + 8, CyberEast 3 + 5 + 6,
# CyberSouth 2 + 7 + 2, T-CY 1 + 0 + 2, EndOCSEA 0 + 1 + 1, iPROCEEDS only the Tbilisi
# workshop (shared by four projects), and the Mauritius line with no project.
Q1_2020_GROUPS = {
    "GLACY+": 31,
    "CyberEast": 14,
    "CyberSouth": 11,
    "T-CY": 3,
    "EndOCSEA@Europe": 2,
    "iPROCEEDS": 1,
    NO_PROJECT: 1,
}


def test_q1_2020_timeline_lists_every_activity_once(store: Loaded) -> None:
    period = parse_quarter("Q1-2020")
    timeline = build_timeline(in_period(store, period), period, "Q1 2020")
    assert len(timeline.activities) == 60
    assert len({a.id for a in timeline.activities}) == 60
    # The fixture's month headings: 14 lines in January, 26 in February, 20 in March.
    assert Counter(a.schedule.month for a in timeline.activities) == {
        "2020-01": 14,
        "2020-02": 26,
        "2020-03": 20,
    }
    assert {g.name: len(g.activities) for g in timeline.groups} == Q1_2020_GROUPS
    for group in timeline.groups:
        ids = [a.id for a in group.activities]
        assert len(ids) == len(set(ids)), group.name
    rows = timeline.to_json()["rows"]
    assert len(rows) == 63  # 60, plus the Tbilisi workshop under three more projects
    assert {r["id"] for r in rows} == {a.id for a in timeline.activities}


def test_timeline_groups_in_order_with_no_project_last(store: Loaded) -> None:
    period = parse_quarter("Q1-2020")
    timeline = build_timeline(in_period(store, period), period, "Q1 2020")
    assert [g.name for g in timeline.groups] == [
        "CyberEast",
        "CyberSouth",
        "EndOCSEA@Europe",
        "GLACY+",
        "iPROCEEDS",
        "T-CY",
        NO_PROJECT,
    ]


def test_timeline_by_country(store: Loaded) -> None:
    period = parse_quarter("Q1-2020")
    timeline = build_timeline(in_period(store, period), period, "Q1 2020", by="country")
    groups = {g.name: [a.title for a in g.activities] for g in timeline.groups}
    visit = "Study visit of Ghanaian delegation to EU countries"
    # "Portugal / The Netherlands": under both countries, once each.
    assert [t for t in groups["Portugal"] if t.startswith(visit)] != []
    assert len([t for t in groups["Netherlands"] if t.startswith(visit)]) == 1
    # Morocco in Q1: Marrakech, Fez, Rabat, and the regional workshop in March.
    assert len(groups["Morocco"]) == 4
    # No place: the report due 31 January (the other one names Mali), the two desk studies
    # due 28 February, the ECOWAS meeting ("location and dates TBD"), the Mid-Term Assessment.
    assert len(groups[NO_COUNTRY]) == 5
    assert timeline.groups[-1].name == NO_COUNTRY


def test_timeline_keeps_only_the_projects_asked_for(store: Loaded) -> None:
    period = parse_quarter("Q1-2020")
    chosen = select_from(store.activities, Criteria(period=period, projects=("iPROCEEDS",)))
    timeline = build_timeline(chosen, period, "Q1 2020", only=("iPROCEEDS",))
    assert [g.name for g in timeline.groups] == ["iPROCEEDS"]
    assert [a.title for a in timeline.groups[0].activities] == [
        "International workshop on law enforcement/service provider cooperation"
    ]


def test_timeline_row_json(store: Loaded) -> None:
    period = parse_month_period("2019-10")
    timeline = build_timeline(in_period(store, period), period, "October 2019")
    ohrid = find(store, "Introductory training courses on cybercrime", "2019-10")
    [row] = [r for r in timeline.to_json()["rows"] if r["id"] == ohrid.id]
    assert row == {
        "group": "iPROCEEDS",
        "id": ohrid.id,
        "title": "Introductory training courses on cybercrime, electronic evidence and online "
        "crime proceeds",
        "dates": "21-22 and 28-29 October 2019",
        "start": "2019-10-21",
        "end": "2019-10-29",
        "segments": [
            {"start": "2019-10-21", "end": "2019-10-22"},
            {"start": "2019-10-28", "end": "2019-10-29"},
        ],
        "certainty": "confirmed",
        "deadline": False,
    }


def oct_day(day: int) -> date:
    return date(2019, 10, day)


def test_cells_of_a_two_part_activity(store: Loaded) -> None:
    ohrid = find(store, "Introductory training courses on cybercrime", "2019-10")
    days = [oct_day(d) for d in range(20, 31)]
    C, G, N = Cell.CONFIRMED, Cell.GAP, Cell.NONE
    assert day_cells(ohrid, days) == [N, C, C, G, G, G, G, G, C, C, N]


def test_cells_of_half_days(store: Loaded) -> None:
    bureau = find(store, "T-CY Bureau Meeting", "2020-03")
    drafting = find(store, "Protocol Drafting Group Meeting", "2020-03")
    days = [date(2020, 3, d) for d in range(15, 22)]
    N, C = Cell.NONE, Cell.CONFIRMED
    assert day_cells(bureau, days) == [N, Cell.AM, N, N, N, N, N]
    assert day_cells(drafting, days) == [N, Cell.PM, C, C, C, Cell.AM, N]
    # A column wider than a day shows a half day as a whole one.
    week = (date(2020, 3, 16), date(2020, 3, 22))
    assert row_cells(bureau, week, per_column=7) == [C]


def test_cells_of_tentative_unscheduled_and_deadline(store: Loaded) -> None:
    january = parse_month_period("2020-01")
    jan_feb = (january[0], date(2020, 2, 29))
    congo = find(store, "Legislation assessment, joint mission with Cyber4Dev", "2020-01")
    ecuador = find(store, "Legislation assessment and awareness", "2020-01")
    report = find(store, "Report on cybercrime reporting", "2020-01")
    assert row_cells(congo, january)[26:30] == [Cell.TENTATIVE] * 4
    assert row_cells(congo, january).count(Cell.TENTATIVE) == 4
    assert row_cells(ecuador, jan_feb) == [Cell.UNKNOWN] * 31 + [Cell.NONE] * 29
    cells = row_cells(report, january)
    assert cells[30] is Cell.DEADLINE and cells.count(Cell.NONE) == 30
    # Weekly columns: the strongest day of each week wins.
    weeks = row_cells(congo, january, per_column=7)
    assert weeks == [Cell.NONE] * 3 + [Cell.TENTATIVE, Cell.TENTATIVE]
