"""Activity ids: short, typed easily, and derived from what an activity *is*.

Deriving the id from the meaning (month, title, place, dates) rather than from a
counter is what makes re-importing the same newsletter a no-op, and makes the
newsletter text that ``report --format text`` prints import back to the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterator

from .dates import render_schedule
from .model import Place, Schedule
from .places import fold

# Crockford's base32: no i, l, o, u, so an id read aloud or retyped survives.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LENGTH = 8


def _base32(digest: bytes, length: int) -> str:
    number = int.from_bytes(digest, "big")
    out = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        out.append(ALPHABET[rest])
    return "".join(out)


def identity(title: str, place: Place | None, schedule: Schedule) -> str:
    """The text an id is derived from: case, accents and spacing do not count."""
    where = ""
    if place is not None:
        where = "|".join([fold(place.city or ""), *sorted(c.code for c in place.countries)])
    return "\n".join([schedule.month, fold(title), where, render_schedule(schedule)])


def derive_id(
    title: str, place: Place | None, schedule: Schedule, taken: Container[str] = ()
) -> str:
    """A new id for this activity, different from every id in ``taken``."""
    for candidate in candidate_ids(title, place, schedule):
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: the candidates never end")


def candidate_ids(title: str, place: Place | None, schedule: Schedule) -> Iterator[str]:
    """The ids this activity can have, in the order they are given: the same title, place
    and dates for several projects take the first ones free, one each."""
    base = identity(title, place, schedule)
    salt = 0
    while True:
        text = base if salt == 0 else f"{base}\n{salt}"
        yield _base32(hashlib.sha256(text.encode()).digest(), LENGTH)
        salt += 1
