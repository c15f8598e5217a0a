"""``validate`` changes nothing, so it lives with the checks (``cli/check.py``), apart from
the writes of ``cli/edit.py``: a run of it builds no write command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inventory.store import open_store
from inventory.store.base import Administered, HandEdited
from inventory.validation import written_by_hand
from tests.helpers import BUNDLED_STORE


def test_validate_builds_no_write_command_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    store.write_bytes(BUNDLED_STORE.read_bytes())
    probe = (
        "import sys\n"
        f"sys.argv = ['inventory', 'validate', '--store', {str(store)!r}]\n"
        "from inventory.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('inventory.cli.')), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    lines = run.stderr.strip().splitlines()
    built = set(eval(lines[-1]))
    assert "inventory.cli.check" in built
    assert "inventory.cli.edit" not in built
    # The fixture's 132 rows, every one readable (its warnings: tests/test_validation.py).
    assert any(": 132 activities, 0 errors, " in line for line in lines), lines
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()


@pytest.mark.parametrize(
    ("name", "by_hand"),
    [("activities.csv", True), ("activities.json", False), ("activities.db", False)],
)
def test_only_the_csv_store_is_edited_by_hand_and_gives_its_lines(
    tmp_path: Path, name: str, by_hand: bool
) -> None:
    with open_store(str(tmp_path / name), create=True) as store:
        assert isinstance(store, Administered)  # every backend, asked only by `db`
        store.initialise()
        assert isinstance(store, HandEdited) is by_hand
        lookup = written_by_hand(store)
        assert (lookup is not None) is by_hand
    with open_store(str(BUNDLED_STORE)) as bundled:
        lookup = written_by_hand(bundled)
        assert lookup is not None
        # Line 2, under the header: the Ghana launch, "1-2 October" (its first day as kept).
        line, cells = lookup(["s0x6ftjt"])["s0x6ftjt"]
        assert (line, cells["start"]) == (2, "2019-10-01")
