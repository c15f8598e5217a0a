"""Whatever an import accepts, the store can read and write afterwards, and ``list --json |
import -`` gives it back exactly: random records, hostile text among them, through every
import format (JSON, JSON lines, CSV, the newsletter's text and its Markdown) into a CSV
and a SQLite store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inventory.dates import parse_schedule
from inventory.model import Activity
from inventory.months import month_name
from inventory.records import to_record
from tests.safety import cli

DATES = [
    ("1-2 October", "2019-10"),
    ("4-8 November 2019", "2019-11"),
    ("dates TBD", "2020-03"),
    ("by 31 January 2020", "2020-01"),
    ("21-22 and 28-29 October", "2019-10"),
    ("16 (PM) – 20 (AM) March", "2020-03"),
    ("22-23 January (dates TBC)", "2020-01"),
    ("30 October - 1 November", "2019-10"),
]
HOSTILE = [
    "=1+2",
    "+33 1 23",
    "-5 priorities",
    "@SUM(A1)",
    "'=x",
    "''+y",
    "a, b, c",
    'say "hi"',
    "semi;colon",
    "pi|pe",
    "line\nbreak",
    "tab\tin",
    "\x1b[31mred",
    "bell\x07",
    "rlo\u202e",
    "zero\u200bwidth",
    " spaced  out ",
    "[/bold]",
    "[link=http://x]y[/link]",
    "Ünïcödé",
    "日本語の研修",
    "עברית",
    "x" * 1001,
    "",
    " ",
    "Lyon, France",
    "1-2 October",
    "#",
    "\\",
    "null",
    "<script>",
    "*bold*",
    "\ufeffbom",
]
WORDS = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp", "Cf"]),
    min_size=1,
    max_size=24,
).filter(lambda t: t.strip())
BAD = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))


def mostly(good: Any, bad: Any = BAD) -> Any:
    """Usually ``good``, one time in twelve ``bad``: a record with one wrong field is the case
    that matters (the others are fine and must still land)."""
    return st.integers(0, 11).flatmap(lambda n: bad if n == 7 else good)  # 0 is drawn often


TEXT = mostly(WORDS)
PLACES = [
    None,
    {"text": "", "city": "", "countries": []},
    {"text": "Accra, Ghana", "city": "Accra", "countries": [{"code": "GH", "name": "Ghana"}]},
    {
        "text": "Portugal / The Netherlands",
        "city": None,
        "countries": [{"code": "PT", "name": "Portugal"}, {"code": "NL", "name": "Netherlands"}],
    },
    {"text": "Pristina, Kosovo*", "city": "Pristina", "countries": [{"code": "XK", "name": "K"}]},
]


@st.composite
def raw_records(draw: Any) -> list[dict[str, Any]]:
    """A few records in the JSON shape, some of them wrong in the ways input is wrong."""
    out = []
    for index in range(draw(st.integers(1, 3))):
        text, month = draw(st.sampled_from(DATES))
        schedule = parse_schedule(text, context_month=month)
        base = Activity(id="draft", title="draft", schedule=schedule)
        record = to_record(base)
        record["id"] = draw(
            mostly(
                st.just(f"fz{index}{draw(st.integers(0, 10**5)):05d}"),
                st.sampled_from(["Bad Id", "", "abc", "x" * 17, "dupe0001"]),
            )
        )
        record["title"] = draw(TEXT)
        projects = mostly(st.sampled_from(["GLACY+", "octopus", "Glacy +", "New One"]), TEXT)
        record["projects"] = draw(st.lists(projects, max_size=3))
        record["modality"] = draw(mostly(st.sampled_from([None, "", "Desk Study", "Online"]), TEXT))
        place = draw(st.sampled_from(PLACES))
        if place is not None and draw(st.booleans()):
            place = {**place, "text": draw(TEXT), "city": draw(st.one_of(st.none(), TEXT))}
        if place is not None and draw(st.integers(0, 5)) == 3:
            place = {**place, "countries": [{"code": draw(st.sampled_from(["ZZ", "fr", "FRA"]))}]}
        record["place"] = place
        record["status"] = draw(
            mostly(st.sampled_from(["planned", "held", "cancelled", "postponed"]))
        )
        keys = mostly(st.sampled_from(["notes", "officer", "=HYPERLINK(1)"]), TEXT)
        record["extra"] = draw(st.dictionaries(keys, TEXT, max_size=2))
        if draw(st.integers(0, 7)) == 3:
            record["schedule"] = {**record["schedule"], "text": draw(TEXT)}
        out.append(record)
    return out


# --- the records written in each import format ----------------------------------------------


def as_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False)


def as_ndjson(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _place(record: dict[str, Any]) -> dict[str, Any]:
    return record["place"] or {"text": "", "city": None, "countries": []}


def as_csv(records: list[dict[str, Any]]) -> str:
    header = [
        "id",
        "projects",
        "title",
        "modality",
        "city",
        "countries",
        "location",
        "dates",
        "month",
        "status",
    ]
    extras = list(dict.fromkeys(k for r in records for k in r["extra"] if k not in header))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header + extras)
    for r in records:
        place = _place(r)
        cells = [
            r["id"],
            "; ".join(r["projects"]),
            r["title"],
            r["modality"] or "",
            place["city"] or "",
            ";".join(c["code"] for c in place["countries"]),
            place["text"],
            r["schedule"]["text"],
            r["schedule"]["month"],
            r["status"],
        ]
        writer.writerow(cells + [r["extra"].get(k, "") for k in extras])
    return out.getvalue()


def _lines(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(heading, projects, body) of each record, in the newsletter's words."""
    out = []
    for r in records:
        body = ", ".join(p for p in (r["title"], r["modality"], _place(r)["text"]) if p)
        heading = month_name(r["schedule"]["month"]).upper()
        out.append((heading, ", ".join(r["projects"]), f"{body}, {r['schedule']['text']}"))
    return out


def as_text(records: list[dict[str, Any]]) -> str:
    return "".join(f"{h}\n{p}\t{b}\n" for h, p, b in _lines(records))


def as_markdown(records: list[dict[str, Any]]) -> str:
    return "".join(
        f"### {h}\n\n| Projects | Activity |\n|---|---|\n| {p.replace('|', chr(92) + '|')} | "
        f"{b.replace('|', chr(92) + '|')} |\n\n"
        for h, p, b in _lines(records)
    )


FORMATS = {
    "in.json": as_json,
    "in.ndjson": as_ndjson,
    "in.csv": as_csv,
    "in.txt": as_text,
    "in.md": as_markdown,
}


def listing(store: Path) -> list[dict[str, Any]]:
    result = cli("list", "--json", store=store)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    records=raw_records(),
    name=st.sampled_from(sorted(FORMATS)),
    kind=st.sampled_from(["csv", "db"]),
)
def test_whatever_an_import_accepts_the_store_reads_writes_and_gives_back(
    tmp_path_factory: Any, records: list[dict[str, Any]], name: str, kind: str
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / name
    source.write_text(FORMATS[name](records), encoding="utf-8")
    store = folder / f"store.{kind}"
    imported = cli("import", str(source), "--skip-bad", store=store)
    assert imported.exit_code in (0, 1), imported.output
    assert imported.exception is None or isinstance(imported.exception, SystemExit), (
        imported.exception
    )
    assert "Traceback" not in imported.stderr
    event(f"{name} into {kind}: exit {imported.exit_code}, stored {store.exists()}")
    if not store.exists():
        return  # nothing was readable: nothing written
    # Readable: every row reads (validate exits 1 on a row it cannot read) ...
    checked = cli("validate", store=store)
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    before = listing(store)
    # ... writable ...
    added = cli("add", "-p", "GLACY+", "-t", "Fuzz add", "--dates", "4 December 2019", store=store)
    assert added.exit_code == 0, added.stderr
    everything = listing(store)
    assert len(everything) == len(before) + 1
    # ... and list --json | import - gives the same activities back, into either kind.
    for target_kind in ("csv", "db"):
        again = folder / f"again.{target_kind}"
        result = cli("import", "-", store=again, input=json.dumps(everything))
        assert result.exit_code == 0, result.stderr
        assert listing(again) == everything
