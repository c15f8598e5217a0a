"""With INVENTORY_NO_SKIPS=1 (CI) a skipped test fails, saying why it skipped, in one process
and under pytest-xdist's workers alike (tests/conftest.py): no test passes CI by not
running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow  # starts pytest itself

SKIPPING = """
import pytest

def test_needs_a_missing_program():
    pytest.skip("frobnicate is not installed (apt-get install frobnicate)")
"""


def inner_pytest(tmp_path: Path, *options: str, no_skips: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_skipping.py").write_text(SKIPPING)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    outer = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    env = {**outer, "INVENTORY_NO_SKIPS": no_skips,
           "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'src'}"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-c", str(tmp_path / "pytest.ini"), *options, str(tmp_path / "test_skipping.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("options", [(), ("-n", "2")], ids=["one process", "xdist"])
def test_a_skip_is_a_failure_naming_its_reason_when_skips_are_forbidden(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    result = inner_pytest(tmp_path, *options, no_skips="1")
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
    assert "skipped, and INVENTORY_NO_SKIPS=1 forbids it" in result.stdout
    assert "frobnicate is not installed" in result.stdout


@pytest.mark.parametrize("options", [(), ("-n", "2")], ids=["one process", "xdist"])
def test_a_skip_is_a_skip_on_a_developers_machine(tmp_path: Path, options: tuple[str, ...]) -> None:
    result = inner_pytest(tmp_path, *options, no_skips="")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
