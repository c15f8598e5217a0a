"""Clashes and likely duplicates (``clashes``), on the real store and on made-up activities.

Every expected pair below was worked out by hand from the lines of
tests/fixtures/newsletter-2019-q4.txt (which activities share days, a project or a place),
not taken from the program's output.
"""

from __future__ import annotations

from datetime import date

import pytest

from inventory.clashes import PairKind, find_pairs
from inventory.model import Activity
from inventory.months import parse_quarter
from inventory.query import Criteria
from inventory.titlewords import title_words
from tests.helpers import BUNDLED_STORE, Loaded, find, in_period, load, made


@pytest.fixture(scope="module")
def store() -> Loaded:
    return load(BUNDLED_STORE)


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
