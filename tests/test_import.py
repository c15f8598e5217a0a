"""Every form the newsletter and the inventory come in, read into activities: the whole
shared newsletter as DOCX, HTML (an e-mail) and PDF made from it here, sheets (CSV with ','
or ';', BOM, no id; xlsx), NDJSON, and the reproductions of the CLI review (D1-D24, D52)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from inventory.cli import app
from inventory.projects import load_registry
from inventory.readers import Context, open_source, read
from inventory.records import to_row
from tests.documents import make_docx, make_html, make_pdf
from tests.helpers import BUNDLED_STORE, SHARED_NEWSLETTER, runner

TEXT = SHARED_NEWSLETTER.read_text(encoding="utf-8")


def run(*args: str, store: Path, input: str | bytes | None = None) -> Any:
    # These imports start their store on purpose: without --create a store name that does
    # not exist is refused (tests/test_mistyped_store.py).
    create = ["--create"] if args[:1] in (("import",), ("add",)) else []
    return runner.invoke(app, [*args, "--store", str(store), *create], input=input)


def bundled() -> list[dict[str, str]]:
    with BUNDLED_STORE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_the_132(path: Path) -> None:
    reading = read(open_source(str(path)), Context(load_registry()))
    assert not reading.errors, reading.errors
    # The one remark: the March 2020 line without a project.
    assert [p.message for p in reading.problems] == ["no project given"]
    want = bundled()
    assert len(reading.items) == len(want) == 132
    for item, row in zip(reading.items, want, strict=True):
        got = to_row(item.activity)
        assert {k: got[k] for k in row if k != "status"} == {
            k: v for k, v in row.items() if k != "status"
        }
    assert sum(i.activity.status.value == "held" for i in reading.items) == 72


def test_docx(tmp_path: Path) -> None:
    assert_the_132(make_docx(TEXT, tmp_path / "update.docx"))


def test_html_email(tmp_path: Path) -> None:
    page = tmp_path / "update.html"
    page.write_text(make_html(TEXT), encoding="utf-8")
    assert_the_132(page)


def test_eml_with_html_part(tmp_path: Path) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "cybercrime@coe.int"
    message["To"] = "officers@example.org"
    message["Subject"] = "Cybercrime@CoE Update"
    message.set_content("Read the HTML version.")
    message.add_alternative(make_html(TEXT), subtype="html")
    mail = tmp_path / "update.eml"
    mail.write_bytes(bytes(message))
    assert_the_132(mail)


@pytest.mark.slow
def test_pdf(tmp_path: Path) -> None:
    assert_the_132(Path(_pdf(tmp_path)))


def _pdf(tmp_path: Path) -> str:
    path = tmp_path / "update.pdf"
    make_pdf(TEXT, path)
    return str(path)


MINI_HTML = """<!DOCTYPE html><html><body>
<h2>Inventory of activities (October - December 2019)</h2>
<h3>OCTOBER 2019</h3>
<table><tr><td>GLACY+</td><td>Workshop A, Accra, Ghana, 1-2 October</td></tr></table>
<p>Photo: the opening of the workshop in Accra.</p>
<h3>NOVEMBER 2019</h3>
<table><tr><td>GLACY+</td><td>Workshop B, Accra, Ghana, 4 November</td></tr>
<tr><td>CyberEast</td><td>Workshop C, Kyiv, Ukraine, 5 November</td></tr></table>
<p>Read more on our website.</p>
</body></html>"""


@pytest.mark.parametrize("form", ["html", "docx"])
def test_a_caption_between_two_tables_loses_no_row(tmp_path: Path, form: str) -> None:
    # A caption between October's and November's tables once ended the section: B and C
    # were lost, exit 0. The caption is said; the prose after the last table is not.
    if form == "html":
        source = tmp_path / "mini.html"
        source.write_text(MINI_HTML, encoding="utf-8")
    else:
        from docx import Document

        document = Document()
        document.add_heading("Inventory of activities (October - December 2019)", 2)
        for month, rows, after in [
            ("OCTOBER 2019", [("GLACY+", "Workshop A, Accra, Ghana, 1-2 October")],
             "Photo: the opening of the workshop in Accra."),
            ("NOVEMBER 2019", [("GLACY+", "Workshop B, Accra, Ghana, 4 November"),
                               ("CyberEast", "Workshop C, Kyiv, Ukraine, 5 November")],
             "Read more on our website."),
        ]:  # fmt: skip
            document.add_heading(month, 3)
            table = document.add_table(rows=0, cols=2)
            for project, body in rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = project, body
            document.add_paragraph(after)
        source = tmp_path / "mini.docx"
        document.save(str(source))
    store = tmp_path / "s.csv"
    result = run("import", str(source), store=store)
    assert result.exit_code == 0, result.stderr
    assert "added 3, updated 0, unchanged 0, ambiguous 0" in result.stderr
    assert "text between the tables, not read as an activity: 'Photo: the opening" in (
        result.stderr
    )
    assert "Read more" not in result.stderr
    rows = list(csv.DictReader(store.open(encoding="utf-8")))
    assert [(r["title"], r["start"]) for r in rows] == [
        ("Workshop A", "2019-10-01"),
        ("Workshop B", "2019-11-04"),
        ("Workshop C", "2019-11-05"),
    ]


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.rect(50, 50, 200, 200, fill=1)  # an image-like page: no text at all
    page.save()
    result = run("import", str(path), store=tmp_path / "s.csv")
    assert result.exit_code == 1
    assert "is a PDF with no text layer (a scanned image?)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\n", "is a PDF that cannot be read"),  # D31
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "is an old Office file (.doc or .xls)"),
        (b"\x89PNG\r\n\x1a\n", "is a PNG image"),
        (b"caf\xe9\n", "is not UTF-8 text (byte 0xe9 at line 1)"),
    ],
    ids=["broken-pdf", "old-office", "png", "latin-1"],
)
def test_unsupported_inputs_say_what_they_are(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    result = run("import", str(path), store=tmp_path / "s.csv")
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (tmp_path / "s.csv").exists()


def test_utf16_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes("APRIL 2020\r\nGLACY+\tWorkshop, Accra, Ghana, 3 April\r\n".encode("utf-16"))
    result = run("import", str(path), store=tmp_path / "s.csv")
    assert result.exit_code == 0, result.stderr
    assert "added 1," in result.stderr


# --- sheets and pipes ---------------------------------------------------------------------


def test_semicolon_csv_with_bom_as_excel_saves_it(tmp_path: Path) -> None:  # D18
    rows = list(csv.reader(BUNDLED_STORE.open(encoding="utf-8", newline="")))[:6]
    sheet = tmp_path / "x.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
    target = tmp_path / "y.csv"
    result = run("import", str(sheet), store=target)
    assert result.exit_code == 0, result.stderr
    assert "added 5," in result.stderr
    assert [r["id"] for r in csv.DictReader(target.open())] == [r[0] for r in rows[1:]]


def test_plan_without_id_column(tmp_path: Path) -> None:  # D19
    sheet = tmp_path / "plan.csv"
    sheet.write_text(
        "projects,title,location,dates,month\n"
        'GLACY+,Advisory mission,"Accra, Ghana",3-5 March,2020-03\n'
        "CyberEast,Desk review,,by 31 January 2020,\n"
    )
    target = tmp_path / "y.csv"
    result = run("import", str(sheet), store=target)
    assert result.exit_code == 0, result.stderr
    got = list(csv.DictReader(target.open()))
    assert [(r["title"], r["city"], r["countries"], r["start"]) for r in got] == [
        ("Advisory mission", "Accra", "GH", "2020-03-03"),
        ("Desk review", "", "", "2020-01-31"),
    ]
    assert all(len(r["id"]) == 8 for r in got)


def test_ndjson_and_jq(tmp_path: Path) -> None:  # D20
    listed = runner.invoke(
        app, ["list", "--project", "T-CY", "--format", "ndjson", "--store", str(BUNDLED_STORE)]
    ).stdout
    target = tmp_path / "n.csv"
    result = run("import", "-", store=target, input=listed)
    assert result.exit_code == 0, result.stderr
    assert "added 4," in result.stderr  # the four T-CY lines of the newsletter
    # jq -c writes the same records one a line, key order aside.
    records = [json.loads(line) for line in listed.splitlines()]
    compact = "\n".join(json.dumps(r, sort_keys=True, separators=(",", ":")) for r in records)
    again = run("import", "-", store=target, input=compact + "\n")
    assert "added 0, updated 0, unchanged 4, ambiguous 0" in again.stderr


def test_store_round_trip_keeps_the_order(tmp_path: Path) -> None:
    db, js, back = tmp_path / "s.db", tmp_path / "s.json", tmp_path / "back.csv"
    assert run("import", str(BUNDLED_STORE), store=db).exit_code == 0
    assert run("import", str(db), store=js).exit_code == 0
    assert run("import", str(js), store=back).exit_code == 0
    assert back.read_bytes() == BUNDLED_STORE.read_bytes()


def test_xlsx_out_and_in(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    workbook = tmp_path / "q.xlsx"
    result = runner.invoke(
        app, ["list", "--format", "xlsx", "-o", str(workbook), "--store", str(BUNDLED_STORE)]
    )
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(workbook).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:3] == ["id", "projects", "title"]
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value)
    back = tmp_path / "back.csv"
    result = run("import", str(workbook), store=back)
    assert result.exit_code == 0, result.stderr
    assert sorted(csv.DictReader(back.open()), key=lambda r: r["id"]) == sorted(
        bundled(), key=lambda r: r["id"]
    )


def test_xlsx_ids_stay_text(tmp_path: Path) -> None:
    store = tmp_path / "s.csv"
    rows = bundled()[:2]
    rows[0]["id"], rows[1]["id"] = "09171554", "194144e7"
    with store.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    workbook = tmp_path / "ids.xlsx"
    assert (
        runner.invoke(
            app, ["list", "--format", "xlsx", "-o", str(workbook), "--store", str(store)]
        ).exit_code
        == 0
    )
    from openpyxl import load_workbook

    sheet = load_workbook(workbook).active
    assert sheet is not None
    assert sorted(sheet.cell(row=r, column=1).value for r in (2, 3)) == ["09171554", "194144e7"]


def test_xlsx_to_a_terminal_is_refused(tmp_path: Path) -> None:
    from inventory.cli.options import emit
    from inventory.errors import UsageError
    from inventory.formats import Format, Listing

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(UsageError, match="binary file"):
        emit(Listing([]), Format.XLSX, stream=Terminal())


# --- the review's reproductions ---------------------------------------------------------------


def lines(text: str, tmp_path: Path, *extra: str) -> Any:
    return run("import", "-", *extra, store=tmp_path / "s.csv", input=text)


def test_impossible_dates_are_errors_and_nothing_is_written(tmp_path: Path) -> None:
    text = "APRIL 2020\nGLACY+\tAdvisory mission, Accra, Ghana, 31 April\nGLACY+\tX, Ghana, 8-6 April\n"  # noqa: E501
    result = lines(text, tmp_path)
    assert result.exit_code == 1
    assert "<stdin>:2: error: dates: cannot read date '31 April': April 2020 has 30 days" in (
        result.stderr
    )
    assert "<stdin>:3: error: dates: cannot read date '8-6 April'" in result.stderr
    assert not (tmp_path / "s.csv").exists()
    # The errors are the news: the lines that were fine are not listed one by one.
    more = text + "GLACY+\tWorkshop B, Accra, Ghana, 3 April\n"
    assert lines(more, tmp_path).stderr.splitlines()[-3:] == [
        "inventory: <stdin>:3: error: dates: cannot read date '8-6 April': the range ends on "
        "6 April 2020, before it starts on 8 April 2020",
        "inventory: nothing written: 2 lines could not be read",
        "inventory: hint: --skip-bad writes the rest and leaves those lines out",
    ]


def test_a_project_without_a_tab_before_the_title_is_still_read(tmp_path: Path) -> None:
    text = "NOVEMBER 2019\nGLACY+ INTERPOL Malware Analysis Training, LYON, FRANCE, 4-8 November\n"
    result = lines(text, tmp_path)
    assert result.exit_code == 0, result.stderr
    [row] = csv.DictReader((tmp_path / "s.csv").open())
    assert (row["id"], row["projects"], row["title"]) == (
        "xa9w55j8",
        "GLACY+",
        "INTERPOL Malware Analysis Training",
    )


def test_bullets_and_numbering_before_a_line_are_left_out(tmp_path: Path) -> None:
    text = (
        "NOVEMBER 2019\n• GLACY+\tINTERPOL Malware Analysis Training, LYON, FRANCE, 4-8 November\n"
        "2. CyberEast\tOSCE Workshop on Security Strategies, Yerevan, Armenia, 6 November\n"
        "▪ GLACY+ GLACY+ Steering Committee, Strasbourg, France, 18 November\n"
    )
    result = lines(text, tmp_path)
    assert result.exit_code == 0, result.stderr
    got = [(r["projects"], r["title"]) for r in csv.DictReader((tmp_path / "s.csv").open())]
    assert got == [
        ("GLACY+", "INTERPOL Malware Analysis Training"),
        ("CyberEast", "OSCE Workshop on Security Strategies"),
        ("GLACY+", "GLACY+ Steering Committee"),
    ]


def test_a_project_cell_over_several_lines_and_a_wrapped_title_are_read_whole(
    tmp_path: Path,
) -> None:
    text = (
        "NOVEMBER 2019\n"
        '"iPROCEEDS,\nGLACY+,\nCyberSouth"\tOctopus Conference, Strasbourg, France, 20-22 November\n'  # noqa: E501
        "CyberEast\tSupport to Cyber Week Moldova,\nChisinau, Moldova, 19 – 20 November\n"
    )
    result = lines(text, tmp_path)
    assert result.exit_code == 0, result.stderr
    got = [
        (r["projects"], r["title"], r["city"]) for r in csv.DictReader((tmp_path / "s.csv").open())
    ]
    assert got == [
        ("iPROCEEDS; GLACY+; CyberSouth", "Octopus Conference", "Strasbourg"),
        ("CyberEast", "Support to Cyber Week Moldova", "Chisinau"),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Workshop X, Accra, Ghana, 6-8 April, TBC", "two date texts, '6-8 April' and 'TBC'"),
        (
            "Workshop Y, Accra, Ghana, 6-8 April; 10 April",
            "two date texts, '6-8 April' and '10 April'",
        ),
        ("Workshop Z, Accra, Ghana, 6-8 April (online)", "unexpected '(online)' after the dates"),
        ("Workshop W, Accra, Ghana, mid-April", "no dates at the end of"),
        # French months are read (test_french_newsletter.py); Spanish ones are not.
        ("Workshop V, Accra, Ghana, 6-8 Abril", "no dates at the end of"),
    ],
)
def test_trailing_comments_are_errors(tmp_path: Path, line: str, message: str) -> None:
    result = lines(f"APRIL 2020\nGLACY+\t{line}\n", tmp_path, "--dry-run")
    assert result.exit_code == 1
    assert f"<stdin>:2: error: dates: {message}" in result.stderr


def test_date_outside_its_heading_warns(tmp_path: Path) -> None:
    result = lines("JUNE 2020\nGLACY+\tWorkshop D, Accra, Ghana, 3-5 January\n", tmp_path)
    assert result.exit_code == 0
    assert (
        "<stdin>:2: warning: dates: 3-5 January is outside JUNE 2020; read as January 2020 "
        "(did you mean 2021?)"
    ) in result.stderr


def test_unknown_project_is_asked_about_then_accepted_everywhere(tmp_path: Path) -> None:
    store = tmp_path / "s.csv"
    shutil.copy(BUNDLED_STORE, store)
    line = "APRIL 2020\nCyberSEE\tLaunch conference, Belgrade, Serbia, 15-16 April\n"
    # A name neither the registry nor the store knows is a question: nothing is written.
    asked = run("import", "-", store=store, input=line)
    assert asked.exit_code == 1
    assert "nothing written: unknown project 'CyberSEE' (--new-project NAME accepts one)" in (
        asked.stderr
    )
    assert re.search(r"^unknown project +<stdin>:2 +CyberSEE", asked.stdout, re.M)
    assert store.read_bytes() == BUNDLED_STORE.read_bytes()
    result = run("import", "-", "--new-project", "CyberSEE", store=store, input=line)
    assert result.exit_code == 0, result.stderr
    listed = runner.invoke(app, ["list", "--project", "CyberSEE", "--json", "--store", str(store)])
    assert listed.exit_code == 0, listed.stderr
    assert [a["title"] for a in json.loads(listed.stdout)] == ["Launch conference"]
    # Known to the store now, a line naming it needs no tab either.
    again = run(
        "import",
        "-",
        store=store,
        input="MAY 2020\nCyberSEE Closing conference, Belgrade, Serbia, 5 May\n",
    )
    assert again.exit_code == 0, again.stderr


def test_same_line_for_another_project_is_another_activity(tmp_path: Path) -> None:
    store = tmp_path / "s.csv"
    text = "MAY 2020\nGLACY+\tSteering Committee, Strasbourg, 5 May\nCyberEast\tSteering Committee, Strasbourg, 5 May\n"  # noqa: E501
    assert run("import", "-", store=store, input=text).exit_code == 0
    add = runner.invoke(
        app,
        [
            "add",
            "-p",
            "CyberSouth",
            "-t",
            "Steering Committee",
            "-l",
            "Strasbourg",
            "--dates",
            "5 May 2020",
            "--store",
            str(store),
        ],
    )
    assert add.exit_code == 0, add.stderr
    again = run("import", "-", store=store, input=text)
    assert "added 0, updated 0, unchanged 2, ambiguous 0" in again.stderr
    assert len(list(csv.DictReader(store.open()))) == 3


def test_add_refuses_what_is_stored_for_the_same_projects_under_any_id(
    tmp_path: Path,
) -> None:
    # GLACY+ holds the first id of "Steering Committee, Strasbourg, 5 May"; CyberEast's gets
    # the second. Adding CyberEast's again was a second copy (a third id), every time.
    store = tmp_path / "s.csv"
    text = "MAY 2020\nGLACY+\tSteering Committee, Strasbourg, 5 May\n"
    assert run("import", "-", store=store, input=text).exit_code == 0
    add = ["add", "-p", "CyberEast", "-t", "Steering Committee", "-l", "Strasbourg",
           "--dates", "5 May 2020", "--format", "ids", "--store", str(store)]  # fmt: skip
    first = runner.invoke(app, add)
    assert first.exit_code == 0, first.stderr
    second = runner.invoke(app, add)
    assert second.exit_code == 1
    assert f"this activity is already in the store as {first.stdout.strip()}" in second.stderr
    assert len(list(csv.DictReader(store.open()))) == 2
    # The line continues that activity (the date text as the newsletter writes it).
    line = "MAY 2020\nCyberEast\tSteering Committee, Strasbourg, 5 May\n"
    imported = run("import", "-", store=store, input=line)
    assert re.search(rf"^update +{first.stdout.strip()} +<stdin>:2 ", imported.stdout, re.M)
    assert "added 0, updated 1, unchanged 0, ambiguous 0" in imported.stderr


def test_a_curly_apostrophe_is_the_same_activity_and_found_by_search(
    store_copy: Path,
) -> None:
    # Word's autocorrect turns the newsletter's "Stakeholders'" into "Stakeholders’": the
    # same activity (02n8dtsy in the bundled store), not a new id; and a search typed with
    # either apostrophe finds it.
    curly = (
        "JANUARY 2020\nGLACY+\tStakeholders’ meeting on the new Cybercrime Law, joint activity"
        " with OCWAR-C, Sierra Leone, 22-23 January (dates TBC)\n"
    )
    result = run("import", "-", "--dry-run", "--json", store=store_copy, input=curly)
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["counts"]["added"] == 0
    assert [u["id"] for u in plan["unchanged"]] == ["02n8dtsy"]
    for typed in ("Stakeholders’ meeting", "Stakeholders' meeting"):
        found = run("list", "--search", typed, "--format", "ids", store=store_copy)
        assert found.stdout.split() == ["02n8dtsy"], typed


def test_one_huge_line_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("w") as handle:
        handle.write("OCTOBER 2019\nGLACY+\t")
        chunk = "A, " * 100_000
        for _ in range(170):  # about 50 MB on one line
            handle.write(chunk)
        handle.write("1-2 October\n")
    started = time.monotonic()
    result = run("import", str(path), store=tmp_path / "s.csv")
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    assert "huge.txt:2: error: the line is 51,000,018 characters long; at most 10,000" in (
        result.stderr
    )
