"""A change of the history as a person reads it: ``inventory history``'s lines."""

from __future__ import annotations

from ..changes import Change, Edit, changed_fields


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
