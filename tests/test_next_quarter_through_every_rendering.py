"""The next issue, imported through every rendering it travels in, wipes nothing: each
activity ends as the plain text of the issue makes it, or as it was (its line left out and
said); none loses a project, a place, its days or a confirmed date.

The next issue is tests/fixtures/newsletter-2020-q1.txt (see test_reconcile.py for its
counts by hand); it is rendered here as the editors and mailers do: Word (paragraphs and
tables, and a table whose project cells are merged, exported to PDF by LibreOffice), an
HTML e-mail, a printed PDF, a PDF with a project column so narrow its names wrap, a
two-column PDF, and text copied from a PDF viewer."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from inventory.model import Activity
from inventory.reconcile import weakenings
from inventory.records import to_record
from tests.documents import (
    make_docx,
    make_html,
    make_merged_docx,
    make_pdf,
    make_table_beside_text_pdf,
    make_two_column_pdf,
    make_viewer_text,
    to_pdf,
)
from tests.helpers import BUNDLED_STORE, FIXTURES, load, runner

pytestmark = pytest.mark.slow  # renders with LibreOffice and pandoc

NEXT = FIXTURES / "newsletter-2020-q1.txt"
TEXT = NEXT.read_text(encoding="utf-8")
OPTIONS = ("--add-ambiguous", "--skip-bad")
"""The ambiguous line of the issue added as new, any line a rendering cannot read left out
(and listed): what is written must then be right, line by line."""


def _text(work: Path) -> Path:
    path = work / "next.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def _html(work: Path) -> Path:
    path = work / "next.html"
    path.write_text(make_html(TEXT), encoding="utf-8")
    return path


def _pdf(work: Path) -> Path:
    path = work / "next.pdf"
    make_pdf(TEXT, path)
    return path


def _merged_pdf(work: Path) -> Path:
    return to_pdf(make_merged_docx(TEXT, work / "next-merged.docx"), work)


def _viewer(work: Path) -> Path:
    path = work / "next-viewer.txt"
    path.write_text(make_viewer_text(TEXT), encoding="utf-8")
    return path


RENDERINGS: dict[str, Callable[[Path], Path]] = {
    "docx": lambda work: make_docx(TEXT, work / "next.docx"),
    "html": _html,
    "pdf": _pdf,
    "merged-cells-pdf": _merged_pdf,
    "two-columns-pdf": lambda work: make_two_column_pdf(TEXT, work / "next-2col.pdf"),
    "narrow-column-pdf": lambda work: make_table_beside_text_pdf(
        TEXT, work / "next-narrow.pdf", project_width=52
    ),
    "viewer-text": _viewer,
}


def imported(document: Path, work: Path, name: str) -> tuple[Any, dict[str, Activity]]:
    store = work / f"{name}.csv"
    shutil.copy(BUNDLED_STORE, store)
    result = runner.invoke(app, ["import", str(document), *OPTIONS, "--store", str(store)])
    return result, {a.id: a for a in load(store).activities}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("next")


@pytest.fixture(scope="module")
def reference(work: Path) -> dict[str, Activity]:
    """The store after the issue's plain text: what every rendering must give, or less."""
    result, after = imported(_text(work), work, "reference")
    assert result.exit_code == 0, result.stderr
    # 3 new lines and the ambiguous one added; 56 updated (test_reconcile.py).
    assert len(after) == 132 + 4
    return after


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_the_next_issue_through_a_rendering_wipes_nothing(
    name: str, work: Path, reference: dict[str, Activity]
) -> None:
    before = {a.id: a for a in load(BUNDLED_STORE).activities}
    result, after = imported(RENDERINGS[name](work), work, name)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    for ident, old in before.items():
        now = after[ident]  # nothing removed
        assert weakenings(old, now) == [], (name, ident)
        # As the text makes it, or as it was (a line the rendering could not read).
        assert to_record(now) in (to_record(reference[ident]), to_record(old)), (name, ident)
    wrong = [
        a.title
        for i, a in after.items()
        if i not in before and to_record(a) not in [to_record(r) for r in reference.values()]
    ]
    assert wrong == [], name
    # Every line a rendering could not apply is said: a skipped line is counted.
    kept = sum(to_record(after[i]) == to_record(reference[i]) for i in reference if i in after)
    if kept < len(reference):
        assert "skipped" in result.stderr, name
