"""``inventory export --format ics``: the file parsed back with icalendar, and read by khal.

Expected dates, titles and places were read by hand from
tests/fixtures/newsletter-2019-q4.txt (line numbers below); the ids come from the
store, where they are the activities' identity.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from inventory.cli import app
from inventory.formats.ics import to_ics, unscheduled
from inventory.model import Activity
from tests.helpers import BUNDLED_STORE, load, runner

# Lines of the newsletter with no days: "dates TBD", "dates TBC", "location and dates TBD"
# (lines 95, 97, 121-127, 143-151).
UNSCHEDULED = 18
# 132 activities, 18 without days; the Ohrid course (line 21) is the only one in two parts.
DATED = 132 - UNSCHEDULED
EVENTS = DATED + 1


def activity_titled(title: str, month: str, store: Path = BUNDLED_STORE) -> Activity:
    found = [a for a in load(store).activities if a.title == title and a.schedule.month == month]
    assert len(found) == 1, title
    return found[0]


def export(*args: str, store: Path = BUNDLED_STORE) -> tuple[bytes, str]:
    result = runner.invoke(app, ["export", "--format", "ics", "--store", str(store), *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes, result.stderr


def events_by_uid(data: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(data)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == len(calendar.walk("VEVENT")), "UIDs must be unique"
    return events


@pytest.fixture(scope="module")
def everything() -> dict[str, Any]:
    data, _ = export()
    return events_by_uid(data)


def day(event: Any, name: str) -> date:
    value = event[name]
    assert value.params.get("VALUE") == "DATE", f"{name} must be an all-day date"
    result: date = value.dt
    assert type(result) is date
    return result


def categories(event: Any) -> list[str]:
    return [str(c) for c in event["CATEGORIES"].cats]


# (newsletter line, title, month) -> every field of its event(s).
SAMPLES: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    (
        # line 4: a plain range.
        "Cybercrime reporting platform – Official launch and kick-off workshop",
        "2019-10",
        "plain range",
        [
            {
                "start": date(2019, 10, 1),
                "end": date(2019, 10, 3),  # 1-2 October: the end is exclusive
                "summary": "Cybercrime reporting platform – Official launch and kick-off workshop",
                "status": "CONFIRMED",
                "location": "Ghana",
                "categories": ["GLACY+"],
                "description": ["Dates: 1-2 October 2019", "Dates as written: 1-2 October"],
            }
        ],
    ),
    (
        # line 21: two parts, one event each.
        "Introductory training courses on cybercrime, electronic evidence and online crime "
        "proceeds",
        "2019-10",
        "two segments",
        [
            {
                "start": date(2019, 10, 21),
                "end": date(2019, 10, 23),
                "summary": "Introductory training courses on cybercrime, electronic evidence "
                "and online crime proceeds",
                "status": "CONFIRMED",
                "location": "Ohrid, North Macedonia",
                "categories": ["iPROCEEDS"],
                "description": [
                    "Dates: 21-22 and 28-29 October 2019",
                    "Dates as written: 21 – 22 and 28 - 29 October",
                    "Part 1 of 2",
                ],
            },
            {
                "start": date(2019, 10, 28),
                "end": date(2019, 10, 30),
                "summary": "Introductory training courses on cybercrime, electronic evidence "
                "and online crime proceeds",
                "status": "CONFIRMED",
                "location": "Ohrid, North Macedonia",
                "categories": ["iPROCEEDS"],
                "description": ["Dates as written: 21 – 22 and 28 - 29 October", "Part 2 of 2"],
            },
        ],
    ),
    (
        # line 33: across two months.
        "Advisory mission on cybercrime legislation",
        "2019-10",
        "across months",
        [
            {
                "start": date(2019, 10, 30),
                "end": date(2019, 11, 2),
                "summary": "Advisory mission on cybercrime legislation",
                "status": "CONFIRMED",
                "location": "Fiji",
                "categories": ["Cybercrime@Octopus"],
                "description": ["Dates as written: 30 October - 1 November"],
            }
        ],
    ),
    (
        # line 89: "22-23 January (dates TBC)".
        "Stakeholders' meeting on the new Cybercrime Law, joint activity with OCWAR-C",
        "2020-01",
        "tentative",
        [
            {
                "start": date(2020, 1, 22),
                "end": date(2020, 1, 24),
                "summary": "Stakeholders' meeting on the new Cybercrime Law, joint activity "
                "with OCWAR-C (TBC)",
                "status": "TENTATIVE",
                "location": "Sierra Leone",
                "categories": ["GLACY+"],
                "description": [
                    "Dates as written: 22-23 January (dates TBC)",
                    "Dates to be confirmed (TBC)",
                ],
            }
        ],
    ),
    (
        # line 61: "Review of the Cybercrime Bill, Desk Study, by 30 November".
        "Review of the Cybercrime Bill",
        "2019-11",
        "deadline",
        [
            {
                "start": date(2019, 11, 30),
                "end": date(2019, 12, 1),
                "summary": "Deadline: Review of the Cybercrime Bill",
                "status": "CONFIRMED",
                "location": None,
                "categories": ["GLACY+"],
                "description": [
                    "Dates as written: by 30 November",
                    "Due by 30 November 2019",
                    "Modality: Desk Study",
                ],
            }
        ],
    ),
    (
        # line 138: "16 (PM) – 20 (AM) March": half days go into the description.
        "Protocol Drafting Group Meeting",
        "2020-03",
        "half days",
        [
            {
                "start": date(2020, 3, 16),
                "end": date(2020, 3, 21),
                "summary": "Protocol Drafting Group Meeting",
                "status": "CONFIRMED",
                "location": "Strasbourg, France",
                "categories": ["T-CY"],
                "description": [
                    "Dates as written: 16 (PM) – 20 (AM) March",
                    "Starts in the afternoon (PM) on 16 March 2020",
                    "Ends in the morning (AM) on 20 March 2020",
                    "Location as written: Strasbourg",
                ],
            }
        ],
    ),
    (
        # line 10: five projects, in the order written.
        "Meeting of the 24/7 Contact Points under Budapest Convention",
        "2019-10",
        "several projects",
        [
            {
                "start": date(2019, 10, 8),
                "end": date(2019, 10, 9),
                "summary": "Meeting of the 24/7 Contact Points under Budapest Convention",
                "status": "CONFIRMED",
                "location": "Netherlands",
                "categories": ["iPROCEEDS", "GLACY+", "CyberSouth", "CyberEast", "EndOCSEA@Europe"],
                "description": ["Location as written: the Netherlands"],
            }
        ],
    ),
]


def check_event(event: Any, activity: Activity, part: int, expected: dict[str, Any]) -> None:
    uid = f"{activity.id}@inventory" if part == 1 else f"{activity.id}-{part}@inventory"
    assert str(event["UID"]) == uid
    assert day(event, "DTSTART") == expected["start"]
    assert day(event, "DTEND") == expected["end"]
    assert str(event["SUMMARY"]) == expected["summary"]
    assert str(event["STATUS"]) == expected["status"]
    busy = event.get("X-MICROSOFT-CDO-BUSYSTATUS")
    assert (str(busy) if busy is not None else None) == (
        "TENTATIVE" if expected["status"] == "TENTATIVE" else None
    )
    location = event.get("LOCATION")
    assert (str(location) if location is not None else None) == expected["location"]
    assert categories(event) == expected["categories"]
    description = str(event["DESCRIPTION"]).split("\n")
    for line in expected["description"]:
        assert line in description
    assert f"Inventory id: {activity.id}" in description
    # Derived from the data, not from the clock.
    assert event["DTSTAMP"].dt.isoformat() == f"{activity.start.isoformat()}T00:00:00+00:00"


@pytest.mark.parametrize(
    ("title", "month", "kind", "expected"), SAMPLES, ids=[s[2] for s in SAMPLES]
)
def test_event_fields(
    everything: dict[str, Any], title: str, month: str, kind: str, expected: list[dict[str, Any]]
) -> None:
    activity = activity_titled(title, month)
    events = [e for uid, e in everything.items() if uid.split("@")[0].split("-")[0] == activity.id]
    assert len(events) == len(expected)
    for part, (event, fields) in enumerate(zip(events, expected, strict=True), start=1):
        check_event(event, activity, part, fields)


def write_status(store: Path, title: str, status: str) -> None:
    rows = list(csv.DictReader(io.StringIO(store.read_text(encoding="utf-8"))))
    matching = [r for r in rows if r["title"] == title]
    assert len(matching) == 1
    matching[0]["status"] = status
    with store.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_cancelled_and_postponed(store_copy: Path) -> None:
    ghana = "Cybercrime reporting platform – Official launch and kick-off workshop"
    bureau = "T-CY Bureau Meeting"  # line 137: "16 (AM) March"
    write_status(store_copy, ghana, "cancelled")
    write_status(store_copy, bureau, "postponed")
    data, _ = export(store=store_copy)
    events = events_by_uid(data)
    cancelled = activity_titled(ghana, "2019-10", store_copy)
    check_event(
        events[f"{cancelled.id}@inventory"],
        cancelled,
        1,
        {
            "start": date(2019, 10, 1),
            "end": date(2019, 10, 3),
            "summary": ghana,
            "status": "CANCELLED",
            "location": "Ghana",
            "categories": ["GLACY+"],
            "description": ["Status: cancelled"],
        },
    )
    postponed = activity_titled(bureau, "2020-03", store_copy)
    check_event(
        events[f"{postponed.id}@inventory"],
        postponed,
        1,
        {
            "start": date(2020, 3, 16),
            "end": date(2020, 3, 17),
            "summary": "T-CY Bureau Meeting (postponed)",
            "status": "TENTATIVE",
            "location": "Strasbourg, France",
            "categories": ["T-CY"],
            "description": ["Status: postponed", "16 March 2020: in the morning (AM) only"],
        },
    )


def test_counts_and_unscheduled_left_out(everything: dict[str, Any]) -> None:
    assert len(everything) == EVENTS
    _, stderr = export()
    lines = stderr.splitlines()
    assert lines[0] == f"inventory: left out {UNSCHEDULED} activities with no days known:"
    listed = lines[1:]
    assert len(listed) == UNSCHEDULED
    # Line 97: "RIPE NCC Training for law enforcement, Tbilisi, Georgia, dates TBC".
    ripe = activity_titled("RIPE NCC Training for law enforcement", "2020-01")
    assert f"inventory:   {ripe.id}  January 2020 (dates TBD)  {ripe.title}" in listed
    assert not any(uid.startswith(ripe.id) for uid in everything)


def test_two_exports_are_byte_identical(tmp_path: Path) -> None:
    first, _ = export()
    second, _ = export()
    assert first == second
    target = tmp_path / "out" / "inventory.ics"
    result = runner.invoke(app, ["export", "-s", str(BUNDLED_STORE), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b""
    assert target.read_bytes() == first
    assert f"to {target}" in result.stderr


def test_file_layout() -> None:
    data, _ = export("--project", "T-CY", "--year", "2020")
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75  # RFC 5545, 3.1: folded at 75 octets
    calendar = Calendar.from_ical(data)
    assert str(calendar["PRODID"]) == "-//Cybercrime@CoE//inventory//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Activity inventory (2020)"
    # T-CY in 2020: lines 88 (21-24 January), 137 (16 (AM) March) and 138 (16-20 March).
    starts = sorted(day(e, "DTSTART") for e in calendar.walk("VEVENT"))
    assert starts == [date(2020, 1, 21), date(2020, 3, 16), date(2020, 3, 16)]


@pytest.mark.parametrize(
    ("args", "count"),
    [
        # Lines 143-148: six CyberEast assessments in March 2020, all "dates TBD".
        (["--project", "CyberEast", "--month", "2020-03"], 0),
        # Georgia in Q1 2020 with days: Batumi, 3–7 February, and Tbilisi, 26-28 February;
        # the RIPE NCC training ("dates TBC") and a Tbilisi assessment ("dates TBD") have none.
        (["--country", "Georgia", "--quarter", "Q1-2020"], 2),
        # January 2020: Sierra Leone 22-23, Congo 27-30 and Kyiv 29-30 January, all TBC.
        (["--certainty", "tentative", "--month", "2020-01"], 3),
        # "by 31 January" twice, "by 28 February" twice.
        (["--deadlines", "--year", "2020"], 4),
    ],
)
def test_filters_as_in_list(args: list[str], count: int) -> None:
    data, _ = export(*args)
    assert len(Calendar.from_ical(data).walk("VEVENT")) == count


def test_no_match_is_an_empty_calendar() -> None:
    data, stderr = export("--search", "no such activity anywhere")
    assert Calendar.from_ical(data).walk("VEVENT") == []
    assert "no activities match (the store has 132)" in stderr


@pytest.mark.parametrize(
    ("fmt", "hint"),
    [
        ("json", "'json' is not an export format; expected ics (for json use 'inventory list"),
        ("vcard", "'vcard' is not an export format; expected ics"),
    ],
)
def test_other_formats_are_usage_errors(fmt: str, hint: str) -> None:
    result = runner.invoke(app, ["export", "--format", fmt, "-s", str(BUNDLED_STORE)])
    assert result.exit_code == 2
    assert hint in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_bad_filter_is_a_usage_error() -> None:
    result = runner.invoke(app, ["export", "--month", "2019-13", "-s", str(BUNDLED_STORE)])
    assert result.exit_code == 2


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "a-file"
    folder.write_text("x")
    result = runner.invoke(app, ["export", "-s", str(BUNDLED_STORE), "-o", str(folder / "cal.ics")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"inventory: error: {folder / 'cal.ics'}: cannot write")


def test_core_functions_without_the_cli() -> None:
    activities = load(BUNDLED_STORE).activities
    assert len(unscheduled(activities)) == UNSCHEDULED
    assert to_ics(activities) == to_ics(activities)
    assert to_ics([]).count(b"BEGIN:VEVENT") == 0


# --- a real calendar program --------------------------------------------------------------

KHAL_CONFIG = """\
[calendars]
[[inventory]]
path = {vdir}
type = calendar

[locale]
local_timezone = UTC
default_timezone = UTC
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M

[default]
default_calendar = inventory
"""


def khal(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "khal", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def khal_imported(tmp_path: Path, ics: Path) -> tuple[dict[str, str], Path]:
    """A khal of its own under ``tmp_path`` with ``ics`` imported: its environment and the
    folder of its calendar."""
    config_home, data_home, vdir = tmp_path / "config", tmp_path / "data", tmp_path / "vdir"
    for folder in (config_home / "khal", data_home, vdir):
        folder.mkdir(parents=True)
    (config_home / "khal" / "config").write_text(KHAL_CONFIG.format(vdir=vdir), encoding="utf-8")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(config_home),
        "XDG_DATA_HOME": str(data_home),
        "TZ": "UTC",
    }
    khal(env, "import", "--batch", "-a", "inventory", str(ics))
    return env, vdir


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("khal") is None,
    reason="khal is not installed: pip install -e '.[test]' installs it (the 'test' extra)",
)
def test_khal_reads_the_export(tmp_path: Path, store_copy: Path) -> None:
    write_status(store_copy, "T-CY Bureau Meeting", "cancelled")
    ics = tmp_path / "inventory.ics"
    result = runner.invoke(app, ["export", "-s", str(store_copy), "-o", str(ics)])
    assert result.exit_code == 0, result.stderr
    env, vdir = khal_imported(tmp_path, ics)
    # One file per event in the vdir: khal took every event, the second Ohrid part too.
    assert len(list(vdir.glob("*.ics"))) == EVENTS

    def listing(first: str, last: str) -> dict[str, list[str]]:
        out = khal(
            env, "list", first, last,
            "--day-format", "DAY {date}",
            "--format", "{start-date}|{end-date}|{status}|{title}",
        )  # fmt: skip
        days: dict[str, list[str]] = {}
        for line in out.splitlines():
            if line.startswith("DAY "):
                current = days.setdefault(line[4:], [])
            elif line:
                current.append(line.replace("| ", "|").replace(" |", "|"))
        return days

    october = listing("2019-10-20", "2019-11-02")
    ohrid = (
        "2019-10-21|2019-10-22|CONFIRMED|Introductory training courses on cybercrime, "
        "electronic evidence and online crime proceeds"
    )
    ohrid_2 = ohrid.replace("2019-10-21|2019-10-22", "2019-10-28|2019-10-29")
    fiji = "2019-10-30|2019-11-01|CONFIRMED|Advisory mission on cybercrime legislation"
    for d in ("2019-10-21", "2019-10-22"):
        assert ohrid in october[d]
    for d in ("2019-10-23", "2019-10-24", "2019-10-25", "2019-10-26", "2019-10-27"):
        assert not any("Introductory training courses" in e for e in october.get(d, []))
    for d in ("2019-10-28", "2019-10-29"):
        assert ohrid_2 in october[d]
    for d in ("2019-10-30", "2019-10-31", "2019-11-01"):
        assert fiji in october[d]
    assert "2019-11-02" not in october  # nothing that day: Fiji's exclusive end held

    january = listing("2020-01-22", "2020-01-24")
    tbc = (
        "2020-01-22|2020-01-23|TENTATIVE|Stakeholders' meeting on the new Cybercrime Law, "
        "joint activity with OCWAR-C (TBC)"
    )
    assert tbc in january["2020-01-22"]
    assert tbc in january["2020-01-23"]
    assert not any("OCWAR-C (TBC)" in e for e in january.get("2020-01-24", []))

    november = listing("2019-11-30", "2019-11-30")
    assert (
        "2019-11-30|2019-11-30|CONFIRMED|Deadline: Review of the Cybercrime Bill"
        in (november["2019-11-30"])
    )

    march = listing("2020-03-16", "2020-03-16")
    assert "2020-03-16|2020-03-16|CANCELLED|T-CY Bureau Meeting" in march["2020-03-16"]
    assert (
        "2020-03-16|2020-03-20|CONFIRMED|Protocol Drafting Group Meeting" in (march["2020-03-16"])
    )
