"""Matching keys for text typed by people: case, accents, curly quotes and spacing do not
count. Standard library only: a query folds its ``--search`` and ``--city`` before it knows
whether it will build a model at all."""

from __future__ import annotations

import re
import unicodedata

# Latin letters that NFKD leaves whole: without this "Łódź" or "Tromsø" would never
# match the plain spelling a newsletter writer types.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"}
)
# Word's autocorrected quotes: "Stakeholders’ meeting" is the title typed by hand.
_QUOTES = str.maketrans({"’": "'", "‘": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})


# The Combining Diacritical Marks blocks: accents, as opposed to the vowel signs of other
# scripts. A regex strips them far faster than a per-character unicodedata.combining() test,
# which matters for the 30,000 accented gazetteer names keyed at start-up.
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Casefold, strip accents, straighten curly quotes and collapse whitespace, for
    matching that ignores case, accents and typographic quotes."""
    if text.isascii():  # nothing to decompose, strip or straighten: case and spaces only
        return " ".join(text.lower().split())
    bare = _ACCENTS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return " ".join(bare.translate(_UNDECOMPOSED).translate(_QUOTES).split())


def project_key(name: str) -> str:
    """How a project name or alias is looked up: case and spaces vary between issues of the
    newsletter ("GLACY+", "Glacy +")."""
    return "".join(ch for ch in name.casefold() if not ch.isspace())


def registry_names(text: str) -> dict[str, str]:
    """Every name and alias of a projects.csv text by :func:`project_key`, to the project's
    name: read with the csv module alone, so a query on a server store resolves
    ``--project`` without building the registry's models (tests compare it with them)."""
    import csv
    import io

    from .vocab import LIST_SEPARATOR

    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))):
        name = (row.get("name") or "").strip()
        aliases = (row.get("aliases") or "").split(LIST_SEPARATOR)
        for spelling in (name, *aliases):
            if spelling.strip() and name:
                names[project_key(spelling.strip())] = name
    return names
