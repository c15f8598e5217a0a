"""The project registry: ``projects`` and ``projects show``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..formats import Format, Projects, ProjectView
from ..project_summary import SHOWN, country_names, summarise_project, summarise_store
from . import completion
from .options import (
    JsonOpt,
    OutputOpt,
    ProjectsFormatOpt,
    ShowFormatOpt,
    emit,
    handled,
    pick_format,
    reading,
    rendered,
    say,
    write_output,
)
from .root import StoreOpt
from .typer_compat import ReadableCommand

app = typer.Typer(
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


@app.callback(invoke_without_command=True)
@handled
def projects_cmd(
    ctx: typer.Context,
    store: StoreOpt = None,
    fmt: ProjectsFormatOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
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
      inventory projects --format html -o projects.html
      inventory projects show GLACY+
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = store
        return
    chosen = pick_format(fmt, as_json)
    with reading(store) as opened:
        registry = opened.registry
        # The web page shows each project in detail; the other formats only its numbers.
        overview = summarise_store(opened, registry, detail=chosen is Format.HTML)
    summaries = overview.summaries
    result = Projects(summaries, country_names(summaries), overview.total)
    if output is not None:
        target = write_output(output, rendered(result, chosen), opened)
        say(f"wrote the projects ({chosen.value}) to {target}")
    else:
        emit(result, chosen)
    for name, count in overview.unknown.items():
        say(
            f"warning: {count} activit{'y names' if count == 1 else 'ies name'} project "
            f"'{name}', which is not in {registry.source}"
        )
    for summary in summaries:
        if summary.outside_count:
            count = summary.outside_count
            say(
                f"{count} {summary.project.name} activit{'y is' if count == 1 else 'ies are'} "
                f"dated outside its duration; see 'inventory projects show {summary.project.name}'"
            )


@app.command("show", cls=ReadableCommand)
@handled
def projects_show(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="PROJECT",
            help="Project name or alias, case-insensitive.",
            show_default=False,
            autocompletion=completion.projects,
        ),
    ],
    store: StoreOpt = None,
    fmt: ShowFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One project: its facts, its activities per month, the participating countries it
    has and has not yet reached, and its activities dated outside its duration.

    The table draws the first 10 activities dated outside the duration and names the
    'inventory list' commands that give them all; --json has every one.

    \b
    Examples:
      inventory projects show GLACY+
      inventory projects show octopus --json
    """
    output = pick_format(fmt, as_json)
    with reading(store or (ctx.parent.obj if ctx.parent else None)) as opened:
        registry = opened.registry
        project = registry.resolve(name)
        # A table draws the first few activities dated outside the duration and says how
        # to list the rest; the JSON has them all.
        shown = SHOWN if output is Format.TABLE else None
        summary = summarise_project(opened, registry, project, shown=shown)
    emit(ProjectView(project, summary, country_names([summary])), output)
