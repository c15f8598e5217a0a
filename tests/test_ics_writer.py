"""The ICS text ``formats.ics.to_ics`` writes itself is what the icalendar library writes
from the same activities (``to_calendar(...).to_ical()``), byte for byte, and parses to
the same events; and an export names exactly the activities it leaves out.

The counts were read by hand from tests/fixtures/activities-2019-q4.csv: 132 rows, 18 of
them with ``precision`` ``month`` (no days: "dates TBD", "dates TBC", "location and dates
TBD"), so 114 dated; one dated row is in two parts ("15-16 and 19-20 October", the Ohrid
course), so 115 events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from inventory.changes import Version
from inventory.cli import app
from inventory.formats.ics import _fold, split_dated, to_calendar, to_ics
from inventory.model import Activity, Country, Place
from tests.helpers import BUNDLED_STORE, load, runner

UNDATED = {
    "qpdfq0cv", "wnceh0gd", "6sep5674", "rgcrbm98", "6gs6kkym", "8n5nbq9r",
    "q7ygczy2", "9z15nzz9", "v81p0fns", "r68hv38j", "xqs7zbt9", "8svge89y",
    "k8eaqyft", "3bf6apkr", "1g54d8d4", "x23f56h5", "5qyy6j1m", "s43fkyt1",
}  # fmt: skip


@pytest.fixture(scope="module")
def bundled() -> list[Activity]:
    return load(BUNDLED_STORE).activities


def test_an_export_to_a_file_holds_the_dated_activities_and_names_the_undated(
    tmp_path: Path,
) -> None:
    target = tmp_path / "all.ics"
    result = runner.invoke(app, ["export", "-s", str(BUNDLED_STORE), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert len(events) == 115
    ids = {str(e["UID"]).split("@")[0].split("-")[0] for e in events}
    assert len(ids) == 114
    assert not ids & UNDATED
    # Said once the file is written: what it holds, then what it leaves out.
    lines = result.stderr.splitlines()
    assert lines[0] == f"inventory: wrote 114 activities to {target}"
    assert lines[1] == "inventory: left out 18 activities with no days known:"
    assert {line.split()[1] for line in lines[2:]} == UNDATED
    assert len(lines) == 20


def test_split_dated_keeps_the_order_and_parts_the_undated(bundled: list[Activity]) -> None:
    dated, undated = split_dated(bundled)
    assert (len(dated), len(undated)) == (114, 18)
    assert {a.id for a in undated} == UNDATED
    assert [a.id for a in dated] == [a.id for a in bundled if a.id not in UNDATED]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("X" * 74, "X" * 74),  # 74 octets fit on the first line
        ("X" * 75, "X" * 74 + "\r\n X"),
        ("X" * 148 + "Y", "X" * 74 + "\r\n " + "X" * 74 + "\r\n Y"),
        # a backslash that would end a line goes on with what it escapes
        ("X" * 73 + "\\,Z", "X" * 73 + "\r\n \\,Z"),
        ("X" * 73 + "^Z", "X" * 73 + "\r\n ^Z"),
        # "é" is two octets: 72 + 2 = 74 fit, the next one does not
        ("X" * 72 + "éé", "X" * 72 + "é\r\n é"),
        ("X" * 73 + "é", "X" * 73 + "\r\n é"),
        ("X" * 72 + "\\é", "X" * 72 + "\r\n \\é"),
        ("X" * 72 + "\\\\é", "X" * 72 + "\\\r\n \\é"),
    ],
)
def test_lines_fold_at_75_octets_never_inside_a_character_or_an_escape(
    line: str, expected: str
) -> None:
    assert _fold(line) == expected


text = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs", "Cc"]), max_size=160
) | st.sampled_from(["", ";", ",", "\\", "\\N", "a\nb", "a\r\nb", "^", "–" * 40, "x" * 200])
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
zones = st.sampled_from([None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone.min])


@st.composite
def changed(draw: st.DrawFn, activity: Activity) -> Activity:
    """The activity with any text where the store keeps text (no validation: the writers
    must agree on what the gate would refuse too)."""
    update: dict[str, Any] = {}
    if draw(st.booleans()):
        update["title"] = draw(text)
    if draw(st.booleans()):
        update["modality"] = draw(st.none() | text)
    if draw(st.booleans()):
        update["projects"] = tuple(draw(st.lists(text, max_size=3)))
    if draw(st.booleans()):
        update["place"] = draw(
            st.none()
            | st.builds(
                Place.model_construct,
                city=st.none() | text,
                countries=st.just((Country(code="GE", name="Georgia"),)),
                text=text,
            )
        )
    return activity.model_copy(update=update)


@st.composite
def exports(draw: st.DrawFn, pool: list[Activity]) -> tuple[list[Activity], dict[str, Version]]:
    # Indices, not the activities: a failing example's report stays readable.
    chosen = draw(st.lists(st.integers(0, len(pool) - 1), max_size=6))
    activities = [draw(changed(pool[i])) for i in chosen]
    versions = {}
    for activity in activities:
        if draw(st.booleans()):
            moment = draw(moments).replace(tzinfo=draw(zones))
            versions[activity.id] = Version(draw(st.integers(1, 10**6)), moment)
    return activities, versions


def _events(data: bytes) -> list[dict[str, str]]:
    return [
        {key: value.to_ical().decode() for key, value in event.items()}
        for event in Calendar.from_ical(data).walk("VEVENT")
    ]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.none() | text.filter(lambda t: "\n" not in t and "\r" not in t))
def test_the_direct_writer_writes_what_the_icalendar_library_writes(
    bundled: list[Activity], data: st.DataObject, name: str | None
) -> None:
    activities, versions = data.draw(exports(bundled))
    ours = to_ics(activities, name=name, versions=versions)
    library = to_calendar(activities, name=name, versions=versions).to_ical()
    assert ours == library
    assert _events(ours) == _events(library)


def test_the_whole_bundled_store_is_written_as_the_library_writes_it(
    bundled: list[Activity],
) -> None:
    dated, _ = split_dated(bundled)
    stamp = datetime(2020, 2, 29, 23, 59, 58, 999, tzinfo=UTC)
    versions = {a.id: Version(3, stamp) for a in dated[::7]}
    name = "Activity inventory (Q4 2019)"
    ours = to_ics(dated, name=name, versions=versions)
    assert ours == to_calendar(dated, name=name, versions=versions).to_ical()
    assert ours.count(b"BEGIN:VEVENT") == 115
    assert ours.count(b"DTSTAMP:20200229T235958Z") == ours.count(b"LAST-MODIFIED:") > 0


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--quarter", "Q4-2019"],
        ["--month", "2020-03", "--project", "CyberEast"],  # six activities, all dates TBD
        ["--quarter", "Q1-2020", "--limit", "7"],
        ["--search", "no such activity anywhere"],
    ],
)
def test_export_reading_one_at_a_time_writes_what_list_writes_on_every_backend(
    backend_store: str, tmp_path: Path, args: list[str]
) -> None:
    # An edit, so that SEQUENCE and DTSTAMP come from the history too.
    edited = runner.invoke(
        app, ["edit", "-s", backend_store, "s0x6ftjt", "--title", "Launch; kick-off, Accra"]
    )
    assert edited.exit_code == 0, edited.stderr
    outputs = []
    for command in (["export"], ["list", "--format", "ics"]):
        target = tmp_path / f"{command[0]}.ics"
        result = runner.invoke(app, [*command, "-s", backend_store, "-o", str(target), *args])
        assert result.exit_code == 0, result.stderr
        outputs.append((target.read_bytes(), result.stderr.replace(str(target), "FILE")))
        piped = runner.invoke(app, [*command, "-s", backend_store, *args])
        assert piped.exit_code == 0, piped.stderr
        assert piped.stdout_bytes == target.read_bytes()
    assert outputs[0] == outputs[1]
    data, stderr = outputs[0]
    if not args:
        assert data.count(b"BEGIN:VEVENT") == 115
        assert b"SUMMARY:Launch\\; kick-off\\, Accra" in data
        assert "wrote 114 activities to FILE" in stderr
    if args[:2] == ["--month", "2020-03"]:
        assert data.count(b"BEGIN:VEVENT") == 0
        assert "left out 6 activities with no days known:" in stderr
