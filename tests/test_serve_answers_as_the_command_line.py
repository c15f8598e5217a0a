"""``inventory serve``'s answers, in process (Starlette's test client): the API is the
command line's output byte for byte on every backend, the pages count what ``list`` counts,
the calendar is ``export``'s with a tag a calendar program can ask again with, a change made
by the command line shows on the next request, and whatever a URL holds gets one line and
400, never a traceback, never a write."""

from __future__ import annotations

import html
import json
import shutil
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from starlette.testclient import TestClient

from inventory.store import find_store
from inventory.web.app import HEADERS, make_app
from tests.helpers import BUNDLED_STORE, run

GLACY_NOVEMBER = "/?project=GLACY%2B&month=2019-11"


def client_for(store: Path | str) -> TestClient:
    app = make_app(find_store(str(store)), today=lambda: date(2020, 1, 15))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(store_copy: Path) -> TestClient:
    return client_for(store_copy)


def count_on_page(html: str) -> int:
    marker = '<strong class="count">'
    return int(html.split(marker, 1)[1].split("<", 1)[0])


# --- the same answers as the command line ----------------------------------------------------

QUERIES = [
    ("project=GLACY%2B&month=2019-11", ["--project", "GLACY+", "--month", "2019-11"]),
    ("country=Morocco", ["--country", "Morocco"]),
    ("quarter=Q1-2020&certainty=tentative", ["--quarter", "Q1-2020", "--certainty", "tentative"]),
    (
        "text=cybercrime&status=held&limit=5",
        ["--search", "cybercrime", "--status", "held", "--limit", "5"],
    ),
    ("from=2019-11-20&to=1+December+2019", ["--from", "2019-11-20", "--to", "1 December 2019"]),
    ("project=cybereast&project=T-CY", ["--project", "cybereast", "--project", "T-CY"]),
    ("deadlines=yes", ["--deadlines"]),
    ("", []),
]


@pytest.mark.parametrize(("query", "argv"), QUERIES)
def test_the_api_is_list_json_byte_for_byte(
    query: str, argv: list[str], backend_store: str
) -> None:
    cli = run("list", *argv, "--json", store=backend_store)
    assert cli.exit_code == 0, cli.stderr
    answer = client_for(backend_store).get(f"/api/activities?{query}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.text == cli.stdout


def test_the_api_streams_ndjson_when_asked(client: TestClient) -> None:
    answer = client.get(
        "/api/activities?project=GLACY%2B&month=2019-11",
        headers={"accept": "application/x-ndjson"},
    )
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = answer.text.splitlines()
    # The newsletter's November 2019 for GLACY+: eleven lines, the Lyon training first.
    assert len(lines) == 11
    assert json.loads(lines[0])["title"] == "INTERPOL Malware Analysis Training"
    assert (
        answer.text
        == run("list", "--project", "GLACY+", "--month", "2019-11", "--format", "ndjson").stdout
    )


@pytest.mark.parametrize(
    ("query", "argv"),
    [
        ("quarter=Q4-2019", ["--quarter", "Q4-2019"]),
        ("quarter=Q1-2020&project=CyberEast", ["--quarter", "Q1-2020", "--project", "CyberEast"]),
        ("year=2019", ["--year", "2019"]),
        ("", []),
    ],
)
def test_the_report_api_is_report_json(query: str, argv: list[str], backend_store: str) -> None:
    cli = run("report", *argv, "--json", store=backend_store)
    assert cli.exit_code == 0, cli.stderr
    assert client_for(backend_store).get(f"/api/report?{query}").text == cli.stdout


def test_the_report_page_has_the_newsletters_numbers(client: TestClient) -> None:
    page = client.get("/report/Q4-2019").text
    # Q4 2019 in the newsletter: 29 in October, 27 in November, 17 in December; 72 in all.
    assert "<li><strong>72</strong> activities</li>" in page
    for month, count in (("Oct", 29), ("Nov", 27), ("Dec", 17)):
        assert f'<td class="num">{count}</td>' in page, month
    assert 'href="/static/page.css"' in page and "<style>" not in page


@pytest.mark.parametrize(("query", "argv"), QUERIES)
def test_the_page_counts_what_list_counts(client: TestClient, query: str, argv: list[str]) -> None:
    listed = json.loads(run("list", *argv, "--json").stdout)
    page = client.get(f"/?{query}").text
    shown = count_on_page(page) if listed else 0
    assert shown == len(listed)
    # The rows of the first page are list's, in list's order (soonest first).
    ids = [chunk.split('"', 1)[0] for chunk in page.split('data-id="')[1:]]
    assert ids == [r["id"] for r in listed][:100]


def test_past_a_hundred_rows_the_inventory_has_pages(client: TestClient) -> None:
    first = client.get("/").text
    assert count_on_page(first) == 132  # the whole bundled store
    assert first.count('<tr class="activity') == 100 and "page 1 of 2" in first
    second = client.get("/?page=2").text
    assert second.count('<tr class="activity') == 32 and 'rel="prev" href="/?page=1"' in second
    by_title = client.get("/?sort=title").text
    titles = [t.split("<", 1)[0] for t in by_title.split('<td class="title"><a href="')[1:]]
    titles = [t.split(">", 1)[1] for t in titles]
    assert titles == sorted(titles, key=str.casefold)


def test_the_newsletters_eleven_glacy_lines_of_november(client: TestClient) -> None:
    page = client.get(GLACY_NOVEMBER).text
    assert count_on_page(page) == 11
    assert "INTERPOL Malware Analysis Training" in page and "Review of the Cybercrime Bill" in page


def test_a_change_by_the_command_line_shows_on_the_next_request(
    client: TestClient, store_copy: Path
) -> None:
    assert count_on_page(client.get(GLACY_NOVEMBER).text) == 11
    added = run(
        "add", "--project", "GLACY+", "--title", "Served workshop", "--dates", "12 November 2019",
        "--location", "Lyon, France", store=store_copy,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    page = client.get(GLACY_NOVEMBER).text
    assert count_on_page(page) == 12 and "Served workshop" in page


def test_a_hand_edit_of_the_csv_shows_on_the_next_request(
    client: TestClient, store_copy: Path
) -> None:
    text = store_copy.read_text(encoding="utf-8")
    store_copy.write_text(
        text.replace("INTERPOL Malware Analysis Training", "INTERPOL Malware Training"),
        encoding="utf-8",
    )
    page = client.get(GLACY_NOVEMBER).text
    assert "INTERPOL Malware Training" in page and "Malware Analysis" not in page


def test_an_activity_page_shows_its_fields_and_history(
    client: TestClient, store_copy: Path
) -> None:
    edited = run(
        "edit", "xa9w55j8", "--title", "INTERPOL Malware Analysis Course", store=store_copy
    )
    assert edited.exit_code == 0, edited.stderr
    page = client.get("/activity/xa9w55j8").text
    assert "<h1>INTERPOL Malware Analysis Course</h1>" in page
    assert "4-8 November" in page and "Lyon, France" in page
    assert "changed xa9w55j8 INTERPOL Malware Analysis Course: title" in page
    assert 'href="/projects/GLACY+"' in page


def test_project_pages(client: TestClient) -> None:
    everything = client.get("/projects")
    assert everything.status_code == 200 and "GLACY+" in everything.text
    one = client.get("/projects/glacy%2B")  # an alias or another case finds the project
    assert one.status_code == 200 and "<h2" in one.text and "GLACY+" in one.text
    missing = client.get("/projects/Nowhere")
    assert missing.status_code == 404
    assert missing.text == "no project 'Nowhere' in built-in projects\n"


def test_the_timeline_draws_one_bar_per_known_day_range(client: TestClient) -> None:
    page = client.get("/timeline?quarter=Q4-2019&project=T-CY").text
    # T-CY in Q4 2019: the 9th meeting of its Protocol Drafting Group, 15-18 October.
    groups = page.split('<figure class="gantt-group"')[1:]
    assert len(groups) == 1
    assert groups[0].count('<rect class="bar confirmed"') == 1
    assert "9th meeting of the T-CY Protocol Drafting Group" in groups[0]


# --- the calendar -------------------------------------------------------------------------


def test_the_calendar_is_exports_with_a_tag_to_ask_again_with(client: TestClient) -> None:
    exported = run("export", "--project", "GLACY+")
    answer = client.get("/calendar.ics?project=GLACY%2B")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.content == exported.stdout_bytes
    events = [c for c in Calendar.from_ical(answer.content).walk("VEVENT")]
    assert len({str(e["uid"]) for e in events}) == len(events) > 0
    tag, modified = answer.headers["etag"], answer.headers["last-modified"]
    again = client.get("/calendar.ics?project=GLACY%2B", headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    since = client.get("/calendar.ics?project=GLACY%2B", headers={"if-modified-since": modified})
    assert since.status_code == 304


def test_a_change_gives_the_calendar_a_new_tag(client: TestClient, store_copy: Path) -> None:
    first = client.get("/calendar.ics?project=GLACY%2B")
    assert run("edit", "xa9w55j8", "--title", "Malware course", store=store_copy).exit_code == 0
    second = client.get(
        "/calendar.ics?project=GLACY%2B", headers={"if-none-match": first.headers["etag"]}
    )
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    event = next(
        e
        for e in Calendar.from_ical(second.content).walk("VEVENT")
        if "Malware course" in str(e["summary"])
    )
    assert int(event["sequence"]) == 1  # its first change since the import


def test_an_old_date_in_if_modified_since_gets_the_calendar(client: TestClient) -> None:
    old = format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)
    assert client.get("/calendar.ics", headers={"if-modified-since": old}).status_code == 200
    assert client.get("/calendar.ics", headers={"if-modified-since": "nonsense"}).status_code == 200


# --- hostile requests -------------------------------------------------------------------------

HOSTILE = [
    ("/?bogus=1", "unknown parameter 'bogus'; expected one of project, month"),
    ("/?month=" + "9" * 10_000, "the query string is 10006 characters; expected at most 4096"),
    ("/?city=" + "a" * 300, "the value of 'city' is 300 characters; expected at most 200"),
    ("/?text=abc%00def", "the value of 'text' holds a NUL character; expected printable text"),
    ("/?text=%1b%5b31m", "the value of 'text' holds an escape character (ESC)"),
    ("/?month=2019-13", "invalid value for month: invalid month '2019-13'"),
    (
        "/?month=2019-11&quarter=Q4-2019",
        "choose one of month, quarter, year or from/to; got month and quarter",
    ),
    (
        "/?from=0001-01-01&to=9999-12-31&limit=x",
        "invalid value for limit: 'x'; expected a whole number",
    ),
    (
        "/timeline?from=0001-01-01&to=9999-12-31",
        "a period of 3,652,059 days; expected at most 3,660 (ten years)",
    ),
    (
        "/api/report?from=1000-01-01&to=9213-09-20",
        "a period of 3,000,000 days; expected at most 3,660",
    ),
    ("/report/Q9-2019", "invalid value for quarter:"),
    ("/?certainty=maybe", "invalid value for certainty: 'maybe'; expected one of confirmed"),
    ("/?project=NoSuchProject", "invalid value for project:"),
    ("/?country=Atlantis", "invalid value for country:"),
    ("/?sort=evil", "invalid value for sort: 'evil'; expected one of dates, title"),
    ("/?page=0", "invalid value for page: '0'; expected a whole number from 1"),
    ("/?month=1&month=2", "month is given 2 times; expected it once"),
    ("/activity/..%2F..%2Fetc%2Fpasswd", "'../../etc/passwd' is not an activity id"),
    ("/activity/%3Cscript%3E", "'<script>' is not an activity id"),
    ("/projects?x=1", "unknown parameter 'x'"),
]


@pytest.mark.parametrize(("url", "message"), HOSTILE)
def test_a_hostile_request_gets_one_line_and_400(
    client: TestClient, url: str, message: str
) -> None:
    answer = client.get(url)
    assert answer.status_code == 400, answer.text
    assert answer.text.startswith(message), answer.text
    assert answer.text.count("\n") == 1 and "Traceback" not in answer.text
    assert answer.headers["content-type"].startswith("text/plain")


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for url in ("/", "/?bogus=1", "/nowhere", "/api/activities", "/static/page.css"):
        answer = client.get(url)
        for name, value in HEADERS.items():
            assert answer.headers[name] == value, (url, name)
    assert "frame-ancestors 'none'" in HEADERS["content-security-policy"]
    assert "unsafe-inline" not in HEADERS["content-security-policy"]


def test_no_page_has_inline_script_or_style(client: TestClient) -> None:
    for url in (
        "/",
        GLACY_NOVEMBER,
        "/activity/xa9w55j8",
        "/report/Q4-2019",
        "/projects",
        "/timeline",
        "/api",
    ):
        page = client.get(url).text
        assert "<script" not in page and "<style" not in page and " style=" not in page, url


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_no_request_changes_the_store(client: TestClient, store_copy: Path, method: str) -> None:
    before = store_copy.read_bytes()
    for url in ("/", "/activity/xa9w55j8", "/api/activities", "/calendar.ics"):
        answer = client.request(method, url, content=b"title=changed")
        assert answer.status_code == 405, (method, url)
        assert "Traceback" not in answer.text
    assert store_copy.read_bytes() == before


def test_an_unreadable_store_is_503_in_one_line(tmp_path: Path) -> None:
    store = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, store)
    client = client_for(store)
    store.unlink()
    answer = client.get("/")
    assert answer.status_code == 503
    assert answer.text.startswith("the store cannot be read: ") and answer.text.count("\n") == 1


def test_every_filtered_view_has_a_subscribe_link(client: TestClient) -> None:
    for url, feed in (
        (GLACY_NOVEMBER, "/calendar.ics?project=GLACY%2B&month=2019-11"),
        ("/report/Q4-2019", "/calendar.ics?quarter=Q4-2019"),
        ("/report?from=2019-11-01&to=2019-11-30", "/calendar.ics?from=2019-11-01&to=2019-11-30"),
        ("/timeline?quarter=Q1-2020&project=T-CY", "/calendar.ics?project=T-CY&quarter=Q1-2020"),
        ("/projects/CyberEast", "/calendar.ics?project=CyberEast"),
    ):
        page = client.get(url).text
        href = html.escape(f"webcal://testserver{feed}")
        assert f'<a class="subscribe" href="{href}">' in page, url


def test_a_report_of_any_period_report_takes(client: TestClient) -> None:
    # 18-22 November 2019: the week of the T-CY Plenary and the Octopus Conference.
    argv = ["--from", "2019-11-18", "--to", "2019-11-22"]
    cli = run("report", *argv, "--json")
    assert client.get("/api/report?from=2019-11-18&to=2019-11-22").text == cli.stdout
    page = client.get("/report?from=2019-11-18&to=2019-11-22&project=")
    assert page.status_code == 200  # the form's empty field tidied away on the way
    assert str(page.url).endswith("/report?from=2019-11-18&to=2019-11-22")
    total = json.loads(cli.stdout)["total"]
    assert f"<li><strong>{total}</strong> activities</li>" in page.text


def test_the_report_without_a_period_is_the_current_quarters(client: TestClient) -> None:
    answer = client.get("/report", follow_redirects=False)  # today: 15 January 2020
    assert answer.status_code == 302 and answer.headers["location"] == "/report/Q1-2020"


def test_no_password_shows_in_a_page(tmp_path: Path) -> None:
    # A server on a port where nothing listens: the driver's error names the address.
    url = "postgresql://officer:s3cret-pw@127.0.0.1:9/inventory"
    client = client_for(url)
    for path in ("/", "/api/activities", "/calendar.ics", "/report/Q4-2019"):
        answer = client.get(path)
        assert answer.status_code == 503, (path, answer.text)
        assert "s3cret-pw" not in answer.text and answer.text.count("\n") == 1


def test_fuzzy_dates_are_shown_as_written_with_what_they_leave_unsaid(
    client: TestClient,
) -> None:
    page = client.get("/?project=T-CY&quarter=Q1-2020").text
    # The newsletter's T-CY lines of Q1 2020, their dates as written, the year beside them.
    assert (
        '<time datetime="2020-03-16" title="16 (PM)-20 (AM) March 2020">16 (PM) – 20 (AM) March'
        '</time> <span class="year">2020</span>'
    ) in page
    assert '<time datetime="2020-01-21" title="21-24 January 2020">21 - 24 January</time>' in page
    tbc = client.get("/?project=CyberEast&month=2020-01&certainty=unscheduled").text
    # The RIPE NCC training in Tbilisi, "dates TBC" with no day: its month said beside it.
    assert '">dates TBC</time> <span class="year">January 2020</span>' in tbc
