"""What the CLI review of 675f651 found besides data: a write echoes what it wrote in a
format that answers a write (E13), a suggestion is made only for a near spelling (E5), and
at 80 columns a list gives the title the room (E10)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inventory.cli import app
from tests.helpers import BUNDLED_STORE, load, runner


def copy(tmp_path: Path) -> Path:
    store = tmp_path / "t.csv"
    shutil.copy(BUNDLED_STORE, store)
    return store


def test_a_write_echoes_in_the_formats_that_answer_a_write(tmp_path: Path) -> None:
    # E13: an ICS calendar or an xlsx workbook of one edited row was offered and written.
    store = copy(tmp_path)
    for command in (["add"], ["edit", "4nc4"], ["cancel", "4nc4"], ["postpone", "4nc4"]):
        shown = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert "--format [table|json|ndjson|ids]" in shown.stdout, command
    refused = runner.invoke(
        app, ["edit", "4nc4", "--status", "held", "--format", "ics", "--store", str(store)]
    )
    assert refused.exit_code == 2
    assert "'ics' is not one of 'table', 'json', 'ndjson', 'ids'" in refused.stderr
    ids = runner.invoke(
        app, ["edit", "4nc4", "--status", "held", "-f", "ids", "--store", str(store)]
    )
    assert (ids.exit_code, ids.stdout) == (0, "4nc4qthh\n")


def test_a_suggestion_is_made_only_for_a_near_spelling(tmp_path: Path) -> None:
    # E5: "--limit" got "did you mean --city?", "--foo" "--format?", Narnia "Armenia?".
    store = copy(tmp_path)
    cases = [
        (["report", "--limit", "3"], "no such option: --limit"),
        (["edit", "4nc4", "--foo", "1"], "no such option: --foo"),
        (["list", "-c", "Narnia"], "invalid value for --country: unknown country 'Narnia'; "
         "expected a country's name or ISO code, e.g. 'Morocco' or 'MA'"),
        (["list", "--montth", "2019-11"], "no such option: --montth; did you mean --month?"),
        (["list", "-c", "Marocco"], "unknown country 'Marocco': did you mean Morocco?"),
    ]  # fmt: skip
    for args, said in cases:
        result = runner.invoke(app, [*args, "--store", str(store)])
        assert result.exit_code == 2, args
        first = result.stderr.splitlines()[0]
        assert first.endswith(said), (args, first)


@pytest.mark.slow
def test_at_80_columns_the_title_has_half_the_room_and_months_are_short() -> None:
    # E10: the Title column was the narrowest (22 characters): "Meeting with cybercrime
    # investigations heads…" took 9 lines, its dates 3.
    from inventory.views.console import render_text
    from inventory.views.listing import ActivityTable

    november = [
        a
        for a in load(BUNDLED_STORE).activities
        if "GLACY+" in a.projects and a.schedule.month == "2019-11"
    ]
    text = render_text(ActivityTable(november), width=80)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("4g8abbps"))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if line[:8].strip():
            break
        block.append(line)
    title_column = lines[0].index("Title")
    assert len(block) <= 6
    assert block[0][title_column:].startswith("Meeting with cybercrime")
    assert "11-14" in block[0] and "Nov" in block[1] and "November" not in text


def test_a_narrow_column_is_never_narrower_than_its_header() -> None:
    # At 100 columns, one GLACY+ row gave Projects 6 characters: "Projec" / "ts".
    from inventory.views.console import render_text
    from inventory.views.listing import ActivityTable

    [lyon] = [a for a in load(BUNDLED_STORE).activities if a.id == "xa9w55j8"]
    for width in (80, 100, 120):
        header = render_text(ActivityTable([lyon]), width=width).splitlines()[0].split()
        assert header == ["ID", "Dates", "Projects", "Title", "Location"], width
