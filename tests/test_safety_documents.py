"""Hostile documents end in one line, fast, with the store untouched: the reproductions of
the reliability review G1, G2 and G6 (zip bombs, entities, nesting, huge PDF pages, huge
shared strings, bogus e-mail charsets), each built here. In process, the bounds of
``inventory.readers.limits`` are lowered where the real size would be slow to build; one
real process per kind then reads a full-size reproduction, and a fuzz test mutates valid
documents and runs every reader: it may refuse one, never fail otherwise."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.errors import StoreError
from inventory.projects import load_registry
from inventory.readers import Context, Source, limits, read
from tests.safety import copy_store, run

pytestmark = pytest.mark.slow  # reads full-size hostile documents

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LINE = "GLACY+\tWorkshop on cybercrime, Accra, Ghana, 1-2 October 2019"
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("OCTOBER 2019")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "GLACY+"
    table.rows[0].cells[1].text = "Workshop on cybercrime, Accra, Ghana, 1-2 October 2019"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "dates", "projects", "location"])
    sheet.append(["Workshop on cybercrime", "1-2 October 2019", "GLACY+", "Accra, Ghana"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pdf_bytes(lines: list[str], pages: int = 1, compress: int = 1) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=compress)
    for _ in range(pages):
        for index, line in enumerate(lines):
            pdf.drawString(40, 800 - 12 * (index % 60), line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def rezip(data: bytes, name: str, write: Callable[[io.BufferedIOBase], None]) -> bytes:
    """``data`` (a ZIP) with the part ``name`` written by ``write``, streamed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            if item.filename != name:
                zout.writestr(item.filename, zin.read(item.filename))
        with zout.open(name, "w", force_zip64=True) as part:
            write(part)  # type: ignore[arg-type]
    return out.getvalue()


def document_xml(body: str) -> Callable[[io.BufferedIOBase], None]:
    xml = f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>'
    return lambda part: part.write(xml.encode()) and None


def sheet_xml(body: str, prolog: str = "", dimension: str = "A1:B2") -> bytes:
    return (
        f'<?xml version="1.0"?>{prolog}<worksheet {S}><dimension ref="{dimension}"/>'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def with_shared_strings(strings: Callable[[io.BufferedIOBase], None]) -> bytes:
    """An xlsx whose cell A1 is shared string 0, the table written by ``strings``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            elif item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
            zout.writestr(item.filename, data)
        with zout.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0"?><sst {S}>'.encode())
            strings(part)  # type: ignore[arg-type]
            part.write(b"</sst>")
    return out.getvalue()


def random_text(n: int, seed: int = 1) -> str:
    """Letters that do not compress much, so a ZIP of them stays under 50 times."""
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(n))


def lying_sizes(data: bytes, name: str, size: int) -> bytes:
    """``data`` (a ZIP) whose part ``name`` declares ``size`` bytes decompressed, in its
    local and its central header, whatever it holds."""
    raw = bytearray(data)
    target = name.encode()
    for signature, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            length = struct.unpack_from("<H", raw, at + (26 if field == 22 else 28))[0]
            if bytes(raw[name_at : name_at + length]) == target:
                struct.pack_into("<I", raw, at + field, size)
            at = raw.find(signature, at + 4)
    return bytes(raw)


def refusal(data: bytes, name: str) -> str:
    """The one-line message reading ``data`` (a file called ``name``) ends in."""
    with pytest.raises(StoreError) as caught:
        read(Source(name, io.BytesIO(data), None), Context(load_registry()))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{name}: ")
    return message


# --- in process, at a size that shows the bound quickly -------------------------------------


def test_a_docx_whose_parts_declare_fifty_times_its_size_is_refused_before_reading() -> None:
    paragraph = "<w:p><w:r><w:t>GLACY+\tA</w:t></w:r></w:p>"
    bomb = rezip(docx_bytes(), "word/document.xml", document_xml(paragraph * 200_000))
    message = refusal(bomb, "bomb.docx")
    assert "would decompress to 9 MB" in message
    assert "50 times its size" in message and "zip bomb" in message


def test_a_docx_part_that_holds_more_than_it_declares_is_refused() -> None:
    body = "".join(f"<w:p><w:r><w:t>{random_text(80, n)}</w:t></w:r></w:p>" for n in range(300))
    honest = rezip(docx_bytes(), "word/document.xml", document_xml(body))
    message = refusal(lying_sizes(honest, "word/document.xml", 1000), "liar.docx")
    assert "damaged ZIP file" in message and "CRC" in message


def test_a_docx_past_the_decompressed_cap_is_refused_while_it_is_decompressed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_DECOMPRESSED", 40_000)
    body = "".join(f"<w:p><w:r><w:t>{random_text(80, n)}</w:t></w:r></w:p>" for n in range(600))
    message = refusal(rezip(docx_bytes(), "word/document.xml", document_xml(body)), "b.docx")
    assert "at most 39 kB (50 times its size, at most 39 kB)" in message


@pytest.mark.parametrize(
    ("prolog", "entity"),
    [(LAUGHS, "&lol9;"), ('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;")],
    ids=["billion laughs", "external entity"],
)
def test_a_docx_whose_xml_declares_entities_is_refused_without_expanding_them(
    prolog: str, entity: str
) -> None:
    def write(part: io.BufferedIOBase) -> None:
        part.write(
            f'<?xml version="1.0"?>{prolog}<w:document {W}><w:body><w:p><w:r><w:t>{entity}'
            "</w:t></w:r></w:p></w:body></w:document>".encode()
        )

    message = refusal(rezip(docx_bytes(), "word/document.xml", write), "e.docx")
    assert message == "e.docx: word/document.xml: the XML declares entities; refused"


def test_a_docx_nested_deeper_than_the_bound_is_refused() -> None:
    body = "<w:p>" + "<w:r>" * 1000 + "<w:t>x</w:t>" + "</w:r>" * 1000 + "</w:p>"
    message = refusal(rezip(docx_bytes(), "word/document.xml", document_xml(body)), "d.docx")
    assert message == "d.docx: word/document.xml: the XML nests deeper than 100 levels; refused"


def test_a_docx_with_more_paragraphs_than_the_bound_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_PARAGRAPHS", 50)
    body = "".join(f"<w:p><w:r><w:t>{random_text(40, n)}</w:t></w:r></w:p>" for n in range(60))
    message = refusal(rezip(docx_bytes(), "word/document.xml", document_xml(body)), "p.docx")
    assert message == "p.docx: has more than 50 paragraphs; refused"


def test_a_docx_cell_spanning_a_million_columns_is_refused() -> None:
    body = (
        '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="1000000"/></w:tcPr>'
        "<w:p><w:r><w:t>GLACY+</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    message = refusal(rezip(docx_bytes(), "word/document.xml", document_xml(body)), "g.docx")
    assert "gridSpan '1000000' is not a number up to 64" in message


def test_an_xlsx_shared_string_longer_than_the_bound_is_refused() -> None:
    def strings(part: io.BufferedIOBase) -> None:
        part.write(f"<si><t>{random_text(120_000)}</t></si>".encode())

    message = refusal(with_shared_strings(strings), "s.xlsx")
    assert message == (
        "s.xlsx: xl/sharedStrings.xml: has a text longer than 100,000 characters; refused"
    )


def test_an_xlsx_with_more_shared_strings_than_cells_allowed_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_CELLS", 100)

    def strings(part: io.BufferedIOBase) -> None:
        part.write(b"".join(f"<si><t>{n}</t></si>".encode() for n in range(150)))

    assert refusal(with_shared_strings(strings), "s.xlsx") == (
        "s.xlsx: has more than 100 shared strings; refused"
    )


@pytest.mark.parametrize(
    ("prolog", "entity"),
    [(LAUGHS, "&lol9;"), ('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;")],
    ids=["billion laughs", "external entity"],
)
def test_an_xlsx_whose_sheet_declares_entities_is_refused(prolog: str, entity: str) -> None:
    sheet = sheet_xml(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{entity}</t></is></c></row>')
    sheet = sheet.replace(b"<worksheet", prolog.encode() + b"<worksheet", 1)
    data = rezip(xlsx_bytes(), "xl/worksheets/sheet1.xml", lambda p: p.write(sheet) and None)
    assert refusal(data, "e.xlsx") == (
        "e.xlsx: xl/worksheets/sheet1.xml: the XML declares entities; refused"
    )


def test_an_xlsx_declaring_a_huge_sheet_with_one_cell_ends_at_the_cell_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_CELLS", 10_000)
    # openpyxl fills in the blank cells up to the size a sheet declares.
    sheet = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c></row>'
        '<row r="1048576"><c r="B1048576" t="inlineStr"><is><t>x</t></is></c></row>',
        dimension="A1:B1048576",
    )
    data = rezip(xlsx_bytes(), "xl/worksheets/sheet1.xml", lambda p: p.write(sheet) and None)
    assert refusal(data, "h.xlsx") == (
        "h.xlsx: has more than 10,000 cells (blank ones included); refused"
    )


def test_an_xlsx_row_wider_than_excel_allows_is_refused() -> None:
    rng = random.Random(2)
    cells = "".join(f"<c><v>{rng.randrange(10**9)}</v></c>" for _ in range(20_000))
    sheet = sheet_xml(f'<row r="1">{cells}</row>')
    data = rezip(xlsx_bytes(), "xl/worksheets/sheet1.xml", lambda p: p.write(sheet) and None)
    assert refusal(data, "w.xlsx") == "w.xlsx: has more than 16,384 cells in one row; refused"


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body>" + "<div>" * 600 + "x" + "</div>" * 600 + "</body></html>",
        "<html><body>" + "<table><tr><td>" * 600 + "GLACY+ x",
        "<html><body>" + "<span><b>" * 300 + "x",
    ],
    ids=["nested divs", "unclosed tables", "unclosed inline elements"],
)
def test_html_nested_deeper_than_the_bound_is_refused_before_it_is_parsed(markup: str) -> None:
    assert refusal(markup.encode(), "n.html") == (
        "n.html: has HTML nested deeper than 512 levels; refused"
    )


def test_html_with_more_elements_than_the_bound_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_HTML_ELEMENTS", 100)
    markup = "<html><body>" + "<p>x</p>" * 200 + "</body></html>"
    assert refusal(markup.encode(), "f.html") == "f.html: has more than 100 HTML elements; refused"


def test_html_layout_tables_nested_within_the_bound_are_read_without_recursion() -> None:
    # 400 tables one in another: more levels than Python's recursion would allow the
    # walker were it recursive (each table is several frames), fewer than the bound.
    row = "<tr><td>GLACY+</td><td>Workshop on cybercrime, Accra, Ghana, 1-2 October 2019</td></tr>"
    markup = (
        "<html><body>" + "<table><tr><td>" * 120 + "<p>OCTOBER 2019</p>"
        f"<p>Inventory of activities (October - December 2019)</p><table>{row}</table>"
        + "</td></tr></table>" * 120
        + "</body></html>"
    )
    reading = read(Source("ok.html", io.BytesIO(markup.encode()), None), Context(load_registry()))
    assert [i.activity.title for i in reading.items] == ["Workshop on cybercrime"]
    place = reading.items[0].activity.place
    assert place is not None and place.city == "Accra"
    assert reading.items[0].activity.projects == ("GLACY+",)


def test_html_longer_to_read_than_the_deadline_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "READ_SECONDS", 0.0)
    markup = "<html><body>" + "<p>x</p>" * 10_000 + "</body></html>"
    assert refusal(markup.encode(), "t.html") == (
        "t.html: took longer than 0 s to read; refused (too large or too complex for a newsletter)"
    )


def test_an_email_in_an_unknown_charset_is_refused() -> None:
    mail = (
        b"From: a@example.org\nTo: b@example.org\nSubject: Q4\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=x-bogus-42\n\nOCTOBER 2019\n"
    )
    assert refusal(mail, "c.eml") == "c.eml: unknown charset x-bogus-42"


def nested_mail(depth: int) -> bytes:
    head = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)
    )
    tail = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    mail = "From: a@example.org\nSubject: deep\nMIME-Version: 1.0\n" + head
    return (mail + "Content-Type: text/plain\n\nOCTOBER 2019\n" + tail).encode()


def test_an_email_with_more_multipart_parts_than_the_bound_is_refused() -> None:
    assert refusal(nested_mail(150), "m.eml") == "m.eml: has more than 100 multipart parts; refused"


def test_a_pdf_with_more_pages_than_the_bound_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 3)
    assert refusal(pdf_bytes([LINE], pages=5), "p.pdf") == ("p.pdf: has more than 3 pages; refused")


def test_a_pdf_page_drawing_more_characters_than_the_bound_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_PAGE_CHARS", 500)
    assert refusal(pdf_bytes([LINE] * 10), "c.pdf") == (
        "c.pdf: page 1 draws more than 500 characters; refused"
    )


def test_a_pdf_drawing_more_characters_than_the_bound_in_all_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_PDF_CHARS", 1000)
    assert refusal(pdf_bytes([LINE] * 5, pages=4), "t.pdf") == (
        "t.pdf: has more than 1,000 characters of text; refused"
    )


@pytest.mark.parametrize("compress", [0, 1], ids=["plain", "deflated"])
def test_a_pdf_page_with_more_drawing_instructions_than_the_bound_is_refused(
    monkeypatch: pytest.MonkeyPatch, compress: int
) -> None:
    monkeypatch.setattr(limits, "MAX_PAGE_CONTENT", 2**20)
    data = pdf_bytes(["x" * 1_200_000], compress=compress)
    assert refusal(data, "s.pdf") == (
        "s.pdf: page 1 has more than 1 MB of drawing instructions; refused"
    )


def test_a_document_larger_than_can_be_read_whole_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MAX_WHOLE", 10_000)
    assert refusal(pdf_bytes([LINE] * 30, pages=10, compress=0), "w.pdf") == (
        "w.pdf: is larger than 10 kB; a document must be smaller to be read whole; refused"
    )


def test_a_zip_with_more_parts_than_the_bound_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 5)
    assert refusal(docx_bytes(), "z.docx") == (
        "z.docx: has more than 5 parts in the ZIP archive; refused"
    )


# --- full-size reproductions, as real processes ---------------------------------------------


def build_docx_bomb(path: Path) -> None:
    chunk = ("<w:p><w:r><w:t>GLACY+\tA</w:t></w:r></w:p>" * 10_000).encode()

    def write(part: io.BufferedIOBase) -> None:
        part.write(f'<?xml version="1.0"?><w:document {W}><w:body>'.encode())
        for _ in range(300_000_000 // len(chunk)):
            part.write(chunk)
        part.write(b"</w:body></w:document>")

    path.write_bytes(rezip(docx_bytes(), "word/document.xml", write))


def build_xlsx_strings(path: Path) -> None:
    def strings(part: io.BufferedIOBase) -> None:
        part.write(b"<si><t>")
        for _ in range(300):
            part.write(b"A" * 2**20)
        part.write(b"</t></si>" + b"<si><t>x</t></si>" * 1_000_000)

    path.write_bytes(with_shared_strings(strings))


def build_pdf_pages(path: Path) -> None:
    path.write_bytes(pdf_bytes([LINE], pages=5000))


def build_pdf_page(path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=(14400, 14400))
    for i in range(100_000):
        pdf.drawString(10 + (i % 100) * 140, 10 + (i // 100) * 14, f"GLACY+ run {i}")
    pdf.save()


REPRODUCTIONS: list[tuple[str, Callable[[Path], None], str]] = [
    ("bomb.docx", build_docx_bomb, "would decompress to 287 MB"),
    (
        "laughs.docx",
        lambda p: p.write_bytes(
            rezip(docx_bytes(), "word/document.xml", document_xml(LAUGHS + "<w:p/>"))
        ),
        "the XML declares entities; refused",
    ),
    ("strings.xlsx", build_xlsx_strings, "would decompress to 316 MB"),
    (
        "nested.html",
        lambda p: p.write_text(
            "<html><body>" + "<div>" * 100_000 + LINE + "</div>" * 100_000 + "</body></html>"
        ),
        "nested deeper than 512 levels",
    ),
    (
        "unclosed.html",
        lambda p: p.write_text("<html><body>" + "<table><tr><td>" * 300_000 + "GLACY+ x"),
        "nested deeper than 512 levels",
    ),
    (
        "charset.eml",
        lambda p: p.write_bytes(
            b"From: a@example.org\nSubject: Q4\nMIME-Version: 1.0\n"
            b"Content-Type: text/plain; charset=x-bogus-42\n\nOCTOBER 2019\n"
        ),
        "unknown charset x-bogus-42",
    ),
    ("nested.eml", lambda p: p.write_bytes(nested_mail(2000)), "more than 100 multipart"),
    ("pages.pdf", build_pdf_pages, "has more than 2,000 pages; refused"),
    ("page.pdf", build_pdf_page, "page 1 draws more than 50,000 characters; refused"),
]


@pytest.mark.parametrize(
    ("name", "build", "expected"), REPRODUCTIONS, ids=[r[0] for r in REPRODUCTIONS]
)
def test_a_full_size_hostile_document_ends_in_one_line_and_leaves_the_store_alone(
    tmp_path: Path, name: str, build: Callable[[Path], None], expected: str
) -> None:
    store = copy_store(tmp_path)
    before = store.read_bytes()
    document = tmp_path / name
    build(document)
    result = run("import", str(document), store=store, timeout=60)
    errors = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1, errors
    assert len(errors) == 1, errors
    assert "Traceback" not in errors[0]
    assert errors[0].startswith(f"inventory: error: {document}: "), errors
    assert expected in errors[0]
    assert store.read_bytes() == before


# --- fuzz: mutated documents are read or refused, never anything else -----------------------

_HTML = (
    "<html><body><h2>OCTOBER 2019</h2><p>Inventory of activities (October - December 2019)</p>"
    "<table><tr><td>GLACY+</td><td>Workshop, Accra, Ghana, 1-2 October 2019</td></tr></table>"
    "</body></html>"
)
_EMAIL = (
    "From: a@example.org\nSubject: Q4\nMIME-Version: 1.0\n"
    'Content-Type: multipart/alternative; boundary="b"\n\n--b\n'
    "Content-Type: text/plain; charset=utf-8\n\nOCTOBER 2019\n" + LINE + "\n--b\n"
    "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + _HTML
    + "\n--b--\n"
)
BASES: dict[str, bytes] = {}


def base(name: str) -> bytes:
    if not BASES:
        BASES.update(
            {
                "f.docx": docx_bytes(),
                "f.xlsx": xlsx_bytes(),
                "f.html": _HTML.encode(),
                "f.eml": _EMAIL.encode(),
                "f.pdf": pdf_bytes(["OCTOBER 2019", LINE]),
            }
        )
    return BASES[name]


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 2**31), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.integers(0, 2**31), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), st.integers(0, 2**31), st.integers(1, 512)),
    st.tuples(st.just("truncate"), st.integers(0, 2**31), st.just(0)),
)


def mutate(data: bytes, steps: list[tuple[str, int, object]]) -> bytes:
    raw = bytearray(data)
    for kind, at, arg in steps:
        at %= max(1, len(raw))
        if kind == "flip" and raw:
            raw[at] ^= int(arg)  # type: ignore[call-overload]
        elif kind == "insert":
            raw[at:at] = arg  # type: ignore[assignment]
        elif kind == "delete":
            del raw[at : at + int(arg)]  # type: ignore[call-overload]
        elif kind == "truncate":
            del raw[at:]
    return bytes(raw)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.sampled_from(["f.docx", "f.xlsx", "f.html", "f.eml", "f.pdf"]),
    st.lists(mutation, min_size=1, max_size=4),
)
def test_a_mutated_document_is_read_or_refused_in_one_line_never_anything_else(
    name: str, steps: list[tuple[str, int, object]]
) -> None:
    data = mutate(base(name), steps)
    try:
        read(Source(name, io.BytesIO(data), None), Context(load_registry()))
    except StoreError as error:
        assert "\n" not in str(error)


def test_a_control_character_in_a_place_is_an_error_on_its_line() -> None:
    # Found by the fuzz test above: the model's refusal escaped as a traceback.
    text = "OCTOBER 2019\nGLACY+\tWorkshop, A\x08cra, Ghana, 1-2 October 2019\n"
    source = Source("x.txt", io.BytesIO(text.encode()), None)
    reading = read(source, Context(load_registry()))
    assert reading.items == []
    [problem] = reading.problems
    assert (problem.line, problem.field, problem.severity) == (2, "city", "error")
    assert "contains a control character (U+0008)" in problem.message
