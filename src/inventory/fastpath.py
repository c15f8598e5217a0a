"""Answering ``list``, ``upcoming`` and ``report`` on big CSV stores without building a model
for every row: a derived index beside the store, and the light helpers the CLI needs first.

The index (``.activities.csv.idx`` beside ``activities.csv``) is built by the full validated
loader (:func:`store.activity_from_row`, row by row, streaming) and holds, in the order of
:meth:`Activity.sort_key`, each row's byte offset in the store and its filter columns:
the schedule (window, segments, precision, certainty, deadline), the project set, the
country set, the folded city and the status. A query bisects the sorted dates to the
candidate rows, filters them on those compact columns, and reads (and, for the table,
CSV, Markdown and text formats, validates) only the rows it returns.

A stale index must never answer:

* it names the store it was built from by ``(device, inode, size, mtime_ns, ctime_ns)``
  and a SHA-256 of its bytes. Every writer of the tool replaces the store (new inode)
  and drops the index (``store.atomic_write``); a hand edit changes the size or ctime,
  which user space cannot set back. When the store changed within a few seconds before
  the index last looked at it (two writes in one tick of a coarse file-system clock
  share a ctime), the digest is checked as well, as git does for a "racily clean" file;
* it names the code that built it (this package's files, pycountry's tables, Python);
* it carries CRC-32s of its header and columns, and of each schedule's JSON;
* each row's JSON, rebuilt from its CSV cells and the index's tables, was compared with
  :func:`store.activity_to_json` of the validated model when the index was built; a row
  that differed (none should) is marked and always goes through the model.

Anything unusual (a JSON store, a file with a stray ``\\r`` or another line separator that
``str.splitlines`` honours, a NUL byte, bad UTF-8, a broken header) is left to the plain
loader, which reports it as before. ``INVENTORY_NO_INDEX=1`` turns the index off.

The first part of this module repeats, without importing pydantic, the few helpers the
CLI needs before it knows whether it will build a model at all (finding the store, the
period options): importing the models costs more than importing Typer. Tests keep the
copies equal to the originals in ``store`` and ``dates``.
"""

from __future__ import annotations

import bisect
import calendar
import contextlib
import csv
import functools
import json
import mmap
import os
import re
import struct
import sys
import time
import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import __version__
from .errors import ParseError, StoreError, UsageError
from .vocab import Certainty, Format, Status

if TYPE_CHECKING:
    from .model import Activity
    from .query import Filter
    from .store import Store

__all__ = [
    "Criteria",
    "Selection",
    "View",
    "discard_index",
    "find_store",
    "index_path",
    "month_label",
    "open_view",
    "parse_day",
    "parse_month_period",
    "parse_quarter",
    "parse_year",
]

ENV_NO_INDEX = "INVENTORY_NO_INDEX"

# --- pydantic-free copies of store.find_store and the period parsers of dates ----------------

ENV_STORE = "INVENTORY_STORE"
DEFAULT_NAMES = ("data/activities.csv", "activities.csv", "activities.json")
COLUMNS = (
    "id", "projects", "title", "modality", "city", "countries", "location",
    "dates", "month", "start", "end", "precision", "certainty", "deadline", "status",
)  # fmt: skip


def find_store(explicit: str | None = None, *, cwd: Path | None = None) -> Path:
    """Same as :func:`store.find_store`."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env)
    here = (cwd or Path.cwd()).resolve()
    tried: list[str] = []
    for folder in (here, *here.parents):
        for name in DEFAULT_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        tried.append(str(folder / "data/activities.csv"))
    raise StoreError(
        f"no store found: looked for {', '.join(DEFAULT_NAMES)} in {here} and its parents",
        hint=f"pass --store PATH, set {ENV_STORE}, or create one with "
        "'inventory import NEWSLETTER.txt --store data/activities.csv'",
    )


def store_format(path: Path) -> str:
    return "json" if path.suffix.lower() in (".json", ".ndjson") else "csv"


_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH_NUMBERS: dict[str, int] = {
    **{name.lower(): n for n, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3].lower(): n for n, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}


def _usage(kind: str, value: str, expected: str) -> UsageError:
    return UsageError(f"invalid {kind} '{value}': {expected}", text=value)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_month_period(value: str) -> tuple[date, date]:
    """Same as :func:`dates.parse_month_period`."""
    expected = "expected YYYY-MM, e.g. 2019-11 (or 'November 2019')"
    v = value.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", v):
        year, month = int(m[1]), int(m[2])
    elif (m := re.fullmatch(r"([^\W\d_]+)\.?\s+(\d{4})", v)) and m[1].lower() in _MONTH_NUMBERS:
        year, month = int(m[2]), _MONTH_NUMBERS[m[1].lower()]
    else:
        raise _usage("month", value, expected)
    if year < 1 or not 1 <= month <= 12:
        raise _usage("month", value, expected)
    return date(year, month, 1), _last_day(year, month)


def parse_quarter(value: str) -> tuple[date, date]:
    """Same as :func:`dates.parse_quarter`."""
    v = value.strip()
    m = re.fullmatch(r"[qQ](\d)[\s-]?(\d{4})", v) or re.fullmatch(r"(\d{4})[\s-]?[qQ](\d)", v)
    if m is None:
        raise _usage("quarter", value, "expected Q1-Q4 and a year, e.g. Q4-2019")
    quarter, year = (int(m[1]), int(m[2])) if v[0] in "qQ" else (int(m[2]), int(m[1]))
    if not 1 <= quarter <= 4 or year < 1:
        raise _usage("quarter", value, "expected Q1-Q4 and a year, e.g. Q4-2019")
    return date(year, 3 * quarter - 2, 1), _last_day(year, 3 * quarter)


def parse_year(value: str) -> tuple[date, date]:
    """Same as :func:`dates.parse_year`."""
    v = value.strip()
    if not re.fullmatch(r"\d{4}", v) or int(v) < 1:
        raise _usage("year", value, "expected a four-digit year, e.g. 2020")
    return date(int(v), 1, 1), date(int(v), 12, 31)


def parse_day(value: str) -> date:
    """Same as :func:`dates.parse_day`."""
    expected = "expected YYYY-MM-DD, e.g. 2019-11-28"
    v = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
    if m is None:
        raise _usage("day", value, expected)
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if year < 1 or not 1 <= month <= 12:
        raise _usage("day", value, expected)
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        reason = f"{_MONTH_NAMES[month - 1]} {year} has {length} days; {expected}"
        raise _usage("day", value, reason)
    return date(year, month, day)


def month_label(first: date) -> str:
    """Same as :func:`dates.month_label`."""
    return f"{_MONTH_NAMES[first.month - 1]} {first.year}"


def project_key(name: str) -> str:
    """Same as :func:`projects._key`: how a project name or alias is looked up."""
    return "".join(ch for ch in name.casefold() if not ch.isspace())


def _registry_source(store_path: Path) -> str:
    """What the project registry of a store is read from: its ``projects.csv`` (the whole
    text: a few kB, compared faster than hashed), else the built-in list (which the code
    fingerprint covers)."""
    beside = store_path.parent / "projects.csv"
    try:
        return "file:" + beside.read_bytes().decode("utf-8", "surrogateescape")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return "built-in"


def _registry_names(store_path: Path) -> dict[str, Any] | None:
    """The registry's lookup table (as ``Registry.find`` uses it), for the index to keep so
    that ``--project`` resolves without loading the registry's models; None when the
    registry does not load (the command then loads it and reports why)."""
    from .projects import _key, load_registry

    before = _registry_source(store_path)
    try:
        registry = load_registry.__wrapped__(store_path.parent / "projects.csv")
    except Exception:
        return None
    if _registry_source(store_path) != before:
        return None
    names = {_key(n): p.name for p in registry.projects for n in (p.name, *p.aliases)}
    return {"source": before, "names": names}


# --- what to select --------------------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """The fields of :class:`query.Filter`, in a class that does not import the models."""

    projects: tuple[str, ...] = ()
    period: tuple[date, date] | None = None
    countries: tuple[str, ...] = ()
    city: str | None = None
    search: str | None = None
    certainty: tuple[Certainty, ...] = ()
    deadlines: bool | None = None
    status: tuple[Status, ...] = ()

    def to_filter(self) -> Filter:
        from .query import Filter

        return Filter(**{f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_filter(cls, where: Filter) -> Criteria:
        return cls(**{f.name: getattr(where, f.name) for f in fields(cls)})


# --- the index file --------------------------------------------------------------------------

FORMAT_VERSION = 1
MAGIC = b"INVIDX\x00\x01"
# magic, verified_ns, crc of verified_ns, header length, crc of header, crc of the columns
_PREFIX = struct.Struct("<8sqIIII")
RACY_NS = 3_000_000_000
"""A store changed less than this before the index last read it may change again without
a new ctime (coarse clocks; FAT keeps two seconds): check its digest then."""

_CERTAINTIES = tuple(Certainty)
_STATUSES = tuple(Status)
_MONTH_PRECISION, _DEADLINE, _MULTI = 1, 2, 4
_CERTAINTY_SHIFT = 4
# Line breaks str.splitlines() honours and a binary file's lines do not: the plain loader
# would split a record there, so such a file is left to it.
_OTHER_BREAKS = re.compile(rb"[\x0b\x0c\x1c-\x1e]|\xc2\x85|\xe2\x80[\xa8\xa9]")

_ROW_COLUMNS = {
    "key": "i",  # ordinal of the first item of Activity.sort_key (sorted)
    "sched": "i",
    "proj": "i",
    "ctry": "i",
    "city": "i",
    "status": "b",
    "slow": "b",  # 1: the row's JSON must come from the validated model
    "offset": "q",
    "length": "i",
}
_SCHED_COLUMNS = {
    "s_start": "i",
    "s_end": "i",
    "s_flags": "i",
    "s_seg": "i",  # index in "segs" of [count, start, end, start, end, ...], or -1
    "s_json": "q",  # offset in the blob
    "s_json_len": "i",
    "s_json_crc": "I",
    "segs": "i",
}


def index_path(store_path: Path) -> Path:
    """Where the index of a store lives: ``.NAME.idx`` in the store's folder."""
    return store_path.with_name(f".{store_path.name}.idx")


def discard_index(store_path: Path) -> None:
    """Delete the index of a store that was just rewritten (called by ``store.atomic_write``)."""
    with contextlib.suppress(OSError):
        os.unlink(index_path(store_path))


Identity = tuple[int, int, int, int, int]


def _identity(st: os.stat_result) -> Identity:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _racy(identity: Identity, verified_ns: int) -> bool:
    return verified_ns - max(identity[3], identity[4]) < RACY_NS


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Names the code an index was built by: a change to the loader, to a country's name
    (pycountry) or to Python's Unicode tables must not meet an old index."""
    import importlib.util

    parts = [str(FORMAT_VERSION), __version__, sys.version]
    here = Path(__file__).resolve().parent
    files = sorted(here.glob("*.py")) + sorted(here.glob("_data/*.csv"))
    spec = importlib.util.find_spec("pycountry")
    if spec is not None and spec.origin:
        root = Path(spec.origin).parent
        files += [root / "__init__.py", root / "databases" / "iso3166-1.json"]
    for file in files:
        with contextlib.suppress(OSError):
            st = file.stat()
            parts.append(f"{file}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


class _Unsupported(Exception):
    """The file is not one the index handles; the plain loader reads it."""


@dataclass
class _Problem:
    message: str
    line: int | None
    field: str | None


def _record(
    row: dict[str, str],
    projects: Sequence[str],
    countries: Sequence[Sequence[str]],
    has_place: bool,
    schedule: Any,
    status: str,
) -> dict[str, Any]:
    """The JSON record of a row, from its cells and what the index knows of it. Mirrors
    ``store.activity_from_row`` then ``store.activity_to_json``; checked row by row against
    them when the index is built."""

    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    return {
        "id": cell("id"),
        "projects": list(projects),
        "title": " ".join(cell("title").split()),
        "modality": cell("modality") or None,
        "place": {
            "text": cell("location"),
            "city": cell("city") or None,
            "countries": [{"code": code, "name": name} for code, name in countries],
        }
        if has_place
        else None,
        "schedule": schedule,
        "status": status,
        "extra": {k: v for k, v in row.items() if k not in COLUMNS and k is not None},
    }


class _Builder:
    """Reads a CSV store once, the way ``store.read_csv`` does, and writes the index."""

    def __init__(self, path: Path) -> None:
        import hashlib

        self.path = path
        self.problems: list[_Problem] = []
        self.digest = hashlib.sha256()
        self.consumed = 0  # bytes of the lines handed to the CSV reader so far
        self.lines = 0

    def _lines(self, handle: IO[bytes]) -> Iterator[str]:
        first = True
        for raw in handle:
            self.digest.update(raw)
            body = raw[:-2] if raw.endswith(b"\r\n") else raw.rstrip(b"\n")
            if b"\r" in body or b"\x00" in raw or _OTHER_BREAKS.search(raw):
                raise _Unsupported
            try:
                text = raw.decode("utf-8-sig" if first else "utf-8")
            except UnicodeDecodeError:
                raise _Unsupported from None
            first = False
            self.consumed += len(raw)
            self.lines += 1
            yield text

    def build(self, handle: IO[bytes], identity: Identity, verified_ns: int) -> bytes:
        from .places import fold
        from .store import activity_from_row, activity_to_json

        reader = csv.reader(self._lines(handle), strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except (StopIteration, csv.Error):
            raise _Unsupported from None
        if any(c not in header for c in ("id", "title", "dates")):
            raise _Unsupported
        width = len(header)

        sched_ids: dict[tuple[str, str], int] = {}
        sched = {name: array(code) for name, code in _SCHED_COLUMNS.items()}
        blob = bytearray()
        proj_ids: dict[tuple[str, ...], int] = {}
        ctry_ids: dict[tuple[tuple[str, str], ...], int] = {}
        city_ids: dict[str | None, int] = {}
        rows = {name: array(code) for name, code in _ROW_COLUMNS.items()}
        keys: list[str] = []
        seen: dict[str, int] = {}
        json_ok = True
        span = 0
        first_day = last_day = None
        checked = 0

        while True:
            line = self.lines + 1
            start = self.consumed
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                self.problems.append(_Problem(f"broken row: {error}", line, None))
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > width:
                self.problems.append(
                    _Problem(f"{len(cells)} cells but the header names {width} columns", line, None)
                )
                continue
            row = dict(zip(header, cells, strict=False))
            try:
                activity = activity_from_row(row)
            except ParseError as error:
                self.problems.append(_Problem(error.message, line, error.field))
                continue
            if activity.id in seen:
                self.problems.append(
                    _Problem(
                        f"duplicate id {activity.id!r}, first used on line {seen[activity.id]}",
                        line,
                        "id",
                    )
                )
                continue
            seen[activity.id] = line

            schedule = activity.schedule
            # activity_from_row reads the schedule from these two cells alone.
            skey = ((row.get("dates") or "").strip(), (row.get("month") or "").strip())
            sid = sched_ids.get(skey)
            if sid is None:
                sid = sched_ids[skey] = len(sched["s_start"])
                fragment = json.dumps(
                    activity_to_json(activity)["schedule"], ensure_ascii=False
                ).encode()
                flags = (_CERTAINTIES.index(schedule.certainty) << _CERTAINTY_SHIFT) | (
                    _MONTH_PRECISION if not schedule.segments else 0
                )
                if schedule.deadline:
                    flags |= _DEADLINE
                seg = -1
                if len(schedule.segments) > 1:
                    flags |= _MULTI
                    seg = len(sched["segs"])
                    sched["segs"].append(len(schedule.segments))
                    for s in schedule.segments:
                        sched["segs"].extend((s.start.toordinal(), s.end.toordinal()))
                sched["s_start"].append(schedule.start.toordinal())
                sched["s_end"].append(schedule.end.toordinal())
                sched["s_flags"].append(flags)
                sched["s_seg"].append(seg)
                sched["s_json"].append(len(blob))
                sched["s_json_len"].append(len(fragment))
                sched["s_json_crc"].append(zlib.crc32(fragment))
                blob += fragment
            place = activity.place
            projects = proj_ids.setdefault(activity.projects, len(proj_ids))
            pairs = tuple((c.code, c.name) for c in place.countries) if place else ()
            countries = ctry_ids.setdefault(pairs, len(ctry_ids))
            city_key = None if place is None else fold(place.city or "")
            city = city_ids.setdefault(city_key, len(city_ids))

            # The record's parts read from the cells, against the model; the parts taken
            # from the index's tables are the model's own values.
            record = _record(
                row, activity.projects, pairs, place is not None, None, activity.status.value
            )
            slow = (
                record["id"] != activity.id
                or record["title"] != activity.title
                or record["modality"] != activity.modality
                or record["extra"] != activity.extra
                or (
                    place is not None
                    and (record["place"]["text"], record["place"]["city"])
                    != (place.text, place.city)
                )
            )
            # Byte for byte on some rows: catches a change to activity_to_json (a field,
            # the key order) and checks the schedule kept for these cells.
            if not slow and (checked < 64 or len(keys) % 4096 == 0):
                checked += 1
                reference = activity_to_json(activity)
                record["schedule"] = reference["schedule"]
                at, length = sched["s_json"][sid], sched["s_json_len"][sid]
                kept = bytes(blob[at : at + length])
                if (
                    json.dumps(record, ensure_ascii=False)
                    != json.dumps(reference, ensure_ascii=False)
                    or kept != json.dumps(reference["schedule"], ensure_ascii=False).encode()
                ):
                    json_ok = False

            day, unscheduled, afternoon, title, ident = activity.sort_key()
            # One string orders as the tuple does ("\0" sorts first; titles have no
            # control characters), at a fraction of the memory for a million rows.
            keys.append(f"{day.toordinal():07d}{unscheduled}{afternoon}{title}\0{ident}")
            rows["key"].append(day.toordinal())
            rows["sched"].append(sid)
            rows["proj"].append(projects)
            rows["ctry"].append(countries)
            rows["city"].append(city)
            rows["status"].append(_STATUSES.index(activity.status))
            rows["slow"].append(int(slow))
            rows["offset"].append(start)
            rows["length"].append(self.consumed - start)
            if schedule.segments:
                span = max(span, schedule.end.toordinal() - schedule.start.toordinal())
            if first_day is None or schedule.start < first_day:
                first_day = schedule.start
            if last_day is None or schedule.end > last_day:
                last_day = schedule.end

        order = sorted(range(len(keys)), key=keys.__getitem__)
        del keys, seen
        sorted_rows = {
            name: array(col.typecode, (col[i] for i in order)) for name, col in rows.items()
        }
        del rows
        meta = {
            "format": FORMAT_VERSION,
            "code": _code_fingerprint(),
            "store": list(identity),
            "digest": self.digest.hexdigest(),
            "header": header,
            "count": len(order),
            "first": first_day.toordinal() if first_day else None,
            "last": last_day.toordinal() if last_day else None,
            "span": span,
            "json_ok": json_ok,
            "problems": [[p.message, p.line, p.field] for p in self.problems],
            "projects": [list(p) for p in proj_ids],
            "countries": [[list(pair) for pair in c] for c in ctry_ids],
            "cities": list(city_ids),
            "registry": _registry_names(self.path),
        }
        return _serialise(meta, {**sorted_rows, **sched}, bytes(blob), verified_ns)


def _serialise(
    meta: dict[str, Any], columns: dict[str, array[Any]], blob: bytes, verified_ns: int
) -> bytes:
    body = bytearray()
    layout: dict[str, list[Any]] = {}
    for name, column in columns.items():
        layout[name] = [column.typecode, len(body), len(column)]
        body += column.tobytes()
        body += b"\0" * (-len(body) % 8)
    meta = {**meta, "columns": layout, "blob": [len(body), len(blob)]}
    header = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode()
    header += b" " * (-(_PREFIX.size + len(header)) % 8)
    prefix = _PREFIX.pack(
        MAGIC,
        verified_ns,
        zlib.crc32(struct.pack("<q", verified_ns)),
        len(header),
        zlib.crc32(header),
        zlib.crc32(body),
    )
    return b"".join((prefix, header, body, blob))


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # Whoever may read the store may read its index (it holds nothing more).
        os.chmod(tmp, mode & 0o666)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --- reading an index ------------------------------------------------------------------------


class _Corrupt(Exception):
    pass


class _Index:
    """An index over a store's bytes, both mapped read-only."""

    def __init__(self, path: Path, buffer: Any, data: Any, verified_ns: int) -> None:
        self.path = path
        self.buffer = buffer
        self.data = data  # the store's bytes
        self.verified_ns = verified_ns
        try:
            magic, stamp, stamp_crc, length, header_crc, body_crc = _PREFIX.unpack_from(buffer)
            if magic != MAGIC or zlib.crc32(struct.pack("<q", stamp)) != stamp_crc:
                raise _Corrupt
            view = memoryview(buffer)
            header = view[_PREFIX.size : _PREFIX.size + length]
            if len(header) != length or zlib.crc32(header) != header_crc:
                raise _Corrupt
            meta = json.loads(bytes(header))
            if meta.get("format") != FORMAT_VERSION:
                raise _Corrupt
            base = _PREFIX.size + length
            blob_at, blob_len = meta["blob"]
            body = view[base : base + blob_at]
            if len(body) != blob_at or zlib.crc32(body) != body_crc:
                raise _Corrupt
            self.blob = view[base + blob_at : base + blob_at + blob_len]
            if len(self.blob) != blob_len:
                raise _Corrupt
            self.columns: dict[str, Any] = {}
            for name, (typecode, offset, count) in meta["columns"].items():
                size = array(typecode).itemsize
                self.columns[name] = body[offset : offset + size * count].cast(typecode)
            self._check_columns(meta)
        except (struct.error, ValueError, KeyError, TypeError, IndexError) as error:
            raise _Corrupt from error
        self.stamp = stamp
        self.meta = meta
        self.identity: Identity = tuple(meta["store"])
        self.header: list[str] = meta["header"]
        self.count: int = meta["count"]
        self.projects: list[list[str]] = meta["projects"]
        self.countries: list[list[list[str]]] = meta["countries"]
        self.cities: list[str | None] = meta["cities"]
        self._fragments: dict[int, Any] = {}

    def _check_columns(self, meta: dict[str, Any]) -> None:
        expected = {**_ROW_COLUMNS, **_SCHED_COLUMNS}
        if {n: col.format for n, col in self.columns.items()} != expected:
            raise _Corrupt
        if any(len(self.columns[n]) != meta["count"] for n in _ROW_COLUMNS):
            raise _Corrupt
        if len({len(self.columns[n]) for n in _SCHED_COLUMNS if n != "segs"}) != 1:
            raise _Corrupt

    # raw access

    def cells(self, i: int) -> list[str]:
        at, length = self.columns["offset"][i], self.columns["length"][i]
        text = bytes(self.data[at : at + length]).decode("utf-8")
        return next(csv.reader(text.splitlines(keepends=True), strict=True))

    def row(self, i: int) -> dict[str, str]:
        return dict(zip(self.header, self.cells(i), strict=False))

    def schedule_json(self, sid: int) -> Any:
        found = self._fragments.get(sid)
        if found is None:
            c = self.columns
            at, length = c["s_json"][sid], c["s_json_len"][sid]
            fragment = bytes(self.blob[at : at + length])
            if zlib.crc32(fragment) != c["s_json_crc"][sid]:
                raise StoreError(
                    "the index beside the store is damaged; delete it and run the command again",
                    source=str(index_path(self.path)),
                )
            found = self._fragments[sid] = json.loads(fragment)
        return found

    def record(self, i: int) -> dict[str, Any]:
        """The row's JSON record; from the validated model for a row whose record the
        build found different (or when the record layout changed)."""
        c = self.columns
        if c["slow"][i] or not self.meta["json_ok"]:
            from .store import activity_from_row, activity_to_json

            return activity_to_json(activity_from_row(self.row(i)))
        city = self.cities[c["city"][i]]
        return _record(
            self.row(i),
            self.projects[c["proj"][i]],
            self.countries[c["ctry"][i]],
            city is not None,
            self.schedule_json(c["sched"][i]),
            _STATUSES[c["status"][i]].value,
        )

    # selecting

    def _segments(self, sid: int) -> list[tuple[int, int]]:
        segs = self.columns["segs"]
        at = self.columns["s_seg"][sid]
        return [(segs[at + 1 + 2 * k], segs[at + 2 + 2 * k]) for k in range(segs[at])]

    def scan(
        self,
        where: Criteria,
        *,
        lo: int = 0,
        hi: int | None = None,
        window: tuple[int, int] | None = None,
        ends_after: int | None = None,
        starts_before: int | None = None,
        skip_cancelled: bool = False,
        limit: int | None = None,
    ) -> list[int]:
        """Positions (in sort order) of the rows that match; ``window`` is a period in
        ordinals (overlap, as :meth:`Schedule.overlaps`); ``ends_after``/``starts_before``
        bound the schedule's window (as :func:`query.upcoming`)."""
        c = self.columns
        hi = self.count if hi is None else hi
        wanted_projects = set(where.projects)
        projects = (
            {i for i, names in enumerate(self.projects) if not wanted_projects.isdisjoint(names)}
            if where.projects
            else None
        )
        wanted_countries = set(where.countries)
        countries = (
            {
                i
                for i, pairs in enumerate(self.countries)
                if not wanted_countries.isdisjoint(code for code, _ in pairs)
            }
            if where.countries
            else None
        )
        cities = None
        if where.city:
            from .places import fold

            folded = fold(where.city)
            cities = {
                i for i, name in enumerate(self.cities) if name is not None and name == folded
            }
        statuses = {_STATUSES.index(s) for s in where.status} if where.status else None
        if skip_cancelled:
            statuses = (statuses or set(range(len(_STATUSES)))) - {
                _STATUSES.index(Status.CANCELLED)
            }
        certainties = {_CERTAINTIES.index(x) for x in where.certainty} if where.certainty else None
        search = None
        if where.search:
            from .places import fold

            search = fold(where.search)

        verdicts: dict[int, bool] = {}

        def schedule_ok(sid: int) -> bool:
            flags = c["s_flags"][sid]
            start, end = c["s_start"][sid], c["s_end"][sid]
            if window is not None:
                first, last = window
                if flags & _MULTI:
                    if not any(s <= last and e >= first for s, e in self._segments(sid)):
                        return False
                elif not (start <= last and end >= first):
                    return False
            if ends_after is not None and end < ends_after:
                return False
            if starts_before is not None and start > starts_before:
                return False
            if certainties is not None and (flags >> _CERTAINTY_SHIFT) & 3 not in certainties:
                return False
            return where.deadlines is None or bool(flags & _DEADLINE) == where.deadlines

        col_sched, col_proj, col_ctry = c["sched"], c["proj"], c["ctry"]
        col_city, col_status = c["city"], c["status"]
        found: list[int] = []
        for i in range(lo, hi):
            if projects is not None and col_proj[i] not in projects:
                continue
            if countries is not None and col_ctry[i] not in countries:
                continue
            if statuses is not None and col_status[i] not in statuses:
                continue
            if cities is not None and col_city[i] not in cities:
                continue
            sid = col_sched[i]
            verdict = verdicts.get(sid)
            if verdict is None:
                verdict = verdicts[sid] = schedule_ok(sid)
            if not verdict:
                continue
            if search is not None and search not in self._haystack(i):
                continue
            found.append(i)
            if limit is not None and len(found) >= limit:
                break
        return found

    def _haystack(self, i: int) -> str:
        # query._haystack, on the row's record (the same values as the model's).
        from .places import fold

        record = self.record(i)
        parts = [record["title"]]
        place = record["place"]
        if place is not None:
            parts += [place["text"], place["city"] or ""]
            parts += [c["name"] for c in place["countries"]]
        return fold(" ".join(parts))

    def bounds(self, first: int, last: int | None) -> tuple[int, int]:
        """Sorted positions whose key can belong to a row touching [first, last]: a dated
        row's key is its start (at most ``span`` days before its end), an unscheduled one's
        the end of its month (at most 30 days after its start)."""
        keys = self.columns["key"]
        lo = bisect.bisect_left(keys, first - self.meta["span"])
        hi = self.count if last is None else bisect.bisect_right(keys, last + 30)
        return lo, hi


def _open_index(path: Path, fd: int, identity: Identity) -> _Index:
    """The store's index, read if it is current, else built (and saved when possible)."""
    data: Any = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    where = index_path(path)
    index = None
    with contextlib.suppress(OSError, _Corrupt, ValueError):
        with open(where, "rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            file_id = os.fstat(handle.fileno())
        index = _Index(path, mapped, data, 0)
        if index.meta.get("code") != _code_fingerprint() or index.identity != identity:
            index = None
        elif _racy(identity, index.stamp):
            index = _confirm(index, where, file_id, data)
    if index is not None:
        return index
    now = time.time_ns()
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), "rb") as handle:
        built = _Builder(path).build(handle, identity, now)
    index = _Index(path, built, data, now)
    # Keep it only if the store did not change while it was read.
    with contextlib.suppress(OSError):
        st = os.stat(path)
        if _identity(st) == identity:
            _write_atomic(where, built, st.st_mode)
    return index


def _confirm(index: _Index, where: Path, file_id: os.stat_result, data: Any) -> _Index | None:
    """A racy index is trusted only if the store's bytes still have its digest; once the
    store is old enough, the check is recorded so that later runs skip it."""
    import hashlib

    now = time.time_ns()
    if hashlib.sha256(data).hexdigest() != index.meta.get("digest"):
        return None
    if not _racy(index.identity, now):
        stamp = struct.pack("<q", now)
        with contextlib.suppress(OSError):
            fd = os.open(where, os.O_WRONLY)
            try:
                # Patch the file that was read, not one that replaced it since.
                st = os.fstat(fd)
                if (st.st_dev, st.st_ino) == (file_id.st_dev, file_id.st_ino):
                    os.pwrite(fd, stamp + struct.pack("<I", zlib.crc32(stamp)), 8)
            finally:
                os.close(fd)
    return index


# --- views and selections --------------------------------------------------------------------


class Selection:
    """The activities a query returns, in order: as models, or written in a format."""

    def __len__(self) -> int:
        raise NotImplementedError

    def activities(self) -> list[Activity]:
        raise NotImplementedError

    def write(self, fmt: Format, stream: IO[str]) -> None:
        from .output import render

        render(self.activities(), fmt, stream)


class _Found(Selection):
    def __init__(self, found: list[Activity]) -> None:
        self.found = found

    def __len__(self) -> int:
        return len(self.found)

    def activities(self) -> list[Activity]:
        return self.found


class _Indexed(Selection):
    def __init__(self, index: _Index, positions: list[int]) -> None:
        self.index = index
        self.positions = positions

    def __len__(self) -> int:
        return len(self.positions)

    def activities(self) -> list[Activity]:
        from .store import activity_from_row

        return [activity_from_row(self.index.row(i)) for i in self.positions]

    def records(self) -> Iterator[dict[str, Any]]:
        for i in self.positions:
            yield self.index.record(i)

    def write(self, fmt: Format, stream: IO[str]) -> None:
        # Byte for byte what output.render writes for these formats.
        if fmt is Format.JSON:
            stream.write("[")
            for n, record in enumerate(self.records()):
                stream.write(",\n" if n else "\n")
                stream.write(json.dumps(record, ensure_ascii=False))
            stream.write("\n]\n" if self.positions else "]\n")
        elif fmt is Format.NDJSON:
            for record in self.records():
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            super().write(fmt, stream)


class View:
    """A store opened for reading: ``select`` and ``upcoming`` answer as :func:`query.select`
    and :func:`query.upcoming` over every readable row would."""

    path: Path
    count: int
    """Readable activities in the store."""
    problems: list[str]
    """Rows that could not be read, as the plain loader words them."""
    first_day: date | None
    last_day: date | None

    def project_names(self, names: Sequence[str]) -> tuple[str, ...] | None:
        """Canonical names of ``names`` without loading the registry, when the index knows
        them all; None sends the caller to the registry (``Registry.resolve``)."""
        return None

    def select(self, where: Criteria, limit: int | None = None) -> Selection:
        raise NotImplementedError

    def upcoming(
        self,
        where: Criteria,
        as_of: date,
        *,
        until: date | None = None,
        include_cancelled: bool = False,
        limit: int | None = None,
    ) -> Selection:
        raise NotImplementedError


class PlainView(View):
    """Every row loaded and validated (JSON stores, files the index leaves alone)."""

    def __init__(self, path: Path, store: Store | None = None) -> None:
        from .store import load

        self.store = store if store is not None else load(path)
        self.path = path
        activities = self.store.activities
        self.count = len(activities)
        self.problems = [str(p) for p in self.store.problems]
        self.first_day = min((a.start for a in activities), default=None)
        self.last_day = max((a.end for a in activities), default=None)

    def select(self, where: Criteria, limit: int | None = None) -> Selection:
        from .query import select

        return _Found(select(self.store.activities, where.to_filter(), limit))

    def upcoming(
        self,
        where: Criteria,
        as_of: date,
        *,
        until: date | None = None,
        include_cancelled: bool = False,
        limit: int | None = None,
    ) -> Selection:
        from .query import select, upcoming

        chosen = select(self.store.activities, where.to_filter())
        found = upcoming(chosen, as_of, until=until, include_cancelled=include_cancelled)
        return _Found(found[:limit] if limit is not None else found)


class IndexedView(View):
    def __init__(self, path: Path, index: _Index) -> None:
        self.path = path
        self.index = index
        self.count = index.count
        self.problems = []
        if index.meta["problems"]:
            from .newsletter import Problem

            self.problems = [
                str(Problem(message, line, field, "error", str(path)))
                for message, line, field in index.meta["problems"]
            ]
        first, last = index.meta["first"], index.meta["last"]
        self.first_day = date.fromordinal(first) if first is not None else None
        self.last_day = date.fromordinal(last) if last is not None else None

    def project_names(self, names: Sequence[str]) -> tuple[str, ...] | None:
        registry = self.index.meta["registry"]
        if registry is None or registry["source"] != _registry_source(self.path):
            return None
        table: dict[str, str] = registry["names"]
        found = tuple(table.get(project_key(name)) for name in names)
        return None if None in found else found  # type: ignore[return-value]

    def select(self, where: Criteria, limit: int | None = None) -> Selection:
        if limit == 0:
            return _Indexed(self.index, [])
        if where.period is None:
            return _Indexed(self.index, self.index.scan(where, limit=limit))
        first, last = (d.toordinal() for d in where.period)
        lo, hi = self.index.bounds(first, last)
        found = self.index.scan(where, lo=lo, hi=hi, window=(first, last), limit=limit)
        return _Indexed(self.index, found)

    def upcoming(
        self,
        where: Criteria,
        as_of: date,
        *,
        until: date | None = None,
        include_cancelled: bool = False,
        limit: int | None = None,
    ) -> Selection:
        if limit == 0:
            return _Indexed(self.index, [])
        last = until.toordinal() if until is not None else None
        lo, hi = self.index.bounds(as_of.toordinal(), last)
        window = None
        if where.period is not None:
            window = (where.period[0].toordinal(), where.period[1].toordinal())
        found = self.index.scan(
            where,
            lo=lo,
            hi=hi,
            window=window,
            ends_after=as_of.toordinal(),
            starts_before=last,
            skip_cancelled=not include_cancelled,
            limit=limit,
        )
        return _Indexed(self.index, found)


def open_view(path: Path) -> View:
    """Open a store for reading, through its index when it has (or can get) one."""
    if os.environ.get(ENV_NO_INDEX) or store_format(path) == "json":
        return PlainView(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return PlainView(path)  # which says what is wrong, as before
    try:
        st = os.fstat(fd)
        if st.st_size == 0 or not os.path.isfile(path):
            return PlainView(path)
        try:
            index = _open_index(path, fd, _identity(st))
        except _Unsupported:
            return PlainView(path)
        return IndexedView(path, index)
    finally:
        os.close(fd)
