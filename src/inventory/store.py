"""Loading and saving stores (CSV by default, JSON too), with locking and atomic writes.

The CSV is meant to be edited by people, in a text editor or a spreadsheet:

* ``dates`` (the date text) and ``month`` (``YYYY-MM``, the month it is listed
  under, which gives the year) are the schedule; ``start``, ``end``, ``precision``,
  ``certainty`` and ``deadline`` are derived from them on every write, for sorting
  and filtering in a spreadsheet, and ignored on reading.
* ``city`` and ``countries`` (ISO codes) are the place; ``location`` is the text as
  written.
* Columns this version does not know are kept, in place, on every rewrite; a row
  whose content did not change is written back byte for byte.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .dates import parse_schedule, render_schedule, to_edtf
from .errors import ParseError, Problem, StoreError
from .model import MONTH_PATTERN, Activity, Place, Schedule, Status
from .places import country_by_code
from .projects import Registry, load_registry

# Re-exported: where the store is and its columns are part of the store's API.
from .storefile import COLUMNS as COLUMNS
from .storefile import DEFAULT_NAMES as DEFAULT_NAMES
from .storefile import ENV_STORE as ENV_STORE
from .storefile import LIST_SEPARATOR as LIST_SEPARATOR
from .storefile import find_store as find_store
from .storefile import store_format as store_format

DERIVED = ("start", "end", "precision", "certainty", "deadline")
"""Columns the tool rewrites from ``dates`` and ``month``; editing them by hand has no effect."""
# Spreadsheets run a formula in a cell that starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- JSON records ----------------------------------------------------------------------


def activity_to_json(activity: Activity) -> dict[str, Any]:
    """The stable JSON shape of an activity (documented in the README)."""
    schedule = activity.schedule
    place = activity.place
    return {
        "id": activity.id,
        "projects": list(activity.projects),
        "title": activity.title,
        "modality": activity.modality,
        "place": None
        if place is None
        else {
            "text": place.text,
            "city": place.city,
            "countries": [{"code": c.code, "name": c.name} for c in place.countries],
        },
        "schedule": {
            "text": schedule.text,
            "month": schedule.month,
            "start": schedule.start.isoformat(),
            "end": schedule.end.isoformat(),
            "precision": schedule.precision.value,
            "certainty": schedule.certainty.value,
            "deadline": schedule.deadline,
            "segments": [
                {
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "start_half": s.start_half.value if s.start_half else None,
                    "end_half": s.end_half.value if s.end_half else None,
                }
                for s in schedule.segments
            ],
            "year_inferred": schedule.year_inferred,
            "edtf": to_edtf(schedule),
        },
        "status": activity.status.value,
        "extra": dict(activity.extra),
    }


def activity_from_json(record: Any) -> Activity:
    """Inverse of :func:`activity_to_json`; derived fields are ignored."""
    if not isinstance(record, dict):
        raise ValueError(f"expected an object, found {type(record).__name__}")
    data = dict(record)
    schedule = data.get("schedule")
    if isinstance(schedule, dict):
        data["schedule"] = {k: v for k, v in schedule.items() if k not in ("start", "end", "edtf")}
    return Activity.model_validate(data)


# --- CSV rows --------------------------------------------------------------------------


def _split_list(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def derived_cells(schedule: Schedule) -> dict[str, str]:
    """The :data:`DERIVED` columns of a schedule, as written on every save."""
    return {
        "start": schedule.start.isoformat(),
        "end": schedule.end.isoformat(),
        "precision": schedule.precision.value,
        "certainty": schedule.certainty.value,
        "deadline": "yes" if schedule.deadline else "",
    }


def activity_to_row(activity: Activity) -> dict[str, str]:
    schedule = activity.schedule
    place = activity.place
    row = {
        "id": activity.id,
        "projects": f"{LIST_SEPARATOR} ".join(activity.projects),
        "title": activity.title,
        "modality": activity.modality or "",
        "city": (place.city or "") if place else "",
        "countries": LIST_SEPARATOR.join(activity.country_codes),
        "location": place.text if place else "",
        "dates": schedule.text or render_schedule(schedule),
        "month": schedule.month,
        **derived_cells(schedule),
        "status": activity.status.value,
    }
    row.update(activity.extra)
    return row


def _canonical(names: tuple[str, ...], registry: Registry | None) -> tuple[str, ...]:
    registry = registry or load_registry()
    return tuple(dict.fromkeys(registry.canonical(n) for n in names))


def activity_from_row(row: dict[str, str], registry: Registry | None = None) -> Activity:
    """Build an activity from the authoritative columns; raise ParseError naming the field.

    Project names are read through ``registry`` (the store's, else the built-in one), so an
    alias typed by hand ("Octopus") is the project it stands for everywhere."""

    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    dates, month = cell("dates"), cell("month")
    if month and not re.fullmatch(MONTH_PATTERN, month):
        raise ParseError(
            f"is {month!r}; expected the month as YYYY-MM, e.g. 2019-10", field="month"
        )
    if not dates:
        raise ParseError(
            "is empty; expected a date text such as '1-2 October 2019' or 'dates TBD'",
            field="dates",
        )
    schedule = parse_schedule(dates, context_month=month or None)
    if schedule.text != dates:
        schedule = schedule.model_copy(update={"text": dates})
    countries = tuple(country_by_code(code) for code in _split_list(cell("countries")))
    place = None
    if cell("city") or countries or cell("location"):
        place = Place(city=cell("city") or None, countries=countries, text=cell("location"))
    status = cell("status") or Status.PLANNED.value
    if status not in {s.value for s in Status}:
        raise ParseError(
            f"unknown status {status!r}; expected one of {', '.join(s.value for s in Status)}",
            field="status",
        )
    try:
        return Activity(
            id=cell("id"),
            projects=_canonical(_split_list(cell("projects")), registry),
            title=cell("title"),
            place=place,
            modality=cell("modality") or None,
            schedule=schedule,
            status=Status(status),
            extra={k: v for k, v in row.items() if k not in COLUMNS and k is not None},
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise ParseError(first["msg"].removeprefix("Value error, "), field=where) from None


class _Recorder:
    """Feeds csv.reader line by line and keeps the raw text of the current record,
    so that a row can be written back exactly as it was read."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.buffer: list[str] = []
        self.count = 0

    def __iter__(self) -> _Recorder:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.buffer.append(line)
        self.count += 1
        return line


@dataclass
class Store:
    """What was read from a store file, enough to write it back without losing anything."""

    path: Path
    format: str
    activities: list[Activity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    header: list[str] = field(default_factory=lambda: list(COLUMNS))
    raw_rows: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    """id -> (cells as read, raw text of the record)."""
    lines: dict[str, int] = field(default_factory=dict)
    """id -> line of the file where its row starts (CSV only)."""
    newline: str = "\n"
    exists: bool = False

    @property
    def ids(self) -> set[str]:
        return {a.id for a in self.activities}


def decode_text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise StoreError(
            f"not UTF-8 (byte 0x{data[error.start]:02x} at line {line}); expected a UTF-8 file",
            source=source,
            line=line,
            hint="save it as 'CSV UTF-8' in the spreadsheet, or convert it with iconv",
        ) from None


def read_csv(text: str, path: Path) -> Store:
    source = str(path)
    store = Store(path=path, format="csv", exists=True)
    registry = load_registry(path.parent / "projects.csv")
    if not text.strip():
        return store
    first_line = text.split("\n", 1)[0]
    store.newline = "\r\n" if first_line.endswith("\r") else "\n"
    recorder = _Recorder(iter(text.splitlines(keepends=True)))
    reader = csv.reader(recorder, strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        raise StoreError(f"unreadable header: {error}", source=source, line=1) from None
    header = [h.strip() for h in header]
    if "\x00" in text:
        raise StoreError("contains a NUL byte; expected a text CSV file", source=source)
    missing = [c for c in ("id", "title", "dates") if c not in header]
    if missing:
        raise StoreError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(header) or 'none'}",
            source=source,
            line=1,
            hint="the first row must name the columns, e.g. " + ",".join(COLUMNS[:8]),
        )
    store.header = header + [c for c in COLUMNS if c not in header]
    seen: dict[str, int] = {}
    while True:
        recorder.buffer = []
        line = recorder.count + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            store.problems.append(Problem(f"broken row: {error}", line, None, "error", source))
            continue
        raw = "".join(recorder.buffer)
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            store.problems.append(
                Problem(
                    f"{len(cells)} cells but the header names {len(header)} columns",
                    line,
                    None,
                    "error",
                    source,
                )
            )
            continue
        row = dict(zip(header, cells, strict=False))
        try:
            activity = activity_from_row(row, registry)
        except ParseError as error:
            store.problems.append(Problem(error.message, line, error.field, "error", source))
            continue
        if activity.id in seen:
            store.problems.append(
                Problem(
                    f"duplicate id {activity.id!r}, first used on line {seen[activity.id]}",
                    line,
                    "id",
                    "error",
                    source,
                )
            )
            continue
        seen[activity.id] = line
        store.lines[activity.id] = line
        store.activities.append(activity)
        store.raw_rows[activity.id] = (cells, raw)
    return store


def read_json(text: str, path: Path) -> Store:
    source = str(path)
    store = Store(path=path, format="json", exists=True)
    registry = load_registry(path.parent / "projects.csv")
    if not text.strip():
        return store
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise StoreError(f"invalid JSON: {error.msg}", source=source, line=error.lineno) from None
    if isinstance(data, dict) and "activities" in data:
        data = data["activities"]
    if not isinstance(data, list):
        raise StoreError(
            f"expected a JSON array of activities, found {type(data).__name__}", source=source
        )
    seen: set[str] = set()
    for index, record in enumerate(data):
        try:
            activity = activity_from_json(record)
            projects = _canonical(activity.projects, registry)
            if projects != activity.projects:
                activity = activity.model_copy(update={"projects": projects})
        except (ValidationError, ValueError) as error:
            message = str(error)
            if isinstance(error, ValidationError):
                first = error.errors()[0]
                loc = ".".join(str(p) for p in first["loc"])
                message = f"{loc}: {first['msg']}"
            store.problems.append(
                Problem(f"activity #{index + 1}: {message}", None, None, "error", source)
            )
            continue
        if activity.id in seen:
            store.problems.append(
                Problem(f"duplicate id {activity.id!r}", None, "id", "error", source)
            )
            continue
        seen.add(activity.id)
        store.activities.append(activity)
    return store


def load(path: Path, *, missing_ok: bool = False) -> Store:
    """Read a store. Rows that cannot be read are reported in ``problems``, not raised."""
    fmt = store_format(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return Store(path=path, format=fmt)
        raise StoreError(
            "no such store",
            source=str(path),
            hint=f"create one with 'inventory import NEWSLETTER.txt --store {path}'",
        ) from None
    except OSError as error:
        raise StoreError(f"cannot read: {error.strerror}", source=str(path)) from None
    text = decode_text(data, str(path))
    return read_json(text, path) if fmt == "json" else read_csv(text, path)


# --- writing ---------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def render_csv(
    activities: Sequence[Activity],
    header: Sequence[str] = COLUMNS,
    *,
    raw_rows: dict[str, tuple[list[str], str]] | None = None,
    newline: str = "\n",
    safe: bool = False,
) -> str:
    """CSV text; rows whose cells are unchanged keep their original bytes."""
    raw_rows = raw_rows or {}
    extras = [c for a in activities for c in a.extra if c not in header]
    header = [*header, *dict.fromkeys(extras)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    for activity in activities:
        row = activity_to_row(activity)
        cells = [row.get(column, "") for column in header]
        if safe:
            cells = [neutralise(c) for c in cells]
        original = raw_rows.get(activity.id)
        if original is not None and original[0] + [""] * (len(cells) - len(original[0])) == cells:
            out.write(original[1] if original[1].endswith(("\n", "\r")) else original[1] + newline)
        else:
            writer.writerow(cells)
    return out.getvalue()


def render_json(activities: Sequence[Activity]) -> str:
    return (
        json.dumps([activity_to_json(a) for a in activities], ensure_ascii=False, indent=2) + "\n"
    )


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never
    a half-written one: a temporary file in the same folder, fsync, then rename."""
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    # The index beside the store (fastpath) describes the old bytes; its identity check
    # would reject it anyway, but no reader should even look at it.
    from .fastpath import discard_index

    discard_index(path)
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def dump(store: Store, activities: Sequence[Activity]) -> str:
    if store.format == "json":
        return render_json(activities)
    return render_csv(activities, store.header, raw_rows=store.raw_rows, newline=store.newline)


def save(store: Store, activities: Sequence[Activity]) -> None:
    """Replace the store's content. Call inside :func:`locked`."""
    try:
        atomic_write(store.path, dump(store, activities))
    except OSError as error:
        raise StoreError(
            f"cannot write: {error.strerror}; the store is unchanged", source=str(store.path)
        ) from None


@contextlib.contextmanager
def locked(path: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the store's lock (``PATH.lock``) so read-modify-write cycles do not interleave."""
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path) + ".lock")
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise StoreError(
            f"another process has held the lock for {timeout:.0f} s",
            source=str(path),
            hint=f"remove {path}.lock if no inventory command is running",
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def transaction(path: Path, *, create: bool = False) -> Iterator[Store]:
    """Lock the store and load it, for a read-modify-write cycle that ends with :func:`save`.
    Refuses a store with unreadable rows: rewriting it would lose them."""
    with locked(path):
        store = load(path, missing_ok=create)
        check_writable(store)
        yield store


def check_writable(store: Store) -> None:
    """Refuse to rewrite a store with rows that could not be read: they would be lost."""
    errors = [p for p in store.problems if p.severity == "error"]
    if errors:
        raise StoreError(
            f"{len(errors)} row(s) could not be read (first: {errors[0]}); nothing was written",
            source=str(store.path),
            hint="run 'inventory validate' and fix them first",
        )
