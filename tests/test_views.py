"""The planning views as text: golden files at a fixed width with colour off, and the
commands through Typer's runner.

The golden files in tests/fixtures/snapshots/ were read line by line against the fixture
newsletter before being accepted (the counts, bars and pairs they show are the ones
tests/test_planning.py checks by hand). To rewrite them after a deliberate change, run
``UPDATE_SNAPSHOTS=1 pytest tests/test_views.py`` and read the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from inventory.clashes import find_pairs
from inventory.cli import app
from inventory.months import Period, month_label, parse_month_period, parse_quarter
from inventory.planning import build_calendar, build_timeline
from inventory.query import Criteria, select_from
from inventory.report import build_report
from inventory.views.console import render_text
from inventory.views.planning import CalendarView, PairsView, TimelineView, short_dates
from inventory.views.report import chart_lines
from tests.helpers import BUNDLED_STORE, FIXTURES, REPO, Loaded, load, run, runner

SNAPSHOTS = FIXTURES / "snapshots"
ANSI = re.compile(r"\x1b\[")


@pytest.fixture(scope="module")
def store() -> Loaded:
    return load(BUNDLED_STORE)


def chosen(store: Loaded, period: Period) -> list[Any]:
    return select_from(store.activities, Criteria(period=period))


def calendar_drawn(cal: Any, width: int | None = None, ascii_: bool | None = None) -> str:
    return render_text(CalendarView(cal, ascii=ascii_), width=width)


def timeline_drawn(timeline: Any, width: int | None = None, ascii_: bool | None = None) -> str:
    return render_text(TimelineView(timeline, ascii=ascii_), width=width)


def matches_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


# --- golden files -------------------------------------------------------------------------


def calendar_text(store: Loaded, month: str, **kw: Any) -> str:
    period = parse_month_period(month)
    label = month_label(period[0])
    return calendar_drawn(build_calendar(chosen(store, period), period, label), **kw)


def test_calendar_november_2019_piped(store: Loaded) -> None:
    text = calendar_text(store, "2019-11")
    matches_snapshot("calendar-2019-11.txt", text)
    # The weeks of 18 and 25 November, as counted by hand in test_planning.
    assert "18 [4]   19 [6]   20 [5]   21 [4]   22 [4]   23 .     24 ." in text
    assert "25 [1]   26 [3]   27 [1]   28 [4]   29 [4]   30 [1]" in text
    assert "27 activities on 21 days" in text
    assert "Busiest day: Tuesday 19 November 2019 (6 activities)" in text
    assert text.isascii() and not ANSI.search(text)


def test_calendar_march_2020_marks_tentative_days(store: Loaded) -> None:
    text = calendar_text(store, "2020-03", width=80, ascii_=False)
    matches_snapshot("calendar-2020-03-w80.txt", text)
    # 2-5 March: only Paraguay (TBC); 16 March: three, one TBC; 21-29 March: nothing.
    assert " 2 [1?]   3 [1?]   4 [1?]   5 [1?]   6 ·" in text
    assert "16 [3?]" in text and "23 ·     24 ·" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "also this month, dates unknown: 9" in text
    assert text.count("Assessment of crime proceeds and reporting systems") == 6


def timeline_text(store: Loaded, period: Period, label: str, **kw: Any) -> str:
    by = kw.pop("by", "project")
    return timeline_drawn(build_timeline(chosen(store, period), period, label, by), **kw)


def test_timeline_q1_2020_piped(store: Loaded) -> None:
    text = timeline_text(store, parse_quarter("Q1-2020"), "Q1 2020")
    matches_snapshot("timeline-2020-q1.txt", text)
    lines = text.splitlines()
    assert lines[0] == (
        "Timeline Q1 2020 (2020-01-01 to 2020-03-31): 60 activities in 6 projects; "
        "one column = 1 day"
    )
    rows = [line for line in lines if line.startswith("  ") and line[2:93].strip()][2:]
    assert len(rows) == 63  # 60 activities, the Tbilisi workshop under 4 projects
    # Piped: plain ASCII bars, whole titles, no colour.
    assert not ANSI.search(text)
    assert all(line[:95].isascii() for line in lines)
    bars = {line.split("  ")[-1]: line[2:93] for line in rows}
    congo = bars["Legislation assessment, joint mission with Cyber4Dev, Brazzaville, Congo"]
    assert congo[26:30] == "????"  # 27-30 January, dates TBC
    burkina = bars["Initial assessment visit, Burkina Faso"]
    assert burkina[26:30] == "####"
    ecuador = bars[
        "Legislation assessment and awareness on the Budapest Convention, joint mission "
        "with Cyber4Dev, Ecuador"
    ]
    assert ecuador[:31] == "." * 31 and ecuador[31:].replace(":", "").strip() == ""


def test_timeline_november_2019_fits_100_columns(store: Loaded) -> None:
    text = timeline_text(
        store, parse_month_period("2019-11"), "November 2019", width=100, ascii_=False
    )
    matches_snapshot("timeline-2019-11-w100.txt", text)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "…" in text  # long titles cut on a screen
    assert "█" in text and "┊" in text


def test_timeline_q1_2020_by_country_at_120(store: Loaded) -> None:
    text = timeline_text(
        store, parse_quarter("Q1-2020"), "Q1 2020", width=120, ascii_=False, by="country"
    )
    matches_snapshot("timeline-2020-q1-by-country-w120.txt", text)
    assert max(len(line) for line in text.splitlines()) <= 120
    assert "one column = 2 days" in text.splitlines()[0]
    assert "Morocco (4)" in text


def test_narrow_timeline_keeps_the_places(store: Loaded) -> None:
    # Six "Assessment of crime proceeds and reporting systems" rows differ only by place.
    period = parse_quarter("Q1-2020")
    cyber_east = select_from(store.activities, Criteria(period=period, projects=("CyberEast",)))
    timeline = build_timeline(cyber_east, period, "Q1 2020", only=("CyberEast",))
    lines = timeline_drawn(timeline, width=70, ascii_=False).splitlines()
    assert max(len(line) for line in lines) <= 70
    assessments = [line for line in lines if "  Assessment o" in line]
    assert [line.rsplit("…, ", 1)[1] for line in assessments] == [
        "Kyiv, Ukraine",
        "Tbilisi, Georgia",
        "Minsk, Belarus",
        "Chisinau, Moldova",
        "Yerevan, Armenia",
        "Baku, Azerbaijan",
    ]


def test_clashes_q4_2019(store: Loaded) -> None:
    period = parse_quarter("Q4-2019")
    pairs = find_pairs(chosen(store, period), corpus=store.activities, min_score=40)
    text = render_text(PairsView(pairs, "Clashes and duplicates, Q4 2019"), width=100)
    matches_snapshot("clashes-2019-q4-w100.txt", text)
    assert text.splitlines()[0] == (
        "Clashes and duplicates, Q4 2019: 1 likely duplicate; 1 same place, same time; "
        "7 parallel load"
    )
    assert "+25 Morocco (where 2r44q18c is) is named in the title of 3rp3x449" in text


def test_report_chart_q4_2019(store: Loaded) -> None:
    period = parse_quarter("Q4-2019")
    report = build_report(chosen(store, period), period, "Q4 2019")
    text = render_text(*chart_lines(report, 80, False), width=80)
    matches_snapshot("report-chart-2019-q4-w80.txt", text)
    # The report's own figures: GLACY+ 31 in Q4, 29 activities in October.
    assert "  GLACY+              " + "█" * 31 + " 31" in text
    assert "  Oct 2019            " + "█" * 29 + " 29" in text


@pytest.mark.parametrize(
    ("title_start", "month", "expected"),
    [
        ("Introductory training courses on cybercrime", "2019-10", "21-22, 28-29 Oct"),
        ("Advisory mission on cybercrime legislation", "2019-10", "30 Oct - 1 Nov"),
        ("Protocol Drafting Group Meeting", "2020-03", "16pm-20am Mar"),
        ("Review of the Cybercrime Bill", "2019-11", "by 30 Nov"),
        ("Legislation assessment, joint mission", "2020-01", "27-30 Jan"),
        ("Legislation assessment and awareness", "2020-01", "TBD"),
    ],
)
def test_short_dates(store: Loaded, title_start: str, month: str, expected: str) -> None:
    [activity] = [
        a for a in store.activities if a.title.startswith(title_start) and a.schedule.month == month
    ]
    assert short_dates(activity) == expected


# --- the commands -----------------------------------------------------------------------------


def test_calendar_command_json(store_copy: Path) -> None:
    result = run("calendar", "--month", "2019-11", "--json", store=store_copy)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    counts = {day[-2:]: v["count"] for day, v in data["days"].items()}
    assert (counts["18"], counts["19"], counts["20"], counts["22"], counts["28"]) == (4, 6, 5, 4, 4)
    assert result.stderr == ""


def test_calendar_command_filters(store_copy: Path) -> None:
    # GLACY+ on 28 November: Costa Rica (25-29) and both Morocco listings.
    result = run("calendar", "-m", "2019-11", "-p", "glacy+", "--json", store=store_copy)
    assert json.loads(result.stdout)["days"]["2019-11-28"]["count"] == 3
    # Morocco in November: Rabat (13-14) and the GLACY+ listing (28-29); the other listing
    # is filed under Strasbourg.
    result = run("calendar", "-m", "2019-11", "-c", "MA", "--json", store=store_copy)
    days = json.loads(result.stdout)["days"]
    assert [d for d, v in days.items() if v["count"]] == [
        "2019-11-13",
        "2019-11-14",
        "2019-11-28",
        "2019-11-29",
    ]


def test_calendar_command_quarter_text(store_copy: Path) -> None:
    result = run("calendar", "--quarter", "Q1-2020", store=store_copy)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("Mo       Tu       We") == 3
    assert "also this month, dates unknown: 7" in result.stdout  # February
    assert not ANSI.search(result.stdout) and result.stdout.isascii()


def test_calendar_defaults_to_this_month(store_copy: Path) -> None:
    result = run("calendar", "--json", store=store_copy, env={"INVENTORY_TODAY": "2020-02-10"})
    assert json.loads(result.stdout)["period"]["label"] == "February 2020"
    empty = run("calendar", store=store_copy, env={"INVENTORY_TODAY": "2024-05-02"})
    assert empty.exit_code == 0
    assert "May 2024" in empty.stdout
    assert "no activities in May 2024" in empty.stderr
    assert "hint: try --month 2019-10" in empty.stderr


def test_timeline_command_json(store_copy: Path) -> None:
    result = run("timeline", "--quarter", "Q1-2020", "--json", store=store_copy)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["activities"] == 60
    assert len({r["id"] for r in data["rows"]}) == 60
    assert set(data["rows"][0]) == {
        "group", "id", "title", "dates", "start", "end", "segments", "certainty", "deadline",
    }  # fmt: skip


def test_timeline_command_project_filter(store_copy: Path) -> None:
    result = run("timeline", "--quarter", "Q1-2020", "-p", "iPROCEEDS", store=store_copy)
    assert result.exit_code == 0, result.stderr
    groups = [line for line in result.stdout.splitlines() if re.match(r"^\S.* \(\d+\)$", line)]
    assert groups == ["iPROCEEDS (1)"]


def test_timeline_command_piped_is_plain(store_copy: Path) -> None:
    result = run("timeline", "--month", "2019-10", "--by", "Country", store=store_copy)
    assert result.exit_code == 0, result.stderr
    assert not ANSI.search(result.stdout)
    assert "##-----##" in result.stdout  # Ohrid: 21-22 and 28-29 October
    assert "North Macedonia (1)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["timeline", "--by", "city"], "--by: 'city'; expected one of project, country"),
        (["report", "--chart", "--json"], "--chart draws under the table"),
        (["calendar", "--month", "2019-13"], "invalid month '2019-13'"),
        (["clashes", "--min-score", "101"], "--min-score"),
        (["calendar", "--format", "csv"], "'csv' is not one of 'table', 'json'"),
    ],
)
def test_usage_errors(store_copy: Path, args: list[str], message: str) -> None:
    result = run(*args, store=store_copy)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_clashes_command_json(store_copy: Path) -> None:
    result = run("clashes", "--quarter", "Q4-2019", "--json", store=store_copy)
    assert result.exit_code == 0, result.stderr
    pairs = json.loads(result.stdout)
    assert len(pairs) == 9
    first = pairs[0]
    assert (first["kind"], first["score"] >= 80) == ("likely duplicate", True)
    assert {a["id"] for a in first["activities"]} == {"2r44q18c", "3rp3x449"}
    assert [r["points"] for r in first["reasons"]][:3] == [40, 25, 15]


def test_clashes_command_focus_and_min_score(store_copy: Path) -> None:
    result = run("clashes", "-q", "Q1-2020", "-p", "CyberEast", "--json", store=store_copy)
    pairs = json.loads(result.stdout)
    # CyberEast's only pair of 40 or more: Kharkiv and Batumi, both 3-7 February.
    assert [sorted(a["title"][:20] for a in p["activities"]) for p in pairs] == [
        ["First Responder trai", "Introductory judicia"]
    ]
    everything = run("clashes", "-q", "Q1-2020", "--min-score", "0", "--json", store=store_copy)
    assert len(json.loads(everything.stdout)) > len(json.loads(result.stdout))


def test_clashes_command_nothing_found(store_copy: Path) -> None:
    result = run("clashes", "--month", "2020-03", store=store_copy)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no pairs score 40 or more among 20 activities" in result.stderr
    as_json = run("clashes", "--month", "2020-03", "--json", store=store_copy)
    assert as_json.stdout == "[]\n"


def test_report_chart_command(store_copy: Path) -> None:
    result = run("report", "--quarter", "Q4-2019", "--chart", store=store_copy)
    assert result.exit_code == 0, result.stderr
    assert "Activities per project per month" in result.stdout  # the report is still there
    assert "  T-CY                # 1" in result.stdout
    assert "  Dec 2019            " + "#" * 17 + " 17" in result.stdout
    plain = run("report", "--quarter", "Q4-2019", store=store_copy)
    assert "Activities per project (" not in plain.stdout


@pytest.mark.parametrize("name", ["calendar", "timeline", "clashes"])
def test_help_has_examples(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and f"inventory {name} --" in result.stdout


# --- the guide shows real output ----------------------------------------------------------------

GUIDE = REPO / "docs" / "guide.md"


def readme_block(command: str) -> str:
    """The output under ``$ command`` in the guide, up to the next prompt or fence."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"$ {command}\n") + len(command) + 3
    ends = [i for i in (text.find("\n$ ", start), text.find("\n```", start)) if i != -1]
    return text[start : min(ends)] + "\n"


def test_readme_planning_outputs(store: Loaded) -> None:
    q1, q4 = parse_quarter("Q1-2020"), parse_quarter("Q4-2019")
    assert readme_block("inventory calendar --month 2019-11") == calendar_text(
        store, "2019-11", width=100, ascii_=True
    )
    two = select_from(store.activities, Criteria(period=q1, projects=("CyberEast", "T-CY")))
    timeline = build_timeline(two, q1, "Q1 2020", only=("CyberEast", "T-CY"))
    command = "inventory timeline --quarter Q1-2020 --project CyberEast --project T-CY"
    assert readme_block("COLUMNS=150 TTY_COMPATIBLE=1 " + command) == timeline_drawn(
        timeline, width=150, ascii_=False
    )
    pairs = find_pairs(chosen(store, q4), corpus=store.activities, min_score=50)
    drawn = render_text(PairsView(pairs, "Clashes, Q4 2019, score 50+"), width=100)
    assert readme_block("inventory clashes --quarter Q4-2019 --min-score 50") == drawn
    report = build_report(chosen(store, q1), q1, "Q1 2020")
    chart = readme_block("inventory report --quarter Q1-2020 --chart")
    drawn_chart = render_text(*chart_lines(report, 100, True), width=100).lstrip("\n")
    assert chart.split("\n…\n", 1)[1] == drawn_chart


def test_readme_piped_timeline(store_copy: Path) -> None:
    # The guide's examples run with COLUMNS=100, which a pipe honours too.
    args = ("timeline", "--month", "2019-10", "--project", "iPROCEEDS")
    piped = run(*args, store=store_copy, env={"COLUMNS": "100"})
    assert readme_block("inventory timeline --month 2019-10 --project iPROCEEDS | cat") == (
        piped.stdout
    )
