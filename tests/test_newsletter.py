"""Import of the real 2019-Q4 newsletter. Expected values were counted and read by hand
from tests/fixtures/newsletter-2019-q4.txt, not taken from the program's output."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from inventory.formats.newsletter import render_newsletter
from inventory.model import Activity, Certainty, HalfDay, Precision
from inventory.projects import load_registry
from inventory.readers.newsletter import read_newsletter

# Lines under each month heading of the fixture, counted by hand.
PER_MONTH = {
    "2019-10": 29,
    "2019-11": 26,
    "2019-12": 17,
    "2020-01": 14,
    "2020-02": 26,
    "2020-03": 20,
}
# Activities naming each project (a multi-project line counts for each of its projects).
PER_PROJECT = {
    "GLACY+": 62,
    "CyberEast": 28,
    "CyberSouth": 22,
    "iPROCEEDS": 18,
    "EndOCSEA@Europe": 11,
    "Cybercrime@Octopus": 6,
    "T-CY": 4,
}


@pytest.fixture(scope="module")
def imported() -> list[Activity]:
    from tests.helpers import NEWSLETTER

    result = read_newsletter(
        NEWSLETTER.read_text(encoding="utf-8"), load_registry(), source="newsletter"
    )
    return [item.activity for item in result.items]


def find(activities: list[Activity], title_start: str, month: str) -> Activity:
    matches = [
        a for a in activities if a.title.startswith(title_start) and a.schedule.month == month
    ]
    assert len(matches) == 1, [a.title for a in matches]
    return matches[0]


def test_total(imported: list[Activity]) -> None:
    assert len(imported) == 132


def test_per_month_heading(imported: list[Activity]) -> None:
    assert Counter(a.schedule.month for a in imported) == PER_MONTH


def test_per_project(imported: list[Activity]) -> None:
    counts = Counter(p for a in imported for p in a.projects)
    assert counts == PER_PROJECT
    assert sum(1 for a in imported if not a.projects) == 1
    assert sum(1 for a in imported if len(a.projects) > 1) == 6


def test_only_problem_is_the_line_without_project(newsletter_text: str) -> None:
    result = read_newsletter(newsletter_text, load_registry(), source="nl")
    assert [(p.line, p.field, p.severity) for p in result.problems] == [
        (132, "projects", "warning")
    ]
    assert "no project" in result.problems[0].message


def test_ids_are_unique_and_stable(newsletter_text: str, imported: list[Activity]) -> None:
    again = [i.activity for i in read_newsletter(newsletter_text, load_registry()).items]
    assert [a.id for a in again] == [a.id for a in imported]
    assert len({a.id for a in imported}) == 132


def seg(a: Activity) -> list[tuple[date, date]]:
    return [(s.start, s.end) for s in a.schedule.segments]


# --- spot checks, field by field ------------------------------------------------------------


def test_ghana_launch_dash_in_title(imported: list[Activity]) -> None:
    a = find(imported, "Cybercrime reporting platform", "2019-10")
    assert a.projects == ("GLACY+",)
    assert a.title == "Cybercrime reporting platform – Official launch and kick-off workshop"
    assert a.place is not None and a.place.city is None
    assert a.country_codes == ("GH",)
    assert seg(a) == [(date(2019, 10, 1), date(2019, 10, 2))]
    assert a.schedule.certainty is Certainty.CONFIRMED


def test_barcelona_glued_with_dash(imported: list[Activity]) -> None:
    a = find(imported, "Participation in the APWG.EU", "2019-10")
    assert a.title == "Participation in the APWG.EU eCrime Research Symposium"
    assert a.place is not None
    assert (a.place.city, a.country_codes, a.place.text) == (
        "Barcelona",
        ("ES",),
        "Barcelona, Spain",
    )
    assert seg(a) == [(date(2019, 10, 1), date(2019, 10, 3))]


def test_ethiopia_no_comma_before_date(imported: list[Activity]) -> None:
    a = find(imported, "Workshop on Cybercrime legislation", "2019-10")
    assert a.title == (
        "Workshop on Cybercrime legislation and advice on accession to the "
        "Budapest Convention, with the World Bank"
    )
    assert a.country_codes == ("ET",)
    assert a.schedule.text == "7 October"
    assert seg(a) == [(date(2019, 10, 7), date(2019, 10, 7))]


def test_five_projects_the_netherlands(imported: list[Activity]) -> None:
    a = find(imported, "INTERPOL-Europol", "2019-10")
    assert a.projects == ("iPROCEEDS", "GLACY+", "CyberSouth", "CyberEast", "EndOCSEA@Europe")
    assert a.country_codes == ("NL",)
    assert a.place is not None and a.place.text == "the Netherlands"
    assert a.schedule.text == "9 -11 October"
    assert seg(a) == [(date(2019, 10, 9), date(2019, 10, 11))]


def test_ohrid_two_segments(imported: list[Activity]) -> None:
    a = find(imported, "Introductory training courses on cybercrime", "2019-10")
    assert a.place is not None and (a.place.city, a.country_codes) == ("Ohrid", ("MK",))
    assert seg(a) == [
        (date(2019, 10, 21), date(2019, 10, 22)),
        (date(2019, 10, 28), date(2019, 10, 29)),
    ]
    assert not a.schedule.overlaps(date(2019, 10, 24), date(2019, 10, 26))


def test_no_location_keeps_commas(imported: list[Activity]) -> None:
    a = find(imported, "Official opening of the National Cyber Security Month", "2019-10")
    assert a.projects == ("Cybercrime@Octopus",)
    assert a.place is None
    assert a.title.endswith("roundtable discussion on cybercrime in the ECOWAS Region")
    assert seg(a) == [(date(2019, 10, 21), date(2019, 10, 21))]


def test_fiji_across_months(imported: list[Activity]) -> None:
    a = find(imported, "Advisory mission on cybercrime legislation", "2019-10")
    assert a.country_codes == ("FJ",)
    assert seg(a) == [(date(2019, 10, 30), date(2019, 11, 1))]


def test_lyon_upper_case(imported: list[Activity]) -> None:
    a = find(imported, "INTERPOL Malware Analysis Training", "2019-11")
    assert a.place is not None
    assert (a.place.city, a.country_codes, a.place.text) == ("Lyon", ("FR",), "LYON, FRANCE")


def test_strasbourg_alone_explicit_year_trailing_dot(imported: list[Activity]) -> None:
    a = find(imported, "Second Steering Group Meeting", "2019-11")
    assert a.projects == ("EndOCSEA@Europe",)
    assert a.place is not None
    assert (a.place.city, a.country_codes) == ("Strasbourg", ("FR",))
    assert a.schedule.text == "19 November 2019."
    assert seg(a) == [(date(2019, 11, 19), date(2019, 11, 19))]
    assert not a.schedule.year_inferred


def test_kosovo_pristina(imported: list[Activity]) -> None:
    [a] = [x for x in imported if x.place and x.place.text == "Pristina, Kosovo*"]
    assert a.country_codes == ("XK",)
    assert a.place is not None and a.place.countries[0].name == "Kosovo"
    assert seg(a) == [(date(2019, 11, 26), date(2019, 11, 26))]


def test_space_separated_projects(imported: list[Activity]) -> None:
    a = find(imported, "The Presidency of the Public Prosecution Office", "2019-11")
    assert a.projects == ("CyberSouth", "GLACY+")
    assert a.place is not None and a.place.city == "Strasbourg"
    assert seg(a) == [(date(2019, 11, 28), date(2019, 11, 29))]


def test_desk_study_deadline(imported: list[Activity]) -> None:
    a = find(imported, "Review of the Cybercrime Bill", "2019-11")
    assert a.modality == "Desk Study"
    assert a.place is None
    assert a.schedule.deadline
    assert seg(a) == [(date(2019, 11, 30), date(2019, 11, 30))]


def test_addis_ababa_alone(imported: list[Activity]) -> None:
    a = find(imported, "WePROTECT Global Summit", "2019-12")
    assert a.place is not None
    assert (a.place.city, a.country_codes) == ("Addis Ababa", ("ET",))


def test_tentative_sierra_leone(imported: list[Activity]) -> None:
    a = find(imported, "Stakeholders' meeting on the new Cybercrime Law", "2020-01")
    assert a.schedule.certainty is Certainty.TENTATIVE
    assert a.schedule.text == "22-23 January (dates TBC)"
    assert seg(a) == [(date(2020, 1, 22), date(2020, 1, 23))]
    assert a.schedule.year_inferred


def test_congo_brazzaville_reversed(imported: list[Activity]) -> None:
    a = find(imported, "Legislation assessment, joint mission with Cyber4Dev", "2020-01")
    assert a.title == "Legislation assessment, joint mission with Cyber4Dev"
    assert a.place is not None
    assert (a.place.city, a.country_codes) == ("Brazzaville", ("CG",))
    assert a.schedule.certainty is Certainty.TENTATIVE


def test_france_lille_reversed(imported: list[Activity]) -> None:
    a = find(imported, "Participation in the FIC", "2020-01")
    assert a.place is not None
    assert (a.place.city, a.country_codes) == ("Lille", ("FR",))


def test_dates_tbd_ecuador(imported: list[Activity]) -> None:
    a = find(imported, "Legislation assessment and awareness", "2020-01")
    assert a.country_codes == ("EC",)
    assert a.schedule.precision is Precision.MONTH
    assert a.schedule.certainty is Certainty.UNSCHEDULED
    assert (a.start, a.end) == (date(2020, 1, 1), date(2020, 1, 31))


def test_dates_tbc_without_days_is_unscheduled(imported: list[Activity]) -> None:
    a = find(imported, "RIPE NCC Training", "2020-01")
    assert a.place is not None and a.place.city == "Tbilisi"
    assert a.schedule.certainty is Certainty.UNSCHEDULED
    assert a.schedule.text == "dates TBC"


def test_deadline_without_place(imported: list[Activity]) -> None:
    a = find(imported, "Report on cybercrime reporting", "2020-01")
    assert a.place is None and a.modality is None
    assert a.schedule.deadline and a.end == date(2020, 1, 31)


def test_trailing_comma_projects(imported: list[Activity]) -> None:
    a = find(imported, "International workshop on law enforcement/service provider", "2020-02")
    assert a.projects == ("CyberEast", "iPROCEEDS", "GLACY+", "CyberSouth")
    assert a.place is not None and a.place.city == "Tbilisi"


def test_location_and_dates_tbd(imported: list[Activity]) -> None:
    a = find(imported, "Regional Meeting on Cybercrime Legislation", "2020-02")
    assert a.place is None
    assert a.title == (
        "Regional Meeting on Cybercrime Legislation in the ECOWAS Region, jointly "
        "organized with the OCWAR-C Project"
    )
    assert a.schedule.certainty is Certainty.UNSCHEDULED and a.schedule.month == "2020-02"


def test_half_days(imported: list[Activity]) -> None:
    bureau = find(imported, "T-CY Bureau Meeting", "2020-03")
    [s] = bureau.schedule.segments
    assert (s.start, s.end, s.start_half, s.end_half) == (
        date(2020, 3, 16),
        date(2020, 3, 16),
        HalfDay.AM,
        HalfDay.AM,
    )
    pdg = find(imported, "Protocol Drafting Group Meeting", "2020-03")
    [s] = pdg.schedule.segments
    assert (s.start, s.end, s.start_half, s.end_half) == (
        date(2020, 3, 16),
        date(2020, 3, 20),
        HalfDay.PM,
        HalfDay.AM,
    )


def test_empty_project_column(imported: list[Activity]) -> None:
    a = find(imported, "Introductory training on cybercrime for Legal practitioners", "2020-03")
    assert a.projects == ()
    assert a.country_codes == ("MU",)
    assert a.schedule.certainty is Certainty.TENTATIVE


def test_two_countries(imported: list[Activity]) -> None:
    a = find(imported, "Study visit of Ghanaian delegation", "2020-03")
    assert a.place is not None
    assert a.place.city is None and a.country_codes == ("PT", "NL")
    assert a.place.text == "Portugal / The Netherlands"


# --- writing the layout back --------------------------------------------------------------


def test_rendered_newsletter_imports_to_the_same_activities(imported: list[Activity]) -> None:
    text = render_newsletter(imported)
    again = [i.activity for i in read_newsletter(text, load_registry()).items]
    assert sorted(a.id for a in again) == sorted(a.id for a in imported)
    before = {a.id: a for a in imported}
    for a in again:
        b = before[a.id]
        assert (a.projects, a.title, a.modality, a.country_codes) == (
            b.projects,
            b.title,
            b.modality,
            b.country_codes,
        )
        assert a.schedule.meaning() == b.schedule.meaning()


def test_rendered_layout_has_headings_and_tabs(imported: list[Activity]) -> None:
    text = render_newsletter([a for a in imported if a.schedule.month == "2020-03"][:2])
    assert text.splitlines()[0] == "MARCH 2020"
    assert text.splitlines()[1] == (
        "GLACY+\tAdvisory mission on cybercrime legislation, Paraguay, 2-5 March (dates TBC)"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("GLACY+\tSomething with no date", "no dates at the end of 'Something with no date'"),
        ("GLACY+\tWorkshop, Ghana, 31 February", "February 2020 has 29 days"),
        ("GLACY+\tWorkshop, Ghana, 8-6 March", "the range ends on 6 March 2020, before it starts"),
    ],
    ids=["no-date", "impossible-date", "reversed-range"],
)
def test_lines_not_fully_understood_are_errors(line: str, message: str) -> None:
    result = read_newsletter(f"MARCH 2020\n{line}\n", load_registry(), source="x.txt")
    assert result.items == []
    [problem] = result.problems
    assert (problem.line, problem.severity) == (2, "error")
    assert message in problem.message


def test_unknown_project_is_read_as_written_for_the_import_to_ask_about() -> None:
    # The reader keeps the name; the import's plan asks about it (tests/test_import.py, D21).
    result = read_newsletter("MARCH 2020\nNewProject\tWorkshop, Ghana, 3 March\n", load_registry())
    assert [i.activity.projects for i in result.items] == [("NewProject",)]
    assert result.problems == []


def test_stray_text_is_an_error_not_a_silent_drop() -> None:
    result = read_newsletter("MARCH 2020\nPlease note the following changes\n", load_registry())
    assert result.items == []
    assert [(p.line, p.severity) for p in result.problems] == [(2, "error")]


@pytest.mark.parametrize(
    ("first", "then", "joined"),
    [
        # Word and browsers wrap after a word's own hyphen and add none of their own.
        ("a key to a future-", "proof Europe", "a key to a future-proof Europe"),
        ("Cyber-", "East region", "Cyber-East region"),
        # A dash between words, a number, or a line ending without a hyphen: a space.
        ("Symposium -", "Barcelona, Spain", "Symposium - Barcelona, Spain"),
        ("Cybercrime Convention 2001-", "2021 review", "Cybercrime Convention 2001- 2021 review"),
        ("Regional workshop on", "e-evidence", "Regional workshop on e-evidence"),
        ("follow-", "(online)", "follow- (online)"),
    ],
)
def test_two_pieces_of_a_wrapped_line(first: str, then: str, joined: str) -> None:
    from inventory.readers.layout import _joined

    assert _joined(first, then) == joined


def test_a_cell_wrapped_at_a_hyphen_is_one_word() -> None:
    from inventory.readers import Context, Row, Text
    from inventory.readers.layout import interpret

    events = [
        Text("OCTOBER 2019", 1),
        Row(("EndOCSEA@Europe", "Conference on a future-\nproof Europe, Strasbourg, 7 October"), 2),
    ]
    reading = interpret(events, Context(load_registry()), "t")
    assert [i.activity.title for i in reading.items] == ["Conference on a future-proof Europe"]


@pytest.mark.parametrize(
    ("line", "dates", "start", "end"),
    [
        # An ASCII double hyphen is a dash, as pandoc and TeX users type one.
        ("GLACY+\tClosing conference, Strasbourg, 9 -- 10 December", "9 -- 10 December",
         "2019-12-09", "2019-12-10"),
        ("GLACY+\tClosing conference, Strasbourg, 30 November -- 1 December",
         "30 November -- 1 December", "2019-11-30", "2019-12-01"),
    ],
)  # fmt: skip
def test_a_double_hyphen_is_a_range_dash(line: str, dates: str, start: str, end: str) -> None:
    result = read_newsletter(f"DECEMBER 2019\n{line}\n", load_registry())
    [item] = result.items
    schedule = item.activity.schedule
    assert (item.activity.title, schedule.text) == ("Closing conference", dates)
    assert (schedule.start.isoformat(), schedule.end.isoformat()) == (start, end)


def test_a_range_read_only_in_half_is_an_error_not_a_title() -> None:
    # Before: "9 ~ 10 December" stored the title "Closing conference, 9 ~" and 10 December.
    result = read_newsletter(
        "DECEMBER 2019\nGLACY+\tClosing conference, Strasbourg, 9 ~ 10 December\n",
        load_registry(),
    )
    assert result.items == []
    [problem] = result.problems
    assert (problem.line, problem.field, problem.severity) == (2, "dates", "error")
    assert "cannot read the dates '9 ~ 10 December'" in problem.message
