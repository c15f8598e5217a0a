"""Checks that change nothing: ``validate``, the whole store's problems with their file,
line and field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated

import typer

from ..errors import Problem
from ..formats import Data
from ..vocab import plural
from .options import (
    DataFormatOpt,
    JsonOpt,
    command,
    current_run,
    emit,
    module_app,
    pick_format,
    progress,
    reading,
    say,
    shown_path,
)
from .root import StoreOpt

app = module_app()


@command(app, "validate")
def validate_cmd(
    store: StoreOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    fmt: DataFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the whole store and print every problem with its file, line and field.

    Errors (rows that cannot be read) make it exit 1. Warnings (no or unknown project,
    likely duplicates as 'clashes' scores them, derived columns that disagree with the
    dates) are printed and exit 0, or 1 with --strict.

    \b
    Examples:
      inventory validate
      inventory validate --store shared/activities.csv --strict
      inventory validate --json | jq '.[] | select(.severity == "error")'
    """
    from ..validation import Tally, check, check_history, proven_by_cache, written_by_hand

    output = pick_format(fmt, as_json)
    tally = Tally()
    counts = {"error": 0, "warning": 0}
    with reading(store, warn=False) as opened:
        location = shown_path(opened.location)
        unreadable = [replace(p, source=location) for p in opened.problems()]
        unreadable += check_history(
            [replace(d, source=shown_path(d.source)) for d in opened.history_damage()],
            opened.history(),
            opened.by_ids,
            source=location,
        )
        problems = check(
            opened.scan(),
            opened.registry,
            source=location,
            count=opened.count(),
            unreadable=unreadable,
            as_written=written_by_hand(opened),
            progress=progress("Checking the store"),
            tally=tally,
            records=opened.scan_records(),
            proven=proven_by_cache(opened),
        )
        if current_run().output().terminal:
            # Read on a terminal, not piped: the bar ends before the lines show, as it
            # always did (they would break into it), so the problems are gathered first.
            problems = iter(list(problems))

        def counted() -> Iterator[Problem]:
            for problem in problems:
                counts[problem.severity] = counts.get(problem.severity, 0) + 1
                yield problem

        # Written as they are found: a big store's problems are not all held at once.
        # Only one of the two is read, as the format chosen asks.
        records = (
            {
                "source": p.source,
                "line": p.line,
                "field": p.field,
                "severity": p.severity,
                "message": p.message,
            }
            for p in counted()
        )
        emit(Data(records, (str(p) for p in counted())), output)
    errors = counts["error"]
    warnings = sum(counts.values()) - errors
    say(
        f"{location}: {plural(tally.activities, 'activity')}, {plural(errors, 'error')}, "
        f"{plural(warnings, 'warning')}"
    )
    if errors or (strict and warnings):
        raise typer.Exit(1)
