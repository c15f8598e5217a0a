"""What an import reads: one input, detected by its content, turned into activities. The
readers sit below ``importing`` and import neither the store nor the writers (``formats``):
one module an input form, each giving the same events to the one newsletter interpreter
(``layout``), or records to ``records``.

Every reader produces the same things: :class:`Incoming` activities (built through the model,
the one validation gate) and :class:`~inventory.errors.Problem` s with their line. Readers of
documents (plain text and Markdown, HTML and e-mail, DOCX, PDF) do not build activities
themselves: they yield :class:`Text` and :class:`Row` events in document order, and
``layout.interpret`` is the one place that understands a newsletter's tables. Readers of data
(CSV, JSON, NDJSON, xlsx, another store) read records through ``records``.

A new input format is a module with a ``read(source, context)`` and one line in
:data:`READERS`; :func:`detect` says which one a file is, from its first bytes.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import Problem, StoreError
from ..model import Activity
from ..projects import Registry
from ..vocab import Status
from . import limits

SNIFF_BYTES = 1 << 16
"""Bytes read to recognise a file."""
IMPORT_CHUNK = 10_000
"""Activities an import holds at a time, from a reader that reads in chunks."""
MAX_LINE = 10_000
"""Characters in one line of a document: a title may have 1,000, a place 500; anything
much longer is not an activity line, and is refused before it is parsed."""


# --- what readers produce -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A line of running text: a heading, a paragraph, a line of a plain-text table."""

    text: str
    line: int
    where: str = ""
    """Where it is, when a line number means nothing to a person ("table 2, row 5")."""


@dataclass(frozen=True, slots=True)
class Row:
    """A table row, its cells as written (a cell may hold several lines)."""

    cells: tuple[str, ...]
    line: int
    where: str = ""
    table: bool = True
    """False for a tab-separated line of plain text: no table around it ends anywhere."""


@dataclass(frozen=True, slots=True)
class Overlong:
    """A line too long to be read (see :data:`MAX_LINE`); it is reported, not parsed."""

    length: int
    line: int
    where: str = ""


Event = Text | Row | Overlong


@dataclass(frozen=True)
class Incoming:
    """One activity as an input gives it, and where it came from."""

    activity: Activity
    line: int | None
    where: str
    """``FILE:LINE`` (or ``FILE (table 2, row 5)``), for messages."""
    status: Status | None = None
    """The status the input asserts (a newsletter's "Inventory of activities" says
    ``held``); None: an update keeps the store's."""
    derived: bool = True
    """The id was derived from the activity (a newsletter line, a sheet with no ``id``
    column), so the store may know it under another: reconciliation looks for it."""


@dataclass(frozen=True)
class Section:
    """A newsletter table: "Inventory of activities (October- December 2019)" (held) or
    "Coming next (January - March 2020)" (planned)."""

    title: str
    held: bool
    period: tuple[str, str] | None
    """First and last month it names (``YYYY-MM``), if it names them."""


@dataclass
class Reading:
    items: list[Incoming] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    kind: str = ""
    """What the input was, for messages: "newsletter text", "DOCX"..."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass(frozen=True)
class Context:
    """What a reader needs besides the input."""

    registry: Registry
    known_projects: frozenset[str] = frozenset()
    """Project names the store already uses: accepted like the registry's (D21)."""
    year: int | None = None
    """``--year``: for dates with no year and no month heading above them."""


# --- the input ------------------------------------------------------------------------------


class Source:
    """An input file or standard input: its first bytes for detection, then the whole
    stream once, without reading a huge file into memory first."""

    def __init__(self, name: str, stream: IO[bytes], path: Path | None) -> None:
        self.name = name
        self.label = "<stdin>" if name == "-" else name
        self.path = path
        self._stream = stream
        self.head = stream.read(SNIFF_BYTES)
        self._used = False
        self.data: bytes | None = None
        """The whole input, once a reader needed it whole."""
        self.progress: Callable[[int, int], None] | None = None
        """Told the bytes read so far and the input's size, as a reader consumes it."""

    def open(self) -> IO[bytes]:
        """The input from its first byte (once)."""
        if self._used:
            raise RuntimeError("the input was read already")
        self._used = True
        size = 0
        if self.path is not None:
            with contextlib.suppress(OSError):
                size = self.path.stat().st_size
        raw = _Prefixed(self.head, self._stream, self.progress, size)
        return io.BufferedReader(raw, 1 << 16)

    def read(self) -> bytes:
        with self.open() as stream:
            return stream.read()

    def error(self, message: str, hint: str | None = None) -> StoreError:
        return StoreError(message, source=self.label, hint=hint)


class _Prefixed(io.RawIOBase):
    """The bytes already read, then the rest of the stream."""

    def __init__(
        self,
        head: bytes,
        rest: IO[bytes],
        progress: Callable[[int, int], None] | None = None,
        size: int = 0,
    ) -> None:
        self._head = memoryview(head)
        self._rest = rest
        self._progress = progress
        self._size = size
        self._done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        if self._progress is not None and self._size:
            self._done += len(data)
            self._progress(min(self._done, self._size), self._size)
        return len(data)

    def close(self) -> None:
        if self._rest is not sys.stdin.buffer:
            self._rest.close()
        super().close()


def open_source(name: str) -> Source:
    if name == "-":
        return Source(name, sys.stdin.buffer, None)
    path = Path(name).expanduser()
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise StoreError("no such file", source=name) from None
    except IsADirectoryError:
        raise StoreError("is a folder; expected a file", source=name) from None
    except OSError as error:
        raise StoreError(f"cannot read: {error.strerror}", source=name) from None
    return Source(name, stream, path)


# --- detection ------------------------------------------------------------------------------

READERS: dict[str, tuple[str, str]] = {
    # kind: (module of inventory.readers, what to call it in messages)
    "text": ("newsletter", "newsletter text"),
    "html": ("html", "HTML"),
    "email": ("html", "e-mail"),
    "docx": ("docx", "DOCX"),
    "pdf": ("pdf", "PDF"),
    "csv": ("csv", "CSV"),
    "json": ("json", "JSON"),
    "ndjson": ("json", "NDJSON"),
    "xlsx": ("xlsx", "xlsx workbook"),
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc or .xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
)
_UNSUPPORTED_HINT = (
    "import the newsletter as text, Markdown, HTML, DOCX or PDF, or the inventory as CSV, "
    "JSON, NDJSON or xlsx"
)
_HTML_START = re.compile(rb"^\s*<(!doctype\s+html|html|head|body|table|div|p|meta|h[1-6])\b", re.I)
_MIME_HEADER = re.compile(
    rb"^(mime-version|content-type|from|to|subject|date|received|return-path)\s*:", re.I | re.M
)


def encoding_of(head: bytes) -> str:
    """The text encoding of a text input: UTF-16 when it says so with a byte-order mark
    (Notepad's "Unicode", PowerShell 5's ``>``), else UTF-8 with or without one."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8-sig"


def detect(source: Source) -> str:
    """Which of :data:`READERS` reads ``source``, from its content; the suffix only breaks
    a tie between text layouts. A StoreError names what an unsupported file is."""
    head = source.head
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(source)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise source.error(f"is {what}; it cannot be imported", _UNSUPPORTED_HINT)
    encoding = encoding_of(head)
    text = _head_text(source, encoding)
    if "\x00" in text:
        raise source.error("is binary data, not text; it cannot be imported", _UNSUPPORTED_HINT)
    stripped = text.lstrip()
    suffix = source.path.suffix.lower() if source.path else ""
    if _HTML_START.match(stripped.encode()) or suffix in (".html", ".htm"):
        return "html"
    if suffix == ".eml" or (
        len(_MIME_HEADER.findall(text[:4000].encode())) >= 2 and text[:1].isalpha()
    ):
        return "email"
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return _json_kind(stripped)
    first = stripped.split("\n", 1)[0]
    if suffix in (".csv", ".tsv") or _looks_like_csv_header(first):
        return "csv"
    return "text"


def _head_text(source: Source, encoding: str) -> str:
    data = source.head
    if encoding == "utf-16":
        return data[: len(data) // 2 * 2].decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 4 and len(data) == SNIFF_BYTES:
            return data[: error.start].decode("utf-8-sig")  # a character cut by the head
        line = data.count(b"\n", 0, error.start) + 1
        raise source.error(
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} at line {line})",
            "save it as UTF-8 ('CSV UTF-8' in a spreadsheet, 'UTF-8' in Notepad), "
            "or convert it with iconv -f windows-1252 -t utf-8",
        ) from None


def _zip_kind(source: Source) -> str:
    data = _whole(source)
    limits.check_members(data, source.label)
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise source.error("is a damaged ZIP file; it cannot be imported") from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names:
        raise source.error(
            "is an OpenDocument file (LibreOffice); it cannot be imported",
            "save it as .docx or .xlsx",
        )
    raise source.error("is a ZIP archive, not a document; it cannot be imported")


def _whole(source: Source) -> bytes:
    """The whole input, read once and kept (for formats read whole: ZIP-based ones, PDF,
    HTML, e-mail), refused past :data:`~.limits.MAX_WHOLE` before it is all in memory."""
    if source.data is None:
        with source.open() as stream:
            data = stream.read(limits.MAX_WHOLE + 1)
        if len(data) > limits.MAX_WHOLE:
            raise source.error(
                f"is larger than {limits.size_text(limits.MAX_WHOLE)}; a document must be "
                "smaller to be read whole; refused"
            )
        source.data = data
    return source.data


def whole(source: Source) -> bytes:
    return _whole(source)


def _json_kind(text: str) -> str:
    """``{...}`` alone (or with ``"activities"``) is JSON; one object a line is NDJSON."""
    import json

    first = text.split("\n", 1)[0].strip()
    try:
        json.loads(first)
    except ValueError:
        return "json"  # an object over several lines (pretty-printed)
    return "ndjson"


CSV_NAMES = {"id", "projects", "title", "dates", "month", "location", "status"}


def _looks_like_csv_header(line: str) -> bool:
    for delimiter in (",", ";", "\t"):
        names = {c.strip().strip('"').lstrip("\ufeff").casefold() for c in line.split(delimiter)}
        if {"title", "dates"} <= names:
            return True
    return False


def _kind(source: Source) -> str:
    kind = detect(source)
    if kind not in READERS:  # another store: read by its backend (``importing``)
        raise source.error("is a store, not an input a reader reads; import it")
    return kind


def read(source: Source, context: Context) -> Reading:
    """Detect ``source`` and read it with its reader."""
    kind = _kind(source)
    module_name, label = READERS[kind]
    module = importlib.import_module(f"{__package__}.{module_name}")
    reader: Callable[..., Reading] = module.read
    reading = reader(source, context, kind=kind)
    reading.kind = reading.kind or label
    return reading


def read_chunks(source: Source, context: Context, size: int = IMPORT_CHUNK) -> Iterator[Reading]:
    """Detect ``source`` and read it a chunk at a time: readings of up to ``size``
    activities in input order (a reader of data reads so; a document, small, comes in one
    reading). The sections come with the chunk they end in; each chunk says the kind."""
    kind = _kind(source)
    module_name, label = READERS[kind]
    module = importlib.import_module(f"{__package__}.{module_name}")
    chunked: Callable[..., Iterator[Reading]] | None = getattr(module, "read_chunks", None)
    if chunked is None:
        reading = module.read(source, context, kind=kind)
        reading.kind = reading.kind or label
        yield reading
        return
    for reading in chunked(source, context, kind=kind, size=size):
        reading.kind = reading.kind or label
        yield reading


def events_problem(
    event: Event, source: str, message: str, severity: str = "error", fld: str | None = None
) -> Problem:
    """A problem about one event, placed as precisely as the reader could."""
    if event.where:
        return Problem(message, None, fld, severity, f"{source} ({event.where})")
    return Problem(message, event.line, fld, severity, source)


def lines_of(stream: IO[bytes], encoding: str, source: str) -> Iterator[Event]:
    """The lines of a text input as :class:`Text` events (:class:`Overlong` for a line past
    :data:`MAX_LINE`, whose rest is skipped without being held in memory)."""
    wrapper = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline=None)
    number = 0
    try:
        while True:
            line = wrapper.readline(MAX_LINE + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE and not line.endswith("\n"):
                length = len(line)
                while True:
                    chunk = wrapper.readline(1 << 20)
                    length += len(chunk)
                    if not chunk or chunk.endswith("\n"):
                        break
                yield Overlong(length - (1 if chunk.endswith("\n") else 0), number)
                continue
            yield Text(line.rstrip("\n"), number)
    except UnicodeDecodeError as error:
        raise StoreError(
            f"is not {'UTF-16' if encoding == 'utf-16' else 'UTF-8'} text after line {number} "
            f"(byte 0x{error.object[error.start]:02x})",
            source=source,
            line=number + 1,
            hint="save it as UTF-8, or convert it with iconv -f windows-1252 -t utf-8",
        ) from None
