"""Activities as an iCalendar (RFC 5545) file, for Outlook, Google Calendar or khal.

Built with the ``icalendar`` package (folding, escaping, ``VALUE=DATE``), following the
rules in ``DATES.md``:

* all-day events: ``DTSTART;VALUE=DATE`` and an *exclusive* ``DTEND`` (1-2 October ends
  on 3 October); one event per segment of a split activity ("21-22 and 28-29 October");
* ``UID`` derived from the activity id (``<id>@inventory``, ``<id>-2@inventory`` for a
  second segment), so a re-export updates the events already in a calendar instead of
  duplicating them; ``SEQUENCE`` counts the activity's changes in the store's history and
  ``DTSTAMP`` (with ``LAST-MODIFIED``) is the time of the last one, so a client takes an
  update as newer; with no history, 0 and the activity's first day. Two exports of the
  same store are byte for byte equal;
* ``STATUS:TENTATIVE`` (with Outlook's busy-status hint and "(TBC)" in the summary,
  since Google ignores the status), ``CANCELLED``, else ``CONFIRMED``;
* activities with no days known (``dates TBD``) have no day to put an event on: they
  are left out, and :func:`write` names them through ``Output.note`` (stderr).

No I/O: the caller writes the bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ..changes import Version
from ..dates import render_schedule
from ..model import Activity, Certainty, HalfDay, Precision, Segment, Status
from ..months import day_label
from ..sanitise import printable
from ..vocab import plural
from . import Output

if TYPE_CHECKING:
    from icalendar import Calendar, Event

__all__ = [
    "DOMAIN",
    "PRODID",
    "Export",
    "event_uid",
    "split_dated",
    "to_calendar",
    "to_ics",
    "unscheduled",
]

DOMAIN = "inventory"
"""Right-hand side of every UID: ids are unique within the inventory."""
PRODID = "-//Cybercrime@CoE//inventory//EN"
_STATUS_WORDS = {
    Status.PLANNED: "CONFIRMED",
    Status.HELD: "CONFIRMED",
    Status.CANCELLED: "CANCELLED",
    # Still on its old dates in the store: not to be trusted as confirmed.
    Status.POSTPONED: "TENTATIVE",
}
_VALID_STATUS = {"TENTATIVE", "CONFIRMED", "CANCELLED"}  # RFC 5545, 3.8.1.11, for VEVENT


def unscheduled(activities: Iterable[Activity]) -> list[Activity]:
    """The activities that cannot be put in a calendar: no days known."""
    return split_dated(activities)[1]


def split_dated(activities: Iterable[Activity]) -> tuple[list[Activity], list[Activity]]:
    """The activities with days to put in a calendar, and those with none, each in the order
    given: one pass (testing each against a list of the others was quadratic)."""
    dated: list[Activity] = []
    undated: list[Activity] = []
    for activity in activities:
        (undated if activity.schedule.precision is Precision.MONTH else dated).append(activity)
    return dated, undated


def event_uid(activity: Activity, part: int) -> str:
    """``<id>@inventory`` for the first segment, ``<id>-<n>@inventory`` for the n-th."""
    return f"{activity.id}@{DOMAIN}" if part == 1 else f"{activity.id}-{part}@{DOMAIN}"


def _status(activity: Activity) -> str:
    if activity.status is Status.CANCELLED:
        word = "CANCELLED"
    elif activity.schedule.certainty is Certainty.TENTATIVE:
        word = "TENTATIVE"
    else:
        word = _STATUS_WORDS[activity.status]
    # The icalendar package writes any STATUS it is given.
    if word not in _VALID_STATUS:  # pragma: no cover - the table above only holds valid words
        raise ValueError(f"invalid VEVENT status {word!r}")
    return word


def _summary(activity: Activity) -> str:
    title = activity.title
    if activity.schedule.deadline:
        title = f"Deadline: {title}"
    if activity.schedule.certainty is Certainty.TENTATIVE:
        title += " (TBC)"
    if activity.status is Status.POSTPONED:
        title += " (postponed)"
    return title


def _location(activity: Activity) -> str:
    return activity.place.label if activity.place else ""


def _half_days(segment: Segment) -> list[str]:
    half = {HalfDay.AM: "in the morning (AM)", HalfDay.PM: "in the afternoon (PM)"}
    if segment.start == segment.end:
        return (
            [f"{day_label(segment.start)}: {half[segment.start_half]} only"]
            if segment.start_half
            else []
        )
    out = []
    if segment.start_half:
        out.append(f"Starts {half[segment.start_half]} on {day_label(segment.start)}")
    if segment.end_half:
        out.append(f"Ends {half[segment.end_half]} on {day_label(segment.end)}")
    return out


def _description(activity: Activity, segment: Segment, part: int) -> str:
    schedule = activity.schedule
    lines = [f"Dates: {render_schedule(schedule)}"]
    if schedule.text:
        lines.append(f"Dates as written: {schedule.text}")
    if len(schedule.segments) > 1:
        lines.append(f"Part {part} of {len(schedule.segments)}")
    if schedule.deadline:
        lines.append(f"Due by {day_label(segment.end)}")
    if schedule.certainty is Certainty.TENTATIVE:
        lines.append("Dates to be confirmed (TBC)")
    lines += _half_days(segment)
    if activity.projects:
        lines.append(f"Projects: {', '.join(activity.projects)}")
    if activity.modality:
        lines.append(f"Modality: {activity.modality}")
    if activity.place is not None and activity.place.text not in ("", _location(activity)):
        lines.append(f"Location as written: {activity.place.text}")
    if activity.status is not Status.PLANNED:
        lines.append(f"Status: {activity.status.value}")
    lines.append(f"Inventory id: {activity.id}")
    return "\n".join(line for line in lines if line)


def _stamp(activity: Activity) -> datetime:
    # now() would make every export differ: with no history, midnight UTC of the
    # activity's first day is stable and comes from the data.
    return datetime.combine(activity.schedule.start, time(0, 0), tzinfo=UTC)


def _events(activity: Activity, version: Version | None = None) -> list[Event]:
    from icalendar import Event

    out: list[Event] = []
    status = _status(activity)
    for part, segment in enumerate(activity.schedule.segments, start=1):
        event = Event()
        event.add("uid", event_uid(activity, part))
        event.add("dtstamp", version.changed if version else _stamp(activity))
        event.add("sequence", version.sequence if version else 0)
        if version is not None:
            event.add("last-modified", version.changed)
        # date values give DTSTART;VALUE=DATE; DTEND is exclusive (RFC 5545, 3.6.1).
        event.add("dtstart", segment.start)
        event.add("dtend", segment.end + timedelta(days=1))
        event.add("summary", printable(_summary(activity)))
        event.add("status", status)
        if status == "TENTATIVE":
            # Outlook honours STATUS only when no busy status overrides it.
            event.add("x-microsoft-cdo-busystatus", "TENTATIVE")
        location = _location(activity)
        if location:
            event.add("location", printable(location))
        if activity.projects:
            event.add("categories", [printable(p) for p in activity.projects])
        event.add("description", printable(_description(activity, segment, part)))
        out.append(event)
    return out


def to_calendar(
    activities: Sequence[Activity],
    *,
    name: str | None = None,
    versions: Mapping[str, Version] | None = None,
) -> Calendar:
    """An ``icalendar.Calendar`` with one all-day event per segment of each dated activity,
    in the order given; unscheduled activities are left out. ``versions``: each activity's
    changes in the store's history (``history.versions``)."""
    from icalendar import Calendar

    versions = versions or {}
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", printable(name))
    for activity in activities:
        for event in _events(activity, versions.get(activity.id)):
            calendar.add_component(event)
    return calendar


def to_ics(
    activities: Iterable[Activity],
    *,
    name: str | None = None,
    versions: Mapping[str, Version] | None = None,
) -> bytes:
    """The iCalendar file (CRLF line ends, folded at 75 octets, UTF-8): byte for byte what
    ``to_calendar(...).to_ical()`` gives (tests/test_ics_writer.py holds the two together),
    written directly. The library builds an object per property and parameter and folds
    character by character: about 0.2 ms an event, the whole cost of a large export
    (bench/ics_floor.py measures both)."""
    return b"".join(_chunks(activities, name, versions or {}, Export(())))


_CHUNK = 500
"""Activities whose text is made at a time: a whole store's is never held as lines."""


def _chunks(
    activities: Iterable[Activity],
    name: str | None,
    versions: Mapping[str, Version],
    tally: Export,
) -> Iterator[bytes]:
    """The file in parts, reading the activities once: a store's scan is gone through
    without its models being held. ``tally`` counts what was written and keeps what was
    left out."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_text(PRODID)}", "CALSCALE:GREGORIAN"]
    if name:
        # X-WR-CALNAME is not a standard property: icalendar writes it verbatim, unescaped.
        lines.append(f"X-WR-CALNAME:{printable(name)}")
    for index, activity in enumerate(activities, start=1):
        if activity.schedule.precision is Precision.MONTH:
            tally.left_out.append(activity)
            continue
        tally.written += 1
        _event_lines(activity, versions.get(activity.id), lines)
        if index % _CHUNK == 0:
            yield ("\r\n".join(map(_fold, lines)) + "\r\n").encode("utf-8")
            lines = []
    lines.append("END:VCALENDAR")
    yield ("\r\n".join(map(_fold, lines)) + "\r\n").encode("utf-8")


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545, 3.3.11 says, in icalendar's order of replacements
    (its ``\\N`` is read as a newline first)."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _utc(moment: datetime) -> str:
    """A DATE-TIME in UTC: DTSTAMP and LAST-MODIFIED must be (a naive one is taken as UTC)."""
    moment = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    return f"{moment.year:04}{moment.month:02}{moment.day:02}T{moment:%H%M%S}Z"


def _day(day: date) -> str:
    return f"{day.year:04}{day.month:02}{day.day:02}"


def _fold(line: str) -> str:
    """RFC 5545, 3.1 folding, exactly as icalendar does it: at most 74 octets on the first
    line and a space plus 74 on the others, never inside a UTF-8 character, and a backslash
    or caret that would end a line is carried to the next with what it escapes."""
    if len(line) < 75 and (line.isascii() or len(line.encode("utf-8")) < 75):
        return line
    if line.isascii():
        parts = []
        start = 0
        while len(line) - start > 74:
            end = start + 74
            if line[end - 1] in "\\^":
                end -= 1
            parts.append(line[start:end])
            start = end
        parts.append(line[start:])
        return "\r\n ".join(parts)
    folded: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = 1 if char < "\x80" else len(char.encode("utf-8"))
        if current and count + size >= 75:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                folded.append("".join(current))
                current = [carried]
                count = len(carried)
            else:
                folded.append("".join(current))
                current = []
                count = 0
        current.append(char)
        count += size
    if current:
        folded.append("".join(current))
    return "\r\n ".join(folded)


def _event_lines(activity: Activity, version: Version | None, lines: list[str]) -> None:
    """The content lines of the activity's events, unfolded, in icalendar's order: its
    canonical properties first (SUMMARY, DTSTART, DTEND, DTSTAMP, UID, SEQUENCE), then the
    others alphabetically."""
    status = _status(activity)
    summary = _text(printable(_summary(activity)))
    stamp = _utc(version.changed if version else _stamp(activity))
    sequence = version.sequence if version else 0
    location = _location(activity)
    categories = (
        ",".join(_text(printable(p)) for p in activity.projects) if activity.projects else None
    )
    for part, segment in enumerate(activity.schedule.segments, start=1):
        lines.append("BEGIN:VEVENT")
        lines.append(f"SUMMARY:{summary}")
        lines.append(f"DTSTART;VALUE=DATE:{_day(segment.start)}")
        lines.append(f"DTEND;VALUE=DATE:{_day(segment.end + timedelta(days=1))}")
        lines.append(f"DTSTAMP:{stamp}")
        lines.append(f"UID:{_text(event_uid(activity, part))}")
        lines.append(f"SEQUENCE:{sequence}")
        if categories is not None:
            lines.append(f"CATEGORIES:{categories}")
        lines.append(f"DESCRIPTION:{_text(printable(_description(activity, segment, part)))}")
        if version is not None:
            lines.append(f"LAST-MODIFIED:{stamp}")
        if location:
            lines.append(f"LOCATION:{_text(printable(location))}")
        lines.append(f"STATUS:{status}")
        if status == "TENTATIVE":
            lines.append("X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE")
        lines.append("END:VEVENT")


@dataclass
class Export:
    """Activities for a calendar given one at a time (a store's scan), so that a whole
    store's export never holds their models. As the file is written, ``written`` counts the
    activities put in it and ``left_out`` keeps those with no day."""

    activities: Iterable[Activity]
    title: str | None = None
    versions: Mapping[str, Version] = field(default_factory=dict)
    left_out: list[Activity] = field(default_factory=list)
    written: int = 0
    kind = "activities"


def write(result: Any, out: Output) -> None:
    """The dated activities of a listing (or an :class:`Export`) as an iCalendar file; the
    ones left out, which have no day to put them on, are named through ``out.note``."""
    tally = result if isinstance(result, Export) else Export(())
    out.write_bytes(b"".join(_chunks(result.activities, result.title, result.versions, tally)))
    left_out = tally.left_out
    if left_out:
        out.note(f"left out {plural(len(left_out), 'activity')} with no days known:")
        for activity in left_out:
            out.note(
                printable(
                    f"  {activity.id}  {render_schedule(activity.schedule)}  {activity.title}"
                )
            )
