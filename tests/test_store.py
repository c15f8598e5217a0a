"""The store: CSV as spreadsheets write it, JSON, discovery, atomic locked writes."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.dates import parse_schedule, render_schedule
from inventory.editing import edit_activity
from inventory.errors import StoreError
from inventory.gazetteer import country_by_code
from inventory.model import Activity, Place, Status
from inventory.projects import load_registry
from inventory.store import files as files_mod
from inventory.store import find_store, open_store
from inventory.vocab import COLUMNS
from tests.helpers import BUNDLED_STORE, SHIPPED_STORE, load

HEADER = ",".join(COLUMNS)
ROW = (
    "s0x6ftjt,GLACY+,Cybercrime reporting platform,,,GH,Ghana,1-2 October,2019-10,"
    "2019-10-01,2019-10-02,day,confirmed,,planned"
)


def save(path: Path, activities: list[Activity]) -> None:
    """Write ``activities`` as the store's whole content, through a transaction."""
    if not activities and not path.exists():
        path.write_text("[]\n" if path.suffix == ".json" else HEADER + "\n")
        return
    with open_store(str(path), create=True) as store, store.transaction() as batch:
        wanted = {a.id: a for a in activities}
        for ident in store.ids_starting("", 10**9) if path.exists() else []:
            if ident not in wanted:
                batch.remove(ident)
        for activity in activities:
            if activity.id in batch:
                batch.update(activity)
            else:
                batch.add(activity)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- reading what spreadsheets write --------------------------------------------------------


def test_bundled_store_reads_without_problems() -> None:
    store = load(BUNDLED_STORE)
    assert store.problems == []
    assert len(store.activities) == 132


def test_the_shipped_store_is_the_frozen_fixture() -> None:
    # The tests read the fixture; the shipped store is what a new user sees. While the
    # shipped one is the newsletter's 132 activities, they are the same bytes.
    assert SHIPPED_STORE.read_bytes() == BUNDLED_STORE.read_bytes()


def test_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", f"\ufeff{HEADER}\r\n{ROW}\r\n".encode())
    store = load(path)
    assert store.problems == []
    [activity] = store.activities
    assert activity.title == "Cybercrime reporting platform"
    # A rewrite keeps the byte-order mark and the CRLF line endings of the file.
    save(path, [*store.activities, activity.model_copy(update={"id": "aaaabbbb"})])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 3


def test_quoted_field_with_newline(tmp_path: Path) -> None:
    row = ROW.replace("Cybercrime reporting platform", '"Cybercrime reporting\nplatform"')
    path = write(
        tmp_path, "a.csv", f"{HEADER}\n{row}\n{ROW.replace('s0x6ftjt', 'aaaabbbb')}\n".encode()
    )
    store = load(path)
    assert [a.title for a in store.activities] == ["Cybercrime reporting platform"] * 2
    # The second record starts on line 4: the first took lines 2 and 3.
    with open_store(str(path)) as opened:
        lines = {i: line for i, (line, _) in opened.rows_as_written().items()}
    assert lines == {"s0x6ftjt": 2, "aaaabbbb": 4}


def test_rows_as_written_read_a_line_at_a_time_as_from_the_whole_text(tmp_path: Path) -> None:
    # validate reads the rows' lines from the file a line at a time: the same lines and
    # cells as csvdoc.read_rows gives from the whole text, whatever ends the lines.
    from inventory.store.csvfile import CsvStore
    from inventory.textio import MAX_ROW

    def row(ident: str, title: str = "Cybercrime reporting platform") -> str:
        return ROW.replace("s0x6ftjt", ident).replace("Cybercrime reporting platform", title)

    body = [
        row("aaaa0001"),
        row("aaaa0002", '"Reporting\r\nplatform, two lines"'),
        "",  # a blank row
        row("aaaa0003") + ",extra,cells",  # more cells than columns: still has its line
        'aaaa0004,GLACY+,"unclosed"quote,,,GH,Ghana,1 October',  # a broken row
        row("aaaa0005", '"One\rlone carriage return"'),
        row("aaaa0006", "x" * (MAX_ROW + 10)),  # too long: no row
        row("aaaa0001", "The same id again"),
        row("aaaa0007"),
    ]
    for newline, bom in (("\n", ""), ("\r\n", "\ufeff"), ("\r", "")):
        text = bom + newline.join([HEADER, *body]) + newline
        path = write(tmp_path, f"s{len(newline)}{len(bom)}.csv", text.encode())
        store = CsvStore(path)
        streamed = list(store._rows_written())
        assert streamed == list(store._rows_written_whole())
        lines = {ident: line for ident, line, _ in streamed}
        if newline != "\r":  # a lone CR ends a line: the quoted one is two lines either way
            assert lines == {"aaaa0001": 11, "aaaa0002": 3, "aaaa0003": 6, "aaaa0005": 8,
                             "aaaa0007": 12}  # fmt: skip
        assert [ident for ident, _, _ in streamed].count("aaaa0001") == 2
        assert store.rows_as_written()["aaaa0001"][0] == 2  # the first one
        assert streamed[0][2]["start"] == "2019-10-01"


def test_other_encoding_names_the_line(tmp_path: Path) -> None:
    row = ROW.replace("Cybercrime reporting platform", "Forum sur la cybersécurité")
    path = write(tmp_path, "latin1.csv", f"{HEADER}\n{row}\n".encode("latin-1"))
    with pytest.raises(StoreError) as caught:
        load(path)
    assert "not UTF-8" in str(caught.value)
    assert caught.value.line == 2
    assert "latin1.csv:2" in str(caught.value)


def test_broken_row_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = ROW.replace("s0x6ftjt", "zzzzzzzz").replace("Ghana,1-2 October", "Ghana,31 February")
    path = write(tmp_path, "a.csv", f"{HEADER}\n{ROW}\n{bad}\n".encode())
    store = load(path)
    assert len(store.activities) == 1
    [problem] = store.problems
    assert (problem.line, problem.field, problem.severity) == (3, "dates", "error")
    assert "31 February" in problem.message


def test_too_many_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", f"{HEADER}\n{ROW},extra\n".encode())
    [problem] = load(path).problems
    assert problem.line == 2 and "16 cells" in problem.message


def test_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"name,when\nx,y\n")
    with pytest.raises(StoreError, match="missing column"):
        load(path)


def test_duplicate_id(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", f"{HEADER}\n{ROW}\n{ROW}\n".encode())
    [problem] = load(path).problems
    assert problem.line == 3 and "duplicate id" in problem.message


def test_a_row_that_cannot_be_read_is_kept_by_every_write(tmp_path: Path) -> None:
    bad = ROW.replace("s0x6ftjt", "zzzzzzzz").replace("1-2 October", "someday")
    path = write(tmp_path, "a.csv", f"{HEADER}\n{ROW}\n{bad}\n".encode())
    [activity] = load(path).activities
    save(path, [activity.model_copy(update={"status": Status.HELD})])
    after = path.read_text().splitlines()
    assert after[2] == bad  # kept byte for byte, for a person to mend
    assert after[1].endswith(",held")


# --- rewriting keeps what it does not know ------------------------------------------------


def test_unknown_columns_survive_and_untouched_rows_keep_their_bytes(tmp_path: Path) -> None:
    lines = BUNDLED_STORE.read_text(encoding="utf-8").splitlines()
    # A person added a column and quoted one row the way a spreadsheet does.
    lines[0] += ",officer"
    lines[1:] = [f"{line},Ana" for line in lines[1:]]
    lines[5] = (
        ",".join(f'"{cell}"' for cell in lines[5].split(",")[:2])
        + ","
        + ",".join(lines[5].split(",")[2:])
    )
    path = tmp_path / "activities.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = load(path)
    assert store.problems == []
    target = store.activities[10]
    assert target.extra == {"officer": "Ana"}
    edited, _ = edit_activity(target, registry=load_registry(), title="A new title")
    save(path, [edited if a.id == target.id else a for a in store.activities])

    after = path.read_text(encoding="utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(lines, after, strict=True)) if a != b]
    assert changed == [11]  # header is line 0; the 11th activity is line 11
    assert after[11].endswith(",Ana")
    assert "A new title" in after[11]
    assert after[5] == lines[5]  # the quoted row is kept byte for byte


def test_stale_derived_columns_are_ignored_on_reading(tmp_path: Path) -> None:
    # Someone edited dates by hand and left start/end as they were: dates wins.
    row = ROW.replace("1-2 October", "3-4 October")
    path = write(tmp_path, "a.csv", f"{HEADER}\n{row}\n".encode())
    [activity] = load(path).activities
    assert (activity.start.day, activity.end.day) == (3, 4)
    save(path, [activity.model_copy(update={"title": "Reporting platform"})])
    assert ",2019-10-03,2019-10-04," in path.read_text()


def test_a_formula_is_neutralised_in_the_store_and_read_back_as_typed(tmp_path: Path) -> None:
    activity = load(BUNDLED_STORE).activities[0]
    evil = activity.model_copy(update={"title": '=HYPERLINK("http://x")', "id": "aaaabbbb"})
    path = tmp_path / "a.csv"
    save(path, [evil])
    assert ',"\'=HYPERLINK(""http://x"")",' in path.read_text()
    assert load(path).activities[0].title == '=HYPERLINK("http://x")'


def test_json_store_round_trip(tmp_path: Path) -> None:
    activities = load(BUNDLED_STORE).activities
    path = tmp_path / "a.json"
    save(path, activities)
    again = load(path)
    assert again.problems == []
    assert again.activities == activities


def test_invalid_json(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", b'[{"id": ')
    with pytest.raises(StoreError, match="invalid JSON") as caught:
        load(path)
    assert caught.value.line == 1


# --- finding the store ---------------------------------------------------------------------


def test_find_store_walks_up(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "activities.csv").write_text(HEADER + "\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_store(cwd=deep).target == str(tmp_path / "data" / "activities.csv")


def test_find_store_explicit_environment_and_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('store = "~/from-settings.csv"\n')
    monkeypatch.setenv("INVENTORY_CONFIG", str(config))
    assert find_store(cwd=tmp_path).target == str(Path("~/from-settings.csv").expanduser())
    monkeypatch.setenv("INVENTORY_STORE", str(tmp_path / "env.csv"))
    assert find_store("given.csv").target == "given.csv"
    assert find_store().target == str(tmp_path / "env.csv")


def test_no_store_found_falls_back_to_the_users_own(tmp_path: Path) -> None:
    where = find_store(cwd=tmp_path)
    assert not where.found
    assert where.target.endswith("inventory/activities.csv")
    with pytest.raises(StoreError) as caught:
        open_store(where)
    assert "no store found" in str(caught.value)
    assert caught.value.hint and "inventory import" in caught.value.hint


# --- writes are atomic ----------------------------------------------------------------------


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".sqlite3"))


def test_crash_between_write_and_rename_leaves_the_store_untouched(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store_copy.read_bytes()
    store = load(store_copy)

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # the process is stopped mid-write

    monkeypatch.setattr(files_mod.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        save(store_copy, store.activities[:-1])
    assert store_copy.read_bytes() == before
    assert _files(store_copy.parent) == ["activities.csv"]


def test_full_disk_leaves_the_store_untouched(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store_copy.read_bytes()
    store = load(store_copy)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files_mod.os, "fsync", full)
    # The history's line is written first (ahead of the store): the disk fills there.
    with pytest.raises(StoreError, match="no space left on the device; nothing was written"):
        save(store_copy, store.activities[:-1])
    assert store_copy.read_bytes() == before
    assert _files(store_copy.parent) == ["activities.csv"]


# --- any valid store survives save and load ---------------------------------------------

REGISTRY = load_registry()
PLACES = [
    None,
    Place(city="Accra", countries=(country_by_code("GH"),), text="Accra, Ghana"),
    Place(
        city=None,
        countries=(country_by_code("PT"), country_by_code("NL")),
        text="Portugal / The Netherlands",
    ),
    Place(city="Pristina", countries=(country_by_code("XK"),), text="Pristina, Kosovo*"),
]
DATE_TEXTS = [
    "1-2 October 2019",
    "21 – 22 and 28 - 29 October 2019",
    "by 30 November 2019",
    "22-23 January 2020 (dates TBC)",
    "16 (PM) – 20 (AM) March 2020",
    "30 December 2019 - 2 January 2020",
    "March 2020 (dates TBD)",
]
safe_text = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@st.composite
def activities(draw: st.DrawFn) -> Activity:
    text = draw(st.sampled_from(DATE_TEXTS))
    schedule = parse_schedule(text)
    if draw(st.booleans()):  # the newsletter's way: no year, under a month heading
        short = render_schedule(schedule, with_year=False)
        schedule = parse_schedule(short, context_month=schedule.month)
    return Activity(
        id=draw(st.text(alphabet="0123456789abcdefghjkmnpqrstvwxyz", min_size=8, max_size=8)),
        projects=tuple(
            draw(
                st.lists(
                    st.sampled_from([p.name for p in REGISTRY.projects]), unique=True, max_size=3
                )
            )
        ),
        title=draw(safe_text),
        place=draw(st.sampled_from(PLACES)),
        modality=draw(st.sampled_from([None, "Desk Study"])),
        schedule=schedule,
        status=draw(st.sampled_from(list(Status))),
        extra=draw(
            st.dictionaries(st.sampled_from(["officer", "budget line"]), safe_text, max_size=2)
        ),
    )


@pytest.mark.slow
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(activities(), max_size=8, unique_by=lambda a: a.id))
def test_any_store_survives_csv_save_and_load(
    tmp_path_factory: pytest.TempPathFactory, items: list[Activity]
) -> None:
    # An activity without one of the store's extra columns leaves its cell empty, and an
    # empty cell reads back as no value: each activity is read back as it was written.
    path = tmp_path_factory.mktemp("csv") / "s.csv"
    save(path, items)
    store = load(path)
    assert store.problems == []
    assert sorted(store.activities, key=lambda a: a.id) == sorted(items, key=lambda a: a.id)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(st.lists(activities(), max_size=8, unique_by=lambda a: a.id))
def test_any_store_survives_json_save_and_load(
    tmp_path_factory: pytest.TempPathFactory, items: list[Activity]
) -> None:
    path = tmp_path_factory.mktemp("json") / "s.json"
    save(path, items)
    assert sorted(load(path).activities, key=lambda a: a.id) == sorted(items, key=lambda a: a.id)


def test_copy_of_bundled_store_is_identical_after_an_edit_undone(store_copy: Path) -> None:
    before = store_copy.read_bytes()
    store = load(store_copy)
    first = store.activities[0]
    save(store_copy, [first.model_copy(update={"status": Status.POSTPONED}), *store.activities[1:]])
    assert store_copy.read_bytes() != before
    save(store_copy, store.activities)
    assert store_copy.read_bytes() == before


def test_a_project_alias_typed_by_hand_is_the_project(tmp_path: Path) -> None:
    row = ROW.replace(",GLACY+,", ",glacy,")
    path = write(tmp_path, "a.csv", f"{HEADER}\n{row}\n".encode())
    [activity] = load(path).activities
    assert activity.projects == ("GLACY+",)
    # A row the tool does not change keeps its bytes; one it rewrites gets the canonical name.
    save(path, [activity.model_copy(update={"status": Status.HELD})])
    assert ",GLACY+,Cybercrime reporting platform," in path.read_text()


@pytest.mark.parametrize("month", ["2019-13", "2020-07-01", "October"])
def test_a_malformed_month_is_reported_not_raised(tmp_path: Path, month: str) -> None:
    row = ROW.replace(",2019-10,", f",{month},")
    path = write(
        tmp_path, "a.csv", f"{HEADER}\n{ROW.replace('s0x6ftjt', 'aaaabbbb')}\n{row}\n".encode()
    )
    store = load(path)
    assert len(store.activities) == 1
    [problem] = store.problems
    assert (problem.line, problem.field) == (3, "month")
    assert "expected the month as YYYY-MM" in problem.message


@given(st.text(alphabet="'=+-@ab\t", max_size=6))
def test_neutralised_cells_read_back_as_written(cell: str) -> None:
    from inventory.sanitise import FORMULA_PREFIXES, neutralise, unneutralise

    assert unneutralise(neutralise(cell)) == cell
    assert not neutralise(cell).startswith(FORMULA_PREFIXES)


def test_the_record_shape_is_pinned_with_its_format() -> None:
    # SQLite stores answer JSON queries with the records they keep when they say they hold
    # this shape (store.sql.RECORD_FORMAT), PostgreSQL stores with theirs. If this test
    # fails, the JSON shape changed: bump RECORD_FORMAT, add a pgschema step that rewrites
    # the server's records, then update the shape below.
    from inventory.records import to_record
    from inventory.store.sql import RECORD_FORMAT

    def shape(value: object) -> object:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value[:1]]
        return type(value).__name__

    sample = next(a for a in load(BUNDLED_STORE).activities if a.place and a.place.city)
    assert (RECORD_FORMAT, shape(to_record(sample))) == (
        "1",
        {
            "id": "str",
            "projects": ["str"],
            "title": "str",
            "modality": "NoneType",
            "place": {"text": "str", "city": "str", "countries": [{"code": "str", "name": "str"}]},
            "schedule": {
                "text": "str",
                "month": "str",
                "start": "str",
                "end": "str",
                "precision": "str",
                "certainty": "str",
                "deadline": "bool",
                "segments": [
                    {"start": "str", "end": "str", "start_half": "NoneType", "end_half": "NoneType"}
                ],
                "year_inferred": "bool",
                "edtf": "str",
            },
            "status": "str",
            "extra": {},
        },
    )


def test_a_scan_keeps_no_read_open_on_the_cache(tmp_path: Path) -> None:
    # validate goes through the whole store for minutes at a million rows: meanwhile a
    # write must not wait for it (the cache's rollback journal makes a writer wait for
    # every open read), so the records are copied out in one quick read first.
    import sqlite3

    from inventory.store.cache import cache_path

    path = write(tmp_path, "s.csv", BUNDLED_STORE.read_bytes())
    with open_store(str(path)) as opened:
        scan = opened.scan()
        first = next(scan)
        other = sqlite3.connect(cache_path(path), timeout=0, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # "database is locked" if a read were open
        other.execute("ROLLBACK")
        other.close()
        rest = list(scan)
        assert [first, *rest] == opened.select()
