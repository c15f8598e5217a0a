"""Who changed what: ``history`` and ``undo``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import UsageError
from ..formats import Data, Format
from ..undo import undo
from ..views.history import describe
from .options import (
    AuthorOpt,
    FromOpt,
    JsonOpt,
    LimitOpt,
    MonthOpt,
    QuarterOpt,
    ToOpt,
    YearOpt,
    author,
    bad,
    command,
    emit,
    module_app,
    reading,
    resolve_period,
    say,
    writing,
)
from .root import StoreOpt

app = module_app()


@command(app, "history")
def history_cmd(
    ident: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]", help="Only the changes of this activity (an id or a unique prefix)."
        ),
    ] = None,
    who: Annotated[
        str | None,
        typer.Option("--author", metavar="NAME", help="Only this author's changes."),
    ] = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    limit: LimitOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The changes made to the store, newest first. Who, when (UTC), with what command, and
    what it did to each activity. --json gives each activity's fields before and after.
    A period (--month, --quarter, --year, --from, --to) selects changes by when they were
    made, not by the activities' dates.

    \b
    Examples:
      inventory history
      inventory history 02n8dtsy
      inventory history --author jane --month 2026-11
      inventory history --limit 1 --json
    """
    if who is not None and not who.strip():
        raise bad("--author", "is empty; expected a name")
    period, _ = resolve_period(month, quarter, year, start, end)
    with reading(store, warn=False) as opened:
        key = None
        if ident is not None:
            key = ident.strip().lower()
            if not key:
                raise bad("ID", "is empty; expected an id such as 02n8dtsy")
            # A removed activity is in the history only: an exact id is taken as it is.
            if not opened.history(ident=key, limit=1, edits=False):
                key = opened.get(key).id
        changes = opened.history(ident=key, author=who, period=period, limit=limit)
        where = opened.location
    if not changes:
        say(f"no changes recorded in {where}" + (" that match" if key or who or period else ""))
    lines = [line for change in changes for line in describe(change)]
    emit(Data([c.to_json() for c in changes], lines), Format.JSON if as_json else Format.TABLE)


@command(app, "undo")
def undo_cmd(
    number: Annotated[
        str | None,
        typer.Argument(
            metavar="[CHANGE]",
            help="The number of the change to undo (see 'inventory history'). Default: your "
            "last change not undone yet.",
        ),
    ] = None,
    store: StoreOpt = None,
    by: AuthorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Undo a change (default: your last one), recorded as a change. It puts back every
    activity it touched as it was before (so an undo can be undone too). Refuses, writing
    nothing, if one of those activities was changed since.

    \b
    Examples:
      inventory undo
      inventory undo 42
      inventory undo --author "Jane Officer"
    """
    wanted: int | None = None
    if number is not None:
        text = number.strip().removeprefix("#")
        if not text.isdigit() or int(text) == 0:
            raise UsageError(
                f"invalid value for CHANGE: {number!r}; expected a change number such as 42 "
                "('inventory history' lists them)"
            )
        wanted = int(text)
    who = author("undo", by)
    with writing(store) as opened:
        if wanted is not None and opened.change(wanted) is None:
            # A number typed on the command line that names nothing is a usage error (exit
            # 2), as an unknown id or project is (E7).
            raise UsageError(
                f"no change {wanted} in {opened.location}", hint="'inventory history' lists them"
            )
        target, recorded = undo(opened, who, wanted)
    for line in describe(target):
        say("undid " + line.strip() if line.startswith("change") else line)
    say(f"recorded as change {recorded.number}")
    if as_json:
        emit(Data(recorded.to_json()), Format.JSON)
