"""Who changed what: one :class:`Change` per write (an ``add``, an ``edit``, a whole
``import``), holding each activity's record before and after. Every store keeps them (a
JSON-lines file beside a CSV or JSON store; a table in the same transaction on SQLite and
PostgreSQL), so ``inventory history`` can list them and ``inventory undo`` revert one.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .errors import InventoryError

if TYPE_CHECKING:
    from .store.base import Store

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


def describe(change: Change, *, width: int = 5) -> list[str]:
    """A change as lines for a terminal: a heading, then what it did to each activity (at
    most ``width`` of them, then a count)."""
    undo = f" (undoes change {change.reverts})" if change.reverts is not None else ""
    lines = [
        f"change {change.number}  {change.at:%Y-%m-%d %H:%M} UTC  {change.author}  "
        f"{change.command}{undo}"
    ]
    for edit in change.edits[:width]:
        lines.append("  " + describe_edit(edit))
    rest = change.edits[width:]
    if rest:
        verbs = {"add": "added", "update": "changed", "remove": "removed"}
        counts = {verb: sum(e.kind == kind for e in rest) for kind, verb in verbs.items()}
        counted = ", ".join(f"{n} {verb}" for verb, n in counts.items() if n)
        lines.append(f"  and {len(rest)} more ({counted})")
    return lines


def describe_edit(edit: Edit) -> str:
    # An update is named by the title it took (E12): the history reads like what the store
    # holds; a renaming says so in its fields ("title").
    record = edit.after or edit.before or {}
    title = str(record.get("title", ""))
    if len(title) > 50:
        title = title[:49] + "…"
    if edit.kind == "add":
        return f"added   {edit.id} {title}"
    if edit.kind == "remove":
        return f"removed {edit.id} {title}"
    fields = changed_fields(edit.before, edit.after)
    return f"changed {edit.id} {title}: {', '.join(fields) or 'nothing visible'}"


# --- undo --------------------------------------------------------------------------------


def undone(changes: list[Change]) -> dict[int, int]:
    """Which changes are undone now, and by which change: an undo that was itself undone
    (a redo) no longer counts."""
    reverters: dict[int, list[int]] = {}
    for change in sorted(changes, key=lambda c: c.number):
        if change.reverts is not None:
            reverters.setdefault(change.reverts, []).append(change.number)
    result: dict[int, int] = {}

    def active(number: int, depth: int = 0) -> bool:
        if depth > 1000:
            return True
        return not any(active(r, depth + 1) for r in reverters.get(number, []))

    for number, by in reverters.items():
        live = [r for r in by if active(r)]
        if live:
            result[number] = live[-1]
    return result


def undo(store: Store, author: Author, number: int | None = None) -> tuple[Change, Change]:
    """Revert change ``number`` (default: the author's last change that is not an undo and
    not undone yet), as a new change recorded with ``reverts``. Refuses, writing nothing,
    when an activity it touched was changed since. Returns (the change undone, the undo)."""
    from .records import from_record, to_record  # an undo writes; history lists alone do not

    everything = store.history(edits=False)
    done = undone(everything)
    if number is None:
        mine = [c for c in everything if c.author == author.name]
        candidates = [c for c in mine if c.reverts is None and c.number not in done]
        if not candidates:
            _check_readable(store, author, 0)
            raise InventoryError(
                f"nothing of {author.name}'s to undo in {store.location}"
                + (" (every change of theirs is undone already)" if mine else ""),
                hint="'inventory history' lists the changes; 'inventory undo CHANGE' undoes one",
            )
        number = candidates[0].number
        _check_readable(store, author, number)
    target = store.change(number)
    if target is None:
        raise InventoryError(
            f"no change {number} in {store.location}", hint="'inventory history' lists them"
        )
    if number in done:
        raise InventoryError(
            f"change {number} is undone already (by change {done[number]})",
            hint=f"'inventory undo {done[number]}' would redo it",
        )
    with store.transaction(author, reverts=number) as batch:
        for edit in target.edits:
            current = batch.current(edit.id)
            now_record = None if current is None else to_record(current)
            if not same_activity(now_record, edit.after):
                raise _changed_since(store, target, edit, now_record)
        for edit in target.edits:
            if edit.before is None:
                batch.remove(edit.id)
            else:
                activity = from_record(edit.before, store.registry)
                if edit.after is None:
                    batch.add(activity)
                else:
                    batch.update(activity)
    assert batch.change is not None or not target.edits
    recorded = batch.change or Change(0, now(), author.name, author.command, (), number)
    return target, recorded


def _check_readable(store: Store, author: Author, newest: int) -> None:
    """Refuse to guess: a line of the history it cannot read, newer than the author's last
    change it can, may have been a later change of theirs."""
    later = [d for d in store.history_damage() if d.unreadable and d.after >= newest]
    if later:
        raise InventoryError(
            f"cannot tell which change is {author.name}'s last: line {later[-1].line} of "
            f"{later[-1].source} {later[-1].what}; nothing was written",
            hint="'inventory validate' shows the history's damage; "
            "'inventory undo CHANGE' undoes a change by its number",
        )


def _changed_since(
    store: Store, target: Change, edit: Edit, current: dict[str, Any] | None
) -> InventoryError:
    later = [c for c in store.history(ident=edit.id, edits=False) if c.number > target.number]
    who = (
        f" by {later[0].author} (change {later[0].number}, {later[0].at:%Y-%m-%d %H:%M} UTC)"
        if later
        else " outside inventory (by hand?)"
    )
    if current is None:
        what = "was removed"
    elif edit.after is None:
        what = "was added again"
    else:
        fields = changed_fields(edit.after, current)
        what = "was changed" + (f" ({', '.join(fields)})" if fields else "")
    return ConflictError(
        f"cannot undo change {target.number}: {edit.id} {what} since{who}; nothing was written",
        hint=(
            f"undo change {later[0].number} first, or edit {edit.id} by hand"
            if later
            else f"edit {edit.id} by hand"
        ),
    )
