"""The command line: parses options, calls the core, picks a renderer.

Only typer and the standard library are imported at start-up; the models, Rich and
the country tables are imported inside the commands that use them, so that
``inventory --version`` and ``--help`` answer at once.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from . import __version__
from .cliparams import LightCommand, LightGroup
from .vocab import Certainty, Format, Status

if TYPE_CHECKING:
    from .fastpath import Criteria, View
    from .model import Activity
    from .months import Period
    from .query import Filter
    from .store import Store

ENV_TODAY = "INVENTORY_TODAY"
ENV_DEBUG = "INVENTORY_DEBUG"

app = typer.Typer(
    name="inventory",
    cls=LightGroup,
    help="Keep an inventory of a programme's activities and answer questions about it.\n\n"
    "The store is found without flags when run inside a checkout (data/activities.csv); "
    "--store PATH or INVENTORY_STORE point elsewhere.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1, hint: str | None = None) -> typer.Exit:
    """Print ``inventory: error: ...`` on stderr; return the Exit to raise."""
    typer.echo(f"inventory: error: {message}", err=True)
    if hint:
        typer.echo(f"inventory: hint: {hint}", err=True)
    return typer.Exit(code)


def warn(message: str) -> None:
    typer.echo(f"inventory: {message}", err=True)


def one_line_errors(func: F) -> F:
    """Turn domain errors into a one-line message and an exit code (1 for data, 2 for
    usage); ``INVENTORY_DEBUG=1`` shows the traceback instead."""

    @functools.wraps(func)
    def wrapper(*a: Any, **kw: Any) -> Any:
        from .errors import InventoryError

        try:
            return func(*a, **kw)
        except InventoryError as error:
            if os.environ.get(ENV_DEBUG):
                raise
            raise fail(str(error), error.exit_code, error.hint) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` with :func:`one_line_errors`."""

    def decorate(func: F) -> F:
        app.command(*args, cls=LightCommand, **kwargs)(one_line_errors(func))
        return func

    return decorate


# --- shared options ----------------------------------------------------------------------

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        "-s",
        help="Store file (.csv or .json). Default: $INVENTORY_STORE, "
        "else data/activities.csv found from the current folder up.",
        show_default=False,
        dir_okay=False,
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: table on a terminal.",
        case_sensitive=False,
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
ProjectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--project",
        "-p",
        help="Project name or alias, case-insensitive; repeatable.",
        show_default=False,
    ),
]
MonthOpt = Annotated[
    str | None, typer.Option("--month", "-m", help="A month: 2019-11.", show_default=False)
]
QuarterOpt = Annotated[
    str | None,
    typer.Option(
        "--quarter", "-q", help="A quarter: Q4-2019, 2019-Q4 or 'Q4 2019'.", show_default=False
    ),
]
YearOpt = Annotated[
    str | None, typer.Option("--year", "-y", help="A year: 2020.", show_default=False)
]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="First day, YYYY-MM-DD.", show_default=False)
]
ToOpt = Annotated[
    str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.", show_default=False)
]
CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        "-c",
        help="Country name, alias or ISO code (Ukraine, UA, 'the Netherlands'); repeatable.",
        show_default=False,
    ),
]
CityOpt = Annotated[
    str | None,
    typer.Option("--city", help="City, case- and accent-insensitive.", show_default=False),
]
SearchOpt = Annotated[
    str | None,
    typer.Option(
        "--search",
        help="Text in the title or location, case- and accent-insensitive.",
        show_default=False,
    ),
]
CertaintyOpt = Annotated[
    list[Certainty] | None,
    typer.Option(
        "--certainty",
        help="confirmed, tentative or unscheduled; repeatable.",
        case_sensitive=False,
        show_default=False,
    ),
]
DeadlinesOpt = Annotated[
    bool | None,
    typer.Option(
        "--deadlines/--no-deadlines",
        help="Only deadlines ('by 30 November'), or none.",
        show_default=False,
    ),
]
StatusOpt = Annotated[
    list[Status] | None,
    typer.Option(
        "--status",
        help="planned, held, cancelled or postponed; repeatable.",
        case_sensitive=False,
        show_default=False,
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=0, help="At most N activities.", show_default=False),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help=f"Reference date, YYYY-MM-DD. Default: ${ENV_TODAY}, else today.",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"inventory {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Keep an inventory of a programme's activities and answer questions about it."""


# --- helpers the commands share ------------------------------------------------------------


def _bad(option: str, error: Exception) -> typer.BadParameter:
    return typer.BadParameter(getattr(error, "message", str(error)), param_hint=f"'{option}'")


def parse_day_option(option: str, value: str) -> date:
    from .errors import UsageError

    # periods, not dates: importing dates loads the models.
    from .months import parse_day

    try:
        return parse_day(value)
    except UsageError as error:
        raise _bad(option, error) from None


def resolve_period(
    month: str | None, quarter: str | None, year: str | None, start: str | None, end: str | None
) -> tuple[Period | None, str | None]:
    """The period the options name, and its label; at most one way of naming it."""
    from .errors import UsageError
    from .months import month_label, parse_month_period, parse_quarter, parse_year

    named = [(o, v) for o, v in (("--month", month), ("--quarter", quarter), ("--year", year)) if v]
    if len(named) > 1 or (named and (start or end)):
        given = [o for o, _ in named] + [o for o, v in (("--from", start), ("--to", end)) if v]
        raise typer.BadParameter(
            f"choose one of --month, --quarter, --year or --from/--to; got {' and '.join(given)}"
        )
    if named:
        option, value = named[0]
        parser = {"--month": parse_month_period, "--quarter": parse_quarter, "--year": parse_year}
        try:
            period = parser[option](value)
        except UsageError as error:
            raise _bad(option, error) from None
        if option == "--month":
            return period, month_label(period[0])
        if option == "--quarter":
            return period, f"Q{(period[0].month - 1) // 3 + 1} {period[0].year}"
        return period, str(period[0].year)
    if start or end:
        first = parse_day_option("--from", start) if start else date.min
        last = parse_day_option("--to", end) if end else date.max
        if first > last:
            raise typer.BadParameter(
                f"--from {first} is after --to {last}; expected --from on or before --to",
                param_hint="'--from'",
            )
        label = f"{start or '…'} to {end or '…'}"
        return (first, last), label
    return None, None


def _warn_skipped(problems: list[str]) -> None:
    for problem in problems:
        warn(f"warning: skipped {problem}")
    if problems:
        warn("hint: run 'inventory validate' to see every problem")


def open_store(path: Path | None) -> Store:
    """Load the store for reading; unreadable rows are warned about and left out."""
    from .store import find_store, load

    store = load(find_store(str(path) if path else None))
    _warn_skipped([str(p) for p in store.problems])
    return store


def open_view(path: Path | None) -> View:
    """Open the store for a query, through its index (see fastpath); unreadable rows are
    warned about and left out, as by open_store."""
    from .fastpath import open_view
    from .storefile import find_store

    view = open_view(find_store(str(path) if path else None))
    _warn_skipped(view.problems)
    return view


def build_filter(
    *,
    store: Store,
    project: list[str] | None = None,
    period: Period | None = None,
    country: list[str] | None = None,
    city: str | None = None,
    search: str | None = None,
    certainty: list[Certainty] | None = None,
    deadlines: bool | None = None,
    status: list[Status] | None = None,
) -> Filter:
    return build_criteria(
        store_path=store.path,
        project=project,
        period=period,
        country=country,
        city=city,
        search=search,
        certainty=certainty,
        deadlines=deadlines,
        status=status,
    ).to_filter()


def build_criteria(
    *,
    store_path: Path,
    view: View | None = None,
    project: list[str] | None = None,
    period: Period | None = None,
    country: list[str] | None = None,
    city: str | None = None,
    search: str | None = None,
    certainty: list[Certainty] | None = None,
    deadlines: bool | None = None,
    status: list[Status] | None = None,
) -> Criteria:
    """What build_filter builds, without importing the models unless needed: project
    names come from the store's index when it knows them, countries from places."""
    from .errors import UsageError
    from .fastpath import Criteria

    for option, text in (("--city", city), ("--search", search)):
        if text is not None and not text.strip():
            raise typer.BadParameter("is empty; expected some text", param_hint=f"'{option}'")
    projects = view.project_names(project or ()) if view is not None else None
    if projects is None:
        from .projects import load_registry

        registry = load_registry(store_path.parent / "projects.csv")
        try:
            projects = tuple(registry.resolve(p).name for p in project or ())
        except UsageError as error:
            raise _bad("--project", error) from None
    countries: tuple[str, ...] = ()
    if country:
        from .places import resolve_country

        try:
            countries = tuple(resolve_country(c).code for c in country)
        except UsageError as error:
            raise _bad("--country", error) from None
    return Criteria(
        projects=projects,
        period=period,
        countries=countries,
        city=city,
        search=search,
        certainty=tuple(certainty or ()),
        deadlines=deadlines,
        status=tuple(status or ()),
    )


def pick_format(
    fmt: Format | None, as_json: bool, allowed: tuple[Format, ...] = tuple(Format)
) -> Format:
    if as_json:
        if fmt not in (None, Format.JSON):
            raise typer.BadParameter(
                f"--json contradicts --format {fmt.value}", param_hint="'--json'"
            )
        return Format.JSON
    chosen = fmt or Format.TABLE
    if chosen not in allowed:
        raise typer.BadParameter(
            f"{chosen.value!r} is not available here; expected one of "
            f"{', '.join(f.value for f in allowed)}",
            param_hint="'--format'",
        )
    return chosen


def emit(activities: list[Activity], fmt: Format, *, title: str | None = None) -> None:
    from .output import render

    render(activities, fmt, sys.stdout, title=title)


def reference_day(as_of: str | None) -> date:
    """Today, read once here: the core takes it as a parameter."""
    if as_of:
        return parse_day_option("--as-of", as_of)
    env = os.environ.get(ENV_TODAY)
    if env:
        return parse_day_option(f"${ENV_TODAY}", env)
    return date.today()


# --- commands ------------------------------------------------------------------------------


@command("import")
def import_(
    file: Annotated[
        str,
        typer.Argument(
            help="Newsletter text, Markdown, or the tool's own CSV "
            "or JSON; '-' reads standard input.",
            show_default=False,
        ),
    ],
    store_path: StoreOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be added; write nothing.")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="Year for dates written without one and with no month heading above them.",
            show_default=False,
        ),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad", help="Import the readable lines even when some cannot be read at all."
        ),
    ] = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add the activities of a newsletter (or of a CSV/JSON export) to the store.

    Activities already in the store (same id) are left alone, so importing the same
    file twice adds nothing. Lines that cannot be fully understood are reported with
    their line number on stderr.

    \b
    Examples:
      inventory import newsletter-2019-q4.txt --dry-run
      inventory import newsletter-2019-q4.txt --store data/activities.csv
      inventory list --json | inventory import - --store other.json
    """
    from .importer import import_into

    output = pick_format(fmt, as_json)
    if file == "-" and sys.stdin.isatty():
        raise fail(
            "'-' reads standard input, but nothing is piped in",
            2,
            "pipe a file in: inventory import - < newsletter.txt",
        )
    outcome = import_into(file, store_path, dry_run=dry_run, year=year, skip_bad=skip_bad)
    for problem in outcome.problems:
        warn(str(problem))
    verb = "would add" if dry_run else "added"
    warn(
        f"{verb} {len(outcome.added)} activit{'y' if len(outcome.added) == 1 else 'ies'} to "
        f"{outcome.store}; {outcome.present} already there"
    )
    if dry_run or output is not Format.TABLE:
        emit(outcome.added, output)
    if outcome.failed:
        raise typer.Exit(1)


@command("list")
def list_(
    store_path: StoreOpt = None,
    project: ProjectOpt = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    country: CountryOpt = None,
    city: CityOpt = None,
    search: SearchOpt = None,
    certainty: CertaintyOpt = None,
    deadlines: DeadlinesOpt = None,
    status: StatusOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
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
    """
    output = pick_format(fmt, as_json)
    period, _ = resolve_period(month, quarter, year, start, end)
    view = open_view(store_path)
    where = build_criteria(
        store_path=view.path,
        view=view,
        project=project,
        period=period,
        country=country,
        city=city,
        search=search,
        certainty=certainty,
        deadlines=deadlines,
        status=status,
    )
    found = view.select(where, limit)
    if not found:
        warn(f"no activities match (the store has {view.count})")
    found.write(output, sys.stdout)


@command("upcoming")
def upcoming_cmd(
    store_path: StoreOpt = None,
    as_of: AsOfOpt = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", "-d", min=0, help="Only those starting within N days.", show_default=False
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="Only those starting by this day, YYYY-MM-DD.", show_default=False
        ),
    ] = None,
    project: ProjectOpt = None,
    country: CountryOpt = None,
    include_cancelled: Annotated[
        bool, typer.Option("--include-cancelled", help="Show cancelled ones too.")
    ] = False,
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
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
    from datetime import timedelta

    output = pick_format(fmt, as_json)
    day = reference_day(as_of)
    if days is not None and until is not None:
        raise typer.BadParameter("choose --days or --until, not both", param_hint="'--days'")
    last = (
        day + timedelta(days=days)
        if days is not None
        else (parse_day_option("--until", until) if until else None)
    )
    if last is not None and last < day:
        raise typer.BadParameter(
            f"--until {last} is before the reference date {day}", param_hint="'--until'"
        )
    view = open_view(store_path)
    where = build_criteria(store_path=view.path, view=view, project=project, country=country)
    found = view.upcoming(where, day, until=last, include_cancelled=include_cancelled, limit=limit)
    if not found:
        latest = view.last_day
        warn(
            f"nothing upcoming on {day}"
            + (
                f"; the latest activity in the store ends on {latest}"
                if latest
                else "; the store is empty"
            )
        )
        if latest and latest < day:
            warn(f"hint: try --as-of {latest.replace(day=1)}")
    found.write(output, sys.stdout)


@command("report")
def report_cmd(
    store_path: StoreOpt = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    project: ProjectOpt = None,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            show_default=False,
            help="table (a summary), json (the summary as data), or the period's "
            "inventory in the newsletter's layout: text or markdown.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    chart: Annotated[
        bool,
        typer.Option("--chart", help="Add bar charts of activities per project and per month."),
    ] = False,
) -> None:
    """Summarise a period: activities per project per month, countries reached, how many
    are tentative or unscheduled, deadlines due.

    An activity with several projects counts once in the totals. --format text or
    markdown prints the period's inventory in the newsletter's own layout, ready to
    paste into the next issue (and to import again).

    \b
    Examples:
      inventory report --quarter Q4-2019
      inventory report --quarter Q4-2019 --chart
      inventory report --quarter Q1-2020 --format text
      inventory report --year 2019 --project CyberEast --json
    """
    output = pick_format(fmt, as_json, (Format.TABLE, Format.JSON, Format.MARKDOWN, Format.TEXT))
    if chart and output is not Format.TABLE:
        raise typer.BadParameter(
            f"--chart draws under the table; it has no {output.value} form", param_hint="'--chart'"
        )
    period, label = resolve_period(month, quarter, year, start, end)
    view = open_view(store_path)
    if period is None:
        if view.first_day is None or view.last_day is None:
            raise fail("the store is empty: nothing to report", 1)
        period = (view.first_day, view.last_day)
        label = f"{period[0]} to {period[1]}"
    where = build_criteria(store_path=view.path, view=view, project=project, period=period)
    selection = view.select(where)
    if output in (Format.TEXT, Format.MARKDOWN):
        selection.write(output, sys.stdout)
        return
    summary = selection.report(period, label or "")
    if output is Format.JSON:
        import json

        sys.stdout.write(json.dumps(summary.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    from .reportview import render_report

    render_report(summary, sys.stdout)
    if chart:
        from .reportview import render_report_chart

        render_report_chart(summary, sys.stdout)


# --- changing the inventory (issue 4) ------------------------------------------------------

TitleOpt = Annotated[
    str | None, typer.Option("--title", "-t", help="The activity's title.", show_default=False)
]
DatesOpt = Annotated[
    str | None,
    typer.Option(
        "--dates",
        "-d",
        show_default=False,
        help="Fuzzy dates as in the newsletter: '3-5 December 2019', "
        "'22-23 January 2020 (dates TBC)', 'by 31 January 2020', "
        "'March 2020 (dates TBD)', '21-22 and 28-29 October 2019'.",
    ),
]
LocationOpt = Annotated[
    str | None,
    typer.Option(
        "--location",
        "-l",
        show_default=False,
        help="'City, Country', a country, 'Portugal / The Netherlands', or a known "
        "city ('Strasbourg'); '' removes it.",
    ),
]
DateYearOpt = Annotated[
    int | None,
    typer.Option("--year", "-y", show_default=False, help="Year for --dates written without one."),
]
ModalityOpt = Annotated[
    str | None, typer.Option("--modality", show_default=False, help="e.g. 'Desk Study'.")
]


def _store_path(path: Path | None) -> Path:
    from .store import find_store

    return find_store(str(path) if path else None)


def _registry(path: Path) -> Any:
    from .projects import load_registry

    return load_registry(path.parent / "projects.csv")


def _show_changes(changes: list[Any], activity_id: str) -> None:
    if not changes:
        warn(f"{activity_id}: nothing changed")
    for change in changes:
        warn(f"{activity_id}: {change}")


def _update(store_path: Path | None, key: str, output: Format, **fields: Any) -> None:
    """Lock, load, change one activity, save: the shape every edit command shares."""
    from .changes import edit_activity, resolve_id
    from .store import save, transaction

    path = _store_path(store_path)
    with transaction(path) as store:
        activity = resolve_id(store.activities, key)
        changed, changes = edit_activity(activity, registry=_registry(path), **fields)
        if changes:
            save(store, [changed if a.id == activity.id else a for a in store.activities])
    _show_changes(changes, activity.id)
    emit([changed], output)


@command("add")
def add_cmd(
    title: TitleOpt = None,
    dates: DatesOpt = None,
    project: ProjectOpt = None,
    location: LocationOpt = None,
    year: DateYearOpt = None,
    modality: ModalityOpt = None,
    store_path: StoreOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an activity. Prints it, and its new id on stderr.

    \b
    Examples:
      inventory add --project GLACY+ --title "Advisory mission on cybercrime legislation" \\
          --location "Accra, Ghana" --dates "3-5 December 2019 (dates TBC)"
      inventory add -p CyberEast -t "Desk review" --dates "by 31 January" --year 2020 --json
    """
    from .changes import ensure_new, new_activity
    from .store import save, transaction

    output = pick_format(fmt, as_json)
    missing = [
        o for o, v in (("--title", title), ("--dates", dates), ("--project", project)) if not v
    ]
    if missing:
        raise typer.BadParameter(
            f"missing {', '.join(missing)}; expected e.g. --project "
            "GLACY+ --title 'Workshop' --dates '3-5 December 2019'",
            param_hint="'" + missing[0] + "'",
        )
    assert title is not None and dates is not None and project is not None
    path = _store_path(store_path)
    # Read what was typed before taking the lock: other writers wait only for the save.
    activity = new_activity(
        projects=project,
        title=title,
        location=location,
        dates=dates,
        year=year,
        modality=modality,
        registry=_registry(path),
    )
    with transaction(path, create=True) as store:
        ensure_new(activity, store.activities)
        save(store, [*store.activities, activity])
    warn(f"added {activity.id} to {path}")
    emit([activity], output)


@command("edit")
def edit_cmd(
    activity_id: Annotated[
        str, typer.Argument(metavar="ID", help="An id or a unique prefix.", show_default=False)
    ],
    title: TitleOpt = None,
    dates: DatesOpt = None,
    year: DateYearOpt = None,
    location: LocationOpt = None,
    project: Annotated[
        list[str] | None,
        typer.Option(
            "--project", "-p", show_default=False, help="Replaces the projects; repeatable."
        ),
    ] = None,
    modality: ModalityOpt = None,
    store_path: StoreOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the named fields of an activity; the others, and its id, stay. Shows what
    changed on stderr.

    A date without a year keeps the year of the month the activity is listed under.

    \b
    Examples:
      inventory edit 02n8 --dates "22-23 January"
      inventory edit 02n8dtsy --location "Freetown, Sierra Leone" --title "Stakeholders' meeting"
    """
    output = pick_format(fmt, as_json)
    if all(v is None for v in (title, dates, location, project, modality)):
        raise typer.BadParameter(
            "nothing to change; expected at least one of --title, "
            "--dates, --location, --project, --modality",
            param_hint="'ID'",
        )
    _update(
        store_path,
        activity_id,
        output,
        title=title,
        dates=dates,
        year=year,
        location=location,
        projects=project,
        modality=modality,
    )


@command("cancel")
def cancel_cmd(
    activity_id: Annotated[
        str, typer.Argument(metavar="ID", help="An id or a unique prefix.", show_default=False)
    ],
    store_path: StoreOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark an activity cancelled. It stays in the store and in listings ('[cancelled]'),
    and leaves 'upcoming' unless --include-cancelled.

    \b
    Example:
      inventory cancel 02n8dtsy
    """
    _update(store_path, activity_id, pick_format(fmt, as_json), status=Status.CANCELLED)


@command("postpone")
def postpone_cmd(
    activity_id: Annotated[
        str, typer.Argument(metavar="ID", help="An id or a unique prefix.", show_default=False)
    ],
    dates: DatesOpt = None,
    year: DateYearOpt = None,
    store_path: StoreOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark an activity postponed, with its new dates if known.

    \b
    Examples:
      inventory postpone 4nc4 --dates "20-23 April 2020 (dates TBC)"
      inventory postpone 4nc4
    """
    _update(
        store_path,
        activity_id,
        pick_format(fmt, as_json),
        status=Status.POSTPONED,
        dates=dates,
        year=year,
    )


@command("remove")
def remove_cmd(
    activity_id: Annotated[
        str, typer.Argument(metavar="ID", help="An id or a unique prefix.", show_default=False)
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask; for scripts.")] = False,
    store_path: StoreOpt = None,
) -> None:
    """Delete an activity from the store. Asks first on a terminal; --yes for scripts.

    To keep a record that it was called off, use 'inventory cancel' instead.

    \b
    Example:
      inventory remove 02n8dtsy --yes
    """
    from .changes import resolve_id
    from .dates import render_schedule
    from .store import save, transaction

    path = _store_path(store_path)
    with transaction(path) as store:
        activity = resolve_id(store.activities, activity_id)
        label = f"{activity.id} {activity.title[:60]} ({render_schedule(activity.schedule)})"
        if not yes:
            if not sys.stdin.isatty():
                raise fail(
                    f"not removing {label} without confirmation",
                    2,
                    "pass --yes to remove without asking",
                )
            if not typer.confirm(f"Remove {label}?", err=True):
                raise fail("nothing removed", 1)
        save(store, [a for a in store.activities if a.id != activity.id])
    warn(f"removed {label}")


@command("show")
def show_cmd(
    activity_id: Annotated[
        str, typer.Argument(metavar="ID", help="An id or a unique prefix.", show_default=False)
    ],
    store_path: StoreOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one activity.

    \b
    Example:
      inventory show 38z0 --json
    """
    from .changes import resolve_id

    output = pick_format(fmt, as_json)
    store = open_store(store_path)
    emit([resolve_id(store.activities, activity_id)], output)


@command("validate")
def validate_cmd(
    store_path: StoreOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the whole store and print every problem with its file, line and field.

    Errors (rows that cannot be read) make it exit 1. Warnings (no or unknown project,
    likely duplicates, derived columns that disagree with the dates) are printed and exit
    0, or 1 with --strict.

    \b
    Examples:
      inventory validate
      inventory validate --store shared/activities.csv --strict
    """
    from .changes import validate
    from .store import load

    path = _store_path(store_path)
    store = load(path)
    problems = validate(store, _registry(path))
    if as_json:
        import json

        records = [
            {
                "source": p.source,
                "line": p.line,
                "field": p.field,
                "severity": p.severity,
                "message": p.message,
            }
            for p in problems
        ]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    else:
        for problem in problems:
            typer.echo(str(problem))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    warn(f"{path}: {len(store.activities)} activities, {errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        raise typer.Exit(1)


# --- projects and export (issue 5) ---------------------------------------------------------


def guarded(register: Callable[[Callable[..., Any]], Any]) -> Callable[[F], F]:
    """Like ``@command``, for a command of a sub-app: ``register`` is e.g.
    ``projects_app.command("show")``."""

    def decorate(func: F) -> F:
        register(one_line_errors(func))
        return func

    return decorate


projects_app = typer.Typer(
    name="projects",
    cls=LightGroup,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
app.add_typer(projects_app, name="projects")

ProjectFormats = (Format.TABLE, Format.JSON, Format.CSV, Format.MARKDOWN)


if TYPE_CHECKING:
    from .projects import Registry


def _projects_and_store(store_path: Path | None) -> tuple[Registry, Store]:
    from .projects import load_registry

    store = open_store(store_path)
    return load_registry(store.path.parent / "projects.csv"), store


@guarded(projects_app.callback(invoke_without_command=True))
def projects_cmd(
    ctx: typer.Context,
    store_path: StoreOpt = None,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            show_default=False,
            help="table, json, csv or markdown. Default: table.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The projects with their duration, budget, activities and countries reached.

    The projects are those of projects.csv beside the store, else the built-in list.
    Countries reached are those of the project's activities in the store, cancelled
    ones left out; "participating reached" counts the project's participating
    countries among them.

    \b
    Examples:
      inventory projects
      inventory projects --json | jq '.[] | {name, activities}'
      inventory projects show GLACY+
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = store_path
        return
    import json

    from .projects import (
        TABLE_HEADERS,
        country_names,
        render_csv,
        render_markdown,
        summarise,
        table_rows,
        unknown_projects,
    )

    output = pick_format(fmt, as_json, ProjectFormats)
    registry, store = _projects_and_store(store_path)
    summaries = summarise(registry, store.activities)
    names = country_names(summaries)
    if output is Format.JSON:
        records = [s.to_json(names) for s in summaries]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    elif output is Format.CSV:
        sys.stdout.write(render_csv(summaries))
    elif output is Format.MARKDOWN:
        sys.stdout.write(render_markdown(TABLE_HEADERS, table_rows(summaries)))
    else:
        from .terminal import print_out, text_table

        rows = table_rows(summaries)
        print_out(sys.stdout, text_table(TABLE_HEADERS, rows, right=(3, 4, 5)))
    for name, count in unknown_projects(registry, store.activities).items():
        warn(
            f"warning: {count} activit{'y names' if count == 1 else 'ies name'} project "
            f"'{name}', which is not in {registry.source}"
        )
    outside = [s for s in summaries if s.outside]
    for summary in outside:
        count = len(summary.outside)
        warn(
            f"{count} {summary.project.name} activit{'y is' if count == 1 else 'ies are'} "
            f"dated outside its duration; see 'inventory projects show {summary.project.name}'"
        )


@guarded(projects_app.command("show", cls=LightCommand))
def projects_show(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="Project name or alias, case-insensitive.", show_default=False)
    ],
    store_path: StoreOpt = None,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            show_default=False,
            help="table or json. Default: table.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """One project: its facts, its activities per month, the participating countries it
    has and has not yet reached, and its activities dated outside its duration.

    \b
    Examples:
      inventory projects show GLACY+
      inventory projects show octopus --json
    """
    import json

    from .projects import country_names, summarise_one

    output = pick_format(fmt, as_json, (Format.TABLE, Format.JSON))
    registry, store = _projects_and_store(store_path or ctx.obj)
    project = registry.resolve(name)
    summary = summarise_one(project, store.activities, registry)
    names = country_names([summary])
    if output is Format.JSON:
        record = summary.to_json(names, detail=True)
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return
    from .views import render_project

    render_project(project, summary, names, sys.stdout)


@command("export")
def export_cmd(
    store_path: StoreOpt = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="ics: an iCalendar file for Outlook, Google Calendar or khal.",
        ),
    ] = "ics",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            show_default=False,
            help="Write to FILE (atomically) instead of standard output.",
        ),
    ] = None,
    project: ProjectOpt = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    country: CountryOpt = None,
    city: CityOpt = None,
    search: SearchOpt = None,
    certainty: CertaintyOpt = None,
    deadlines: DeadlinesOpt = None,
    status: StatusOpt = None,
) -> None:
    """Export activities as a calendar file, with the same filters as list.

    One all-day event per activity, or per part of an activity in two parts; a
    deadline is a one-day event on its due day. Tentative dates are marked TBC,
    cancelled activities CANCELLED. Event ids come from the activity ids, so
    importing a newer export updates the events instead of duplicating them.
    Activities with no days known (dates TBD) are left out, and named on stderr.

    \b
    Examples:
      inventory export --format ics --project GLACY+ -o glacy.ics
      inventory export --quarter Q1-2020 --country Georgia > georgia.ics
    """
    if fmt.strip().casefold() != "ics":
        listed = fmt.strip().casefold() in {f.value for f in Format}
        raise typer.BadParameter(
            f"'{fmt}' is not an export format; expected ics"
            + (f" (for {fmt} use 'inventory list --format {fmt}')" if listed else ""),
            param_hint="'--format'",
        )
    from .dates import render_schedule
    from .ics import to_ics, unscheduled
    from .query import select

    period, label = resolve_period(month, quarter, year, start, end)
    store = open_store(store_path)
    where = build_filter(
        store=store,
        project=project,
        period=period,
        country=country,
        city=city,
        search=search,
        certainty=certainty,
        deadlines=deadlines,
        status=status,
    )
    found = select(store.activities, where)
    left_out = unscheduled(found)
    dated = [a for a in found if a not in left_out]
    name = "Activity inventory" + (f" ({label})" if label else "")
    data = to_ics(dated, name=name)
    events = sum(len(a.schedule.segments) for a in dated)
    if output is None or str(output) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        target = "standard output"
    else:
        from .store import atomic_write

        try:
            atomic_write(output, data.decode("utf-8"))
        except OSError as error:
            raise fail(f"{output}: cannot write: {error.strerror}") from None
        target = str(output)
    if not found:
        warn(f"no activities match (the store has {len(store.activities)}); the calendar is empty")
    warn(f"wrote {events} event(s) for {len(dated)} activit{'y' if len(dated) == 1 else 'ies'} "
         f"to {target}")  # fmt: skip
    if left_out:
        warn(f"left out {len(left_out)} activit{'y' if len(left_out) == 1 else 'ies'} with no "
             "days known:")  # fmt: skip
        for activity in left_out:
            warn(f"  {activity.id}  {render_schedule(activity.schedule)}  {activity.title}")


# --- planning views (issue 6) ---------------------------------------------------------------

AsciiOpt = Annotated[
    bool,
    typer.Option("--ascii", help="Plain ASCII characters and no colour, even on a terminal."),
]
GROUPINGS = ("project", "country")


def _default_period(kind: str) -> tuple[Period, str]:
    """This month (calendar) or this quarter (timeline), as ``cal`` shows this month."""
    from .months import month_label, parse_month_period, parse_quarter

    today = reference_day(None)
    if kind == "month":
        return parse_month_period(f"{today.year}-{today.month:02d}"), month_label(today)
    quarter = (today.month - 1) // 3 + 1
    return parse_quarter(f"Q{quarter}-{today.year}"), f"Q{quarter} {today.year}"


def _planned(store: Store, where: Filter) -> list[Activity]:
    from .planning import taking_place
    from .query import select

    return taking_place(select(store.activities, where))


def _chart_period(
    store: Store, chosen: list[Activity], period: Period, label: str
) -> tuple[Period, str] | None:
    """Cut an open --from/--to to the activities; None (and a hint) when nothing is in it."""
    from .planning import clip_period

    clipped = clip_period(period, chosen)
    if clipped is None:
        latest = max((a.end for a in store.activities), default=None)
        earliest = min((a.start for a in store.activities), default=None)
        if earliest is None or latest is None:
            warn("the store is empty")
        else:
            warn(f"no activities in {label}; the store covers {earliest} to {latest}")
            warn(f"hint: try --month {earliest.year}-{earliest.month:02d}")
        return None
    if clipped != period:
        label = f"{clipped[0]} to {clipped[1]}"
    return clipped, label


def _write_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@command("calendar")
def calendar_cmd(
    store_path: StoreOpt = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    project: ProjectOpt = None,
    country: CountryOpt = None,
    ascii_: AsciiOpt = False,
    fmt: FormatOpt = None,
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
    from .planning import build_calendar

    output = pick_format(fmt, as_json, (Format.TABLE, Format.JSON))
    period, label = resolve_period(month, quarter, year, start, end)
    store = open_store(store_path)
    if period is None:
        period, label = _default_period("month")
    where = build_filter(store=store, project=project, country=country, period=period)
    chosen = _planned(store, where)
    if start or end:
        cut = _chart_period(store, chosen, period, label or "")
        if cut is None:
            return
        period, label = cut
    elif not chosen:
        _chart_period(store, chosen, period, label or "")
    cal = build_calendar(chosen, period, label or "")
    if output is Format.JSON:
        _write_json(cal.to_json())
        return
    from .views import render_calendar

    render_calendar(cal, sys.stdout, ascii_=True if ascii_ else None)


@command("timeline")
def timeline_cmd(
    store_path: StoreOpt = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    project: ProjectOpt = None,
    country: CountryOpt = None,
    by: Annotated[
        str, typer.Option("--by", help="Group the rows by project or by country.")
    ] = "project",
    ascii_: AsciiOpt = False,
    fmt: FormatOpt = None,
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
    from .planning import build_timeline

    output = pick_format(fmt, as_json, (Format.TABLE, Format.JSON))
    grouping = by.strip().lower()
    if grouping not in GROUPINGS:
        raise typer.BadParameter(
            f"{by!r}: expected one of {', '.join(GROUPINGS)}", param_hint="'--by'"
        )
    period, label = resolve_period(month, quarter, year, start, end)
    store = open_store(store_path)
    if period is None:
        period, label = _default_period("quarter")
    where = build_filter(store=store, project=project, country=country, period=period)
    chosen = _planned(store, where)
    cut = _chart_period(store, chosen, period, label or "")
    if cut is None:
        if output is Format.JSON:
            _write_json(build_timeline([], period, label or "", grouping).to_json())
        return
    period, label = cut
    only = where.countries if grouping == "country" else where.projects
    timeline = build_timeline(chosen, period, label, grouping, only)
    if output is Format.JSON:
        _write_json(timeline.to_json())
        return
    from .views import render_timeline

    render_timeline(timeline, sys.stdout, ascii_=True if ascii_ else None)


@command("clashes")
def clashes_cmd(
    store_path: StoreOpt = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    project: ProjectOpt = None,
    country: CountryOpt = None,
    min_score: Annotated[
        int,
        typer.Option(
            "--min-score",
            min=0,
            max=100,
            help="Show pairs scoring at least this (0-100); 0 shows every pair found.",
        ),
    ] = 40,
    fmt: FormatOpt = None,
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
    from .planning import find_pairs

    output = pick_format(fmt, as_json, (Format.TABLE, Format.JSON))
    period, label = resolve_period(month, quarter, year, start, end)
    store = open_store(store_path)
    candidates = _planned(store, build_filter(store=store, period=period))
    focus = build_filter(store=store, project=project, country=country)
    pairs = find_pairs(
        candidates,
        corpus=store.activities,
        min_score=min_score,
        focus=focus.matches if (project or country) else None,
    )
    if not pairs:
        warn(f"no pairs score {min_score} or more among {len(candidates)} activities")
        if min_score:
            warn("hint: --min-score 0 shows every pair that overlaps")
    if output is Format.JSON:
        _write_json([pair.to_json() for pair in pairs])
        return
    if not pairs:
        return
    from .views import render_pairs

    title = f"Clashes, {label or 'the whole store'}, score {min_score}+"
    render_pairs(pairs, sys.stdout, title=title)


def _trim_app(args: list[str]) -> None:
    """Keep in ``app`` only what this run can reach. Typer builds a Click command, with its
    parameters, for every registered command on every run (about 1 ms each, most of the
    start-up beyond importing Typer); a run reaches one command, or for ``--help`` only
    the commands' names and first lines. The output is the same (tests/test_fastpath.py)."""
    import copy

    if any(name.endswith("_COMPLETE") for name in os.environ):
        return  # shell completion walks the whole tree

    def name_of(info: Any) -> str:
        return str(info.name or typer.main.get_command_name(info.callback.__name__))

    if args and not args[0].startswith("-"):
        commands = [c for c in app.registered_commands if name_of(c) == args[0]]
        groups = [
            g
            for g in app.registered_groups
            if typer.main.solve_typer_info_defaults(g).name == args[0]
        ]
        if commands or groups:
            app.registered_commands, app.registered_groups = commands, groups
    elif args in ([], ["--help"], ["-h"]):
        stubs = []
        for info in app.registered_commands:

            def stub() -> None:
                """Stands for a command in the list of commands."""

            stub.__doc__ = info.callback.__doc__ if info.callback else None
            light = copy.copy(info)
            light.name, light.callback = name_of(info), stub
            stubs.append(light)
        app.registered_commands = stubs


def main() -> None:
    """Console-script entry point."""
    # Die quietly when the reader of a pipe goes away (inventory list | head).
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = sys.argv[1:]
    if args in (["--version"], ["-V"]):
        typer.echo(f"inventory {__version__}")  # what _version prints, without building the app
        return
    _trim_app(args)
    app()


if __name__ == "__main__":
    main()
