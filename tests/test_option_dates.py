"""A day typed in an option (--as-of, --from, --to, --until) is read as people write it, or
refused in one line: never a guess at a part the text leaves out."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from inventory.cli import app
from inventory.errors import UsageError
from inventory.months import month_period, months_between, parse_day, quarter_period
from tests.helpers import BUNDLED_STORE

EXPECTED = "expected a date such as 2020-03-01 or 1 March 2020"

READ = [
    ("2020-03-01", date(2020, 3, 1)),
    ("1 March 2020", date(2020, 3, 1)),
    ("March 1, 2020", date(2020, 3, 1)),
    ("1 Mar 2020", date(2020, 3, 1)),
    ("Mar. 1 2020", date(2020, 3, 1)),
    ("1st March 2020", date(2020, 3, 1)),
    ("2020 March 1", date(2020, 3, 1)),
    ("  29 february 2020 ", date(2020, 2, 29)),
    ("Sunday, 1 March 2020", date(2020, 3, 1)),  # 1 March 2020 was a Sunday
    ("28 Nov 2019", date(2019, 11, 28)),
]


@pytest.mark.parametrize(("text", "day"), READ, ids=[t for t, _ in READ])
def test_a_day_is_read_as_people_write_it(text: str, day: date) -> None:
    assert parse_day(text) == day


REFUSED = [
    # Figures other than ISO: 1 March in Strasbourg, 3 January in Washington.
    ("01/03/2020", "'01/03/2020' is day-first in some countries, month-first in others"),
    ("13/03/2020", "'13/03/2020' is day-first in some countries, month-first in others"),
    ("1.3.2020", "'1.3.2020' is day-first in some countries, month-first in others"),
    ("03-01-2020", "'03-01-2020' is day-first in some countries, month-first in others"),
    # A part left out is refused, not filled from a default.
    ("March 2020", "'March 2020' is a month, not a day (--month takes a month)"),
    ("1 March", "'1 March' has no year"),
    ("2020", "'2020' is not a date"),
    ("tomorrow", "'tomorrow' is not a date"),
    # What dateutil alone would misread (DATES.md: "1-2 October" becomes 2 October 2001).
    ("1-2 October 2020", "'1-2 October 2020' is not a date"),
    ("1 March 2020 10:00", "'1 March 2020 10:00' is not a date"),
    ("Monday, 1 March 2020", "'Monday, 1 March 2020': 2020-03-01 is a Sunday"),
    ("31 February 2020", "'31 February 2020' is not a date"),
    ("2019-02-29", "'2019-02-29': February 2019 has 28 days"),
    ("2019-13-01", "'2019-13-01' is not a date"),
    ("20200301", "'20200301' is not a date"),
    ("1 Smarch 2020", "'1 Smarch 2020' is not a date"),
    ("", "is empty"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED, ids=[t or "empty" for t, _ in REFUSED])
def test_a_day_that_cannot_be_read_exactly_is_refused(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_day(text)
    assert caught.value.message == f"{reason}; {EXPECTED}"
    assert caught.value.exit_code == 2


# Read from the fixture's rows: 1-3 November 2019 touches only the advisory mission of
# "30 October - 1 November"; on 20 January 2020, 13 planned rows start by the 31st (from
# "20 – 24 January" to the two "by 31 January" deadlines, with the two January "dates TBC/TBD").
OPTIONS = [
    (["list", "--from", "1 November 2019", "--to", "November 3, 2019", "-f", "ids"], 1),
    (["list", "--from", "2019-11-01", "--to", "2019-11-03", "-f", "ids"], 1),
    (["upcoming", "--as-of", "20 Jan 2020", "--until", "31 January 2020", "-f", "ids"], 13),
    (["upcoming", "--as-of", "2020-01-20", "--until", "2020-01-31", "-f", "ids"], 13),
]


@pytest.mark.parametrize(("args", "count"), OPTIONS, ids=[" ".join(a) for a, _ in OPTIONS])
def test_every_day_option_takes_the_month_in_letters(args: list[str], count: int) -> None:
    result = CliRunner().invoke(app, [*args, "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.split()) == count


BAD_OPTIONS = [
    (["list", "--from", "01/11/2019"], "--from", "'01/11/2019' is day-first"),
    (["list", "--to", "November 2019"], "--to", "'November 2019' is a month, not a day"),
    (["upcoming", "--as-of", "1 March"], "--as-of", "'1 March' has no year"),
    # --until used to be reported as --as-of.
    (["upcoming", "--as-of", "2020-01-20", "--until", "x"], "--until", "'x' is not a date"),
    (["upcoming", "--until", " "], "--until", "is empty"),
    (["report", "--as-of", "5/1/2020", "-f", "html"], "--as-of", "'5/1/2020' is day-first"),
]


@pytest.mark.parametrize(
    ("args", "option", "reason"), BAD_OPTIONS, ids=[" ".join(a) for a, _, _ in BAD_OPTIONS]
)
def test_a_bad_day_option_is_one_line_naming_the_option(
    args: list[str], option: str, reason: str
) -> None:
    result = CliRunner().invoke(app, [*args, "--store", str(BUNDLED_STORE)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"inventory: error: invalid value for {option}: {reason}")
    assert result.stderr.endswith(f"; {EXPECTED}\n")
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


ARITHMETIC = [
    (month_period, date(2020, 2, 10), (date(2020, 2, 1), date(2020, 2, 29))),
    (month_period, date(2019, 2, 28), (date(2019, 2, 1), date(2019, 2, 28))),
    (month_period, date(2019, 12, 31), (date(2019, 12, 1), date(2019, 12, 31))),
    (quarter_period, date(2019, 11, 28), (date(2019, 10, 1), date(2019, 12, 31))),
    (quarter_period, date(2020, 2, 29), (date(2020, 1, 1), date(2020, 3, 31))),
    (quarter_period, date(2020, 6, 30), (date(2020, 4, 1), date(2020, 6, 30))),
]


@pytest.mark.parametrize(("period_of", "day", "period"), ARITHMETIC)
def test_a_month_and_a_quarter_end_on_their_last_day(
    period_of: object, day: date, period: tuple[date, date]
) -> None:
    assert callable(period_of)
    assert period_of(day) == period


def test_months_between_cross_the_year_end() -> None:
    assert months_between(date(2019, 11, 28), date(2020, 2, 1)) == [
        "2019-11",
        "2019-12",
        "2020-01",
        "2020-02",
    ]
    assert months_between(date(2020, 3, 31), date(2020, 3, 1)) == ["2020-03"]
    assert months_between(date(2020, 4, 1), date(2020, 3, 31)) == []
