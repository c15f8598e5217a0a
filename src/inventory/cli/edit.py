"""Changes: ``import``, ``add``, ``edit``, ``cancel``, ``postpone``, ``remove``, ``validate``.
Each write goes through one store transaction: all of it is written, or none."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..dates import render_schedule
from ..editing import edit_activity, new_activity, place_new
from ..errors import UsageError
from ..formats import Data, Format, Listing
from ..store import Store
from ..vocab import Status
from .options import (
    IdsArg,
    JsonOpt,
    ListFormatOpt,
    ProjectOpt,
    StoreOpt,
    author,
    command,
    emit,
    fail,
    module_app,
    pick_format,
    reading,
    say,
    writing,
)

app = module_app()

TitleOpt = Annotated[
    str | None,
    typer.Option("--title", "-t", metavar="TEXT", help="The activity's title.", show_default=False),
]
DatesOpt = Annotated[
    str | None,
    typer.Option(
        "--dates",
        "-d",
        metavar="DATES",
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
        metavar="PLACE",
        show_default=False,
        help="'City, Country', a country, 'Portugal / The Netherlands', or a known "
        "city ('Strasbourg'); '' removes it.",
    ),
]
DateYearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        metavar="YYYY",
        min=1000,
        max=9999,
        show_default=False,
        help="Year for --dates written without one.",
    ),
]
ModalityOpt = Annotated[
    str | None,
    typer.Option("--modality", metavar="TEXT", show_default=False, help="e.g. 'Desk Study'."),
]


def _activities(count: int) -> str:
    return f"{count} activit{'y' if count == 1 else 'ies'}"


@command(app, "import")
def import_(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A newsletter (text or Markdown), or the tool's own CSV or JSON; '-' reads "
            "standard input.",
            show_default=False,
        ),
    ],
    store: StoreOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="YYYY",
            min=1000,
            max=9999,
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
    fmt: ListFormatOpt = None,
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
    from ..importing import import_into, read_input

    output = pick_format(fmt, as_json)
    if file == "-" and sys.stdin.isatty():
        raise fail(
            "'-' reads standard input, but nothing is piped in",
            2,
            "pipe a file in: inventory import - < newsletter.txt",
        )
    text = read_input(file)
    with writing(store) as opened:
        outcome = import_into(
            opened,
            file,
            text,
            dry_run=dry_run,
            year=year,
            skip_bad=skip_bad,
            author=author("import"),
        )
    for problem in outcome.problems:
        say(str(problem))
    verb = "would add" if dry_run else "added"
    added = _activities(len(outcome.added))
    say(f"{verb} {added} to {outcome.store}; {outcome.present} already there")
    if dry_run or output is not Format.TABLE:
        emit(Listing(outcome.added), output)
    if outcome.failed:
        raise typer.Exit(1)


@command(app, "add")
def add_cmd(
    title: TitleOpt = None,
    dates: DatesOpt = None,
    project: ProjectOpt = None,
    location: LocationOpt = None,
    year: DateYearOpt = None,
    modality: ModalityOpt = None,
    store: StoreOpt = None,
    fmt: ListFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an activity. Prints it, and its new id on stderr.

    \b
    Examples:
      inventory add --project GLACY+ --title "Advisory mission on cybercrime legislation" \\
          --location "Accra, Ghana" --dates "3-5 December 2019 (dates TBC)"
      inventory add -p CyberEast -t "Desk review" --dates "by 31 January" --year 2020 --json
    """
    output = pick_format(fmt, as_json)
    given = {"--title": title, "--dates": dates, "--project": project}
    missing = [o for o, v in given.items() if v is None]
    if missing:
        raise UsageError(
            f"missing {', '.join(missing)}; expected e.g. --project GLACY+ --title 'Workshop' "
            "--dates '3-5 December 2019'"
        )
    empty = [o for o, v in given.items() if isinstance(v, str) and not v.strip()]
    if empty:
        raise UsageError(f"{empty[0]} is empty; expected some text")
    assert title is not None and dates is not None and project is not None
    with writing(store) as opened:
        # Read what was typed before taking the lock: other writers wait only for the write.
        activity = new_activity(
            projects=project,
            title=title,
            location=location,
            dates=dates,
            year=year,
            modality=modality,
            registry=opened.registry,
            in_store=_project_names(opened),
        )
        with opened.transaction(author("add")) as batch:
            activity = place_new(activity, batch, batch.get)
            batch.add(activity)
        say(f"added {activity.id} to {opened.location}")
    emit(Listing([activity]), output)


def _project_names(store: Store) -> set[str]:
    try:
        return store.project_names()
    except Exception:
        return set()


def _update(
    store: str | None, keys: list[str], output: Format, command_name: str, **fields: Any
) -> None:
    """Change the same fields of each activity named, in one transaction."""
    changed_all = []
    with writing(store) as opened:
        names = _project_names(opened)
        with opened.transaction(author(command_name)) as batch:
            seen = set()
            for key in keys:
                activity = batch.get(key)
                if activity.id in seen:
                    continue
                seen.add(activity.id)
                changed, changes = edit_activity(
                    activity, registry=opened.registry, in_store=names, **fields
                )
                if changes:
                    batch.update(changed)
                else:
                    say(f"{activity.id}: nothing changed")
                for change in changes:
                    say(f"{activity.id}: {change}")
                changed_all.append(changed)
    emit(Listing(changed_all), output)


@command(app, "edit")
def edit_cmd(
    ids: IdsArg,
    title: TitleOpt = None,
    dates: DatesOpt = None,
    year: DateYearOpt = None,
    location: LocationOpt = None,
    project: Annotated[
        list[str] | None,
        typer.Option(
            "--project",
            "-p",
            metavar="PROJECT",
            show_default=False,
            help="Replaces the projects; repeatable.",
        ),
    ] = None,
    modality: ModalityOpt = None,
    status: Annotated[
        Status | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            case_sensitive=False,
            show_default=False,
            help="planned, held, cancelled or postponed: un-cancel, or mark held.",
        ),
    ] = None,
    store: StoreOpt = None,
    fmt: ListFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the named fields of activities; the others, and their ids, stay. Shows what
    changed on stderr.

    A date without a year keeps the year of the month the activity is listed under.

    \b
    Examples:
      inventory edit 02n8 --dates "22-23 January"
      inventory edit 02n8dtsy --location "Freetown, Sierra Leone" --title "Stakeholders' meeting"
      inventory edit 02n8 4nc4 --status held
    """
    output = pick_format(fmt, as_json)
    if all(v is None for v in (title, dates, location, project, modality, status)):
        raise UsageError(
            "nothing to change; expected at least one of --title, --dates, --location, "
            "--project, --modality, --status"
        )
    _update(
        store,
        ids,
        output,
        "edit",
        title=title,
        dates=dates,
        year=year,
        location=location,
        projects=project,
        modality=modality,
        status=status,
    )


@command(app, "cancel")
def cancel_cmd(
    ids: IdsArg,
    store: StoreOpt = None,
    fmt: ListFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark activities cancelled. They stay in the store and in listings ('[cancelled]'),
    and leave 'upcoming' unless --include-cancelled; 'edit --status planned' undoes it.

    \b
    Example:
      inventory cancel 02n8dtsy 4nc4
    """
    _update(store, ids, pick_format(fmt, as_json), "cancel", status=Status.CANCELLED)


@command(app, "postpone")
def postpone_cmd(
    ids: IdsArg,
    dates: DatesOpt = None,
    year: DateYearOpt = None,
    store: StoreOpt = None,
    fmt: ListFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark activities postponed, with their new dates if known.

    \b
    Examples:
      inventory postpone 4nc4 --dates "20-23 April 2020 (dates TBC)"
      inventory postpone 4nc4
    """
    _update(
        store,
        ids,
        pick_format(fmt, as_json),
        "postpone",
        status=Status.POSTPONED,
        dates=dates,
        year=year,
    )


@command(app, "remove")
def remove_cmd(
    ids: IdsArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask; for scripts.")] = False,
    store: StoreOpt = None,
) -> None:
    """Delete activities from the store. Asks first on a terminal; --yes for scripts.

    To keep a record that one was called off, use 'inventory cancel' instead; 'inventory
    undo' brings a removed one back.

    \b
    Example:
      inventory remove 02n8dtsy --yes
    """
    with writing(store) as opened, opened.transaction(author("remove")) as batch:
        chosen = {}
        for key in ids:
            activity = batch.get(key)
            chosen[activity.id] = activity
        labels = [
            f"{a.id} {_cut(a.title, 60)} ({render_schedule(a.schedule)})" for a in chosen.values()
        ]
        if not yes:
            if not sys.stdin.isatty():
                raise fail(
                    f"not removing {labels[0]}"
                    + (f" and {len(labels) - 1} more" if len(labels) > 1 else "")
                    + " without confirmation",
                    2,
                    "pass --yes to remove without asking",
                )
            question = (
                f"Remove {labels[0]}?"
                if len(labels) == 1
                else (f"Remove these {len(labels)} activities?\n  " + "\n  ".join(labels) + "\n")
            )
            if not typer.confirm(question, err=True):
                say("nothing removed")
                return
        for ident in chosen:
            batch.remove(ident)
    for label in labels:
        say(f"removed {label}")


def _cut(text: str, width: int) -> str:
    """``text`` cut at a word boundary, with an ellipsis, so a prompt reads naturally."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


@command(app, "validate")
def validate_cmd(
    store: StoreOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The problems as JSON.")] = False,
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
    from ..validation import validate

    with reading(store, warn=False) as opened:
        activities = opened.select()
        problems = validate(
            activities,
            opened.registry,
            source=opened.location,
            unreadable=opened.problems(),
            as_written=opened.rows_as_written(),
        )
        location = opened.location
    if as_json:
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
        emit(Data(records), Format.JSON)
    else:
        emit(Data([], [str(p) for p in problems]), Format.TABLE)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    say(
        f"{location}: {_activities(len(activities))}, {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}"
    )
    if errors or (strict and warnings):
        raise typer.Exit(1)
