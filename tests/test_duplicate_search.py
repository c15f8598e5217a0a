"""``validate``'s duplicate search (``duplicate_search.DuplicateSearch``) compares only candidates:
activities that share a place group and a project or a word of their titles' rarest words.
Below it is held against the plain definition, every pair of a store scored (the oracle),
and its comparisons are counted on stores where the candidates are known by hand."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.clashes import DEFAULT_MIN_SCORE, PairKind, _assess, _Corpus
from inventory.duplicate_search import DuplicateSearch
from inventory.model import Activity
from tests.helpers import made

Found = set[tuple[str, str, int, tuple[str, ...]]]


def all_pairs(activities: list[Activity]) -> Found:
    """The oracle: every pair of the store scored, each the way round the search gives it
    (the one with the earlier window first, then the lower id)."""
    corpus = _Corpus.of(activities)
    out: Found = set()
    for a, b in combinations(activities, 2):
        fa, fb = corpus.features(a), corpus.features(b)
        if ((fa.start, fa.end), fa.ident) > ((fb.start, fb.end), fb.ident):
            fa, fb = fb, fa
        verdict = _assess(fa, fb, corpus)
        if verdict and verdict[0] is PairKind.DUPLICATE and verdict[1] >= DEFAULT_MIN_SCORE:
            out.add((fa.ident, fb.ident, verdict[1], tuple(r.text for r in verdict[2])))
    return out


def searched(activities: list[Activity]) -> tuple[Found, int]:
    """What the search finds, and how many pairs it compared."""
    search: DuplicateSearch[str] = DuplicateSearch()
    packed = [(a.id, search.add(a)) for a in activities]
    packed.sort(key=lambda p: p[1][0])  # by first day, as validate reads them back
    found = {
        (d.first_id, d.second_id, d.score, tuple(r.text for r in d.reasons))
        for d in search.search((tag, values) for tag, (_, values) in packed)
    }
    return found, search.compared


GHANA = ("GH", "Ghana")
MOROCCO = ("MA", "Morocco")
FRANCE = ("FR", "France")
TITLES = [
    "Judicial training on electronic evidence",
    "Judicial training on evidence",
    "Training on electronic evidence for judges",
    "Assessment of the cybercrime unit",
    "Cybercrime unit assessment mission",
    "Report on cybercrime legislation",
    "Workshop in Accra on cooperation",
    "Prosecutors of Morocco trained",
    "International cooperation workshop",
]
PLACES = [
    (None, None), ("Accra", GHANA), (None, GHANA), (None, MOROCCO), ("Rabat", MOROCCO),
    ("Strasbourg", FRANCE),
]  # fmt: skip
DATES = ["dates TBD", "4-5 May", "5-6 May", "1-31 May", "by 29 May", "12 (PM) - 13 May",
         "28 May - 2 June", "4 May", "7-8 May and 12 May"]  # fmt: skip
PROJECTS = [("GLACY+",), ("CyberEast",), ("GLACY+", "CyberEast"), ("CyberSouth",), ()]
# How a second listing of one activity differs from the first.
RETITLED = [lambda t: t, str.upper, lambda t: t + " (follow-up)", lambda t: "Session: " + t]


@st.composite
def stores_with_planted_duplicates(draw: st.DrawFn) -> list[Activity]:
    out = []
    for n in range(draw(st.integers(min_value=0, max_value=16))):
        city, country = draw(st.sampled_from(PLACES))
        title = draw(st.sampled_from(TITLES))
        dates = draw(st.sampled_from(DATES))
        projects = draw(st.sampled_from(PROJECTS))
        out.append(made(f"x{n:03d}", title, dates, projects, city=city, country=country))
        if draw(st.booleans()):  # entered twice, the second time a little differently
            retitle = draw(st.sampled_from(RETITLED))
            again = draw(st.sampled_from([dates, *DATES]))
            where = draw(st.sampled_from([(city, country), *PLACES]))
            out.append(made(f"y{n:03d}", retitle(title), again, projects, *where))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores_with_planted_duplicates())
def test_the_search_finds_exactly_the_pairs_scoring_every_pair_finds(
    activities: list[Activity],
) -> None:
    found, compared = searched(activities)
    assert found == all_pairs(activities)
    assert compared <= len(activities) * (len(activities) - 1) // 2


def unrelated(count: int) -> list[Activity]:
    """Activities all in Accra on 4-5 May (one place group, the same days: every pair
    overlaps), each of its own project with a title of two words no other title has."""
    letters = "bcdfghjkmnpqrstvwxz"

    def word(n: int, k: int) -> str:
        return "q" + letters[n % 19] + letters[n // 19 % 19] + letters[k]

    return [
        made(f"u{n:03d}", f"{word(n, 0)} {word(n, 1)}", "4-5 May", (f"P{n}",), "Accra", GHANA)
        for n in range(count)
    ]


def planted(activities: list[Activity], count: int) -> list[Activity]:
    """``count`` of them entered twice: the same title, days, place and project."""
    copies = [
        made(f"v{n:03d}", a.title, "4-5 May", a.projects, "Accra", GHANA)
        for n, a in enumerate(activities[:count])
    ]
    return activities + copies


def test_unrelated_activities_in_one_place_at_one_time_are_never_compared() -> None:
    # 60 activities on the same days in one city: 1770 pairs that overlap in one place
    # group, but no two share a project or a word, so none is a candidate.
    found, compared = searched(unrelated(60))
    assert (found, compared) == (set(), 0)


def test_the_pairs_compared_are_the_candidates_however_big_the_store() -> None:
    # Five activities entered twice among 30, then among 120 (435 and 7140 pairs that
    # overlap in Accra): each copy shares its project and both title words with its
    # original, and nothing with the rest, so the five pairs are compared and no other.
    for size in (30, 120):
        store = planted(unrelated(size), 5)
        found, compared = searched(store)
        assert compared == 5
        assert {(first, second) for first, second, _, _ in found} == {
            ("u000", "v000"), ("u001", "v001"), ("u002", "v002"), ("u003", "v003"),
            ("u004", "v004"),
        }  # fmt: skip
        assert found == all_pairs(store)


def test_activities_with_no_day_known_sharing_only_a_team_are_never_compared() -> None:
    # Twenty "dates TBD" activities of one project in Accra, each titled with words no other
    # has: a shared team makes two with known days at the same time one listed twice, but
    # not two whose days may differ, so no pair is a candidate; a copy of one (the same
    # words) is the one pair compared.
    alone = [
        made(f"t{n:03d}", a.title, "dates TBD", ("GLACY+",), "Accra", GHANA)
        for n, a in enumerate(unrelated(20))
    ]
    assert searched(alone) == (set(), 0)
    copied = [*alone, made("t999", alone[3].title, "dates TBD", ("GLACY+",), "Accra", GHANA)]
    found, compared = searched(copied)
    assert compared == 1
    assert {(first, second) for first, second, _, _ in found} == {("t003", "t999")}
    assert found == all_pairs(copied)
