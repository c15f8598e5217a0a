"""What ``report`` (and the queries beside it) answers: the months of the period asked, an
open period clamped to the data, one project's report, a damaged or empty store, the hint
when a filter empties the period, and the newsletter layout's wording. Expected values were
read off the newsletter by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import (
    data,
    run,
)


def test_report_months_do_not_change_with_the_period_asked() -> None:
    # November: its 26 lines, and Fiji (30 October - 1 November) under October's heading.
    quarter = data("report", "--quarter", "Q4-2019")
    assert quarter["per_month"]["2019-11"] == 27
    assert data("report", "--month", "2019-11")["per_month"]["2019-11"] == 27
    assert len(data("list", "--month", "2019-11")) == 27
    assert quarter["per_project_per_month"]["Cybercrime@Octopus"]["2019-11"] == 2


def test_an_open_period_is_clamped_to_the_data() -> None:
    report = data("report", "--from", "2020-01-01")
    assert report["months"] == ["2020-01", "2020-02", "2020-03"]
    chart = run("report", "--from", "2019-12-01", "--chart")
    assert "9999" not in chart.stdout and len(chart.stdout.splitlines()) < 80
    assert data("report", "--to", "2019-10-31")["months"] == ["2019-10"]


def test_the_newsletter_layout_leaves_cancelled_activities_out(store_copy: Path) -> None:
    [igf] = [a["id"] for a in data("list", "--search", "IGF 2019", store=store_copy)]
    assert run("cancel", igf, "--force", store=store_copy).exit_code == 0
    table = run("report", "--quarter", "Q4-2019", store=store_copy)
    assert "1 cancelled, not counted" in table.stdout.splitlines()[1]
    for layout in ("text", "markdown"):
        result = run("report", "--quarter", "Q4-2019", "--format", layout, store=store_copy)
        assert result.exit_code == 0
        assert "IGF 2019" not in result.stdout
        assert "left out 1 cancelled activity" in result.stderr


def test_a_report_for_one_project_lists_only_it() -> None:
    report = data("report", "--quarter", "Q4-2019", "--project", "GLACY+")
    assert list(report["per_project"]) == ["GLACY+"]
    assert report["shared_with"]["CyberEast"] == 4
    table = run("report", "--quarter", "Q4-2019", "--project", "GLACY+").stdout
    assert not re.search(r"^\s*CyberEast\s+\d", table, re.MULTILINE)


def test_a_damaged_store_makes_a_report_fail_after_its_output(store_copy: Path) -> None:
    text = store_copy.read_text(encoding="utf-8")
    assert ",13-14 November," in text  # 38z0m643, Rabat, in Q4 2019
    store_copy.write_text(text.replace(",13-14 November,", ",31 February,", 1), encoding="utf-8")
    result = run("report", "--quarter", "Q4-2019", "--json", store=store_copy)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["total"] == 71  # the rest is still reported
    assert "31 February" in result.stderr and "Traceback" not in result.stderr


def test_an_empty_store_is_an_empty_answer(tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_text("")
    for args in (["report"], ["list"], ["upcoming"], ["calendar"], ["clashes"]):
        result = run(*args, store=empty)
        assert result.exit_code == 0, (args, result.stderr)
    report = data("report", store=empty)
    assert report["total"] == 0 and report["months"] == []


def test_the_hint_names_the_filter_that_emptied_the_period() -> None:
    for command in ("calendar", "timeline"):
        result = run(command, "--month", "2019-11", "--project", "T-CY")
        assert "no T-CY activities in November 2019" in result.stderr, command
        assert "store covers" not in result.stderr


def test_the_layout_keeps_tbc_and_tbd_as_written() -> None:
    text = run("report", "--year", "2020", "--format", "text").stdout
    lines = {line.split("\t")[1].split(",")[0]: line for line in text.splitlines() if "\t" in line}
    assert lines["RIPE NCC Training for law enforcement"].endswith(", dates TBC")
    assert lines["Participation in the Cyber Command Course organized by the Hong Kong Police"
                 ].endswith(", dates TBC")  # fmt: skip
    assert lines["Regional Meeting on Cybercrime Legislation in the ECOWAS Region"].endswith(
        ", location and dates TBD"
    )


def test_report_headings_name_the_period_and_count_deadlines() -> None:
    lines = run("report", "--quarter", "Q4-2019").stdout.splitlines()
    assert lines[1].endswith("1 deadline")
    first = run("report").stdout.splitlines()[0]
    assert first == "Inventory report: the whole store (2019-10-01 to 2020-03-31)"
    opened = run("report", "--from", "2019-12-01").stdout.splitlines()[0]
    assert opened == "Inventory report: from 2019-12-01 (2019-12-01 to 2020-03-31)"
    result = run("list", "--limit", "0")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
