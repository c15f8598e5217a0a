"""Shell completion of values, as ``gh`` and taskwarrior complete theirs: project names and
aliases, ids (with their titles), countries, and the months, quarters and years the store
covers. Each reads the store named on the line so far (``--store``), else the default one;
a completion never fails and never prints an error: at worst it offers nothing.

Installed with ``inventory --install-completion`` (bash, zsh, fish, PowerShell).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import typer

Candidates = list[tuple[str, str]]


def _as_typed(incomplete: str, name: str) -> str | None:
    """``name`` if it completes what was typed, ignoring case ("gl" -> "glACY+": the
    commands read names in any case, and Typer keeps only candidates that start with the
    text exactly as typed); None if it does not."""
    if name.startswith(incomplete):
        return name
    if name[: len(incomplete)].casefold() == incomplete.casefold():
        return incomplete + name[len(incomplete) :]
    return None


@contextlib.contextmanager
def _store(ctx: typer.Context) -> Iterator[Any]:
    """The store the command line names so far, opened for reading, or None."""
    from ..store import find_store, open_store

    given = None
    node: Any = ctx
    while node is not None and given is None:
        given = (node.params or {}).get("store")
        node = node.parent
    try:
        opened = open_store(find_store(given))
    except Exception:  # a completion must never fail: no store, no candidates
        yield None
        return
    try:
        yield opened
    finally:
        with contextlib.suppress(Exception):
            opened.close()


def _safely(func: Callable[[typer.Context, str], Candidates]) -> Callable[..., Candidates]:
    def complete(ctx: typer.Context, incomplete: str) -> Candidates:
        try:
            return func(ctx, incomplete)
        except Exception:
            return []

    complete.__name__ = func.__name__
    return complete


@_safely
def projects(ctx: typer.Context, incomplete: str) -> Candidates:
    """Project names and aliases (the store's registry), and names the store uses."""
    out: dict[str, str] = {}
    with _store(ctx) as store:
        if store is None:
            from ..projects import load_registry

            registry = load_registry()
            used: set[str] = set()
        else:
            registry, used = store.registry, store.project_names()
    for project in registry.projects:
        for name in (project.name, *project.aliases):
            typed = _as_typed(incomplete, name)
            if typed is not None:
                out.setdefault(typed, project.name if name != project.name else project.kind)
    for name in sorted(used):
        typed = _as_typed(incomplete, name)
        if typed is not None:
            out.setdefault(typed, "in the store")
    return list(out.items())


@_safely
def ids(ctx: typer.Context, incomplete: str) -> Candidates:
    """Ids starting so, with their titles."""
    with _store(ctx) as store:
        if store is None:
            return []
        found = store.ids_starting(incomplete.strip().lower(), 50)
        titles = store.by_ids(found)
    return [(i, titles[i].title[:60]) for i in found if i in titles]


@_safely
def countries(ctx: typer.Context, incomplete: str) -> Candidates:
    """The countries of the store's activities first, then every other country."""
    from ..gazetteer import all_countries

    seen: dict[str, str] = {}
    with _store(ctx) as store:
        activities = store.select() if store is not None else []
    reached = {c.code: c.name for a in activities if a.place for c in a.place.countries}
    everything = [(c.code, c.name) for c in all_countries()]
    for code, name in [*sorted(reached.items(), key=lambda kv: kv[1]), *everything]:
        typed = _as_typed(incomplete, name)
        if typed is not None and typed not in seen:
            seen[typed] = code
        typed = _as_typed(incomplete, code) if incomplete else None
        if typed is not None and typed not in seen:
            seen[typed] = name
    return list(seen.items())[:60]


def _span(ctx: typer.Context) -> list[str]:
    """Every ``YYYY-MM`` the store's activities cover."""
    from ..months import months_between

    with _store(ctx) as store:
        bounds = store.bounds() if store is not None else None
    return months_between(*bounds) if bounds else []


@_safely
def months(ctx: typer.Context, incomplete: str) -> Candidates:
    return [(m, "") for m in _span(ctx) if m.startswith(incomplete)]


@_safely
def quarters(ctx: typer.Context, incomplete: str) -> Candidates:
    found = dict.fromkeys(f"Q{(int(m[5:]) - 1) // 3 + 1}-{m[:4]}" for m in _span(ctx))
    return [(typed, "") for q in found if (typed := _as_typed(incomplete, q)) is not None]


@_safely
def years(ctx: typer.Context, incomplete: str) -> Candidates:
    return [(y, "") for y in dict.fromkeys(m[:4] for m in _span(ctx)) if y.startswith(incomplete)]


def choices(*values: str) -> Callable[..., Candidates]:
    """Fixed words (``--by project|country``)."""

    def complete(incomplete: str) -> Candidates:
        return [(t, "") for v in values if (t := _as_typed(incomplete, v)) is not None]

    return complete
