"""A CSV write streams the store through a row at a time (``store/csvstream.py``) and gives
exactly the bytes the whole-document writer (``csvdoc.Document``) gives: odd quoting, CRLF,
a byte-order mark, unknown columns, blank and broken rows, an id twice, no line end at the
end. The whole-document writer is the oracle."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.model import Activity
from inventory.sanitise import unneutralise
from inventory.store import csvstream
from inventory.store.csvdoc import Document, read_rows
from inventory.store.csvstream import rewrite
from inventory.vocab import COLUMNS
from tests.helpers import BUNDLED_STORE, load, run

ACTIVITIES = load(BUNDLED_STORE).activities
POOL = ["a1", "b2", "c3", "d4", "e5"]
"""Ids rows are given; the writes touch these and new ones."""
CELLS = ["", "plain", "with, comma", 'say "hi"', "two\nlines", " padded ", "=1+1", "Zürich"]
UNKNOWN = ["officer", "notes"]


class Collected:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(bytes(data))

    def restart(self) -> None:
        self.parts.clear()


@st.composite
def stores(draw: st.DrawFn) -> bytes:
    """A CSV store as people and spreadsheets leave it."""
    known = draw(
        st.lists(
            st.sampled_from([c for c in COLUMNS if c not in ("id", "title", "dates")]),
            unique=True,
            max_size=4,
        )
    )
    unknown = draw(st.lists(st.sampled_from(UNKNOWN), unique=True, max_size=2))
    names = draw(st.permutations(["id", "title", "dates", *known, *unknown]))
    crlf = draw(st.booleans())
    newline = "\r\n" if crlf else "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(names)
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["row", "row", "row", "quoted", "blank", "long", "noid"]))
        cells = [draw(st.sampled_from(CELLS)) for _ in names]
        cells[names.index("id")] = draw(st.sampled_from(POOL)) if kind != "noid" else ""
        if kind == "blank":
            out.write(newline)
        elif kind == "quoted":  # every cell quoted, as some spreadsheets save
            csv.writer(out, lineterminator=newline, quoting=csv.QUOTE_ALL).writerow(cells)
        elif kind == "long":  # more cells than the header names: kept, never read
            writer.writerow([*cells, "spare"])
        else:
            writer.writerow(cells)
    text = out.getvalue()
    if draw(st.booleans()) and text.count(newline) > 1:
        text = text[: -len(newline)]  # the last row without its line end
    if draw(st.booleans()):
        text += 'zz,"never closed' + newline  # a broken row at the end
    return (("\ufeff" if draw(st.booleans()) else "") + text).encode("utf-8")


@st.composite
def changes(draw: st.DrawFn) -> dict[str, Activity | None]:
    ids = draw(st.lists(st.sampled_from([*POOL, "n6", "n7"]), unique=True, max_size=4))
    out: dict[str, Activity | None] = {}
    for ident in ids:
        if draw(st.integers(0, 3)) == 0:
            out[ident] = None
            continue
        activity = draw(st.sampled_from(ACTIVITIES))
        extra = draw(st.sampled_from([{}, {"officer": "Ana"}, {"budget": "10"}]))
        out[ident] = activity.model_copy(update={"id": ident, "extra": extra})
    return out


def cached(data: bytes) -> Callable[[list[str]], dict[str, bytes]]:
    """What the store's cache says of each id's row: the hash of the first row with that id
    it could read."""
    header, rows = read_rows(data.decode("utf-8"), "store.csv")
    index = header.names.index("id")
    hashes: dict[str, bytes] = {}
    for row in rows:
        if row.problem is None and index < len(row.cells):
            hashes.setdefault(unneutralise(row.cells[index].strip()), row.hash)
    return lambda ids: {i: hashes[i] for i in ids if i in hashes}


def streamed(
    tmp_path: Path, data: bytes, batch: dict[str, Activity | None], *, cache: bool = True
) -> bytes:
    path = tmp_path / "store.csv"
    path.write_bytes(data)
    sink = Collected()
    fd = os.open(path, os.O_RDONLY)
    try:
        hashes = cached(data) if cache else lambda ids: {}
        done = rewrite(fd, batch, sink, check=lambda *_: None, hashes=hashes)
    finally:
        os.close(fd)
    assert done is not None
    return b"".join(sink.parts)


def whole(data: bytes, batch: dict[str, Activity | None]) -> bytes:
    doc = Document.parse(data.decode("utf-8"), "store.csv")
    doc.apply(batch)
    return doc.render().encode("utf-8")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=stores(), batch=changes(), chunk=st.sampled_from([3, 7, 64, csvstream.PIECE]))
def test_a_streamed_write_gives_the_bytes_of_the_whole_document_writer(
    tmp_path: Path, data: bytes, batch: dict[str, Activity | None], chunk: int
) -> None:
    # Pieces of a few bytes: an id is looked for across the pieces' edges too.
    size = csvstream.PIECE
    csvstream.PIECE = chunk
    try:
        expected = whole(data, batch)
        assert streamed(tmp_path, data, batch) == expected
        assert streamed(tmp_path, data, batch, cache=False) == expected  # each row read
    finally:
        csvstream.PIECE = size


def test_rows_after_a_last_row_without_a_line_end_start_on_a_line_of_their_own(
    tmp_path: Path,
) -> None:
    data = b"id,title,dates\r\na1,One,1 May 2020"
    new = ACTIVITIES[0].model_copy(update={"id": "n6"})
    out = streamed(tmp_path, data, {"n6": new})
    header, kept, added, end = out.split(b"\r\n")
    assert header.startswith(b"id,title,dates,projects,")  # the columns the new row needs
    assert (kept, end) == (b"a1,One,1 May 2020", b"")
    assert added.startswith(b"n6,") and b"\n" not in added
    assert out == whole(data, {"n6": new})


def test_an_edit_leaves_every_other_row_byte_for_byte(tmp_path: Path) -> None:
    text = BUNDLED_STORE.read_text(encoding="utf-8")
    lines = text.splitlines()
    # CRLF, a byte-order mark, an unknown column, and rows quoted every other way.
    lines[0] += ",officer"
    for n in range(1, len(lines)):
        cells = next(csv.reader([lines[n]]))
        quoting = csv.QUOTE_ALL if n % 3 == 0 else csv.QUOTE_MINIMAL
        row = io.StringIO()
        csv.writer(row, lineterminator="", quoting=quoting).writerow([*cells, f"Ana {n}"])
        lines[n] = row.getvalue()
    path = tmp_path / "activities.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    before = path.read_bytes().split(b"\r\n")
    target = next(csv.reader([lines[40]]))[0]

    result = run("edit", target, "--title", "A title edited", store=path)

    assert result.exit_code == 0, result.stderr
    after = path.read_bytes().split(b"\r\n")
    assert len(after) == len(before)
    assert [n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [40]
    assert b"A title edited" in after[40] and after[40].endswith(b",Ana 40")
    assert after[0].startswith(b"\xef\xbb\xbfid,")


def test_an_add_appends_one_row_and_copies_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "activities.csv"
    original = BUNDLED_STORE.read_bytes()
    path.write_bytes(original)
    result = run(
        "add", "-p", "GLACY+", "-t", "Streamed workshop", "-l", "Accra, Ghana",
        "--dates", "6 May 2020", store=path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    after = path.read_bytes()
    assert after.startswith(original)
    added = after[len(original) :].decode("utf-8")
    assert added.count("\n") == 1 and "Streamed workshop" in added and "6 May 2020" in added


def test_an_edited_row_is_found_in_the_bytes_and_replaced_there(tmp_path: Path) -> None:
    data = BUNDLED_STORE.read_bytes()
    target = ACTIVITIES[70]
    batch: dict[str, Activity | None] = {target.id: target.model_copy(update={"title": "New"})}
    path = tmp_path / "store.csv"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        found = csvstream._find(fd, data.index(b"\n") + 1, batch, cached(data))
    finally:
        os.close(fd)
    assert found is not None and found.absent == []
    [(start, end, ident, row)] = found.rows
    assert ident == target.id and data[start:end] == row
    assert row.startswith(target.id.encode() + b",") and row.endswith(b"\n")
    assert data[start - 1 : start] == b"\n"
    out = streamed(tmp_path, data, batch)
    assert out == whole(data, batch)
    assert out[:start] == data[:start] and out.endswith(data[end:])


def test_a_copy_of_a_row_inside_another_rows_cell_is_not_taken_for_it(tmp_path: Path) -> None:
    row = "b2,The real row,1 May 2020\n"
    data = f'id,title,dates\na1,"{row}",2 May 2020\n{row}'.encode()
    replacement = ACTIVITIES[0].model_copy(update={"id": "b2"})
    for batch in ({"b2": replacement}, {"b2": None}):
        out = streamed(tmp_path, data, batch)
        assert out == whole(data, batch)
        assert out.count(b"b2,The real row") == 1  # the copy in a1's title, kept
