"""How much reading one document may cost: bounds on decompressed size, XML entities and
nesting, paragraphs, cells, pages, characters and time, shared by the document readers.

A newsletter is small (the real one is ~130 activity lines, 50 kB as DOCX, PDF or HTML), so
every bound below is set far above any real newsletter or workbook and far below what would
take minutes or gigabytes. Crossing one ends the import in one line (a StoreError naming the
file), before the store is touched. Each constant says why it is what it is.
"""

from __future__ import annotations

import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

from ..errors import StoreError

_T = TypeVar("_T")

MAX_WHOLE = 100 * 2**20
"""Bytes of a document read whole (ZIP, PDF, HTML, e-mail): a newsletter with photos is a
few MB; 100 MB is more than any mailer or word processor makes of one."""
MAX_EXPANSION = 50
"""Times a ZIP's size its content may decompress to: Office XML compresses 3-10 times, a
sheet of repeated cells up to ~30; a zip bomb a thousand or a million times."""
MAX_DECOMPRESSED = 200 * 2**20
"""Bytes all the parts of a DOCX or xlsx may decompress to, whatever its size."""
MAX_ZIP_MEMBERS = 10_000
"""Parts of a DOCX or xlsx: a document with photos has tens, a workbook one per sheet."""
MAX_XML_DEPTH = 100
"""Nesting of XML elements: a Word table in a table in a table is ~15 deep; the parser
would refuse past 256 with an unclear message."""
MAX_XML_ELEMENTS = 1_000_000
"""Elements in one DOCX body: ~10 for a paragraph with its formatting, so 100,000
paragraphs; python-docx holds them all, ~300 MB at this bound."""
MAX_PARAGRAPHS = 100_000
"""Paragraphs (lines, table rows) in one document: the real newsletter has ~300; a
2,000-page report ~100,000."""
MAX_DOCUMENT_CHARS = 20_000_000
"""Characters of text in one DOCX or HTML document: 100,000 paragraphs of 200."""
MAX_CELLS = 2_000_000
"""Cells of a workbook read (blank ones included): the store of 100,000 activities as xlsx
is ~1.2 million, read in ~7 s."""
MAX_WORKBOOK_CHARS = 50_000_000
"""Characters of text in a workbook's cells: the store of 100,000 activities has ~20
million."""
MAX_COLUMNS = 16_384
"""Cells in one row of a sheet: Excel's own last column (XFD)."""
MAX_TEXT_CHARS = 100_000
"""Characters in one paragraph, cell or shared string: a title may have 1,000, notes a few
thousand; Excel itself stops at 32,767 in a cell."""
MAX_HTML_DEPTH = 512
"""Nesting of HTML elements whose end tag is required: a mailer's layout tables nest ~30
deep; the HTML parser slows down with the square of the depth."""
MAX_HTML_ELEMENTS = 500_000
"""Start tags in one HTML document: the real newsletter as HTML has ~1,000, a 100,000-line
e-mail ~300,000; each costs the parser ~200 bytes."""
MAX_MIME_MULTIPARTS = 100
"""``multipart/`` parts in one e-mail: a mail with text, HTML, images and attachments has
~3, a forwarded chain ~10; the e-mail parser recurses once per level."""
MAX_PDF_PAGES = 2_000
"""Pages of a PDF: the newsletter has ~10; each page costs ~10 ms to lay out."""
MAX_PAGE_CHARS = 50_000
"""Characters drawn on one PDF page: a dense A4 page in 6-point type holds ~15,000."""
MAX_PDF_CHARS = 1_000_000
"""Characters drawn in one PDF: ~30,000 in the newsletter; laying out costs ~10 µs each."""
MAX_PAGE_CONTENT = 20 * 2**20
"""Bytes of one PDF page's drawing instructions, decompressed: a text page has ~50 kB, a
page with a detailed chart a few MB."""
READ_SECONDS = 8.0
"""Seconds of the reader's own CPU that reading one document may take: the real newsletter
takes well under a second in any format, and an import that will not end should end within
ten seconds. CPU, not the clock: on a machine busy with other work (two test workers, a
browser and LibreOffice at once) the clock ran past eight seconds on a newsletter that
needs two, and refused it."""
WORKBOOK_SECONDS = 120.0
"""Seconds reading one xlsx workbook may take. A workbook is data, not a newsletter: an
export of 100,000 activities takes about 7 s to read on a busy machine, and must not be
refused for the machine's load. Its size caps (cells, decompressed bytes) are what stop a
hostile one, in under a second; this only ends what they did not foresee."""


class Deadline:
    """The CPU time one read may take (:data:`READ_SECONDS`), checked in the readers' loops
    (the readers run in the process itself: no thread or child of theirs escapes it)."""

    def __init__(self, label: str, seconds: float | None = None) -> None:
        self.label = label
        self.seconds = READ_SECONDS if seconds is None else seconds
        self.end = time.process_time() + self.seconds

    def check(self) -> None:
        if time.process_time() > self.end:
            raise StoreError(
                f"took longer than {self.seconds:g} s to read; refused (too large or too "
                "complex for a newsletter)",
                source=self.label,
            )


def timed(events: Iterable[_T], deadline: Deadline) -> Iterator[_T]:
    """``events`` as they come, the deadline checked every thousand: what a reader hands
    to ``layout.interpret``, so reading and interpreting share one deadline."""
    for number, event in enumerate(events):
        if number % 1024 == 0:
            deadline.check()
        yield event


def too_many(label: str, what: str, limit: int) -> StoreError:
    return StoreError(f"has more than {limit:,} {what}; refused", source=label)


# --- ZIP-based documents (DOCX, xlsx) --------------------------------------------------------

_ENTITY_MARKS = tuple(
    mark.encode(codec)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for codec in ("utf-8", "utf-16-le", "utf-16-be")
)
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 1 << 20


def decompressed_cap(size: int) -> int:
    """Bytes a ZIP of ``size`` bytes may decompress to (:data:`MAX_EXPANSION`,
    :data:`MAX_DECOMPRESSED`)."""
    return min(MAX_DECOMPRESSED, MAX_EXPANSION * size)


def size_text(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 2**10:,.0f} kB"


def declared_members(data: bytes) -> int:
    """How many parts a ZIP's end record says it has (0 if there is none), read before
    Python's zipfile builds an object for each of them."""
    import struct

    end = data.rfind(b"PK\x05\x06", max(0, len(data) - (1 << 16) - 22))
    if end < 0 or end + 22 > len(data):
        return 0
    count: int = struct.unpack_from("<H", data, end + 10)[0]
    if count == 0xFFFF:  # ZIP64: the count is in the ZIP64 end record
        end64 = data.rfind(b"PK\x06\x06", 0, end)
        if end64 >= 0 and end64 + 56 <= len(data):
            count = struct.unpack_from("<Q", data, end64 + 32)[0]
    return count


def check_members(data: bytes, label: str) -> None:
    if declared_members(data) > MAX_ZIP_MEMBERS:
        raise too_many(label, "parts in the ZIP archive", MAX_ZIP_MEMBERS)


def checked_zip(
    data: bytes, label: str, what: str, deadline: Deadline | None = None
) -> zipfile.ZipFile:
    """``data`` opened as a ZIP once it is known to be safe to read: the sizes its parts
    declare, then the bytes they really decompress to (a declared size can lie), within
    :func:`decompressed_cap`; no XML part declares a DTD or entities (nothing is expanded,
    nothing fetched). ``what`` names the document in messages, with its article ("a DOCX")."""
    import io

    cap = decompressed_cap(len(data))
    limit = (
        f"{size_text(cap)} ({MAX_EXPANSION} times its size, at most {size_text(MAX_DECOMPRESSED)})"
    )
    check_members(data, label)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise too_many(label, "parts in the ZIP archive", MAX_ZIP_MEMBERS)
        declared = sum(m.file_size for m in members)
        if declared > cap:
            raise StoreError(
                f"is {what} that would decompress to {size_text(declared)}; at most {limit}; "
                "refused (a zip bomb?)",
                source=label,
            )
        total = 0
        deadline = deadline or Deadline(label)
        for member in members:
            xml = member.filename.lower().endswith(_XML_SUFFIXES)
            tail = b""
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise StoreError(
                            f"is {what} that decompresses to more than {limit}; refused "
                            "(a zip bomb?)",
                            source=label,
                        )
                    if xml and any(mark in tail + chunk for mark in _ENTITY_MARKS):
                        raise StoreError(
                            f"{member.filename}: the XML declares entities; refused",
                            source=label,
                        )
                    tail = chunk[-32:]
                    deadline.check()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        zlib.error,
        ValueError,
    ) as error:
        raise StoreError(
            f"is a damaged ZIP file ({error}); expected {what} as Office saves it",
            source=label,
        ) from None
    except (NotImplementedError, RuntimeError) as error:  # unknown compression, encrypted
        raise StoreError(f"is {what} that cannot be read ({error})", source=label) from None
    return archive


def scan_xml(
    stream: IO[bytes],
    label: str,
    part: str,
    counted: str,
    what: str,
    max_count: int,
    already: int = 0,
    max_elements: int = MAX_XML_ELEMENTS,
    max_chars: int = MAX_DOCUMENT_CHARS,
    group: str = "",
    max_in_group: int = 0,
    deadline: Deadline | None = None,
    attribute_caps: dict[str, tuple[str, int]] | None = None,
) -> int:
    """Read one XML part as a stream, building no tree, and refuse it past
    :data:`MAX_XML_DEPTH` levels, ``max_elements`` elements, ``max_count`` ``counted``
    elements (a qualified tag, ``{namespace}name``; ``what`` names them; ``already``
    counted in other parts), :data:`MAX_TEXT_CHARS` characters of text in one of them or
    ``max_chars`` in all, or ``max_in_group`` of them inside one ``group`` element (a row).
    Returns how many there were: the library that parses the part next then holds a
    bounded tree."""
    from lxml import etree

    scan = _Scan(label, part, counted, what, max_count - already, max_elements, max_chars)
    scan.group, scan.max_in_group = group, max_in_group
    scan.deadline = deadline or scan.deadline
    scan.caps = attribute_caps or {}
    parser = etree.XMLParser(
        target=scan, resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    try:
        while chunk := stream.read(1 << 16):
            parser.feed(chunk)
            scan.deadline.check()
        parser.close()
    except etree.XMLSyntaxError as error:
        raise StoreError(f"{part}: is not well-formed XML ({error})", source=label) from None
    return scan.count


class _Scan:
    """The parser target of :func:`scan_xml`: counts, never keeps."""

    def __init__(
        self,
        label: str,
        part: str,
        counted: str,
        what: str,
        max_count: int,
        max_elements: int,
        max_chars: int,
    ) -> None:
        self.label, self.part, self.counted, self.what = label, part, counted, what
        self.max_count, self.max_elements, self.max_chars = max_count, max_elements, max_chars
        self.group, self.max_in_group = "", 0
        self.caps: dict[str, tuple[str, int]] = {}
        """A tag's attribute that the library next repeats work for: (name, most)."""
        self.depth = self.count = self.elements = self.in_group = self.text = self.chars = 0
        self.deadline = Deadline(label)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        cap = self.caps.get(tag)
        if cap is not None:
            value = attrib.get(cap[0], "0")
            if not value.isdigit() or int(value) > cap[1]:
                raise StoreError(
                    f"{self.part}: {tag.rsplit('}', 1)[-1]} {value[:20]!r} is not a number "
                    f"up to {cap[1]}; refused",
                    source=self.label,
                )
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_XML_DEPTH:
            raise StoreError(
                f"{self.part}: the XML nests deeper than {MAX_XML_DEPTH} levels; refused",
                source=self.label,
            )
        if self.elements > self.max_elements:
            raise too_many(self.label, f"XML elements in {self.part}", self.max_elements)
        if tag == self.counted:
            self.count += 1
            self.in_group += 1
            self.text = 0
            if self.count > self.max_count:
                raise too_many(self.label, self.what, self.max_count)
            if self.max_in_group and self.in_group > self.max_in_group:
                raise too_many(self.label, f"{self.what} in one row", self.max_in_group)
        elif tag == self.group:
            self.in_group = 0

    def end(self, tag: str) -> None:
        self.depth -= 1

    def data(self, text: str) -> None:
        self.text += len(text)
        self.chars += len(text)
        if self.text > MAX_TEXT_CHARS:
            raise StoreError(
                f"{self.part}: has a text longer than {MAX_TEXT_CHARS:,} characters; refused",
                source=self.label,
            )
        if self.chars > self.max_chars:
            raise too_many(self.label, f"characters of text in {self.part}", self.max_chars)

    def close(self) -> None:
        pass
