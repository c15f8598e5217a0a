"""What the tests share: the fixtures' places, a loader, and a runner for the commands.

The tests read a frozen copy of the bundled store (tests/fixtures/activities-2019-q4.csv),
so an officer editing data/activities.csv does not break them; test_store.py keeps the two
equal while the shipped store is the newsletter's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from inventory.errors import Problem
from inventory.model import Activity
from inventory.store import open_store

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
NEWSLETTER = FIXTURES / "newsletter-2019-q4.txt"
REPO = TESTS.parent
BUNDLED_STORE = FIXTURES / "activities-2019-q4.csv"
SHIPPED_STORE = REPO / "data" / "activities.csv"
SHARED_NEWSLETTER = FIXTURES / "cybercrime-coe-update-2019-q4.txt"
"""The whole newsletter as published (a copy of ../shared/newsletters/), prose and all."""


@dataclass
class Loaded:
    """A store's readable activities, in order, and the rows it could not read."""

    path: Path
    activities: list[Activity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        return {a.id for a in self.activities}


def load(path: Path) -> Loaded:
    with open_store(str(path)) as store:
        return Loaded(path, store.select(), store.problems())
