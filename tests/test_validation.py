"""``validate``'s likely duplicates are the pairs ``clashes`` calls so (one scorer,
``clashes.find_pairs``): found on the ways one activity really gets entered twice, and on the
bundled store only where the newsletter lists one activity twice."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.clashes import DEFAULT_MIN_SCORE, PairKind, find_pairs
from inventory.errors import Problem
from inventory.model import Activity
from inventory.projects import load_registry
from inventory.validation import check, validate
from tests.helpers import BUNDLED_STORE, load, made

ACTIVITIES = load(BUNDLED_STORE).activities


def likely_duplicates(activities: list[Activity]) -> list[tuple[str, str]]:
    found = find_pairs(activities, kinds=(PairKind.DUPLICATE,), min_score=DEFAULT_MIN_SCORE)
    return [(p.first.id, p.second.id) for p in found]


def test_the_newsletter_lists_one_activity_twice() -> None:
    # Read off the newsletter's November table: the Morocco training of 28-29 November is
    # GLACY+'s "Training workshop ..., Morocco" and CyberSouth/GLACY+'s "The Presidency of
    # the Public Prosecution Office in Morocco trains reference prosecutors ...,
    # Strasbourg". No other pair of lines is one activity.
    assert likely_duplicates(ACTIVITIES) == [("2r44q18c", "3rp3x449")]


def test_validate_and_clashes_agree() -> None:
    problems = validate(ACTIVITIES, load_registry(), source="s.csv")
    warned = [p.message.split(":")[0] for p in problems if "likely duplicate" in p.message]
    assert warned == ["3rp3x449"]


def _twice(original: Activity, title: str) -> list[Activity]:
    copy = original.model_copy(update={"id": "zzzz" + original.id[4:], "title": title})
    return [original, copy]


@pytest.mark.parametrize(
    ("title_start", "second_title"),
    [
        ("Steering Commitee of CyberEast", "Steering Committee of the CyberEast Project"),
        ("4th INTEPROL Digital Security", "4th INTERPOL Digital Security Challenge"),
        ("Octopus Conference", "Octopus Conference on Cybercrime"),
        ("GFCE Annual Meeting", "Annual Meeting of the GFCE"),
        (
            "Stakeholders' meeting on the new",
            "Stakeholders’ meeting on the new Cybercrime Law, joint activity with OCWAR-C",
        ),
        ("Follow of on OSINT", "Follow up on OSINT training"),
    ],
)
def test_an_activity_entered_twice_is_found(title_start: str, second_title: str) -> None:
    # A typo, a word added or dropped, words reordered, a curly apostrophe: the same
    # project, place and days.
    [original] = [a for a in ACTIVITIES if a.title.startswith(title_start)]
    assert likely_duplicates(_twice(original, second_title)) in (
        [(original.id, "zzzz" + original.id[4:])],
        [("zzzz" + original.id[4:], original.id)],
    )


def test_the_same_title_elsewhere_is_a_series_not_a_duplicate() -> None:
    # The six CyberEast "Assessment of crime proceeds and reporting systems" of March 2020:
    # one title, one project, six countries.
    six = [a for a in ACTIVITIES if a.title == "Assessment of crime proceeds and reporting systems"]
    assert len(six) == 6
    assert likely_duplicates(six) == []


def test_validate_tells_its_progress_to_the_end() -> None:
    from inventory.projects import load_registry
    from inventory.validation import validate

    seen: list[tuple[int, int]] = []
    validate(ACTIVITIES, load_registry(), source="s", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 264) and seen[-1] == (264, 264)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# --- a store checked one activity at a time ----------------------------------------------------
#
# ``validate`` no longer holds the store: it checks each activity and lets it go, then
# searches its duplicates by first day from features kept on disk (``DuplicateSearch``).
# Below: pairs planted in every kind of group the search knows (a city, a country, a place
# named in a title, no place within a project), across the order a store gives (a "dates
# TBD" activity sorts at the end of its month but starts on its first day), checked against
# pairs worked out by hand, and against the all-in-memory ``find_pairs`` on random stores.

GHANA = ("GH", "Ghana")
MOROCCO = ("MA", "Morocco")
FRANCE = ("FR", "France")
PERU = ("PE", "Peru")


PLANTED = [
    # A city: the same training in Accra twice, two projects (aaa1 is the first: the same
    # days, and the lower id).
    made("aaa1", "Judicial training on electronic evidence", "4-5 May", city="Accra",
         country=GHANA),
    made("aaa2", "Judicial training on electronic evidence", "4-5 May", ("CyberEast",),
         city="Accra", country=GHANA),
    # A country, dates TBD against known days: b1 starts on 1 May (first) but sorts last.
    made("bbb1", "Assessment of the cybercrime unit", "dates TBD", country=PERU),
    made("bbb2", "Assessment of the cybercrime unit", "12-13 May", country=PERU),
    # A place named in a title: the Morocco training held in Strasbourg, one project.
    made("ccc1", "International cooperation workshop", "20-21 May", country=MOROCCO),
    made("ccc2", "Prosecutors of Morocco trained on cooperation", "20-21 May",
         city="Strasbourg", country=FRANCE),
    # No place, one project: a desk study listed twice.
    made("ddd1", "Report on cybercrime legislation", "by 29 May"),
    made("ddd2", "Report on the cybercrime legislation", "by 29 May"),
    # Not duplicates: the same title on days that do not overlap, the same title in
    # another country (a series), and a long activity over all of May in no place.
    made("eee1", "Judicial training on electronic evidence", "7-8 May", city="Accra",
         country=GHANA),
    made("eee2", "Judicial training on electronic evidence", "4-5 May", ("CyberEast",),
         country=PERU),
    made("fff1", "Programme steering committee", "1-31 May", ("CyberSouth",)),
]  # fmt: skip


def store_order(activities: list[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: a.sort_key())


def duplicate_warnings(problems: list[Problem]) -> list[tuple[str, str, int | None]]:
    """(warned id, id it duplicates, line) of each likely-duplicate warning, in order."""
    out = []
    for p in problems:
        if "likely duplicate of" in p.message:
            second, rest = p.message.split(": likely duplicate of ", 1)
            out.append((second, rest.split(" ")[0].split(",")[0], p.line))
    return out


def test_planted_duplicates_in_every_kind_of_group() -> None:
    activities = store_order(PLANTED)
    # Worked out by hand: f1 ("1-31 May") sorts by its first day, first; b1 ("dates TBD")
    # at the end of May, last. The pairs come by their first's place in that order, and b1
    # is the first of its pair (it starts on 1 May, b2 on the 12th) though it sorts last.
    assert [a.id for a in activities] == [
        "fff1", "aaa1", "aaa2", "eee2", "eee1", "bbb2", "ccc1", "ccc2", "ddd1", "ddd2", "bbb1"
    ]  # fmt: skip
    lines = {a.id: n for n, a in enumerate(PLANTED, start=2)}  # as if in the file's order
    written = {i: (n, {"id": i}) for i, n in lines.items()}
    problems = validate(activities, load_registry(), source="s.csv", as_written=written)
    assert duplicate_warnings(problems) == [
        ("aaa2", "aaa1", lines["aaa2"]),
        ("ccc2", "ccc1", lines["ccc2"]),
        ("ddd2", "ddd1", lines["ddd2"]),
        ("bbb2", "bbb1", lines["bbb2"]),
    ]
    # The first's line is named too; and each warning is of the title.
    warned = [p for p in problems if "likely duplicate" in p.message]
    assert f"likely duplicate of aaa1 (line {lines['aaa1']})" in warned[0].message
    assert {p.field for p in warned} == {"title"}
    # Every warning has its row's line (the duplicates come after the others).
    assert all(p.line is not None for p in problems)
    assert problems[-4:] == warned


def test_planted_duplicates_agree_with_find_pairs() -> None:
    activities = store_order(PLANTED)
    found = find_pairs(activities, kinds=(PairKind.DUPLICATE,), min_score=DEFAULT_MIN_SCORE)
    assert {(p.first.id, p.second.id) for p in found} == {
        ("aaa1", "aaa2"), ("bbb1", "bbb2"), ("ccc1", "ccc2"), ("ddd1", "ddd2")
    }  # fmt: skip
    assert reference_duplicates(activities) == duplicate_messages(
        validate(activities, load_registry(), source="s.csv")
    )


def reference_duplicates(activities: list[Activity]) -> list[str]:
    """validate's duplicate warnings as it made them before it streamed: every model held,
    ``find_pairs`` over all of them, sorted by the first then the second's sort key."""
    found = find_pairs(activities, kinds=(PairKind.DUPLICATE,), min_score=DEFAULT_MIN_SCORE)
    ordered = sorted(found, key=lambda p: (p.first.sort_key(), p.second.sort_key()))
    return [
        f"{p.second.id}: likely duplicate of {p.first.id}, score {p.score}: "
        + "; ".join(r.text for r in p.reasons)
        for p in ordered
    ]


def duplicate_messages(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if "likely duplicate" in p.message]


TITLES = [
    "Judicial training on electronic evidence",
    "Judicial training on evidence",
    "Assessment of the cybercrime unit",
    "Report on cybercrime legislation",
    "Workshop in Accra on cooperation",
    "Prosecutors of Morocco trained",
]
PLACES = [
    (None, None), ("Accra", GHANA), (None, GHANA), ("Lima", PERU), (None, MOROCCO),
    ("Strasbourg", FRANCE), ("Rabat", MOROCCO),
]  # fmt: skip
DATES = ["dates TBD", "4-5 May", "5-6 May", "1-31 May", "by 29 May", "12 (PM) - 13 May",
         "28 May - 2 June", "June (dates TBD)", "2 June", "7-8 May and 12 May"]  # fmt: skip
PROJECTS = [("GLACY+",), ("CyberEast",), ("GLACY+", "CyberEast"), ("CyberSouth",), ()]


@st.composite
def stores(draw: st.DrawFn) -> list[Activity]:
    count = draw(st.integers(min_value=0, max_value=14))
    out = []
    for n in range(count):
        city, country = draw(st.sampled_from(PLACES))
        out.append(
            made(
                f"x{n:03d}",
                draw(st.sampled_from(TITLES)),
                draw(st.sampled_from(DATES)),
                draw(st.sampled_from(PROJECTS)),
                city=city,
                country=country,
            )
        )
    return store_order(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores())
def test_streamed_duplicates_are_find_pairs(activities: list[Activity]) -> None:
    assert duplicate_messages(
        validate(activities, load_registry(), source="s")
    ) == reference_duplicates(activities)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores())
def test_duplicates_searched_in_two_processes_by_first_day_are_find_pairs(
    activities: list[Activity],
) -> None:
    # workers=2 searches the days before the middle activity's first day in a forked
    # process: the pairs across the middle day are this process's, found once.
    problems = check(activities, load_registry(), source="s", count=len(activities), workers=2)
    assert duplicate_messages(list(problems)) == reference_duplicates(activities)


def test_a_pair_on_each_side_of_the_middle_day_is_found_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Starts 1, 1, 4, 5, 20, 21 May: the middle activity starts on 5 May, so the forked
    # process searches 1-4 May (the Rabat pair) and this one 5 May on, holding the Accra
    # activity of 4-7 May that still runs then (the Accra pair). Scores by hand: same
    # dates 40, or 3 of 4 days 10 + 15; Rabat and Accra each hold 2 of the 6 activities,
    # above 8%, so a usual venue, 20 // 2; shared project 15; the same words 30.
    import inventory.validation as validation

    split: list[int] = []
    forked = validation._search_forked

    def recorded(search: Any, spilled: str, middle: int, into: str) -> Any:
        split.append(middle)
        return forked(search, spilled, middle, into)

    monkeypatch.setattr(validation, "_search_forked", recorded)
    activities = straddling()
    problems = check(activities, load_registry(), source="s", count=6, workers=2)
    assert duplicate_messages(list(problems)) == [
        "rrr2: likely duplicate of rrr1, score 95: same dates (1-2 May); same city (Rabat), a "
        "usual venue: 2 of 6 activities; shared project (CyberSouth); similar wording (1.00: "
        "morocco, prosecutor, trained)",
        "aaa2: likely duplicate of aaa1, score 80: 3 of 4 days in common (5-7 May); same city "
        "(Accra), a usual venue: 2 of 6 activities; shared project (GLACY+); similar wording "
        "(1.00: electronic, evidence, judicial, train)",
    ]
    assert split == [date(2020, 5, 5).toordinal()]


def straddling() -> list[Activity]:
    """Six activities starting 1, 1, 4, 5, 20 and 21 May: a pair entered twice in Rabat
    before the middle activity's day, and one in Accra across it."""
    morocco = ("Prosecutors of Morocco trained", "1-2 May", ("CyberSouth",), "Rabat", MOROCCO)
    accra = ("Judicial training on electronic evidence", ("GLACY+",), "Accra", GHANA)
    return store_order(
        [
            made("rrr1", *morocco),
            made("rrr2", *morocco),
            made("aaa1", accra[0], "4-7 May", *accra[1:]),
            made("aaa2", accra[0], "5-7 May", *accra[1:]),
            made(
                "lll1", "Assessment of the cybercrime unit", "20 May", ("CyberEast",), "Lima", PERU
            ),
            made(
                "lll2", "Report on cybercrime legislation", "21 May", ("CyberEast",), "Lima", PERU
            ),
        ]
    )


def test_a_failed_half_of_the_search_fails_the_check(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    import inventory.validation as validation

    parent = os.getpid()
    write = validation._write_found

    def failing(found: Any, rows: Any) -> None:
        if os.getpid() != parent:
            raise OSError("No space left on device")
        write(found, rows)

    monkeypatch.setattr(validation, "_write_found", failing)
    with pytest.raises(RuntimeError, match="second process failed"):
        list(check(straddling(), load_registry(), source="s", count=6, workers=2))
    assert "OSError: No space left on device" in capfd.readouterr().err
