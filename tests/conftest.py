from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
NEWSLETTER = FIXTURES / "newsletter-2019-q4.txt"
REPO = Path(__file__).parent.parent
BUNDLED_STORE = REPO / "data" / "activities.csv"


@pytest.fixture
def newsletter_text() -> str:
    return NEWSLETTER.read_text(encoding="utf-8")


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled store."""
    target = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, target)
    return target


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own settings must not change what the tests see.
    for name in ("INVENTORY_STORE", "INVENTORY_TODAY", "INVENTORY_DEBUG", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
