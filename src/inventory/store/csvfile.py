"""The CSV store (the default): a file people also edit in a spreadsheet, answered through
its SQLite cache (``cache.py``) and rewritten row-preservingly (``csvdoc.py``)."""

from __future__ import annotations

import csv
import hashlib
import io
import marshal
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..aggregates import Sql, kept_count
from ..errors import ParseError, Problem, StoreError
from ..months import Period
from ..query import EVERYTHING, SQLITE, Criteria
from ..sanitise import unneutralise
from ..selection import Selection
from ..textio import MAX_ROW, RowTooLong, decode
from ..vocab import COLUMNS, DERIVED
from . import cacheschema, sql
from .cache import Cache, Progress
from .csvdoc import Document, Header, read_rows, row_hash
from .csvstream import rewrite
from .files import (
    Identity,
    Snapshot,
    TempFile,
    changed,
    digest_of,
    is_racy,
    open_version,
    os_error,
    read_snapshot,
    same_version,
    stat_snapshot,
)
from .filestore import FileSession, FileStore

if TYPE_CHECKING:
    from ..model import Activity
    from ..titlewords import CorpusCounts


class CsvStore(FileStore):
    kind = "csv"

    def __init__(
        self,
        path: Path,
        *,
        create: bool = False,
        progress: Progress | None = None,
        keep_cache: bool = True,
    ):
        super().__init__(path, create=create)
        self.progress = progress
        self.keep_cache = keep_cache
        """False: the cache lives in memory for this run (a dry run writes nothing)."""
        self._cache: Cache | None = None
        self._current = False
        """The cache was brought up to date once since the store was opened: the rest of
        the command answers from that version (a save from a spreadsheet meanwhile is seen
        by the next command), so one question's answers never mix two versions."""
        self._written: sqlite3.Connection | None = None

    def cache(self) -> Cache:
        if self._cache is None:
            self._cache = Cache(self.path, lambda: self.registry, memory=not self.keep_cache)
        if not self.create and not self.path.exists():
            raise StoreError(
                "no such store",
                source=str(self.path),
                hint=f"create one with 'inventory import NEWSLETTER.txt --store {self.path}'",
            )
        if not self._current:
            self._cache.ensure_current(self.progress)
            self._current = True
        return self._cache

    def close(self) -> None:
        if self._written is not None:
            self._written.close()
            self._written = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None
        self._current = False

    def project_lookup(self) -> dict[str, str] | None:
        return self.cache().project_lookup()

    def problems(self) -> list[Problem]:
        return self.cache().problems()

    def count(self, criteria: Criteria | None = None) -> int:
        kept = kept_count(self._sql(), criteria) if criteria is not None else None
        return sql.count(self.cache().connection, criteria) if kept is None else kept

    def select(self, criteria: Criteria = EVERYTHING, limit: int | None = None) -> Selection:
        # The cache is rebuilt whenever the record shape changes: its records are current,
        # and each was validated by the model as the build read it.
        return sql.select(self.cache().connection, criteria, limit, proven=True)

    def scan(self, criteria: Criteria = EVERYTHING) -> Iterator[Activity]:
        return sql.scan(self.cache().connection, criteria, copy=True, proven=True)

    def scan_records(self, criteria: Criteria = EVERYTHING) -> Iterator[tuple[str, str]] | None:
        return sql.scan_records(self.cache().connection, criteria, copy=True)

    def bounds(self, criteria: Criteria | None = None) -> Period | None:
        return sql.bounds(self.cache().connection, criteria)

    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        return sql.ids_starting(self.cache().connection, prefix, limit)

    def project_names(self) -> set[str]:
        return sql.project_names(self.cache().connection)

    def _sql(self) -> Sql:
        connection = self.cache().connection
        spans = cacheschema.kept_spans(connection)
        return Sql(connection.execute, SQLITE, sql.max_span(connection), "a.casefold", spans=spans)

    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]:
        return sql.by_ids(self.cache().connection, ids, proven=True)

    def corpus_counts(self) -> CorpusCounts:
        from . import cachecorpus  # only clashes asks

        # Kept by the cache as rows come and go: a few thousand rows, not every title.
        return cachecorpus.read(self.cache().connection)

    def empty(self) -> bytes:
        return (",".join(COLUMNS) + "\n").encode("utf-8")

    def rows_as_written(self) -> dict[str, tuple[int, dict[str, str]]]:
        out: dict[str, tuple[int, dict[str, str]]] = {}
        for ident, line, cells in self._rows_written():
            if ident not in out:
                out[ident] = (line, cells)
        return out

    def _rows_written(self) -> Iterator[tuple[str, int, dict[str, str]]]:
        """Each row's id, line and cells as written, in file order (an id twice: twice):
        read a line at a time, as ``csvdoc.read_rows`` reads the whole text (which costs
        four times the file at its peak: 680 MB for a million rows)."""
        try:
            stream = open(self.path, encoding="utf-8-sig", newline="")  # noqa: SIM115
        except FileNotFoundError:
            return
        with stream:
            lines = _Lines(stream)
            reader = csv.reader(lines, strict=True)
            try:
                header = [unneutralise(h.strip()) for h in next(reader)]
            except StopIteration:
                return
            except (csv.Error, RowTooLong, UnicodeDecodeError):
                header = []
            if "id" not in header:  # what read_rows says of such a file, as it says it
                yield from self._rows_written_whole()
                return
            kept = [(i, n) for i, n in enumerate(header) if n == "id" or n in DERIVED]
            while True:
                lines.size = 0
                line = lines.count + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except (csv.Error, RowTooLong):
                    continue  # a row read_rows cannot read either: it has no id
                except UnicodeDecodeError:
                    yield from self._rows_written_whole()  # it says where
                    return
                found = _kept_cells(cells, kept)
                ident = (found.get("id") or "").strip()
                if ident:
                    yield ident, line, found

    def _rows_written_whole(self) -> Iterator[tuple[str, int, dict[str, str]]]:
        """:meth:`_rows_written` from the whole text, through ``csvdoc.read_rows``."""
        snapshot = read_snapshot(self.path)
        if snapshot is None:
            return
        header, rows = read_rows(decode(snapshot.data, str(self.path)), str(self.path))
        # The id and the derived columns only: what validate compares (all of every row of a
        # big store would cost more memory than its activities).
        kept = [(i, n) for i, n in enumerate(header.names) if n == "id" or n in DERIVED]
        for row in rows:
            cells = _kept_cells(row.cells, kept)
            ident = (cells.get("id") or "").strip()
            if ident:
                yield ident, row.line, cells

    def written_lookup(self) -> Callable[[Sequence[str]], dict[str, tuple[int, dict[str, str]]]]:
        # In a temporary file (deleted when the store closes), not a dictionary: a
        # million rows' cells would cost more memory than the check itself.
        if self._written is None:
            self._written = sqlite3.connect("")
            self._fill_written(self._written)
        return _written_rows(self._written)

    def write_written(self, path: str) -> None:
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to undo
            connection.execute("PRAGMA synchronous = OFF")
            self._fill_written(connection)
            connection.commit()
        finally:
            connection.close()

    def written_from(
        self, path: str
    ) -> Callable[[Sequence[str]], dict[str, tuple[int, dict[str, str]]]]:
        return _written_rows(sqlite3.connect(path))

    def _fill_written(self, connection: sqlite3.Connection) -> None:
        # The cells packed by marshal (a dictionary of strings): read back faster than JSON.
        connection.execute("CREATE TABLE row (id TEXT PRIMARY KEY, line INTEGER, cells BLOB)")
        rows = ((i, n, marshal.dumps(c)) for i, n, c in self._rows_written())
        connection.executemany("INSERT OR IGNORE INTO row VALUES (?, ?, ?)", rows)

    def _version(self) -> Snapshot | None:
        return stat_snapshot(self.path)  # its bytes are streamed, not held

    def _session(self, snapshot: Snapshot | None) -> FileSession:
        # A write reads the file again under the lock: its version, not the one the
        # command's questions were answered from, is the one it changes.
        self._current = False
        return CsvSession(self, snapshot)


def _written_rows(
    connection: sqlite3.Connection,
) -> Callable[[Sequence[str]], dict[str, tuple[int, dict[str, str]]]]:
    def lookup(ids: Sequence[str]) -> dict[str, tuple[int, dict[str, str]]]:
        found: dict[str, tuple[int, dict[str, str]]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT id, line, cells FROM row WHERE id IN ({marks})"
            for ident, line, cells in connection.execute(query, chunk):
                found[ident] = (line, marshal.loads(cells))
        return found

    return lookup


def _kept_cells(cells: list[str], kept: list[tuple[int, str]]) -> dict[str, str]:
    size = len(cells)
    # Only a cell starting with "'" can be neutralised (as cacherows reads them).
    return {
        n: unneutralise(c) if (c := cells[i]).startswith("'") else c for i, n in kept if i < size
    }


class _Lines:
    """A file's lines for csv.reader, ended where ``csvdoc.Recorder`` ends them (a file
    opened with ``newline=""`` splits as ``io.StringIO(text, newline="")`` does), with its
    limit on a row's length; one line held at a time."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.count = 0
        self.size = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._stream.readline()
        if not line:
            raise StopIteration
        self.count += 1
        self.size += len(line)
        if self.size > MAX_ROW:
            raise RowTooLong
        return line


class CsvSession(FileSession):
    """A write to a CSV store: the file streamed to its next version a row at a time
    (``csvstream``), or, for a new file or one only the whole-text writer handles, rewritten
    from a :class:`Document`."""

    store: CsvStore

    def __init__(self, store: CsvStore, snapshot: Snapshot | None) -> None:
        super().__init__(store, snapshot)
        self.doc: Document | None = None
        self.header: Header | None = None
        self.rows: dict[str, str] = {}
        if self.store._cache is None:
            self.store._cache = Cache(store.path, lambda: store.registry)
        self.cache = self.store._cache
        # The cache must describe exactly the version this write starts from: it answers
        # the write's questions, and vouches for the text the rows are copied from.
        if snapshot is None:
            self.doc = Document(Header(False, "\n", [], ""))
            self.cache.clear()
            return
        self.cache.ensure_current(store.progress)
        if sql.get_meta(self.cache.connection, "identity") != repr(snapshot.identity):
            raise changed(store.path, "was changed by someone else")

    def ids_starting(self, prefix: str, limit: int = 50) -> list[str]:
        if self.snapshot is None:
            return []
        return sql.ids_starting(self.cache.connection, prefix, limit)

    def by_ids(self, ids: Sequence[str]) -> dict[str, Activity]:
        if self.snapshot is None:
            return {}
        return sql.by_ids(self.cache.connection, ids)

    def prepare(self, changes: dict[str, Activity | None]) -> tuple[TempFile, str]:
        snapshot = self.snapshot
        if snapshot is None:
            return super().prepare(changes)
        path = self.store.path
        # A file changed within a clock tick of being read may change again unseen: then
        # the bytes streamed must be the ones the cache describes, and their digest is
        # what the guard before the rename compares.
        racy = is_racy(snapshot.identity, snapshot.seen_ns)
        fd = open_version(path, snapshot.identity)
        try:
            temp = _Hashed(path)
            try:
                streamed = rewrite(
                    fd, changes, temp, check=self._check, hashes=self._hashes, digest=racy
                )
                if streamed is not None and not same_version(fd, snapshot.identity):
                    raise changed(path, "was changed by someone else")
            except BaseException:
                temp.discard()
                raise
        finally:
            os.close(fd)
        if streamed is None:
            temp.discard()
            return super().prepare(changes)
        if racy and streamed.digest != sql.get_meta(self.cache.connection, "digest"):
            temp.discard()
            raise changed(path, "was changed by someone else")
        if streamed.digest is not None:
            snapshot.__dict__["digest"] = streamed.digest
        self.header, self.rows = streamed.header, streamed.rows
        return temp, temp.hash.hexdigest()

    def _hashes(self, ids: list[str]) -> dict[str, bytes]:
        """The hash of each of these ids' row as the cache read it (``csvdoc.row_hash``)."""
        marks = ", ".join("?" * len(ids))
        query = f"SELECT id, hash FROM activity WHERE id IN ({marks})"
        return dict(self.cache.connection.execute(query, ids).fetchall())

    def _check(self, activity: Activity, raw: str, names: list[str]) -> None:
        _check_reads_back(activity, raw, names, self.store)

    def render(self, changes: dict[str, Activity | None]) -> bytes:
        """The whole text rewritten (a new store, or one the stream leaves to it)."""
        if self.doc is None:
            assert self.snapshot is not None
            data = _read_version(self.snapshot)
            self.doc = Document.parse(decode(data, str(self.store.path)), str(self.store.path))
        doc = self.doc
        doc.apply(changes)
        for activity in changes.values():
            if activity is not None:
                _check_reads_back(activity, doc.raw[activity.id], doc.header.names, self.store)
        self.header = doc.header
        self.rows = {i: doc.raw[i] for i, a in changes.items() if a is not None}
        return doc.render().encode("utf-8")

    def written(self, changes: dict[str, Activity | None], digest: str, identity: Identity) -> None:
        assert self.header is not None
        hashes = {i: row_hash(raw) for i, raw in self.rows.items()}
        before = self.snapshot.identity if self.snapshot is not None else (0, 0, 0, 0, 0)
        written = Snapshot(self.store.path, b"", identity, time.time_ns(), streamed=True)
        written.__dict__["digest"] = digest
        self.cache.apply(changes, hashes, before, written, self.header)

    def hold(self) -> None:
        self.cache.hold()

    def release(self) -> None:
        self.cache.release()


class _Hashed(TempFile):
    """The temporary file, hashed as it is written: its digest names it in the history."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.hash = hashlib.sha256()

    def write(self, data: bytes | memoryview) -> None:
        self.hash.update(data)
        super().write(data)

    def restart(self) -> None:
        assert self.fd is not None
        try:
            os.ftruncate(self.fd, 0)
            os.lseek(self.fd, 0, os.SEEK_SET)
        except OSError as error:
            self.discard()
            raise os_error(self.path, error) from None
        self.hash = hashlib.sha256()


def _read_version(snapshot: Snapshot) -> bytes:
    """The bytes of the version the write started from (the whole-text writer's way)."""
    fd = open_version(snapshot.path, snapshot.identity)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        if not same_version(fd, snapshot.identity):
            raise changed(snapshot.path, "was changed by someone else")
    except OSError as error:
        raise os_error(snapshot.path, error, "read") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if is_racy(snapshot.identity, snapshot.seen_ns):
        snapshot.__dict__["digest"] = digest_of(data)
    return data


def _check_reads_back(activity: Activity, raw: str, names: list[str], store: CsvStore) -> None:
    """Never write a row the store cannot read back as the same activity (a date that
    cannot exist, a cell too big for the reader...): every later write would stumble on
    it, and the activity would vanish from every answer."""
    from ..records import differences, from_row

    try:
        cells = next(csv.reader(io.StringIO(raw, newline=""), strict=True))
        row = dict(zip(names, (unneutralise(c) for c in cells), strict=False))
        again = from_row(row, store.registry)
    except (csv.Error, ParseError, StopIteration) as error:
        raise StoreError(
            f"{activity.id}: the row would not read back ({error}); nothing was written",
            source=str(store.path),
        ) from None
    fields = differences(activity, again)
    if fields:
        raise StoreError(
            f"{activity.id}: the row would read back differently ({', '.join(fields)}); "
            "nothing was written",
            source=str(store.path),
        )
