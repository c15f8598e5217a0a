"""The commands, through Typer's runner and as real processes. Expected counts and titles
were read off tests/fixtures/newsletter-2019-q4.txt by hand."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from tests.helpers import BUNDLED_STORE, run


def listed(*args: str, store: Path = BUNDLED_STORE) -> list[dict[str, Any]]:
    result = run("list", *args, "--json", store=store)
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def titles(*args: str) -> list[str]:
    return [a["title"] for a in listed(*args)]


# --- list: filters -------------------------------------------------------------------------


def test_glacy_in_november_2019() -> None:
    assert titles("--project", "GLACY+", "--month", "2019-11") == [
        "INTERPOL Malware Analysis Training",
        "Meeting with cybercrime investigations heads of unit from the region to discuss "
        "operational activities and plan and organize a joint operation",
        "22nd T-CY Plenary and 5th Protocol Drafting Plenary",
        "Development of Cybercrime Investigation Unit and Data Forensics Unit",
        "GLACY+ Steering Committee",
        "International Conference on Cybercrime for the CPLP countries and Participation at "
        "the meeting of the Ministers of Justice of the CPLP countries",
        "Octopus Conference",
        "Support to the national delivery of Introductory judicial Course on cybercrime and "
        "electronic evidence for Judges and prosecutors",
        "The Presidency of the Public Prosecution Office in Morocco trains reference "
        "prosecutors on cybercrime and electronic evidence with the support of the Council "
        "of Europe",
        "Training workshop on the international cooperation mechanism of the Budapest "
        "Convention on Cybercrime",
        "Review of the Cybercrime Bill",
    ]


FILTER_COUNTS: list[tuple[list[str], int]] = [
    (["--month", "2019-10"], 29),
    # November's 26 lines plus Fiji, 30 October - 1 November.
    (["--month", "2019-11"], 27),
    (["--month", "November 2019"], 27),
    (["--quarter", "Q4-2019"], 72),
    (["--quarter", "2019-Q4"], 72),
    (["--quarter", "Q1 2020"], 60),
    (["--year", "2020"], 60),
    (["--project", "octopus"], 6),
    (["--project", "glacy+", "--project", "T-CY"], 66),
    (["--project", "CyberEast"], 28),
    (["--country", "Morocco"], 7),
    (["--country", "MA"], 7),
    (["--country", "UA"], 6),
    (["--country", "the Netherlands"], 4),
    (["--city", "strasbourg"], 14),
    (["--search", "morocco"], 8),
    (["--search", "CYBERSECURITE"], 1),
    (["--certainty", "tentative", "--quarter", "Q1-2020"], 13),
    (["--certainty", "unscheduled"], 18),
    (["--deadlines"], 5),
    (["--no-deadlines"], 127),
    (["--status", "cancelled"], 0),
    (["--limit", "3"], 3),
    # Philippines 16-17, T-CY Bureau 16 (AM), Drafting Group 16 (PM)-20 (AM), and the
    # nine "dates TBD" of March, which may fall on any day of it.
    (["--from", "2020-03-16", "--to", "2020-03-16"], 12),
    (["--from", "2020-03-16", "--to", "2020-03-16", "--certainty", "confirmed"], 2),
]
"""(options, number listed): the filters' answers on the bundled store; test_backends.py
asks every backend the same."""


@pytest.mark.parametrize(
    ("args", "count"),
    FILTER_COUNTS,
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_filter_counts(args: list[str], count: int) -> None:
    assert len(listed(*args)) == count


def test_two_segments_do_not_match_their_gap() -> None:
    found = titles("--from", "2019-10-24", "--to", "2019-10-27")
    assert (
        "Introductory training courses on cybercrime, electronic evidence and online crime "
        "proceeds" not in found
    )
    assert len(found) == 7
    assert titles("--from", "2019-10-28", "--to", "2019-10-28", "--city", "Ohrid") == [
        "Introductory training courses on cybercrime, electronic evidence and online crime proceeds"
    ]


def test_unscheduled_after_the_dated_ones_of_their_month() -> None:
    found = listed("--month", "2020-01")
    certainties = [a["schedule"]["certainty"] for a in found]
    assert certainties[-2:] == ["unscheduled", "unscheduled"]
    assert found[-3]["title"] == "Review of the Cybercrime Act and recommendations"


def test_deadline_counts_on_its_day_only() -> None:
    assert titles("--from", "2019-11-30", "--to", "2019-11-30", "--deadlines") == [
        "Review of the Cybercrime Bill"
    ]
    assert titles("--from", "2019-11-29", "--to", "2019-11-29", "--deadlines") == []


# --- bad values are usage errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--month", "2019-13"], "expected YYYY-MM"),
        (["--quarter", "Q5-2019"], "expected Q1-Q4 and a year"),
        (["--year", "twenty"], "expected"),
        (["--from", "2020-01-10", "--to", "2020-01-01"], "expected --from on or before --to"),
        (["--from", "10/01/2020"], "expected a date such as 2020-03-01 or 1 March 2020"),
        (["--month", "2019-11", "--quarter", "Q4-2019"], "choose one of"),
        (["--country", "Marocco"], "did you mean Morocco"),
        (["--project", "glacyy"], "did you mean GLACY+"),
        (["--format", "xml"], "'xml' is not one of"),
        (["--certainty", "sure"], "'sure' is not one of"),
        (["--json", "--format", "csv"], "--json contradicts --format csv"),
        (["--city", " "], "is empty; expected some text"),
        (["--search", ""], "is empty; expected some text"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_values_exit_2_with_the_expected_form(args: list[str], expected: str) -> None:
    result = run("list", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


# --- output formats ------------------------------------------------------------------------


def test_piped_table_has_no_colour_and_no_truncation() -> None:
    result = run("list", "--month", "2020-03")
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    longest = (
        "Piloting a training module that will focus on child-friendly practices, "
        "victim-centred approach and electronic evidence. Participants: Pilot country "
        "experts working in: law enforcement, criminal justice, including law "
        "enforcement officers, judges and prosecutors"
    )
    assert longest in result.stdout  # on one line, whole
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


def test_ndjson_one_object_per_line() -> None:
    result = run("list", "--country", "UA", "--format", "ndjson")
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    assert json.loads(lines[0])["place"]["countries"] == [{"code": "UA", "name": "Ukraine"}]


def test_csv_format_is_the_store_schema() -> None:
    result = run("list", "--country", "UA", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["city"] for r in rows] == ["Kyiv", "Kyiv", "", "Kyiv", "Kharkiv", "Kyiv"]
    assert rows[3]["dates"] == "29 – 30 January (dates TBC)"
    assert rows[3]["certainty"] == "tentative"


def test_markdown_and_text_layouts() -> None:
    text = run("list", "--month", "2020-03", "--project", "T-CY", "--format", "text").stdout
    assert text == (
        "MARCH 2020\n"
        "T-CY\tT-CY Bureau Meeting, Strasbourg, 16 (AM) March\n"
        "T-CY\tProtocol Drafting Group Meeting, Strasbourg, 16 (PM)-20 (AM) March\n"
    )
    markdown = run("list", "--month", "2020-03", "--project", "T-CY", "--format", "markdown").stdout
    assert markdown.splitlines()[:4] == [
        "### MARCH 2020",
        "",
        "| Projects | Activity |",
        "|---|---|",
    ]
    assert "| T-CY | T-CY Bureau Meeting, Strasbourg, 16 (AM) March |" in markdown


def test_empty_result_is_success() -> None:
    result = run("list", "--year", "2031", "--json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    table = run("list", "--year", "2031")
    assert (table.exit_code, table.stdout) == (0, "")
    assert "no activities match" in table.stderr


# The import command's tests are in test_import_cli.py.


# --- upcoming -------------------------------------------------------------------------------


def test_upcoming_as_of_20_march_2020() -> None:
    result = run("upcoming", "--as-of", "2020-03-20", "--json")
    found = json.loads(result.stdout)
    assert [a["title"] for a in found[:4]] == [
        "Protocol Drafting Group Meeting",  # 16 (PM) - 20 (AM) March: still running
        "Mid-Term Assessment",
        "National event Lebanon on how to elaborate a national report on the evaluation of "
        "cyberthreats: first national event",
        "Piloting a training module that will focus on child-friendly practices, "
        "victim-centred approach and electronic evidence. Participants: Pilot country experts "
        "working in: law enforcement, criminal justice, including law enforcement officers, "
        "judges and prosecutors",
    ]
    assert len(found) == 13  # and the nine "dates TBD" of March
    assert {a["schedule"]["certainty"] for a in found[4:]} == {"unscheduled"}


def test_upcoming_reads_today_from_the_environment() -> None:
    result = run("upcoming", "--json", env={"INVENTORY_TODAY": "2020-03-20"})
    assert len(json.loads(result.stdout)) == 13


def test_upcoming_window() -> None:
    # Running or starting from 24 to 26 February 2020, then February's "dates TBD".
    assert [a["title"] for a in listed_upcoming("--as-of", "2020-02-24", "--days", "2")] == [
        "Support the training of prosecutors nominated as focal points",  # Fez 24-25
        "Stakeholders' Consultation Workshop and finalization of the Cybercrime Bill",
        "Final session of working group meeting in charge of creating domestic course on "
        "cybercrime and electronic evidence – adoption of the advanced course",
        "International workshop on law enforcement/service provider cooperation",
    ] + [a["title"] for a in listed("--month", "2020-02", "--certainty", "unscheduled")]


def listed_upcoming(*args: str) -> list[dict[str, Any]]:
    result = run("upcoming", *args, "--json")
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def test_nothing_upcoming_says_so_on_stderr() -> None:
    result = run("upcoming", "--as-of", "2026-11-28", "--json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    assert "nothing upcoming on 2026-11-28" in result.stderr
    assert "latest activity in the store ends on 2020-03-31" in result.stderr
    assert "--as-of" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--as-of", "2020-02-30"], "February 2020 has 29 days; expected a date such as"),
        (["--days", "-1"], "expected 0 or more, got -1"),
        (["--as-of", "2020-03-01", "--until", "2020-02-01"], "before the reference date"),
    ],
)
def test_upcoming_bad_values(args: list[str], expected: str) -> None:
    result = run("upcoming", *args)
    assert result.exit_code == 2
    assert expected in result.stderr


# --- report ---------------------------------------------------------------------------------


def test_report_q4_2019_json() -> None:
    result = run("report", "--quarter", "Q4-2019", "--json")
    report = json.loads(result.stdout)
    assert report["total"] == 72
    # A period counts what overlaps it: November's 26 lines plus the Fiji mission of 30
    # October - 1 November, which counts in October too (and once in the total).
    assert report["per_month"] == {"2019-10": 29, "2019-11": 27, "2019-12": 17}
    assert report["per_project"] == {
        "Cybercrime@Octopus": 6,
        "CyberEast": 14,
        "CyberSouth": 11,
        "EndOCSEA@Europe": 9,
        "GLACY+": 31,
        "iPROCEEDS": 17,
        "T-CY": 1,
    }
    assert report["per_project_per_month"]["GLACY+"] == {"2019-10": 14, "2019-11": 11, "2019-12": 6}
    # Octopus: five October lines (Fiji among them), and in November Fiji and the IGF
    # workshop of 29 November.
    assert report["per_project_per_month"]["Cybercrime@Octopus"] == {
        "2019-10": 5,
        "2019-11": 2,
        "2019-12": 0,
    }
    assert report["multi_project"] == 5
    assert report["certainty"] == {"confirmed": 72, "tentative": 0, "unscheduled": 0}
    assert [d["title"] for d in report["deadlines"]] == ["Review of the Cybercrime Bill"]
    assert report["countries"]["Cybercrime@Octopus"] == ["Belgium", "Fiji", "Germany", "Ghana"]


def test_report_q1_2020_counts_tentative_and_unscheduled() -> None:
    report = json.loads(run("report", "--quarter", "Q1-2020", "--json").stdout)
    assert report["certainty"] == {"confirmed": 29, "tentative": 13, "unscheduled": 18}
    assert len(report["deadlines"]) == 4


def test_report_table() -> None:
    result = run("report", "--quarter", "Q4-2019")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "72 activities, 5 shared by several projects; 0 tentative, 0 unscheduled, 1 deadline"
    )
    assert any(line.split() == ["GLACY+", "14", "11", "6", "31"] for line in lines)
    assert any(line.split()[-4:] == ["29", "27", "17", "72"] for line in lines)


def test_report_rejects_list_only_formats() -> None:
    result = run("report", "--quarter", "Q4-2019", "--format", "ndjson")
    assert result.exit_code == 2
    assert "'ndjson' is not one of 'table', 'json', 'markdown', 'text'" in result.stderr


# --- changing the store ---------------------------------------------------------------------


def test_add_then_show_and_list(store_copy: Path) -> None:
    result = run(
        "add",
        "--project",
        "glacy",
        "--title",
        "Advisory mission on cybercrime legislation",
        "--location",
        "Accra, Ghana",
        "--dates",
        "3-5 December 2019 (dates TBC)",
        "--json",
        store=store_copy,
    )
    assert result.exit_code == 0, result.stderr
    [added] = json.loads(result.stdout)
    assert added["projects"] == ["GLACY+"]
    assert added["place"]["countries"] == [{"code": "GH", "name": "Ghana"}]
    assert added["schedule"]["certainty"] == "tentative"
    assert (added["schedule"]["start"], added["schedule"]["end"]) == ("2019-12-03", "2019-12-05")
    assert f"added {added['id']}" in result.stderr
    assert len(listed("--country", "GH", "--month", "2019-12", store=store_copy)) == 3
    shown = run("show", added["id"][:5], "--json", store=store_copy)
    assert json.loads(shown.stdout)["id"] == added["id"]  # one activity: one object


def test_add_takes_the_year_option(store_copy: Path) -> None:
    result = run(
        "add",
        "-p",
        "CyberEast",
        "-t",
        "Desk review",
        "--dates",
        "by 31 January",
        "--year",
        "2021",
        "--json",
        store=store_copy,
    )
    [added] = json.loads(result.stdout)
    assert added["schedule"]["deadline"] is True
    assert added["schedule"]["end"] == "2021-01-31"


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["--title", "  ", "--dates", "3 May 2020"], 2, "--title is empty"),
        # D29: a value typed on the command line that cannot be read is a usage error,
        # exit 2, naming its option, whichever layer finds the fault.
        (["--title", "x", "--dates", "31 February 2020"], 2, "--dates: cannot read date"),
        (["--title", "x", "--dates", "5-3 May 2020"], 2, "before it starts"),
        (["--title", "x", "--dates", "3 May"], 2, "pass --year"),
        (
            ["--title", "x" * 1_000_000, "--dates", "3 May 2020"],
            2,
            "--title: is 1,000,000 characters long; at most 1,000",
        ),
        (["--title", "a\x07b", "--dates", "3 May 2020"], 2, "contains a bell character (BEL)"),
        (
            ["--title", "x", "--dates", "3 May 2020", "--location", "Xyzzyville"],
            2,
            "invalid value for --location: cannot read location 'Xyzzyville'",
        ),
        (["--title", "x"], 2, "missing --dates"),
    ],
    ids=[
        "empty-title",
        "impossible-date",
        "end-before-start",
        "no-year",
        "huge-title",
        "control-character",
        "unknown-place",
        "missing-dates",
    ],
)
def test_add_bad_input_writes_nothing(
    store_copy: Path, args: list[str], code: int, expected: str
) -> None:
    before = store_copy.read_bytes()
    result = run("add", "--project", "GLACY+", *args, store=store_copy)
    assert result.exit_code == code
    assert expected in result.stderr
    assert len(result.stderr.splitlines()) <= 5 and "Traceback" not in result.stderr
    assert store_copy.read_bytes() == before


def test_add_unknown_project_is_a_usage_error(store_copy: Path) -> None:
    result = run("add", "-p", "Cyberwest", "-t", "x", "-d", "3 May 2020", store=store_copy)
    assert result.exit_code == 2
    assert "unknown project 'Cyberwest'" in result.stderr


def test_add_the_same_activity_twice(store_copy: Path) -> None:
    args = ["add", "-p", "T-CY", "-t", "Bureau", "-l", "Strasbourg", "-d", "1 June 2020"]
    assert run(*args, store=store_copy).exit_code == 0
    again = run(*args, store=store_copy)
    assert again.exit_code == 1 and "already in the store" in again.stderr


def test_edit_changes_only_the_named_fields(store_copy: Path) -> None:
    [before] = listed("--search", "Sierra Leone", store=store_copy)
    result = run("edit", before["id"][:4], "--dates", "24-25 January", "--json", store=store_copy)
    assert result.exit_code == 0, result.stderr
    assert "dates: 22-23 January (dates TBC) -> 24-25 January" in result.stderr
    [after] = json.loads(result.stdout)
    assert after["id"] == before["id"]
    assert after["title"] == before["title"] and after["place"] == before["place"]
    assert (after["schedule"]["start"], after["schedule"]["certainty"]) == (
        "2020-01-24",
        "confirmed",
    )


def test_ambiguous_and_unknown_ids(store_copy: Path) -> None:
    ids = [a["id"] for a in listed(store=store_copy)]
    prefix = next(
        p for p in "0123456789abcdefghjkmnpqrstvwxyz" if sum(i.startswith(p) for i in ids) > 1
    )
    result = run("edit", prefix, "--title", "x", store=store_copy)
    assert result.exit_code == 2 and f"id '{prefix}' matches" in result.stderr
    result = run("edit", "iiiiiiii", "--title", "x", store=store_copy)
    assert result.exit_code == 2 and "no activity with id 'iiiiiiii'" in result.stderr
    # Titles in the list are cut at a word, with an ellipsis (the store's first five '3...').
    result = run("edit", "3", "--title", "x", store=store_copy)
    assert (
        "inventory: error: id '3' matches several activities: 32wb08j7 Second session of "
        "working group…; 38z0m643 Judicial material mainstreaming…;"
    ) in result.stderr


def test_cancel_hides_from_upcoming(store_copy: Path) -> None:
    [benin] = listed("--country", "Benin", store=store_copy)
    assert run("cancel", benin["id"], store=store_copy).exit_code == 0
    assert listed("--status", "cancelled", store=store_copy)[0]["id"] == benin["id"]
    upcoming = run("upcoming", "--as-of", "2020-02-17", "--json", store=store_copy).stdout
    assert benin["id"] not in upcoming
    shown = run(
        "upcoming", "--as-of", "2020-02-17", "--include-cancelled", "--json", store=store_copy
    ).stdout
    assert benin["id"] in shown


def test_postpone_with_new_dates(store_copy: Path) -> None:
    [benin] = listed("--country", "Benin", store=store_copy)
    result = run(
        "postpone",
        benin["id"],
        "--dates",
        "20-23 April 2020 (dates TBC)",
        "--json",
        store=store_copy,
    )
    [after] = json.loads(result.stdout)
    assert (after["status"], after["schedule"]["start"]) == ("postponed", "2020-04-20")


def test_remove_needs_confirmation_off_a_terminal(store_copy: Path) -> None:
    [benin] = listed("--country", "Benin", store=store_copy)
    before = store_copy.read_bytes()
    refused = run("remove", benin["id"], store=store_copy)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert store_copy.read_bytes() == before
    assert run("remove", benin["id"], "--yes", store=store_copy).exit_code == 0
    assert listed("--country", "Benin", store=store_copy) == []
    assert len(listed(store=store_copy)) == 131


def test_validate_bundled_store() -> None:
    result = run("validate")
    assert result.exit_code == 0
    # The store as messages name it: relative to the current folder when inside it.
    relative = os.path.relpath(BUNDLED_STORE)
    where = BUNDLED_STORE if relative.startswith("..") else relative
    assert result.stdout.splitlines() == [
        # iPROCEEDS ran from January 2016 to December 2019 (the newsletter's project list).
        f"{where}:104: warning: dates: nb5gad6p: 26-28 February 2020 is after "
        "iPROCEEDS ended (January 2016 – December 2019)",
        f"{where}:115: warning: projects: 28x1t5zn: no project",
        # The Morocco workshop of 28-29 November, listed once under GLACY+ (line 53) and
        # once under CyberSouth and GLACY+ (line 54): what 'clashes' calls a duplicate.
        f"{where}:54: warning: title: 3rp3x449: likely duplicate of 2r44q18c "
        "(line 53), score 82: same dates (28-29 Nov); Morocco (where 2r44q18c is) is named "
        "in the title of 3rp3x449; shared project (GLACY+); similar wording (0.06: train, "
        "cybercrime)",
    ]
    assert "132 activities, 0 errors, 3 warnings" in result.stderr
    assert run("validate", "--strict").exit_code == 1


def test_validate_json_is_written_as_it_is_found(tmp_path: Path) -> None:
    # The problems are written one at a time, as json.dumps would write their list.
    lines = BUNDLED_STORE.read_text(encoding="utf-8").splitlines()
    # "Octubre" is Spanish: French month names ("Octobre") are read since French issues are.
    lines[3] = lines[3].replace("1-3 October", "1-3 Octubre")
    path = tmp_path / "s.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", "--json", store=path)
    records = json.loads(result.stdout)
    assert result.stdout == json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    assert [(r["line"], r["severity"], r["field"]) for r in records] == [
        (4, "error", "dates"),
        (104, "warning", "dates"),
        (115, "warning", "projects"),
        (54, "warning", "title"),
    ]
    assert records[0]["source"] == str(path)
    empty = tmp_path / "empty.csv"
    empty.write_text(lines[0] + "\n", encoding="utf-8")
    assert run("validate", "--json", store=empty).stdout == "[]\n"


def test_validate_reports_every_problem(tmp_path: Path) -> None:
    lines = BUNDLED_STORE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("1-3 October", "1-3 Octubre")
    lines[4] = lines[4].replace(",2019-10-07,", ",2019-10-08,")  # a stale derived start
    lines.append(lines[2].replace(lines[2].split(",")[0], "dupdup01", 1))
    lines[6] = lines[6].replace(",GLACY+,", ",CyberWest,", 1)
    path = tmp_path / "s.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", store=path)
    assert result.exit_code == 1
    out = result.stdout
    assert f"{path}:4: error: dates: cannot read date '1-3 Octubre'" in out
    assert f"{path}:5: warning: start: " in out and "'2019-10-08'" in out
    assert f"{path}:134: warning: title: dupdup01: likely duplicate of agds86yn (line 3)" in out
    assert f"{path}:7: warning: projects: " in out and "unknown project 'CyberWest'" in out


def test_user_mistakes_never_show_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "s.csv"
    broken.write_bytes("id,title,dates\n1,é\n".encode("latin-1"))
    for args in (["list"], ["report"], ["upcoming"], ["validate"]):
        result = run(*args, store=broken)
        assert result.exit_code == 1
        assert "not UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_no_store_found_reads_ones_own_empty_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # D37: outside a checkout, one's own store; before the first import it is empty, and
    # an empty answer is a success. Nothing is written by reading it.
    monkeypatch.chdir(tmp_path)
    result = run("list", store=None)
    assert (result.exit_code, result.stdout) == (0, "")
    assert "is empty; 'inventory import FILE' starts it" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- the installed program ------------------------------------------------------------------


def installed() -> list[str]:
    script = Path(sys.executable).parent / "inventory"
    return [str(script)] if script.exists() else [sys.executable, "-m", "inventory.cli"]


def test_installed_version_and_help() -> None:
    version = subprocess.run([*installed(), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("inventory ")
    helped = subprocess.run([*installed(), "--help"], capture_output=True, text=True)
    for name in ("import", "list", "upcoming", "report", "add", "edit", "validate"):
        assert f"  {name}" in helped.stdout


def test_installed_list_piped_to_a_script() -> None:
    result = subprocess.run(
        [*installed(), "list", "--country", "Morocco", "--json", "--store", str(BUNDLED_STORE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stderr == ""
    assert len(json.loads(result.stdout)) == 7


def test_installed_bad_month_exit_code() -> None:
    result = subprocess.run(
        [*installed(), "list", "--month", "2019-13", "--store", str(BUNDLED_STORE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "expected YYYY-MM" in result.stderr and result.stdout == ""


def test_installed_output_closed_early_is_quiet() -> None:
    # `inventory list | head -1`: no BrokenPipeError traceback.
    proc = subprocess.Popen(
        [*installed(), "list", "--format", "ndjson", "--store", str(BUNDLED_STORE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate()
    assert b"Traceback" not in err


def test_installed_import_from_stdin_without_a_pipe_does_not_wait() -> None:
    result = subprocess.run(
        [*installed(), "import", "-", "--store", "/nonexistent/x.csv"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    # /dev/null is not a terminal: it reads nothing and finds no activity lines.
    assert "Traceback" not in result.stderr


def test_every_command_has_help_with_examples() -> None:
    import typer.main

    group = typer.main.get_command(app)
    ctx = group.make_context("inventory", ["list"])
    commands = {n: group.get_command(ctx, n) for n in group.list_commands(ctx)}  # type: ignore[attr-defined]
    assert len(commands) >= 17
    for name, command in commands.items():
        assert command.help, name
        if not hasattr(command, "commands"):  # a group lists its own subcommands
            assert "Example" in command.help, name


def test_report_leaves_cancelled_activities_out_of_the_counts(store_copy: Path) -> None:
    [benin] = listed("--country", "Benin", store=store_copy)  # 17-20 February (dates TBC)
    run("cancel", benin["id"], store=store_copy)
    report = json.loads(run("report", "--quarter", "Q1-2020", "--json", store=store_copy).stdout)
    assert report["total"] == 59
    assert report["certainty"]["tentative"] == 12
    assert report["cancelled"] == [benin["id"]]
    assert "Benin" not in report["countries"]["GLACY+"]
