"""What the tests share: the fixtures' places, a loader, and one runner for the commands
(``runner``, and ``run`` for ``inventory ARGS --store STORE`` in this process).

The tests read a frozen copy of the bundled store (tests/fixtures/activities-2019-q4.csv),
so an officer editing data/activities.csv does not break them; test_store.py keeps the two
equal while the shipped store is the newsletter's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

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
README = REPO / "README.md"

runner = CliRunner()
"""The one runner: it keeps no state between invocations, so every test may share it."""


def run(
    *args: str,
    store: Path | str | None = BUNDLED_STORE,
    input: str | bytes | None = None,
    env: dict[str, str] | None = None,
    create: bool = False,
) -> Result:
    """``inventory ARGS --store STORE`` in this process (no ``--store`` when ``store`` is
    None); ``create`` adds ``--create``, for a store started on purpose."""
    from inventory.cli import app

    argv = [*args, *(["--store", str(store)] if store is not None else [])]
    return runner.invoke(app, [*argv, *(["--create"] if create else [])], input=input, env=env)


def data(*args: str, store: Path | str = BUNDLED_STORE) -> Any:
    """The JSON a command prints with ``--json``, once it succeeded."""
    result = run(*args, "--json", store=store)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def one_line_usage_error(result: Result) -> None:
    """Exit 2 and one line (and at most a hint) on stderr: no usage block, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("inventory: error: ")
    assert "Traceback" not in result.stderr and "Usage:" not in result.stderr
    assert len(result.stderr.splitlines()) <= 2


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
        return Loaded(path, list(store.select().activities), store.problems())


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


def python_m(
    *args: str, env: dict[str, str] | None = None, **kw: Any
) -> subprocess.CompletedProcess[bytes]:
    """The program as a real process, ``python -m inventory``, from this checkout."""
    base = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(REPO / "src"))}
    return subprocess.run(
        [sys.executable, "-m", "inventory", *args],
        capture_output=True,
        env={**base, **(env or {})},
        timeout=120,
        **kw,
    )
