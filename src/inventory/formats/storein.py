"""Reading another store file as input: a SQLite store, read through ``SqliteStore`` in the
order it stored its rows, so that a CSV -> SQLite -> JSON -> CSV round trip keeps the order
of the rows. (CSV and JSON stores are read by the CSV and JSON readers, in file order.)"""

from __future__ import annotations

from ..errors import StoreError
from .readers import Context, Incoming, Reading, Source


def read(source: Source, context: Context, kind: str = "sqlite") -> Reading:
    from ..store.sqlite import SqliteStore

    if source.path is None:
        raise StoreError(
            "is a SQLite store; it cannot be read from standard input",
            source=source.label,
            hint="pass its file name: inventory import other.db",
        )
    store = SqliteStore(source.path)
    try:
        activities = store.in_stored_order()
    finally:
        store.close()
    reading = Reading(kind="SQLite store")
    for number, activity in enumerate(activities, start=1):
        reading.items.append(
            Incoming(activity, None, f"{source.label} (row {number})", activity.status, False)
        )
    return reading
