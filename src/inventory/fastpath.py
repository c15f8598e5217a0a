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

Building it validates every row (about 150 µs each), so a rebuild takes over what it can:
each row's BLAKE2b-128 of its bytes is kept, and a rebuild after an edit (a hand edit leaves
the stale index in place; a tool write puts it aside as ``.activities.csv.prev.idx``) reuses
the parts of every row whose bytes it finds there, when the old index was built by the same
code with the same registry and header. The changed rows, and those whose record did not
match their model, are validated again; ids, duplicates and order are worked out anew.

Anything unusual (a JSON store, a file with a stray ``\\r`` or another line separator that
``str.splitlines`` honours, a NUL byte, bad UTF-8, a broken header) is left to the plain
loader, which reports it as before. ``INVENTORY_NO_INDEX=1`` turns the index off.

Nothing here imports pydantic until a row's model is asked for: importing the models
costs more than importing Typer, and a ``list --json`` or a ``report`` needs none.
"""

from __future__ import annotations

import bisect
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import __version__
from .errors import ParseError
from .months import Period, month_of
from .storefile import COLUMNS, store_format
from .vocab import Certainty, Format, Status

if TYPE_CHECKING:
    from .model import Activity
    from .query import Filter
    from .report import Report
    from .store import Store

__all__ = [
    "Criteria",
    "Selection",
    "View",
    "discard_index",
    "index_path",
    "open_view",
]

ENV_NO_INDEX = "INVENTORY_NO_INDEX"


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


def _registry_names(registry: Any) -> dict[str, str]:
    """A registry's lookup table (as ``Registry.find`` uses it), for the index to keep so
    that ``--project`` resolves without loading the registry's models."""
    from .projects import _key

    return {_key(n): p.name for p in registry.projects for n in (p.name, *p.aliases)}


def _registry_of(store_path: Path) -> Any:
    """The registry the loader reads the store's project names through (as read_csv)."""
    from .projects import load_registry

    return load_registry(store_path.parent / "projects.csv")


def _registry_is_current(store_path: Path, registry: Any) -> bool:
    """Whether ``registry`` (maybe cached by an earlier load in this process) is what the
    file beside the store reads as now: only then may an index built with it be saved."""
    from .projects import load_registry

    before = _registry_source(store_path)
    try:
        fresh = load_registry.__wrapped__(store_path.parent / "projects.csv")
    except Exception:
        return False
    same = _registry_names(fresh) == _registry_names(registry)
    return same and _registry_source(store_path) == before


# --- what to select --------------------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """The fields of :class:`query.Filter`, in a class that does not import the models."""

    projects: tuple[str, ...] = ()
    period: Period | None = None
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

FORMAT_VERSION = 2
MAGIC = b"INVIDX\x00\x01"
# magic, verified_ns, crc of verified_ns, header length, crc of header, crc of the columns
_PREFIX = struct.Struct("<8sqIIII")
RACY_NS = 3_000_000_000
"""A store changed less than this before the index last read it may change again without
a new ctime (coarse clocks; FAT keeps two seconds): check its digest then."""

_CERTAINTIES = tuple(Certainty)
_STATUSES = tuple(Status)
_MONTH_PRECISION, _DEADLINE, _MULTI = 1, 2, 4
_FAITHFUL = 8  # the Schedule rebuilt from its JSON equals the parsed one
_CERTAINTY_SHIFT = 4  # two bits
_AFTERNOON, _LATE = 64, 128  # the 3rd and 2nd items of Activity.sort_key
_HASH = struct.Struct("<qq")
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
    # BLAKE2b-128 of the record's bytes: a rebuild after an edit reuses the rows it knows.
    "hash_lo": "q",
    "hash_hi": "q",
}
_SCHED_COLUMNS = {
    "s_start": "i",
    "s_end": "i",
    "s_flags": "i",
    "s_seg": "i",  # index in "segs" of [count, start, end, start, end, ...], or -1
    "s_json": "q",  # offset in the blob
    "s_json_len": "i",
    "s_json_crc": "I",
    "s_text": "q",  # offset in the blob of dates.render_schedule's text
    "s_text_len": "i",
    "s_text_crc": "I",
    "segs": "i",
}


def index_path(store_path: Path) -> Path:
    """Where the index of a store lives: ``.NAME.idx`` in the store's folder."""
    return store_path.with_name(f".{store_path.name}.idx")


def previous_path(store_path: Path) -> Path:
    """Where a discarded index waits, for the next build to reuse its rows."""
    return store_path.with_name(f".{store_path.name}.prev.idx")


def discard_index(store_path: Path) -> None:
    """Put aside the index of a store that was just rewritten (called by
    ``store.atomic_write``): no query reads it again, but the next build takes from it the
    rows whose bytes have not changed."""
    with contextlib.suppress(OSError):
        os.replace(index_path(store_path), previous_path(store_path))


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


_KNOWN = frozenset(COLUMNS)


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
        "extra": {k: v for k, v in row.items() if k not in _KNOWN and k is not None},
    }


def _sort_string(day: int, late: int, afternoon: int, title: str, ident: str) -> str:
    """:meth:`Activity.sort_key` as one string that orders as the tuple does ("\\0" sorts
    first; titles have no control characters), at a fraction of the memory for a million
    rows; ``day`` is an ordinal."""
    return f"{day:07d}{late}{afternoon}{title}\0{ident}"


class _Reuse:
    """The rows of an older index of the same store, found by the hash of their bytes."""

    def __init__(self, index: _Index) -> None:
        self.index = index
        c = index.columns
        lo, slow = c["hash_lo"], c["slow"]
        self.rows = {lo[i]: i for i in range(index.count) if not slow[i]}

    @classmethod
    def of(cls, index: _Index | None, header: list[str], registry: Any) -> _Reuse | None:
        """Only an index built by this code, for the same columns and projects, and whose
        records all matched their models."""
        if (
            index is None
            or index.header != header
            or index.meta.get("code") != _code_fingerprint()
            or index.meta["registry"] != registry
            or not index.meta["json_ok"]
        ):
            return None
        return cls(index)

    def find(self, lo: int, hi: int) -> int | None:
        at = self.rows.get(lo)
        return at if at is not None and self.index.columns["hash_hi"][at] == hi else None


class _Builder:
    """Reads a CSV store once, the way ``store.read_csv`` does, and writes the index."""

    def __init__(self, path: Path) -> None:
        import hashlib

        self.path = path
        self.problems: list[_Problem] = []
        self.digest = hashlib.sha256()
        self.consumed = 0  # bytes of the lines handed to the CSV reader so far
        self.lines = 0
        self.persistent = False

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

    def build(
        self,
        handle: IO[bytes],
        fd: int,
        identity: Identity,
        verified_ns: int,
        previous: _Index | None = None,
    ) -> list[Any]:
        """``handle`` reads the store from its start; ``fd`` is the same file; ``previous``
        is an older index of it whose rows may be reused."""
        import gc

        reader = csv.reader(self._lines(handle), strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except (StopIteration, csv.Error):
            raise _Unsupported from None
        if any(c not in header for c in ("id", "title", "dates")):
            raise _Unsupported
        # Millions of short-lived models: the cyclic collector would rescan the long-lived
        # tables (countries, the date cache) again and again for nothing.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._build(reader, header, fd, identity, verified_ns, previous)
        finally:
            if collecting:
                gc.enable()

    def _build(
        self,
        reader: Iterator[list[str]],
        header: list[str],
        fd: int,
        identity: Identity,
        verified_ns: int,
        previous: _Index | None,
    ) -> list[Any]:
        import hashlib

        from .dates import render_schedule
        from .places import fold
        from .store import activity_from_row, activity_to_json

        # Read first, as read_csv does: a projects.csv it cannot read stops the load.
        source = _registry_source(self.path)
        registry = _registry_of(self.path)
        self.persistent = _registry_is_current(self.path, registry)
        registry_meta = {"source": source, "names": _registry_names(registry)}
        reuse = _Reuse.of(previous, header, registry_meta)
        self.reused = 0
        width = len(header)
        problems: list[tuple[int, _Problem]] = []

        # Pass 1, in file order: the records, as store.read_csv splits them.
        offsets, lengths, lines, groups = array("q"), array("i"), array("i"), array("i")
        group_ids: dict[tuple[str, str], int] = {}
        while True:
            line = self.lines + 1
            start = self.consumed
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                problems.append((line, _Problem(f"broken row: {error}", line, None)))
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > width:
                message = f"{len(cells)} cells but the header names {width} columns"
                problems.append((line, _Problem(message, line, None)))
                continue
            row = dict(zip(header, cells, strict=False))
            # activity_from_row reads the schedule from these two cells alone.
            group = ((row.get("dates") or "").strip(), (row.get("month") or "").strip())
            offsets.append(start)
            lengths.append(self.consumed - start)
            lines.append(line)
            groups.append(group_ids.setdefault(group, len(group_ids)))
        del group_ids

        # Pass 2: validate each record, those with the same date cells one after the other
        # (a million rows hold more date texts than parse_schedule's cache keeps).
        count = len(offsets)
        keys: list[str | None] = [None] * count
        cols = {
            name: array(code, bytes(array(code).itemsize * count))
            for name, code in _ROW_COLUMNS.items()
            if name not in ("key", "offset", "length")
        }
        sched_of_group: dict[int, int] = {}
        sched = {name: array(code) for name, code in _SCHED_COLUMNS.items()}
        blob = bytearray()
        proj_ids: dict[tuple[str, ...], int] = {}
        ctry_ids: dict[tuple[tuple[str, str], ...], int] = {}
        city_ids: dict[str | None, int] = {}
        json_ok = True
        checked = 0

        def add_schedule(
            start: int, end: int, flags: int, parts: Sequence[int], fragment: bytes, text: bytes
        ) -> int:
            """Append a schedule; ``parts``: start, end, start, end... of its segments when
            it has several (else empty); ``fragment``: its JSON; ``text``: it written out."""
            sid = len(sched["s_start"])
            sched["s_start"].append(start)
            sched["s_end"].append(end)
            sched["s_flags"].append(flags)
            sched["s_seg"].append(len(sched["segs"]) if parts else -1)
            if parts:
                sched["segs"].append(len(parts) // 2)
                sched["segs"].extend(parts)
            for name, piece in (("s_json", fragment), ("s_text", text)):
                sched[name].append(len(blob))
                sched[f"{name}_len"].append(len(piece))
                sched[f"{name}_crc"].append(zlib.crc32(piece))
                blob.extend(piece)
            return sid

        for n, r in enumerate(sorted(range(count), key=groups.__getitem__)):
            raw = os.pread(fd, lengths[r], offsets[r])
            h_lo, h_hi = _HASH.unpack(hashlib.blake2b(raw, digest_size=16).digest())
            cols["hash_lo"][r], cols["hash_hi"][r] = h_lo, h_hi
            row = dict(zip(header, _cells(raw.decode("utf-8")), strict=False))
            at = reuse.find(h_lo, h_hi) if reuse is not None else None
            if reuse is not None and at is not None:
                # The same bytes, read by the same code with the same registry: the same
                # activity. Its parts are taken over; the title and id come from the cells,
                # as for any row whose record matched its model (the only ones reused).
                old, oc = reuse.index, reuse.index.columns
                sid = sched_of_group.get(groups[r])
                if sid is None:
                    osid = oc["sched"][at]
                    parts = old.segment_ordinals(osid) if oc["s_flags"][osid] & _MULTI else ()
                    sid = sched_of_group[groups[r]] = add_schedule(
                        oc["s_start"][osid],
                        oc["s_end"][osid],
                        oc["s_flags"][osid],
                        parts,
                        old.piece(osid, "s_json"),
                        old.piece(osid, "s_text"),
                    )
                flags = sched["s_flags"][sid]
                pairs = tuple((code, name) for code, name in old.countries[oc["ctry"][at]])
                cols["sched"][r] = sid
                cols["proj"][r] = proj_ids.setdefault(
                    tuple(old.projects[oc["proj"][at]]), len(proj_ids)
                )
                cols["ctry"][r] = ctry_ids.setdefault(pairs, len(ctry_ids))
                cols["city"][r] = city_ids.setdefault(old.cities[oc["city"][at]], len(city_ids))
                cols["status"][r] = oc["status"][at]
                title = " ".join((row.get("title") or "").split()).casefold()
                ident = (row.get("id") or "").strip()
                late, afternoon = int(bool(flags & _LATE)), int(bool(flags & _AFTERNOON))
                keys[r] = _sort_string(oc["key"][at], late, afternoon, title, ident)
                self.reused += 1
                continue
            try:
                activity = activity_from_row(row, registry)
            except ParseError as error:
                problems.append((lines[r], _Problem(error.message, lines[r], error.field)))
                continue
            schedule = activity.schedule
            sid = sched_of_group.get(groups[r])
            if sid is None:
                as_json = activity_to_json(activity)["schedule"]
                flags = (_CERTAINTIES.index(schedule.certainty) << _CERTAINTY_SHIFT) | (
                    _MONTH_PRECISION if not schedule.segments else 0
                )
                if _schedule_from_json(as_json) == schedule:
                    flags |= _FAITHFUL
                if schedule.deadline:
                    flags |= _DEADLINE
                _, late, afternoon, _, _ = activity.sort_key()
                flags |= (_LATE if late else 0) | (_AFTERNOON if afternoon else 0)
                ordinals: list[int] = []
                if len(schedule.segments) > 1:
                    flags |= _MULTI
                    ordinals = [
                        day.toordinal()
                        for part in schedule.segments
                        for day in (part.start, part.end)
                    ]
                sid = sched_of_group[groups[r]] = add_schedule(
                    schedule.start.toordinal(),
                    schedule.end.toordinal(),
                    flags,
                    ordinals,
                    json.dumps(as_json, ensure_ascii=False).encode(),
                    render_schedule(schedule).encode(),
                )
            place = activity.place
            pairs = tuple((c.code, c.name) for c in place.countries) if place else ()
            city_key = None if place is None else fold(place.city or "")

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
            if not slow and (checked < 64 or n % 4096 == 0):
                checked += 1
                reference = activity_to_json(activity)
                record["schedule"] = reference["schedule"]
                at, length = sched["s_json"][sid], sched["s_json_len"][sid]
                kept = bytes(blob[at : at + length])
                built = _activity(
                    row,
                    activity.projects,
                    _place(row, pairs) if place is not None else None,
                    _schedule_from_json(reference["schedule"]),
                    _STATUSES.index(activity.status),
                )
                if (
                    json.dumps(record, ensure_ascii=False)
                    != json.dumps(reference, ensure_ascii=False)
                    or kept != json.dumps(reference["schedule"], ensure_ascii=False).encode()
                    or built != activity
                ):
                    json_ok = False

            cols["sched"][r] = sid
            cols["proj"][r] = proj_ids.setdefault(activity.projects, len(proj_ids))
            cols["ctry"][r] = ctry_ids.setdefault(pairs, len(ctry_ids))
            cols["city"][r] = city_ids.setdefault(city_key, len(city_ids))
            cols["status"][r] = _STATUSES.index(activity.status)
            cols["slow"][r] = int(slow)
            day, unscheduled, afternoon, title, ident = activity.sort_key()
            keys[r] = _sort_string(day.toordinal(), unscheduled, afternoon, title, ident)
        del groups

        # Duplicates, in file order: the first row with an id keeps it.
        seen: dict[str, int] = {}
        for r in range(count):
            key = keys[r]
            if key is None:
                continue
            known = key[key.rindex("\0") + 1 :]
            if known in seen:
                message = f"duplicate id {known!r}, first used on line {seen[known]}"
                problems.append((lines[r], _Problem(message, lines[r], "id")))
                keys[r] = None
            else:
                seen[known] = lines[r]
        del seen
        problems.sort(key=lambda item: item[0])
        self.problems = [problem for _, problem in problems]

        valid = [r for r in range(count) if keys[r] is not None]
        valid.sort(key=lambda r: keys[r] or "")
        rows: dict[str, array[Any]] = {
            "key": array("i", (int(keys[r][:7]) for r in valid)),  # type: ignore[index]
            **{name: array(col.typecode, (col[r] for r in valid)) for name, col in cols.items()},
            "offset": array("q", (offsets[r] for r in valid)),
            "length": array("i", (lengths[r] for r in valid)),
        }
        rows = {name: rows[name] for name in _ROW_COLUMNS}
        keys.clear()
        del cols

        span = 0
        first_day = last_day = None
        s_start, s_end, s_flags = sched["s_start"], sched["s_end"], sched["s_flags"]
        for sid in set(rows["sched"]):
            start, end = s_start[sid], s_end[sid]
            if not s_flags[sid] & _MONTH_PRECISION:
                span = max(span, end - start)
            first_day = start if first_day is None else min(first_day, start)
            last_day = end if last_day is None else max(last_day, end)
        meta = {
            "format": FORMAT_VERSION,
            "code": _code_fingerprint(),
            "store": list(identity),
            "digest": self.digest.hexdigest(),
            "header": header,
            "count": len(valid),
            "first": first_day,
            "last": last_day,
            "span": span,
            "json_ok": json_ok,
            "reused": self.reused,
            "problems": [[p.message, p.line, p.field] for p in self.problems],
            "projects": [list(p) for p in proj_ids],
            "countries": [[list(pair) for pair in c] for c in ctry_ids],
            "cities": list(city_ids),
            "registry": registry_meta,
        }
        return _serialise(meta, {**rows, **sched}, blob, verified_ns)


def _place(row: dict[str, str], countries: Sequence[Sequence[str]]) -> Any:
    """The row's Place, unvalidated: see _activity."""
    from .model import Country, Place

    return Place.model_construct(
        city=(row.get("city") or "").strip() or None,
        countries=tuple(Country.model_construct(code=code, name=name) for code, name in countries),
        text=(row.get("location") or "").strip(),
    )


def _activity(
    row: dict[str, str], projects: Sequence[str], place: Any, schedule: Any, status: int
) -> Activity:
    """The row's Activity from its cells and the index's parts, unvalidated: for rows whose
    record the build found equal to the validated model's, as _record."""
    from .model import Activity

    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    return Activity.model_construct(
        id=cell("id"),
        projects=tuple(projects),
        title=" ".join(cell("title").split()),
        place=place,
        modality=cell("modality") or None,
        schedule=schedule,
        status=_STATUSES[status],
        extra={k: v for k, v in row.items() if k not in _KNOWN and k is not None},
    )


def _schedule_from_json(record: dict[str, Any]) -> Any:
    """The Schedule of a schedule's JSON, as ``store.activity_from_json`` reads it."""
    from .model import Schedule

    return Schedule.model_validate(
        {k: v for k, v in record.items() if k not in ("start", "end", "edtf")}
    )


def _cells(text: str) -> list[str]:
    """The cells of one raw record, as the reader of the whole file read them."""
    return next(csv.reader(text.splitlines(keepends=True), strict=True))


def _serialise(
    meta: dict[str, Any], columns: dict[str, array[Any]], blob: bytearray, verified_ns: int
) -> list[Any]:
    """The index file as a list of buffers (joined, or written one after the other: a
    million rows make a hundred megabytes not worth copying twice)."""
    pieces: list[Any] = []
    layout: dict[str, list[Any]] = {}
    size = body_crc = 0
    for name, column in columns.items():
        layout[name] = [column.typecode, size, len(column)]
        padding = b"\0" * (-(column.itemsize * len(column)) % 8)
        for piece in (column, padding):
            pieces.append(piece)
            body_crc = zlib.crc32(piece, body_crc)
            size += len(memoryview(piece).cast("B"))
    meta = {**meta, "columns": layout, "blob": [size, len(blob)]}
    header = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode()
    header += b" " * (-(_PREFIX.size + len(header)) % 8)
    prefix = _PREFIX.pack(
        MAGIC,
        verified_ns,
        zlib.crc32(struct.pack("<q", verified_ns)),
        len(header),
        zlib.crc32(header),
        body_crc,
    )
    return [prefix, header, *pieces, blob]


def _save(where: Path, pieces: list[Any], mode: int) -> Any:
    """Write the index beside the store and map it; the mapping is of the file written,
    whatever replaces it after."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f"{where.name}.", suffix=".tmp", dir=where.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        # Whoever may read the store may read its index (it holds nothing more).
        os.chmod(tmp, mode & 0o666)
        os.replace(tmp, where)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return mapped


# --- reading an index ------------------------------------------------------------------------


class _Corrupt(Exception):
    pass


class _Index:
    """An index over a store's bytes, both mapped read-only."""

    def __init__(self, path: Path, buffer: Any, store_fd: int) -> None:
        self.path = path
        self.buffer = buffer
        self.fd = os.dup(store_fd)
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
        self._texts: dict[int, str] = {}
        self._schedules: dict[int, Any] = {}
        self._places: dict[tuple[str, int, str], Any] = {}

    def _check_columns(self, meta: dict[str, Any]) -> None:
        expected = {**_ROW_COLUMNS, **_SCHED_COLUMNS}
        if {n: col.format for n, col in self.columns.items()} != expected:
            raise _Corrupt
        if any(len(self.columns[n]) != meta["count"] for n in _ROW_COLUMNS):
            raise _Corrupt
        if len({len(self.columns[n]) for n in _SCHED_COLUMNS if n != "segs"}) != 1:
            raise _Corrupt

    def __del__(self) -> None:
        with contextlib.suppress(AttributeError, OSError):
            os.close(self.fd)

    # raw access

    def cells(self, i: int) -> list[str]:
        at, length = self.columns["offset"][i], self.columns["length"][i]
        return _cells(os.pread(self.fd, length, at).decode("utf-8"))

    def row(self, i: int) -> dict[str, str]:
        return dict(zip(self.header, self.cells(i), strict=False))

    def piece(self, sid: int, name: str) -> bytes:
        """The schedule's piece of the blob named ``name`` (s_json, s_text), CRC checked."""
        c = self.columns
        at, length = c[name][sid], c[f"{name}_len"][sid]
        piece = bytes(self.blob[at : at + length])
        if zlib.crc32(piece) != c[f"{name}_crc"][sid]:
            raise _Corrupt
        return piece

    def schedule_json(self, sid: int) -> Any:
        found = self._fragments.get(sid)
        if found is None:
            found = self._fragments[sid] = json.loads(self.piece(sid, "s_json"))
        return found

    def schedule_text(self, sid: int) -> str:
        """The schedule written out, as ``dates.render_schedule`` wrote it."""
        found = self._texts.get(sid)
        if found is None:
            found = self._texts[sid] = self.piece(sid, "s_text").decode()
        return found

    def record(self, i: int) -> dict[str, Any]:
        """The row's JSON record; from the validated model for a row whose record the
        build found different (or when the record layout changed)."""
        c = self.columns
        if c["slow"][i] or not self.meta["json_ok"]:
            from .store import activity_from_row, activity_to_json

            return activity_to_json(activity_from_row(self.row(i), _registry_of(self.path)))
        city = self.cities[c["city"][i]]
        return _record(
            self.row(i),
            self.projects[c["proj"][i]],
            self.countries[c["ctry"][i]],
            city is not None,
            self.schedule_json(c["sched"][i]),
            _STATUSES[c["status"][i]].value,
        )

    def activity(self, i: int) -> Activity:
        """The row's model: built from parts the build proved equal to the validated
        model's (``model_construct``: validating again would cost a million rows more
        than the rest of a query), else by the loader itself."""
        c = self.columns
        sid = c["sched"][i]
        row = self.row(i)
        if c["slow"][i] or not self.meta["json_ok"] or not c["s_flags"][sid] & _FAITHFUL:
            from .store import activity_from_row

            return activity_from_row(row, _registry_of(self.path))
        schedule = self._schedules.get(sid)
        if schedule is None:
            schedule = self._schedules[sid] = _schedule_from_json(self.schedule_json(sid))
        place = None
        if self.cities[c["city"][i]] is not None:
            key = ((row.get("city") or ""), c["ctry"][i], (row.get("location") or ""))
            place = self._places.get(key)
            if place is None:
                place = self._places[key] = _place(row, self.countries[c["ctry"][i]])
        return _activity(row, self.projects[c["proj"][i]], place, schedule, c["status"][i])

    def prefetch(self, positions: list[int]) -> None:
        """Read (and check) the schedules of these rows before any of them is written."""
        column = self.columns["sched"]
        for sid in {column[i] for i in positions}:
            self.schedule_json(sid)
            self.schedule_text(sid)

    # selecting

    def segment_ordinals(self, sid: int) -> Sequence[int]:
        """Start, end, start, end... of a schedule's segments (one with several)."""
        segs = self.columns["segs"]
        at = self.columns["s_seg"][sid]
        ordinals: Sequence[int] = segs[at + 1 : at + 1 + 2 * segs[at]]
        return ordinals

    def _segments(self, sid: int) -> list[tuple[int, int]]:
        ordinals = self.segment_ordinals(sid)
        return list(zip(ordinals[::2], ordinals[1::2], strict=True))

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


def _read_index(where: Path, fd: int, path: Path) -> tuple[_Index, os.stat_result] | None:
    """The index file at ``where``, mapped and checked, if it reads as one."""
    with contextlib.suppress(OSError, _Corrupt, ValueError):
        with open(where, "rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            file_id = os.fstat(handle.fileno())
        return _Index(path, mapped, fd), file_id
    return None


def _open_index(path: Path, fd: int, identity: Identity) -> _Index:
    """The store's index, read if it is current, else built (and saved when possible).
    ``fd`` is the store, opened; the index keeps it to read the rows it returns. A build
    takes over the rows whose bytes it finds in the stale index, or in the one a tool
    write put aside."""
    where = index_path(path)
    found = _read_index(where, fd, path)
    stale = None
    if found is not None:
        index, file_id = found
        current = (
            index.meta.get("code") == _code_fingerprint()
            and index.identity == identity
            and index.meta["registry"]["source"] == _registry_source(path)
        )
        if current and _racy(identity, index.stamp):
            current = _confirm(index, where, file_id, fd) is not None
        if current:
            return index
        stale = index
    if stale is None:
        aside = _read_index(previous_path(path), fd, path)
        stale = aside[0] if aside is not None else None
    now = time.time_ns()
    builder = _Builder(path)
    try:
        pieces = _build_from(builder, fd, identity, now, stale)
    except _Corrupt:  # a damaged schedule in the old index: build from the store alone
        builder = _Builder(path)
        pieces = _build_from(builder, fd, identity, now, None)
    buffer: Any = None
    # Keep it only if the store did not change while it was read (nor projects.csv).
    with contextlib.suppress(OSError):
        st = os.stat(path)
        if _identity(st) == identity and builder.persistent:
            buffer = _save(where, pieces, st.st_mode)
            os.unlink(previous_path(path))
    if buffer is None:
        buffer = b"".join(pieces)
    return _Index(path, buffer, fd)


def _build_from(
    builder: _Builder, fd: int, identity: Identity, now: int, stale: _Index | None
) -> list[Any]:
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), "rb") as handle:
        return builder.build(handle, fd, identity, now, stale)


def _digest(fd: int) -> str:
    import hashlib

    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


def _confirm(index: _Index, where: Path, file_id: os.stat_result, fd: int) -> _Index | None:
    """A racy index is trusted only if the store's bytes still have its digest; once the
    store is old enough, the check is recorded so that later runs skip it."""
    now = time.time_ns()
    if _digest(fd) != index.meta.get("digest"):
        return None
    if not _racy(index.identity, now):
        stamp = struct.pack("<q", now)
        with contextlib.suppress(OSError):
            out = os.open(where, os.O_WRONLY)
            try:
                # Patch the file that was read, not one that replaced it since.
                st = os.fstat(out)
                if (st.st_dev, st.st_ino) == (file_id.st_dev, file_id.st_ino):
                    os.pwrite(out, stamp + struct.pack("<I", zlib.crc32(stamp)), 8)
            finally:
                os.close(out)
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

    def report(self, period: Period, label: str) -> Report:
        """:func:`report.build_report` of these activities."""
        from .report import build_report

        return build_report(self.activities(), period, label)


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
        return [self.index.activity(i) for i in self.positions]

    def records(self) -> Iterator[dict[str, Any]]:
        for i in self.positions:
            yield self.index.record(i)

    def report(self, period: Period, label: str) -> Report:
        # Counted from the columns, whose values are the validated models' own (see
        # _Builder._build); models are built only for the rows the report lists.
        from .report import Counted, Listed, summarise

        index, c = self.index, self.index.columns
        schedules: dict[int, tuple[str, Certainty, bool]] = {}
        countries: dict[int, tuple[str, ...]] = {}
        projects: dict[int, tuple[str, ...]] = {}
        entries = []
        for i in self.positions:
            sid, ctry, proj = c["sched"][i], c["ctry"][i], c["proj"][i]
            schedule = schedules.get(sid)
            if schedule is None:
                flags, first = c["s_flags"][sid], date.fromordinal(c["s_start"][sid])
                schedule = schedules[sid] = (
                    month_of(first),
                    _CERTAINTIES[(flags >> _CERTAINTY_SHIFT) & 3],
                    bool(flags & _DEADLINE),
                )
            if ctry not in countries:
                countries[ctry] = tuple(name for _, name in index.countries[ctry])
            if proj not in projects:
                projects[proj] = tuple(index.projects[proj])
            month, certainty, deadline = schedule
            entries.append(
                Counted(
                    month=month,
                    projects=projects[proj],
                    countries=countries[ctry],
                    certainty=certainty,
                    deadline=deadline,
                    status=_STATUSES[c["status"][i]],
                )
            )

        def listed(k: int) -> Listed:
            i = self.positions[k]
            record, sid = index.record(i), c["sched"][i]
            return Listed(
                id=record["id"],
                title=record["title"],
                projects=tuple(record["projects"]),
                due=date.fromordinal(c["s_end"][sid]),
                dates=index.schedule_text(sid),
                status=_STATUSES[c["status"][i]],
            )

        return summarise(entries, period, label, listed)

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
    index: _Index

    def _answer(self, find: Callable[[_Index], list[int]]) -> Selection:
        try:
            found = find(self.index)
            self.index.prefetch(found)
        except _Corrupt:
            # A damaged schedule (its own CRC, checked when first read): build anew.
            discard_index(self.path)
            self.index = _open_index(self.path, self.index.fd, self.index.identity)
            found = find(self.index)
            self.index.prefetch(found)
        return _Indexed(self.index, found)

    def __init__(self, path: Path, index: _Index) -> None:
        self.path = path
        self.index = index
        self.count = index.count
        self.problems = []
        if index.meta["problems"]:
            from .errors import Problem

            self.problems = [
                str(Problem(message, line, field, "error", str(path)))
                for message, line, field in index.meta["problems"]
            ]
        first, last = index.meta["first"], index.meta["last"]
        self.first_day = date.fromordinal(first) if first is not None else None
        self.last_day = date.fromordinal(last) if last is not None else None

    def project_names(self, names: Sequence[str]) -> tuple[str, ...] | None:
        # The index was built with the registry beside the store as it is now (checked
        # when it was opened).
        table: dict[str, str] = self.index.meta["registry"]["names"]
        found = tuple(table.get(project_key(name)) for name in names)
        return None if None in found else found  # type: ignore[return-value]

    def select(self, where: Criteria, limit: int | None = None) -> Selection:
        if limit == 0:
            return _Indexed(self.index, [])
        if where.period is None:
            return self._answer(lambda index: index.scan(where, limit=limit))
        first, last = (d.toordinal() for d in where.period)

        def find(index: _Index) -> list[int]:
            lo, hi = index.bounds(first, last)
            return index.scan(where, lo=lo, hi=hi, window=(first, last), limit=limit)

        return self._answer(find)

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
        window = None
        if where.period is not None:
            window = (where.period[0].toordinal(), where.period[1].toordinal())

        def find(index: _Index) -> list[int]:
            lo, hi = index.bounds(as_of.toordinal(), last)
            return index.scan(
                where,
                lo=lo,
                hi=hi,
                window=window,
                ends_after=as_of.toordinal(),
                starts_before=last,
                skip_cancelled=not include_cancelled,
                limit=limit,
            )

        return self._answer(find)


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
