"""Checking a whole store: rows that cannot be read (errors), and what a person should look
at (warnings): a missing or unknown project, dates outside a project's duration, derived
columns that disagree with the dates, and likely duplicates.

Likely duplicates are searched among activities that share a project and overlap in time
(a sweep over each project's activities by first day, not every pair of the store), and
their titles compared with ``rapidfuzz`` (C, not difflib).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from rapidfuzz import fuzz

from .errors import Problem
from .model import Activity, Place
from .places import fold
from .projects import Registry, outside_duration
from .records import DERIVED, to_row

TITLE_SIMILARITY = 80
"""rapidfuzz's ``token_set_ratio`` of the folded titles, 0-100, from which two activities
of a project at the same time and place are reported as likely the same. Retuned from
difflib's 85%: on the bundled store no pair of different activities scores above 61, and
the ways one activity gets entered twice (a typo, a word added or dropped, words reordered,
a curly apostrophe) score 88 or more (tests/test_validation.py)."""

Progress = Callable[[int, int], None]


def _same_place(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return True
    return bool({c.code for c in a.countries} & {c.code for c in b.countries}) or (
        not a.countries and not b.countries
    )


def _overlap(a: Activity, b: Activity) -> bool:
    return a.schedule.overlaps(b.start, b.end) and b.schedule.overlaps(a.start, a.end)


def likely_duplicates(
    activities: Iterable[Activity], threshold: float = TITLE_SIMILARITY
) -> list[tuple[Activity, Activity, float]]:
    """Pairs with a shared project, overlapping dates, the same country and titles at least
    ``threshold`` alike: the same activity entered twice. Each pair once, in store order."""
    by_project: dict[str, list[Activity]] = defaultdict(list)
    titles: dict[str, str] = {}
    for activity in activities:
        titles[activity.id] = fold(activity.title)
        for project in activity.projects:
            by_project[project].append(activity)
    found: dict[tuple[str, str], tuple[Activity, Activity, float]] = {}
    for group in by_project.values():
        group.sort(key=lambda a: (a.start, a.id))
        running: list[Activity] = []
        for activity in group:
            running = [r for r in running if r.end >= activity.start]
            for other in running:
                key = (other.id, activity.id)
                if key in found or not _overlap(other, activity):
                    continue
                if not _same_place(other.place, activity.place):
                    continue
                score = fuzz.token_set_ratio(titles[other.id], titles[activity.id])
                if score >= threshold:
                    found[key] = (other, activity, score / 100)
            running.append(activity)
    return sorted(found.values(), key=lambda p: (p[0].sort_key(), p[1].sort_key()))


def validate(
    activities: Sequence[Activity],
    registry: Registry,
    *,
    source: str,
    unreadable: Sequence[Problem] = (),
    as_written: dict[str, tuple[int, dict[str, str]]] | None = None,
) -> list[Problem]:
    """Every problem of a store: ``unreadable`` rows first, then warnings, each with the
    line of its row where ``as_written`` (a CSV store's id -> line and cells) knows it."""
    as_written = as_written or {}
    problems = list(unreadable)

    def warn(activity: Activity, message: str, field: str | None = None) -> None:
        line = as_written.get(activity.id, (None, {}))[0]
        problems.append(Problem(f"{activity.id}: {message}", line, field, "warning", source))

    for activity in activities:
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
    for first, second, score in likely_duplicates(activities):
        line = as_written.get(first.id, (None, {}))[0]
        where = f" (line {line})" if line else ""
        warn(
            second,
            f"likely duplicate of {first.id}{where}: same project, overlapping dates, "
            f"titles {score:.0%} alike",
            "title",
        )
    return problems
