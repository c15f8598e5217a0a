"""Reading rows and records (CSV, xlsx, JSON, NDJSON, another store) into activities, the
same way for each: through ``records.from_row`` / ``from_record`` (the model's one gate),
with a line or record number on every problem, ids kept when the input has them and
derived (as a newsletter line's) when it has none."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..editing import read_location
from ..errors import MAX_PROBLEMS, ParseError, Problem
from ..ids import derive_id
from ..records import from_record, from_row
from ..sanitise import unneutralise
from ..vocab import COLUMNS, LIST_SEPARATOR, Status
from . import IMPORT_CHUNK, Context, Incoming, Reading

ALIASES = {
    "project": "projects",
    "project(s)": "projects",
    "activity": "title",
    "date": "dates",
    "place": "location",
    "country": "countries",
}
"""Column names a planning sheet uses for the store's columns."""
KNOWN = frozenset(COLUMNS)


def column_names(header: Iterable[Any]) -> list[str]:
    """The store's name of each column; a column it does not know keeps its own name (read
    back from the neutralised form a CSV export writes), to come back as an extra field
    under that name."""
    names = []
    for cell in header:
        written = unneutralise(("" if cell is None else str(cell)).strip().lstrip("\ufeff"))
        name = ALIASES.get(written.casefold(), written.casefold())
        names.append(name if name in KNOWN else written)
    return names


def check_header(names: list[str], label: str) -> str | None:
    """Why a header cannot be read as the store's columns, or None."""
    missing = [c for c in ("title", "dates") if c not in names]
    if missing:
        found = ", ".join(n for n in names if n) or "none"
        return (
            f"missing column(s) {', '.join(missing)}; found {found[:200]}; expected the "
            f"{label} to name its columns in its first row: id (optional), projects, title, "
            "location, dates, month"
        )
    seen = set()
    for name in names:
        if name and name in seen:
            return f"the column {name!r} appears twice; expected each column once"
        seen.add(name)
    return None


def rows_to_reading(
    rows: Iterable[tuple[str, list[str]]],
    names: list[str],
    context: Context,
    source: str,
    *,
    neutralised: bool = True,
) -> Reading:
    """Activities from rows under ``names`` (each row with its place, e.g. its line)."""
    return merged(rows_to_chunks(rows, names, context, source, neutralised=neutralised))


def merged(chunks: Iterable[Reading]) -> Reading:
    """One reading of a whole input read in chunks."""
    reading = Reading()
    for chunk in chunks:
        reading.items += chunk.items
        reading.problems += chunk.problems
        reading.sections += chunk.sections
        reading.kind = chunk.kind or reading.kind
    return reading


def rows_to_chunks(
    rows: Iterable[tuple[str, list[str]]],
    names: list[str],
    context: Context,
    source: str,
    *,
    neutralised: bool = True,
    size: int = IMPORT_CHUNK,
) -> Iterator[Reading]:
    """:func:`rows_to_reading` a chunk at a time: readings of up to ``size`` activities
    (with the problems of their rows), in input order. Only the ids read so far are kept
    from one chunk to the next (a duplicate id is refused wherever it is)."""
    reading = Reading()
    problems = 0
    has_id = "id" in names
    taken: set[str] = set()
    for where, cells in rows:
        if problems + len(reading.problems) >= MAX_PROBLEMS:
            reading.problems.append(_enough(where, source))
            break
        if len(reading.items) >= size:
            problems += len(reading.problems)
            yield reading
            reading = Reading()
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(names):
            reading.problems.append(_problem(
                f"{len(cells)} cells but the header names {len(names)} columns", where, source
            ))  # fmt: skip
            continue
        row = {
            n: (unneutralise(c) if neutralised else c)
            for n, c in zip(names, cells, strict=False)
            if n
        }
        derived = not has_id or not row.get("id", "").strip()
        try:
            if derived:
                row["id"] = "draft"
            if "location" in row and "city" not in names and "countries" not in names:
                _place_cells(row)
            activity = from_row(row, context.registry)
        except ParseError as error:
            reading.problems.append(_problem(error.message, where, source, error.field))
            continue
        if derived:
            ident = derive_id(activity.title, activity.place, activity.schedule, taken)
            activity = activity.model_copy(update={"id": ident})
        if activity.id in taken:
            reading.problems.append(_problem(f"duplicate id {activity.id!r}", where, source, "id"))
            continue
        taken.add(activity.id)
        status = Status(row["status"].strip()) if row.get("status", "").strip() else None
        reading.items.append(Incoming(activity, _line(where), _where(where, source),
                                      status, derived))  # fmt: skip
    yield reading


def _place_cells(row: dict[str, str]) -> None:
    """A sheet with only a ``location`` column: read it as ``--location`` is read."""
    text = row.get("location", "").strip()
    if not text:
        return
    try:
        place = read_location(text)
    except ParseError as error:
        raise ParseError(error.message, field="location") from None
    row["city"] = place.city or ""
    row["countries"] = LIST_SEPARATOR.join(c.code for c in place.countries)


def records_to_reading(
    records: Iterable[tuple[str, Any]], context: Context, source: str
) -> Reading:
    """Activities from JSON records (each with its place: a line or ``#3``)."""
    return merged(records_to_chunks(records, context, source))


def records_to_chunks(
    records: Iterable[tuple[str, Any]], context: Context, source: str, *, size: int = IMPORT_CHUNK
) -> Iterator[Reading]:
    """:func:`records_to_reading` a chunk at a time (see :func:`rows_to_chunks`)."""
    reading = Reading()
    problems = 0
    seen: set[str] = set()
    for where, record in records:
        if problems + len(reading.problems) >= MAX_PROBLEMS:
            reading.problems.append(_enough(where, source))
            break
        if len(reading.items) >= size:
            problems += len(reading.problems)
            yield reading
            reading = Reading()
        try:
            activity = from_record(record, context.registry)
        except ParseError as error:
            reading.problems.append(_problem(error.message, where, source, error.field))
            continue
        if activity.id in seen:
            reading.problems.append(_problem(f"duplicate id {activity.id!r}", where, source, "id"))
            continue
        seen.add(activity.id)
        reading.items.append(
            Incoming(activity, _line(where), _where(where, source), activity.status, False)
        )
    yield reading


def _enough(where: str, source: str) -> Problem:
    message = f"stopped reading after {MAX_PROBLEMS:,} rows or records that could not be read"
    return _problem(message, where, source)


def _line(where: str) -> int | None:
    return int(where) if where.isdigit() else None


def _where(where: str, source: str) -> str:
    return f"{source}:{where}" if where.isdigit() else f"{source} ({where})"


def _problem(message: str, where: str, source: str, fld: str | None = None) -> Problem:
    if where.isdigit():
        return Problem(message, int(where), fld, "error", source)
    return Problem(message, None, fld, "error", f"{source} ({where})")
