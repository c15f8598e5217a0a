"""History and undo, on every backend (csv, json, sqlite, postgresql). Each store starts
with the bundled store's 132 activities, imported by "setup" as change 1. The activity
changed here is the newsletter's "Initial assessment mission, Benin, 17-20 February (dates
TBC)" (GLACY+), id 4nc4qthh."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from inventory.changes import Change, Edit
from inventory.cli import app
from inventory.undo import undone
from tests.helpers import runner

BENIN = "4nc4qthh"
BENIN_TITLE = "Initial assessment mission"


def run(store: str, *args: str, by: str | None = None, code: int = 0) -> Any:
    extra = ["--author", by] if by else []
    result = runner.invoke(app, [*args, *extra, "--store", store])
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result


def history(store: str, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(run(store, "history", *args, "--json").stdout)
    return data


def shown(store: str, ident: str = BENIN) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run(store, "show", ident, "--json").stdout)
    return data


def test_the_import_is_change_one(backend_store: str) -> None:
    [change] = history(backend_store)
    assert (change["change"], change["author"], change["reverts"]) == (1, "setup", None)
    assert len(change["edits"]) == 132
    assert {e["kind"] for e in change["edits"]} == {"add"}
    [benin] = [e for e in change["edits"] if e["id"] == BENIN]
    assert benin["before"] is None
    assert benin["after"]["title"] == BENIN_TITLE
    assert benin["after"]["schedule"]["text"] == "17-20 February (dates TBC)"


def test_an_edit_records_who_when_the_command_and_both_records(backend_store: str) -> None:
    before = shown(backend_store)
    start = datetime.now(UTC).replace(microsecond=0)
    run(backend_store, "edit", "4nc4", "--title", "Assessment mission", by="Jane Officer")
    [change, imported] = history(backend_store, BENIN)
    assert imported["change"] == 1
    assert change["author"] == "Jane Officer"
    assert change["command"].startswith("inventory edit")
    assert start <= datetime.fromisoformat(change["at"]) <= datetime.now(UTC)
    [edit] = change["edits"]
    assert edit["kind"] == "update"
    assert edit["before"] == before
    assert edit["after"]["title"] == "Assessment mission"
    assert {k: v for k, v in edit["after"].items() if k != "title"} == {
        k: v for k, v in before.items() if k != "title"
    }
    lines = run(backend_store, "history", "--limit", "1").stdout.splitlines()
    assert lines[0].startswith(f"change {change['change']}  ")
    assert "Jane Officer" in lines[0]
    # Named by the title it took (E12), the renaming said in its fields.
    assert lines[1] == f"  changed {BENIN} Assessment mission: title"


def test_history_filters(backend_store: str) -> None:
    run(backend_store, "cancel", BENIN, by="Jane Officer")
    run(backend_store, "edit", "s0x6ftjt", "--status", "postponed", by="Bob")
    assert [c["author"] for c in history(backend_store)] == ["Bob", "Jane Officer", "setup"]
    assert [c["change"] for c in history(backend_store, "--author", "Jane Officer")] == [2]
    assert [c["change"] for c in history(backend_store, "--limit", "1")] == [3]
    # One activity's history holds its own edits only, not the whole import's.
    assert [(c["change"], len(c["edits"])) for c in history(backend_store, "s0x6")] == [
        (3, 1),
        (1, 1),
    ]
    today = datetime.now(UTC).date()
    assert len(history(backend_store, "--from", today.isoformat())) == 3
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert history(backend_store, "--from", tomorrow) == []
    assert history(backend_store, "--year", "2019") == []
    empty = run(backend_store, "history", "--author", "Nobody")
    assert empty.stdout == "" and "no changes recorded" in empty.stderr


def test_undo_the_last_change_of_the_current_user(backend_store: str) -> None:
    before = shown(backend_store)
    run(backend_store, "edit", BENIN, "--title", "Assessment mission", by="Jane Officer")
    run(backend_store, "edit", "s0x6ftjt", "--status", "postponed", by="Bob")
    result = run(backend_store, "undo", "--json", by="Jane Officer")
    assert "undid change 2" in result.stderr and "recorded as change 4" in result.stderr
    recorded = json.loads(result.stdout)
    assert (recorded["change"], recorded["reverts"], recorded["author"]) == (4, 2, "Jane Officer")
    assert shown(backend_store) == before
    assert shown(backend_store, "s0x6ftjt")["status"] == "postponed"  # Bob's change stays
    undo = history(backend_store)[0]
    assert undo["edits"][0]["before"]["title"] == "Assessment mission"
    assert undo["edits"][0]["after"]["title"] == BENIN_TITLE
    # Nothing more of Jane's to undo: the import is setup's.
    again = run(backend_store, "undo", by="Jane Officer", code=1)
    assert "nothing of Jane Officer's to undo" in again.stderr
    assert len(history(backend_store)) == 4


def test_undo_refuses_when_the_activity_changed_since(backend_store: str) -> None:
    run(backend_store, "edit", BENIN, "--title", "Assessment mission", by="Jane Officer")
    run(backend_store, "edit", BENIN, "--dates", "18-21 February", by="Bob")
    result = run(backend_store, "undo", "2", by="Jane Officer", code=1)
    message = result.stderr.splitlines()[0]
    assert message.startswith(
        f"inventory: error: cannot undo change 2: {BENIN} was changed (dates) since by Bob "
        "(change 3, "
    )
    assert message.endswith("nothing was written")
    assert len(history(backend_store)) == 3
    assert shown(backend_store)["title"] == "Assessment mission"
    # Undoing Bob's first, then Jane's, works.
    run(backend_store, "undo", "3", by="Jane Officer")
    run(backend_store, "undo", "2", by="Jane Officer")
    assert shown(backend_store)["title"] == BENIN_TITLE
    assert shown(backend_store)["schedule"]["start"] == "2020-02-17"


def test_undo_a_removal_brings_the_activity_back(backend_store: str) -> None:
    before = shown(backend_store)
    run(backend_store, "remove", BENIN, "--yes", by="Jane Officer")
    run(backend_store, "show", BENIN, code=2)  # an id no activity has: a usage error (D29)
    run(backend_store, "undo", by="Jane Officer")
    assert shown(backend_store) == before
    # The removed activity's history is found by its full id while it is gone too.
    assert [c["change"] for c in history(backend_store, BENIN)] == [3, 2, 1]


def test_undo_an_import_then_redo_it(backend_store: str) -> None:
    run(backend_store, "undo", "1", by="Jane Officer")
    assert json.loads(run(backend_store, "list", "--json").stdout) == []
    again = run(backend_store, "undo", "1", by="Jane Officer", code=1)
    assert "change 1 is undone already (by change 2)" in again.stderr
    assert "'inventory undo 2' would redo it" in again.stderr
    run(backend_store, "undo", "2", by="Jane Officer")
    assert len(json.loads(run(backend_store, "list", "--json").stdout)) == 132
    # Change 1 counts as done again, so it can be undone again.
    run(backend_store, "undo", "1", by="Jane Officer")
    assert run(backend_store, "list", "--format", "ids").stdout == ""


def test_undo_bad_values(backend_store: str) -> None:
    result = run(backend_store, "undo", "abc", code=2)
    assert "expected a change number such as 42" in result.stderr
    # An unknown number typed on the command line is a usage error, as any unknown name (E7).
    result = run(backend_store, "undo", "99", code=2)
    assert "no change 99" in result.stderr


def test_which_changes_are_undone() -> None:
    at = datetime(2019, 11, 28, tzinfo=UTC)

    def change(number: int, reverts: int | None = None) -> Change:
        return Change(number, at, "jane", "", (Edit("x", None, {}),), reverts)

    assert undone([change(1), change(2, 1)]) == {1: 2}
    # An undo undone (a redo): change 1 stands again, change 2 is undone.
    assert undone([change(1), change(2, 1), change(3, 2)]) == {2: 3}
    assert undone([change(1), change(2, 1), change(3, 2), change(4, 1)]) == {2: 3, 1: 4}


# --- the CSV store's journal ----------------------------------------------------------------


def test_csv_journal_is_one_line_per_change_appended(tmp_path: Path, store_copy: Path) -> None:
    store = str(store_copy)
    journal = store_copy.with_name("activities.csv.history.jsonl")
    run(store, "cancel", BENIN, by="Jane Officer")
    first = journal.read_bytes()
    run(store, "edit", "s0x6ftjt", "--status", "postponed", by="Bob")
    after = journal.read_bytes()
    assert after.startswith(first)
    lines = after.decode("utf-8").splitlines()
    assert [json.loads(line)["author"] for line in lines] == ["Jane Officer", "Bob"]


def test_csv_hand_edit_then_undo_refuses(store_copy: Path) -> None:
    store = str(store_copy)
    run(store, "edit", BENIN, "--title", "Assessment mission", by="Jane Officer")
    text = store_copy.read_text(encoding="utf-8")
    store_copy.write_text(text.replace("Assessment mission", "Mission typed by hand"))
    result = run(store, "undo", by="Jane Officer", code=1)
    assert f"{BENIN} was changed (title) since outside inventory (by hand?)" in result.stderr
    assert "Mission typed by hand" in store_copy.read_text(encoding="utf-8")
