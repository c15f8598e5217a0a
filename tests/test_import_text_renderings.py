"""The newsletter as text travels besides a tab-separated file (issue 20), each rendering built
here from the shared newsletter once per module: copied from a PDF viewer (spaces for tabs,
wrapped lines, syllable breaks, running headers), Word's table saved as text by LibreOffice
(a cell a line), and Markdown in every flavour pandoc writes (grid, multiline, pipe and HTML
tables). Each is compared field by
field with the bundled store: an activity is right, or refused by an error naming its line,
or (a hyphen the document cannot decide) kept as written with a warning naming the word;
never wrong without a word."""

from __future__ import annotations

import csv
import os
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from inventory.errors import ParseError
from inventory.projects import load_registry
from inventory.readers import Context, Reading, Text, open_source, read
from inventory.readers.drawn import cell_text, find_drawn
from inventory.readers.layout import join_wrapped, leading_projects
from inventory.readers.newsletter import read_newsletter, without_running
from inventory.records import to_row
from tests.documents import make_docx, make_viewer_text
from tests.helpers import BUNDLED_STORE, SHARED_NEWSLETTER, program, run
from tests.test_import import assert_the_132

TEXT = SHARED_NEWSLETTER.read_text(encoding="utf-8")
# The one line of the newsletter with an empty project cell (March 2020): with no tab or
# cell to show the column was empty, it cannot be told from a stray paragraph.
NO_PROJECT = "Introductory training on cybercrime for Legal practitioners"


def bundled() -> list[dict[str, str]]:
    with BUNDLED_STORE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Tally:
    right: int = 0
    refused: list[str] = field(default_factory=list)
    """Titles of the bundled activities not read."""
    wrong: list[tuple[int | None, dict[str, str]]] = field(default_factory=list)
    """Activities read that the bundled store does not have, with their line."""


def tally(reading: Reading) -> Tally:
    """Each activity read against the bundled store, every field but the status."""
    pool = [{k: v for k, v in row.items() if k != "status"} for row in bundled()]
    out = Tally()
    for item in reading.items:
        got = to_row(item.activity)
        got = {k: got[k] for k in pool[0]}
        if got in pool:
            pool.remove(got)
            out.right += 1
        else:
            out.wrong.append((item.line, got))
    out.refused = [row["title"] for row in pool]
    return out


def line_of(text: str, start: str) -> int:
    [number] = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start)]
    return number


# --- the renderings, built once ---------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("renderings")


def _tools_env(work: Path) -> dict[str, str]:
    """soffice and pandoc with their own temporary folder and home, not the user's."""
    temp = work / "tmp"
    temp.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(temp), "HOME": str(work)}


@pytest.fixture(scope="module")
def viewer(work: Path) -> Path:
    path = work / "viewer.txt"
    path.write_text(make_viewer_text(TEXT), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def docx(work: Path) -> Path:
    return make_docx(TEXT, work / "update.docx")


@pytest.fixture(scope="module")
def libreoffice_text(work: Path, docx: Path) -> Path:
    out = work / "libreoffice"
    subprocess.run(
        [program("soffice", "libreoffice-writer-nogui"),
         f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
         "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(out), str(docx)],
        check=True, capture_output=True, timeout=120, env=_tools_env(work),
    )  # fmt: skip
    return out / "update.txt"


def _pandoc(work: Path, source: Path, to: str, name: str) -> Path:
    target = work / name
    subprocess.run(
        [program("pandoc", "pandoc"), "-f", "docx", "-t", to, "-o", str(target), str(source)],
        check=True, capture_output=True, timeout=120, env=_tools_env(work),
    )  # fmt: skip
    return target


@pytest.fixture(scope="module")
def gfm(work: Path, docx: Path) -> Path:
    # A project cell of several paragraphs is more than a pipe table holds: <table>.
    return _pandoc(work, docx, "gfm", "update-gfm.md")


@pytest.fixture(scope="module")
def merged_markdown(work: Path) -> Path:
    # Month rows merged across both columns, pandoc's Markdown without grid tables: <table>.
    source = make_docx(TEXT, work / "merged.docx", month_rows=True)
    return _pandoc(work, source, "markdown-grid_tables-multiline_tables-simple_tables", "merged.md")


def reading_of(path: Path) -> Reading:
    return read(open_source(str(path)), Context(load_registry()))


# --- text copied from a PDF viewer -------------------------------------------------------


def test_the_viewer_copy_has_what_a_viewer_copy_has(viewer: Path) -> None:
    text = viewer.read_text(encoding="utf-8")
    assert "\t" not in text
    assert "12 www.coe.int/cybercrime Cybercrime@CoE Update" in text.splitlines()
    assert "judges, magis-\ntrates and prosecutors" in text
    assert "(dates\nTBC)" in text
    assert "Strasbourg, 19 November\n2019." in text
    assert "EndOCSEA@Europe Octopus Conference, Strasbourg" in text
    assert "GLACY+ GLACY+ Steering Committee" in text


def test_text_copied_from_a_pdf_viewer_reads_every_line_with_its_project(viewer: Path) -> None:
    reading = reading_of(viewer)
    counted = tally(reading)
    assert (counted.right, counted.refused, counted.wrong) == (131, [NO_PROJECT], [])
    line = line_of(viewer.read_text(encoding="utf-8"), NO_PROJECT)
    assert [(p.line, p.severity, p.message[:48]) for p in reading.problems] == [
        (line, "error", f"no project at the start of '{NO_PROJECT[:20]}")
    ]
    titles = {i.activity.title for i in reading.items}
    assert "Advanced Judicial Training on cybercrime and electronic evidence for judges, " \
        "magistrates and prosecutors" in titles  # fmt: skip
    assert "GLACY+ Steering Committee" in titles
    octopus = next(i.activity for i in reading.items if i.activity.title == "Octopus Conference")
    assert octopus.projects == ("iPROCEEDS", "GLACY+", "CyberSouth", "CyberEast",
                                "EndOCSEA@Europe")  # fmt: skip


@pytest.mark.parametrize("width", [60, 72, 85, 110])
def test_at_any_width_a_viewer_copy_is_never_wrong_without_a_word(work: Path, width: int) -> None:
    # Other widths break other words; a break the document's words cannot decide is kept
    # as written and said, and the activity counts as read wrong but flagged.
    path = work / f"viewer-{width}.txt"
    path.write_text(make_viewer_text(TEXT, width), encoding="utf-8")
    reading = reading_of(path)
    counted = tally(reading)
    warned = {p.line: p.message for p in reading.problems if p.severity == "warning"}
    for line, row in counted.wrong:
        assert line in warned, row
        assert "broken at the end of a line, kept as written" in warned[line]
    errors = {p.line for p in reading.errors}
    assert len(errors) >= len(counted.refused) - len(counted.wrong)
    assert counted.right + len(counted.wrong) + len(errors) >= 132


# --- Word's table saved as text by LibreOffice -----------------------------------------------


@pytest.mark.slow
def test_word_table_saved_as_text_reads_a_cell_a_line(libreoffice_text: Path) -> None:
    text = libreoffice_text.read_text(encoding="utf-8-sig")
    assert "\nProject(s)\nActivity\nGLACY+\n" in text
    assert "\nGLACY+\nGLACY+ Steering Committee, Strasbourg" in text
    reading = reading_of(libreoffice_text)
    counted = tally(reading)
    assert (counted.right, counted.refused, counted.wrong) == (131, [NO_PROJECT], [])
    assert [(p.line, p.severity) for p in reading.problems] == [
        (line_of(text.lstrip("\ufeff"), NO_PROJECT), "error")
    ]


# --- Markdown whose tables are HTML ----------------------------------------------------------


@pytest.mark.slow
def test_github_markdown_from_pandoc_with_html_tables_reads_the_132(gfm: Path) -> None:
    assert "<table>" in gfm.read_text(encoding="utf-8")
    assert_the_132(gfm)


@pytest.mark.slow
def test_pandoc_markdown_with_merged_month_rows_reads_the_132(merged_markdown: Path) -> None:
    markdown = merged_markdown.read_text(encoding="utf-8")
    assert '<td colspan="2">OCTOBER 2019</td>' in markdown
    assert_the_132(merged_markdown)


@pytest.mark.parametrize(
    ("markdown", "want"),
    [
        (  # a pipe table, its header's cell over two lines with <br>, emphasis gone
            "## Coming next (January - March 2020)\n\n| Project<br>(s) | Activity |\n|---|---|\n"
            "| **GLACY+** | Initial assessment visit, Burkina Faso, 27-30 January |\n",
            [("GLACY+", "Initial assessment visit", "2020-01-27")],
        ),
        (  # an HTML table between Markdown headings
            "### JANUARY 2020\n\n<table>\n<tr><th>Project(s)</th><th>Activity</th></tr>\n"
            "<tr><td><p>CyberEast</p><p>GLACY+</p></td><td>Workshop, Kyiv, Ukraine, 3 "
            "January</td></tr>\n</table>\n",
            [("CyberEast; GLACY+", "Workshop", "2020-01-03")],
        ),
        (  # the Markdown the report writes still reads as before
            "### OCTOBER 2019\n\n| GLACY+ | GFCE Annual Meeting, Ethiopia, 8-10 October |\n",
            [("GLACY+", "GFCE Annual Meeting", "2019-10-08")],
        ),
        (  # a tab line in a Markdown document stays a row
            "<!-- copied -->\n### OCTOBER 2019\n\nGLACY+\tGFCE Annual Meeting, Ethiopia, "
            "8-10 October\n",
            [("GLACY+", "GFCE Annual Meeting", "2019-10-08")],
        ),
    ],
    ids=["pipe-table", "html-table", "report-markdown", "tab-line"],
)
def test_markdown_tables_reach_the_table_reader(
    markdown: str, want: list[tuple[str, str, str]]
) -> None:
    reading = read_newsletter(markdown, load_registry())
    got = [
        ("; ".join(i.activity.projects), i.activity.title, i.activity.schedule.start.isoformat())
        for i in reading.items
    ]
    assert got == want
    assert reading.problems == []


# --- every Markdown pandoc writes --------------------------------------------------------------

PANDOC_MARKDOWN = {
    # its own Markdown: grid tables, "--" for an en dash, "\'" for an apostrophe
    "markdown": "+===",
    # without grid tables: multiline tables, or HTML where a cell holds paragraphs
    "markdown-grid_tables": "  ----------------------------------- ---",
    # without those either: pipe tables with pandoc's escapes, or HTML
    "markdown-grid_tables-multiline_tables": "| GLACY+     | Stakeholders\\' meeting",
    # the same without smart punctuation: dashes and quotes as themselves
    "markdown-smart": "| Cybercrime reporting platform –   |",
    "gfm": "<table>",
    "commonmark": "<table>",
    "markdown_strict": "<table>",
    "markdown_mmd": "|---",
    "markdown_phpextra": "### JANUARY 2020 {#january-2020}",
}


@pytest.fixture(scope="module")
def month_rows_docx(work: Path) -> Path:
    return make_docx(TEXT, work / "month-rows.docx", month_rows=True)


@pytest.mark.slow
@pytest.mark.parametrize("month_rows", [False, True], ids=["table-a-month", "month-rows"])
@pytest.mark.parametrize("to", list(PANDOC_MARKDOWN))
def test_every_markdown_pandoc_writes_of_the_word_newsletter_reads_the_132(
    work: Path, docx: Path, month_rows_docx: Path, to: str, month_rows: bool
) -> None:
    name = f"pandoc-{to}-{'months' if month_rows else 'tables'}.md"
    markdown = _pandoc(work, month_rows_docx if month_rows else docx, to, name)
    if not month_rows:
        assert PANDOC_MARKDOWN[to] in markdown.read_text(encoding="utf-8")
    assert_the_132(markdown)


GRID = """\
+-----------+------------------------------+
| Project(s)| Activity                     |
+===========+==============================+
| GLACY+    | Cybercrime reporting         |
|           | platform -- Official launch, |
|           | Ghana, 1-2 October           |
+-----------+------------------------------+
| iPROCEEDS | Meeting of Contact Points,   |
|           | Kosovo\\*, 8 October          |
| GLACY+    |                              |
+-----------+------------------------------+
| NOVEMBER 2019                            |
+-----------+------------------------------+
"""
MULTILINE = """\
  ------------------------------------------
  Project(s)  Activity
  ----------- ------------------------------
  GLACY+      Closing Conference,
              Strasbourg, 9 -- 10 December

              Stakeholders\\' meeting, Ghana,
              11 December
  ------------------------------------------
"""
SIMPLE = """\
Project(s)  Activity
----------  -----------------------------
T-CY        Bureau meeting, 16 -- 20 March
CyberEast   Workshop, Kyiv, 18 March
"""


@pytest.mark.parametrize(
    ("markdown", "rows"),
    [
        (GRID, [(2, ("Project(s)", "Activity")),
                (4, ("GLACY+", "Cybercrime reporting platform – Official launch, Ghana, "
                     "1-2 October")),
                (8, ("iPROCEEDS\nGLACY+", "Meeting of Contact Points, Kosovo*, 8 October")),
                (12, ("NOVEMBER 2019",))]),
        ("+----+----+\n| a  | b  |\n|    |    |\n| c  | d\\ |\n|    | e  |\n+----+----+\n",
         [(2, ("a\nc", "b\nd\ne"))]),
        (MULTILINE, [(2, ("Project(s)", "Activity")),
                     (4, ("GLACY+", "Closing Conference, Strasbourg, 9 – 10 December")),
                     (7, ("", "Stakeholders' meeting, Ghana, 11 December"))]),
        (SIMPLE, [(1, ("Project(s)", "Activity")),
                  (3, ("T-CY", "Bureau meeting, 16 – 20 March")),
                  (4, ("CyberEast", "Workshop, Kyiv, 18 March"))]),
        ("-----  ----\nGLACY+ a\nT-CY   b\n-----  ----\n",
         [(2, ("GLACY+", "a")), (3, ("T-CY", "b"))]),
        ("-----  ----\nGLACY+ a\n       b\n\nT-CY   c\n-----  ----\n",
         [(2, ("GLACY+", "a b")), (5, ("T-CY", "c"))]),
    ],
    ids=["grid", "grid-paragraphs-and-hard-break", "multiline", "simple", "headerless-simple",
         "headerless-multiline"],
)  # fmt: skip
def test_a_table_pandoc_draws_reads_as_its_rows(
    markdown: str, rows: list[tuple[int, tuple[str, ...]]]
) -> None:
    texts = markdown.splitlines()
    [table] = find_drawn(texts, list(range(1, len(texts) + 1)))
    assert (table.start, table.end) == (0, len(texts))
    got = [(at + 1, tuple(cell_text(c, at + 1, smart=True) for c in cells))
           for at, cells in table.rows]  # fmt: skip
    assert got == rows


@pytest.mark.parametrize(
    "markdown",
    ["- - -\n\nGLACY+ x\n", "---\ntitle: Update\n---\n", "-----\n\nPlain text\n",
     "Title\n-----\n"],
    ids=["thematic-break", "front-matter", "rule", "setext-heading"],
)  # fmt: skip
def test_markdown_rules_that_are_no_tables_are_not_read_as_tables(markdown: str) -> None:
    texts = markdown.splitlines()
    assert find_drawn(texts, list(range(1, len(texts) + 1))) == []


@pytest.mark.parametrize(
    ("markdown", "line", "said"),
    [
        # a border whose columns are not the top border's: a cell over two rows or columns
        ("+----+----+\n| a  | b  |\n+---------+\n", 3, "not where the top border has them"),
        ("+----+----+\n| a  | b  |\n+----+-x--+\n", 3, "border '+----+-x--+' is broken"),
        ("+---+---+---+\n| a | b   c |\n+---+---+---+\n", 2, "over some of the row's columns"),
        ("+----+----+\n| a  | b  |\n| a    b  |\n+----+----+\n", 2, "lines disagree"),
        ("+----+----+\n| a  | b   |\n+----+----+\n", 2, "does not end at the table's right"),
        ("+----+----+\n| a  | b  |\n\nGLACY+ x\n", 2, "has no bottom border"),
        ("+----+----+\n| a  | b  |\n+====+====+\n| c  | d  |\n+====+====+\n", 5,
         "header border"),
        ("------------\nProject  Activity\n-------  ----\nGLACY+   x\n\nmore\n", 1,
         "never closes"),
        ("Project  Activity\n-------  ----\nGLACY+xyz  Workshop\n", 3, "across the edge"),
        ("x  y\n  ---  ---\n", 1, "left of a table's first column"),
        # nothing in the document tells whether "--" is an en dash
        ("+------+----------------------+\n| a    | Meeting, 9 -- 10 May |\n+------+--------"
         "--------------+\n", 2, "'--' in 'Meeting, 9 -- 10 May' is an en dash"),
        ("+------+------------+\n| a    | a ' b \\' c |\n+------+------------+\n", 2,
         "a quote standing alone"),
    ],
    ids=["border-span", "border-broken", "cell-over-two-columns", "row-disagrees",
         "right-border", "no-bottom", "second-header", "multiline-open", "across-edge",
         "left-of-table", "dash-undecided", "lone-quote"],
)  # fmt: skip
def test_a_drawn_table_not_read_exactly_is_refused_naming_its_line(
    markdown: str, line: int, said: str
) -> None:
    text = "### MAY 2020\n\n" + markdown
    with pytest.raises(ParseError) as raised:
        read_newsletter(text, load_registry(), source="update.md")
    assert raised.value.line == line + 2
    assert said in raised.value.message
    assert str(raised.value).startswith(f"update.md:{line + 2}: ")


def test_a_broken_grid_table_refuses_the_import_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "update.md"
    source.write_text("### MAY 2020\n\n+----+----+\n| a  | b  |\n+---------+\n", "utf-8")
    store = tmp_path / "s.csv"
    result = run("import", str(source), "--create", store=store)
    assert result.exit_code == 1
    assert "update.md:5: a grid table's border whose '+' are not where" in result.stderr
    assert not store.exists()


@pytest.mark.parametrize(
    ("markdown", "smart", "text"),
    [
        ("Reporting platform -- Official launch", True, "Reporting platform – Official launch"),
        ("then --- and", True, "then — and"),
        ("wait... and \\... here", True, "wait… and ... here"),
        ("two hyphens \\-- and three \\-\\--", True, "two hyphens -- and three ---"),
        ("Stakeholders\\' meeting", True, "Stakeholders' meeting"),
        ("Stakeholders' meeting", True, "Stakeholders’ meeting"),
        ("'quoted' and \"double\" in the '90s", True, "‘quoted’ and “double” in the ’90s"),
        ("\\\"straight\\\"", True, '"straight"'),
        ("Kosovo\\*, \\$5, \\[a\\], \\<b\\>, \\@me, a\\_b", True,
         "Kosovo*, $5, [a], <b>, @me, a_b"),
        ("9^th^ meeting, H~2~O, ~~gone~~ kept", True, "9th meeting, H2O, gone kept"),
        ("[Underlined]{.underline} **bold** *em* [link](https://coe.int)", True,
         "Underlined bold em link"),
        ("code `a -- b` stays", True, "code a -- b stays"),
        # without smart punctuation dashes and quotes are themselves
        ("Reporting platform -- it's 'x'", False, "Reporting platform -- it's 'x'"),
        ("Reporting platform – launch", None, "Reporting platform – launch"),
    ],
)  # fmt: skip
def test_pandoc_marks_and_smart_punctuation_in_a_cell_read_back(
    markdown: str, smart: bool | None, text: str
) -> None:
    assert cell_text(markdown, 1, smart=smart) == text


@pytest.mark.parametrize(
    ("heading", "month"),
    [("### JANUARY 2020 {#january-2020}", "2020-01"), ("### MARCH 2020 ###", "2020-03"),
     ("## FEBRUARY 2020 {#feb .unnumbered}", "2020-02")],
)  # fmt: skip
def test_a_markdown_headings_attributes_and_closing_hashes_are_not_its_text(
    heading: str, month: str
) -> None:
    reading = read_newsletter(f"{heading}\n\nGLACY+\tWorkshop, Ghana, dates TBD\n",
                              load_registry())  # fmt: skip
    assert reading.problems == []
    assert [i.activity.schedule.month for i in reading.items] == [month]


# --- the parts, table-driven -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "then", "words", "joined", "warned"),
    [
        # The document writes the word whole and never hyphenated: a syllable break.
        ("for judges, magis-", "trates and", ["magistrates"], "for judges, magistrates and", False),
        ("30 October - 1 Novem-", "ber", ["November"], "30 October - 1 November", False),
        # The document writes it hyphenated and never whole: the hyphen is the word's.
        ("to a future-", "proof Europe", ["future-proof"], "to a future-proof Europe", False),
        # Neither, or both: kept as written, and said.
        ("to a future-", "proof Europe", [], "to a future-proof Europe", True),
        ("an e-", "mail", ["e-mail", "email"], "an e-mail", True),
        # No hyphen after a letter, or no letter after it: a space, nothing to decide.
        ("Symposium -", "Barcelona", [], "Symposium - Barcelona", False),
        ("Convention 2001-", "2021", [], "Convention 2001- 2021", False),
    ],
)
def test_a_hyphen_at_a_line_end_goes_by_the_documents_words(
    first: str, then: str, words: list[str], joined: str, warned: bool
) -> None:
    text, warning = join_wrapped(first, then, Counter(w.casefold() for w in words))
    assert text == joined
    assert (warning is not None) == warned
    if warning is not None:
        broken = first.split()[-1] + then.split()[0]
        assert repr(broken) in warning


@pytest.mark.parametrize(
    ("line", "continuing", "names", "rest"),
    [
        ("GLACY+ GLACY+ Steering Committee, Strasbourg", False, ["GLACY+"],
         "GLACY+ Steering Committee, Strasbourg"),
        ("iPROCEEDS, GLACY+, CyberSouth, CyberEast, EndOCSEA@Europe Octopus Conference", False,
         ["iPROCEEDS", "GLACY+", "CyberSouth", "CyberEast", "EndOCSEA@Europe"],
         "Octopus Conference"),
        ("GLACY+, Octopus Workshop, Ghana", False, ["GLACY+", "Cybercrime@Octopus"],
         "Workshop, Ghana"),
        ("Octopus Workshop, Ghana", False, ["Cybercrime@Octopus"], "Workshop, Ghana"),
        ("Octopus Conference, Strasbourg", True, [], "Octopus Conference, Strasbourg"),
        ("CyberSouth GLACY+ The Presidency", False, ["CyberSouth", "GLACY+"], "The Presidency"),
        ("Global Action on Cybercrime Extended Workshop", False, ["GLACY+"], "Workshop"),
        ("iPROCEEDS 2 Kick-off meeting", False, ["iPROCEEDS-2"], "Kick-off meeting"),
        ("Cyber East Workshop", False, ["CyberEast"], "Workshop"),
        ("GLACY+ Cyber East Workshop", False, ["GLACY+"], "Cyber East Workshop"),
    ],
)  # fmt: skip
def test_project_names_at_the_start_of_a_line_without_a_column(
    line: str, continuing: bool, names: list[str], rest: str
) -> None:
    context = Context(load_registry())
    assert leading_projects(line, context, continuing=continuing) == (names, rest)


HEADER = "{} www.coe.int/cybercrime Cybercrime@CoE Update"


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        # A running header with its page number counting up: left out.
        ([HEADER.format(2), "a", HEADER.format(3), "b", HEADER.format(4)], ["a", "b"]),
        # Twice, on consecutive pages, mirrored as even and odd pages have it: left out.
        ([HEADER.format(2), "a", "Cybercrime@CoE Update www.coe.int/cybercrime 3"], ["a"]),
        # Twice on pages far apart, or the same number each time: not a page's header.
        ([HEADER.format(2), "a", HEADER.format(5)], [HEADER.format(2), "a", HEADER.format(5)]),
        (["See 24 below", "See 24 below", "See 24 below"], ["See 24 below"] * 3),
        # Activities alike but for a day that counts up are activities.
        ([f"GLACY+ Weekly call, Accra, {d} October" for d in (3, 10, 17)],
         [f"GLACY+ Weekly call, Accra, {d} October" for d in (3, 10, 17)]),
        # Page numbers alone are left out; a year alone is not a page number.
        (["7", "a", "8", "2019", "9"], ["a", "2019"]),
    ],
    ids=["header", "mirrored", "far-apart", "same-number", "activities", "page-numbers"],
)  # fmt: skip
def test_running_lines_come_back_with_a_page_number(lines: list[str], kept: list[str]) -> None:
    events = [Text(line, n) for n, line in enumerate(lines, 1)]
    got = without_running(list(events), Context(load_registry()))
    assert [e.text for e in got if isinstance(e, Text)] == kept


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("JANUARY 2020\nGLACY+ Meeting, Sierra Leone, 22-23 January\n(dates TBC)\n",
         ("Meeting", "Sierra Leone", "22-23 January (dates TBC)", "tentative")),
        ("NOVEMBER 2019\nEndOCSEA@Europe Meeting, Strasbourg, 19 November\n2019.\n",
         ("Meeting", "Strasbourg", "19 November 2019.", "confirmed")),
        ("OCTOBER 2019\niPROCEEDS Workshop, Podgorica, Montenegro, 15\nOctober\n",
         ("Workshop", "Podgorica, Montenegro", "15 October", "confirmed")),
        ("OCTOBER 2019\niPROCEEDS Training, Bucharest, Romania, 21\n– 25 October\n",
         ("Training", "Bucharest, Romania", "21 – 25 October", "confirmed")),
        ("NOVEMBER 2019\nEndOCSEA@Europe Day, Strasbourg, 18\nNovember 2019\n",
         ("Day", "Strasbourg", "18 November 2019", "confirmed")),
        ("OCTOBER 2019\nProject(s)\nActivity\nGLACY+\nGLACY+ Steering Committee, Ghana, "
         "3 October\n", ("GLACY+ Steering Committee", "Ghana", "3 October", "confirmed")),
    ],
    ids=["dates-tbc", "year", "month", "dash", "month-heading-like", "cell-a-line"],
)  # fmt: skip
def test_continuations_are_joined_before_a_line_is_judged(
    text: str, want: tuple[str, str, str, str]
) -> None:
    reading = read_newsletter(text, load_registry())
    assert reading.problems == []
    [item] = reading.items
    a = item.activity
    assert a.place is not None
    assert (a.title, a.place.text, a.schedule.text, a.schedule.certainty.value) == want


def test_a_project_after_a_line_without_dates_is_refused_with_it() -> None:
    # "T-CY" may begin an activity or be the title's next word: neither line is guessed.
    text = (
        "OCTOBER 2019\nT-CY 9th meeting of the\nT-CY Protocol Drafting Group, Strasbourg, "
        "France, 15-18 October\nGLACY+ GFCE Annual Meeting, Ethiopia, 8-10 October\n"
    )
    reading = read_newsletter(text, load_registry())
    assert [(p.line, p.severity) for p in reading.problems] == [(2, "error"), (3, "error")]
    assert "may begin this activity or be a word of that title" in reading.problems[1].message
    assert [i.activity.title for i in reading.items] == ["GFCE Annual Meeting"]


# --- --skip-bad keeps a whole line or none of it ---------------------------------------------


def test_skip_bad_never_keeps_a_line_without_its_wrapped_qualifier(tmp_path: Path) -> None:
    source = tmp_path / "copied.txt"
    source.write_text(
        "JANUARY 2020\n"
        "GLACY+ Stakeholders' meeting on the new Cybercrime Law, Sierra Leone, 22-23 January\n"
        "(dates TBC)\n"
        "CyberEast Steering Committee of\n"
        "T-CY Protocol Drafting Group, Strasbourg, 21 - 24 January\n"
        "GLACY+ Initial assessment visit, Burkina Faso, 27-30 January\n",
        encoding="utf-8",
    )
    store = tmp_path / "s.csv"
    result = run("import", str(source), "--skip-bad", "--create", store=store)
    assert result.exit_code == 0, result.stderr
    assert "copied.txt:4: error" in result.stderr
    assert "copied.txt:5: error" in result.stderr
    assert "added 2, updated 0, unchanged 0, ambiguous 0; skipped 2 lines" in result.stderr
    with store.open(encoding="utf-8") as handle:
        got = [(r["title"], r["dates"], r["certainty"]) for r in csv.DictReader(handle)]
    assert got == [
        ("Stakeholders' meeting on the new Cybercrime Law", "22-23 January (dates TBC)",
         "tentative"),
        ("Initial assessment visit", "27-30 January", "confirmed"),
    ]  # fmt: skip


def test_skip_bad_on_a_viewer_copy_stores_only_right_activities(
    viewer: Path, tmp_path: Path
) -> None:
    store = tmp_path / "s.csv"
    result = run("import", str(viewer), "--skip-bad", "--create", store=store)
    assert result.exit_code == 0, result.stderr
    assert "added 131, updated 0, unchanged 0, ambiguous 0; skipped 1 line" in result.stderr
    want = [{k: v for k, v in r.items() if k != "status"} for r in bundled()]
    with store.open(encoding="utf-8") as handle:
        stored = [{k: v for k, v in r.items() if k != "status"} for r in csv.DictReader(handle)]
    assert [r["title"] for r in want if r not in stored] == [NO_PROJECT]
    assert all(r in want for r in stored)


@pytest.mark.parametrize(
    "header",
    [
        "2 www.coe.int/cybercrime Cybercrime@CoE Update",
        "Cybercrime@CoE Update www.coe.int/cybercrime 3",
    ],
)
def test_a_running_header_seen_once_inside_a_line_refuses_the_line(header: str) -> None:
    # A two-page copy shows its header once: repetition cannot tell it from text, and
    # joined into the title it would be stored wrong (found by the next-quarter test).
    text = (
        "Inventory of activities (January - March 2020)\nJANUARY 2020\n"
        "GLACY+ Advisory mission on legislation on Cybercrime and EE in line with Budapest\n"
        f"{header}\nConvention, Belize, 10-13 January\n"
    )
    reading = read_newsletter(text, load_registry())
    assert reading.items == []
    [problem] = reading.problems
    assert (problem.line, problem.severity) == (3, "error")
    assert "a page's running header?" in problem.message
