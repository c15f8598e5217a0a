"""Month names in the languages the newsletter is written in: English and French.

English comes from :mod:`.months` (standard library only). The other languages are
``dateutil.parser.parserinfo`` subclasses: that class is dateutil's own per-language table
of month names (``MONTHS``, a tuple of spellings a month), so a language is declared once in
a form dateutil's parser reads too (``parse("5 novembre 2019", parserinfo=...)``), and the
newsletter grammar (:mod:`.dates`) looks a word up through ``parserinfo.month``. The grammar
itself stays ours: dateutil guesses the parts a newsletter leaves out (see DATES.md).

The tables are built on first use: importing ``dateutil.parser`` costs some 25 ms that a
query over an English store never needs (its date texts hold only English month names).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .folding import fold
from .months import MONTH_NUMBERS

__all__ = ["FRENCH_MONTHS", "foreign_month", "month_number", "parserinfos"]

# With and without accents (both are typed, and capitals often lose them: DECEMBRE), and
# the abbreviations of the Imprimerie nationale (janv., févr., avr., juil., sept., oct., nov.,
# déc.). "mars", "mai", "juin" and "août" have none.
FRENCH_MONTHS: tuple[tuple[str, ...], ...] = (
    ("janv", "janvier"),
    ("févr", "fevr", "février", "fevrier"),
    ("mars",),
    ("avr", "avril"),
    ("mai",),
    ("juin",),
    ("juil", "juillet"),
    ("août", "aout"),
    ("sept", "septembre"),
    ("oct", "octobre"),
    ("nov", "novembre"),
    ("déc", "dec", "décembre", "decembre"),
)


@lru_cache(maxsize=1)
def parserinfos() -> tuple[Any, ...]:
    """One ``parserinfo`` a language other than English, in the order they are tried."""
    from dateutil.parser import parserinfo

    class French(parserinfo):
        # The stubs allow two or three spellings a month; dateutil itself takes any number.
        MONTHS: Any = list(FRENCH_MONTHS)  # noqa: RUF012 (dateutil reads it from the class)

    return (French(),)


@lru_cache(maxsize=4096)
def foreign_month(word: str) -> int | None:
    """The month (1-12) a word names in a language other than English, e.g. ``Décembre``."""
    key = fold(word)
    for info in parserinfos():
        number: int | None = info.month(key)
        if number is not None:
            return number
    return None


def month_number(word: str) -> int | None:
    """The month (1-12) a word names in English or another known language, any case and
    with or without accents: ``OCTOBER``, ``Oct``, ``octobre``, ``DÉCEMBRE``, ``fevrier``."""
    english = MONTH_NUMBERS.get(word.lower())
    return english if english is not None else foreign_month(word)
