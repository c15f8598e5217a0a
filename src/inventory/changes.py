"""Who changed what, as values: one :class:`Change` per write (an ``add``, an ``edit``, a
whole ``import``), holding each activity's record before and after, and how two records
compare. Every store keeps them (a JSON-lines file beside a CSV or JSON store; a table in
the same transaction on SQLite and PostgreSQL), so ``inventory history`` can list them and
``inventory undo`` (``undo.py``) revert one; ``views/history.py`` says them to a person.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import InventoryError

ENV_AUTHOR = "INVENTORY_AUTHOR"


@dataclass(frozen=True)
class Edit:
    """One activity's part in a change; ``before`` is None for an add, ``after`` for a
    removal. Both are JSON records (``records.to_record``)."""

    id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "add"
        return "remove" if self.after is None else "update"

    def fields(self) -> list[str]:
        """The fields that differ, in record order."""
        before, after = self.before or {}, self.after or {}
        keys = dict.fromkeys([*before, *after])
        return [k for k in keys if before.get(k) != after.get(k) and k != "id"]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Change:
    """One write to a store."""

    number: int
    at: datetime
    author: str
    command: str
    edits: tuple[Edit, ...] = ()
    reverts: int | None = None
    """The change this one undid, for ``undo``."""

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.number,
            "at": self.at.isoformat(timespec="seconds"),
            "author": self.author,
            "command": self.command,
            "reverts": self.reverts,
            "edits": [e.to_json() for e in self.edits],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls(
            number=int(data["change"]),
            at=datetime.fromisoformat(data["at"]),
            author=str(data.get("author", "")),
            command=str(data.get("command", "")),
            reverts=data.get("reverts"),
            edits=tuple(
                Edit(id=str(e["id"]), before=e.get("before"), after=e.get("after"))
                for e in data.get("edits", [])
            ),
        )


@dataclass(frozen=True)
class Damage:
    """A line of a history that is wrong: one it cannot read (not JSON, cut off), or a
    change whose number repeats or goes back."""

    line: int
    after: int
    """The number of the last change readable before it (0: none)."""
    what: str
    source: str
    unreadable: bool = False
    """The line cannot be read: it may have been any change, a newer one included."""

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.what}"


@dataclass(frozen=True)
class Author:
    """Who is writing, and with what command: recorded with each change."""

    name: str = field(default_factory=lambda: default_author())
    command: str = ""


def default_author() -> str:
    """``$INVENTORY_AUTHOR``, else the operating-system user."""
    name = os.environ.get(ENV_AUTHOR, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Version:
    """How often an activity was changed since it was added, and when it last was: what a
    calendar needs to take an exported event's update (iCalendar's SEQUENCE and DTSTAMP)."""

    sequence: int
    changed: datetime


def versions(changes: Iterable[Change]) -> dict[str, Version]:
    """The :class:`Version` of each activity changed since it was added, from the history in
    any order. An activity only ever added has none (its export stays the same whichever
    store, or import, it came from); one removed and added again starts over."""
    out: dict[str, Version] = {}
    for change in sorted(changes, key=lambda c: c.number):
        for edit in change.edits:
            if edit.before is None or edit.after is None:
                out.pop(edit.id, None)
            else:
                previous = out.get(edit.id)
                out[edit.id] = Version(previous.sequence + 1 if previous else 1, change.at)
    return out


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class ConflictError(InventoryError):
    """Someone else changed an activity between this command's read and its write."""


FIELD_NAMES = {"schedule": "dates", "place": "location", "extra": "extra columns"}
"""A record's keys as a person names them (the options of ``edit``)."""
_UNSTABLE = ("text", "year_inferred", "edtf")
"""Parts of a record's schedule that a CSV store may spell differently when it reads a row
back (the text as typed, or as rendered) without the activity being any different."""


def _comparable(record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    out = dict(record)
    if isinstance(out.get("schedule"), dict):
        out["schedule"] = {k: v for k, v in out["schedule"].items() if k not in _UNSTABLE}
    return out


def same_activity(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Whether two records (or absences) are the same activity."""
    return _comparable(a) == _comparable(b)


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The fields that differ, named as a person names them ("dates", "location")."""
    if before is None or after is None:
        return []
    a, b = _comparable(before) or {}, _comparable(after) or {}
    keys = dict.fromkeys([*a, *b])
    return [FIELD_NAMES.get(k, k) for k in keys if k != "id" and a.get(k) != b.get(k)]


def conflict(
    ident: str, fields: list[str], by: Change | None, *, what: str = "changed"
) -> ConflictError:
    """The error of a write that lost a race: ``ident`` was ``what`` (changed, removed,
    added) by someone else since this command read it."""
    who = f" by {by.author} (change {by.number}, {by.at:%Y-%m-%d %H:%M} UTC)" if by else ""
    if fields and what != "removed":
        who += f": {', '.join(fields)}"
    hint = (
        f"'inventory history {ident}' shows what happened to it"
        if what == "removed"
        else f"look at it again with 'inventory show {ident}' and repeat your change"
    )
    return ConflictError(
        f"{ident} was {what}{who} while this command ran; nothing was written", hint=hint
    )


# --- reading the history as a person does --------------------------------------------------
