"""The index beside a CSV store (inventory.fastpath) answers exactly as the plain path
(every row loaded and validated, then query.select / query.upcoming) does: same activities,
same bytes out, same warnings. And it is never trusted when it could be stale: after the
tool writes the store, after a hand edit (even one within a clock tick), when it is damaged,
or when it belongs to another store or another version of the code."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bench.generate import write as generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from inventory import fastpath, query
from inventory import store as store_module
from inventory.cli import app
from inventory.errors import StoreError
from inventory.fastpath import (
    Criteria,
    IndexedView,
    PlainView,
    View,
    index_path,
    open_view,
    previous_path,
)
from inventory.model import Certainty, Status
from inventory.projects import _key, load_registry
from inventory.report import build_report
from inventory.store import COLUMNS, load, save
from inventory.vocab import Format

from .conftest import BUNDLED_STORE

# --- stores ----------------------------------------------------------------------------------

ROWS = 2000
MONTH = (date(2019, 11, 1), date(2019, 11, 30))


def make_generated(folder: Path) -> Path:
    """A few thousand activities over 2018-2021, so that every month has many."""
    path = folder / "activities.csv"
    generate(path, ROWS, seed=11, first_year=2018, last_year=2021)
    return path


def make_messy(folder: Path) -> Path:
    """Generated rows plus an extra column and every kind of row the loader skips or
    reads in an unusual way; the comments say what each line is."""
    source = folder / "source.csv"
    generate(source, 300, seed=5, first_year=2019, last_year=2020)
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = [*rows[0], "notes"]
    body = [[*row, "  kept as is " if i % 7 == 0 else ""] for i, row in enumerate(rows[1:])]
    first = dict(zip(header, body[0], strict=True))

    def row(**cells: str) -> list[str]:
        return [cells.get(c, first[c] if c not in ("id", "notes") else "") for c in header]

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body[:100])
    writer.writerow(row(id="bad00001", dates="31 February", month="2020-02"))  # no such day
    writer.writerow(row(id="bad00002", countries="ZZ"))  # unknown country code
    writer.writerow(row(id=first["id"], title="Same id as the first row"))  # duplicate
    writer.writerow([*row(id="bad00003"), "one", "too", "many"])  # more cells than columns
    writer.writerow(row(id="bad00004", status="maybe"))  # unknown status
    writer.writerow(row(id="bad00005", dates="dates TBD", month=""))  # no month for TBD
    out.write("\n")  # a blank line
    writer.writerow(row(id="odd00001", title="Two lines\nin one  title\u00a0here"))
    writer.writerow(row(id="odd00002", countries="fra;NLD", city="", location="France"))
    writer.writerow(row(id="odd00003", projects="Octopus; GLACY+", city="Asunción"))
    writer.writerow(row(id="odd00004", title="  Spaces   around  ", modality=" Online "))
    writer.writerow(row(id="odd00005", city="", countries="", location=""))  # no place
    writer.writerow(row(id="odd00006", city="", countries="", location="Somewhere"))
    writer.writerow(row(id="odd00007", dates="21-22 and 28-29 October", month="2019-10"))
    writer.writerow(row(id="odd00008", dates="30 December - 2 January", month="2019-12"))
    writer.writerow(row(id="odd00009", dates="16 (PM) – 20 (AM) March", month="2020-03"))
    writer.writerow(
        ["odd00010", "GLACY+", "Short row", "", "", "MA", "", "by 30 November", "2019-11"]
    )
    writer.writerows(body[100:])
    out.write('bad00006,GLACY+,"Unterminated title,,,,,,1-2 October,2019-10\n')  # broken quote
    path = folder / "activities.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_generated(tmp_path_factory.mktemp("generated"))


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_messy(tmp_path_factory.mktemp("messy"))


@pytest.fixture
def writable(tmp_path: Path, generated: Path) -> Path:
    path = tmp_path / "activities.csv"
    shutil.copy(generated, path)
    return path


# --- comparing the two paths -------------------------------------------------------------------


def rendered(selection: fastpath.Selection, fmt: Format) -> str:
    out = io.StringIO()
    selection.write(fmt, out)
    return out.getvalue()


def assert_same_selection(fast: fastpath.Selection, plain: fastpath.Selection) -> None:
    assert rendered(fast, Format.JSON) == rendered(plain, Format.JSON)
    assert rendered(fast, Format.NDJSON) == rendered(plain, Format.NDJSON)
    assert fast.activities() == plain.activities()


_plain: dict[tuple[Path, int, int, int], PlainView] = {}


def plain_view(path: Path) -> PlainView:
    """The plain path's view, loaded once per version of the file (loading is slow)."""
    st = path.stat()
    key = (path, st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _plain:
        _plain[key] = PlainView(path)
    return _plain[key]


def indexed(path: Path) -> IndexedView:
    view = open_view(path)
    assert isinstance(view, IndexedView)
    return view


CASES = [
    pytest.param(Criteria(), None, id="everything"),
    pytest.param(Criteria(), 25, id="first-25"),
    pytest.param(Criteria(projects=("GLACY+",), period=MONTH), None, id="glacy-november"),
    pytest.param(Criteria(projects=("GLACY+",), period=MONTH), 3, id="glacy-november-limit"),
    pytest.param(Criteria(projects=("T-CY", "CyberEast")), None, id="two-projects"),
    pytest.param(Criteria(period=(date(2019, 10, 23), date(2019, 10, 27))), None, id="a-gap"),
    pytest.param(Criteria(period=(date(2020, 1, 1), date(2020, 3, 31))), None, id="quarter"),
    pytest.param(Criteria(period=(date(2020, 2, 29), date(2020, 2, 29))), None, id="one-day"),
    pytest.param(Criteria(period=(date.min, date(2018, 3, 31))), None, id="open-start"),
    pytest.param(Criteria(period=(date(2021, 10, 1), date.max)), None, id="open-end"),
    pytest.param(Criteria(period=(date(1990, 1, 1), date(1990, 12, 31))), None, id="none-then"),
    pytest.param(Criteria(certainty=(Certainty.TENTATIVE,)), None, id="tentative"),
    pytest.param(
        Criteria(certainty=(Certainty.UNSCHEDULED, Certainty.CONFIRMED), period=MONTH),
        None,
        id="unscheduled-or-confirmed",
    ),
    pytest.param(Criteria(deadlines=True), None, id="deadlines"),
    pytest.param(Criteria(deadlines=False, period=MONTH), None, id="no-deadlines"),
    pytest.param(Criteria(countries=("UA", "MD")), None, id="countries"),
    pytest.param(
        Criteria(countries=("NL",), period=(date(2019, 1, 1), date(2019, 12, 31))),
        None,
        id="netherlands-2019",
    ),
    pytest.param(Criteria(city="STRASBOURG"), None, id="city-case"),
    pytest.param(Criteria(city="asuncion"), None, id="city-accent"),
    pytest.param(Criteria(city=" "), None, id="city-blank"),
    pytest.param(Criteria(search="malware"), None, id="search-title"),
    pytest.param(Criteria(search="GHANA", projects=("GLACY+",)), None, id="search-country"),
    pytest.param(Criteria(search="sao tome"), None, id="search-nothing"),
    pytest.param(Criteria(status=(Status.CANCELLED, Status.POSTPONED)), None, id="status"),
    pytest.param(Criteria(), 0, id="limit-0"),
]


@pytest.mark.parametrize(("where", "limit"), CASES)
def test_select_as_the_plain_path(generated: Path, where: Criteria, limit: int | None) -> None:
    assert_same_selection(
        indexed(generated).select(where, limit), plain_view(generated).select(where, limit)
    )


@pytest.mark.parametrize(("where", "limit"), CASES)
def test_select_as_the_plain_path_on_odd_rows(
    messy: Path, where: Criteria, limit: int | None
) -> None:
    assert_same_selection(
        indexed(messy).select(where, limit), plain_view(messy).select(where, limit)
    )


def test_the_cases_are_not_empty(generated: Path) -> None:
    # A comparison of two empty answers would prove little.
    view = indexed(generated)
    # (" " folds to "", the city of a place that names only a country: both paths agree.)
    empty = {"none-then", "search-nothing", "limit-0"}
    for case in CASES:
        where, limit = case.values
        assert (len(view.select(where, limit)) == 0) == (case.id in empty), case.id


UPCOMING = [
    (date(2019, 11, 15), None, False, None),
    (date(2019, 11, 15), date(2019, 12, 15), False, None),
    (date(2019, 11, 15), date(2019, 11, 15), True, None),
    (date(2020, 2, 29), date(2020, 4, 1), True, 10),
    (date(2017, 1, 1), date(2018, 1, 31), False, None),
    (date(2025, 1, 1), None, False, None),
]


@pytest.mark.parametrize(("as_of", "until", "cancelled", "limit"), UPCOMING)
@pytest.mark.parametrize("projects", [(), ("GLACY+",), ("CyberSouth", "T-CY")])
def test_upcoming_as_the_plain_path(
    generated: Path,
    messy: Path,
    as_of: date,
    until: date | None,
    cancelled: bool,
    limit: int | None,
    projects: tuple[str, ...],
) -> None:
    for path in (generated, messy):
        where = Criteria(projects=projects)
        fast = indexed(path).upcoming(
            where, as_of, until=until, include_cancelled=cancelled, limit=limit
        )
        plain = plain_view(path).upcoming(
            where, as_of, until=until, include_cancelled=cancelled, limit=limit
        )
        assert_same_selection(fast, plain)


def test_store_facts_as_the_plain_path(generated: Path, messy: Path) -> None:
    for path in (generated, messy, BUNDLED_STORE):
        fast, plain = indexed(path), plain_view(path)
        assert (fast.count, fast.first_day, fast.last_day) == (
            plain.count,
            plain.first_day,
            plain.last_day,
        )
        assert fast.problems == plain.problems


def test_skipped_rows_are_reported_as_by_the_loader(messy: Path) -> None:
    problems = indexed(messy).problems
    assert problems == [str(p) for p in load(messy).problems]
    # Counted from make_messy: bad day, country, duplicate, too many cells, status,
    # no month, and the unterminated quote at the end.
    assert len(problems) == 7
    assert "February" in problems[0] and "duplicate id" in problems[2]


# Hypothesis draws query.Filter values, as the CLI builds them, over the generated store.

_PROJECTS = ["GLACY+", "CyberEast", "CyberSouth", "iPROCEEDS", "T-CY", "Cybercrime@Octopus"]
_days = st.dates(date(2017, 6, 1), date(2022, 6, 30))
_periods = st.tuples(_days, _days).map(lambda p: (min(p), max(p)))
filters = st.builds(
    query.Filter,
    projects=st.lists(st.sampled_from(_PROJECTS), max_size=2).map(tuple),
    period=st.one_of(st.none(), _periods),
    countries=st.lists(st.sampled_from(["FR", "UA", "MA", "GH", "NL", "PT"]), max_size=2).map(
        tuple
    ),
    city=st.one_of(st.none(), st.sampled_from(["Strasbourg", "kyiv", "Nowhere"])),
    search=st.one_of(st.none(), st.sampled_from(["training", "Morocco", "evidence for"])),
    certainty=st.lists(st.sampled_from(list(Certainty)), max_size=2).map(tuple),
    deadlines=st.one_of(st.none(), st.booleans()),
    status=st.lists(st.sampled_from(list(Status)), max_size=2).map(tuple),
)


@pytest.fixture(scope="module")
def both(generated: Path) -> tuple[IndexedView, list[Any]]:
    return indexed(generated), load(generated).activities


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=filters, limit=st.one_of(st.none(), st.integers(0, 30)))
def test_any_filter_as_the_plain_path(
    both: tuple[IndexedView, list[Any]], where: query.Filter, limit: int | None
) -> None:
    view, activities = both
    fast = view.select(Criteria.from_filter(where), limit)
    expected = query.select(activities, where, limit)
    assert fast.activities() == expected
    out = io.StringIO()
    from inventory.output import render

    render(expected, Format.JSON, out)
    assert rendered(fast, Format.JSON) == out.getvalue()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=filters, period=_periods)
def test_any_report_as_the_plain_path(
    both: tuple[IndexedView, list[Any]], where: query.Filter, period: tuple[date, date]
) -> None:
    """The report counted from the index's columns is the report of the models."""
    view, activities = both
    where = replace(where, period=period)
    fast = view.select(Criteria.from_filter(where)).report(period, "label")
    expected = build_report(query.select(activities, where), period, "label")
    assert fast == expected
    assert json.dumps(fast.to_json()) == json.dumps(expected.to_json())


def test_a_report_counts_what_it_lists(both: tuple[IndexedView, list[Any]]) -> None:
    # The generated store has every kind a report counts in Q4 2019 (not a vacuous check).
    view, _ = both
    quarter = (date(2019, 10, 1), date(2019, 12, 31))
    report = view.select(Criteria(period=quarter)).report(quarter, "Q4 2019")
    assert report.total > 50 and report.deadlines and report.cancelled
    assert report.multi_project and report.certainty["tentative"]
    assert report.certainty["unscheduled"]
    assert sum(report.month_totals.values()) == report.total


# --- the commands, end to end ----------------------------------------------------------------

COMMANDS = [
    ["list", "--project", "GLACY+", "--month", "2019-11", "--json"],
    ["list", "--project", "glacy", "--quarter", "Q4-2019", "--format", "ndjson"],
    ["list", "--country", "Ukraine", "--year", "2020", "--format", "csv"],
    ["list", "--search", "electronic", "--from", "2019-06-01", "--to", "2019-07-31"],
    ["list", "--certainty", "tentative", "--month", "2020-02", "--format", "markdown"],
    ["list", "--deadlines", "--format", "text"],
    ["list", "--project", "Octopus", "--limit", "5", "--json"],
    ["list", "--project", "Nonesuch"],
    ["list", "--month", "2019-13"],
    ["list", "--month", "1990-01"],
    ["upcoming", "--as-of", "2019-11-20", "--days", "14", "--json"],
    ["upcoming", "--as-of", "2020-01-10", "--project", "CyberEast", "--format", "csv"],
    ["upcoming", "--as-of", "2031-01-01"],
    ["report", "--quarter", "Q4-2019"],
    ["report", "--quarter", "Q4-2019", "--json"],
    ["report", "--month", "2020-02", "--project", "GLACY+", "--format", "text"],
    ["report", "--json"],
]


def run(args: list[str], store: Path, *, plain: bool) -> tuple[int, str, str]:
    env = {"INVENTORY_NO_INDEX": "1" if plain else "", "COLUMNS": "120"}
    result = CliRunner().invoke(app, [*args, "--store", str(store)], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_commands_as_the_plain_path(args: list[str], generated: Path, messy: Path) -> None:
    for path in (generated, messy):
        assert run(args, path, plain=False) == run(args, path, plain=True)


def test_commands_answer_something(generated: Path) -> None:
    code, out, err = run(COMMANDS[0], generated, plain=False)
    assert code == 0 and out.startswith("[\n{") and err == ""
    code, out, err = run(["list", "--month", "1990-01"], generated, plain=False)
    assert (code, out) == (0, "") and f"the store has {ROWS}" in err


def test_bundled_store_as_the_plain_path(store_copy: Path) -> None:
    for args in COMMANDS[:7] + COMMANDS[10:]:
        assert run(args, store_copy, plain=False) == run(args, store_copy, plain=True)
    # The README's example: every GLACY+ line of the November 2019 table, counted by hand
    # in tests/fixtures/newsletter-2019-q4.txt (shared ones included).
    code, out, _ = run(["list", "--project", "GLACY+", "--month", "2019-11", "--json"],
                       store_copy, plain=False)  # fmt: skip
    assert code == 0 and out.count('"id"') == 11


# --- when the index may not be trusted ---------------------------------------------------------


def test_index_is_built_once_and_reused(writable: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    indexed(writable)
    assert index_path(writable).is_file()

    def no_build(*args: Any) -> Any:
        raise AssertionError("rebuilt a current index")

    monkeypatch.setattr(fastpath._Builder, "build", no_build)
    assert indexed(writable).count == ROWS


def test_a_tool_write_drops_the_index(writable: Path) -> None:
    indexed(writable)
    store = load(writable)
    gone = store.activities[0]
    save(store, store.activities[1:])
    assert not index_path(writable).exists()
    view = indexed(writable)
    assert view.count == ROWS - 1
    assert gone.id not in {a.id for a in view.select(Criteria()).activities()}


# --- a rebuild takes over the rows whose bytes it knows -----------------------------------------


def test_a_rebuild_after_a_tool_write_reuses_the_other_rows(writable: Path) -> None:
    indexed(writable)
    store = load(writable)
    first, second = store.activities[0], store.activities[1]
    edited = second.model_copy(update={"title": "A title nobody had before"})
    save(store, [edited, *store.activities[2:]])  # one removed, one changed
    assert previous_path(writable).is_file()  # put aside, not read by queries
    view = indexed(writable)
    assert view.index.meta["reused"] == ROWS - 2
    assert not previous_path(writable).exists()
    everything = view.select(Criteria()).activities()
    assert first.id not in {a.id for a in everything}
    assert [a.title for a in everything if a.id == second.id] == ["A title nobody had before"]
    for where in (Criteria(), Criteria(projects=("GLACY+",), period=MONTH)):
        assert_same_selection(view.select(where), plain_view(writable).select(where))


def test_a_rebuild_after_a_hand_edit_reads_the_edited_row_again(writable: Path) -> None:
    indexed(writable)
    ident, _, new = edit_dates(writable)
    view = indexed(writable)
    assert view.index.meta["reused"] == ROWS - 1
    assert {a.id: a for a in view.select(Criteria()).activities()}[ident].schedule.text == new
    period = (date(2017, 1, 1), date(2023, 12, 31))
    fast = view.select(Criteria(period=period)).report(period, "all")
    assert fast == plain_view(writable).select(Criteria(period=period)).report(period, "all")


def test_a_rebuild_finds_a_duplicate_id_among_reused_rows(writable: Path) -> None:
    indexed(writable)
    row = first_row(writable)
    copy = [row[c] for c in COLUMNS]
    copy[COLUMNS.index("title")] = "Same id, another title"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(copy)
    with writable.open("a", encoding="utf-8", newline="") as handle:
        handle.write(out.getvalue())
    view, plain = indexed(writable), plain_view(writable)
    assert view.index.meta["reused"] == ROWS
    assert view.problems == plain.problems and len(view.problems) == 1
    assert f"duplicate id {row['id']!r}" in view.problems[0]
    assert_same_selection(view.select(Criteria()), plain.select(Criteria()))


def test_commands_after_edits_through_the_cli(writable: Path) -> None:
    indexed(writable)
    some = [a.id for a in load(writable).activities[:: ROWS // 4]]
    edits = [
        ["edit", some[0], "--title", "Workshop on electronic evidence, again"],
        ["edit", some[1], "--dates", "2-4 December 2019", "--location", "Rabat, Morocco"],
        ["cancel", some[2]],
        ["postpone", some[3], "--dates", "by 30 November 2019"],
        ["add", "-p", "GLACY+", "-t", "Added", "-d", "18-19 November 2019", "-l", "Kyiv, Ukraine"],
    ]
    for edit, args in zip(edits, [COMMANDS[i] for i in (0, 5, 10, 13, 14)], strict=True):
        result = CliRunner().invoke(app, [*edit, "--store", str(writable)])
        assert result.exit_code == 0, result.output
        for command in (args, COMMANDS[1], COMMANDS[14]):
            assert run(command, writable, plain=False) == run(command, writable, plain=True)
        assert indexed(writable).index.meta["reused"] >= ROWS - 1


def test_a_damaged_index_put_aside_is_not_reused(writable: Path, tmp_path: Path) -> None:
    indexed(writable)
    damage(writable, "flip-schedule-text-bytes", tmp_path)
    os.replace(index_path(writable), previous_path(writable))
    view = indexed(writable)
    assert view.index.meta["reused"] == 0
    period = (date(2019, 10, 1), date(2019, 12, 31))
    fast = view.select(Criteria(period=period)).report(period, "Q4")
    assert fast == plain_view(writable).select(Criteria(period=period)).report(period, "Q4")


def hand_edit(path: Path, old: str, new: str) -> None:
    """Change one cell in place, leaving the derived columns as they were (stale)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")


def first_row(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))


def edit_dates(path: Path) -> tuple[str, str, str]:
    """Move a row starting on a day 1-8 one day later, in the text only: 'dates' changes,
    its length, 'start' and 'end' do not. Returns the id and the old and new texts."""
    column = COLUMNS.index("dates")
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        cells = next(csv.reader([line]))
        old = cells[column]
        if old[0] in "12345678" and old[1] in " -" and "and" not in old:
            break
    new = str(int(old[0]) + 1) + old[1:]
    cells[column] = new
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    hand_edit(path, line, out.getvalue())
    return cells[0], old, new


def test_a_hand_edit_of_the_dates_is_seen(writable: Path) -> None:
    before = indexed(writable)
    ident, old, new = edit_dates(writable)
    assert os.path.getsize(writable) == before.index.identity[2]  # same size
    view = open_view(writable)
    assert isinstance(view, IndexedView) and view.index is not before.index
    found = {a.id: a for a in view.select(Criteria()).activities()}
    assert found[ident].schedule.text == new != old
    assert_same_selection(view.select(Criteria()), plain_view(writable).select(Criteria()))


def test_an_edit_within_one_clock_tick_is_caught_by_the_digest(
    writable: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file system whose timestamps did not move: the index is "racy" (built right after
    # the store was written) and only its digest can tell.
    frozen: dict[tuple[int, int], fastpath.Identity] = {}
    real = fastpath._identity

    def same_stat(st: os.stat_result) -> fastpath.Identity:
        return frozen.setdefault((st.st_dev, st.st_ino), real(st))

    monkeypatch.setattr(fastpath, "_identity", same_stat)
    indexed(writable)
    ident, _, new = edit_dates(writable)
    view = indexed(writable)
    assert {a.id: a for a in view.select(Criteria()).activities()}[ident].schedule.text == new


def test_an_old_enough_index_skips_the_digest(
    writable: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = indexed(writable).index
    changed = max(index.identity[3], index.identity[4])
    # Built within RACY_NS of the store's last change, and now older than that.
    monkeypatch.setattr(fastpath, "RACY_NS", index.stamp - changed + 1)
    indexed(writable)  # checks the digest once more, then records it
    assert indexed(writable).index.stamp > index.stamp

    def no_digest(fd: int) -> str:
        raise AssertionError("digest checked again")

    monkeypatch.setattr(fastpath, "_digest", no_digest)
    assert indexed(writable).count == ROWS


def damage(path: Path, how: str, other: Path) -> None:
    where = index_path(path)
    data = bytearray(where.read_bytes())
    if how == "flip-a-column-byte":
        data[len(data) // 3] ^= 0x55
    elif how in ("flip-a-schedule-json-byte", "flip-schedule-text-bytes"):
        index = indexed(path).index
        blob_start = len(data) - index.meta["blob"][1]
        if how == "flip-a-schedule-json-byte":
            # The schedule of the first row, which every query reads.
            data[blob_start + index.columns["s_json"][index.columns["sched"][0]] + 1] ^= 0x55
        else:  # every schedule's text, so that the report's deadlines read one
            for at in index.columns["s_text"]:
                data[blob_start + at] ^= 0x01
    elif how == "flip-the-stamp":
        data[12] ^= 0x01
    elif how == "truncate":
        data = data[: len(data) // 2]
    elif how == "garbage":
        data = bytearray(b"not an index at all\n" * 100)
    elif how == "empty":
        data = bytearray()
    elif how == "another-store":
        indexed(other)
        data = bytearray(index_path(other).read_bytes())
    where.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how",
    ["flip-a-column-byte", "flip-a-schedule-json-byte", "flip-schedule-text-bytes",
     "flip-the-stamp", "truncate", "garbage", "empty", "another-store"],
)  # fmt: skip
def test_a_damaged_or_foreign_index_is_rebuilt(writable: Path, tmp_path: Path, how: str) -> None:
    indexed(writable)
    other = tmp_path / "other" / "activities.csv"
    other.parent.mkdir()
    make_messy(other.parent)
    damage(writable, how, other)
    view = indexed(writable)
    plain = plain_view(writable)
    for where in (Criteria(), Criteria(projects=("GLACY+",), period=MONTH)):
        assert_same_selection(view.select(where), plain.select(where))
    period = (date(2019, 10, 1), date(2019, 12, 31))
    report = view.select(Criteria(period=period)).report(period, "Q4")
    assert report == plain.select(Criteria(period=period)).report(period, "Q4")
    assert indexed(writable).count == ROWS  # and the rebuilt index was saved
    fastpath._Index(writable, index_path(writable).read_bytes(), os.open(writable, os.O_RDONLY))


def test_new_code_rebuilds(writable: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = indexed(writable).index.meta["code"]
    monkeypatch.setattr(fastpath, "_code_fingerprint", lambda: "another version")
    assert indexed(writable).index.meta["code"] == "another version" != first


def test_rows_whose_record_differs_go_through_the_model(
    writable: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = first_row(writable)["id"]
    real = fastpath._record

    def wrong(row: dict[str, str], *args: Any) -> dict[str, Any]:
        record = real(row, *args)
        if record["id"] == victim:
            record["title"] = "not what the model says"
        return record

    monkeypatch.setattr(fastpath, "_record", wrong)
    view = indexed(writable)
    assert sum(view.index.columns["slow"]) == 1 and view.index.meta["json_ok"]
    assert_same_selection(view.select(Criteria()), plain_view(writable).select(Criteria()))


def test_a_changed_record_layout_turns_the_shortcut_off(
    writable: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fastpath._record

    def reordered(*args: Any) -> dict[str, Any]:
        record = real(*args)
        return {"status": record.pop("status"), **record}

    monkeypatch.setattr(fastpath, "_record", reordered)
    view = indexed(writable)
    assert not view.index.meta["json_ok"]
    assert_same_selection(view.select(Criteria()), plain_view(writable).select(Criteria()))


def test_an_index_that_cannot_be_saved_still_answers(
    writable: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*args: Any) -> Any:
        raise PermissionError("read-only folder")

    monkeypatch.setattr(fastpath, "_save", read_only)
    view = indexed(writable)
    assert not index_path(writable).exists()
    assert_same_selection(view.select(Criteria()), plain_view(writable).select(Criteria()))


@pytest.mark.parametrize(
    ("name", "content", "fast"),
    [
        ("crlf-and-bom.csv", lambda t: "\ufeff" + t.replace("\n", "\r\n"), True),
        ("lone-cr.csv", lambda t: t.replace("\n", "\r", 3), False),
        ("line-separator.csv", lambda t: t.replace(", phase", ",\u2028phase", 1), False),
        ("form-feed.csv", lambda t: t.replace("Workshop", "Work\x0cshop", 1), False),
    ],
)
def test_files_the_index_leaves_to_the_loader(
    tmp_path: Path, generated: Path, name: str, content: Any, fast: bool
) -> None:
    path = tmp_path / name
    path.write_text(content(generated.read_text(encoding="utf-8")), encoding="utf-8", newline="")
    view = open_view(path)
    assert isinstance(view, IndexedView) == fast
    plain = plain_view(path)
    assert view.problems == plain.problems and view.count == plain.count
    assert_same_selection(view.select(Criteria(period=MONTH)), plain.select(Criteria(period=MONTH)))


def test_unreadable_stores_fail_as_before(tmp_path: Path) -> None:
    cases = {
        "nul.csv": b"id,title,dates\nab12,T\x00,1 May 2020\n",
        "latin1.csv": "id,title,dates\nab12,Caf\u00e9,1 May 2020\n".encode("latin-1"),
        "no-dates.csv": b"id,title\nab12,T\n",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(StoreError) as fast:
            open_view(path)
        with pytest.raises(StoreError) as plain:
            load(path)
        assert str(fast.value) == str(plain.value)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert isinstance(open_view(empty), PlainView) and open_view(empty).count == 0


def test_json_stores_and_the_switch_use_the_plain_path(
    tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "activities.json"
    path.write_text(store_module.render_json(load(generated).activities[:50]), encoding="utf-8")
    assert isinstance(open_view(path), PlainView)
    monkeypatch.setenv("INVENTORY_NO_INDEX", "1")
    assert isinstance(open_view(generated), PlainView)


# --- project names without the registry's models --------------------------------------------


def test_project_names_from_the_index(writable: Path) -> None:
    view = indexed(writable)
    assert view.project_names(["glacy", "Octopus", " T-CY ", "iproceeds 2"]) == (
        "GLACY+",
        "Cybercrime@Octopus",
        "T-CY",
        "iPROCEEDS-2",
    )
    assert view.project_names(["Nonesuch"]) is None  # the registry says why
    assert view.project_names([]) == ()


def test_a_new_registry_rebuilds_the_index(writable: Path) -> None:
    before = indexed(writable)
    beside = writable.parent / "projects.csv"
    beside.write_text("name,aliases\nGLACY+,Glacy Plus\n", encoding="utf-8")
    load_registry.cache_clear()  # as a new run would read it
    after = indexed(writable)
    assert after.index is not before.index and index_path(writable).is_file()
    assert after.index.meta["reused"] == 0  # the rows may read differently now
    assert after.project_names(["glacy plus"]) == ("GLACY+",)
    assert after.project_names(["glacy"]) is None


def test_a_registry_beside_the_store(writable: Path) -> None:
    (writable.parent / "projects.csv").write_text(
        "name,aliases\nGLACY+,Global Action\nCyberEast,\n", encoding="utf-8"
    )
    assert indexed(writable).project_names(["global action"]) == ("GLACY+",)
    args = ["list", "--project", "Global Action", "--month", "2019-11", "--json"]
    assert run(args, writable, plain=False) == run(args, writable, plain=True)


# --- the pydantic-free mirrors stay equal to the originals ------------------------------------


@given(st.text(max_size=20))
def test_project_key_is_the_same(name: str) -> None:
    assert fastpath.project_key(name) == _key(name)


def test_criteria_mirror_the_filter() -> None:
    assert [f.name for f in fields(Criteria)] == [f.name for f in fields(query.Filter)]
    where = Criteria(projects=("GLACY+",), period=MONTH, deadlines=True)
    assert Criteria.from_filter(where.to_filter()) == where


@pytest.mark.parametrize(
    ("args", "heavy"),
    [
        (["list", "--project", "GLACY+", "--month", "2019-11", "--json"], ["rich"]),
        (["report", "--quarter", "Q4-2019"], []),  # a table, with a deadline and cancelled ones
        (["report", "--quarter", "Q4-2019", "--json"], ["rich"]),
    ],
    ids=lambda v: " ".join(v) if v and v[0] in ("list", "report") else "",
)
def test_a_query_does_not_import_the_models_or_pydantic(
    generated: Path, args: list[str], heavy: list[str]
) -> None:
    modules = ["inventory.model", "inventory.store", "inventory.places", "inventory.projects"]
    modules += ["inventory.dates", "pycountry", "pydantic", *heavy]
    code = (
        "import sys\n"
        "from inventory.cli import main\n"
        f"sys.argv = ['inventory', *{args!r}, '--store', {str(generated)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {modules!r} if m in sys.modules], file=sys.stderr)\n"
    )
    # The first run builds the index (by the code as it is on disk now), the second uses it.
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"
    assert result.stdout.startswith(
        "[\n{" if args[0] == "list" else "{" if "--json" in args else "Inventory report: "
    )
    if args == ["report", "--quarter", "Q4-2019"]:
        assert "cancelled, not counted" in result.stdout and "Deadlines due" in result.stdout


# --- start-up: main() builds only what a run reaches -----------------------------------------


@pytest.mark.parametrize(
    "args",
    [[], ["--help"], ["-h"], ["--version"], ["-V"], ["list", "--help"], ["report", "-h"],
     ["projects", "--help"], ["lst"], ["--bogus"], ["list", "--month", "2019-13"]],
    ids=lambda a: " ".join(a) or "no-arguments",
)  # fmt: skip
def test_main_answers_as_the_whole_app(args: list[str]) -> None:
    def output(entry: str) -> tuple[int, str, str]:
        code = (
            f"import sys; sys.argv[0] = 'inventory'; from inventory.cli import {entry}; {entry}()"
        )
        env = {**os.environ, "COLUMNS": "100", "INVENTORY_STORE": str(BUNDLED_STORE)}
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
        )
        return done.returncode, done.stdout, done.stderr

    trimmed, whole = output("main"), output("app")
    assert trimmed == whole
    assert trimmed[1] or trimmed[2]


def test_views_are_views(generated: Path) -> None:
    # The CLI only relies on the View interface.
    for view in (indexed(generated), plain_view(generated)):
        assert isinstance(view, View)
        assert view.path == generated


def test_an_unreadable_registry_fails_as_before(writable: Path) -> None:
    indexed(writable)
    (writable.parent / "projects.csv").write_text("title\nGLACY+\n", encoding="utf-8")
    load_registry.cache_clear()
    with pytest.raises(StoreError) as fast:
        open_view(writable)
    with pytest.raises(StoreError) as plain:
        load(writable)
    assert str(fast.value) == str(plain.value)
    assert "missing column 'name'" in str(fast.value)
