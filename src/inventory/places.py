"""Where an activity happens: split the location off a title ("Workshop, Accra, Ghana"),
with the countries and cities of the ``gazetteer``, and say what about a place is doubtful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ParseError, excerpt
from .folding import fold
from .gazetteer import (
    WELL_KNOWN,
    cities_named,
    find_city,
    named_country,
)
from .model import Country, Place

__all__ = ["fold", "place_notices", "split_place", "unknown_country"]

# " – " and " - " glue a location to a title; a hyphen inside a word ("Congo-Brazzaville",
# "Mid-term") does not.
_DASH = re.compile(r"\s+[–—-]\s+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make a chunk an event, a body or a subject, not a town the gazetteer lacks.
_NOT_TOWN_WORDS = _words(
    """
    academy act agency annual assessment authorities authority bank bill board ceremony
    centre challenge college commission committee conference convention cooperation council
    course court day delegation department desk directorate embassy europe europol eurojust
    event evaluation exercise forum global government group guidelines interpol joint launch
    location meeting ministry mission module nations national network office online panel
    parliament plenary police programme program project projects protocol regional report
    review roundtable school seminar service services session study summit support symposium
    team training union unit units university venue virtual visit webinar week workshop
    academie atelier comite conference ecole etude formation ministere projet reunion
    seminaire visite
    """
)
# Lower-case words allowed inside a town name ("Aix-en-Provence", "Stratford upon Avon").
_TOWN_PARTICLES = _words(
    "a al am an and aan bei d da das de del della der des di do dos du e el en im l la le "
    "les los of on op sur sous upon y"
)


# Regions and non-places that the gazetteer knows as some town's alternate name ("Africa"
# is Mahdia, "Asia" a Philippine town): named alone after a title they are never that town.
_NOT_CITY_ALONE = _NOT_TOWN_WORDS | {
    fold(name)
    for name in (
        "Africa",
        "Asia",
        "America",
        "Americas",
        "Oceania",
        "Pacific",
        "Caribbean",
        "Balkans",
        "Western Balkans",
        "Latin America",
        "Middle East",
        "North Africa",
        "West Africa",
        "East Africa",
        "Southern Africa",
        "Sahel",
        "Maghreb",
        "Gulf",
        "Central Asia",
        "Caucasus",
        "South Caucasus",
        "Eastern Europe",
        "Eastern Partnership",
        "Worldwide",
        "International",
        "Commonwealth",
        "Central",
        "Hybrid",
        "Remote",
        "TBC",
        "TBD",
        # The same in French newsletters.
        "Afrique",
        "Afrique de l'Ouest",
        "Afrique du Nord",
        "Amérique latine",
        "Asie",
        "Asie centrale",
        "Balkans occidentaux",
        "Caraïbes",
        "Caucase",
        "Europe de l'Est",
        "Golfe",
        "Moyen-Orient",
        "Pacifique",
        "Partenariat oriental",
    )
}


@dataclass(frozen=True)
class _Span:
    """A candidate piece of the text: ``text[start:end]``, preceded by a separator at ``cut``."""

    start: int
    end: int
    cut: int


def _chunks(text: str) -> list[_Span]:
    spans: list[_Span] = []
    start = 0
    for match in re.finditer(",", text):
        spans.append(_Span(start, match.start(), max(start - 1, 0)))
        start = match.end()
    spans.append(_Span(start, len(text), max(start - 1, 0)))
    return spans


def _candidates(text: str, span: _Span, whole: bool) -> list[_Span]:
    """The chunk itself (when something precedes it) and the part after its last dash."""
    out: list[_Span] = []
    if whole:
        out.append(span)
    dashes = list(_DASH.finditer(text, span.start, span.end))
    if dashes:
        out.append(_Span(dashes[-1].end(), span.end, dashes[-1].start()))
    return out


def _piece(text: str, span: _Span) -> str:
    return text[span.start : span.end].strip()


def _starts_like_name(piece: str) -> bool:
    return bool(piece) and piece[0].isupper()


def _countries_in(piece: str) -> tuple[Country, ...] | None:
    """One country, or several joined by '/' or ';' (never "and": Bosnia and Herzegovina)."""
    found: list[Country] = []
    for part in re.split(r"[/;]", piece):
        country = named_country(part, city_first=True)
        if country is None:
            return None
        if country not in found:
            found.append(country)
    return tuple(found) or None


def _city_in(piece: str, country: str | None = None) -> tuple[str, Country] | None:
    if not _starts_like_name(piece):
        return None
    return find_city(piece, country)


def _looks_like_town(piece: str, shouting: bool) -> bool:
    """Whether a chunk before a country can be a town the gazetteer does not list."""
    if not _starts_like_name(piece) or re.search(r"[\d:()@+&/\"]", piece):
        return False
    words = re.split(r"[\s-]+", piece)
    if len(words) > 4:
        return False
    for word in words:
        bare = word.strip("'.’")
        if not bare:
            continue
        if fold(bare) in _NOT_TOWN_WORDS:
            return False
        # Acronyms (OSCE, CERT) are bodies, unless the whole location is in capitals.
        if bare.isupper() and len(bare) > 1 and not shouting:
            return False
        if not bare[0].isupper() and fold(bare) not in _TOWN_PARTICLES:
            return False
    return True


def _place_pair(
    first: str, second: str, allow_unknown: bool
) -> tuple[str | None, tuple[Country, ...]] | None:
    """Read two chunks as ``City, Country``, ``Country, City`` or ``Country, Country``.

    ``allow_unknown``: accept a town the gazetteer lacks before the country. Not after a
    dash, where a capitalised subtitle ("– Quantifying The Impact") is likelier than a town.
    """
    country = named_country(second)
    if country is not None:
        city = _city_in(first, country.code)
        if city is not None:
            return city[0], (country,)
        other = named_country(first)
        if other is not None:
            return None, (other,) if other == country else (other, country)
        if allow_unknown and _looks_like_town(first, shouting=second.isupper()):
            return " ".join(first.split()), (country,)
        return None
    country = named_country(first)
    if country is not None:
        city = _city_in(second, country.code)
        if city is not None:
            return city[0], (country,)
    return None


def _place_single(piece: str) -> tuple[str | None, tuple[Country, ...]] | None:
    countries = _countries_in(piece)
    if countries is not None:
        return None, countries
    if fold(piece) in _NOT_CITY_ALONE:
        return None
    city = _city_in(piece)
    if city is not None:
        return city[0], (city[1],)
    return None


def split_place(text: str) -> tuple[str, Place | None]:
    """Split ``Title, [City,] Country`` into the title and the place, if any.

    Only the last one or two comma-separated chunks are read, and a chunk is a place
    only if the whole of it is a country or a gazetteer city, so commas inside a title
    ("..., with the World Bank, Ethiopia") stay in the title. A location glued on with
    " – " or " - " is split off too. Without a recognisable location the whole text is
    the title.
    """
    text = text.strip()
    chunks = _chunks(text)
    last = chunks[-1]

    if len(chunks) >= 2:
        before = chunks[-2]
        for first in _candidates(text, before, whole=len(chunks) >= 3):
            pair = _place_pair(_piece(text, first), _piece(text, last), first == before)
            if pair is not None and _title(text, first):
                return _title(text, first), _place(text, first, *pair)

    for single in _candidates(text, last, whole=len(chunks) >= 2):
        found = _place_single(_piece(text, single))
        if found is not None and _title(text, single):
            return _title(text, single), _place(text, single, *found)
    return text, None


def unknown_country(text: str) -> str | None:
    """The last comma-separated chunk of a text in which `split_place` found no place, when
    it reads like a country nobody knows ("Mission, Narnia"): one to four capitalised words
    (lower-case particles allowed), no digit or sign, no title word ("Desk Study"), not a
    region ("Western Balkans"), nor a country or a city in any language. Else None."""
    text = text.strip()
    chunks = _chunks(text)
    if len(chunks) < 2:
        return None
    piece = _piece(text, chunks[-1])
    if not piece or fold(piece) in _NOT_CITY_ALONE:
        return None
    # An acronym alone ("OSCE", "LYS") names a body or a code more often than a country.
    acronym = len(piece) <= 4 and piece.isupper()
    if acronym or not _looks_like_town(piece, shouting=piece.isupper()):
        return None
    if named_country(piece) is not None or _city_in(piece) is not None:
        return None
    return piece


def _title(text: str, place: _Span) -> str:
    return text[: place.cut].rstrip()


def _place(text: str, span: _Span, city: str | None, countries: tuple[Country, ...]) -> Place:
    return Place(city=city, countries=countries, text=text[span.start :].strip())


def place_notices(place: Place) -> list[str]:
    """What a person who typed a location should check: a city the gazetteer does not know
    in the country named ("Paris, Germany"), or a lone name whose country was looked up
    ("Atlantis", read as the gazetteer's Atlantis in South Africa). Each is kept as read."""
    notes: list[str] = []
    if place.city is None or not place.countries:
        return notes
    countries = ", ".join(c.name for c in place.countries)
    if all(find_city(place.city, c.code) is None for c in place.countries):
        known = find_city(place.city)
        elsewhere = f" (it knows {known[0]} in {known[1].name})" if known else ""
        notes.append(
            f"{place.city} is not a city of {countries} in the gazetteer{elsewhere}; "
            "kept as written"
        )
    elif "," not in place.text and "/" not in place.text:
        entries = cities_named(place.city)
        same = len({e.country for e in entries})
        if same > 1 or max((e.population for e in entries), default=0) < WELL_KNOWN:
            which = "the only one" if same <= 1 else f"the largest of {same}"
            notes.append(
                f"{place.text!r} read as {place.city}, {countries} ({which} in the "
                f"gazetteer); write '{place.city}, Country' if another is meant"
            )
    return notes


def parse_location(text: str) -> Place:
    """A location typed on its own (``--location "Accra, Ghana"``), read by the same rules
    as a newsletter line so that the two never disagree."""
    text = " ".join(text.split())
    if not text:
        raise ParseError("is empty; expected e.g. 'Accra, Ghana'", field="location")
    _, place = split_place("-, " + text)
    if place is None or place.text != text:
        raise ParseError(
            f"cannot read location {excerpt(text)}: expected 'City, Country' "
            "(e.g. 'Accra, Ghana'), a country, several countries separated by '/', or a known city",
            field="location",
            text=text,
        )
    return place
