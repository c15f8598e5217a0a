"""bench/rich_alone.py draws the table ``list`` prints, with Rich alone: the floor the
table's cost is compared with is the same table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import BUNDLED_STORE, run

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rich_alone", ROOT / "bench" / "rich_alone.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["rich_alone"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("width", [None, 90, 160])
def test_rich_alone_draws_the_table_list_prints_for_the_same_rows(
    tmp_path: Path, width: int | None
) -> None:
    drawn = tmp_path / "table.txt"
    result = _bench().run(str(BUNDLED_STORE), ["--quarter", "Q4-2019"], width, 1, drawn=drawn)
    env = {"COLUMNS": str(width)} if width else {"COLUMNS": ""}
    listed = run("list", "--quarter", "Q4-2019", env=env)
    assert listed.exit_code == 0, listed.stderr
    assert drawn.read_text(encoding="utf-8") == listed.stdout
    assert result["rows"] == 72
    assert result["seconds"] == pytest.approx(result["import"] + result["draw"], abs=1e-3)
    assert result["seconds"] > 0
