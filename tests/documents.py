"""Documents made from the newsletter for the import tests, the way editors and mailers
make them: a DOCX (python-docx), an HTML e-mail and a PDF (reportlab), each with the
newsletter's prose around its two tables. Built at test time: no binary of unknown origin
is committed."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inventory.readers.layout import heading_month, section_of


@dataclass
class Block:
    kind: str  # "para", "heading" (a month), "section", "rows"
    text: str = ""
    rows: list[tuple[str, str]] | None = None


def blocks(text: str) -> list[Block]:
    """The newsletter as paragraphs and tables: a run of tab lines is one table."""
    out: list[Block] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if section_of(line):
            out.append(Block("section", line.strip()))
        elif heading_month(line.strip()):
            out.append(Block("heading", line.strip()))
        elif "\t" in line:
            project, body = line.split("\t", 1)
            if out and out[-1].kind == "rows":
                assert out[-1].rows is not None
                out[-1].rows.append((project, body))
            else:
                out.append(Block("rows", rows=[(project, body)]))
        else:
            out.append(Block("para", line.strip().lstrip("-# ").replace("**", "")))
    return out


def project_lines(cell: str) -> list[str]:
    """A project cell as an editor types it in Word: one project a line."""
    return [p.strip() for p in cell.split(",") if p.strip()] or [""]


def make_docx(text: str, path: Path, *, month_rows: bool = False) -> Path:
    """The newsletter in Word: a table per month under its heading, or (``month_rows``) a
    table per section with each month a row of two cells merged into one."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "CYBERCRIME@COE UPDATE"  # never part of the body
    table: Any = None
    for block in blocks(text):
        if block.kind == "heading" and month_rows and table is not None:
            cells = table.add_row().cells
            cells[0].merge(cells[1]).text = block.text
        elif block.kind == "rows":
            assert block.rows is not None
            if table is None or not month_rows:
                table = document.add_table(rows=1, cols=2)
                table.rows[0].cells[0].text = "Project(s)"
                table.rows[0].cells[1].text = "Activity"
            for project, body in block.rows:
                cells = table.add_row().cells
                names = project_lines(project)
                cells[0].text = names[0]
                for name in names[1:]:
                    cells[0].add_paragraph(name)
                cells[1].text = body
        elif block.kind == "section":
            document.add_heading(block.text, level=2)
            if month_rows:
                table = document.add_table(rows=1, cols=2)
                table.rows[0].cells[0].text = "Project(s)"
                table.rows[0].cells[1].text = "Activity"
        elif block.kind == "heading":
            document.add_heading(block.text, level=3)
        else:
            table = None
            document.add_paragraph(block.text)
    document.save(str(path))
    return path


def make_html(text: str) -> str:
    """An e-mail's HTML: a layout table around everything, one table per month."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Update</title>",
        "<style>td { padding: 2px }</style></head><body>",
        "<table width='600' class='layout'><tr><td>",
    ]
    for block in blocks(text):
        if block.kind == "rows":
            assert block.rows is not None
            parts.append("<table border='1'><thead><tr><th>Project(s)</th><th>Activity</th>"
                         "</tr></thead><tbody>")  # fmt: skip
            for project, body in block.rows:
                names = "<br>\n".join(html.escape(n) for n in project_lines(project))
                parts.append(f"<tr><td>{names}</td>\n<td>{html.escape(body)}</td></tr>")
            parts.append("</tbody></table>")
        elif block.kind == "section":
            parts.append(f"<h2>{html.escape(block.text)}</h2>")
        elif block.kind == "heading":
            parts.append(f"<h3><strong>{html.escape(block.text)}</strong></h3>")
        else:
            parts.append(f"<p>{html.escape(block.text)}</p>")
    parts.append("</td></tr><tr><td><p>Unsubscribe | Contact</p></td></tr></table></body></html>")
    return "\n".join(parts)


def make_pdf(text: str, path: Path | None = None) -> bytes:
    """A PDF as a publisher prints it: ruled tables with wrapped cells over several pages,
    a running footer with the page number."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story: list[object] = []

    def escape(value: str) -> str:
        return html.escape(value, quote=False)

    for block in blocks(text):
        if block.kind == "rows":
            assert block.rows is not None
            data = [[Paragraph("Project(s)", body), Paragraph("Activity", body)]]
            for project, line in block.rows:
                names = "<br/>".join(escape(n) for n in project_lines(project))
                data.append([Paragraph(names, body), Paragraph(escape(line), body)])
            table = Table(data, colWidths=[110, 360], repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
            story.append(table)
        elif block.kind in ("section", "heading"):
            story.append(Paragraph(escape(block.text), styles["Heading2"]))
        else:
            story.append(Paragraph(escape(block.text), body))

    def footer(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        page = canvas.getPageNumber()  # type: ignore[attr-defined]
        canvas.drawString(72, 30, f"Cybercrime@CoE Update, October - December 2019 - page {page}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Cybercrime@CoE Update").build(
        story, onFirstPage=footer, onLaterPages=footer
    )
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


# --- text as people copy it ---------------------------------------------------------------

VIEWER_WIDTH = 90
"""Characters a line of text copied from a PDF viewer runs to before it wraps."""
VIEWER_PAGE = 45
"""Lines of a page of that copy: a running header comes back every page."""
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _syllable_break(word: str, room: int) -> int:
    """Where a typesetter hyphenates ``word`` to fit ``room`` characters (hyphen included):
    between two consonants, else after a vowel; 0 when no break leaves three letters on
    each side."""
    vowels = set("aeiouyAEIOUY")
    best = 0
    for k in range(3, len(word) - 2):
        if k + 1 > room:
            break
        left, right = word[k - 1], word[k]
        if (left not in vowels and right not in vowels) or (
            left in vowels and right not in vowels and word[k + 1] in vowels
        ):
            best = k
    return best


def _wrap(line: str, width: int) -> list[str]:
    """A line as a PDF viewer copies it: wrapped at ``width``, long words hyphenated at a
    syllable, a hyphenated compound broken after its hyphen."""
    out: list[str] = []
    current = ""
    words = line.split()
    i = 0
    while i < len(words):
        word = words[i]
        gap = 1 if current else 0
        if len(current) + gap + len(word) <= width:
            current += " " * gap + word
            i += 1
            continue
        room = width - len(current) - gap
        at = word.find("-")
        if 0 < at < room and word[:at].isalpha() and word[at + 1 : at + 2].isalpha():
            out.append(current + " " * gap + word[: at + 1])
            words[i] = word[at + 1 :]
        elif word.isalpha() and len(word) >= 8 and (k := _syllable_break(word, room)):
            out.append(current + " " * gap + word[:k] + "-")
            words[i] = word[k:]
        else:
            out.append(current)
        current = ""
    if current:
        out.append(current)
    return out


def make_viewer_text(text: str, width: int = VIEWER_WIDTH, page: int = VIEWER_PAGE) -> str:
    """The newsletter as copied from a PDF viewer: no tabs (a space between the project
    column and the activity), no blank lines, no Markdown, lines wrapped at ``width`` with
    syllable breaks, and every ``page`` lines the running header of the next page with its
    number (even pages "10 www.coe.int/cybercrime Cybercrime@CoE Update", odd pages the
    other way round), wherever it falls: in a table, inside a wrapped activity."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _LINK.sub(r"\1", raw.replace("\t", " ").replace("**", "")).strip()
        if line.startswith("- "):
            line = "• " + line[2:]
        if line:
            lines += _wrap(line, width)
    out: list[str] = []
    number = 1
    for index, line in enumerate(lines):
        if index and index % page == 0:
            number += 1
            out.append(
                f"{number} www.coe.int/cybercrime Cybercrime@CoE Update"
                if number % 2 == 0
                else f"Cybercrime@CoE Update www.coe.int/cybercrime {number}"
            )
        out.append(line)
    return "\n".join(out) + "\n"


def make_merged_docx(text: str, path: Path) -> Path:
    """A DOCX whose project cell is merged down over each run of rows with the same
    projects (three GLACY+ rows: one cell), as an editor tidies a table in Word."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "CYBERCRIME@COE UPDATE"
    for block in blocks(text):
        if block.kind == "rows":
            assert block.rows is not None
            table = document.add_table(rows=1, cols=2)
            table.style = "Table Grid"  # ruled, as the newsletter's tables are
            table.rows[0].cells[0].text = "Project(s)"
            table.rows[0].cells[1].text = "Activity"
            top, before = None, None
            for project, body in block.rows:
                cells = table.add_row().cells
                cells[1].text = body
                if top is not None and project == before:
                    top = top.merge(cells[0])
                    continue
                top, before = cells[0], project
                names = project_lines(project)
                top.text = names[0]
                for name in names[1:]:
                    top.add_paragraph(name)
        elif block.kind == "section":
            document.add_heading(block.text, level=2)
        elif block.kind == "heading":
            document.add_heading(block.text, level=3)
        else:
            document.add_paragraph(block.text)
    document.save(str(path))
    return path


def to_pdf(document: Path, outdir: Path) -> Path:
    """``document`` converted to PDF by LibreOffice, with a profile of its own (two runs at
    once must not share one)."""
    import subprocess

    from tests.helpers import program

    profile = outdir / "libreoffice-profile"
    subprocess.run(
        [program("soffice", "libreoffice-writer-nogui"),
         f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), str(document)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return outdir / (document.stem + ".pdf")


def _story_pdf(path: Path, story: list[object], frames: list[tuple[float, float]],
               side: list[str] | None = None) -> Path:  # fmt: skip
    """A PDF of ``story`` flowing through frames (x, width) side by side on A4 pages,
    with a running footer, and ``side`` (paragraphs) set beside it on every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    width, height = A4
    styles = getSampleStyleSheet()

    def decorate(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        page = canvas.getPageNumber()  # type: ignore[attr-defined]
        canvas.drawString(72, 30, f"Cybercrime@CoE Update, October - December 2019 - page {page}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]
        if side:
            box = Frame(width - 72 - 150, 72, 150, height - 144, showBoundary=0)
            box.addFromList([Paragraph(html.escape(p), styles["BodyText"]) for p in side], canvas)

    template = PageTemplate(
        frames=[Frame(x, 72, w, height - 144, id=f"column{n}") for n, (x, w) in enumerate(frames)],
        onPage=decorate,
    )
    doc = BaseDocTemplate(str(path), pagesize=A4, title="Cybercrime@CoE Update")
    doc.addPageTemplates([template])
    doc.build(story)
    return path


def make_two_column_pdf(text: str, path: Path) -> Path:
    """The newsletter set in two columns, each activity a paragraph ("GLACY+ Title, Place,
    dates") as a magazine layout sets a list."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph

    styles = getSampleStyleSheet()
    story: list[object] = []
    for block in blocks(text):
        if block.kind == "rows":
            assert block.rows is not None
            for project, line in block.rows:
                lead = ", ".join(project_lines(project)) + " – " if project.strip() else ""
                story.append(Paragraph(html.escape(lead + line), styles["BodyText"]))
        elif block.kind in ("section", "heading"):
            story.append(Paragraph(html.escape(block.text), styles["Heading4"]))
        else:
            story.append(Paragraph(html.escape(block.text), styles["BodyText"]))
    half = (A4[0] - 144 - 18) / 2
    return _story_pdf(path, story, [(72, half), (72 + half + 18, half)])


SIDEBAR = [
    "Join our Octopus Cybercrime Community",
    "The Octopus Community is a platform for information sharing and cooperation on "
    "cybercrime and electronic evidence.",
    "You have now access to country wiki profiles on cybercrime legislation and policies, "
    "training materials and a blog.",
]
"""A fact box set beside the tables, from the newsletter's own prose."""


def make_table_beside_text_pdf(
    text: str, path: Path, project_width: float = 90, side: list[str] | None = None
) -> Path:
    """The newsletter's tables (ruled, wrapped cells) in a column with a fact box beside
    them on every page; a narrow ``project_width`` wraps project names inside the word."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, Table, TableStyle

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    main = A4[0] - 144 - (170 if side else 0)
    story: list[object] = []
    for block in blocks(text):
        if block.kind == "rows":
            assert block.rows is not None
            data = [[Paragraph("Project(s)", body), Paragraph("Activity", body)]]
            for project, line in block.rows:
                names = "<br/>".join(html.escape(n) for n in project_lines(project))
                data.append([Paragraph(names, body), Paragraph(html.escape(line), body)])
            table = Table(data, colWidths=[project_width, main - project_width - 6])
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
            story.append(table)
        elif block.kind in ("section", "heading"):
            story.append(Paragraph(html.escape(block.text), styles["Heading4"]))
        else:
            story.append(Paragraph(html.escape(block.text), body))
    return _story_pdf(path, story, [(72, main)], side)
