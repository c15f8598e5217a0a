"""Months and periods: the one home of month arithmetic, month names and labels, and the
period options (``--month``, ``--quarter``, ``--year``, ``--from``/``--to``).

Month and quarter arithmetic is dateutil's ``relativedelta`` (it clamps "the 31st" to a
month's last day, so no hand-written wrap of December into January). A day typed in an
option (``--as-of``, ``--from``, ``--to``, ``--until``) is read by :func:`parse_day`: ISO at
once, and a date with its month in letters through ``dateutil.parser``, loaded only then.
The newsletter's fuzzy dates keep their own grammar (``dates.py``): a general parser guesses
the parts such text leaves out (DATES.md).
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from .errors import UsageError

Period = tuple[date, date]
"""First and last day, inclusive."""

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTH_NUMBERS: dict[str, int] = {
    **{name.lower(): n for n, name in enumerate(MONTH_NAMES, 1)},
    **{name[:3].lower(): n for n, name in enumerate(MONTH_NAMES, 1)},
    "sept": 9,
}

ENV_TODAY = "INVENTORY_TODAY"
"""The reference day ("today") when set: the tests and the docs' examples pin it."""


def _usage(kind: str, value: str, expected: str) -> UsageError:
    return UsageError(f"invalid {kind} '{value}': {expected}", text=value)


_TO_MONTH_END = relativedelta(day=31)
"""Added to any day of a month: that month's last day (relativedelta clamps the 31st)."""


def _last_day(year: int, month: int) -> date:
    # The same day as adding _TO_MONTH_END, at a tenth of the cost (an import asks per row).
    return date(year, month, calendar.monthrange(year, month)[1])


@functools.lru_cache(maxsize=4096)  # a cache build asks it for the same few hundred months
def month_bounds(month: str) -> Period:
    """First and last day of a ``YYYY-MM`` month (remembered: a project's duration is
    asked of every activity ``validate`` checks)."""
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), _last_day(year, mon)


def months_between(first: date, last: date) -> list[str]:
    """Every ``YYYY-MM`` from the month of ``first`` to the month of ``last``."""
    start = first.replace(day=1)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [month_of(start + relativedelta(months=n)) for n in range(max(count, 0))]


def days_in(period: Period) -> list[date]:
    """Every day of ``period``, in order."""
    first, last = period
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def month_period(day: date) -> Period:
    """The month ``day`` falls in, first and last day."""
    return day.replace(day=1), day + _TO_MONTH_END


def quarter_period(day: date) -> Period:
    """The quarter ``day`` falls in, first and last day."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, first + relativedelta(months=2, day=31)


def quarter_label(first: date) -> str:
    """``Q4 2019`` for any day of that quarter."""
    return f"Q{(first.month - 1) // 3 + 1} {first.year}"


def parse_month_period(value: str) -> Period:
    """``2019-11``, ``November 2019`` or ``Nov 2019`` -> first and last day of that month."""
    expected = "expected YYYY-MM, e.g. 2019-11 (or 'November 2019')"
    v = value.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", v):
        year, month = int(m[1]), int(m[2])
    elif (m := re.fullmatch(r"([^\W\d_]+)\.?\s+(\d{4})", v)) and m[1].lower() in MONTH_NUMBERS:
        year, month = int(m[2]), MONTH_NUMBERS[m[1].lower()]
    else:
        raise _usage("month", value, expected)
    if year < 1 or not 1 <= month <= 12:
        raise _usage("month", value, expected)
    return date(year, month, 1), _last_day(year, month)


def parse_quarter(value: str) -> Period:
    """``Q4-2019``, ``2019-Q4``, ``Q4 2019`` or ``2019Q4`` (any case) -> first and last day."""
    v = value.strip()
    m = re.fullmatch(r"[qQ](\d)[\s-]?(\d{4})", v) or re.fullmatch(r"(\d{4})[\s-]?[qQ](\d)", v)
    if m is None:
        raise _usage("quarter", value, "expected Q1-Q4 and a year, e.g. Q4-2019")
    quarter, year = (int(m[1]), int(m[2])) if v[0] in "qQ" else (int(m[2]), int(m[1]))
    if not 1 <= quarter <= 4 or year < 1:
        raise _usage("quarter", value, "expected Q1-Q4 and a year, e.g. Q4-2019")
    return date(year, 3 * quarter - 2, 1), _last_day(year, 3 * quarter)


def parse_year(value: str) -> Period:
    """``2020`` -> 1 January and 31 December 2020."""
    v = value.strip()
    if not re.fullmatch(r"\d{4}", v) or int(v) < 1:
        raise _usage("year", value, "expected a four-digit year, e.g. 2020")
    return date(int(v), 1, 1), date(int(v), 12, 31)


DAY_EXPECTED = "expected a date such as 2020-03-01 or 1 March 2020"
"""What a day option accepts, in the words of every refusal."""

_NUMERIC = re.compile(r"\d{1,4}([/.\-])\d{1,2}\1\d{1,4}")
_DIGITS = re.compile(r"\d+")
# Two defaults that differ in every part: a part dateutil filled from its default (rather
# than read from the text) comes out different in the two readings.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def parse_day(value: str) -> date:
    """A day as people type it: ``2020-03-01``, ``1 March 2020``, ``March 1, 2020``,
    ``1 Mar 2020``. Refused, with the reason: numeric forms other than ISO (``01/03/2020`` is
    1 March in Strasbourg and 3 January in Washington), a month without its day (``March
    2020``: --month says that), a day without its year, times and anything else."""
    v = value.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v):
        return _checked_day(value, int(m[1]), int(m[2]), int(m[3]))
    if not v:
        raise UsageError(f"is empty; {DAY_EXPECTED}", text=value)
    if _NUMERIC.fullmatch(v):
        raise UsageError(
            f"'{v}' is day-first in some countries, month-first in others; {DAY_EXPECTED}",
            text=value,
        )
    digits = _DIGITS.findall(v)
    years = [d for d in digits if len(d) == 4]
    days = [d for d in digits if len(d) <= 2]
    if (
        not re.search(r"[^\W\d_]{3,}", v)
        or len(digits) > 2
        or len(years) + len(days) != len(digits)
    ):
        raise UsageError(f"'{v}' is not a date; {DAY_EXPECTED}", text=value)
    if not digits:
        raise UsageError(f"'{v}' is not a date; {DAY_EXPECTED}", text=value)
    if len(years) != 1:
        raise UsageError(f"'{v}' has no year; {DAY_EXPECTED}", text=value)
    if not days:
        if _is_month(v.replace(years[0], "")):
            raise UsageError(
                f"'{v}' is a month, not a day (--month takes a month); {DAY_EXPECTED}", text=value
            )
        raise UsageError(f"'{v}' has no day; {DAY_EXPECTED}", text=value)
    # Loaded here, not at the top: dateutil.parser costs some 25 ms that an ISO date or a run
    # without a day option need not pay (as month_names.py).
    from dateutil.parser import ParserError, parse

    try:
        readings = {parse(v, default=default) for default in _DEFAULTS}
    except (ParserError, ValueError, OverflowError):
        raise UsageError(f"'{v}' is not a date; {DAY_EXPECTED}", text=value) from None
    (reading, *others) = readings
    if others or reading.time() != datetime.min.time():
        raise UsageError(f"'{v}' is not a date; {DAY_EXPECTED}", text=value)
    # dateutil skips a weekday's name; a wrong one means the date is not what was meant.
    named = [n for n, name in enumerate(calendar.day_name) if re.search(
        rf"\b{name[:3]}(?:{name[3:]})?\b", v, re.IGNORECASE)]  # fmt: skip
    if named and named != [reading.weekday()]:
        weekday = calendar.day_name[reading.weekday()]
        raise UsageError(f"'{v}': {reading.date()} is a {weekday}; {DAY_EXPECTED}", text=value)
    return reading.date()


def _is_month(text: str) -> bool:
    return text.strip(" ,.").lower() in MONTH_NUMBERS


def _checked_day(value: str, year: int, month: int, day: int) -> date:
    if year < 1 or not 1 <= month <= 12:
        raise UsageError(f"'{value.strip()}' is not a date; {DAY_EXPECTED}", text=value)
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        reason = f"{MONTH_NAMES[month - 1]} {year} has {length} days; {DAY_EXPECTED}"
        raise UsageError(f"'{value.strip()}': {reason}", text=value)
    return date(year, month, day)


def month_label(first: date) -> str:
    """``November 2019`` for any day of that month."""
    return f"{MONTH_NAMES[first.month - 1]} {first.year}"


def month_of(day: date) -> str:
    """``2019-11`` for any day of that month: the ``YYYY-MM`` a schedule is listed under."""
    return f"{day.year:04d}-{day.month:02d}"


def month_short(month: str) -> str:
    """``Nov 2019`` for ``2019-11``."""
    return f"{MONTH_NAMES[int(month[5:]) - 1][:3]} {month[:4]}"


def month_name(month: str) -> str:
    """``March 2016`` for ``2016-03``."""
    return f"{MONTH_NAMES[int(month[5:7]) - 1]} {month[:4]}"


def day_label(day: date) -> str:
    """``7 October 2019``."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
