"""One command reads one version of a CSV store (layout review step 3): the cache is
brought up to date once when the store is first asked, and the rest of the command's
questions are answered from that version; a write still reads the file again under the
lock, so a spreadsheet's save in between is written around, never over."""

from __future__ import annotations

import shutil
from pathlib import Path

from inventory.query import Criteria
from inventory.store import open_store
from tests.helpers import BUNDLED_STORE, load

LYON = "xa9w55j8"  # INTERPOL Malware Analysis Training, Lyon, 4-8 November 2019
BENIN = "4nc4qthh"  # Initial assessment mission, Benin, 17-20 February 2020 (dates TBC)


def copy(tmp_path: Path) -> Path:
    store = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, store)
    return store


def hand_edit(store: Path, old: str, new: str) -> None:
    text = store.read_text(encoding="utf-8")
    assert old in text
    store.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_command_answers_every_question_from_the_version_it_first_read(
    tmp_path: Path,
) -> None:
    store = copy(tmp_path)
    with open_store(str(store)) as opened:
        [first] = opened.select(Criteria(search="Malware Analysis"))
        hand_edit(store, "INTERPOL Malware Analysis Training", "INTERPOL Malware Course")
        # The same command asks again: the same version.
        [again] = opened.select(Criteria(search="Malware Analysis"))
        assert (first.id, again.title) == (LYON, "INTERPOL Malware Analysis Training")
    # The next command reads the saved file.
    with open_store(str(store)) as opened:
        [after] = opened.select(Criteria(search="Malware Course"))
        assert after.id == LYON


def test_a_write_after_a_save_in_between_keeps_the_save(tmp_path: Path) -> None:
    store = copy(tmp_path)
    with open_store(str(store)) as opened:
        opened.select(Criteria(search="Initial assessment mission"))
        # Saved from a spreadsheet after the command's first read, before its write.
        hand_edit(store, "Initial assessment mission", "Initial assessment visit")
        with opened.transaction() as batch:
            benin = batch.get(BENIN)  # read again under the lock: the saved version
            batch.update(benin.model_copy(update={"modality": "Hybrid"}))
    [after] = [a for a in load(store).activities if a.id == BENIN]
    assert (after.title, after.modality) == ("Initial assessment visit", "Hybrid")
