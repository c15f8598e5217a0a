"""``validate`` changes nothing, so it lives with the checks (``cli/check.py``), apart from
the writes of ``cli/edit.py``: a run of it builds no write command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
