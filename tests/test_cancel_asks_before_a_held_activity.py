"""E4 of the CLI review: `cancel` on an activity reported held (it took place) is almost
always a mistake, such as the README's own `list -p T-CY -f ids | xargs inventory cancel`,
whose filter caught the 9th Protocol Drafting Group of 15-18 October 2019 (jm6yfv42, held
in the bundled store). It asks on a terminal and needs --force in a script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from inventory.cli import app
from tests.helpers import BUNDLED_STORE, load, runner


def copy(tmp_path: Path) -> Path:
    store = tmp_path / "t.csv"
    shutil.copy(BUNDLED_STORE, store)
    return store


def test_cancelling_a_held_activity_in_a_script_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    store = copy(tmp_path)
    before = store.read_bytes()
    # One planned (the T-CY Bureau Meeting of 16 March 2020) and one held: neither changes.
    result = runner.invoke(app, ["cancel", "3whmnvfs", "jm6y", "--store", str(store)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "inventory: error: jm6yfv42 9th meeting of the T-CY Protocol Drafting Group "
        "(15-18 October 2019) was reported held; nothing changed",
        "inventory: hint: pass --force to cancel activities that were held",
    ]
    assert store.read_bytes() == before


def test_force_cancels_a_held_activity(tmp_path: Path) -> None:
    store = copy(tmp_path)
    result = runner.invoke(app, ["cancel", "jm6y", "--force", "--store", str(store)])
    assert result.exit_code == 0, result.stderr
    assert "jm6yfv42: status: held -> cancelled" in result.stderr
    [drafting] = [a for a in load(store).activities if a.id == "jm6yfv42"]
    assert drafting.status.value == "cancelled"


def test_the_readme_recipe_cancels_the_planned_t_cy_activities_only(tmp_path: Path) -> None:
    store = copy(tmp_path)
    recipe = (
        f"inventory list -p T-CY --status planned -f ids --store {store} "
        f"| xargs -r inventory cancel --store {store}"
    )
    # As an officer runs it: in the environment `inventory` is installed in.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", recipe], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    statuses = {a.id: a.status.value for a in load(store).activities if "T-CY" in a.projects}
    # The Q1 2020 drafting group, bureau and drafting meeting; the October one stays held.
    assert statuses == {
        "jm6yfv42": "held",
        "gjhys1b7": "cancelled",
        "3whmnvfs": "cancelled",
        "maz8a8ma": "cancelled",
    }
    # Run again, the filter finds nothing and xargs -r runs nothing: exit 0.
    again = subprocess.run(
        ["bash", "-c", recipe], capture_output=True, text=True, timeout=60, env=env
    )
    assert again.returncode == 0, again.stderr
