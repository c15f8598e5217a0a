"""An import never silently damages the store (issue 20): an update that would weaken what
the store holds is refused unless asked for by id; a project name no one knows is a
question; a match that would change two of title, days and place is not taken; an activity
moved beyond the window is proposed, not duplicated; the plan names activities as the line
has them now. Every expected value below was read off the bundled store (the Q4 2019
newsletter) by hand."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from tests.helpers import BUNDLED_STORE, FIXTURES, load, runner

HELD_Q4 = "Inventory of activities (October - December 2019)\n\n"
"""Lines under this title report their activities held, as the bundled store has them."""


@pytest.fixture
def store(tmp_path: Path) -> Path:
    target = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, target)
    return target


def imp(store: Path, text: str, *args: str) -> Any:
    return runner.invoke(app, ["import", "-", *args, "--store", str(store)], input=text)


# --- weakening --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "ident", "reasons"),
    [
        # An empty project cell (a merged cell read as empty) on the Desk Study of November.
        (
            "\tReview of the Cybercrime Bill, Desk Study, by 30 November",
            "8z2jnbrv",
            ["projects GLACY+ would be removed"],
        ),
        # The place lost (a narrow column cut it, or another rendering left it out).
        (
            "GLACY+\tINTERPOL Malware Analysis Training, 4-8 November",
            "xa9w55j8",
            ["country France would be removed", "city Lyon would be removed"],
        ),
        # Days turned back into the month.
        (
            "GLACY+\tINTERPOL Malware Analysis Training, LYON, FRANCE, dates TBD",
            "xa9w55j8",
            ["days would become a month with no days"],
        ),
        # A confirmed date turned tentative (an older issue's qualifier).
        (
            "GLACY+\tGLACY+ Steering Committee, Strasbourg, France, 18 November (dates TBC)",
            "av14f6ny",
            ["confirmed dates would become tentative"],
        ),
        # The modality dropped.
        (
            "GLACY+\tReview of the Cybercrime Bill, by 30 November",
            "8z2jnbrv",
            ["modality Desk Study would be removed"],
        ),
        # One of two projects dropped: the Morocco training is CyberSouth's and GLACY+'s.
        (
            "CyberSouth\tThe Presidency of the Public Prosecution Office in Morocco trains "
            "reference prosecutors on cybercrime and electronic evidence with the support of "
            "the Council of Europe, Strasbourg, France, 28-29 November",
            "3rp3x449",
            ["projects GLACY+ would be removed"],
        ),
    ],
    ids=["project-cleared", "place-cleared", "days-to-tbd", "to-tbc", "modality", "one-project"],
)
def test_a_weakening_update_is_refused_and_named(
    store: Path, line: str, ident: str, reasons: list[str]
) -> None:
    before = store.read_bytes()
    result = imp(store, f"{HELD_Q4}NOVEMBER 2019\n{line}\n", "--json")
    assert result.exit_code == 1, result.stderr
    plan = json.loads(result.stdout)
    [step] = plan["weakening"]
    assert (step["id"], step["reasons"]) == (ident, reasons)
    assert plan["written"] is False and plan["counts"]["weakening"] == 1
    assert "nothing written: 1 line weakening a stored activity" in result.stderr
    assert "--allow-weakening ID applies a weakening" in result.stderr
    assert store.read_bytes() == before


def test_a_weakening_is_applied_when_asked_for_by_id(store: Path) -> None:
    text = f"{HELD_Q4}NOVEMBER 2019\nGLACY+\tReview of the Cybercrime Bill, by 30 November\n"
    result = imp(store, text, "--allow-weakening", "8z2jnbrv")
    assert result.exit_code == 0, result.stderr
    assert "updated 1" in result.stderr
    desk = next(a for a in load(store).activities if a.id == "8z2jnbrv")
    assert desk.modality is None
    # Asking for another id does not apply this one.
    shutil.copy(BUNDLED_STORE, store)
    assert imp(store, text, "--allow-weakening", "xa9w55j8").exit_code == 1


def test_skip_bad_leaves_a_weakening_line_out_and_writes_the_rest(store: Path) -> None:
    text = (
        f"{HELD_Q4}NOVEMBER 2019\n"
        "\tReview of the Cybercrime Bill, Desk Study, by 30 November\n"
        "GLACY+\tINTERPOL Malware Analysis Training, Lyon, France, 4-8 November\n"
    )
    result = imp(store, text, "--skip-bad")
    assert result.exit_code == 0, result.stderr
    assert "skipped 1 line" in result.stderr
    after = {a.id: a for a in load(store).activities}
    assert after["8z2jnbrv"].projects == ("GLACY+",)  # left as it was
    assert after["xa9w55j8"].place is not None
    assert after["xa9w55j8"].place.text == "Lyon, France"  # the other line applied


def test_the_next_issue_with_its_project_cells_lost_wipes_nothing(store: Path) -> None:
    # The merged-cell PDF of the review, as the next issue: every GLACY+ cell read empty.
    # Before, 16 stored activities lost their projects, exit 0. Now nothing is written, and
    # no line of the plan would remove a project.
    text = (FIXTURES / "newsletter-2020-q1.txt").read_text(encoding="utf-8")
    emptied = text.replace("\nGLACY+\t", "\n\t")
    assert emptied.count("\n\t") >= 16
    before = store.read_bytes()
    result = imp(store, emptied, "--json")
    assert result.exit_code == 1
    plan = json.loads(result.stdout)
    assert plan["written"] is False
    assert plan["counts"]["weakening"] >= 16
    for step in plan["updated"]:
        assert "GLACY+" not in {c["old"] for c in step["changes"] if c["field"] == "projects"}
    assert store.read_bytes() == before


# --- unknown projects -------------------------------------------------------------------------


@pytest.mark.slow
def test_an_unknown_project_is_listed_with_its_lines_and_accepted_by_name(store: Path) -> None:
    text = (
        "APRIL 2020\n"
        "CyberSEE\tLaunch conference, Belgrade, Serbia, 15-16 April\n"
        "e@Octopu\tWorkshop on evidence, Accra, Ghana, 20 April\n"
        "CyberSEE\tSecond meeting, Belgrade, Serbia, 27 April\n"
    )
    result = imp(store, text, "--json")
    assert result.exit_code == 1
    plan = json.loads(result.stdout)
    assert plan["unknown_projects"] == [
        {"name": "CyberSEE", "where": ["<stdin>:2", "<stdin>:4"]},
        {"name": "e@Octopu", "where": ["<stdin>:3"]},
    ]
    assert "unknown projects 'CyberSEE', 'e@Octopu'" in result.stderr
    # Accepting one is not accepting the other.
    assert imp(store, text, "--new-project", "CyberSEE").exit_code == 1
    assert len(load(store).activities) == 132
    accepted = imp(store, text, "--new-project", "CyberSEE", "--new-project", "e@Octopu")
    assert accepted.exit_code == 0, accepted.stderr
    assert len(load(store).activities) == 135


# --- precise matches --------------------------------------------------------------------------


def test_a_line_that_would_change_title_and_month_is_not_matched(tmp_path: Path) -> None:
    # G8 of the reliability review: two seminars of one template a month apart. Before, the
    # second import renamed the first and moved it to March, exit 0.
    db = tmp_path / "g8.db"
    first = "projects,title,dates\nGLACY+,IMP-sq2-49-a tapir ibis seminar,7 April 2020\n"
    assert imp(db, first, "--create").exit_code == 0
    second = "projects,title,dates\nGLACY+,IMP-sq2-68-a tapir bison seminar,7 March 2020\n"
    result = imp(db, second, "--json")
    assert result.exit_code == 1
    plan = json.loads(result.stdout)
    [step] = plan["ambiguous"]
    assert step["reasons"] == ["title and days would all change"]
    assert [c["title"] for c in step["candidates"]] == ["IMP-sq2-49-a tapir ibis seminar"]
    assert [a.title for a in load(db).activities] == ["IMP-sq2-49-a tapir ibis seminar"]
    added = imp(db, second, "--add-ambiguous")
    assert added.exit_code == 0, added.stderr
    assert sorted((a.title, a.start.isoformat()) for a in load(db).activities) == [
        ("IMP-sq2-49-a tapir ibis seminar", "2020-04-07"),
        ("IMP-sq2-68-a tapir bison seminar", "2020-03-07"),
    ]


def test_a_typo_fixed_and_dates_moved_a_few_days_is_still_taken(store: Path) -> None:
    # Overwhelming evidence: same projects and country, titles 95% alike, moved 1 day.
    text = (
        "Coming next (January - March 2020)\n\nJANUARY 2020\n"
        "GLACY+\tInitial assessment visits, Burkina Faso, 28-31 January\n"
    )
    result = imp(store, text)
    assert result.exit_code == 0, result.stderr
    assert re.search(
        r"^update +0pd2p5j7 +<stdin>:4 +Initial assessment visits", result.stdout, re.M
    )


# --- moved beyond the window (E1) and headlines (E12) -------------------------------------


E1 = (
    "Coming next (April - June 2020)\n\nMAY 2020\n"
    "CyberSouth\tRegional workshop on legislation and international cooperation, Morocco, "
    "11-12 May\n"
)


def test_an_activity_moved_two_months_is_proposed_not_added(store: Path) -> None:
    result = imp(store, E1, "--dry-run", "--json")
    assert result.exit_code == 1
    plan = json.loads(result.stdout)
    assert plan["counts"]["added"] == 0 and plan["counts"]["possible"] == 1
    [step] = plan["possible"]
    assert [c["id"] for c in step["candidates"]] == ["587fy7sf"]
    assert step["reasons"] == [
        "the same title, projects and country, moved by 61 days (more than 42)"
    ]
    table = imp(store, E1, "--dry-run")
    assert "possibly continues 587fy7sf" in table.stdout
    assert "inventory postpone 587fy7sf --dates '11-12 May 2020'" in table.stdout


def test_postponing_as_proposed_then_importing_again_adds_nothing(store: Path) -> None:
    moved = runner.invoke(
        app, ["postpone", "587fy7sf", "--dates", "11-12 May 2020", "--store", str(store)]
    )
    assert moved.exit_code == 0, moved.stderr
    result = imp(store, E1)
    assert result.exit_code == 0, result.stderr
    assert "added 0" in result.stderr
    assert len(load(store).activities) == 132


def test_a_moved_activity_is_not_counted_missing_when_a_line_may_continue_it(store: Path) -> None:
    # Q1's report lists the workshop in May: marking the missing ones cancelled must not
    # cancel what was really postponed.
    text = (
        "Inventory of activities (January - March 2020)\n\nMARCH 2020\n"
        "T-CY\tT-CY Bureau Meeting, Strasbourg, 16 (AM) March\n"
        "Coming next (April - June 2020)\n\nMAY 2020\n"
        "CyberSouth\tRegional workshop on legislation and international cooperation, Morocco, "
        "11-12 May\n"
    )
    result = imp(store, text, "--dry-run", "--json", "--mark-missing", "cancelled")
    plan = json.loads(result.stdout)
    assert "587fy7sf" not in {m["id"] for m in plan["missing"]}


def test_the_plan_names_a_renamed_activity_by_its_new_title(store: Path) -> None:
    # E12: the headline is what the store will hold; the old title is in the change.
    text = (
        "JANUARY 2020\nCyberEast\tSteering Committee of the CyberEast Project, Kyiv, Ukraine, "
        "29 – 30 January\n"
    )
    result = imp(store, text, "--dry-run")
    assert result.exit_code == 0, result.stderr
    [row] = [line for line in result.stdout.splitlines() if line.startswith("update")]
    assert "75sa3vj2" in row
    assert "Steering Committee of the CyberEast Project (29-30 January 2020)" in row
    assert (
        "title: Steering Commitee of CyberEast Project -> Steering Committee of the CyberEast "
        "Project"
    ) in result.stdout


def test_allow_weakening_takes_an_id_prefix_and_refuses_an_unknown_id(store: Path) -> None:
    text = f"{HELD_Q4}NOVEMBER 2019\nGLACY+\tReview of the Cybercrime Bill, by 30 November\n"
    before = store.read_bytes()
    unknown = imp(store, text, "--allow-weakening", "nosuchid")
    assert unknown.exit_code == 2
    assert "no activity with id 'nosuchid'" in unknown.stderr
    assert store.read_bytes() == before
    assert imp(store, text, "--allow-weakening", "8z2j").exit_code == 0


def test_an_empty_new_project_is_a_usage_error(store: Path) -> None:
    result = imp(store, "APRIL 2020\nCyberSEE\tLaunch, Belgrade, Serbia, 15 April\n",
                 "--new-project", " ")  # fmt: skip
    assert result.exit_code == 2
    assert "--new-project is empty; expected a project name" in result.stderr
