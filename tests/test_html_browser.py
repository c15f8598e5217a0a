"""The web page in a real browser: the system's headless Chromium, driven by Playwright
(which never downloads a browser of its own here: it is given ``/usr/bin/chromium``).

Checked: the pages load with no console message and no network request; Chromium's DOM has
the rows per month counted by hand in the newsletter and one bar per known day range, and
matches the same golden outline as test_html.py; nothing overflows sideways at 1280x800 or
at a phone's 390 px; printed to PDF at A4, each month starts a page, no row is cut in two,
and the page count is the one read off the printed pages; a hostile title stays text.

The browser is one per test process (tests/chromium.py). Without Chromium these tests skip,
saying how to install it (``apt-get install chromium``); with INVENTORY_REQUIRE_BROWSER=1
(CI) they fail instead.

The README's screenshot is taken by test_screenshot_for_the_readme; to make it again:

    INVENTORY_UPDATE_SCREENSHOT=1 python -m pytest tests/test_html_browser.py -k screenshot
"""

from __future__ import annotations

import io
import os
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BUNDLED_STORE, FIXTURES, REPO
from tests.htmlpage import Q1_2020_AS_OF_12_FEB, Q4_2019, make_page, outline

pytestmark = pytest.mark.slow  # starts Chromium

SCREENSHOTS = {
    # file under docs/: the element scrolled to the top of a 1280x800 window
    "report-2020-q1.png": "body",
    "report-2020-q1-timeline.png": "#timeline",
}
PROJECT_NAMES = (
    "Cybercrime@Octopus", "EndOCSEA@Europe", "CyberSouth", "CyberEast", "iPROCEEDS",
    "GLACY+", "T-CY",
)  # fmt: skip


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    return {
        name: make_page(name, folder) for name in ("report-2019-q4", "report-2020-q1", "projects")
    }


@dataclass
class Opened:
    page: Any
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def js(self, script: str) -> Any:
        return self.page.evaluate(script)


def open_page(
    browser: Any, path: Path, width: int = 1280, height: int = 800, scheme: str = "light"
) -> Opened:
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)
    opened = Opened(page)
    page.on("console", lambda m: opened.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    url = path.resolve().as_uri()
    page.on("request", lambda r: r.url != url and opened.requests.append(r.url))
    page.goto(url, wait_until="load")
    return opened


# --- loading ---------------------------------------------------------------------------------


def test_the_checks_see_errors_and_requests(browser: Any, tmp_path: Path) -> None:
    # A page that breaks both rules: proof that the next test can fail.
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><body><img src="http://127.0.0.1:9/x.png" alt="">'
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    opened = open_page(browser, bad)
    assert "error: boom" in opened.console
    assert "http://127.0.0.1:9/x.png" in opened.requests
    opened.page.close()


@pytest.mark.parametrize("name", ["report-2019-q4", "report-2020-q1", "projects"])
@pytest.mark.parametrize("width", [1280, 390])
def test_loads_quietly_and_never_overflows(
    browser: Any, pages: dict[str, Path], name: str, width: int
) -> None:
    opened = open_page(browser, pages[name], width=width)
    assert opened.console == [] and opened.errors == [] and opened.requests == []
    assert opened.js("document.scripts.length") == 0
    # Nothing wider than the window: the page never scrolls sideways (a wide timeline
    # scrolls inside its own box on a phone).
    scroll, client = opened.js(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert client == width and scroll <= client
    opened.page.close()


# --- what the DOM holds -------------------------------------------------------------------

ROWS_PER_MONTH = """
Object.fromEntries([...document.querySelectorAll('section.part')].map(part => [
  part.id,
  Object.fromEntries([...part.querySelectorAll('section.month')].map(m =>
    [m.dataset.month, m.querySelectorAll('tr.activity').length]))
]))
"""


def test_rows_per_month_in_chromium(browser: Any, pages: dict[str, Path]) -> None:
    opened = open_page(browser, pages["report-2019-q4"])
    assert opened.js(ROWS_PER_MONTH) == {"inventory": Q4_2019}
    opened.page.close()
    opened = open_page(browser, pages["report-2020-q1"])
    assert opened.js(ROWS_PER_MONTH) == Q1_2020_AS_OF_12_FEB
    opened.page.close()


def test_one_drawn_bar_per_known_day_range(browser: Any, pages: dict[str, Path]) -> None:
    # The counts of test_html.test_one_bar_per_known_day_range, now as drawn: each bar has
    # an area on screen and lies right of the labels, inside its picture.
    for name, bars in (("report-2019-q4", 89), ("report-2020-q1", 41)):
        opened = open_page(browser, pages[name])
        drawn = opened.js(
            """[...document.querySelectorAll('svg.gantt rect.bar')].map(bar => {
                 const r = bar.getBoundingClientRect();
                 const s = bar.ownerSVGElement.getBoundingClientRect();
                 return [r.width > 0 && r.height > 0, r.left >= s.left + s.width * 0.39,
                         r.right <= s.right + 0.5];
               })"""
        )
        assert len(drawn) == bars, name
        assert all(all(checks) for checks in drawn), name
        opened.page.close()


def test_half_days_drawn_in_chromium(browser: Any, tmp_path: Path) -> None:
    page = make_page("report-2020-q1", tmp_path, BUNDLED_STORE, "--project", "T-CY")
    opened = open_page(browser, page)
    widths = opened.js(
        """Object.fromEntries([...document.querySelectorAll('svg.gantt g.row')].map(row =>
             [row.querySelector('text.row-dates').textContent,
              row.querySelector('rect.bar').getBoundingClientRect().width]))"""
    )
    # 16 (AM) March is half a day; 16 (PM) - 20 (AM) March four days; 21-24 January four.
    assert set(widths) == {"21-24 Jan", "16am Mar", "16pm-20am Mar"}
    assert widths["16pm-20am Mar"] == pytest.approx(8 * widths["16am Mar"], rel=0.01)
    assert widths["21-24 Jan"] == pytest.approx(widths["16pm-20am Mar"], rel=0.01)
    opened.page.close()


@pytest.mark.parametrize("name", ["report-2019-q4", "report-2020-q1", "projects"])
def test_chromium_dom_matches_the_golden_outline(
    browser: Any, pages: dict[str, Path], name: str
) -> None:
    # The browser parses the page into the tree the template meant: no misnested element
    # moved, none dropped.
    opened = open_page(browser, pages[name])
    lines = outline(opened.page.content())
    golden = (FIXTURES / "snapshots" / f"{name}.dom.txt").read_text(encoding="utf-8")
    assert "\n".join(lines) + "\n" == golden
    opened.page.close()


def test_a_hostile_title_stays_text(browser: Any, tmp_path: Path, store_copy: Path) -> None:
    from tests.test_html import HOSTILE, hostile_store

    page = make_page("report-2019-q4", tmp_path, hostile_store(store_copy))
    opened = open_page(browser, page)
    assert opened.js("document.scripts.length") == 0
    assert opened.js("document.images.length") == 0
    titles = opened.js("[...document.querySelectorAll('span.title')].map(s => s.textContent)")
    assert HOSTILE in titles
    assert opened.console == [] and opened.errors == [] and opened.requests == []
    opened.page.close()


def luminance(css: str) -> float:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def test_dark_mode_and_print_palettes(browser: Any, pages: dict[str, Path]) -> None:
    colours = (
        "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    )
    for scheme, dark in (("light", False), ("dark", True)):
        opened = open_page(browser, pages["report-2020-q1"], scheme=scheme)
        background, text = opened.js(colours)
        assert (luminance(background) < 0.2) is dark and (luminance(text) > 0.8) is dark
        # Printed, the page is light whatever the screen's setting.
        opened.page.emulate_media(media="print", color_scheme=scheme)
        background, _ = opened.js(colours)
        assert luminance(background) > 0.95
        opened.page.close()


# --- print ---------------------------------------------------------------------------------


def squash(text: str) -> str:
    """Letters and digits only, project names left out: the PDF's text runs the projects
    column's lines into the title's, and breaks lines where the browser wrapped them."""
    text = unicodedata.normalize("NFKC", text)
    for name in PROJECT_NAMES:
        text = text.replace(name, "")
    return re.sub(r"[\W_]+", "", text).casefold()


def printed(browser: Any, path: Path) -> tuple[list[str], list[str], Any]:
    """The page printed to PDF at A4: each page's text, each activity line's text."""
    from pypdf import PdfReader

    opened = open_page(browser, path)
    lines = opened.js("[...document.querySelectorAll('td.line')].map(td => td.textContent)")
    pdf = opened.page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    opened.page.close()
    reader = PdfReader(io.BytesIO(pdf))
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in reader.pages]
    return texts, lines, reader


def starting(texts: list[str], line: str) -> list[int]:
    """The pages (from 1) on which ``line`` is a whole line."""
    return [n for n, text in enumerate(texts, 1) if line in text.splitlines()]


@pytest.mark.parametrize(
    ("name", "pages_expected", "headings"),
    [
        # Read off the printed pages: the summary on 2 pages, the timeline on 3 (its long
        # titles on two lines), then October (29 lines) on 2, November (26) on 2, December
        # (17) on 1.
        (
            "report-2019-q4",
            10,
            {"Timeline": [3], "OCTOBER 2019": [6], "NOVEMBER 2019": [8], "DECEMBER 2019": [10]},
        ),
        # The summary (4 deadlines now) on 2, the timeline on 2, the inventory's January
        # (14) and February (5) a page each, then Coming next: February (21) on 2 and
        # March (20) on 2.
        (
            "report-2020-q1",
            10,
            {
                "Timeline": [3],
                "JANUARY 2020": [5],
                "FEBRUARY 2020": [6, 7],
                "MARCH 2020": [9],
            },
        ),
    ],
)
def test_printed_to_a4(
    browser: Any,
    pages: dict[str, Path],
    name: str,
    pages_expected: int,
    headings: dict[str, list[int]],
) -> None:
    texts, lines, reader = printed(browser, pages[name])
    assert len(texts) == pages_expected
    for page in reader.pages:  # A4 is 210 x 297 mm, 595.3 x 841.9 points
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)
    # A month starts a page (the heading is the page's first line after its number).
    for heading, expected in headings.items():
        assert starting(texts, heading) == expected, heading
        for n in expected:
            body = [
                line for line in texts[n - 1].splitlines() if not re.fullmatch(r"\d+ / \d+", line)
            ]
            assert body[0] == heading or body[1] == heading, (heading, body[:2])
    # No row cut in two: each line's whole text is on one page, uninterrupted by a page's
    # number or the table's repeated header.
    squashed = [squash(text) for text in texts]
    cut = [line for line in lines if not any(squash(line) in page for page in squashed)]
    assert cut == []
    assert len(lines) == {"report-2019-q4": 72, "report-2020-q1": 60}[name]


# --- the README's picture -----------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshot_for_the_readme(browser: Any, pages: dict[str, Path]) -> None:
    for file, selector in SCREENSHOTS.items():
        opened = open_page(browser, pages["report-2020-q1"], width=1280, height=800)
        opened.page.locator(selector).first.evaluate("e => e.scrollIntoView()")
        shot = opened.page.screenshot(full_page=False)
        opened.page.close()
        assert png_size(shot) == (1280, 800)
        target = REPO / "docs" / file
        if os.environ.get("INVENTORY_UPDATE_SCREENSHOT"):
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(shot)
        committed = target.read_bytes()
        assert png_size(committed) == (1280, 800)
        assert len(committed) < 250_000, f"{file}: the README's pictures should stay small"


def test_the_row_check_sees_a_cut_row(browser: Any, tmp_path: Path) -> None:
    # Rows taller than a page, which the browser must cut: proof that the check of
    # test_printed_to_a4 can fail.
    words = " ".join(f"word{i}" for i in range(400))
    rows = "".join(f"<tr><td>GLACY+</td><td class=line>Row {n} {words}</td></tr>" for n in range(4))
    page = tmp_path / "tall.html"
    page.write_text(
        f"<!DOCTYPE html><html lang=en><body><table><thead><tr><th>a<th>b</thead>"
        f"<tbody>{rows}</tbody></table></body></html>",
        encoding="utf-8",
    )
    texts, lines, _ = printed(browser, page)
    squashed = [squash(text) for text in texts]
    cut = [line for line in lines if not any(squash(line) in page for page in squashed)]
    assert cut


# --- the newsletter as a browser prints it -----------------------------------------------------


def test_the_newsletter_printed_by_chromium_imports_as_the_132(
    browser: Any, tmp_path: Path
) -> None:
    # The e-mail printed to PDF as a reader would (A4, the browser's header and footer): page
    # breaks cut rows in two and put the footer between their halves, and cells wrap after a
    # word's hyphen ("future-" / "proof"). The import reads exactly the bundled store.
    from typer.testing import CliRunner

    from inventory.cli import app
    from tests.documents import make_html
    from tests.helpers import SHARED_NEWSLETTER

    mail = tmp_path / "update.html"
    mail.write_text(make_html(SHARED_NEWSLETTER.read_text(encoding="utf-8")), encoding="utf-8")
    opened = open_page(browser, mail, width=800)
    pdf = tmp_path / "update.pdf"
    pdf.write_bytes(opened.page.pdf(format="A4", display_header_footer=True))
    opened.page.close()
    store = tmp_path / "s.csv"
    result = CliRunner().invoke(app, ["import", str(pdf), "--store", str(store), "--create"])
    assert result.exit_code == 0, result.stderr
    assert "added 132, updated 0, unchanged 0, ambiguous 0" in result.stderr
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()
