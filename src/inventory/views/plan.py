"""An import's plan as a table a person reads in a minute: one row per line that does (or
would do) something, the unsure ones first, each naming the activity as the line has it
now (its new title and dates), what changes, and why a line was not applied."""

from __future__ import annotations

from typing import Any

from ..dates import render_schedule
from ..errors import shortened
from .console import text_table

ORDER = ("weakening", "ambiguous", "possible", "update", "add")
"""The rows' order: what needs a decision first."""

_ACTION = {
    "weakening": "weakening",
    "ambiguous": "ambiguous",
    "possible": "possibly continues",
    "update": "update",
    "add": "add",
}


def label(activity: Any, width: int = 70) -> str:
    """``Title (dates)``: how a plan, or a question before a change, names an activity."""
    return f"{shortened(activity.title, width)} ({render_schedule(activity.schedule)})"


def plan_rows(outcome: Any) -> list[tuple[str, str, str, str, str]]:
    """``(action, id, line, activity, detail)`` for each row of the plan."""
    rows: list[tuple[str, str, str, str, str]] = []
    for name, where in outcome.unknown_projects.items():
        rows.append(
            (
                "unknown project",
                "",
                ", ".join(where),
                name,
                "neither the registry nor the store knows it; --new-project "
                f"{name!r} accepts it, or correct the line",
            )
        )
    steps = sorted(outcome.plan.steps, key=lambda s: ORDER.index(s.kind))
    for step in steps:
        if step.kind == "add" and not (outcome.dry_run or outcome.failed):
            continue
        detail: list[str] = []
        ident = step.activity.id
        if step.kind in ("update", "weakening"):
            detail += [str(c) for c in step.changes]
            detail += [f"refused: {r}" for r in step.reasons]
            if step.kind == "weakening":
                detail.append(f"--allow-weakening {ident} applies it")
        elif step.kind == "ambiguous":
            detail += [f"could continue {c.id} {label(c)}" for c in step.candidates]
            detail += step.reasons
        elif step.kind == "possible":
            target = step.candidates[0]
            detail.append(f"possibly continues {target.id} {label(target)}: {step.reasons[0]}")
            detail.append(
                f"if so: inventory postpone {target.id} --dates "
                f"{render_schedule(step.activity.schedule)!r}, then import again"
            )
        rows.append(
            (
                _ACTION[step.kind],
                ident if step.kind not in ("ambiguous", "possible") else "",
                step.incoming.where,
                label(step.activity),
                "\n".join(detail),
            )
        )
    marked = outcome.marked.value if outcome.marked is not None else None
    for activity in outcome.plan.missing:
        what = f"marked {marked}" if marked else "left as it is (see --mark-missing)"
        rows.append(("not reported", activity.id, "", label(activity), what))
    return rows


def plan_view(outcome: Any) -> Any:
    """The plan as a Rich table, or None when no line does anything worth a row."""
    rows = plan_rows(outcome)
    if not rows:
        return None
    return text_table(["action", "id", "line", "activity (as the line has it)", "detail"], rows)
