"""``validate``'s likely duplicates are the pairs ``clashes`` calls so (one scorer,
``pairs.find_pairs``): found on the ways one activity really gets entered twice, and on the
bundled store only where the newsletter lists one activity twice."""

from __future__ import annotations

import pytest

from inventory.model import Activity
from inventory.pairs import DEFAULT_MIN_SCORE, PairKind, find_pairs
from inventory.projects import load_registry
from inventory.validation import validate
from tests.helpers import BUNDLED_STORE, load

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
