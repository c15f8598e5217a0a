"""Pictures of a period: ``calendar``, ``timeline``, ``clashes``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..clashes import DEFAULT_MIN_SCORE, find_pairs, store_corpus
from ..formats import Pairs
from ..months import Period, month_label, month_period, quarter_label, quarter_period
from ..planning import build_calendar, build_timeline, plotted_taking_place, taking_place
from ..query import Criteria
from ..store import Store
from . import completion
from .filters import NO_FILTERS, PICTURE, Filters, filter_options
from .options import (
    JsonOpt,
    ViewFormatOpt,
    clamp,
    command,
    emit,
    module_app,
    pick_format,
    reading,
    reference_day,
    say,
)
from .root import StoreOpt
from .typer_compat import whole_number

app = module_app()

AsciiOpt = Annotated[
    bool,
    typer.Option("--ascii", help="Plain ASCII characters and no colour, even on a terminal."),
]
GROUPINGS = ("project", "country")


def _period(
    store: Store, where: Criteria, period: Period | None, label: str | None, kind: str
) -> tuple[Period, str, bool]:
    """The period to draw: as named, this month or quarter when none is, and an open end cut
    to the activities. The flag says whether any activity falls in it (else, a hint)."""
    if period is None:
        # This month (calendar) or this quarter (timeline), as cal shows this month.
        today = reference_day(None)
        period = month_period(today) if kind == "month" else quarter_period(today)
        label = month_label(today) if kind == "month" else quarter_label(today)
    clamped = clamp(period, store, where)
    if clamped is None:
        _nothing(store, where, period, label or "")
        return period, label or "", False
    period = clamped
    if not store.count(where.but(period=period)):
        _nothing(store, where, period, label or "")
        return period, label or "", False
    return period, label or "", True


def _nothing(store: Store, where: Criteria, period: Period, label: str) -> None:
    """Say why a picture is empty: the period, or the filters."""
    focus = where.but(period=None)
    span = store.bounds(focus)
    whole = store.bounds()
    if whole is None:
        say("the store is empty")
        return
    what = "activities"
    if where.projects:
        what = f"{', '.join(where.projects)} activities"
    if span is None:
        say(f"no {what} in the store (it covers {whole[0]} to {whole[1]})")
        return
    say(f"no {what} in {label}; they run from {span[0]} to {span[1]}")
    say(f"hint: try --month {span[0].year}-{span[0].month:02d}")


@command(app, "calendar")
@filter_options(PICTURE)
def calendar_cmd(
    store: StoreOpt = None,
    filters: Filters = NO_FILTERS,
    ascii_: AsciiOpt = False,
    fmt: ViewFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A month grid like cal: how many activities run on each day.

    An activity counts on each day of each of its parts (not in the gap between two
    parts), a deadline on its due day; one with dates TBD is listed under its month.
    Days with an activity whose dates are to be confirmed are marked '?'. With no
    period, this month ($INVENTORY_TODAY, else today).

    \b
    Examples:
      inventory calendar --month 2019-11
      inventory calendar --quarter Q1-2020 --project GLACY+
      inventory calendar --month 2020-03 --json | jq '.days["2020-03-16"]'
    """
    output = pick_format(fmt, as_json)
    period, label = filters.period()
    with reading(store) as opened:
        where = filters.criteria(opened).but(period=None)
        period, label, _ = _period(opened, where, period, label, "month")
        chosen = taking_place(opened.select(where.but(period=period)))
    emit(build_calendar(chosen, period, label), output, ascii=True if ascii_ else None)


@command(app, "timeline")
@filter_options(PICTURE)
def timeline_cmd(
    store: StoreOpt = None,
    filters: Filters = NO_FILTERS,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="project|country",
            help="Group the rows by project or by country.",
            autocompletion=completion.choices(*GROUPINGS),
        ),
    ] = "project",
    ascii_: AsciiOpt = False,
    fmt: ViewFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A Gantt chart of a period: one bar per activity, grouped by project or country.

    Confirmed days are solid, dates to be confirmed shaded ('?' in ASCII), an activity
    with dates TBD a faint band over its month. An activity with several projects (or
    countries) appears under each. On a terminal the chart fits the screen; piped, it
    is plain ASCII with whole titles. With no period, this quarter.

    \b
    Examples:
      inventory timeline --quarter Q1-2020
      inventory timeline --month 2019-11 --by country
      inventory timeline --quarter Q1-2020 --project CyberEast --json
    """
    output = pick_format(fmt, as_json)
    grouping = by.strip().lower()
    if grouping not in GROUPINGS:
        from ..errors import UsageError

        raise UsageError(f"invalid value for --by: {by!r}; expected one of {', '.join(GROUPINGS)}")
    period, label = filters.period()
    with reading(store) as opened:
        where = filters.criteria(opened).but(period=None)
        period, label, any_ = _period(opened, where, period, label, "quarter")
        # Plotted from the records the store keeps, as list --json prints them: no model each.
        chosen = plotted_taking_place(opened.select(where.but(period=period)).rows) if any_ else []
    only = where.countries if grouping == "country" else where.projects
    emit(
        build_timeline(chosen, period, label, grouping, only),
        output,
        ascii=True if ascii_ else None,
    )


@command(app, "clashes")
@filter_options(PICTURE)
def clashes_cmd(
    store: StoreOpt = None,
    filters: Filters = NO_FILTERS,
    min_score: Annotated[
        int,
        typer.Option(
            "--min-score",
            parser=whole_number(0, 100),
            metavar="0-100",
            help="Show pairs scoring at least this; 0 shows every pair found.",
        ),
    ] = DEFAULT_MIN_SCORE,
    fmt: ViewFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pairs of activities that overlap in time: likely duplicates, clashes, parallel load.

    The evidence is weighed into a score with the reasons shown: the same or
    overlapping days, the same city or country (or a place of one named in the
    other's title), a shared project, similar wording. 'likely duplicate': one
    activity listed twice; 'same place, same time': a clash; 'parallel load': one
    project busy in several places at once. Duplicates come first, then clashes, then
    parallel load, by score. --project/--country keep the pairs involving them.

    \b
    Examples:
      inventory clashes --quarter Q4-2019
      inventory clashes --quarter Q1-2020 --project GLACY+ --min-score 0
      inventory clashes --json | jq '.[] | select(.kind == "likely duplicate")'
    """
    output = pick_format(fmt, as_json)
    period, label = filters.period()
    with reading(store) as opened:
        # The period's activities, scored against the whole store's counts (its words,
        # cities and countries), so a pair scores the same whatever the period asked for.
        candidates = taking_place(opened.select(Criteria(period=period)))
        corpus = store_corpus(opened)
        focus = filters.criteria(opened).but(period=None)
    pairs = find_pairs(
        candidates,
        corpus=corpus,
        min_score=min_score,
        focus=focus.matches if (filters.project or filters.country) else None,
    )
    if not pairs:
        say(f"no pairs score {min_score} or more among {len(candidates)} activities")
        if min_score:
            say("hint: --min-score 0 shows every pair that overlaps")
    title = f"Clashes, {label or 'the whole store'}, score {min_score}+"
    emit(Pairs(pairs, title), output)
