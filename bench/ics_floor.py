"""What an iCalendar export costs per event, with the models already built: the icalendar
library alone (building and serialising events whose property values are given), the
library driven by ``formats.ics.to_calendar`` (the values computed from each activity), and
``formats.ics.to_ics``, which writes the same bytes directly.

    python bench/ics_floor.py --rows 5000          # a generated store of 5000 activities
    python bench/ics_floor.py --store some.csv     # or any store

Prints microseconds per event (best of ``--runs``, CPU time of this process).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _best(runs: int, work: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def _values(activities: list[Any], versions: dict[str, Any]) -> list[dict[str, Any]]:
    """Each event's property values, computed once: what the library alone is given."""
    from inventory.formats import ics

    out = []
    for activity in activities:
        version = versions.get(activity.id)
        for part, segment in enumerate(activity.schedule.segments, start=1):
            out.append(
                {
                    "uid": ics.event_uid(activity, part),
                    "dtstamp": version.changed if version else ics._stamp(activity),
                    "sequence": version.sequence if version else 0,
                    "dtstart": segment.start,
                    "dtend": segment.end + timedelta(days=1),
                    "summary": ics._summary(activity),
                    "status": ics._status(activity),
                    "location": ics._location(activity),
                    "categories": list(activity.projects),
                    "description": ics._description(activity, segment, part),
                }
            )
    return out


def library_alone(events: list[dict[str, Any]]) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//bench//EN")
    calendar.add("version", "2.0")
    for values in events:
        event = Event()
        for key, value in values.items():
            if value or key == "sequence":
                event.add(key, value)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="activities to generate")
    parser.add_argument("--store", help="a store to read instead of a generated one")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    import icalendar

    from inventory.changes import versions as versions_of
    from inventory.formats import ics
    from inventory.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        target = args.store
        if target is None:
            import generate

            target = str(Path(folder) / "store.csv")
            generate.write(Path(target), args.rows)
        with open_store(target) as store:
            dated, _ = ics.split_dated(store.select())
            versions = dict(versions_of(store.history()))
    events = _values(dated, versions)
    n = len(events)
    alone = _best(args.runs, lambda: library_alone(events))
    ours_lib = _best(args.runs, lambda: ics.to_calendar(dated, versions=versions).to_ical())
    direct = _best(args.runs, lambda: ics.to_ics(dated, versions=versions))
    same = ics.to_calendar(dated, versions=versions).to_ical() == ics.to_ics(
        dated, versions=versions
    )
    print(f"{len(dated)} dated activities, {n} events; icalendar {icalendar.__version__}")
    print(f"icalendar alone, values given (build + to_ical): {alone / n * 1e6:8.1f} µs/event")
    print(f"to_calendar(...).to_ical() (the library's way):  {ours_lib / n * 1e6:8.1f} µs/event")
    print(f"to_ics (written directly):                        {direct / n * 1e6:8.1f} µs/event")
    print(f"library alone / direct: {alone / direct:.1f}x; the same bytes: {same}")


if __name__ == "__main__":
    main()
