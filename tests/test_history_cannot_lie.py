"""The history never lies (issue 21, review G3): a cut-off last line is moved aside and the
next change recorded; a change and its history line are written together or not at all;
``undo`` refuses when it cannot tell the author's last change; a damaged history is
reported by ``validate`` with its lines and never stops a query.

Each store starts with the bundled store's 132 activities, imported by "setup" as change 1
(``tests.backends.fill``). "H One" ... are activities added here, on 3-5 December 2019."""

from __future__ import annotations

import json
import resource
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from tests.backends import fill
from tests.helpers import runner
from tests.safety import command, kill, paused_after

BENIN = "4nc4qthh"
"""The newsletter's "Initial assessment mission, Benin, 17-20 February (dates TBC)"."""


def run(store: Path, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--author", "Jane", "--store", str(store)])
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result


def query(store: Path, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--store", str(store)])
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result


def add(store: Path, title: str) -> Any:
    return run(store, "add", "-p", "GLACY+", "-t", title, "--dates", "3-5 December 2019")


def history(store: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(query(store, "history", "--json").stdout)
    return data


def titles(store: Path) -> set[str]:
    rows = json.loads(query(store, "list", "--json").stdout)
    return {row["title"] for row in rows if row["title"].startswith("H ")}


def added_titles(change: dict[str, Any]) -> list[str]:
    return [e["after"]["title"] for e in change["edits"]]


@pytest.fixture(params=["csv", "json"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    target = tmp_path / f"activities.{request.param}"
    fill(str(target))
    return target


def journal(store: Path) -> Path:
    return store.with_name(store.name + ".history.jsonl")


# --- 1. a cut-off last line -------------------------------------------------------------------


def test_a_history_cut_off_in_its_last_line_is_mended_and_the_next_change_recorded(
    store: Path,
) -> None:
    for title in ("H One", "H Two", "H Three"):
        add(store, title)
    path = journal(store)
    whole = path.read_bytes()
    path.write_bytes(whole[:-40])  # G3: head -c -40; the line of "H Three" loses its end
    torn = whole[: len(whole) - 40].rsplit(b"\n", 1)[1]

    result = add(store, "H Four")

    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "line 4 was cut off" in warnings[0], result.stderr
    [aside] = [p for p in store.parent.iterdir() if p.name.startswith(path.name + ".torn-")]
    assert aside.name in warnings[0]
    assert aside.read_bytes() == torn
    changes = history(store)
    assert [c["change"] for c in changes] == [4, 3, 2, 1]
    assert added_titles(changes[0]) == ["H Four"]
    assert added_titles(changes[1]) == ["H Two"]
    assert path.read_bytes().endswith(b"\n")

    undone = run(store, "undo")
    assert "undid change 4" in undone.stderr and "H Four" in undone.stderr
    assert titles(store) == {"H One", "H Two", "H Three"}


def test_a_last_line_that_lost_only_its_line_end_is_kept(store: Path) -> None:
    add(store, "H One")
    path = journal(store)
    path.write_bytes(path.read_bytes()[:-1])
    result = add(store, "H Two")
    assert "warning" not in result.stderr
    assert [added_titles(c) for c in history(store)[:2]] == [["H Two"], ["H One"]]
    assert [c["change"] for c in history(store)] == [3, 2, 1]


# --- 2. a change and its line: both or neither ------------------------------------------------


def limited(size: int) -> Any:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.slow
def test_a_change_whose_history_line_cannot_be_written_writes_nothing(store: Path) -> None:
    """The history is grown to just below a file-size limit (as a full disk would stop it):
    the store, much smaller, could be written; its history line cannot, so neither is."""
    limit = 8 << 20
    path = journal(store)
    [line] = path.read_bytes().splitlines()
    # Spaces after a JSON value are JSON: the one change, padded to the limit's edge.
    path.write_bytes(line + b" " * (limit - len(line) - 40) + b"\n")
    before_store, before_history = store.read_bytes(), path.read_bytes()
    argv = ["add", "-p", "GLACY+", "-t", "H One", "--dates", "3-5 December 2019"]
    result = subprocess.run(
        [*command(), *argv, "--store", str(store)],
        capture_output=True,
        text=True,
        preexec_fn=limited(limit),
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "cannot write the history" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert store.read_bytes() == before_store
    assert path.read_bytes() == before_history


@pytest.mark.slow
def test_a_writer_killed_after_its_history_line_before_its_store_left_no_change(
    store: Path,
) -> None:
    """Killed just after the history line is flushed (the first fsync of the write): the
    store was not replaced, so the line is no change: not shown, then marked aborted."""
    before = store.read_bytes()
    argv = [*command(), "cancel", BENIN, "--store", str(store)]
    with paused_after("fsync", argv, store.parent) as proc:
        assert '"state":"pending"' in journal(store).read_text(encoding="utf-8")
        kill(proc)
    assert store.read_bytes() == before
    assert [c["change"] for c in history(store)] == [1]
    run(store, "edit", BENIN, "--status", "postponed")
    [edit, imported] = history(store)
    assert (edit["change"], imported["change"]) == (2, 1)
    assert edit["edits"][0]["after"]["status"] == "postponed"
    states = [json.loads(x).get("state") for x in journal(store).read_text().splitlines()]
    assert states == [None, "aborted", "done"] or states == ["done", "aborted", "done"]


@pytest.mark.slow
def test_a_writer_killed_after_replacing_its_store_left_its_change_recorded(
    store: Path,
) -> None:
    """Killed just after the store was replaced, before its history line was marked
    done: the store holds the change, so the history shows it, and the next writer marks
    it done."""
    argv = [*command(), "cancel", BENIN, "--store", str(store)]
    with paused_after("replace", argv, store.parent) as proc:
        kill(proc)
    assert json.loads(query(store, "show", BENIN, "--json").stdout)["status"] == "cancelled"
    [cancel, _] = history(store)
    assert cancel["change"] == 2 and cancel["edits"][0]["after"]["status"] == "cancelled"
    add(store, "H One")
    assert [c["change"] for c in history(store)] == [3, 2, 1]
    states = [json.loads(x)["state"] for x in journal(store).read_text().splitlines()]
    assert states == ["done", "done", "done"]


def test_a_history_of_lines_without_state_still_reads(store: Path) -> None:
    """A history written before lines had a state: each line is a change that was made."""
    path = journal(store)
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    for data in lines:
        data.pop("state"), data.pop("digest")
    path.write_text("".join(json.dumps(d) + "\n" for d in lines), encoding="utf-8")
    add(store, "H One")
    assert [c["change"] for c in history(store)] == [2, 1]


# --- 3. undo checked against history and store ------------------------------------------------


@pytest.mark.slow
def test_undo_refuses_when_the_newest_history_line_cannot_be_read(store: Path) -> None:
    add(store, "H One")
    add(store, "H Two")
    path = journal(store)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]) + b"{garbage\n")  # the line of "H Two"
    before = store.read_bytes()
    result = run(store, "undo", code=1)
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert errors == [
        f"inventory: error: cannot tell which change is Jane's last: line 3 of {path} is "
        "not a JSON line; nothing was written"
    ]
    assert store.read_bytes() == before
    # A change named by its number is still undone, checked against the store.
    assert "undid change 2" in run(store, "undo", "2").stderr
    assert titles(store) == {"H Two"}


# --- 4. a damaged history: reported by validate, never stopping a query -----------------------


def test_a_damaged_history_is_reported_by_validate_with_its_lines(store: Path) -> None:
    add(store, "H One")
    add(store, "H Two")
    path = journal(store)
    lines = path.read_text(encoding="utf-8").splitlines()
    repeated = json.loads(lines[2])  # change 3 again
    backwards = dict(repeated, change=2)
    phantom = dict(repeated, change=4, edits=[dict(repeated["edits"][0], id="zzzz9999")])
    damaged = [*lines, "{garbage", json.dumps(repeated), json.dumps(backwards), json.dumps(phantom)]
    path.write_text("\n".join(damaged) + "\n", encoding="utf-8")

    result = query(store, "validate", "--json", code=1)
    found = [p for p in json.loads(result.stdout) if p["message"].startswith("history")]
    assert [(p["source"], p["line"], p["severity"], p["message"]) for p in found] == [
        (str(path), 4, "error", "history: is not a JSON line"),
        (str(path), 5, "error", "history: repeats change 3"),
        (str(path), 6, "error", "history: change 2 after change 3"),
        (str(store), None, "warning", "history: change 4 left zzzz9999 in the store, which "
         "does not hold it (changed by hand?)"),
    ]  # fmt: skip

    listed = query(store, "history")
    warnings = [line for line in listed.stderr.splitlines() if "warning" in line]
    assert warnings == [
        f"inventory: warning: {path}: skipped line 4, which cannot be read; "
        "'inventory validate' says why"
    ]
    assert "change 4" in listed.stdout and "H Two" in listed.stdout
    assert query(store, "list").exit_code == 0


def test_an_id_removed_from_the_store_by_hand_is_a_warning_of_validate(store: Path) -> None:
    add(store, "H One")
    [change, _] = history(store)
    ident = change["edits"][0]["id"]
    text = store.read_text(encoding="utf-8")
    if store.suffix == ".csv":
        kept = [line for line in text.splitlines(keepends=True) if not line.startswith(ident)]
        store.write_text("".join(kept), encoding="utf-8")
    else:
        data = json.loads(text)
        records = data["activities"] if isinstance(data, dict) else data
        records[:] = [r for r in records if r["id"] != ident]
        store.write_text(json.dumps(data), encoding="utf-8")
    result = query(store, "validate", "--json")
    found = [p["message"] for p in json.loads(result.stdout) if "history" in p["message"]]
    assert found == [
        f"history: change 2 left {ident} in the store, which does not hold it (changed by hand?)"
    ]
