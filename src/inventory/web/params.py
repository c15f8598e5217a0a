"""A request's query string read as the filters of ``list``, or refused with one line.

The names are the form's (``from``/``to``, ``text`` for ``--search``); a parameter given
empty counts as not given, because a form sends every field, filled or not. What is not a
filter, a value too long or with control characters, or too many values, is refused before
anything is asked of the store: a URL is typed by anybody."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..errors import UsageError
from ..filters import Filters, invalid
from ..sanitise import FORBIDDEN, describe_char
from ..vocab import Certainty, Status

NAMES: Mapping[str, str] = MappingProxyType(
    {
        "project": "project",
        "month": "month",
        "quarter": "quarter",
        "year": "year",
        "start": "from",
        "end": "to",
        "country": "country",
        "city": "city",
        "search": "text",
        "certainty": "certainty",
        "deadlines": "deadlines",
        "status": "status",
        "limit": "limit",
    }
)
"""Each filter's name in a URL, by its :class:`~inventory.filters.Filters` field."""

FIELDS = {name: field for field, name in NAMES.items()}
REPEATABLE = frozenset({"project", "country", "certainty", "status"})
MAX_VALUE = 200
"""Characters in one value: a title word or a project name is far shorter."""
MAX_VALUES = 20
MAX_QUERY = 4096
MAX_LIMIT = 1_000_000
YES = {"1", "true", "yes", "on"}
NO = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Asked:
    """What a request asked: the filters, and the other parameters its page takes."""

    filters: Filters
    extra: dict[str, str]


def read_query(
    pairs: Sequence[tuple[str, str]],
    raw: str,
    allowed: Sequence[str] = (),
    *,
    only: Sequence[str] = (),
) -> Asked:
    """The filters of ``pairs`` (a request's query string, in order); ``allowed`` names the
    page's own parameters (``sort``, ``page``); ``only`` narrows the filters a page takes."""
    if len(raw) > MAX_QUERY:
        raise UsageError(f"the query string is {len(raw)} characters; expected at most {MAX_QUERY}")
    takes = set(only or FIELDS)
    given: dict[str, list[str]] = {}
    extra: dict[str, str] = {}
    for name, value in pairs:
        _check_text(name, value)
        if name in allowed:
            if name in extra:
                raise UsageError(f"{name} is given twice; expected it once")
            if value.strip():
                extra[name] = value.strip()
            continue
        if name not in takes:
            expected = ", ".join([*sorted(takes, key=list(FIELDS).index), *allowed])
            raise UsageError(f"unknown parameter {name!r}; expected one of {expected}")
        if not value.strip():
            continue
        values = given.setdefault(name, [])
        values.append(value)
        if len(values) > 1 and name not in REPEATABLE:
            raise UsageError(f"{name} is given {len(values)} times; expected it once")
        if len(values) > MAX_VALUES:
            raise UsageError(f"{name} is given more than {MAX_VALUES} times")
    return Asked(_filters(given), extra)


def _check_text(name: str, value: str) -> None:
    for text, what in ((name, "a parameter name"), (value, f"the value of {name[:40]!r}")):
        if len(text) > MAX_VALUE:
            raise UsageError(f"{what} is {len(text)} characters; expected at most {MAX_VALUE}")
        bad = FORBIDDEN.search(text)
        if bad is not None:
            raise UsageError(f"{what} holds {describe_char(bad.group())}; expected printable text")


def _filters(given: dict[str, list[str]]) -> Filters:
    def one(name: str) -> str | None:
        return given[name][0] if name in given else None

    def choices(name: str, kind: type[Certainty] | type[Status]) -> list[Any] | None:
        if name not in given:
            return None
        known = [member.value for member in kind]
        out = []
        for value in given[name]:
            key = value.strip().casefold()
            if key not in known:
                raise invalid(name, f"{value!r}; expected one of {', '.join(known)}")
            out.append(kind(key))
        return out

    deadlines = None
    if "deadlines" in given:
        word = given["deadlines"][0].strip().casefold()
        if word not in YES | NO:
            raise invalid("deadlines", f"{given['deadlines'][0]!r}; expected yes or no")
        deadlines = word in YES
    limit = None
    if "limit" in given:
        text = given["limit"][0].strip()
        if not text.isdigit() or int(text) > MAX_LIMIT:
            raise invalid("limit", f"{text!r}; expected a whole number up to {MAX_LIMIT}")
        limit = int(text)
    return Filters(
        project=given.get("project"),
        month=one("month"),
        quarter=one("quarter"),
        year=one("year"),
        start=one("from"),
        end=one("to"),
        country=given.get("country"),
        city=one("city"),
        search=one("text"),
        certainty=choices("certainty", Certainty),
        deadlines=deadlines,
        status=choices("status", Status),
        limit=limit,
        spelling=NAMES,
    )


def query_of(filters: Filters, **extra: str | None) -> list[tuple[str, str]]:
    """The query string that asks for ``filters`` again (for links: subscribe, sort)."""
    out: list[tuple[str, str]] = []
    for field, name in NAMES.items():
        value = getattr(filters, field)
        if value is None:
            continue
        if isinstance(value, bool):
            out.append((name, "yes" if value else "no"))
        elif isinstance(value, list):
            out += [(name, str(getattr(v, "value", v))) for v in value]
        else:
            out.append((name, str(value)))
    out += [(k, v) for k, v in extra.items() if v]
    return out
