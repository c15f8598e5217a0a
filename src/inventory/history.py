"""Who changed what: one :class:`Change` per write (an ``add``, an ``edit``, a whole
``import``), holding each activity's record before and after. Every store keeps them (a
JSON-lines file beside a CSV or JSON store; a table in the same transaction on SQLite and
PostgreSQL), so ``inventory history`` can list them and ``inventory undo`` revert one.
"""

from __future__ import annotations

import getpass
import os
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


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class ConflictError(InventoryError):
    """Someone else changed an activity between this command's read and its write."""


def conflict(ident: str, fields: list[str], by: Change | None) -> ConflictError:
    who = f" by {by.author} (change {by.number}, {by.at:%Y-%m-%d %H:%M} UTC)" if by else ""
    what = ", ".join(fields) if fields else "it"
    return ConflictError(
        f"{ident} was changed{who} while this command ran ({what}); nothing was written",
        hint=f"look at it again with 'inventory show {ident}' and repeat your change",
    )
