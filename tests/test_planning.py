"""Planning views as data (calendar load, timeline rows, clashes) on the real store.

Every expected count, id set and pair below was worked out by hand from the lines of
tests/fixtures/newsletter-2019-q4.txt (which activities run on which day, which share a
project or a place), not taken from the program's output. Activities are found by the
start of their title and their month, so a reader can check each against the fixture.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from inventory.dates import parse_schedule
from inventory.model import Activity, Country, Place
from inventory.months import Period, parse_month_period, parse_quarter
from inventory.planning import (
    NO_COUNTRY,
    NO_PROJECT,
    Cell,
    PairKind,
    build_calendar,
    build_timeline,
    clip_period,
    day_cells,
    find_pairs,
    row_cells,
    title_words,
)
from inventory.query import Criteria, select
from tests.helpers import BUNDLED_STORE, Loaded, load


@pytest.fixture(scope="module")
def store() -> Loaded:
    return load(BUNDLED_STORE)


def in_period(store: Loaded, period: Period) -> list[Activity]:
    return select(store.activities, Criteria(period=period))


def find(store: Loaded, title_start: str, month: str, place: str = "") -> Activity:
    """The one activity of ``month`` whose title starts so (and whose location says ``place``)."""
    found = [
        a
        for a in store.activities
        if a.title.startswith(title_start)
        and a.schedule.month == month
        and place in (a.place.text if a.place else "")
    ]
    assert len(found) == 1, [(a.title, a.place) for a in found]
    return found[0]


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


def test_open_period_is_cut_to_the_activities(store: Loaded) -> None:
    assert clip_period((date(2020, 3, 20), date.max), store.activities) == (
        date(2020, 3, 20),
        date(2020, 3, 31),
    )
    assert clip_period((date(2021, 1, 1), date.max), store.activities) is None


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
    chosen = select(store.activities, Criteria(period=period, projects=("iPROCEEDS",)))
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


# --- clashes and duplicates -------------------------------------------------------------------


def pairs_of(store: Loaded, quarter: str, min_score: int = 40) -> list[tuple[PairKind, set[str]]]:
    period = parse_quarter(quarter)
    found = find_pairs(in_period(store, period), corpus=store.activities, min_score=min_score)
    return [(p.kind, {p.first.id, p.second.id}) for p in found]


def test_the_morocco_listings_are_a_likely_duplicate(store: Loaded) -> None:
    glacy = find(store, "Training workshop on the international cooperation", "2019-11")
    south = find(store, "The Presidency of the Public Prosecution", "2019-11")
    period = parse_quarter("Q4-2019")
    pairs = find_pairs(in_period(store, period), corpus=store.activities)
    first = pairs[0]
    assert {first.first.id, first.second.id} == {glacy.id, south.id}
    assert first.kind is PairKind.DUPLICATE
    texts = [r.text for r in first.reasons]
    assert "same dates (28-29 Nov)" in texts
    assert f"Morocco (where {glacy.id} is) is named in the title of {south.id}" in texts
    assert "shared project (GLACY+)" in texts
    assert first.shared_days == (date(2019, 11, 28), date(2019, 11, 29))
    assert first.score >= 80
    assert first.to_json()["kind"] == "likely duplicate"


def test_q4_2019_pairs(store: Loaded) -> None:
    """Every pair scoring 40 or more in Q4 2019, each judged by hand (see the README)."""

    def ids(*specs: tuple[str, str, str]) -> set[str]:
        return {find(store, *spec).id for spec in specs}

    strasbourg_18 = ids(
        ("European day against Child Sexual", "2019-11", ""), ("GLACY+ Steering", "2019-11", "")
    )
    expected = [
        (PairKind.DUPLICATE, ids(("Training workshop on the international", "2019-11", ""),
                                 ("The Presidency of the Public", "2019-11", ""))),
        (PairKind.CLASH, strasbourg_18),
        (PairKind.PARALLEL, ids(("Follow up mission", "2019-12", "Tunis"),
                                ("Judicial Network", "2019-12", ""))),
        (PairKind.PARALLEL, ids(("Octopus Conference", "2019-11", ""),
                                ("International Conference on Cybercrime", "2019-11", ""))),
        (PairKind.PARALLEL, ids(("Advanced Judicial Training", "2019-10", ""),
                                ("GFCE Annual Meeting", "2019-10", ""))),
        (PairKind.PARALLEL, ids(("Integration of ECTEG", "2019-10", ""),
                                ("Advanced judicial training course", "2019-10", ""))),
        (PairKind.PARALLEL, ids(("In Country workshops", "2019-10", ""),
                                ("Participation in the EL PACcTO", "2019-10", ""))),
        (PairKind.PARALLEL, ids(("6th INTERPOL African", "2019-12", ""),
                                ("Initial assessment visit", "2019-12", ""))),
        (PairKind.PARALLEL, ids(("Initial assessment visit", "2019-12", ""),
                                ("In Country workshops", "2019-12", ""))),
    ]  # fmt: skip
    assert pairs_of(store, "Q4-2019") == expected


def test_q1_2020_pairs(store: Loaded) -> None:
    """Q1 2020: only parallel load scores 40 or more; GLACY+'s three missions of 27-30
    January come first, being the earliest."""
    burkina = find(store, "Initial assessment visit", "2020-01").id
    congo = find(store, "Legislation assessment, joint mission", "2020-01").id
    lille = find(store, "Participation in the FIC", "2020-01").id
    kharkiv = find(store, "Introductory judicial training", "2020-02", "Kharkiv").id
    batumi = find(store, "First Responder training for financial", "2020-02").id
    australia = find(store, "Global Cybersecurity Capacity", "2020-02").id
    mexico = find(store, "Advisory mission on legislation", "2020-02", "Mexico").id
    benin = find(store, "Initial assessment mission", "2020-02").id
    found = pairs_of(store, "Q1-2020")
    assert all(kind is PairKind.PARALLEL for kind, _ in found)
    assert [pair for _, pair in found[:3]] == [
        {burkina, lille},
        {burkina, congo},
        {lille, congo},
    ]
    assert sorted(sorted(pair) for _, pair in found) == sorted(
        sorted(p)
        for p in (
            {burkina, lille},
            {burkina, congo},
            {lille, congo},
            {kharkiv, batumi},
            {australia, mexico},
            {benin, australia},
            {benin, mexico},
        )
    )


def test_the_six_cybereast_assessments_are_not_duplicates(store: Loaded) -> None:
    # Same title, same project, all "dates TBD" in March 2020, six different countries.
    six = {
        a.id
        for a in store.activities
        if a.title == "Assessment of crime proceeds and reporting systems"
    }
    assert len(six) == 6
    for _, pair in pairs_of(store, "Q1-2020", min_score=0):
        assert not pair <= six


def test_strasbourg_conferences_are_not_duplicates(store: Loaded) -> None:
    # The T-CY Plenary (18-20 November) and the Octopus Conference (20-22) share their five
    # projects and the city, and the GLACY+ Steering Committee and EndOCSEA meetings sit
    # inside the Plenary's days: routine at the Council of Europe's seat, not duplicates.
    plenary = find(store, "22nd T-CY Plenary", "2019-11").id
    octopus = find(store, "Octopus Conference", "2019-11").id
    found = pairs_of(store, "Q4-2019", min_score=0)
    with_plenary = [(kind, pair) for kind, pair in found if plenary in pair]
    assert (PairKind.CLASH, {plenary, octopus}) in with_plenary
    assert all(kind is not PairKind.DUPLICATE for kind, _ in with_plenary)
    period = parse_quarter("Q4-2019")
    scores = {
        frozenset((p.first.id, p.second.id)): p.score
        for p in find_pairs(in_period(store, period), corpus=store.activities, min_score=40)
    }
    assert frozenset((plenary, octopus)) not in scores  # below the default 40


def test_half_days_back_to_back_do_not_clash(store: Loaded) -> None:
    bureau = find(store, "T-CY Bureau Meeting", "2020-03").id
    drafting = find(store, "Protocol Drafting Group Meeting", "2020-03").id
    assert all({bureau, drafting} != pair for _, pair in pairs_of(store, "Q1-2020", 0))


def test_dates_unknown_only_possibly_overlap(store: Loaded) -> None:
    # Armenia, March 2020: a CyberEast assessment in Yerevan (dates TBD) and the EndOCSEA
    # pilot training (30 March, TBC). Same country, but the days are not known.
    period = parse_quarter("Q1-2020")
    yerevan = find(store, "Assessment of crime proceeds", "2020-03", "Yerevan").id
    pilot = find(store, "Piloting a training module", "2020-03").id
    pairs = find_pairs(in_period(store, period), corpus=store.activities, min_score=0)
    [pair] = [p for p in pairs if {p.first.id, p.second.id} == {yerevan, pilot}]
    assert pair.kind is PairKind.CLASH and pair.possible
    assert pair.score < 40


def test_focus_keeps_the_pairs_involving_a_project(store: Loaded) -> None:
    period = parse_quarter("Q4-2019")
    south = Criteria(projects=("CyberSouth",))
    pairs = find_pairs(
        in_period(store, period), corpus=store.activities, min_score=40, focus=south.matches
    )
    # The Morocco duplicate (one listing is CyberSouth's), Tunis/Lisbon, and the Octopus
    # Conference (CyberSouth among its five projects) against the CPLP conference.
    assert [p.kind for p in pairs] == [PairKind.DUPLICATE] + [PairKind.PARALLEL] * 2
    assert all(south.matches(p.first) or south.matches(p.second) for p in pairs)


# --- the rules on made-up activities -------------------------------------------------------------


def made(
    ident: str,
    title: str,
    dates: str,
    projects: tuple[str, ...] = ("GLACY+",),
    city: str | None = None,
    country: tuple[str, str] | None = None,
) -> Activity:
    countries = (Country(code=country[0], name=country[1]),) if country else ()
    place = Place(city=city, countries=countries, text=city or "") if city or country else None
    return Activity(
        id=ident,
        projects=projects,
        title=title,
        place=place,
        schedule=parse_schedule(dates, context_month="2020-05"),
    )


GHANA = ("GH", "Ghana")
PERU = ("PE", "Peru")


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        # Same words, same city and days, different projects: one event listed twice.
        (made("aaaa", "Judicial training on electronic evidence", "4-5 May", city="Accra",
              country=GHANA),
         made("bbbb", "Judicial training on electronic evidence", "4-5 May", ("CyberEast",),
              city="Accra", country=GHANA),
         PairKind.DUPLICATE),
        # Same days and country, different projects and words: a clash.
        (made("aaaa", "Judicial training", "4-5 May", country=GHANA),
         made("bbbb", "Cybercrime strategy meeting", "4-5 May", ("CyberEast",), country=GHANA),
         PairKind.CLASH),
        # One project in two countries on the same days: parallel load.
        (made("aaaa", "Judicial training", "4-5 May", country=GHANA),
         made("bbbb", "Cybercrime strategy meeting", "4-5 May", country=PERU),
         PairKind.PARALLEL),
        # Two projects in two countries: nothing to say.
        (made("aaaa", "Judicial training", "4-5 May", country=GHANA),
         made("bbbb", "Judicial training", "4-5 May", ("CyberEast",), country=PERU),
         None),
        # Same title and project, dates TBD vs known days, same country: listed twice.
        (made("aaaa", "Judicial training on electronic evidence", "dates TBD", country=GHANA),
         made("bbbb", "Judicial training on electronic evidence", "12-13 May", country=GHANA),
         PairKind.DUPLICATE),
        # Dates TBD against known days, one project, two countries: can still be fitted in.
        (made("aaaa", "Judicial training", "dates TBD", country=GHANA),
         made("bbbb", "Strategy meeting", "12-13 May", country=PERU),
         None),
        # Two desk studies due the same day with different subjects: not load, not the same.
        (made("aaaa", "Report on legislation", "by 29 May"),
         made("bbbb", "Guidelines on human rights", "by 29 May"),
         None),
        # The same desk study listed twice.
        (made("aaaa", "Report on cybercrime legislation", "by 29 May"),
         made("bbbb", "Report on the cybercrime legislation", "by 29 May"),
         PairKind.DUPLICATE),
        # Days that do not overlap are never a pair.
        (made("aaaa", "Judicial training", "4-5 May", country=GHANA),
         made("bbbb", "Judicial training", "6-7 May", country=GHANA),
         None),
    ],
)  # fmt: skip
def test_kinds(a: Activity, b: Activity, kind: PairKind | None) -> None:
    found = find_pairs([a, b], min_score=0)
    assert [p.kind for p in found] == ([kind] if kind else [])


def test_min_score_filters() -> None:
    a = made("aaaa", "Judicial training", "4-5 May", country=GHANA)
    b = made("bbbb", "Strategy meeting", "5-8 May", country=PERU)
    [pair] = find_pairs([a, b])  # 1 of 5 days, shared project: 14 + 15
    assert pair.kind is PairKind.PARALLEL and pair.score == 29
    assert find_pairs([a, b], min_score=30) == []


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Trains reference prosecutors", {"train", "reference", "prosecutor"}),
        ("Training workshop on the Budapest Convention", {"train", "workshop", "budapest",
                                                          "convention"}),
        ("Forum sur la cybersécurité et la lutte contre le cybercrime", {"forum",
                                                                          "cybersecurite",
                                                                          "lutte", "cybercrime"}),
        ("24/7 points of contact", {"point", "contact"}),
    ],
)  # fmt: skip
def test_title_words(title: str, words: set[str]) -> None:
    assert title_words(title) == words
