"""A list of activities piped (no colour to print) is drawn line by line
(``views/plaintable.py``): the same text Rich's ``Table`` draws of it
(``ActivityTable(rich_table=True)``), byte for byte, at any width and with none, on the
bundled store and generated ones; a cell it cannot draw as Rich would goes to Rich."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.generate import write as generate

from inventory.model import Activity
from inventory.store import open_store
from inventory.views import plaintable
from inventory.views.console import render_text
from inventory.views.listing import ActivityTable
from tests.helpers import BUNDLED_STORE, made

WIDTHS = (None, 30, 45, 60, 72, 80, 100, 120, 173, 250)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each table was drawn here (True) or left to Rich (False)."""
    found: list[bool] = []
    original = plaintable.plain_table

    def recorded(*args: object, **kwargs: object) -> list[str] | None:
        lines = original(*args, **kwargs)  # type: ignore[arg-type]
        found.append(lines is not None)
        return lines

    monkeypatch.setattr(plaintable, "plain_table", recorded)
    return found


def _same(activities: list[Activity], drawn: list[bool]) -> list[int | None]:
    """The widths at which the table was drawn here (not left to Rich)."""
    here = []
    for width in WIDTHS:
        before = len(drawn)
        ours = render_text(ActivityTable(activities), width=width)
        if drawn[before:] == [True]:
            here.append(width)
        rich = render_text(ActivityTable(activities, rich_table=True), width=width)
        assert ours == rich, width
    return here


def test_the_bundled_store_is_listed_as_rich_lists_it(drawn: list[bool]) -> None:
    with open_store(str(BUNDLED_STORE)) as store:
        activities = store.select().activities
    # Narrow, the table turns into three columns, which Rich draws.
    assert {None, 100, 120, 173, 250} <= set(_same(activities, drawn))
    assert {None, 72, 80, 100, 120} <= set(_same(activities[:1], drawn))
    # By hand at 100 columns, the first lines of November 2019:
    november = [a for a in activities if a.schedule.month == "2019-11"]
    lines = render_text(ActivityTable(november), width=100).splitlines()
    assert lines[0].split() == ["ID", "Dates", "Projects", "Title", "Location"]
    assert set(lines[1]) == {"─"} and len(lines[1]) == 100
    # "GLACY+ INTERPOL Malware Analysis Training, LYON, FRANCE, 4-8 November"
    assert lines[2].split()[:5] == ["xa9w55j8", "4-8", "Nov", "GLACY+", "INTERPOL"]
    assert lines[2].endswith("Lyon,") and lines[3].endswith("France")


@pytest.mark.parametrize("seed", [3, 4])
def test_a_generated_store_is_listed_as_rich_lists_it(
    tmp_path: Path, seed: int, drawn: list[bool]
) -> None:
    generate(tmp_path / "g.csv", 400, seed=seed)
    with open_store(str(tmp_path / "g.csv")) as store:
        activities = store.select().activities
    assert {None, 100, 120, 250} <= set(_same(activities, drawn))


def test_long_words_and_odd_characters_are_drawn_as_rich_draws_them(drawn: list[bool]) -> None:
    cases = [
        # A word longer than the title's column is folded, as Rich folds it.
        [made("aaaaaaaa", "Workshop " + "x" * 90 + " on evidence", "3-4 May", city="Accra")],
        # Trailing and doubled spaces, and a place with no city.
        [made("bbbbbbbb", "Training  on   cybercrime ", "5 May", country=("GH", "Ghana"))],
        # A character two cells wide, and a tab: left to Rich.
        [made("cccccccc", "会议 on cybercrime", "6 May", city="Accra")],
    ]
    here = [_same(activities, drawn) for activities in cases]
    assert 120 in here[0] and 120 in here[1]
    assert here[2] == []


def test_an_id_longer_than_its_column_is_left_to_rich(drawn: list[bool]) -> None:
    long = made("abcdefghijk", "Training on cybercrime", "3 May", city="Accra")
    assert _same([long], drawn) == []
    assert drawn == []  # not even tried: Rich widens the column and shrinks the others
