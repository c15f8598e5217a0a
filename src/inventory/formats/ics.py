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

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from icalendar import Calendar, Event

from ..changes import Version
from ..dates import render_schedule
from ..model import Activity, Certainty, HalfDay, Precision, Segment, Status
from ..months import day_label
from ..sanitise import printable
from ..vocab import plural
from . import Output

__all__ = ["DOMAIN", "PRODID", "event_uid", "to_calendar", "to_ics", "unscheduled"]

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
    return [a for a in activities if a.schedule.precision is Precision.MONTH]


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
    activities: Sequence[Activity],
    *,
    name: str | None = None,
    versions: Mapping[str, Version] | None = None,
) -> bytes:
    """The iCalendar file (CRLF line ends, folded at 75 octets, UTF-8)."""
    data: bytes = to_calendar(activities, name=name, versions=versions).to_ical()
    return data


def write(result: Any, out: Output) -> None:
    """The dated activities of a listing as an iCalendar file; the ones left out, which have
    no day to put them on, are named through ``out.note``."""
    left_out = unscheduled(result.activities)
    dated = [a for a in result.activities if a not in left_out]
    out.write_bytes(to_ics(dated, name=result.title, versions=result.versions))
    if left_out:
        out.note(f"left out {plural(len(left_out), 'activity')} with no days known:")
        for activity in left_out:
            out.note(
                printable(
                    f"  {activity.id}  {render_schedule(activity.schedule)}  {activity.title}"
                )
            )
