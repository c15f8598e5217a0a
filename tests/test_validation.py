"""``validate``'s likely duplicates: the similarity threshold, tuned on the bundled store
and on the ways one activity really gets entered twice."""

from __future__ import annotations

import pytest

from inventory.model import Activity
from inventory.validation import TITLE_SIMILARITY, likely_duplicates
from tests.helpers import BUNDLED_STORE, load

ACTIVITIES = load(BUNDLED_STORE).activities


def test_the_newsletter_lists_no_activity_twice_under_one_project_and_place() -> None:
    # Read off the newsletter's tables: no project lists one activity twice at the same
    # time and place (the Morocco training listed twice is in Morocco and in Strasbourg).
    assert likely_duplicates(ACTIVITIES) == []


def test_below_the_threshold_different_activities_would_be_reported() -> None:
    # At 60, the two GLACY+ legislation missions of February 2020 (Belize, Mexico) would
    # pair with the ECOWAS regional meeting, whose place and dates are not known yet.
    found = likely_duplicates(ACTIVITIES, 60)
    assert sorted((a.title[:25], b.place.text if b.place else "") for a, b, _ in found) == [
        ("Regional Meeting on Cyber", "Belize"),
        ("Regional Meeting on Cyber", "Mexico"),
    ]
    assert likely_duplicates(ACTIVITIES, 70) == []


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
    [original] = [a for a in ACTIVITIES if a.title.startswith(title_start)]
    [(first, second, score)] = likely_duplicates(_twice(original, second_title))
    assert {first.id, second.id} == {original.id, "zzzz" + original.id[4:]}
    assert score >= TITLE_SIMILARITY / 100
