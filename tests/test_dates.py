"""Tests of inventory.dates: the newsletter's date texts, read, written and converted."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from inventory.dates import parse_schedule, render_schedule, split_trailing_dates, to_edtf
from inventory.errors import ParseError, UsageError
from inventory.model import Certainty, HalfDay, Precision, Schedule, Segment
from inventory.months import month_label, parse_day, parse_month_period, parse_quarter, parse_year

FIXTURE = Path(__file__).parent / "fixtures" / "newsletter-2019-q4.txt"
AM, PM = HalfDay.AM, HalfDay.PM
D = date.fromisoformat


def seg(
    start: str, end: str | None = None, sh: HalfDay | None = None, eh: HalfDay | None = None
) -> Segment:
    return Segment(start=D(start), end=D(end or start), start_half=sh, end_half=eh)


def days(
    *segments: Segment,
    tentative: bool = False,
    deadline: bool = False,
    text: str = "",
    inferred: bool = True,
) -> Schedule:
    first = segments[0].start
    return Schedule(
        segments=segments,
        precision=Precision.DAY,
        certainty=Certainty.TENTATIVE if tentative else Certainty.CONFIRMED,
        deadline=deadline,
        month=f"{first.year:04d}-{first.month:02d}",
        text=text,
        year_inferred=inferred,
    )


def unscheduled(month: str, *, text: str = "", inferred: bool = True) -> Schedule:
    return Schedule(
        precision=Precision.MONTH,
        certainty=Certainty.UNSCHEDULED,
        month=month,
        text=text,
        year_inferred=inferred,
    )


# --------------------------------------------------------------------------- parse_schedule

# (text, context_month, context_year, expected schedule without its text)
PARSE_CASES = [
    ("1-2 October", "2019-10", None, days(seg("2019-10-01", "2019-10-02"))),
    ("1 - 2 October", "2019-10", None, days(seg("2019-10-01", "2019-10-02"))),
    ("9 -11 October", "2019-10", None, days(seg("2019-10-09", "2019-10-11"))),
    ("10 – 15 October", "2019-10", None, days(seg("2019-10-10", "2019-10-15"))),
    ("10 — 15 October", "2019-10", None, days(seg("2019-10-10", "2019-10-15"))),
    ("3–7 February", "2020-02", None, days(seg("2020-02-03", "2020-02-07"))),
    ("7 October", "2019-10", None, days(seg("2019-10-07"))),
    (
        "21 – 22 and 28 - 29 October",
        "2019-10",
        None,
        days(seg("2019-10-21", "2019-10-22"), seg("2019-10-28", "2019-10-29")),
    ),
    (
        "1-2, 5-6 and 8 October",
        "2019-10",
        None,
        days(seg("2019-10-01", "2019-10-02"), seg("2019-10-05", "2019-10-06"), seg("2019-10-08")),
    ),
    (
        "1-2, 5-6, and 8 October",
        "2019-10",
        None,
        days(seg("2019-10-01", "2019-10-02"), seg("2019-10-05", "2019-10-06"), seg("2019-10-08")),
    ),
    ("30 October - 1 November", "2019-10", None, days(seg("2019-10-30", "2019-11-01"))),
    ("30 December - 2 January", "2020-01", None, days(seg("2019-12-30", "2020-01-02"))),
    ("30 December - 2 January", "2019-12", None, days(seg("2019-12-30", "2020-01-02"))),
    ("30 December - 2 January", None, 2019, days(seg("2019-12-30", "2020-01-02"))),
    (
        "28-29 December and 2-3 January",
        "2019-12",
        None,
        days(seg("2019-12-28", "2019-12-29"), seg("2020-01-02", "2020-01-03")),
    ),
    ("2 January", "2019-12", None, days(seg("2020-01-02"))),
    ("2 January", "2019-12", 2019, days(seg("2020-01-02"))),  # the heading wins over --year
    ("28 December", "2020-01", None, days(seg("2019-12-28"))),
    # Half a year from the heading, the nearer day wins; at a tie, the later year.
    ("18 July", "2020-01", None, days(seg("2019-07-18"))),  # 167 days before, 169 after
    ("17 July", "2020-01", None, days(seg("2020-07-17"))),  # 168 days either way
    ("16 April", "2019-10", None, days(seg("2020-04-16"))),  # 168 days either way
    ("7 October", None, 2019, days(seg("2019-10-07"))),
    ("18 November 2019", "2019-11", None, days(seg("2019-11-18"), inferred=False)),
    ("19 November 2019.", "2019-11", None, days(seg("2019-11-19"), inferred=False)),
    ("19 November 2019", "2021-05", None, days(seg("2019-11-19"), inferred=False)),
    ("by 30 November", "2019-11", None, days(seg("2019-11-30"), deadline=True)),
    ("by 31 January", "2020-01", None, days(seg("2020-01-31"), deadline=True)),
    ("by 28 February", "2020-02", None, days(seg("2020-02-28"), deadline=True)),
    (
        "22-23 January (dates TBC)",
        "2020-01",
        None,
        days(seg("2020-01-22", "2020-01-23"), tentative=True),
    ),
    (
        "29 – 30 January (dates TBC)",
        "2020-01",
        None,
        days(seg("2020-01-29", "2020-01-30"), tentative=True),
    ),
    ("20 March (dates TBC)", "2020-03", None, days(seg("2020-03-20"), tentative=True)),
    ("20 March (TBC)", "2020-03", None, days(seg("2020-03-20"), tentative=True)),
    ("dates TBC", "2020-01", None, unscheduled("2020-01")),
    ("dates TBD", "2020-02", None, unscheduled("2020-02")),
    ("location and dates TBD", "2020-02", None, unscheduled("2020-02")),
    ("TBD", "2020-03", None, unscheduled("2020-03")),
    ("TBC", "2020-03", None, unscheduled("2020-03")),
    ("dates tbd", "2020-03", None, unscheduled("2020-03")),
    ("16 (AM) March", "2020-03", None, days(seg("2020-03-16", sh=AM, eh=AM))),
    ("16 (PM) – 20 (AM) March", "2020-03", None, days(seg("2020-03-16", "2020-03-20", PM, AM))),
    ("16 (PM)-20 March", "2020-03", None, days(seg("2020-03-16", "2020-03-20", PM, None))),
    ("March 2020 (dates TBD)", None, None, unscheduled("2020-03", inferred=False)),
    ("March 2020 (dates TBC)", None, None, unscheduled("2020-03", inferred=False)),
    ("March 2020", "2019-10", None, unscheduled("2020-03", inferred=False)),
    ("March (dates TBD)", "2020-02", None, unscheduled("2020-03")),
    ("March (dates TBD)", "2019-12", None, unscheduled("2020-03")),
    ("December (dates TBD)", "2020-01", None, unscheduled("2019-12")),
    ("March (dates TBD)", None, 2021, unscheduled("2021-03")),
    (
        "1 October 2019 - 3 January 2020",
        None,
        None,
        days(seg("2019-10-01", "2020-01-03"), inferred=False),
    ),
    # The year of the end also dates the start, a year earlier across the year end.
    (
        "30 December - 2 January 2020",
        None,
        None,
        days(seg("2019-12-30", "2020-01-02"), inferred=False),
    ),
    (
        "30 October - 1 November 2019",
        None,
        None,
        days(seg("2019-10-30", "2019-11-01"), inferred=False),
    ),
    (
        "by 31 January 2020 (dates TBC)",
        None,
        None,
        days(seg("2020-01-31"), deadline=True, tentative=True, inferred=False),
    ),
    ("3-4 Sept", None, 2019, days(seg("2019-09-03", "2019-09-04"))),
    ("3-4 sep", None, 2019, days(seg("2019-09-03", "2019-09-04"))),
    ("1-2 OCTOBER", "2019-10", None, days(seg("2019-10-01", "2019-10-02"))),
    ("1-2 Oct", "2019-10", None, days(seg("2019-10-01", "2019-10-02"))),
    ("29 February", "2020-02", None, days(seg("2020-02-29"))),
    ("  7 October  ", "2019-10", None, days(seg("2019-10-07"))),
]


@pytest.mark.parametrize(
    ("text", "context_month", "context_year", "expected"),
    PARSE_CASES,
    ids=[f"{c[0]}@{'+'.join(str(x) for x in c[1:3] if x) or 'none'}" for c in PARSE_CASES],
)
def test_parse_schedule(
    text: str, context_month: str | None, context_year: int | None, expected: Schedule
) -> None:
    got = parse_schedule(text, context_month=context_month, context_year=context_year)
    assert got == expected.model_copy(update={"text": text.strip()})


def test_parse_schedule_is_memoised() -> None:
    first = parse_schedule("21 – 22 and 28 - 29 October", context_month="2019-10")
    again = parse_schedule("21 – 22 and 28 - 29 October", context_month="2019-10")
    assert again is first
    other = parse_schedule("21 – 22 and 28 - 29 October", context_month="2020-10")
    assert other.segments[0].start == date(2020, 10, 21)


def test_parse_schedule_rejects_a_malformed_context_month() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_schedule("7 October", context_month="October 2019")


# (text, context_month, context_year, words the message must contain)
ERROR_CASES = [
    ("31 February 2020", None, None, "February 2020 has 29 days"),
    ("29 February", "2021-02", None, "February 2021 has 28 days"),
    ("31 November", "2019-11", None, "November 2019 has 30 days"),
    ("5-3 March", "2020-03", None, "ends on 3 March 2020, before it starts on 5 March 2020"),
    ("0 March", "2020-03", None, "there is no day 0"),
    ("0-2 March", "2020-03", None, "there is no day 0"),
    (
        "next week",
        None,
        None,
        "expected a form like '1-2 October', '30 October - 1 November', "
        "'by 30 November' or 'dates TBD'",
    ),
    ("", None, None, "expected a form like '1-2 October'"),
    ("October 7", "2019-10", None, "expected a form like"),
    ("7 October 19", "2019-10", None, "expected a form like"),
    ("100 October", "2019-10", None, "expected a form like"),
    ("1-2 October (maybe)", "2019-10", None, "expected a form like"),
    ("7 October", None, None, "it has no year: add one"),
    ("March (dates TBD)", None, None, "it has no year: add one"),
    ("dates TBD", None, None, "it names no month"),
    ("TBC", None, 2020, "it names no month"),
    ("location and dates TBD", None, None, "it names no month"),
    ("1-2", "2019-10", None, "the last day needs a month"),
    ("1-2 and 5", "2019-10", None, "the last day needs a month"),
    ("by 1-2 October", "2019-10", None, "a deadline is a single day"),
    ("by 1 and 3 October", "2019-10", None, "a deadline is a single day"),
    ("by March 2020", None, None, "a deadline needs a day"),
    ("March", "2020-03", None, "a month alone needs a year or '(dates TBD)'"),
    (
        "28-29 and 21-22 October",
        "2019-10",
        None,
        "in order and apart: 21 October 2019 is not after 29 October 2019",
    ),
    ("1-3 and 3-4 October", "2019-10", None, "3 October 2019 is not after 3 October 2019"),
    ("16 (AM) - 16 (PM) March", "2020-03", None, "a single day takes one half-day marker"),
    ("31 December 9999 - 2 January", None, None, "year 10000 is out of range"),
]


@pytest.mark.parametrize(
    ("text", "context_month", "context_year", "message"),
    ERROR_CASES,
    ids=[f"{c[0] or 'empty'}@{c[1] or c[2]}" for c in ERROR_CASES],
)
def test_parse_schedule_errors(
    text: str, context_month: str | None, context_year: int | None, message: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_schedule(text, context_month=context_month, context_year=context_year)
    err = caught.value
    assert err.message.startswith(f"cannot read date '{text}': ")
    assert message in err.message
    assert err.field == "dates"
    assert err.text == text


# --------------------------------------------------------------------------- the newsletter

_HEADING = re.compile(
    r"(JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)"
    r" (\d{4})\t?"
)
_MONTHS = [
    "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE",
    "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER",
]  # fmt: skip


def fixture_lines() -> list[tuple[int, str, str]]:
    """(line number, month heading as YYYY-MM, body after the project column) of every activity."""
    out: list[tuple[int, str, str]] = []
    context = ""
    for number, line in enumerate(FIXTURE.read_text(encoding="utf-8").splitlines(), 1):
        if heading := _HEADING.fullmatch(line):
            context = f"{heading[2]}-{_MONTHS.index(heading[1]) + 1:02d}"
        elif "\t" in line:
            assert context, f"line {number} comes before any month heading"
            out.append((number, context, line.split("\t", 1)[1]))
    return out


def test_every_fixture_line_has_readable_dates() -> None:
    lines = fixture_lines()
    assert len(lines) == 132  # 136 lines with a tab, less the 4 month headings that have one
    failures = []
    for number, context, body in lines:
        split = split_trailing_dates(body)
        if split is None:
            failures.append(f"{number}: no date at the end of {body!r}")
            continue
        head, date_text = split
        assert body.startswith(head)
        assert body.endswith(date_text)
        try:
            schedule = parse_schedule(date_text, context_month=context)
        except ParseError as exc:
            failures.append(f"{number}: {exc}")
            continue
        # Every dated activity sits under the heading of its first day.
        assert schedule.month == context, (number, date_text)
    assert failures == []


# (body, head, date text) for real lines of the fixture
SPLIT_CASES = [
    (
        "Cybercrime reporting platform – Official launch and kick-off workshop, Ghana, 1-2 October",
        "Cybercrime reporting platform – Official launch and kick-off workshop, Ghana",
        "1-2 October",
    ),
    (
        "Participation in the APWG.EU eCrime Research Symposium – Barcelona, Spain, 1-3 October",
        "Participation in the APWG.EU eCrime Research Symposium – Barcelona, Spain",
        "1-3 October",
    ),
    (
        "Workshop on Cybercrime legislation and advice on accession to the Budapest Convention, "
        "with the World Bank, Ethiopia 7 October",
        "Workshop on Cybercrime legislation and advice on accession to the Budapest Convention, "
        "with the World Bank, Ethiopia",
        "7 October",
    ),
    (
        "Meeting of the 24/7 Contact Points under Budapest Convention, the Netherlands, 8 October",
        "Meeting of the 24/7 Contact Points under Budapest Convention, the Netherlands",
        "8 October",
    ),
    (
        "INTERPOL-Europol Annual Cybercrime Conference, the Netherlands, 9 -11 October",
        "INTERPOL-Europol Annual Cybercrime Conference, the Netherlands",
        "9 -11 October",
    ),
    (
        "Joint event with the Parliamentary Assembly of the Mediterranean on Terrorism and new "
        "technologies: from prevention to prosecution, at national and international levels, "
        "Strasbourg, France 10-11 October",
        "Joint event with the Parliamentary Assembly of the Mediterranean on Terrorism and new "
        "technologies: from prevention to prosecution, at national and international levels, "
        "Strasbourg, France",
        "10-11 October",
    ),
    (
        "OSCE Forensic Training, Tbilisi, Georgia, 10 – 15 October",
        "OSCE Forensic Training, Tbilisi, Georgia",
        "10 – 15 October",
    ),
    (
        "Introductory training courses on cybercrime, electronic evidence and online crime "
        "proceeds, Ohrid, North Macedonia, 21 – 22 and 28 - 29 October",
        "Introductory training courses on cybercrime, electronic evidence and online crime "
        "proceeds, Ohrid, North Macedonia",
        "21 – 22 and 28 - 29 October",
    ),
    (
        "Advisory mission on cybercrime legislation, Fiji, 30 October - 1 November",
        "Advisory mission on cybercrime legislation, Fiji",
        "30 October - 1 November",
    ),
    (
        "European day against Child Sexual Exploitation and Abuse Awareness raising activities, "
        "Strasbourg, 18 November 2019",
        "European day against Child Sexual Exploitation and Abuse Awareness raising activities, "
        "Strasbourg",
        "18 November 2019",
    ),
    (
        "Second Steering Group Meeting to take stock of project progress and provide strategic "
        "orientation for the next phase of the project, Strasbourg, 19 November 2019.",
        "Second Steering Group Meeting to take stock of project progress and provide strategic "
        "orientation for the next phase of the project, Strasbourg",
        "19 November 2019.",
    ),
    (
        "Workshop to review progress in all project areas, Pristina, Kosovo*, 26 November",
        "Workshop to review progress in all project areas, Pristina, Kosovo*",
        "26 November",
    ),
    (
        "IGF 2019 Workshop on Solutions for law enforcement to access data across borders, "
        "Berlin, Germany, 29 November",
        "IGF 2019 Workshop on Solutions for law enforcement to access data across borders, "
        "Berlin, Germany",
        "29 November",
    ),
    (
        "Review of the Cybercrime Bill, Desk Study, by 30 November",
        "Review of the Cybercrime Bill, Desk Study",
        "by 30 November",
    ),
    (
        "Closing Conference: evaluation of progress made and the way forward, Strasbourg, "
        "France, 9 – 10 December",
        "Closing Conference: evaluation of progress made and the way forward, Strasbourg, France",
        "9 – 10 December",
    ),
    (
        "WePROTECT Global Summit, Addis Ababa, 11-12 December",
        "WePROTECT Global Summit, Addis Ababa",
        "11-12 December",
    ),
    (
        "Forum interparlementaire sur la cybersécurité et la lutte contre le cybercriminalité, "
        "Niger, 16-18 January",
        "Forum interparlementaire sur la cybersécurité et la lutte contre le cybercriminalité, "
        "Niger",
        "16-18 January",
    ),
    (
        "Stakeholders' meeting on the new Cybercrime Law, joint activity with OCWAR-C, "
        "Sierra Leone, 22-23 January (dates TBC)",
        "Stakeholders' meeting on the new Cybercrime Law, joint activity with OCWAR-C, "
        "Sierra Leone",
        "22-23 January (dates TBC)",
    ),
    (
        "Steering Commitee of CyberEast Project, Kyiv, Ukraine, 29 – 30 January (dates TBC)",
        "Steering Commitee of CyberEast Project, Kyiv, Ukraine",
        "29 – 30 January (dates TBC)",
    ),
    (
        "Legislation assessment and awareness on the Budapest Convention, joint mission with "
        "Cyber4Dev, Ecuador, dates TBD",
        "Legislation assessment and awareness on the Budapest Convention, joint mission with "
        "Cyber4Dev, Ecuador",
        "dates TBD",
    ),
    (
        "RIPE NCC Training for law enforcement, Tbilisi, Georgia, dates TBC",
        "RIPE NCC Training for law enforcement, Tbilisi, Georgia",
        "dates TBC",
    ),
    (
        "Report on cybercrime reporting and criminal justice statistics, by 31 January",
        "Report on cybercrime reporting and criminal justice statistics",
        "by 31 January",
    ),
    (
        "First Responder training for financial investigators, Batumi, Georgia, 3–7 February",
        "First Responder training for financial investigators, Batumi, Georgia",
        "3–7 February",
    ),
    (
        "Regional Meeting on Cybercrime Legislation in the ECOWAS Region, jointly organized with "
        "the OCWAR-C Project, location and dates TBD",
        "Regional Meeting on Cybercrime Legislation in the ECOWAS Region, jointly organized with "
        "the OCWAR-C Project",
        "location and dates TBD",
    ),
    (
        "T-CY Bureau Meeting, Strasbourg, 16 (AM) March",
        "T-CY Bureau Meeting, Strasbourg",
        "16 (AM) March",
    ),
    (
        "Protocol Drafting Group Meeting, Strasbourg, 16 (PM) – 20 (AM) March",
        "Protocol Drafting Group Meeting, Strasbourg",
        "16 (PM) – 20 (AM) March",
    ),
    ("Mid-Term Assessment, 20 March (dates TBC)", "Mid-Term Assessment", "20 March (dates TBC)"),
    (
        "Study visit of Ghanaian delegation to EU countries to strengthen national policies and "
        "strategies on cybercrime and electronic evidence, Portugal / The Netherlands, dates TBD",
        "Study visit of Ghanaian delegation to EU countries to strengthen national policies and "
        "strategies on cybercrime and electronic evidence, Portugal / The Netherlands",
        "dates TBD",
    ),
]


@pytest.mark.parametrize(
    ("body", "head", "date_text"), SPLIT_CASES, ids=[c[2] + " / " + c[1][-25:] for c in SPLIT_CASES]
)
def test_split_trailing_dates_on_the_newsletter(body: str, head: str, date_text: str) -> None:
    assert (body, split_trailing_dates(body)) == (body, (head, date_text))
    assert any(body == b for _, _, b in fixture_lines())


# Lines written for the occasion: the traps around the real ones.
SPLIT_EDGE_CASES = [
    ("Room 12, 7 October", ("Room 12", "7 October")),
    ("Phase 2, 8 October", ("Phase 2", "8 October")),
    ("Workshop, Ghana, 1-2, 5-6 and 8 October", ("Workshop, Ghana", "1-2, 5-6 and 8 October")),
    ("Workshop, Ghana – 1-2 October", ("Workshop, Ghana", "1-2 October")),
    ("Workshop, Ghana - 1-2 October", ("Workshop, Ghana", "1-2 October")),
    ("Workshop, Ghana,1-2 October", ("Workshop, Ghana", "1-2 October")),
    ("Workshop, Ghana, March 2020 (dates TBD)", ("Workshop, Ghana", "March 2020 (dates TBD)")),
    (
        "Workshop, Ghana, by 31 January 2020 (dates TBC)",
        ("Workshop, Ghana", "by 31 January 2020 (dates TBC)"),
    ),
    ("Workshop, 30 December - 2 January", ("Workshop", "30 December - 2 January")),
    ("7 October", ("", "7 October")),
    ("Conference of 1 May", ("Conference of", "1 May")),
    ("Workshop on cybercrime, Ghana", None),
    ("Workshop on the Agenda 2030", None),
    ("Day of the 1st of May", None),
    ("Workshop, Ghana, 1-2", None),
    ("", None),
]


@pytest.mark.parametrize(
    ("body", "expected"), SPLIT_EDGE_CASES, ids=[c[0] or "empty" for c in SPLIT_EDGE_CASES]
)
def test_split_trailing_dates_edge_cases(body: str, expected: tuple[str, str] | None) -> None:
    assert split_trailing_dates(body) == expected


# --------------------------------------------------------------------------- render and EDTF

# (schedule, with year, without year)
RENDER_CASES = [
    (days(seg("2019-10-01", "2019-10-02")), "1-2 October 2019", "1-2 October"),
    (days(seg("2019-10-07")), "7 October 2019", "7 October"),
    (days(seg("2020-03-16", sh=AM, eh=AM)), "16 (AM) March 2020", "16 (AM) March"),
    (
        days(seg("2020-03-16", "2020-03-20", PM, AM)),
        "16 (PM)-20 (AM) March 2020",
        "16 (PM)-20 (AM) March",
    ),
    (
        days(seg("2019-10-21", "2019-10-22"), seg("2019-10-28", "2019-10-29")),
        "21-22 and 28-29 October 2019",
        "21-22 and 28-29 October",
    ),
    (
        days(seg("2019-10-01", "2019-10-02"), seg("2019-10-05", "2019-10-06"), seg("2019-10-08")),
        "1-2, 5-6 and 8 October 2019",
        "1-2, 5-6 and 8 October",
    ),
    (
        days(seg("2019-10-30", "2019-11-01")),
        "30 October - 1 November 2019",
        "30 October - 1 November",
    ),
    (
        days(seg("2019-12-30", "2020-01-02")),
        "30 December 2019 - 2 January 2020",
        "30 December - 2 January",
    ),
    (
        days(seg("2019-10-30", "2019-11-01"), seg("2019-11-05")),
        "30 October - 1 November and 5 November 2019",
        "30 October - 1 November and 5 November",
    ),
    (
        days(seg("2019-12-28", "2019-12-29"), seg("2020-01-02", "2020-01-03")),
        "28-29 December 2019 and 2-3 January 2020",
        "28-29 December and 2-3 January",
    ),
    (days(seg("2019-11-30"), deadline=True), "by 30 November 2019", "by 30 November"),
    (
        days(seg("2020-01-22", "2020-01-23"), tentative=True),
        "22-23 January 2020 (dates TBC)",
        "22-23 January (dates TBC)",
    ),
    (
        days(seg("2020-01-31"), deadline=True, tentative=True),
        "by 31 January 2020 (dates TBC)",
        "by 31 January (dates TBC)",
    ),
    (unscheduled("2020-03"), "March 2020 (dates TBD)", "dates TBD"),
]


@pytest.mark.parametrize(
    ("schedule", "with_year", "without_year"), RENDER_CASES, ids=[c[1] for c in RENDER_CASES]
)
def test_render_schedule(schedule: Schedule, with_year: str, without_year: str) -> None:
    assert render_schedule(schedule) == with_year
    assert render_schedule(schedule, with_year=False) == without_year


EDTF_CASES = [
    (days(seg("2019-10-01", "2019-10-02")), "2019-10-01/2019-10-02"),
    (days(seg("2019-10-07")), "2019-10-07"),
    (
        days(seg("2019-10-21", "2019-10-22"), seg("2019-10-28", "2019-10-29")),
        "{2019-10-21..2019-10-22,2019-10-28..2019-10-29}",
    ),
    (
        days(seg("2019-10-01", "2019-10-02"), seg("2019-10-08")),
        "{2019-10-01..2019-10-02,2019-10-08}",
    ),
    (days(seg("2019-11-30"), deadline=True), "../2019-11-30"),
    (days(seg("2020-01-31"), deadline=True, tentative=True), "../2020-01-?31"),
    (days(seg("2020-01-22", "2020-01-23"), tentative=True), "2020-01-?22/2020-01-?23"),
    (days(seg("2020-01-22"), tentative=True), "2020-01-?22"),
    (unscheduled("2020-03"), "2020-03-XX"),
    (days(seg("2020-03-16", "2020-03-20", PM, AM)), "2020-03-16/2020-03-20"),
    (days(seg("2019-12-30", "2020-01-02")), "2019-12-30/2020-01-02"),
]


@pytest.mark.parametrize(("schedule", "expected"), EDTF_CASES, ids=[c[1] for c in EDTF_CASES])
def test_to_edtf(schedule: Schedule, expected: str) -> None:
    assert to_edtf(schedule) == expected


# --------------------------------------------------------------------------- round trips

halves = st.sampled_from([None, HalfDay.AM, HalfDay.PM])


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    if draw(st.integers(0, 4)) == 0:
        return unscheduled(f"{draw(st.integers(2015, 2030))}-{draw(st.integers(1, 12)):02d}")
    cursor = draw(st.dates(date(2015, 1, 1), date(2030, 12, 31)))
    segments = []
    for _ in range(draw(st.integers(1, 4))):
        length = draw(st.sampled_from([0, 0, 1, 2, 4, 10, 40]) | st.integers(0, 90))
        end = cursor + timedelta(days=length)
        if length == 0:
            half = draw(halves)
            segments.append(Segment(start=cursor, end=end, start_half=half, end_half=half))
        else:
            segments.append(
                Segment(start=cursor, end=end, start_half=draw(halves), end_half=draw(halves))
            )
        cursor = end + timedelta(days=draw(st.integers(1, 120)))
    assume(segments[-1].end <= date(2030, 12, 31))
    one_day = len(segments) == 1 and segments[0].start == segments[0].end
    return days(
        *segments,
        tentative=draw(st.booleans()),
        deadline=one_day and draw(st.booleans()),
        inferred=False,
    )


def months_spanned(schedule: Schedule) -> int:
    return (
        (schedule.end.year - schedule.start.year) * 12 + schedule.end.month - schedule.start.month
    )


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(schedules())
def test_render_then_parse_keeps_the_meaning(schedule: Schedule) -> None:
    text = render_schedule(schedule)
    assert parse_schedule(text).meaning() == schedule.meaning(), text


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(schedules())
def test_render_without_year_under_its_heading_keeps_the_meaning(schedule: Schedule) -> None:
    # Without years a month can only be told from the same month a year later.
    assume(months_spanned(schedule) < 12)
    text = render_schedule(schedule, with_year=False)
    parsed = parse_schedule(text, context_month=schedule.month)
    assert parsed.meaning() == schedule.meaning(), text


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(schedules())
def test_split_finds_a_rendered_date_after_a_title(schedule: Schedule) -> None:
    for text in (render_schedule(schedule), render_schedule(schedule, with_year=False)):
        assert split_trailing_dates(f"Workshop 2, Accra, Ghana, {text}") == (
            "Workshop 2, Accra, Ghana",
            text,
        )


# --------------------------------------------------------------------------- periods

GOOD_PERIODS = [
    (parse_month_period, "2019-11", (date(2019, 11, 1), date(2019, 11, 30))),
    (parse_month_period, "2020-02", (date(2020, 2, 1), date(2020, 2, 29))),
    (parse_month_period, "November 2019", (date(2019, 11, 1), date(2019, 11, 30))),
    (parse_month_period, "Nov 2019", (date(2019, 11, 1), date(2019, 11, 30))),
    (parse_month_period, "sept 2019", (date(2019, 9, 1), date(2019, 9, 30))),
    (parse_month_period, " 2019-12 ", (date(2019, 12, 1), date(2019, 12, 31))),
    (parse_quarter, "Q4-2019", (date(2019, 10, 1), date(2019, 12, 31))),
    (parse_quarter, "2019-Q4", (date(2019, 10, 1), date(2019, 12, 31))),
    (parse_quarter, "Q4 2019", (date(2019, 10, 1), date(2019, 12, 31))),
    (parse_quarter, "q4-2019", (date(2019, 10, 1), date(2019, 12, 31))),
    (parse_quarter, "2019Q4", (date(2019, 10, 1), date(2019, 12, 31))),
    (parse_quarter, "Q1-2020", (date(2020, 1, 1), date(2020, 3, 31))),
    (parse_quarter, "Q2-2020", (date(2020, 4, 1), date(2020, 6, 30))),
    (parse_quarter, "Q3-2020", (date(2020, 7, 1), date(2020, 9, 30))),
    (parse_year, "2020", (date(2020, 1, 1), date(2020, 12, 31))),
    (parse_day, "2019-11-28", date(2019, 11, 28)),
    (parse_day, "2020-02-29", date(2020, 2, 29)),
]


@pytest.mark.parametrize(
    ("parser", "value", "expected"),
    GOOD_PERIODS,
    ids=[f"{c[0].__name__}({c[1].strip()})" for c in GOOD_PERIODS],
)
def test_period_parsers(parser: object, value: str, expected: object) -> None:
    assert callable(parser)
    assert parser(value) == expected


BAD_PERIODS = [
    (parse_month_period, "2019-13", "invalid month '2019-13': expected YYYY-MM, e.g. 2019-11"),
    (parse_month_period, "2019-00", "invalid month '2019-00': expected YYYY-MM"),
    (parse_month_period, "2019-1", "invalid month '2019-1': expected YYYY-MM"),
    (parse_month_period, "11/2019", "invalid month '11/2019': expected YYYY-MM"),
    (parse_month_period, "Smarch 2019", "invalid month 'Smarch 2019': expected YYYY-MM"),
    (parse_month_period, "November", "invalid month 'November': expected YYYY-MM"),
    (parse_month_period, "", "invalid month '': expected YYYY-MM"),
    (
        parse_quarter,
        "Q5-2019",
        "invalid quarter 'Q5-2019': expected Q1-Q4 and a year, e.g. Q4-2019",
    ),
    (parse_quarter, "Q0-2019", "invalid quarter 'Q0-2019': expected Q1-Q4 and a year"),
    (parse_quarter, "Q4", "invalid quarter 'Q4': expected Q1-Q4 and a year"),
    (parse_quarter, "2019", "invalid quarter '2019': expected Q1-Q4 and a year"),
    (parse_quarter, "Q4-19", "invalid quarter 'Q4-19': expected Q1-Q4 and a year"),
    (parse_year, "20", "invalid year '20': expected a four-digit year, e.g. 2020"),
    (parse_year, "twenty", "invalid year 'twenty': expected a four-digit year"),
    (parse_year, "0000", "invalid year '0000': expected a four-digit year"),
    (parse_year, "2020-01", "invalid year '2020-01': expected a four-digit year"),
    # parse_day's rows: tests/test_option_dates.py.
]


@pytest.mark.parametrize(
    ("parser", "value", "message"),
    BAD_PERIODS,
    ids=[f"{c[0].__name__}({c[1] or 'empty'})" for c in BAD_PERIODS],
)
def test_period_parsers_reject(parser: object, value: str, message: str) -> None:
    assert callable(parser)
    with pytest.raises(UsageError) as caught:
        parser(value)
    assert message in caught.value.message
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("first", "label"),
    [(date(2019, 11, 1), "November 2019"), (date(2020, 9, 30), "September 2020")],
    ids=["November 2019", "September 2020"],
)
def test_month_label(first: date, label: str) -> None:
    assert month_label(first) == label
