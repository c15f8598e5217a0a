"""Months and periods: the one home of month arithmetic, month names and labels, and the
period options (``--month``, ``--quarter``, ``--year``, ``--from``/``--to``).

Standard library only, so the command line can read a period before it loads a model.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

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


def _usage(kind: str, value: str, expected: str) -> UsageError:
    return UsageError(f"invalid {kind} '{value}': {expected}", text=value)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_bounds(month: str) -> Period:
    """First and last day of a ``YYYY-MM`` month."""
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), _last_day(year, mon)


def months_between(first: date, last: date) -> list[str]:
    """Every ``YYYY-MM`` from the month of ``first`` to the month of ``last``."""
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def days_in(period: Period) -> list[date]:
    """Every day of ``period``, in order."""
    first, last = period
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def month_period(day: date) -> Period:
    """The month ``day`` falls in, first and last day."""
    return day.replace(day=1), _last_day(day.year, day.month)


def quarter_period(day: date) -> Period:
    """The quarter ``day`` falls in, first and last day."""
    first = 3 * ((day.month - 1) // 3) + 1
    return date(day.year, first, 1), _last_day(day.year, first + 2)


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


def parse_day(value: str) -> date:
    """``2019-11-28`` (ISO only: day-first and month-first forms are ambiguous)."""
    expected = "expected YYYY-MM-DD, e.g. 2019-11-28"
    v = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
    if m is None:
        raise _usage("day", value, expected)
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if year < 1 or not 1 <= month <= 12:
        raise _usage("day", value, expected)
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        reason = f"{MONTH_NAMES[month - 1]} {year} has {length} days; {expected}"
        raise _usage("day", value, reason)
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
