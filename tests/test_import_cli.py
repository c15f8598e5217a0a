"""The import command as officers use it, through CliRunner and the installed program.
Expected values were read off the newsletter by hand (tests/fixtures/newsletter-2019-q4.txt
and the whole shared newsletter), not copied from the program's output."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from tests.helpers import BUNDLED_STORE, SHARED_NEWSLETTER, runner

# Lines under "Inventory of activities (October- December 2019)": 29 + 26 + 17, counted by
# hand; the 60 of "Coming next" (14 + 26 + 20) stay planned.
HELD_Q4 = 72


def run(*args: str, store: Path | None = BUNDLED_STORE, input: str | None = None) -> Any:
    argv = list(args) + (["--store", str(store)] if store is not None else [])
    if store is not None and not store.exists() and args[:1] == ("import",):
        # A new store, started on purpose: without --create a store name that does not
        # exist is refused (tests/test_mistyped_store.py).
        argv.append("--create")
    return runner.invoke(app, argv, input=input)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def same_as_bundled(path: Path) -> None:
    """Every field of every row as in the bundled store, in its order; the status is
    ``held`` for the lines of "Inventory of activities", as the newsletter says."""
    got, want = rows(path), rows(BUNDLED_STORE)
    assert [r["id"] for r in got] == [r["id"] for r in want]
    for g, w in zip(got, want, strict=True):
        assert {k: v for k, v in g.items() if k != "status"} == {
            k: v for k, v in w.items() if k != "status"
        }
    held = [r for r in got if r["status"] == "held"]
    assert len(held) == HELD_Q4
    assert {r["month"] for r in held} == {"2019-10", "2019-11", "2019-12"}
    assert {r["status"] for r in got if r not in held} == {"planned"}


# --- whole newsletters ------------------------------------------------------------------------


@pytest.mark.slow
def test_whole_shared_newsletter_imports_its_two_tables_only(tmp_path: Path) -> None:
    target = tmp_path / "full.csv"
    result = run("import", str(SHARED_NEWSLETTER), store=target)
    assert result.exit_code == 0, result.stderr
    # The one line without a project (Mauritius, March 2020) is the only remark.
    assert result.stderr.count("warning") == 2  # that line, and iPROCEEDS' end (below)
    assert ":573: warning: projects: no project given" in result.stderr
    assert "after iPROCEEDS ended" in result.stderr
    assert "added 132, updated 0, unchanged 0, ambiguous 0" in result.stderr
    same_as_bundled(target)
    # No junk made of prose (D2): "STRASBOURG" on 1 October 2019, "Opened for signature:".
    assert "STRASBOURG, FRANCE" not in target.read_text()
    assert "Opened for signature" not in target.read_text()


@pytest.mark.slow
def test_importing_again_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "full.csv"
    run("import", str(SHARED_NEWSLETTER), store=target)
    before = target.read_bytes()
    again = run("import", str(SHARED_NEWSLETTER), store=target)
    assert again.exit_code == 0
    assert "added 0, updated 0, unchanged 132, ambiguous 0" in again.stderr
    assert target.read_bytes() == before


def test_newsletter_into_the_bundled_store_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "s.csv"
    shutil.copy(BUNDLED_STORE, target)
    result = run("import", str(SHARED_NEWSLETTER), "--json", store=target)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["unchanged"] == 132
    assert target.read_bytes() == BUNDLED_STORE.read_bytes()


def test_newsletter_marks_the_quarter_held(tmp_path: Path) -> None:
    # The store as it was before the quarter was reported: everything still planned.
    target = tmp_path / "s.csv"
    target.write_text(
        BUNDLED_STORE.read_text(encoding="utf-8").replace(",held\n", ",planned\n"),
        encoding="utf-8",
    )
    result = run("import", str(SHARED_NEWSLETTER), "--json", store=target)
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["counts"] == {
        "added": 0, "updated": HELD_Q4, "unchanged": 60, "ambiguous": 0, "possible": 0,
        "weakening": 0, "unknown_projects": 0, "missing": 0, "skipped": 0,
    }  # fmt: skip
    assert {tuple(c.values()) for u in plan["updated"] for c in u["changes"]} == {
        ("status", "planned", "held")
    }


def test_dry_run_writes_nothing_at_all(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "dir" / "s.csv"
    result = run("import", str(SHARED_NEWSLETTER), "--dry-run", "--json", store=target)
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["dry_run"] is True and plan["written"] is False
    assert plan["counts"]["added"] == 132
    assert len(plan["added"]) == 132
    assert "dry run, nothing written; would have: added 132" in result.stderr
    assert not (tmp_path / "sub").exists()  # no folder, no lock, no cache (D35)


def test_dry_run_on_an_existing_store_leaves_no_cache_or_lock(tmp_path: Path) -> None:
    target = tmp_path / "s.csv"
    shutil.copy(BUNDLED_STORE, target)
    line = "JANUARY 2020\nGLACY+\tInitial assessment visit, Burkina Faso, 28-31 January\n"
    result = run("import", "-", "--dry-run", store=target, input=line)
    assert result.exit_code == 0, result.stderr
    # The plan, on standard output: the update, named as the line has it, and its change.
    assert re.search(r"^update +0pd2p5j7 +<stdin>:2 +Initial assessment visit", result.stdout, re.M)
    assert "dates: 27-30 January -> 28-31 January" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]
    assert target.read_bytes() == BUNDLED_STORE.read_bytes()


def test_report_text_imports_back(tmp_path: Path) -> None:
    text = run("report", "--quarter", "Q1-2020", "--format", "text").stdout
    target = tmp_path / "q1.csv"
    result = run("import", "-", store=target, input=text)
    assert result.exit_code == 0, result.stderr
    assert "added 60," in result.stderr  # 14 + 26 + 20 lines of "Coming next"
    ids = {r["id"] for r in rows(BUNDLED_STORE) if r["month"] >= "2020-01"}
    assert {r["id"] for r in rows(target)} == ids


@pytest.mark.slow
def test_markdown_report_imports_back(tmp_path: Path) -> None:
    markdown = run("report", "--quarter", "Q4-2019", "--format", "markdown").stdout
    target = tmp_path / "q4.csv"
    result = run("import", "-", store=target, input=markdown)
    assert "added 72," in result.stderr


def test_unreadable_line_writes_nothing_unless_skip_bad(tmp_path: Path) -> None:
    source = tmp_path / "n.txt"
    source.write_text("MARCH 2020\nGLACY+\tWorkshop, Ghana, 3 March\nSee you soon\n")
    target = tmp_path / "s.csv"
    result = run("import", str(source), store=target)
    assert result.exit_code == 1
    assert "n.txt:3: error: projects: no project at the start of 'See you soon'" in result.stderr
    assert "nothing written: 1 line could not be read" in result.stderr
    assert not target.exists()
    result = run("import", str(source), "--skip-bad", store=target)
    assert result.exit_code == 0
    assert "n.txt:3: error" in result.stderr  # every skipped line is listed
    assert "added 1, updated 0, unchanged 0, ambiguous 0; skipped 1 line" in result.stderr
    assert [r["title"] for r in rows(target)] == ["Workshop"]


def test_missing_file(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.txt"), store=tmp_path / "s.csv")
    assert result.exit_code == 1
    assert result.stderr == f"inventory: error: {tmp_path / 'nope.txt'}: no such file\n"


@pytest.mark.slow
def test_installed_program_imports_a_pipe(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("inventory")
    target = tmp_path / "p.csv"
    line = (
        "NOVEMBER 2019\n• GLACY+ INTERPOL Malware Analysis Training, LYON, FRANCE, 4-8 November\n"
    )
    done = subprocess.run(
        [str(exe), "import", "-", "--store", str(target), "--create"],
        input=line.encode(),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert b"added 1, updated 0, unchanged 0, ambiguous 0" in done.stderr
    [row] = rows(target)
    assert (row["id"], row["projects"], row["city"]) == ("xa9w55j8", "GLACY+", "Lyon")


@pytest.mark.parametrize("flag", ["--json"])
def test_json_plan_shape(tmp_path: Path, flag: str) -> None:
    target = tmp_path / "s.csv"
    shutil.copy(BUNDLED_STORE, target)
    text = "JANUARY 2020\nGLACY+\tStakeholders’ meeting on the new Cybercrime Law, joint activity with OCWAR-C, Sierra Leone, 22-23 January\n"  # noqa: E501
    plan = json.loads(run("import", "-", flag, "--dry-run", store=target, input=text).stdout)
    [update] = plan["updated"]
    assert update["id"] == "02n8dtsy"
    assert update["where"] == "<stdin>:2"
    assert update["changes"] == [
        {"field": "dates", "old": "22-23 January (dates TBC)", "new": "22-23 January"}
    ]
    assert update["activity"]["schedule"]["certainty"] == "confirmed"


def test_many_warnings_are_counted_not_all_printed(tmp_path: Path) -> None:
    # 25 GLACY+ workshops of 2015, before GLACY+ began (March 2016): each is a warning. The
    # first ten are printed, the other fifteen counted (D28: 70,000 lines nobody reads);
    # --json still lists all 25.
    sheet = tmp_path / "plan.csv"
    rows = [f'GLACY+,Workshop {n},"Accra, Ghana",{n} May 2015' for n in range(1, 26)]
    sheet.write_text("projects,title,location,dates\n" + "\n".join(rows) + "\n", encoding="utf-8")
    new = ["--store", str(tmp_path / "s.db"), "--create"]
    result = runner.invoke(app, ["import", str(sheet), *new])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert sum("is before GLACY+ began" in line for line in lines) == 10
    assert (
        "inventory: 15 more warnings not shown (dates: 15); 'inventory import --json' lists "
        "every one, 'inventory validate' those the store keeps"
    ) in lines
    assert lines[-1] == "inventory: added 25, updated 0, unchanged 0, ambiguous 0"
    again = runner.invoke(
        app,
        [
            "import",
            str(sheet),
            "--dry-run",
            "--json",
            "--store",
            str(tmp_path / "t.db"),
            "--create",
        ],
    )
    warned = [p for p in json.loads(again.stdout)["problems"] if "before GLACY+" in p["message"]]
    assert len(warned) == 25
