"""Questions: ``list``, ``upcoming``, ``show``, ``report``, ``export``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Annotated, Any

import typer

from ..errors import UsageError
from ..formats import Detail, Format, Listing, Summary
from ..query import upcoming_criteria
from ..store import Store
from ..vocab import plural
from .filters import LIST, NO_FILTERS, REPORT, UPCOMING, Filters, filter_options
from .options import (
    AsOfOpt,
    IdsArg,
    JsonOpt,
    ListFormatOpt,
    OutputOpt,
    ReportFormatOpt,
    ShowFormatOpt,
    bad,
    command,
    day_option,
    emit,
    module_app,
    pick_format,
    reading,
    reference_day,
    rendered,
    say,
    write_output,
)
from .root import StoreOpt
from .typer_compat import whole_number

app = module_app()

MAX_DAYS = 36_600
"""``upcoming --days`` beyond a century is a mistake, not a plan."""


@command(app, "list")
@filter_options(LIST)
def list_(
    store: StoreOpt = None,
    filters: Filters = NO_FILTERS,
    fmt: ListFormatOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
) -> None:
    """List activities, soonest first, filtered by project, period, place or text.

    A period selects the activities whose dates overlap it: a range across months
    counts in both, an activity in two parts where either part falls, a "dates TBD"
    one in its month, a deadline on its day.

    \b
    Examples:
      inventory list --project GLACY+ --month 2019-11
      inventory list --country Morocco --json | jq '.[].title'
      inventory list --quarter Q1-2020 --certainty tentative
      inventory list --project T-CY --status planned --format ids | xargs -r inventory cancel
      inventory list --quarter Q1-2020 --format xlsx -o q1.xlsx
    """
    _list(store, filters, pick_format(fmt, as_json), output)


def _list(store: str | None, filters: Filters, chosen: Format, output: str | None) -> None:
    """``list`` (and ``export``, which is ``list --format ics``)."""
    limit = filters.limit
    _, label = filters.period()
    with reading(store) as opened:
        where = filters.criteria(opened)
        found = opened.select(where, limit)  # each writer takes the records or the models
        if not found and limit != 0:
            say(f"no activities match (the store has {opened.count()})")
        listing = Listing(
            found,
            title="Activity inventory" + (f" ({label})" if label else ""),
            versions=_versions(opened) if chosen is Format.ICS else {},
        )
        if output is not None:
            notes: list[str] = []  # said once the file is written, not before a failure
            target = write_output(output, rendered(listing, chosen, notes.append), opened)
            written = len(found)
            if chosen is Format.ICS:  # the writer named those with no day to put them on
                from ..formats.ics import unscheduled

                written -= len(unscheduled(found))
            say(f"wrote {plural(written, 'activity')} to {target}")
            for note in notes:
                say(note)
            return
    emit(listing, chosen)


def _versions(opened: Store) -> dict[str, Any]:
    """Each activity's changes in the history, for the formats that carry a version (ICS)."""
    from ..changes import versions

    return dict(versions(opened.history()))


@command(app, "upcoming")
@filter_options(UPCOMING)
def upcoming_cmd(
    store: StoreOpt = None,
    as_of: AsOfOpt = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            parser=whole_number(0),
            metavar="N",
            help="Only those starting within N days.",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="DATE",
            help="Only those starting by this day.",
            show_default=False,
        ),
    ] = None,
    filters: Filters = NO_FILTERS,
    include_cancelled: Annotated[
        bool, typer.Option("--include-cancelled", help="Show cancelled ones too.")
    ] = False,
    fmt: ListFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Activities not yet finished on the reference date, soonest first.

    Ongoing activities stay; a "dates TBD" one stays until its month ends; a
    deadline until its day. The reference date is today, --as-of, or $INVENTORY_TODAY.

    \b
    Examples:
      inventory upcoming --as-of 2020-01-20 --days 14
      inventory upcoming --as-of 2019-12-01 --project CyberEast --json
    """
    output = pick_format(fmt, as_json)
    day = reference_day(as_of)
    if days is not None and until is not None:
        raise UsageError("choose --days or --until, not both")
    last = None
    if days is not None:
        if days > MAX_DAYS:
            raise bad("--days", f"expected at most {MAX_DAYS} (a century), got {days}")
        try:
            last = day + timedelta(days=days)
        except OverflowError:
            raise bad("--days", f"{days} days after {day} is past the year 9999") from None
    elif until is not None:
        last = day_option("--until", until)
        if last < day:
            raise bad("--until", f"{last} is before the reference date {day}")
    with reading(store) as opened:
        where = upcoming_criteria(filters.criteria(opened), day, last, include_cancelled)
        # One Selection, as list asks: --json writes its records, building no model.
        found = opened.select(where, filters.limit)
        if not found:
            span = opened.bounds()
            if span is None:
                say(f"nothing upcoming on {day}; the store is empty")
            else:
                say(
                    f"nothing upcoming on {day}; the latest activity in the store ends on {span[1]}"
                )
                if span[1] < day:
                    say(f"hint: try --as-of {span[1].replace(day=1)}")
    emit(Listing(found), output)


@command(app, "show")
def show_cmd(
    ids: IdsArg,
    store: StoreOpt = None,
    fmt: ShowFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show activities in detail, every field. Dates as written and as read, place,
    countries, certainty, status, EDTF, and the columns the store keeps for them.

    \b
    Examples:
      inventory show 38z0
      inventory show 38z0 --json | jq .schedule.edtf
    """
    output = pick_format(fmt, as_json)
    with reading(store) as opened:
        found = list({a.id: a for a in (opened.get(key) for key in ids)}.values())
    emit(Detail(found), output)


@command(app, "report")
@filter_options(REPORT)
def report_cmd(
    store: StoreOpt = None,
    filters: Filters = NO_FILTERS,
    fmt: ReportFormatOpt = None,
    as_json: JsonOpt = False,
    chart: Annotated[
        bool,
        typer.Option("--chart", help="Add bar charts of activities per project and per month."),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The page's reference day (html): what ended before it is the inventory, "
            "the rest comes next. Default: $INVENTORY_TODAY, else today.",
            show_default=False,
        ),
    ] = None,
    output: OutputOpt = None,
) -> None:
    """Summarise a period: activities per project per month, countries reached. Also how
    many are tentative or unscheduled, and the deadlines due.

    An activity with several projects counts once in the totals. --format text or
    markdown prints the period's inventory in the newsletter's own layout, ready to
    paste into the next issue (and to import again). --format html writes a web page
    to publish: the summary, charts, a timeline, and the inventory month by month.

    \b
    Examples:
      inventory report --quarter Q4-2019
      inventory report --quarter Q4-2019 --chart
      inventory report --quarter Q1-2020 --format text
      inventory report --quarter Q1-2020 --format html -o q1-2020.html
      inventory report --year 2019 --project CyberEast --json
    """
    chosen = pick_format(fmt, as_json)
    if chart and chosen is not Format.TABLE:
        raise UsageError(f"--chart draws under the table; it has no {chosen.value} form")
    today = reference_day(as_of)
    asked, label = filters.period()
    from ..report import report_for  # imports the models: not for list, whose JSON needs none

    with reading(store) as opened:
        summary, activities = report_for(
            opened,
            filters.criteria(opened),
            asked,
            label,
            with_activities=chosen not in Summary.COUNTS_ONLY,
        )
    if summary.period is None:
        say(f"nothing to report{' ' + label if asked and label else ''}: no activities match")
    result = Summary(summary, activities, chart=chart, today=today)
    if output is not None:
        target = write_output(output, rendered(result, chosen), opened)
        named = summary.label if summary.label.startswith("the ") else f"the {summary.label}"
        say(f"wrote {named} report ({chosen.value}) to {target}")
        return
    emit(result, chosen)


@command(app, "export")
@filter_options(LIST)
def export_cmd(
    store: StoreOpt = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="ics",
            help="ics: an iCalendar file for Outlook, Google Calendar or khal.",
        ),
    ] = "ics",
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            show_default=False,
            help="Write to FILE (atomically) instead of standard output.",
        ),
    ] = None,
    filters: Filters = NO_FILTERS,
) -> None:
    """Export activities as a calendar file: the same as list --format ics.

    One all-day event per activity, or per part of an activity in two parts; a
    deadline is a one-day event on its due day. Tentative dates are marked TBC,
    cancelled activities CANCELLED. Event ids come from the activity ids, so
    importing a newer export updates the events instead of duplicating them.
    Activities with no days known (dates TBD) are left out, and named on stderr.

    \b
    Examples:
      inventory export --project GLACY+ -o glacy.ics
      inventory list --format ics --project GLACY+ -o glacy.ics   (the same file)
      inventory export --quarter Q1-2020 --country Georgia > georgia.ics
    """
    if fmt.strip().casefold() != "ics":
        listed = fmt.strip().casefold() in {f.value for f in Format}
        raise bad(
            "--format",
            f"'{fmt}' is not an export format; expected ics"
            + (f" (for {fmt} use 'inventory list --format {fmt}')" if listed else ""),
        )
    _export(store, filters, output)


def _export(store: str | None, filters: Filters, output: str | None) -> None:
    """``export``: what ``list --format ics`` writes, reading the activities one at a time
    (a whole store's export holds the file's text, never the store's models)."""
    from ..formats.ics import Export

    limit = filters.limit
    _, label = filters.period()
    with reading(store) as opened:
        where = filters.criteria(opened)
        if limit is None:
            total = opened.count(where)
            activities: Iterable[Any] = opened.scan(where)
        else:
            activities = opened.select(where, limit)
            total = len(activities)
        if not total and limit != 0:
            say(f"no activities match (the store has {opened.count()})")
        export = Export(
            activities,
            title="Activity inventory" + (f" ({label})" if label else ""),
            versions=_versions(opened),
        )
        if output is not None:
            notes: list[str] = []  # said once the file is written, not before a failure
            target = write_output(output, rendered(export, Format.ICS, notes.append), opened)
            say(f"wrote {plural(export.written, 'activity')} to {target}")
            for note in notes:
                say(note)
            return
        emit(export, Format.ICS)  # in the block: the activities are read as they are written
