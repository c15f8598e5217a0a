"""``clashes`` as a table (``views/pairtable.py``) is the text Rich's ``Table`` draws of the
same pairs (``PairsView(rich_table=True)``), byte for byte: colours and all on a terminal,
plain and trimmed piped, at any width, on the bundled store and generated ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.generate import write as generate

from inventory.clashes import Pair, find_pairs
from inventory.model import Activity
from inventory.store import open_store
from inventory.views.console import render_text
from inventory.views.planning import PairsView
from tests.helpers import BUNDLED_STORE, made

WIDTHS = (None, 24, 31, 40, 52, 67, 80, 100, 120, 173)


def _pairs(path: Path, min_score: int = 0) -> list[Pair]:
    with open_store(str(path)) as store:
        activities = store.select().activities
    return find_pairs(activities, min_score=min_score)


def _same(pairs: list[Pair]) -> None:
    for terminal in (False, True):
        for width in WIDTHS:
            ours = render_text(PairsView(pairs, "Clashes"), width=width, terminal=terminal)
            rich = render_text(PairsView(pairs, "Clashes", rich_table=True), width=width,
                               terminal=terminal)  # fmt: skip
            assert ours == rich, (width, terminal)


def test_the_bundled_stores_pairs_are_drawn_as_rich_draws_them() -> None:
    pairs = _pairs(BUNDLED_STORE)
    assert len(pairs) > 50
    _same(pairs)
    _same(pairs[:1])


@pytest.mark.parametrize("seed", [1, 2])
def test_a_generated_stores_pairs_are_drawn_as_rich_draws_them(tmp_path: Path, seed: int) -> None:
    generate(tmp_path / "g.csv", 800, seed=seed)
    pairs = _pairs(tmp_path / "g.csv")
    assert len(pairs) > 20
    _same(pairs)


def _pair(title: str, other: str, city: str = "Accra") -> list[Pair]:
    activities: list[Activity] = [
        made("aaaaaaaa", title, "3-4 May", city=city, country=("GH", "Ghana")),
        made("bbbbbbbb", other, "3-4 May", city=city, country=("GH", "Ghana")),
    ]
    return find_pairs(activities)


def test_long_words_wide_characters_and_tabs_are_drawn_as_rich_draws_them() -> None:
    # A word longer than the column is folded; a wide character goes back to Rich; a tab
    # or runs of spaces in a title are cleaned by the model already.
    _same(_pair("Workshop " + "x" * 70 + " on evidence", "Workshop on evidence"))
    _same(_pair("Atelier sur la preuve 電子証拠", "Atelier sur la preuve"))
    _same(_pair("Workshop\ton evidence", "Workshop on evidence"))
    _same(_pair("   Workshop   on evidence  ", "Workshop on evidence"))


def test_the_table_is_as_written_by_hand_at_60_columns() -> None:
    # Score 5 + a pad, Kind 12 at most + 2 pads, the pair's longest line (the city's reason,
    # 55) + a pad: 76, and two dividers, over 60: the pair's column gives way, to 38, and
    # its text wraps at 37; "likely duplicate" wraps in Kind's 12. Accra holds both of the
    # two activities: a usual venue, 10 points instead of 20.
    text = render_text(
        PairsView(_pair("Workshop on evidence", "Workshop on evidence"), "T"), width=60
    )
    assert text.splitlines() == [
        "T: 1 likely duplicate",
        "Score   Kind           Activities, and the evidence (points)",
        "─" * 60,
        "   95   likely         aaaaaaaa  3-4 May 2020  GLACY+",
        "        duplicate      Workshop on evidence, Accra, Ghana",
        "                       bbbbbbbb  3-4 May 2020  GLACY+",
        "                       Workshop on evidence, Accra, Ghana",
        "                       +40 same dates (3-4 May)",
        "                       +10 same city (Accra), a usual venue:",
        "                       2 of 2 activities",
        "                       +15 shared project (GLACY+)",
        "                       +30 similar wording (1.00: evidence,",
        "                       workshop)",
    ]


def test_rich_draws_only_what_the_table_cannot_draw_exactly() -> None:
    import io

    from inventory.views.console import make_console
    from inventory.views.pairtable import pair_table
    from inventory.views.planning import KIND_STYLES, PAIR_HEADERS, pair_pieces

    def drawn(pairs: list[Pair], width: int) -> bool:
        console = make_console(io.StringIO(), width=width)
        rows = [(str(p.score), p.kind.value, KIND_STYLES[p.kind], pair_pieces(p)) for p in pairs]
        return pair_table(console, console.options, rows, PAIR_HEADERS, True) is not None

    assert drawn(_pairs(BUNDLED_STORE), 80)
    assert drawn(_pair("Workshop " + "x" * 70, "Workshop"), 80)  # folded, as Rich folds
    assert not drawn(_pair("Atelier 電子証拠", "Atelier"), 80)
    assert not drawn(_pairs(BUNDLED_STORE), 24)  # "likely" cut with an ellipsis in Kind


def test_a_rich_without_the_private_parts_the_table_borrows_draws_its_own_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # views/pairtable.py wraps as Rich's private rich._wrap.divide_line does (Rich's own
    # Text bound it when imported): a Rich that moves it must still print the table (its
    # own), not fail.
    import rich._wrap

    from inventory.views import pairtable

    pairs = _pairs(BUNDLED_STORE)[:5]
    theirs = render_text(PairsView(pairs, "Clashes", rich_table=True), width=100)
    drawn: list[object] = []
    original = pairtable.pair_table
    monkeypatch.setattr(
        pairtable, "pair_table", lambda *a, **k: drawn.append(out := original(*a, **k)) or out
    )
    monkeypatch.delattr(rich._wrap, "divide_line")
    assert render_text(PairsView(pairs, "Clashes"), width=100) == theirs
    assert drawn == [None]  # it did step aside
