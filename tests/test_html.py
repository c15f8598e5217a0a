"""``--format html`` without a browser: the page's content and structure read with Python's
own HTML parser, the commands and their options, escaping, and the timeline's geometry.
test_html_browser.py opens the same pages in Chromium.

Expected numbers were counted by hand in tests/fixtures/newsletter-2019-q4.txt (the bundled
store is that newsletter's tables): the lines under each month heading, the activities
with two parts, half days, deadlines and "dates TBD" in each quarter.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.cli import app
from inventory.formats import Format, Summary, formats_for
from inventory.formats.svg import LABEL_WIDTH, make_axis, row_lines, row_marks
from inventory.formats.webpage import month_range, render_report
from inventory.model import Activity, Certainty, HalfDay, Place, Precision, Schedule, Segment
from inventory.months import parse_quarter
from inventory.report import build_report
from tests.helpers import BUNDLED_STORE, FIXTURES, runner
from tests.htmlpage import (
    Q1_2020,
    Q1_2020_AS_OF_12_FEB,
    Q4_2019,
    Node,
    make_page,
    outline,
    parse,
)

SNAPSHOTS = FIXTURES / "snapshots"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("pages")
    return {
        name: make_page(name, folder).read_text(encoding="utf-8")
        for name in ("report-2019-q4", "report-2020-q1", "projects")
    }


def rows_per_month(root: Node) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for part in root.find_all("section", "part"):
        out[part.attrs["id"]] = {
            month.attrs["data-month"]: len(month.find_all("tr", "activity"))
            for month in part.find_all("section", "month")
        }
    return out


def shapes(root: Node, tag: str, cls: str) -> list[Node]:
    return [n for svg in root.find_all("svg", "gantt") for n in svg.find_all(tag, cls)]


# --- the newsletter's layout -----------------------------------------------------------------


def test_rows_per_month_are_the_newsletters_lines(pages: dict[str, str]) -> None:
    # As of 1 January 2020 all of Q4 2019 is over: one section, the inventory.
    assert rows_per_month(parse(pages["report-2019-q4"])) == {"inventory": Q4_2019}
    assert rows_per_month(parse(pages["report-2020-q1"])) == Q1_2020_AS_OF_12_FEB
    split = Q1_2020_AS_OF_12_FEB
    assert split["inventory"]["2020-02"] + split["coming-next"]["2020-02"] == Q1_2020["2020-02"]


def test_section_titles_name_their_months(pages: dict[str, str]) -> None:
    titles = [h.text() for h in parse(pages["report-2020-q1"]).find_all("h2")]
    assert "Inventory of activities (January – February 2020)" in titles
    assert "Coming next (February – March 2020)" in titles
    assert month_range(["2019-12", "2020-01"]) == "December 2019 – January 2020"
    assert month_range(["2019-11"]) == "November 2019"


def test_a_line_is_projects_then_title_location_and_dates_as_written(
    pages: dict[str, str],
) -> None:
    root = parse(pages["report-2020-q1"])
    rows = {r.attrs["data-id"]: r for r in root.find_all("tr", "activity")}
    by_title = {r.find_all("span", "title")[0].text(): r for r in rows.values()}
    # "CyberEast<TAB>Steering Commitee of CyberEast Project, Kyiv, Ukraine, 29 – 30 January
    # (dates TBC)": the dates exactly as written, marked tentative in words.
    row = by_title["Steering Commitee of CyberEast Project"]
    cells = row.find_all("td")
    assert cells[0].text() == "CyberEast"
    assert cells[1].find_all("span", "place")[0].text() == "Kyiv, Ukraine"
    (time,) = cells[1].find_all("time")
    assert time.text() == "29 – 30 January (dates TBC)"
    assert time.attrs["datetime"] == "2020-01-29"
    assert time.attrs["data-edtf"] == "2020-01-?29/2020-01-?30"
    assert "tentative" in row.classes
    assert [m.text() for m in cells[1].find_all("span", "mark")] == ["dates to be confirmed"]
    # "GLACY+<TAB>...Ecuador, dates TBD": no day known, so <time> holds the month only.
    row = by_title[
        "Legislation assessment and awareness on the Budapest Convention, "
        "joint mission with Cyber4Dev"
    ]
    (time,) = row.find_all("time")
    assert (time.text(), time.attrs["datetime"]) == ("dates TBD", "2020-01")
    assert [m.text() for m in row.find_all("span", "mark")] == ["day not yet known"]
    # "GLACY+<TAB>Report on cybercrime reporting and criminal justice statistics, by 31
    # January": a deadline, said in words.
    row = by_title["Report on cybercrime reporting and criminal justice statistics"]
    (time,) = row.find_all("time")
    assert (time.text(), time.attrs["datetime"]) == ("by 31 January", "2020-01-31")
    assert [m.text() for m in row.find_all("span", "mark")] == ["deadline"]
    # The untitled-project line of March ("<TAB>Introductory training on cybercrime for
    # Legal practitioners, Mauritius, 9-11 March (dates TBC)").
    row = by_title["Introductory training on cybercrime for Legal practitioners"]
    assert row.find_all("td")[0].text() == "–"


def test_every_known_day_has_a_time_element(pages: dict[str, str]) -> None:
    root = parse(pages["report-2019-q4"])
    times = [t for r in root.find_all("tr", "activity") for t in r.find_all("time")]
    assert len(times) == sum(Q4_2019.values())
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t.attrs["datetime"]) for t in times)
    # "21 – 22 and 28 - 29 October": the first day, and the two parts in EDTF.
    ohrid = [t for t in times if t.text() == "21 – 22 and 28 - 29 October"]
    assert [t.attrs["data-edtf"] for t in ohrid] == [
        "{2019-10-21..2019-10-22,2019-10-28..2019-10-29}"
    ]


def test_the_summary_counts_are_the_reports(pages: dict[str, str]) -> None:
    root = parse(pages["report-2020-q1"])
    (matrix,) = root.find_all("table", "matrix")
    footer = [c.text() for c in matrix.find_all("tfoot")[0].find_all("td")]
    assert footer == ["14", "26", "20", "60"]
    figures = [li.text() for li in root.find_all("ul", "figures")[0].find_all("li")]
    assert "13 with dates to be confirmed" in figures
    assert "18 with the day not yet known" in figures
    assert "4 deadlines" in figures
    deadlines = root.find_all("table", "deadlines")[0].find_all("time")
    assert [t.attrs["datetime"] for t in deadlines] == [
        "2020-01-31", "2020-01-31", "2020-02-28", "2020-02-28",
    ]  # fmt: skip


# --- the timeline --------------------------------------------------------------------------


def test_one_bar_per_known_day_range(pages: dict[str, str]) -> None:
    # Q4 2019, one row per activity and project: 6 Octopus, 14 CyberEast, 11 CyberSouth,
    # 9 EndOCSEA, 31 GLACY+, 17 iPROCEEDS, 1 T-CY. Every one a day range but GLACY+'s
    # "by 30 November" (a diamond), and iPROCEEDS' Ohrid course has two parts.
    q4 = parse(pages["report-2019-q4"])
    assert len(shapes(q4, "rect", "bar")) == 6 + 14 + 11 + 9 + 30 + 18 + 1
    assert len(shapes(q4, "path", "deadline")) == 1
    assert len(shapes(q4, "line", "gap")) == 1
    assert shapes(q4, "rect", "band") == []
    # Q1 2020: 60 activities, the Tbilisi workshop of four projects drawn under each (63
    # rows); 18 with no day known (bands, not bars), 4 deadlines (all GLACY+'s "by ...").
    q1 = parse(pages["report-2020-q1"])
    assert len(shapes(q1, "g", "row")) == 63
    assert len(shapes(q1, "rect", "band")) == 18
    assert len(shapes(q1, "path", "deadline")) == 4
    assert len(shapes(q1, "rect", "bar")) == 63 - 18 - 4
    # "(dates TBC)" with days: 13 activities, none shared, hatched bars.
    assert len([b for b in shapes(q1, "rect", "bar") if "tentative" in b.classes]) == 13


def test_a_timeline_label_shows_the_whole_title_and_place_on_two_lines(
    pages: dict[str, str],
) -> None:
    # The review (E11) read "Meeting of the 24/7 Contact Poin…, Netherlands" at 1280 pixels
    # for the 8 October meeting, under each of its five projects.
    q4 = parse(pages["report-2019-q4"])
    labels = [
        " ".join(t.text() for t in row.find_all("tspan"))
        for svg in q4.find_all("svg", "gantt")
        for row in svg.find_all("g", "row")
        if row.attrs.get("data-id") == "7pmn4b6q"
    ]
    whole = "Meeting of the 24/7 Contact Points under Budapest Convention, Netherlands"
    assert labels == [whole] * 5
    titles = [n.text() for n in shapes(q4, "text", "row-title")]
    assert "OSCE Forensic Training, Tbilisi, Georgia" in titles  # short: one line, as before


@pytest.mark.parametrize(
    ("title", "place", "lines"),
    [
        ("Octopus Conference", "Strasbourg, France", ("Octopus Conference, Strasbourg, France",)),
        (
            "Advisory mission on cybercrime legislation",
            "Fiji",
            ("Advisory mission on cybercrime legislation,", "Fiji"),
        ),
        # Past two lines the second is cut, and the place is kept whole.
        (
            "Official opening of the National Cyber Security Month climax week and"
            " Inter-Ministerial roundtable discussion on cybercrime in the ECOWAS Region",
            "Ghana",
            (
                "Official opening of the National Cyber",
                "Security Month climax week and Inter-M…, Ghana",
            ),
        ),
        ("Desk study", "", ("Desk study",)),
    ],
)
def test_a_label_breaks_between_words_and_keeps_its_place(
    title: str, place: str, lines: tuple[str, ...]
) -> None:
    assert row_lines(title, place) == lines


def test_half_days_are_half_a_day_wide(tmp_path: Path) -> None:
    page = make_page("report-2020-q1", tmp_path, BUNDLED_STORE, "--project", "T-CY")
    bars = {
        row.attrs["data-id"]: row.find_all("rect", "bar")
        for row in shapes(parse(page.read_text(encoding="utf-8")), "g", "row")
    }
    # T-CY in Q1 2020: Protocol Drafting Group 21-24 January; Bureau 16 (AM) March;
    # Protocol Drafting Group Meeting 16 (PM) - 20 (AM) March. 91 days share the 592 units
    # right of the labels.
    day = (1000 - LABEL_WIDTH - 8) / 91
    widths = sorted(round(float(b[0].attrs["width"]) / day, 2) for b in bars.values())
    assert widths == [0.5, 4.0, 4.0]
    halves = sorted(c for b in bars.values() for c in b[0].classes if c.startswith("half"))
    assert halves == ["half-am", "half-both"]


def test_row_marks_honour_the_period() -> None:
    # Ohrid's two parts, 21-22 and 28-29 October, in a report from 25 October: the first
    # part is outside, so one bar and the line from the period's edge to the second part.
    schedule = Schedule(
        segments=(
            Segment(start=date(2019, 10, 21), end=date(2019, 10, 22)),
            Segment(start=date(2019, 10, 28), end=date(2019, 10, 29)),
        ),
        month="2019-10",
    )
    activity = Activity(id="ohrid001", title="Introductory training", schedule=schedule)
    axis = make_axis((date(2019, 10, 25), date(2019, 11, 5)))
    kinds = [m.kind for m in row_marks(activity, axis)]
    assert kinds == ["gap", "bar"]
    gap, bar = row_marks(activity, axis)
    assert gap.x == LABEL_WIDTH and bar.width == pytest.approx(2 * axis.day_width, abs=0.01)


day_ranges = st.lists(
    st.tuples(st.integers(0, 120), st.integers(0, 6)), min_size=1, max_size=4
).map(lambda pairs: sorted(pairs))


@settings(max_examples=150, deadline=None)
@given(
    ranges=day_ranges,
    halves=st.tuples(st.sampled_from([None, HalfDay.AM, HalfDay.PM]), st.booleans()),
    start=st.integers(0, 120),
    length=st.integers(0, 100),
    tentative=st.booleans(),
)
def test_bars_stay_in_the_chart_and_in_order(
    ranges: list[tuple[int, int]],
    halves: tuple[HalfDay | None, bool],
    start: int,
    length: int,
    tentative: bool,
) -> None:
    base = date(2020, 1, 1)
    segments: list[Segment] = []
    for offset, span in ranges:
        first = base.fromordinal(base.toordinal() + offset)
        if segments and first <= segments[-1].end:
            continue
        last = first.fromordinal(first.toordinal() + span)
        segments.append(Segment(start=first, end=last))
    half, on_first = halves
    if half is not None and on_first and segments[0].start != segments[0].end:
        segments[0] = Segment(start=segments[0].start, end=segments[0].end, start_half=half)
    schedule = Schedule(
        segments=tuple(segments),
        month=f"{segments[0].start:%Y-%m}",
        certainty=Certainty.TENTATIVE if tentative else Certainty.CONFIRMED,
    )
    activity = Activity(id="prop0001", title="t", schedule=schedule)
    first = base.fromordinal(base.toordinal() + start)
    period = (first, first.fromordinal(first.toordinal() + length))
    axis = make_axis(period)
    marks = row_marks(activity, axis)
    bars = [m for m in marks if m.kind == "bar"]
    inside = [s for s in segments if s.start <= period[1] and s.end >= period[0]]
    assert len(bars) == len(inside)
    edge = 0.0
    for mark in marks:
        assert mark.x >= LABEL_WIDTH - 0.01 and mark.x + mark.width <= axis.right + 0.01
        assert mark.x >= edge - 0.02 and mark.width > 0
        edge = mark.x + mark.width
        assert mark.certainty == schedule.certainty.value


def test_a_month_precision_activity_is_a_band_over_its_month() -> None:
    schedule = Schedule(precision=Precision.MONTH, certainty=Certainty.UNSCHEDULED, month="2020-02")
    activity = Activity(id="tbd00001", title="t", schedule=schedule)
    axis = make_axis(parse_quarter("Q1-2020"))
    (band,) = row_marks(activity, axis)
    assert band.kind == "band"
    assert band.x == pytest.approx(axis.x(date(2020, 2, 1)), abs=0.01)
    assert band.width == pytest.approx(29 * axis.day_width, abs=0.01)


# --- escaping and a page that fetches nothing --------------------------------------------


HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def hostile_store(store_copy: Path) -> Path:
    result = runner.invoke(
        app,
        [
            "add", "--store", str(store_copy), "--project", "GLACY+", "--title", HOSTILE,
            "--location", 'Accra, Ghana', "--dates", "3-5 December 2019",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return store_copy


def test_text_from_the_store_is_escaped(tmp_path: Path, store_copy: Path) -> None:
    page = make_page("report-2019-q4", tmp_path, hostile_store(store_copy))
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img" in html
    root = parse(html)
    titles = [s.text() for s in root.find_all("span", "title")]
    assert HOSTILE in titles
    # In the timeline too: the tooltip and the cut title are text.
    tooltips = [t.text() for t in root.find_all("title") if HOSTILE in t.text()]
    assert tooltips


def test_the_page_is_self_contained(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        assert "<script" not in html, name
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html), name
        assert "@import" not in html and "@font-face" not in html, name
        assert set(re.findall(r"url\(([^)]*)\)", html)) <= {"#hatch"}, name
        assert "default-src 'none'" in html, name
        root = parse(html)
        assert root.find_all("html")[0].attrs["lang"] == "en"
        # Every table has column headers; every row of the counts has its row header.
        for table in root.find_all("table"):
            heads = table.find_all("thead")[0].find_all("th")
            assert heads and all(th.attrs.get("scope") == "col" for th in heads), name


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(title=st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1))
def test_any_title_reads_back_as_written(title: str) -> None:
    folded = " ".join(title.split())
    try:
        activity = Activity(
            id="any00001",
            title=title,
            projects=("GLACY+",),
            place=Place(text="Accra, Ghana", city="Accra"),
            schedule=Schedule(
                segments=(Segment(start=date(2020, 1, 6), end=date(2020, 1, 7)),), month="2020-01"
            ),
        )
    except ValueError:
        return  # the model's gate refused it (a zero-width space, an empty title...)
    period = parse_quarter("Q1-2020")
    report = build_report([activity], period, "Q1 2020")
    html = render_report(Summary(report, [activity], today=date(2020, 1, 1)))
    root = parse(html)
    assert [s.text() for s in root.find_all("span", "title")] == [" ".join(folded.split())]
    assert "<script" not in html


# --- the commands ----------------------------------------------------------------------------


def test_html_is_offered_by_report_and_projects_only() -> None:
    assert Format.HTML in formats_for("report") and Format.HTML in formats_for("projects")
    assert Format.HTML not in formats_for("activities")
    result = runner.invoke(app, ["list", "--format", "html", "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 2
    assert "html" in result.stderr
    helped = runner.invoke(app, ["report", "--help"])
    assert "html" in helped.stdout and "--output" in helped.stdout and "--as-of" in helped.stdout


def test_report_html_to_stdout_without_output() -> None:
    result = runner.invoke(
        app, ["report", "--month", "2019-11", "--format", "html", "--store", str(BUNDLED_STORE)]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert rows_per_month(parse(result.stdout))["inventory"] == {"2019-11": 27}
    # 26 lines under NOVEMBER 2019, and the Fiji mission of 30 October - 1 November, which
    # a November report lists first under November, its dates showing where it began.


def test_output_writes_the_file_and_says_so(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "q1.html"
    result = runner.invoke(
        app,
        ["report", "-q", "Q1-2020", "-f", "html", "-o", str(target), "-s", str(BUNDLED_STORE)],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"inventory: wrote the Q1 2020 report (html) to {target}\n"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # -o works for every format of report, and for projects.
    text = tmp_path / "q1.txt"
    result = runner.invoke(
        app, ["report", "-q", "Q1-2020", "-f", "text", "-o", str(text), "-s", str(BUNDLED_STORE)]
    )
    assert result.exit_code == 0 and text.read_text(encoding="utf-8").startswith("JANUARY 2020")
    projects = tmp_path / "projects.html"
    result = runner.invoke(
        app, ["projects", "-f", "html", "-o", str(projects), "-s", str(BUNDLED_STORE)]
    )
    assert result.exit_code == 0, result.stderr
    assert "wrote the projects (html)" in result.stderr
    # With no period, the report is the whole store's (said once: not "the the whole store").
    whole = tmp_path / "all.html"
    result = runner.invoke(
        app, ["report", "-f", "html", "-o", str(whole), "-s", str(BUNDLED_STORE)]
    )
    assert result.stderr == f"inventory: wrote the whole store report (html) to {whole}\n"


def test_output_never_overwrites_the_store(store_copy: Path) -> None:
    before = store_copy.read_bytes()
    for argv in (["report", "-f", "html"], ["projects", "-f", "html"]):
        result = runner.invoke(app, [*argv, "-o", str(store_copy), "-s", str(store_copy)])
        assert result.exit_code == 2
        assert "is the store" in result.stderr and "Traceback" not in result.stderr
    assert store_copy.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--as-of", "2020-02-30"], "February 2020 has 29 days"),
        (["--as-of", ""], "is empty"),
        (["--chart"], "--chart draws under the table"),
        (["-o", ""], "is empty; expected a file name"),
    ],
)
def test_bad_options_are_one_line(argv: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "-q", "Q1-2020", "-f", "html", *argv, "-s", str(BUNDLED_STORE)]
    )
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_projects_page(pages: dict[str, str]) -> None:
    root = parse(pages["projects"])
    sections = {s.attrs["id"]: s for s in root.find_all("section", "project")}
    assert list(sections) == [
        "p-cybercrime-octopus", "p-glacy", "p-endocsea-europe", "p-cybersouth",
        "p-cybereast", "p-iproceeds", "p-iproceeds-2", "p-t-cy",
    ]  # fmt: skip
    glacy = sections["p-glacy"]
    months = {
        t.attrs["datetime"]: int(row.find_all("td")[0].text())
        for row in glacy.find_all("table", "months")[0].find_all("tr")
        for t in row.find_all("time")
    }
    # GLACY+ lines of the newsletter, shared ones included, per month heading.
    assert months == {
        "2019-10": 14, "2019-11": 11, "2019-12": 6, "2020-01": 8, "2020-02": 15, "2020-03": 8,
    }  # fmt: skip
    reach = [d.text() for d in glacy.find_all("dt")]
    assert "Participating, not yet reached (2)" in reach
    iproceeds = sections["p-iproceeds"]
    (outside,) = iproceeds.find_all("table", "outside")
    assert (
        "International workshop on law enforcement/service provider cooperation" in outside.text()
    )


def installed() -> list[str]:
    script = Path(sys.executable).parent / "inventory"
    return [str(script)] if script.exists() else [sys.executable, "-m", "inventory.cli"]


@pytest.mark.slow
def test_installed_program_writes_the_page(tmp_path: Path) -> None:
    target = tmp_path / "q1-2020.html"
    env = {**os.environ, "INVENTORY_TODAY": "2020-02-12"}
    result = subprocess.run(
        [*installed(), "report", "--quarter", "Q1-2020", "--format", "html", "-o", str(target),
         "--store", str(BUNDLED_STORE)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert rows_per_month(parse(target.read_text(encoding="utf-8"))) == Q1_2020_AS_OF_12_FEB


# --- golden files ------------------------------------------------------------------------------


def matches_golden(name: str, lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


@pytest.mark.parametrize("name", ["report-2019-q4", "report-2020-q1", "projects"])
def test_dom_matches_the_golden_outline(name: str, pages: dict[str, str]) -> None:
    matches_golden(f"{name}.dom.txt", outline(pages[name]))


def test_cancelled_and_postponed_are_said_in_words(tmp_path: Path, store_copy: Path) -> None:
    # T-CY Bureau Meeting (16 (AM) March 2020) cancelled, the Protocol Drafting Group
    # Meeting (16 (PM) - 20 (AM) March) postponed with no new date: its days now "TBD".
    for verb, key in (("cancel", "3whmnvfs"), ("postpone", "maz8a8ma")):
        result = runner.invoke(app, [verb, key, "--store", str(store_copy)])
        assert result.exit_code == 0, result.stderr
    root = parse(make_page("report-2020-q1", tmp_path, store_copy).read_text(encoding="utf-8"))
    rows = {r.attrs["data-id"]: r for r in root.find_all("tr", "activity")}
    bureau, drafting = rows["3whmnvfs"], rows["maz8a8ma"]
    assert "cancelled" in bureau.classes and bureau.find_all("del")
    assert [m.text() for m in bureau.find_all("span", "mark")] == ["cancelled"]
    assert [m.text() for m in drafting.find_all("span", "mark")] == [
        "day not yet known",
        "postponed",
    ]
    assert not drafting.find_all("del")
    # Both still listed under March (20 lines), but out of the counts: March's 20 less 2.
    assert rows_per_month(root)["coming-next"]["2020-03"] == 20
    footer = [
        c.text() for c in root.find_all("table", "matrix")[0].find_all("tfoot")[0].find_all("td")
    ]
    assert footer == ["14", "26", "18", "58"]
    timeline_ids = {g.attrs["data-id"] for g in shapes(root, "g", "row")}
    # Off the timeline both: one will not take place, the other has no day yet.
    assert "3whmnvfs" not in timeline_ids and "maz8a8ma" not in timeline_ids
    (cancelled,) = root.find_all("table", "cancelled-list")
    assert "T-CY Bureau Meeting" in cancelled.text()


def test_a_period_of_days_is_named_in_words(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["report", "--from", "2019-10-01", "--to", "2020-03-31", "--as-of", "2020-01-01",
         "-f", "html", "-s", str(BUNDLED_STORE)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    root = parse(result.stdout)
    assert root.find_all("h1")[0].text() == "1 October 2019 – 31 March 2020"
    # The newsletter's own split: October-December held, January-March coming next.
    assert rows_per_month(root) == {"inventory": Q4_2019, "coming-next": Q1_2020}


def test_an_empty_period_says_so(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "--month", "2019-01", "-f", "html", "-s", str(BUNDLED_STORE)]
    )
    assert result.exit_code == 0
    root = parse(result.stdout)
    assert [p.text() for p in root.find_all("p", "empty")] == ["No activities in this period."]
    assert root.find_all("svg", "gantt") == [] and root.find_all("tr", "activity") == []
