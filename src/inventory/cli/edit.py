"""Changes: ``import``, ``add``, ``edit``, ``cancel``, ``postpone``, ``remove``.
Each write goes through one store transaction: all of it is written, or none."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer

from ..editing import edit_activity, new_activity, place_new
from ..errors import ParseError, UsageError
from ..formats import Data, Format, Listing
from ..places import place_notices
from ..store import Store, check_new_store, open_store
from ..views.plan import label, plan_view
from ..vocab import Status
from .options import (
    AuthorOpt,
    CreateOpt,
    IdsArg,
    JsonOpt,
    ProjectOpt,
    WrittenFormatOpt,
    author,
    command,
    emit,
    fail,
    location,
    module_app,
    pick_format,
    progress,
    say,
    writing,
)
from .root import StoreOpt
from .typer_compat import whole_number

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
        parser=whole_number(1000, 9999),
        show_default=False,
        help="Year for --dates written without one.",
    ),
]
ModalityOpt = Annotated[
    str | None,
    typer.Option("--modality", metavar="TEXT", show_default=False, help="e.g. 'Desk Study'."),
]


@command(app, "import")
def import_(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="The newsletter (text, Markdown, HTML or e-mail, DOCX, PDF), a sheet (CSV with "
            "',' or ';', xlsx), the tool's own JSON or NDJSON, or another store (.db); "
            "'-' reads standard input.",
            show_default=False,
        ),
    ],
    store: StoreOpt = None,
    create: CreateOpt = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show the plan, each update field by field; write nothing at all."
        ),
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="YYYY",
            parser=whole_number(1000, 9999),
            help="Year for dates written without one and with no month heading above them.",
            show_default=False,
        ),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Write the lines that could be read even when some could not (each skipped "
            "line is listed).",
        ),
    ] = False,
    add_ambiguous: Annotated[
        bool,
        typer.Option(
            "--add-ambiguous",
            help="Add the ambiguous lines (that could continue several stored activities, or "
            "one imprecisely) and the possible continuations of a moved activity as new ones.",
        ),
    ] = False,
    allow_weakening: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-weakening",
            metavar="ID",
            show_default=False,
            help="Apply the update of this activity even though it weakens it (removes "
            "projects or a place, turns days into a month, confirmed dates tentative); "
            "repeatable.",
        ),
    ] = None,
    new_project: Annotated[
        list[str] | None,
        typer.Option(
            "--new-project",
            metavar="NAME",
            show_default=False,
            help="Accept a project name that neither the registry nor the store knows; repeatable.",
        ),
    ] = None,
    mark_missing: Annotated[
        MissingChoice | None,
        typer.Option(
            "--mark-missing",
            metavar="cancelled|postponed",
            case_sensitive=False,
            show_default=False,
            help="Mark the planned activities of the quarter the input reports on that it "
            "does not list.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The plan as JSON, for scripts.")] = False,
    by: AuthorOpt = None,
) -> None:
    """Bring the store in line with a newsletter (or a sheet, an export, another store).

    Each line that continues a stored activity (firmer dates, a date moved, a place
    added) updates it and keeps its id; an identical line changes nothing; a new one is
    added. Lines under "Inventory of activities" mark their activities held; planned
    activities of that quarter it does not list are reported. The plan is printed as a
    table.

    Nothing is written while a line cannot be read, or the import is unsure of one: it
    could continue several activities or change too much of one (ambiguous), it may
    continue an activity moved far (possible), it would weaken a stored activity, or it
    names an unknown project. Each is listed with what to do (--skip-bad,
    --add-ambiguous, --allow-weakening ID, --new-project NAME).

    \b
    Examples:
      inventory import cybercrime-coe-update-2020-q1.pdf --dry-run
      inventory import cybercrime-coe-update-2020-q1.docx --mark-missing cancelled
      inventory list --format ndjson | inventory import - --store other.db --create
    """
    from ..importing import import_into
    from ..readers import open_source

    if file == "-" and sys.stdin.isatty():
        raise fail(
            "'-' reads standard input, but nothing is piped in",
            2,
            "pipe a file in: inventory import - < newsletter.txt",
        )
    if any(not name.strip() for name in new_project or ()):
        raise UsageError("--new-project is empty; expected a project name")
    source = open_source(file)
    source.progress = progress(f"Reading {source.label}")
    shown = _Warnings(as_json)
    with _import_target(store, dry_run, create) as opened:
        # Each id named must be the store's (a prefix as elsewhere): a mistyped one would
        # leave its weakening refused without a word about why.
        allowed = tuple(opened.get(key).id for key in allow_weakening or ())
        outcome = import_into(
            opened,
            source,
            dry_run=dry_run,
            year=year,
            skip_bad=skip_bad,
            add_ambiguous=add_ambiguous,
            allow_weakening=allowed,
            new_projects=tuple(new_project or ()),
            mark_missing=Status(mark_missing.value) if mark_missing else None,
            author=author("import", by),
            keep_all=as_json,
            progress=progress("Planning" if dry_run else f"Importing into {opened.location}"),
            report=shown.report,
        )
    shown.close()
    if as_json:
        emit(Data(outcome.to_json()), Format.JSON)
    else:
        view = plan_view(outcome)
        if view is not None:
            emit(Data(outcome.to_json(), view), Format.TABLE)
    say(outcome.summary())
    for hint in outcome.hints():
        say(f"hint: {hint}")
    if outcome.failed:
        raise typer.Exit(1)


class _Warnings:
    """Problems said as they are found: every error, and the first warnings of each kind
    (field); the rest counted in one line. A generated store of 100,000 rows once printed
    70,000 warnings that no one reads; ``--json`` and ``validate`` list every one."""

    PER_FIELD = 10

    def __init__(self, everything: bool) -> None:
        self.everything = everything
        self.seen: dict[str, int] = {}

    def report(self, problem: Any) -> None:
        kind = problem.field or "other"
        self.seen[kind] = self.seen.get(kind, 0) + 1
        if problem.severity != "warning" or self.everything or self.seen[kind] <= self.PER_FIELD:
            say(str(problem))

    def close(self) -> None:
        hidden = {k: n - self.PER_FIELD for k, n in self.seen.items() if n > self.PER_FIELD}
        if hidden and not self.everything:
            kinds = ", ".join(f"{k}: {n:,}" for k, n in sorted(hidden.items()))
            total = sum(hidden.values())
            more = f"{total:,} more warning{'s' * (total != 1)}"
            say(
                f"{more} not shown ({kinds}); 'inventory import --json' lists every one, "
                "'inventory validate' those the store keeps"
            )


class MissingChoice(StrEnum):
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


@contextmanager
def _import_target(store: str | None, dry_run: bool, create: bool) -> Iterator[Store]:
    """The store to import into; for a dry run, opened so that nothing is written beside
    it (no folder, no lock, no cache), and refused as the import itself would be."""
    if not dry_run:
        with writing(store, create=create) as opened:
            yield opened
        return
    where = location(store)
    may_create = check_new_store(where, create=create)
    opened = open_store(where, create=may_create, keep_cache=False)
    try:
        yield opened
    finally:
        opened.close()


@command(app, "add")
def add_cmd(
    title: TitleOpt = None,
    dates: DatesOpt = None,
    project: ProjectOpt = None,
    location: LocationOpt = None,
    year: DateYearOpt = None,
    modality: ModalityOpt = None,
    store: StoreOpt = None,
    create: CreateOpt = False,
    fmt: WrittenFormatOpt = None,
    as_json: JsonOpt = False,
    by: AuthorOpt = None,
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
    with writing(store, create=create) as opened:
        # Read what was typed before taking the lock: other writers wait only for the write.
        with typed_values():
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
        for note in place_notices(activity.place) if activity.place else ():
            say(f"notice: {note}")
        with opened.transaction(author("add", by)) as batch:
            activity = place_new(activity, batch, batch.get)
            batch.add(activity)
        say(f"added {activity.id} to {opened.location}")
    emit(Listing([activity]), output)


_OPTIONS = {
    "title": "--title",
    "dates": "--dates",
    "schedule": "--dates",
    "location": "--location",
    "place": "--location",
    "modality": "--modality",
    "projects": "--project",
}


@contextmanager
def typed_values() -> Iterator[None]:
    """What was typed on the command line and cannot be read (a date that does not exist,
    an unknown place, a title too long) is a usage error naming its option: exit 2, like
    every other bad option value; a bad line of a file stays a data error (exit 1)."""
    try:
        yield
    except ParseError as error:
        option = _OPTIONS.get((error.field or "").split(".")[0])
        if option is None:
            raise UsageError(str(error), hint=error.hint) from None
        raise UsageError(f"invalid value for {option}: {error.message}", hint=error.hint) from None


def _project_names(store: Store) -> set[str]:
    try:
        return store.project_names()
    except Exception:
        return set()


def _update(
    store: str | None,
    keys: list[str],
    output: Format,
    command_name: str,
    by: str | None = None,
    *,
    held_ok: bool = True,
    **fields: Any,
) -> None:
    """Change the same fields of each activity named, in one transaction. Unless
    ``held_ok``, an activity reported held is changed only once the user confirms (a
    terminal) or said --force (a script): cancelling what took place is almost always a
    mistake, such as a filter in a pipe that caught a past activity."""
    changed_all = []
    with writing(store) as opened:
        names = _project_names(opened)
        with opened.transaction(author(command_name, by)) as batch:
            seen = set()
            chosen = []
            for key in keys:
                activity = batch.get(key)
                if activity.id in seen:
                    continue
                seen.add(activity.id)
                chosen.append(activity)
            held = [a for a in chosen if a.status is Status.HELD]
            if held and not held_ok:
                _confirm_held(command_name, held)
            for activity in chosen:
                with typed_values():
                    changed, changes = edit_activity(
                        activity, registry=opened.registry, in_store=names, **fields
                    )
                if fields.get("location") and changed.place is not None:
                    for note in place_notices(changed.place):
                        say(f"notice: {note}")
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
    fmt: WrittenFormatOpt = None,
    as_json: JsonOpt = False,
    by: AuthorOpt = None,
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
        by,
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
    force: Annotated[
        bool,
        typer.Option("--force", help="Cancel activities reported held too, without asking."),
    ] = False,
    fmt: WrittenFormatOpt = None,
    as_json: JsonOpt = False,
    by: AuthorOpt = None,
) -> None:
    """Mark activities cancelled. They stay in the store and in listings ('[cancelled]'),
    and leave 'upcoming' unless --include-cancelled; 'edit --status planned' undoes it.
    An activity reported held is cancelled only once confirmed (--force in a script).

    \b
    Examples:
      inventory cancel 02n8dtsy 4nc4
      inventory list -p T-CY --status planned -f ids | xargs -r inventory cancel
    """
    _update(
        store,
        ids,
        pick_format(fmt, as_json),
        "cancel",
        by,
        held_ok=force,
        status=Status.CANCELLED,
    )


def _confirm_held(command_name: str, held: list[Any]) -> None:
    """Ask before changing activities reported held; refuse in a script (exit 2)."""
    labels = [f"{a.id} {label(a, 60)}" for a in held]
    what = labels[0] + (f" and {len(labels) - 1} more" if len(labels) > 1 else "")
    if not sys.stdin.isatty():
        raise fail(
            f"{what} was reported held; nothing changed",
            2,
            f"pass --force to {command_name} activities that were held",
        )
    question = (
        f"{labels[0]} was held; {command_name} it anyway?"
        if len(labels) == 1
        else f"These {len(labels)} activities were held:\n  "
        + "\n  ".join(labels)
        + f"\n{command_name.capitalize()} them anyway?"
    )
    if not typer.confirm(question, err=True):
        raise fail("nothing changed", 1)


@command(app, "postpone")
def postpone_cmd(
    ids: IdsArg,
    dates: DatesOpt = None,
    year: DateYearOpt = None,
    store: StoreOpt = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Postpone activities reported held too, without asking."),
    ] = False,
    fmt: WrittenFormatOpt = None,
    as_json: JsonOpt = False,
    by: AuthorOpt = None,
) -> None:
    """Mark activities postponed, with their new dates if known.

    Without --dates the new date is not known: the activity keeps its month with its days
    "TBD" (the old ones stay in the history), and counts in no report, calendar or
    timeline until it gets new dates.

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
        by,
        held_ok=force,
        status=Status.POSTPONED,
        dates=dates if dates is not None else "dates TBD",
        year=year,
    )


@command(app, "remove")
def remove_cmd(
    ids: IdsArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask; for scripts.")] = False,
    store: StoreOpt = None,
    by: AuthorOpt = None,
) -> None:
    """Delete activities from the store. Asks first on a terminal; --yes for scripts.

    To keep a record that one was called off, use 'inventory cancel' instead; 'inventory
    undo' brings a removed one back.

    \b
    Example:
      inventory remove 02n8dtsy --yes
    """
    with writing(store) as opened, opened.transaction(author("remove", by)) as batch:
        chosen = {}
        for key in ids:
            activity = batch.get(key)
            chosen[activity.id] = activity
        labels = [f"{a.id} {label(a, 60)}" for a in chosen.values()]
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
    for named in labels:
        say(f"removed {named}")
