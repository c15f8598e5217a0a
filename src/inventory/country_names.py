"""Country names in every language pycountry carries: its gettext catalogues of ISO 3166-1
(``gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])``), so that a
newsletter written in French ("Maroc", "Allemagne", "les Pays-Bas") or another language
names its countries as the English one does.

Only the import path reads these (:func:`.places.split_place`), and only once an English
name has not matched: reading 159 catalogues takes a few tenths of a second that a query
never pays.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator

__all__ = ["translated_names"]

_DOMAIN = "iso3166-1"


def _languages(locales: str) -> list[str]:
    found = []
    for language in sorted(os.listdir(locales)):
        if os.path.isfile(os.path.join(locales, language, "LC_MESSAGES", f"{_DOMAIN}.mo")):
            found.append(language)
    return found


def translated_names() -> Iterator[tuple[str, str]]:
    """(name, alpha-2 code) for the name, common name and official name of every country in
    every language pycountry has a catalogue for; English spellings (untranslated entries)
    are left out, the caller has them."""
    import pycountry

    locales = pycountry.LOCALES_DIR
    records = [
        (record.alpha_2, value)
        for record in pycountry.countries
        for attr in ("name", "common_name", "official_name")
        if (value := getattr(record, attr, None))
    ]
    for language in _languages(locales):
        catalogue = gettext.translation(_DOMAIN, locales, languages=[language])
        for code, english in records:
            name = catalogue.gettext(english)
            if name != english:
                yield name, code
