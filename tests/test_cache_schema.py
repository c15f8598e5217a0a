"""The CSV store's cache keeps what an activity shares once and its own columns compactly
(store/cacheschema.py); its ``activity`` view puts each record, sort string and haystack back
together in SQL. These check the pieces of that SQL against Python on any input, beyond the
stores test_cache_rows.py compares whole."""

from __future__ import annotations

import sqlite3
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from inventory.folding import fold
from inventory.store import cacheschema

DB = sqlite3.connect(":memory:")


@given(st.integers(min_value=1, max_value=date.max.toordinal()))
def test_a_day_number_is_written_in_sql_as_isoformat_writes_it(day: int) -> None:
    sql = cacheschema._ISO.format("?")
    assert DB.execute(f"SELECT {sql}", (day,)).fetchone()[0] == date.fromordinal(day).isoformat()


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_the_view_gives_back_any_titles_casefold_and_fold(title: str) -> None:
    text, cf, folded = cacheschema.titles(title)
    row = "(SELECT ? AS title, ? AS cf, ? AS fold) r"
    got = DB.execute(
        f"SELECT {cacheschema._CASEFOLD}, {cacheschema._FOLDED} FROM {row}", (text, cf, folded)
    ).fetchone()
    assert got == (title.casefold(), fold(title))


def test_an_ascii_title_keeps_neither_its_casefold_nor_its_fold() -> None:
    assert cacheschema.titles("Workshop on CERT/CSIRT  cooperation") == (
        '"Workshop on CERT/CSIRT  cooperation"',
        None,
        "workshop on cert/csirt cooperation",
    )
    assert cacheschema.titles("Atelier à Paris") == (
        '"Atelier à Paris"',
        "atelier à paris",
        "atelier a paris",
    )


def test_a_shape_put_back_in_python_is_what_the_view_puts_back_in_sql() -> None:
    shape = ', "month": "\\u0001M", "start": "\\u0001S", "edtf": "\\u0001s/\\u0001e"}'
    for form in (0, 1, 2):
        expected = cacheschema.expand(shape, form, "2019-11", "2019-11-05", "2019-11-07")
        got = DB.execute(
            f"SELECT {cacheschema._EXPANDED} FROM (SELECT ? AS json, ? AS form) h, "
            "(SELECT '2019-11' AS month, ? AS start, ? AS \"end\") r",
            (shape, form, date(2019, 11, 5).toordinal(), date(2019, 11, 7).toordinal()),
        ).fetchone()[0]
        assert got == expected
    assert cacheschema.expand(shape, 2, "2019-11", "2019-11-05", "2019-11-07") == (
        ', "month": "2019-11", "start": "2019-11-05", "edtf": "2019-11-?05/2019-11-?07"}'
    )
    assert cacheschema.expand(shape, 1, "2019-11", "2019-11-05", "2019-11-07") == shape
