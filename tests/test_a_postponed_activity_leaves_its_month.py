"""E2 of the CLI review: an activity postponed with no new date ("dates TBD") stayed in the
month it was postponed out of and still counted there. Now it counts in no report,
calendar or timeline until it gets new days; one postponed to new days counts in their
month. Counts checked by hand against the bundled store: November 2019 has 27 activities,
Judicial material mainstreaming in Rabat (38z0m643, 13-14 November, held) among them; the
Benin mission (4nc4qthh) is planned for 17-20 February 2020 (dates TBC)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from inventory.cli import app
from tests.helpers import BUNDLED_STORE

runner = CliRunner()


def copy(tmp_path: Path) -> Path:
    store = tmp_path / "t.csv"
    shutil.copy(BUNDLED_STORE, store)
    return store


def report(store: Path, *period: str) -> dict[str, object]:
    result = runner.invoke(app, ["report", *period, "--json", "--store", str(store)])
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_an_activity_postponed_with_no_new_date_counts_in_no_month(tmp_path: Path) -> None:
    store = copy(tmp_path)
    assert report(store, "--month", "2019-11")["total"] == 27
    # The review's own command: a held activity, so --force.
    moved = runner.invoke(
        app,
        ["postpone", "38z0", "--dates", "dates TBD", "--force", "--store", str(store)],
    )
    assert moved.exit_code == 0, moved.stderr
    november = report(store, "--month", "2019-11")
    assert (november["total"], november["postponed"]) == (26, ["38z0m643"])
    table = runner.invoke(app, ["report", "--month", "2019-11", "--store", str(store)])
    assert "1 postponed with no new date, not counted" in table.stdout.splitlines()[1]
    calendar = runner.invoke(
        app, ["calendar", "--month", "2019-11", "--json", "--store", str(store)]
    )
    # 13 November: the Dominican Republic meeting and the Strasbourg conference; not Rabat.
    day = json.loads(calendar.stdout)["days"]["2019-11-13"]
    assert (day["count"], day["ids"]) == (2, ["4g8abbps", "5dgpv12t"])


def test_postpone_without_dates_means_the_new_date_is_not_known(tmp_path: Path) -> None:
    store = copy(tmp_path)
    before = report(store, "--quarter", "Q1-2020")["total"]
    result = runner.invoke(app, ["postpone", "4nc4", "--json", "--store", str(store)])
    assert result.exit_code == 0, result.stderr
    [benin] = json.loads(result.stdout)
    assert (benin["schedule"]["text"], benin["schedule"]["month"], benin["status"]) == (
        "dates TBD",
        "2020-02",
        "postponed",
    )
    assert "4nc4qthh: dates: 17-20 February (dates TBC) -> dates TBD" in result.stderr
    assert report(store, "--quarter", "Q1-2020")["total"] == before - 1


def test_postponed_to_new_days_counts_in_their_month(tmp_path: Path) -> None:
    store = copy(tmp_path)
    april = report(store, "--month", "2020-04")["total"]
    result = runner.invoke(
        app, ["postpone", "4nc4", "--dates", "20-23 April 2020", "--store", str(store)]
    )
    assert result.exit_code == 0, result.stderr
    assert report(store, "--month", "2020-04")["total"] == april + 1


def test_postponing_a_held_activity_asks_first(tmp_path: Path) -> None:
    store = copy(tmp_path)
    before = store.read_bytes()
    result = runner.invoke(app, ["postpone", "38z0", "--store", str(store)])
    assert result.exit_code == 2
    assert "was reported held; nothing changed" in result.stderr
    assert store.read_bytes() == before
