"""Checking a whole store: rows that cannot be read (errors), and what a person should look
at (warnings): a missing or unknown project, dates outside a project's duration, derived
columns that disagree with the dates, and likely duplicates.

Likely duplicates are what ``clashes`` calls them (``pairs.find_pairs``, asked only for
that kind, which keeps the search to activities a place links), so the two commands never
disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .errors import Problem
from .model import Activity
from .pairs import DEFAULT_MIN_SCORE, PairKind, find_pairs
from .projects import Registry, outside_duration
from .records import to_row
from .vocab import DERIVED


def validate(
    activities: Sequence[Activity],
    registry: Registry,
    *,
    source: str,
    unreadable: Sequence[Problem] = (),
    as_written: dict[str, tuple[int, dict[str, str]]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Problem]:
    """Every problem of a store: ``unreadable`` rows first, then warnings, each with the
    line of its row where ``as_written`` (a CSV store's id -> line and cells) knows it.
    ``progress`` is told how far it got: the activities, then the duplicate search."""
    as_written = as_written or {}
    problems = list(unreadable)

    def warn(activity: Activity, message: str, field: str | None = None) -> None:
        line = as_written.get(activity.id, (None, {}))[0]
        problems.append(Problem(f"{activity.id}: {message}", line, field, "warning", source))

    for done, activity in enumerate(activities):
        if progress is not None and done % 2000 == 0:
            progress(done, 2 * len(activities))
        if not activity.projects:
            warn(activity, "no project", "projects")
        for name in activity.projects:
            if registry.find(name) is None:
                known = ", ".join(p.name for p in registry.projects)
                warn(activity, f"unknown project {name!r}; known: {known}", "projects")
        for reason in outside_duration(activity, registry):
            warn(activity, reason, "dates")
        written = as_written.get(activity.id)
        if written is not None:
            cells = written[1]
            expected = to_row(activity)
            for column in DERIVED:
                found = (cells.get(column) or "").strip()
                if column in cells and found and found != expected[column]:
                    warn(
                        activity,
                        f"{column} is {found!r} but dates {activity.schedule.text!r} give "
                        f"{expected[column]!r}; the dates column wins and the next write "
                        "corrects it",
                        column,
                    )

    def searching(done: int, total: int) -> None:
        if progress is not None:  # the second half of the bar: the duplicate search
            progress(len(activities) + done * len(activities) // max(total, 1), 2 * len(activities))

    duplicates = find_pairs(
        activities, kinds=(PairKind.DUPLICATE,), min_score=DEFAULT_MIN_SCORE, progress=searching
    )
    for pair in sorted(duplicates, key=lambda p: (p.first.sort_key(), p.second.sort_key())):
        line = as_written.get(pair.first.id, (None, {}))[0]
        where = f" (line {line})" if line else ""
        reasons = "; ".join(r.text for r in pair.reasons)
        warn(
            pair.second,
            f"likely duplicate of {pair.first.id}{where}, score {pair.score}: {reasons}",
            "title",
        )
    return problems
