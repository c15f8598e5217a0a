"""``inventory undo``: revert a change of the history, checked against the store (the
activities must still be as the change left them), itself recorded as a change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .changes import Author, Change, ConflictError, Edit, changed_fields, now, same_activity
from .errors import InventoryError

if TYPE_CHECKING:
    from .store.base import Store


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
