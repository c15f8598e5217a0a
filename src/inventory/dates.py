"""Date texts of the newsletter: read them, write them back, convert them.

A small grammar of our own rather than a general date parser: general parsers
fill in missing parts silently (``1-2 October`` becomes 2 October 2001), and the
newsletter's text is regular enough to read exactly (see ``DATES.md``)::

    schedule    := unscheduled | month-only | ["by"] ranges [marker]
    unscheduled := ["location" "and"] ["dates"] ("TBC" | "TBD") | marker
    month-only  := MONTH YEAR [marker] | MONTH marker
    ranges      := range (("," ["and"] | "and") range)*
    range       := ["du"] point [("-" | "au") point]
    point       := DAY ["er"] ["(AM)" | "(PM)"] [MONTH [YEAR]]
    marker      := "(" ["dates"] ("TBC" | "TBD") ")"

The same grammar reads French: MONTH is an English or French month name (any case, with or
without accents; :mod:`.month_names`), "and" is also "et", "location" "lieu", "by" also
"d'ici le" or "au plus tard le", "TBC" also "à confirmer" and "TBD" "à déterminer"; "1er"
is the first of a month, and "du 4 au 6 novembre" a range. "avant le 31 janvier" is refused:
it does not say whether the 31st itself is still in time.

A day without a month takes the month (and year) of the next point that has one.

Pure functions, no I/O; imports only the standard library and the model at start-up (the
French month names load dateutil on first use), so the CLI starts fast.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from .datewords import dates_tbd, schedule_days
from .errors import ParseError, excerpt
from .model import MAX_SHORT, Certainty, HalfDay, Precision, Schedule, Segment
from .months import MONTH_NAMES, MONTH_NUMBERS, day_label, month_bounds, month_of

__all__ = ["parse_schedule", "render_schedule", "split_trailing_dates", "to_edtf"]

# English names on purpose: calendar.month_name follows the locale.

_EXPECTED = (
    "expected a form like '1-2 October', '30 October - 1 November', 'by 30 November' or 'dates TBD'"
)


# --------------------------------------------------------------------------- tokens

_KEYWORDS = {
    "and": "and",
    "by": "by",
    "dates": "dates",
    "date": "dates",
    "location": "location",
    "tbc": "tbc",
    "tbd": "tbd",
    "am": "am",
    "pm": "pm",
    "et": "and",
    "lieu": "location",
    "du": "from",
    "au": "to",
}
_PUNCT = {",": "comma", "(": "lp", ")": "rp", ".": "dot"}
# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, bar, minus: editors
# type any of them between two days.
# French phrases are one token each, tried before single words ("au plus tard" is not the
# "au" of "du 4 au 6"), in any case, with or without accents, straight or curly apostrophe.
_TOKEN_RE = re.compile(
    r"\b(?:(?P<by>d['’]\s*ici|au\s+plus\s+tard)(?:\s+le)?"
    r"|(?P<before>avant)(?:\s+le)?"
    r"|[àa]\s+(?:(?P<tbc>confirmer)|(?P<tbd>d[ée]terminer)))\b"
    r"|(?P<num>\d+)|(?P<word>[^\W\d_]+)|(?P<dash>--?|[\u2010-\u2015\u2212])|(?P<other>\S)",
    re.IGNORECASE,
)
_PHRASES = ("by", "before", "tbc", "tbd")
# "1er" (premier): French writes the first of a month as an ordinal, and only the first.
_ORDINAL = re.compile(r"er\b|ᵉʳ")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    start: int
    text: str
    value: int = 0


def _foreign_month(word: str) -> int | None:
    # Imported here: a query over an English store reads no other word and loads nothing.
    from .month_names import foreign_month

    return foreign_month(word)


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    at = 0
    while (m := _TOKEN_RE.search(text, at)) is not None:
        at = m.end()
        phrase = next((k for k in _PHRASES if m.group(k) is not None), None)
        if phrase is not None:
            toks.append(_Tok(phrase, m.start(), m.group()))
            continue
        num, word, dash, other = m.group("num", "word", "dash", "other")
        if num is not None:
            ordinal = _ORDINAL.match(text, at)
            if ordinal is not None:
                at = ordinal.end()
                if num != "1":  # "2er" is no day
                    toks.append(_Tok("other", m.start(), num + ordinal.group()))
                    continue
            toks.append(_Tok("num", m.start(), num, int(num)))
        elif word is not None:
            low = word.lower()
            if low in MONTH_NUMBERS:
                toks.append(_Tok("month", m.start(), word, MONTH_NUMBERS[low]))
            elif low in _KEYWORDS:
                toks.append(_Tok(_KEYWORDS[low], m.start(), word))
            elif (number := _foreign_month(word)) is not None:
                toks.append(_Tok("month", m.start(), word, number))
            else:
                toks.append(_Tok("word", m.start(), word))
        elif dash is not None:
            toks.append(_Tok("dash", m.start(), dash))
        else:
            toks.append(_Tok(_PUNCT.get(other, "other"), m.start(), other))
    return toks


# --------------------------------------------------------------------------- grammar


class _Fail(Exception):
    """The text is not a date expression; the message says why ('' for the generic reason)."""


@dataclass(frozen=True, slots=True)
class _Point:
    day: int
    month: int | None
    year: int | None
    half: HalfDay | None


@dataclass(frozen=True, slots=True)
class _Form:
    kind: Literal["days", "month", "unscheduled"]
    ranges: tuple[tuple[_Point, _Point | None], ...] = ()
    deadline: bool = False
    tentative: bool = False
    month: int = 0
    year: int | None = None
    before: bool = False
    """Written "avant le": refused, for it does not say whether the day itself is in time."""


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.toks[j].kind if j < len(self.toks) else "end"

    def take(self, *kinds: str) -> _Tok | None:
        if self.peek() in kinds:
            tok = self.toks[self.i]
            self.i += 1
            return tok
        return None

    def expect(self, *kinds: str) -> _Tok:
        tok = self.take(*kinds)
        if tok is None:
            raise _Fail("")
        return tok

    def end(self) -> None:
        if self.i != len(self.toks):
            raise _Fail("")

    def parse(self) -> _Form:
        if self.peek() in ("location", "dates", "tbc", "tbd"):
            if self.take("location"):
                self.expect("and")
                self.expect("dates")
            else:
                self.take("dates")
            self.expect("tbc", "tbd")
            self.end()
            return _Form("unscheduled")
        if self.peek() == "lp" and self.peek(1) in ("dates", "tbc", "tbd"):
            self.marker()  # "Mission, Maroc (dates à confirmer)": the marker alone
            self.end()
            return _Form("unscheduled")
        before = self.take("before") is not None
        deadline = before or self.take("by") is not None
        if self.peek() == "month":
            if deadline:
                raise _Fail("a deadline needs a day, e.g. 'by 30 November'")
            month = self.expect("month").value
            year = self.year()
            marked = self.marker()
            self.end()
            # A bare month name ends many a title ("... of May"); alone it is not a date.
            if year is None and not marked:
                raise _Fail("a month alone needs a year or '(dates TBD)', e.g. 'March 2020'")
            return _Form("month", month=month, year=year)
        ranges = [self.range()]
        while True:
            if self.take("comma"):
                self.take("and")
            elif not self.take("and"):
                break
            ranges.append(self.range())
        tentative = self.marker()
        self.end()
        last = ranges[-1][1] or ranges[-1][0]
        if last.month is None:
            raise _Fail("the last day needs a month, e.g. '1-2 October'")
        if deadline and (len(ranges) > 1 or ranges[0][1] is not None):
            raise _Fail("a deadline is a single day, e.g. 'by 30 November'")
        return _Form("days", tuple(ranges), deadline=deadline, tentative=tentative, before=before)

    def range(self) -> tuple[_Point, _Point | None]:
        opened = self.take("from") is not None
        start = self.point()
        if self.take("dash", "to"):
            return start, self.point()
        if opened:
            raise _Fail("'du' needs 'au', e.g. 'du 4 au 6 novembre'")
        return start, None

    def point(self) -> _Point:
        tok = self.expect("num")
        if len(tok.text) > 2:
            raise _Fail("")
        half = self.half()
        month = year = None
        if self.peek() == "month":
            month = self.expect("month").value
            year = self.year()
        return _Point(tok.value, month, year, half)

    def year(self) -> int | None:
        if self.peek() == "num" and len(self.toks[self.i].text) == 4:
            return self.expect("num").value
        return None

    def half(self) -> HalfDay | None:
        if self.peek() == "lp" and self.peek(1) in ("am", "pm"):
            self.i += 1
            half = HalfDay(self.expect("am", "pm").text.upper())
            self.expect("rp")
            return half
        return None

    def marker(self) -> bool:
        if not self.take("lp"):
            return False
        self.take("dates")
        self.expect("tbc", "tbd")
        self.expect("rp")
        return True


def _read_form(toks: list[_Tok]) -> _Form:
    # A sentence-final full stop ("19 November 2019.") is punctuation, not part of the date.
    if toks and toks[-1].kind == "dot":
        toks = toks[:-1]
    if not toks:
        raise _Fail("")
    return _Parser(toks).parse()


# --------------------------------------------------------------------------- years


def _closest_year(day: int, month: int, context_month: str) -> int:
    """Among the heading's year and its neighbours, the year putting the day nearest the heading."""
    if month == int(context_month[5:7]):
        return int(context_month[:4])  # the heading's own month: no other year comes closer
    first, last = month_bounds(context_month)

    def distance(year: int) -> tuple[int, int]:
        # Clamped so that "31 February" still picks a year and then fails with a clear message.
        d = date(year, month, max(1, min(day, calendar.monthrange(year, month)[1])))
        gap = (first - d).days if d < first else (d - last).days if d > last else 0
        return gap, -year  # on a tie, the later year: newsletters list what is coming

    return min((first.year - 1, first.year, first.year + 1), key=distance)


def _closest_month_year(month: int, context_month: str) -> int:
    cy, cm = int(context_month[:4]), int(context_month[5:7])
    return min((cy - 1, cy, cy + 1), key=lambda y: (abs((y - cy) * 12 + month - cm), -y))


def _no_year() -> _Fail:
    return _Fail(
        "it has no year: add one, e.g. '1-2 October 2019', or give the month heading it sits under"
    )


def _ym(d: date) -> tuple[int, int]:
    return d.year, d.month


def _build(form: _Form, text: str, context_month: str | None, context_year: int | None) -> Schedule:
    if form.kind == "unscheduled":
        if context_month is None:
            raise _Fail(
                "it names no month: give the month heading it sits under, "
                "or write e.g. 'March 2020 (dates TBD)'"
            )
        return Schedule(
            precision=Precision.MONTH,
            certainty=Certainty.UNSCHEDULED,
            month=context_month,
            text=text,
            year_inferred=True,
        )
    if form.kind == "month":
        if form.year is not None:
            year = form.year
        elif context_month is not None:
            year = _closest_month_year(form.month, context_month)
        elif context_year is not None:
            year = context_year
        else:
            raise _no_year()
        return Schedule(
            precision=Precision.MONTH,
            certainty=Certainty.UNSCHEDULED,
            month=f"{year:04d}-{form.month:02d}",
            text=text,
            year_inferred=form.year is None,
        )

    if form.before:
        raise _Fail(
            "'avant le' does not say whether that day is still in time; write 'd'ici le' "
            "and the last day that is (e.g. 'd'ici le 31 janvier')"
        )
    points = [p for rng in form.ranges for p in rng if p is not None]
    # owner[i]: the point whose month (and year) point i uses: itself, or the next one with a month.
    owner = [0] * len(points)
    nxt = len(points) - 1
    for i in range(len(points) - 1, -1, -1):
        if points[i].month is not None:
            nxt = i
        owner[i] = nxt
    anchors = [i for i, p in enumerate(points) if p.month is not None]
    months = {i: points[i].month or 0 for i in anchors}
    years: dict[int, int] = {i: y for i in anchors if (y := points[i].year) is not None}
    inferred = not years
    if inferred:
        first = anchors[0]
        if context_month is not None:
            years[first] = _closest_year(points[first].day, months[first], context_month)
        elif context_year is not None:
            years[first] = context_year
        else:
            raise _no_year()
    # Reading in order, a month earlier than the one before it is in the next year
    # ("30 December - 2 January"); before an explicit year, the reverse.
    for a, b in zip(reversed(anchors[:-1]), reversed(anchors[1:]), strict=True):
        if a not in years and b in years:
            years[a] = years[b] - (1 if months[a] > months[b] else 0)
    for a, b in pairwise(anchors):
        if b not in years:
            years[b] = years[a] + (1 if months[b] < months[a] else 0)

    days: list[date] = []
    for i, p in enumerate(points):
        year, month = years[owner[i]], months[owner[i]]
        length = calendar.monthrange(year, month)[1]
        if p.day == 0:
            raise _Fail("there is no day 0")
        if p.day > length:
            raise _Fail(f"{MONTH_NAMES[month - 1]} {year} has {length} days")
        days.append(date(year, month, p.day))

    segments: list[Segment] = []
    k = 0
    for start_pt, end_pt in form.ranges:
        start = days[k]
        end = days[k + 1] if end_pt is not None else start
        k += 1 if end_pt is None else 2
        if end < start:
            raise _Fail(
                f"the range ends on {day_label(end)}, before it starts on {day_label(start)}"
            )
        end_half = end_pt.half if end_pt is not None else start_pt.half
        if start == end and start_pt.half != end_half:
            raise _Fail("a single day takes one half-day marker, e.g. '16 (AM) March'")
        if segments and start <= segments[-1].end:
            raise _Fail(
                f"the days must be in order and apart: {day_label(start)} "
                f"is not after {day_label(segments[-1].end)}"
            )
        segments.append(Segment(start=start, end=end, start_half=start_pt.half, end_half=end_half))
    first_day = segments[0].start
    return Schedule(
        segments=tuple(segments),
        precision=Precision.DAY,
        certainty=Certainty.TENTATIVE if form.tentative else Certainty.CONFIRMED,
        deadline=form.deadline,
        month=month_of(first_day),
        text=text,
        year_inferred=inferred,
    )


# --------------------------------------------------------------------------- public API

_CONTEXT_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def parse_schedule(
    text: str, *, context_month: str | None = None, context_year: int | None = None
) -> Schedule:
    """Read a newsletter date text such as ``21 – 22 and 28 - 29 October``.

    ``context_month`` (``YYYY-MM``, the heading the line sits under) or else
    ``context_year`` supplies a year the text leaves out. Raises ``ParseError``
    (field ``dates``) naming the text and what was expected.
    """
    if context_month is not None and not _CONTEXT_MONTH.fullmatch(context_month):
        raise ValueError(f"context_month must be YYYY-MM, not {context_month!r}")
    text = text.strip()
    if len(text) > MAX_SHORT:  # longer cannot be kept anyway; do not parse or cache it
        raise ParseError(
            f"is {len(text):,} characters long; at most {MAX_SHORT} are allowed", field="dates"
        )
    return _parse_cached(text, context_month, context_year)


# A store of a million rows repeats a few thousand date texts; Schedules are frozen,
# so one instance can be shared by every row that reads the same.
@lru_cache(maxsize=65536)
def _parse_cached(text: str, context_month: str | None, context_year: int | None) -> Schedule:
    try:
        form = _form_of(text)
        if isinstance(form, _Fail):
            raise _Fail(str(form))  # a new one: a raised exception keeps where it was raised
        return _build(form, text, context_month, context_year)
    except _Fail as fail:
        reason = str(fail) or _EXPECTED
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        found = re.search(r"Value error, (.*?) \[", str(exc))
        reason = found[1] if found else str(exc) or _EXPECTED
    raise ParseError(f"cannot read date {excerpt(text)}: {reason}", text=text, field="dates")


# The words of a date text are read once, whatever month it is listed under: a store repeats
# "2-3 March" under every year's March, and only placing it in a year differs.
@lru_cache(maxsize=65536)
def _form_of(text: str) -> _Form | _Fail:
    try:
        return _read_form(_tokenize(text))
    except _Fail as fail:
        return fail


def split_trailing_dates(text: str) -> tuple[str, str] | None:
    """Split ``Workshop, Ethiopia 7 October`` into ``("Workshop, Ethiopia", "7 October")``.

    Returns ``None`` when the text does not end with a date expression. The date
    text is returned as written; the head loses the separator before it.
    """
    toks = _tokenize(text)
    best: int | None = None
    best_after_separator: int | None = None
    # Scanning from the left finds the longest readable tail first.
    for i in range(len(toks)):
        if toks[i].kind not in (
            "num",
            "month",
            "by",
            "before",
            "from",
            "location",
            "dates",
            "tbc",
            "tbd",
            "lp",
        ):
            continue
        try:
            _read_form(toks[i:])
        except _Fail:
            continue
        start = toks[i].start
        if best is None:
            best = start
        # "Room 12, 7 October" must not read as "12, 7 October": a date after a comma
        # (or a dash, or at the start) is preferred to a longer one run into the text.
        before = text[:start].rstrip()
        if not before or before[-1] in ",;\u2013\u2014" or before.endswith(" -"):
            best_after_separator = start
            break
    cut = best_after_separator if best_after_separator is not None else best
    if cut is None:
        return None
    return _strip_separator(text[:cut]), text[cut:].strip()


def _strip_separator(head: str) -> str:
    while True:
        trimmed = head.rstrip(" \t,;\u2013\u2014")
        if trimmed.endswith(" -"):
            trimmed = trimmed[:-1]
        if trimmed == head:
            return head
        head = trimmed


_AS_WRITTEN_TBD = re.compile(r"(?:location and )?dates TB[CD]", re.IGNORECASE)


def _unscheduled_words(written: str) -> str:
    """The English words for another language's "dates à confirmer" or "lieu et dates à
    déterminer": rendering is English, the distinction is the officers'."""
    kinds = [tok.kind for tok in _tokenize(written) if tok.kind not in ("lp", "rp")]
    if kinds in (["dates", "tbc"], ["location", "and", "dates", "tbc"]):
        return "location and dates TBC" if kinds[0] == "location" else "dates TBC"
    if kinds == ["location", "and", "dates", "tbd"]:
        return "location and dates TBD"
    return "dates TBD"


def render_schedule(schedule: Schedule, *, with_year: bool = True) -> str:
    """Write a schedule in the newsletter's own style, e.g. ``21-22 and 28-29 October 2019``.

    ``with_year=False`` leaves every year out, for a line under a month heading;
    ``parse_schedule(..., context_month=schedule.month)`` restores them.
    """
    if schedule.precision is Precision.MONTH:
        if not with_year:
            # The newsletter line keeps the officers' words: "dates TBC" (expected soon)
            # is not "dates TBD", and "location and dates TBD" says more than either.
            written = " ".join(schedule.text.split())
            return written if _AS_WRITTEN_TBD.fullmatch(written) else _unscheduled_words(written)
        return dates_tbd(schedule.month)
    return schedule_days(schedule, with_year=with_year)


def to_edtf(schedule: Schedule) -> str:
    """The schedule as an EDTF (ISO 8601-2) string; half days have no EDTF form and are dropped."""
    if schedule.precision is Precision.MONTH:
        return f"{schedule.month}-XX"
    # "-?DD" doubts the day only; "YYYY-MM-DD?" would also doubt the year and month.
    mark = "?" if schedule.certainty is Certainty.TENTATIVE else ""

    def iso(d: date) -> str:
        return f"{d.year:04d}-{d.month:02d}-{mark}{d.day:02d}"

    segments = schedule.segments
    if schedule.deadline:
        return f"../{iso(segments[0].end)}"
    if len(segments) == 1:
        seg = segments[0]
        return iso(seg.start) if seg.start == seg.end else f"{iso(seg.start)}/{iso(seg.end)}"
    parts = (
        iso(s.start) if s.start == s.end else f"{iso(s.start)}..{iso(s.end)}" for s in segments
    )
    return "{" + ",".join(parts) + "}"
