"""The project registry, its facts and the ``projects`` commands.

Expected values were read by hand from tests/fixtures/projects-2019-q4.txt (the
newsletter's "Inventory of capacity building projects"), the "basics" blocks of the
newsletter's project updates, and tests/fixtures/newsletter-2019-q4.txt (activities);
none was copied from the program's output.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from bench.generate import write as generate

from inventory.cli import app
from inventory.errors import ParseError, StoreError, UsageError
from inventory.model import Activity, Certainty, Precision, Schedule, Segment
from inventory.project_summary import SHOWN, outside_listings
from inventory.projects import (
    PROJECT_COLUMNS,
    Registry,
    _read,
    builtin_text,
    load_registry,
    outside_duration,
    parse_budget,
    parse_duration,
    read_project_inventory,
)
from inventory.store import open_store
from tests.helpers import BUNDLED_STORE, FIXTURES, REPO, load, made, runner

DATA_PROJECTS = REPO / "data" / "projects.csv"
INVENTORY_SECTION = FIXTURES / "projects-2019-q4.txt"

# From the newsletter's "Inventory of capacity building projects", by hand.
INVENTORY = {
    "Cybercrime@Octopus": (
        "2014-01", "2020-12", "Global", Decimal(4_000_000),
        "voluntary contributions from Estonia, Hungary, Japan, Monaco, Slovakia, Romania, "
        "United Kingdom, USA, Microsoft",
    ),
    "GLACY+": (
        "2016-03", "2021-02", "Global", Decimal(13_500_000),
        "Joint project of the European Union (Instrument Contributing to Peace and Stability) "
        "and the Council of Europe",
    ),
    "EndOCSEA@Europe": (
        "2018-07", "2020-12", "Council of Europe member states", Decimal(849_041),
        "Fund to End Violence Against Children",
    ),
    "CyberSouth": (
        "2017-07", "2020-06", "Southern Neighbourhood region", Decimal(3_350_000),
        "Joint project of the European Union (European Neighbourhood Instrument) and the "
        "Council of Europe",
    ),
    "CyberEast": (
        "2019-06", "2022-06", "Eastern Partnership region", Decimal(4_220_000),
        "Joint project of the European Union (European Neighbourhood East Instrument) and the "
        "Council of Europe",
    ),
    "iPROCEEDS": (
        "2016-01", "2019-12", "South-eastern Europe and Turkey", Decimal(5_560_000),
        "Joint project of the European Union (under IPA II Multi-country action programme 2014) "
        "and the Council of Europe",
    ),
}  # fmt: skip

# Participating countries from each project update's "basics" block, by hand.
PARTICIPATING = {
    "Cybercrime@Octopus": set(),  # "Participating countries/areas: Global"
    "GLACY+": {"CV", "CL", "CR", "DO", "GH", "MU", "MA", "NG", "PH", "SN", "LK", "TO"},
    "EndOCSEA@Europe": {"AL", "AM", "AZ", "BA", "GE", "MD", "ME", "RS", "TR", "UA"},
    "CyberSouth": {"DZ", "JO", "LB", "MA", "TN"},
    "CyberEast": {"AM", "AZ", "BY", "GE", "MD", "UA"},
    "iPROCEEDS": {"AL", "BA", "ME", "MK", "RS", "TR", "XK"},
    "iPROCEEDS-2": set(),
    "T-CY": set(),
}

# Activities naming each project in the newsletter's tables (a shared line counts for
# each of its projects), as counted for tests/test_newsletter.py.
ACTIVITIES = {
    "Cybercrime@Octopus": 6,
    "GLACY+": 62,
    "EndOCSEA@Europe": 11,
    "CyberSouth": 22,
    "CyberEast": 28,
    "iPROCEEDS": 18,
    "iPROCEEDS-2": 0,
    "T-CY": 4,
}


def registry_text(*rows: str) -> str:
    return ",".join(PROJECT_COLUMNS) + "\n" + "\n".join(rows) + "\n"


# --- the newsletter's wording -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("EUR 13.5 million", Decimal(13_500_000), "EUR"),
        ("EUR 849,041", Decimal(849_041), "EUR"),
        ("EUR: 5.56 Million", Decimal(5_560_000), "EUR"),
        ("EUR 4 Million", Decimal(4_000_000), "EUR"),
        ("EUR 3.35 million", Decimal(3_350_000), "EUR"),
        # CyberEast's basics block repeats the label.
        ("Budget: EUR 4.22 million", Decimal(4_220_000), "EUR"),
        ("€ 250 thousand", Decimal(250_000), "EUR"),
        ("usd 1,200,000.50", Decimal("1200000.50"), "USD"),
    ],
)
def test_parse_budget(text: str, amount: Decimal, currency: str) -> None:
    assert parse_budget(text) == (amount, currency)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("EUR 5,56 million", "a comma must separate thousands"),
        ("about four million euros", "expected a currency and an amount"),
        ("13.5 million", "expected a currency and an amount"),
    ],
)
def test_parse_budget_refuses_to_guess(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_budget(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 2016 – February 2021", ("2016-03", "2021-02")),
        ("January 2014 - December 2020", ("2014-01", "2020-12")),
        ("june 2019—june 2022", ("2019-06", "2022-06")),
    ],
)
def test_parse_duration(text: str, expected: tuple[str, str]) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2016 – 2021", "expected 'Month YYYY – Month YYYY'"),
        ("Marsh 2016 – February 2021", "expected 'Month YYYY – Month YYYY'"),
        ("March 2021 – February 2016", "ends before it starts"),
    ],
)
def test_parse_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_duration(text)


def test_read_project_inventory_section() -> None:
    projects = read_project_inventory(INVENTORY_SECTION.read_text(encoding="utf-8"))
    assert [p.name for p in projects] == list(INVENTORY)
    for project in projects:
        start, end, scope, amount, funding = INVENTORY[project.name]
        assert (project.start, project.end) == (start, end)
        assert project.scope == scope
        assert (project.budget_amount, project.budget_currency) == (amount, "EUR")
        # The Markdown link around EndOCSEA's funder keeps its text only.
        assert project.funding == funding


def test_read_project_inventory_canonical_names_and_missing_section() -> None:
    text = "Inventory of capacity building projects\n\nGlacy +\n\nBudget: EUR 1 million\n"
    assert [p.name for p in read_project_inventory(text, load_registry())] == ["GLACY+"]
    with pytest.raises(ParseError, match="no 'Inventory of capacity building projects'"):
        read_project_inventory("GLACY+\nBudget: EUR 1 million\n")


# --- data/projects.csv -------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_registry() -> Registry:
    return _read(DATA_PROJECTS.read_text(encoding="utf-8"), str(DATA_PROJECTS))


def test_data_projects_agree_with_the_newsletter(data_registry: Registry) -> None:
    for name, (start, end, scope, amount, funding) in INVENTORY.items():
        project = data_registry.find(name)
        assert project is not None, name
        assert (project.start, project.end, project.scope) == (start, end, scope)
        assert (project.budget_amount, project.budget_currency) == (amount, "EUR")
        assert project.funding == funding


def test_data_projects_rows(data_registry: Registry) -> None:
    by_name = {p.name: p for p in data_registry.projects}
    assert list(by_name) == list(PARTICIPATING)
    for name, codes in PARTICIPATING.items():
        assert set(by_name[name].countries) == codes, name
    # "due to start in January 2020"; no end announced.
    assert (by_name["iPROCEEDS-2"].start, by_name["iPROCEEDS-2"].end) == ("2020-01", None)
    assert by_name["T-CY"].kind == "committee"
    assert (by_name["T-CY"].start, by_name["T-CY"].end) == (None, None)
    assert by_name["GLACY+"].implementation == (
        "Cybercrime Programme Office (C-PROC) of the Council of Europe and INTERPOL"
    )
    assert by_name["EndOCSEA@Europe"].implementation == (
        "Children's Rights Division and Cybercrime Programme Office (C-PROC) of the Council "
        "of Europe"
    )


def test_every_participating_country_code_exists(data_registry: Registry) -> None:
    from inventory.gazetteer import country_by_code

    for project in data_registry.projects:
        for code in project.countries:
            country_by_code(code)  # raises for an unknown code


def test_builtin_copy_agrees_with_data_projects(data_registry: Registry) -> None:
    builtin = _read(builtin_text(), "built-in projects")

    def spine(registry: Registry) -> list[tuple[object, ...]]:
        return [(p.name, p.aliases, p.kind, p.start, p.end) for p in registry.projects]

    # Names, aliases and durations first, for a readable failure; then every fact.
    assert spine(builtin) == spine(data_registry), (
        "src/inventory/_data/projects.csv and data/projects.csv differ: "
        "cp data/projects.csv src/inventory/_data/projects.csv"
    )
    assert builtin.projects == data_registry.projects


def test_project_labels(data_registry: Registry) -> None:
    glacy = data_registry.resolve("glacy plus")
    assert glacy.duration == "March 2016 – February 2021"
    assert glacy.budget == "EUR 13,500,000"
    assert (glacy.first_day, glacy.last_day) == (date(2016, 3, 1), date(2021, 2, 28))
    assert data_registry.resolve("iproceeds 2").duration == "January 2020 – …"
    assert data_registry.resolve("TCY").duration == ""
    assert data_registry.resolve("TCY").budget == ""


# --- the registry's API, with the new file ------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("GLACY+", "GLACY+"),
        ("Glacy +", "GLACY+"),
        ("Global Action on Cybercrime Extended", "GLACY+"),
        ("octopus", "Cybercrime@Octopus"),
        ("I PROCEEDS 2", "iPROCEEDS-2"),
        ("Cybercrime Convention Committee", "T-CY"),
        ("NewProject", "NewProject"),
    ],
)
def test_canonical(data_registry: Registry, written: str, canonical: str) -> None:
    assert data_registry.canonical(written) == canonical


def test_resolve_suggests_and_split_prefers_two_word_aliases(data_registry: Registry) -> None:
    with pytest.raises(UsageError, match="did you mean GLACY\\+"):
        data_registry.resolve("GLACI")
    assert data_registry.split("CyberEast, iPROCEEDS 2, GLACY+,") == [
        "CyberEast",
        "iPROCEEDS 2",
        "GLACY+",
    ]


def test_projects_csv_beside_the_store_is_used(tmp_path: Path) -> None:
    path = tmp_path / "projects.csv"
    path.write_text(registry_text("NewProject,NP,project,2020-01,2020-12"), encoding="utf-8")
    registry = load_registry(path)
    assert [p.name for p in registry.projects] == ["NewProject"]
    assert registry.source == str(path)
    fallback = load_registry(tmp_path / "none" / "projects.csv")
    assert fallback.source == "built-in projects"
    assert fallback.find("GLACY+") is not None


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("X,,project,2020-05,2020-01", None, "end 2020-01 is before start 2020-05"),
        ("X,,project,2020-13,", "start", "'2020-13' is not of the expected form YYYY-MM"),
        ("X,,programme,,", "kind", "'project' or 'committee'"),
        ("X,,project,,,,1000,,", None, "budget_amount and budget_currency go together"),
        ("X,,project,,,,-5,EUR", "budget_amount", "greater than or equal to 0"),
        ("X,,project,,,,1000,euro", "budget_currency", "three-letter ISO 4217 code"),
        ("X,,project,,,,,,,Georgia", "countries", "ISO codes separated by ';'"),
        ("X,,project,,,,,,,GE;GE", None, "listed twice"),
        (",X2,project,,", "name", "a project needs a name"),
    ],
)
def test_bad_rows_name_line_and_field(row: str, field: str | None, message: str) -> None:
    with pytest.raises(StoreError) as caught:
        _read(registry_text("GLACY+,GLACY,project,2016-03,2021-02", row), "p.csv")
    assert caught.value.line == 3
    assert caught.value.field == field
    assert message in caught.value.message


def test_an_alias_naming_two_projects_is_refused() -> None:
    text = registry_text("GLACY+,GLACY,project,,", "Other,glacy,project,,")
    with pytest.raises(StoreError, match="'glacy' already names GLACY\\+ \\(line 2\\)"):
        _read(text, "p.csv")


def test_missing_name_column() -> None:
    with pytest.raises(StoreError, match="missing column 'name'"):
        _read("title,aliases\nX,Y\n", "p.csv")


# --- activities outside a project's duration ------------------------------------------


def activity(projects: tuple[str, ...], start: date, end: date) -> Activity:
    return Activity(
        id="test0001",
        projects=projects,
        title="Workshop",
        schedule=Schedule(
            segments=(Segment(start=start, end=end),), month=f"{start:%Y-%m}", text="x"
        ),
    )


IPROCEEDS = "(January 2016 – December 2019)"


@pytest.mark.parametrize(
    ("projects", "start", "end", "expected"),
    [
        (("iPROCEEDS",), date(2019, 12, 9), date(2019, 12, 10), []),
        (("iPROCEEDS",), date(2016, 1, 1), date(2016, 1, 1), []),
        (
            ("iPROCEEDS",),
            date(2020, 1, 1),
            date(2020, 1, 1),
            [f"1 January 2020 is after iPROCEEDS ended {IPROCEEDS}"],
        ),
        (
            ("iPROCEEDS",),
            date(2019, 12, 30),
            date(2020, 1, 2),
            [f"30 December 2019 - 2 January 2020 ends after iPROCEEDS ended {IPROCEEDS}"],
        ),
        (
            ("iPROCEEDS",),
            date(2015, 12, 31),
            date(2016, 1, 1),
            [f"31 December 2015 - 1 January 2016 starts before iPROCEEDS began {IPROCEEDS}"],
        ),
        (
            ("CyberEast", "iPROCEEDS"),
            date(2019, 5, 20),
            date(2019, 5, 21),
            ["20-21 May 2019 is before CyberEast began (June 2019 – June 2022)"],
        ),
        # An alias in the store counts; a committee and an unknown project have no duration.
        (
            ("I PROCEEDS", "T-CY", "NewProject"),
            date(2020, 2, 3),
            date(2020, 2, 3),
            [f"3 February 2020 is after iPROCEEDS ended {IPROCEEDS}"],
        ),
        # iPROCEEDS-2 has a start and no end yet.
        (
            ("iPROCEEDS-2",),
            date(2019, 12, 31),
            date(2019, 12, 31),
            ["31 December 2019 is before iPROCEEDS-2 began (January 2020 – …)"],
        ),
        (("iPROCEEDS-2",), date(2031, 1, 1), date(2031, 1, 1), []),
    ],
)
def test_outside_duration(
    data_registry: Registry,
    projects: tuple[str, ...],
    start: date,
    end: date,
    expected: list[str],
) -> None:
    assert outside_duration(activity(projects, start, end), data_registry) == expected


def test_outside_duration_of_an_unscheduled_activity(data_registry: Registry) -> None:
    tbd = Activity(
        id="test0002",
        projects=("iPROCEEDS",),
        title="Assessment",
        schedule=Schedule(
            precision=Precision.MONTH, certainty=Certainty.UNSCHEDULED, month="2020-01", text="x"
        ),
    )
    assert outside_duration(tbd, data_registry) == [
        f"January 2020 (dates TBD) is after iPROCEEDS ended {IPROCEEDS}"
    ]


def test_the_newsletter_has_one_activity_outside_its_projects_duration(
    data_registry: Registry,
) -> None:
    # Line 120: "CyberEast, iPROCEEDS, GLACY+, CyberSouth, International workshop on law
    # enforcement/service provider cooperation, Tbilisi, Georgia, 26-28 February" (2020),
    # after iPROCEEDS ended in December 2019. Every other line is within its projects' terms.
    found = {
        a.title: outside_duration(a, data_registry)
        for a in load(BUNDLED_STORE).activities
        if outside_duration(a, data_registry)
    }
    assert found == {
        "International workshop on law enforcement/service provider cooperation": [
            f"26-28 February 2020 is after iPROCEEDS ended {IPROCEEDS}"
        ]
    }


@pytest.mark.slow
def test_import_warns_once_per_activity_outside_its_duration(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    newsletter = str(FIXTURES / "newsletter-2019-q4.txt")
    result = runner.invoke(app, ["import", newsletter, "--store", str(store), "--create"])
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "ended" in line]
    assert len(warnings) == 1
    assert (
        "'International workshop on law enforcement/service provider cooperation'" in (warnings[0])
    )
    assert warnings[0].endswith(f"26-28 February 2020 is after iPROCEEDS ended {IPROCEEDS}")
    # Nothing new the second time, so nothing to warn about.
    again = runner.invoke(app, ["import", newsletter, "--store", str(store)])
    assert "ended" not in again.stderr


# --- inventory projects -------------------------------------------------------------------


def cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_projects_table() -> None:
    result = runner.invoke(app, ["projects", "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert cells(lines[0]) == [
        "Project",
        "Duration",
        "Budget",
        "Activities",
        "Countries reached",
        "Participating reached",
    ]
    rows = {cells(line)[0]: cells(line) for line in lines[2:]}
    assert list(rows) == list(PARTICIPATING)
    assert rows["GLACY+"] == [
        "GLACY+", "March 2016 – February 2021", "EUR 13,500,000", "62", "33", "10 of 12",
    ]  # fmt: skip
    # Octopus: Belgium, Ghana (twice), Fiji, Germany, and one line with no place.
    assert rows["Cybercrime@Octopus"][3:] == ["6", "4", "-"]
    # EndOCSEA: the Netherlands, Azerbaijan, France, Ethiopia, Armenia; two participate.
    assert rows["EndOCSEA@Europe"][3:] == ["11", "5", "2 of 10"]
    assert rows["iPROCEEDS-2"] == ["iPROCEEDS-2", "January 2020 – …", "-", "0", "0", "-"]
    assert rows["T-CY"] == ["T-CY", "-", "-", "4", "1", "-"]
    assert result.stderr == (
        "inventory: 1 iPROCEEDS activity is dated outside its duration; "
        "see 'inventory projects show iPROCEEDS'\n"
    )


def test_projects_json() -> None:
    result = runner.invoke(app, ["projects", "--json", "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 0, result.stderr
    records = {r["name"]: r for r in json.loads(result.stdout)}
    assert {name: r["activities"] for name, r in records.items()} == ACTIVITIES
    glacy = records["GLACY+"]
    assert glacy["budget"] == {"amount": 13_500_000, "currency": "EUR"}
    assert (glacy["start"], glacy["end"]) == ("2016-03", "2021-02")
    # Neither Sri Lanka nor Tonga appears on any line of the newsletter.
    assert [c["code"] for c in glacy["participating_not_reached"]] == ["LK", "TO"]
    octopus = records["Cybercrime@Octopus"]
    assert {c["code"] for c in octopus["countries_reached"]} == {"BE", "GH", "FJ", "DE"}
    assert records["iPROCEEDS"]["outside_duration"] == 1
    assert records["iPROCEEDS-2"]["budget"] is None
    assert records["T-CY"]["kind"] == "committee"


def test_projects_csv_and_markdown() -> None:
    out = runner.invoke(app, ["projects", "-f", "csv", "--store", str(BUNDLED_STORE)])
    assert out.exit_code == 0, out.stderr
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert rows["EndOCSEA@Europe"]["budget_amount"] == "849041"
    assert rows["EndOCSEA@Europe"]["participating_reached"] == "AM;AZ"
    assert rows["CyberEast"]["participating_not_reached"] == ""
    md = runner.invoke(app, ["projects", "--format", "markdown", "--store", str(BUNDLED_STORE)])
    assert md.exit_code == 0, md.stderr
    lines = md.stdout.splitlines()
    assert lines[0] == (
        "| Project | Duration | Budget | Activities | Countries reached | Participating reached |"
    )
    assert "| CyberSouth | July 2017 – June 2020 | EUR 3,350,000 | 22 |" in md.stdout


def test_projects_refuses_a_format_it_has_not() -> None:
    result = runner.invoke(app, ["projects", "--format", "text", "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 2
    assert "'text' is not one of 'table', 'json', 'csv', 'markdown'" in result.stderr


def test_projects_warns_about_a_project_not_in_the_registry(store_copy: Path) -> None:
    text = store_copy.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["projects"] = "NewProject"
    with store_copy.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["projects", "--json", "--store", str(store_copy)])
    assert result.exit_code == 0, result.stderr
    assert (
        "inventory: warning: 1 activity names project 'NewProject', which is not in "
        "built-in projects" in result.stderr
    )


def test_a_cancelled_activity_reaches_no_country(store_copy: Path) -> None:
    # Fiji is reached by one activity only: Cybercrime@Octopus's advisory mission.
    rows = list(csv.DictReader(io.StringIO(store_copy.read_text(encoding="utf-8"))))
    fiji = [r for r in rows if r["countries"] == "FJ"]
    assert len(fiji) == 1
    fiji[0]["status"] = "cancelled"
    with store_copy.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["projects", "show", "octopus", "--json", "-s", str(store_copy)])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["activities"] == 6
    assert {c["code"] for c in record["countries_reached"]} == {"BE", "GH", "DE"}


# --- inventory projects show --------------------------------------------------------------


def test_projects_show_json() -> None:
    result = runner.invoke(
        app, ["projects", "show", "glacy", "--json", "--store", str(BUNDLED_STORE)]
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["name"] == "GLACY+"
    # GLACY+ lines under each month heading of the newsletter, counted by hand.
    assert record["per_month"] == {
        "2019-10": 14,
        "2019-11": 11,
        "2019-12": 6,
        "2020-01": 8,
        "2020-02": 15,
        "2020-03": 8,
    }
    assert [c["name"] for c in record["participating_not_reached"]] == ["Sri Lanka", "Tonga"]
    assert len(record["participating_reached"]) == 10
    assert record["outside_duration"] == []


def test_projects_show_outside_duration() -> None:
    result = runner.invoke(
        app, ["projects", "show", "IPROCEEDS", "--json", "--store", str(BUNDLED_STORE)]
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    # Seven participating areas, each reached: Belgrade, Podgorica, Sarajevo, Ohrid,
    # Tirana, Pristina, Ankara. No iPROCEEDS line in January 2020: a zero month.
    assert record["participating_not_reached"] == []
    assert record["per_month"] == {
        "2019-10": 7,
        "2019-11": 7,
        "2019-12": 3,
        "2020-01": 0,
        "2020-02": 1,
    }
    [outside] = record["outside_duration"]
    assert (
        outside["title"] == "International workshop on law enforcement/service provider cooperation"
    )
    assert outside["dates"] == "26-28 February 2020"


def test_projects_show_table() -> None:
    result = runner.invoke(app, ["projects", "show", "iPROCEEDS", "-s", str(BUNDLED_STORE)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "iPROCEEDS"
    assert cells(lines[3]) == ["Duration", "January 2016 – December 2019"]
    assert cells(lines[5]) == ["Budget", "EUR 5,560,000"]
    assert "Activities per month (18 in the store)" in lines
    assert cells(lines[lines.index("Activities per month (18 in the store)") + 6]) == [
        "Jan 2020",
        "·",
    ]
    assert "Participating, not yet reached (0)  -" in result.stdout
    assert "Activities outside the project's duration (1)" in lines
    assert cells(lines[-1])[1:] == [
        "26-28 February 2020",
        "International workshop on law enforcement/service provider cooperation",
        f"is after iPROCEEDS ended {IPROCEEDS}",
    ]


def test_projects_show_draws_the_first_few_outside_its_duration_and_the_commands_listing_all(
    tmp_path: Path,
) -> None:
    # A generated store runs from 2015 to 2030: many GLACY+ activities fall outside
    # March 2016 - February 2021.
    store = tmp_path / "g.csv"
    generate(store, 400, seed=7)
    shown = runner.invoke(app, ["projects", "show", "GLACY+", "--json", "-s", str(store)])
    assert shown.exit_code == 0, shown.stderr
    every = json.loads(shown.stdout)["outside_duration"]
    assert len(every) > SHOWN
    result = runner.invoke(app, ["projects", "show", "GLACY+", "-s", str(store)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    heading = lines.index(f"Activities outside the project's duration ({len(every)})")
    assert cells(lines[heading + 1]) == ["ID", "Dates", "Title", "Why"]
    rows = lines[heading + 3 : heading + 3 + SHOWN]
    assert [cells(row)[0] for row in rows] == [a["id"] for a in every[:SHOWN]]
    assert lines[heading + 3 + SHOWN :] == [
        f"and {len(every) - SHOWN} more, listed by:",
        "  inventory list --project GLACY+ --to 2016-02-29",
        "  inventory list --project GLACY+ --from 2021-03-01",
    ]
    listed: set[str] = set()
    for command in lines[-2:]:
        args = shlex.split(command)[1:]
        answer = runner.invoke(app, [*args, "--format", "ids", "-s", str(store)])
        assert answer.exit_code == 0, answer.stderr
        listed |= set(answer.stdout.split())
    assert listed == {a["id"] for a in every}


def test_the_commands_listing_a_projects_outliers_follow_its_known_ends(
    data_registry: Registry,
) -> None:
    # iPROCEEDS-2 began in January 2020 and has no end; T-CY has no duration.
    assert outside_listings(data_registry.resolve("iPROCEEDS-2")) == [
        "inventory list --project iPROCEEDS-2 --to 2019-12-31"
    ]
    assert outside_listings(data_registry.resolve("T-CY")) == []
    assert outside_listings(data_registry.resolve("Cybercrime@Octopus")) == [
        "inventory list --project Cybercrime@Octopus --to 2013-12-31",
        "inventory list --project Cybercrime@Octopus --from 2021-01-01",
    ]


def test_projects_show_draws_more_than_two_years_of_months_a_year_a_row(tmp_path: Path) -> None:
    target = tmp_path / "s.db"
    dates = {
        "aaaa1111": "12 November 2019",
        "aaaa2222": "14-15 January 2020",
        "aaaa3333": "20 January 2020",
        "aaaa4444": "3 February 2022",
    }
    with open_store(str(target), create=True) as store, store.transaction() as batch:
        for ident, when in dates.items():
            batch.add(made(ident, f"Meeting {ident}", when, projects=("T-CY",)))
    result = runner.invoke(app, ["projects", "show", "T-CY", "-s", str(target)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    heading = lines.index("Activities per month (4 in the store)")
    header = lines[heading + 1]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert header.split() == ["Year", *months]

    def row(line: str) -> list[str]:
        # Right-aligned under each month's name: a blank cell is a month outside the run.
        ends = [header.index(month) + 3 for month in months]
        return [line.split()[0]] + [line[end - 3 : end].strip() for end in ends]

    # November 2019 to February 2022: 28 months, zero ones dotted, the others blank.
    assert [row(line) for line in lines[heading + 3 : heading + 7]] == [
        ["2019"] + [""] * 10 + ["1", "·"],
        ["2020", "2"] + ["·"] * 11,
        ["2021"] + ["·"] * 12,
        ["2022", "·", "1"] + [""] * 10,
    ]
    assert lines[heading + 7] == ""


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("GLACI", "unknown project 'GLACI': did you mean GLACY+?\n"),
        ("Nothing", "unknown project 'Nothing': expected one of Cybercrime@Octopus, GLACY+"),
    ],
)
def test_projects_show_unknown(name: str, message: str) -> None:
    result = runner.invoke(app, ["projects", "show", name, "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 2
    assert result.stderr.startswith("inventory: error: " + message)
    assert result.stdout == ""


def test_a_broken_projects_csv_is_a_one_line_error(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    store.write_bytes(BUNDLED_STORE.read_bytes())
    (tmp_path / "projects.csv").write_text(
        registry_text("GLACY+,,project,2016-03,2015-01"), encoding="utf-8"
    )
    result = runner.invoke(app, ["projects", "--store", str(store)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"inventory: error: {tmp_path / 'projects.csv'}:2: end 2015-01 is before start 2016-03\n"
    )


def test_projects_help_has_examples() -> None:
    for args in (["projects", "--help"], ["projects", "show", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "Examples:" in result.stdout


def test_the_names_read_without_models_are_the_registrys() -> None:
    # A server store resolves --project from projects.csv read with the csv module alone;
    # it must give what the registry's models give, name and alias alike.
    from inventory.folding import project_key, registry_names
    from inventory.projects import builtin_text, load_registry

    registry = load_registry()
    from_models = {
        project_key(spelling): project.name
        for project in registry.projects
        for spelling in (project.name, *project.aliases)
    }
    assert registry_names(builtin_text()) == from_models
    assert registry_names(builtin_text())[project_key("Cybercrime Octopus")] == "Cybercrime@Octopus"
    assert len(from_models) > len(registry.projects)  # aliases are in it
