"""What the tests share: the fixtures' places, a loader, and a runner for the commands.

The tests read a frozen copy of the bundled store (tests/fixtures/activities-2019-q4.csv),
so an officer editing data/activities.csv does not break them; test_store.py keeps the two
equal while the shipped store is the newsletter's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from inventory.errors import Problem
from inventory.model import Activity
from inventory.months import Period
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


def made(
    ident: str,
    title: str,
    dates: str,
    projects: tuple[str, ...] = ("GLACY+",),
    city: str | None = None,
    country: tuple[str, str] | None = None,
) -> Activity:
    """A made-up activity for the pair rules: dates read as in May 2020's table."""
    from inventory.dates import parse_schedule
    from inventory.model import Country, Place

    countries = (Country(code=country[0], name=country[1]),) if country else ()
    place = Place(city=city, countries=countries, text=city or "") if city or country else None
    return Activity(
        id=ident,
        projects=projects,
        title=title,
        place=place,
        schedule=parse_schedule(dates, context_month="2020-05"),
    )


def light_probe(argv: list[str]) -> str:
    """Python that runs ``inventory *argv`` and prints on stderr which heavy modules it
    imported (pydantic, Rich, the models): a query answered from kept records needs none."""
    return (
        "import sys\n"
        f"sys.argv = ['inventory', *{argv!r}]\n"
        "from inventory.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'pydantic', 'rich', 'inventory.model', 'inventory.records'} & set(sys.modules)\n"
        "print(sorted(heavy), file=sys.stderr)\n"
    )


def in_period(store: Loaded, period: Period) -> list[Activity]:
    """The store's activities that overlap ``period``, as the in-memory query finds them."""
    from inventory.query import Criteria, select_from

    return select_from(store.activities, Criteria(period=period))


def find(store: Loaded, title_start: str, month: str, place: str = "") -> Activity:
    """The one activity of ``month`` whose title starts so (and whose location says ``place``)."""
    found = [
        a
        for a in store.activities
        if a.title.startswith(title_start)
        and a.schedule.month == month
        and place in (a.place.text if a.place else "")
    ]
    assert len(found) == 1, [(a.title, a.place) for a in found]
    return found[0]


def program(name: str, package: str) -> str:
    """The path of a system program a test renders documents with (LibreOffice, pandoc), or
    a skip that says how to install it; CI installs it (``.ci/run``), and there
    ``INVENTORY_NO_SKIPS=1`` turns the skip into a failure."""
    import shutil

    import pytest

    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return found
