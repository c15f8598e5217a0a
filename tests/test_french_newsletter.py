"""A newsletter written in French: month headings, dates, qualifiers, section titles and
country names read as their English equivalents are; the whole shared newsletter rendered
in French gives the 132 activities of the bundled store; an unknown trailing country is a
warning that names it."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inventory.cli import app
from inventory.dates import parse_schedule, render_schedule, split_trailing_dates
from inventory.errors import ParseError
from inventory.month_names import month_number, parserinfos
from inventory.places import split_place, unknown_country
from inventory.projects import load_registry
from inventory.readers import Context, open_source, read
from inventory.readers.layout import heading_month, section_of
from inventory.records import to_row
from tests.helpers import BUNDLED_STORE, SHARED_NEWSLETTER

# --------------------------------------------------------------------------- dates

# (French, English): each pair must read as the same days, precision, certainty and kind.
SAME_AS_ENGLISH = [
    ("4-6 novembre", "4-6 November"),
    ("4-6 NOVEMBRE", "4-6 November"),
    ("30 octobre - 1er novembre", "30 October - 1 November"),
    ("1er-2 octobre", "1-2 October"),
    ("1er - 2 octobre", "1 - 2 October"),
    ("1ᵉʳ décembre", "1 December"),
    ("du 4 au 8 novembre", "4-8 November"),
    ("du 30 octobre au 1er novembre", "30 October - 1 November"),
    ("21 – 22 et 28 - 29 octobre", "21 – 22 and 28 - 29 October"),
    ("16 (PM) – 20 (AM) mars", "16 (PM) – 20 (AM) March"),
    ("3–7 février", "3–7 February"),
    ("3–7 fevrier", "3–7 February"),
    ("9-10 Décembre", "9-10 December"),
    ("9-10 decembre", "9-10 December"),
    ("14 août", "14 August"),
    ("14 aout", "14 August"),
    ("2 janv.", "2 Jan."),
    ("19 novembre 2019.", "19 November 2019."),
    ("d'ici le 31 janvier", "by 31 January"),
    ("d’ici le 31 janvier", "by 31 January"),
    ("D'ici le 30 novembre", "by 30 November"),
    ("au plus tard le 28 février", "by 28 February"),
    ("22-23 janvier (dates à confirmer)", "22-23 January (dates TBC)"),
    ("30 mars (à confirmer)", "30 March (TBC)"),
    ("2-5 mars (dates a confirmer)", "2-5 March (dates TBC)"),
    ("dates à confirmer", "dates TBC"),
    ("(dates à confirmer)", "(dates TBC)"),
    ("dates à déterminer", "dates TBD"),
    ("date à déterminer", "date TBD"),
    ("DATES A DETERMINER", "dates TBD"),
    ("lieu et dates à déterminer", "location and dates TBD"),
    ("mars 2020", "March 2020"),
    ("mars (dates à déterminer)", "March (dates TBD)"),
]


def facts(text: str) -> tuple[object, ...]:
    schedule = parse_schedule(text, context_month="2019-11")
    return (
        schedule.start,
        schedule.end,
        schedule.segments,
        schedule.precision,
        schedule.certainty,
        schedule.deadline,
        schedule.month,
    )


@pytest.mark.parametrize(("french", "english"), SAME_AS_ENGLISH)
def test_a_french_date_reads_as_its_english_equivalent(french: str, english: str) -> None:
    assert facts(french) == facts(english)
    assert parse_schedule(french, context_month="2019-11").text == french


@pytest.mark.parametrize(
    ("text", "start", "end", "precision", "certainty", "deadline"),
    [
        ("4-6 novembre", date(2019, 11, 4), date(2019, 11, 6), "day", "confirmed", False),
        ("30 octobre - 1er novembre", date(2019, 10, 30), date(2019, 11, 1), "day",
         "confirmed", False),
        ("1er-2 octobre", date(2019, 10, 1), date(2019, 10, 2), "day", "confirmed", False),
        ("d'ici le 31 janvier", date(2020, 1, 31), date(2020, 1, 31), "day", "confirmed", True),
        ("22-23 janvier (dates à confirmer)", date(2020, 1, 22), date(2020, 1, 23), "day",
         "tentative", False),
        ("dates à confirmer", date(2019, 11, 1), date(2019, 11, 30), "month", "unscheduled",
         False),
        ("lieu et dates à déterminer", date(2019, 11, 1), date(2019, 11, 30), "month",
         "unscheduled", False),
    ],
)  # fmt: skip
def test_a_french_date_under_the_november_2019_heading(
    text: str, start: date, end: date, precision: str, certainty: str, deadline: bool
) -> None:
    schedule = parse_schedule(text, context_month="2019-11")
    assert (schedule.start, schedule.end) == (start, end)
    assert (schedule.precision.value, schedule.certainty.value) == (precision, certainty)
    assert schedule.deadline is deadline


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("avant le 31 janvier", "'avant le' does not say whether that day is still in time"),
        ("du 4 novembre", "'du' needs 'au'"),
        ("2er octobre", "expected a form like"),
        ("31 février", "February 2020 has 29 days"),
        ("d'ici le 4-6 novembre", "a deadline is a single day"),
        ("d'ici le novembre", "a deadline needs a day"),
    ],
)
def test_a_french_date_that_cannot_be_read_exactly_is_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_schedule(text, context_month="2019-11")


@pytest.mark.parametrize(
    ("body", "head", "date_text"),
    [
        ("Mission, Maroc, 5 novembre", "Mission, Maroc", "5 novembre"),
        ("Atelier, Éthiopie 7 octobre", "Atelier, Éthiopie", "7 octobre"),
        ("Étude, d'ici le 30 novembre", "Étude", "d'ici le 30 novembre"),
        ("Réunion, Rabat, avant le 31 janvier", "Réunion, Rabat", "avant le 31 janvier"),
        ("Réunion, lieu et dates à déterminer", "Réunion", "lieu et dates à déterminer"),
        ("Mission, Maroc (dates à confirmer)", "Mission, Maroc", "(dates à confirmer)"),
        ("Atelier, Tunis, Tunisie, du 3 au 4 décembre", "Atelier, Tunis, Tunisie",
         "du 3 au 4 décembre"),
    ],
)  # fmt: skip
def test_the_french_date_text_is_split_off_the_end_of_a_line(
    body: str, head: str, date_text: str
) -> None:
    assert split_trailing_dates(body) == (head, date_text)


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("dates à confirmer", "dates TBC"),
        ("(dates à confirmer)", "dates TBC"),
        ("date à déterminer", "dates TBD"),
        ("lieu et dates à déterminer", "location and dates TBD"),
        ("30 octobre - 1er novembre", "30 October - 1 November"),
        ("d'ici le 31 janvier", "by 31 January"),
    ],
)
def test_a_french_schedule_is_rendered_in_english_under_its_heading(
    text: str, rendered: str
) -> None:
    assert render_schedule(parse_schedule(text, context_month="2019-11"), with_year=False) == (
        rendered
    )


@pytest.mark.parametrize(
    ("word", "month"),
    [("janvier", 1), ("FÉVRIER", 2), ("fevrier", 2), ("Févr", 2), ("mars", 3), ("avril", 4),
     ("mai", 5), ("juin", 6), ("juillet", 7), ("août", 8), ("septembre", 9), ("octobre", 10),
     ("novembre", 11), ("DÉCEMBRE", 12), ("December", 12), ("Oct", 10), ("maison", None),
     ("juni", None)],
)  # fmt: skip
def test_month_names_in_french_and_english(word: str, month: int | None) -> None:
    assert month_number(word) == month


def test_the_french_month_table_is_one_dateutil_reads_too() -> None:
    from dateutil.parser import parse

    (french,) = parserinfos()
    assert parse("5 novembre 2019", parserinfo=french).date() == date(2019, 11, 5)
    assert parse("1 DÉCEMBRE 2019", parserinfo=french).date() == date(2019, 12, 1)


# --------------------------------------------------------------------------- headings, titles


@pytest.mark.parametrize(
    ("line", "month"),
    [
        ("NOVEMBRE 2019", "2019-11"),
        ("DÉCEMBRE 2019", "2019-12"),
        ("DECEMBRE 2019", "2019-12"),
        ("Février 2020", "2020-02"),
        ("fevrier 2020", "2020-02"),
        ("**MARS 2020**", "2020-03"),
        ("### Août 2020", "2020-08"),
        ("OCTOBER 2019", "2019-10"),
        ("Maison 2019", None),
        ("Rabat 2019", None),
    ],
)
def test_a_month_heading_in_french(line: str, month: str | None) -> None:
    assert heading_month(line) == month


@pytest.mark.parametrize(
    ("line", "held", "period"),
    [
        ("Inventaire des activités (octobre - décembre 2019)", True, ("2019-10", "2019-12")),
        ("INVENTAIRE DES ACTIVITES (octobre- decembre 2019)", True, ("2019-10", "2019-12")),
        ("Prochainement (janvier - mars 2020)", False, ("2020-01", "2020-03")),
        ("À venir (janvier - mars 2020)", False, ("2020-01", "2020-03")),
        ("A venir (décembre 2019 - février 2020)", False, ("2019-12", "2020-02")),
        ("## À venir", False, None),
        ("Inventory of activities (October- December 2019)", True, ("2019-10", "2019-12")),
    ],
)
def test_a_section_title_in_french(line: str, held: bool, period: tuple[str, str] | None) -> None:
    section = section_of(line)
    assert section is not None
    assert (section.held, section.period) == (held, period)


@pytest.mark.parametrize(
    "line",
    ["Prochainement, le comité se réunira à Rabat", "À venir : la conférence Octopus"],
)
def test_a_sentence_opening_like_a_french_title_is_no_section(line: str) -> None:
    assert section_of(line) is None


# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("text", "title", "city", "codes"),
    [
        ("Mission, Maroc", "Mission", None, ["MA"]),
        ("Mission, MAROC", "Mission", None, ["MA"]),
        ("Atelier, Allemagne", "Atelier", None, ["DE"]),
        ("Atelier, l'Allemagne", "Atelier", None, ["DE"]),
        ("Réunion, Pays-Bas", "Réunion", None, ["NL"]),
        ("Réunion, les Pays-Bas", "Réunion", None, ["NL"]),
        ("Réunion, Les Pays Bas", "Réunion", None, ["NL"]),
        ("Formation, Tunis, Tunisie", "Formation", "Tunis", ["TN"]),
        ("Formation, tunisie", "Formation", None, ["TN"]),
        ("Atelier, Tbilissi, Géorgie", "Atelier", "Tbilissi", ["GE"]),
        ("Atelier, Georgie", "Atelier", None, ["GE"]),
        ("Atelier, Portugal / les Pays-Bas", "Atelier", None, ["PT", "NL"]),
        ("Visite, Yerevan, Arménie", "Visite", "Yerevan", ["AM"]),
        ("Visite, Arménie", "Visite", None, ["AM"]),
        ("Visite, Éthiopie", "Visite", None, ["ET"]),
        ("Visite, Cap-Vert", "Visite", None, ["CV"]),
        ("Visite, Moldavie", "Visite", None, ["MD"]),
        ("Besuch, Deutschland", "Besuch", None, ["DE"]),
        ("Visita, Marruecos", "Visita", None, ["MA"]),
        # A name that is a well-known city's own stays the city, as it always read.
        ("Mission, Tunis", "Mission", "Tunis", ["TN"]),
        ("Mission, Salvador", "Mission", "Salvador", ["BR"]),
        # English first: the English name wins over a catalogue's slip.
        ("Mission, Mexico", "Mission", None, ["MX"]),
    ],
)
def test_a_country_named_in_another_language(
    text: str, title: str, city: str | None, codes: list[str]
) -> None:
    got_title, place = split_place(text)
    assert place is not None
    assert (got_title, place.city, [c.code for c in place.countries]) == (title, city, codes)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mission, Narnia", "Narnia"),
        ("Mission, Rabat, Narnia", "Narnia"),
        ("Mission, Royaume de Narnia", "Royaume de Narnia"),
        ("Mission, NARNIA", "NARNIA"),
        # Not a country-like chunk: a title, a body, a region, a modality, lower case.
        ("Mid-Term Assessment", None),
        ("Review of the Cybercrime Bill, Desk Study", None),
        ("Workshop, with the World Bank", None),
        ("Workshop, Ministry of Justice", None),
        ("Meeting, Europe", None),
        ("Meeting, Western Balkans", None),
        ("Réunion, Afrique de l'Ouest", None),
        ("Réunion, Moyen-Orient", None),
        ("Meeting, TBD", None),
        ("Launch, LYS", None),
        ("Atelier, Comité de pilotage", None),
        ("Regional Meeting in the ECOWAS Region, jointly organized with the OCWAR-C Project",
         None),
        ("Report on global state of cybercrime legislation, in collaboration with all C-PROC "
         "Projects (CyberEast to lead)", None),
    ],
)  # fmt: skip
def test_a_trailing_name_that_is_no_country_is_named(text: str, name: str | None) -> None:
    assert unknown_country(text) == name


# --------------------------------------------------------------------------- the newsletter

ENGLISH_TEXT = SHARED_NEWSLETTER.read_text(encoding="utf-8")

_FRENCH_MONTHS = {
    "January": "janvier", "February": "février", "March": "mars", "April": "avril",
    "May": "mai", "June": "juin", "July": "juillet", "August": "août",
    "September": "septembre", "October": "octobre", "November": "novembre",
    "December": "décembre",
}  # fmt: skip
_MONTH = "|".join(_FRENCH_MONTHS)
# Every style an officer types a heading in: capitals with and without accents, or not.
_HEADINGS = {
    "OCTOBER 2019": "OCTOBRE 2019",
    "NOVEMBER 2019": "NOVEMBRE 2019",
    "DECEMBER 2019": "DÉCEMBRE 2019",
    "JANUARY 2020": "Janvier 2020",
    "FEBRUARY 2020": "Février 2020",
    "MARCH 2020": "MARS 2020",
}
_COUNTRIES = [
    (r"\b[Tt]he Netherlands\b", "les Pays-Bas"),
    (r"\bMorocco\b", "Maroc"),
    (r"\bGermany\b", "Allemagne"),
    (r"\bTunisia\b", "Tunisie"),
    (r"\bGeorgia\b", "Géorgie"),
    (r"\bSpain\b", "Espagne"),
    (r"\bBelgium\b", "Belgique"),
    (r"\bEthiopia\b", "Éthiopie"),
    (r"\bRomania\b", "Roumanie"),
    (r"\bArmenia\b", "Arménie"),
    (r"\bLebanon\b", "Liban"),
    (r"\bJordan\b", "Jordanie"),
    (r"\bSenegal\b", "Sénégal"),
    (r"\bCape Verde\b", "Cap-Vert"),
    (r"\bUkraine\b", "Ukraine"),
]


def french_dates(line: str) -> str:
    """The date words of one activity line in French, as an officer writes them."""
    line = re.sub(r"\bby (\d+) (" + _MONTH + r")$", r"d'ici le \1 \2", line)
    line = line.replace("location and dates TBD", "lieu et dates à déterminer")
    line = line.replace("(dates TBC)", "(dates à confirmer)")
    line = line.replace("dates TBC", "dates à confirmer")
    line = re.sub(r"(\d) and (\d)", r"\1 et \2", line)
    # The first of a month is an ordinal in French: "1er-2 octobre", "1er novembre".
    line = re.sub(r"(?<![\d(])\b1\b(?=\s*[-–]\s*\d|\s+(?:" + _MONTH + r")\b)", "1er", line)
    return re.sub(r"\b(" + _MONTH + r")\b", lambda m: _FRENCH_MONTHS[m[1]], line)


def french_rendering(text: str, coming_next: str) -> str:
    """The shared newsletter with its tables in French: section titles, month headings,
    dates, qualifiers and a dozen countries (cities and titles stay as written)."""
    out: list[str] = []
    tbd = 0
    for line in text.split("\n"):
        bare = line.strip()
        if bare.startswith("Inventory of activities ("):
            line = "Inventaire des activités (octobre- décembre 2019)"
        elif bare.startswith("Coming next ("):
            line = coming_next
        elif bare == "Inventory of capacity building projects":
            line = "Inventaire des projets de renforcement des capacités"
        elif bare in _HEADINGS:
            line = line.replace(bare, _HEADINGS[bare])
        elif "\t" in line and not line.startswith("\t\t"):
            line = french_dates(line)
            if line.endswith("dates TBD"):
                tbd += 1
                # Both numbers are written.
                line = line[: -len("dates TBD")] + ("date" if tbd % 2 else "dates")
                line += " à déterminer"
            for english, french in _COUNTRIES:
                line = re.sub(english, french, line)
        out.append(line)
    return "\n".join(out)


def test_the_french_rendering_is_french() -> None:
    french = french_rendering(ENGLISH_TEXT, "Prochainement (janvier - mars 2020)")
    # The builder did its work: no English date word is left in the tables.
    tables = french[french.index("Inventaire des activités") : french.index("Inventaire des p")]
    assert not re.search(r"\b(" + _MONTH + r"|TBC|TBD)\b|\bby \d", tables)
    for words in ["NOVEMBRE 2019", "DÉCEMBRE 2019", "Février 2020", "1er-2 octobre",
                  "30 octobre - 1er novembre", "(dates à confirmer)", "dates à déterminer",
                  "date à déterminer", "lieu et dates à déterminer", "d'ici le 31 janvier",
                  "21 – 22 et 28 - 29 octobre", "Rabat, Maroc", "Berlin, Allemagne",
                  "les Pays-Bas", "Tunis, Tunisie", "Tbilisi, Géorgie"]:  # fmt: skip
        assert words in tables, words


@pytest.mark.parametrize(
    "coming_next", ["Prochainement (janvier - mars 2020)", "À venir (janvier - mars 2020)"]
)
def test_the_newsletter_in_french_gives_the_132_activities(
    tmp_path: Path, coming_next: str
) -> None:
    path = tmp_path / "update-fr.txt"
    path.write_text(french_rendering(ENGLISH_TEXT, coming_next), encoding="utf-8")
    reading = read(open_source(str(path)), Context(load_registry()))
    assert not reading.errors, reading.errors
    # The same one remark as the English issue: the March 2020 line without a project.
    assert [p.message for p in reading.problems] == ["no project given"]
    with BUNDLED_STORE.open(encoding="utf-8", newline="") as handle:
        want = list(csv.DictReader(handle))
    assert len(reading.items) == len(want) == 132
    fields = ("projects", "countries", "month", "start", "end", "precision", "certainty",
              "deadline", "status")  # fmt: skip
    for item, row in zip(reading.items, want, strict=True):
        got = to_row(item.activity)
        assert {k: got[k] for k in fields} == {k: row[k] for k in fields}, row["title"]
    assert sum(i.activity.status.value == "held" for i in reading.items) == 72


# --------------------------------------------------------------------------- the command


def test_import_of_a_french_line_stores_its_country_and_days(tmp_path: Path) -> None:
    store = tmp_path / "new.csv"
    result = CliRunner().invoke(
        app,
        ["import", "-", "--store", str(store), "--create"],
        input="NOVEMBRE 2019\nGLACY+\tMission, Maroc, 5 novembre\n",
    )
    assert result.exit_code == 0, result.output
    with store.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["title"], row["countries"], row["location"]) == ("Mission", "MA", "Maroc")
    assert (row["start"], row["end"], row["precision"]) == ("2019-11-05", "2019-11-05", "day")
    assert (row["dates"], row["month"]) == ("5 novembre", "2019-11")
    # The store keeps the French text; a query reads it back as the same day.
    listed = CliRunner().invoke(
        app, ["list", "--month", "2019-11", "--country", "MA", "--json", "--store", str(store)]
    )
    assert listed.exit_code == 0, listed.output
    (activity,) = json.loads(listed.stdout)
    assert (activity["schedule"]["start"], activity["schedule"]["text"]) == (
        "2019-11-05",
        "5 novembre",
    )


def test_an_unknown_trailing_country_is_a_warning_that_names_it(tmp_path: Path) -> None:
    store = tmp_path / "new.csv"
    result = CliRunner().invoke(
        app,
        ["import", "-", "--store", str(store), "--create"],
        input="NOVEMBRE 2019\nGLACY+\tMission, Narnia, 5 novembre\n"
        "GLACY+\tAtelier, Allemagne, 6 novembre\n",
    )
    assert result.exit_code == 0, result.output
    assert "warning: place: unknown country 'Narnia'; kept as written" in result.output
    with store.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["title"], r["countries"]) for r in rows] == [
        ("Mission, Narnia", ""),
        ("Atelier", "DE"),
    ]
