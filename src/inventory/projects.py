"""The registry of known projects: their facts, their aliases, and name resolution.

A project's facts (duration, scope, budget, funding, participating countries,
implementing office) come from the newsletter's "Inventory of capacity building
projects" and the "basics" block of each project update. They live in a
``projects.csv`` beside the store (``data/projects.csv`` in a checkout); a store with
none beside it uses the built-in copy in the package.

Pure functions and pydantic models; no I/O beyond reading a projects.csv. What the store
holds about each project (its activities, countries reached) is ``project_summary``.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from .errors import ParseError, StoreError, UsageError, excerpt
from .folding import project_key
from .model import MAX_SHORT, Activity, Schedule, YearMonth, cleaned
from .months import MONTH_NUMBERS, month_bounds, month_name
from .vocab import LIST_SEPARATOR

__all__ = [
    "PROJECT_COLUMNS",
    "Project",
    "Registry",
    "load_registry",
    "outside_duration",
    "parse_budget",
    "parse_duration",
    "read_project_inventory",
]

PROJECT_COLUMNS = (
    "name", "aliases", "kind", "start", "end", "scope", "budget_amount", "budget_currency",
    "funding", "countries", "implementation", "notes",
)  # fmt: skip
"""The columns of projects.csv, in the order they are written."""


NonEmpty = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), cleaned("name", MAX_SHORT)
]
# The facts are shown by 'projects show' and written to CSV and Markdown: the same gate as an
# activity's text (no terminal escapes, no bidi overrides, a length cap).
MAX_FACT = 2000
Words = Annotated[str, cleaned("text", MAX_FACT)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class Project(BaseModel):
    """One row of projects.csv: what the newsletter says about a project (or committee)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: NonEmpty
    aliases: tuple[NonEmpty, ...] = ()
    """Other spellings accepted wherever a project is typed or imported."""
    kind: Literal["project", "committee"] = "project"
    start: YearMonth | None = None
    """First month of the project's duration, ``YYYY-MM``."""
    end: YearMonth | None = None
    """Last month of the project's duration, ``YYYY-MM``; empty while not announced."""
    scope: Words | None = None
    """Geographical scope as the newsletter words it, e.g. ``Eastern Partnership region``."""
    budget_amount: Annotated[Decimal, Field(ge=0)] | None = None
    """In units of ``budget_currency``: ``EUR 13.5 million`` is 13500000."""
    budget_currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    funding: Words | None = None
    countries: tuple[CountryCode, ...] = ()
    """Participating countries, ISO 3166-1 alpha-2 codes (``XK`` for Kosovo)."""
    implementation: Words | None = None
    """The implementing office(s)."""
    notes: Words | None = None

    @model_validator(mode="after")
    def _check(self) -> Project:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if (self.budget_amount is None) != (self.budget_currency is None):
            raise ValueError("budget_amount and budget_currency go together: give both or neither")
        if len(set(self.countries)) != len(self.countries):
            raise ValueError("a participating country is listed twice")
        return self

    @property
    def first_day(self) -> date | None:
        return month_bounds(self.start)[0] if self.start else None

    @property
    def last_day(self) -> date | None:
        return month_bounds(self.end)[1] if self.end else None

    @property
    def duration(self) -> str:
        """``March 2016 – February 2021``, as the newsletter writes it; ``''`` if unknown."""
        if not self.start and not self.end:
            return ""
        first = month_name(self.start) if self.start else "?"
        last = month_name(self.end) if self.end else "…"
        return f"{first} – {last}"

    @property
    def budget(self) -> str:
        """``EUR 13,500,000``; ``''`` if unknown."""
        if self.budget_amount is None:
            return ""
        amount = self.budget_amount
        number = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,}"
        return f"{self.budget_currency} {number}"

    def outside(self, schedule: Schedule) -> str | None:
        """Why ``schedule`` falls outside this project's duration, or None if it does not.

        Uses the earliest and latest possible day, so a "dates TBD" month counts whole.
        """
        first, last = self.first_day, self.last_day
        if first is not None and schedule.end < first:
            how = "is before {} began"
        elif last is not None and schedule.start > last:
            how = "is after {} ended"
        elif first is not None and schedule.start < first:
            how = "starts before {} began"
        elif last is not None and schedule.end > last:
            how = "ends after {} ended"
        else:
            return None  # said without writing the dates out (an import asks for every row)
        return f"{_when(schedule)} {how.format(self.name)} ({self.duration})"


def _when(schedule: Schedule) -> str:
    from .dates import render_schedule

    return render_schedule(schedule)


_FOUND_KEPT = 4096
"""Names :meth:`Registry.find` keeps: a registry knows a few dozen, an input may misspell
them a few ways; more is a hostile input, answered without keeping."""


@dataclass
class Registry:
    projects: list[Project]
    _index: dict[str, Project] = field(init=False, repr=False)
    source: str = ""
    """Where the projects were read from, for messages."""

    _found: dict[str, Project | None] = field(init=False, repr=False)
    """Names as written, each folded once: an import asks for every project of every row."""

    def __post_init__(self) -> None:
        self._index = {}
        self._found = {}
        for project in self.projects:
            for name in (project.name, *project.aliases):
                self._index[project_key(name)] = project

    def find(self, name: str) -> Project | None:
        """The project a name or alias refers to, case-insensitively."""
        try:
            return self._found[name]
        except KeyError:
            found = self._index.get(project_key(name))
            if len(self._found) < _FOUND_KEPT:
                self._found[name] = found
            return found

    def canonical(self, name: str) -> str:
        """The canonical name, or the name as written when it is not known."""
        project = self.find(name)
        return project.name if project else name.strip()

    def resolve(self, name: str) -> Project:
        """For command-line values: an unknown name is a usage error with a suggestion."""
        project = self.find(name)
        if project is not None:
            return project
        names = [p.name for p in self.projects]
        candidates = {project_key(n): p.name for p in self.projects for n in (p.name, *p.aliases)}
        close = difflib.get_close_matches(project_key(name), list(candidates), n=3, cutoff=0.5)
        hint = ", ".join(dict.fromkeys(candidates[c] for c in close)) or ", ".join(names)
        shown = excerpt(name.strip())
        raise UsageError(
            f"unknown project {shown}: did you mean {hint}?"
            if close
            else f"unknown project {shown}: expected one of {hint}"
        )

    def split(self, column: str) -> list[str]:
        """Split a newsletter project column: commas, spaces or a trailing comma."""
        words = [w for w in column.replace(",", " ").split() if w]
        out: list[str] = []
        i = 0
        while i < len(words):
            # Prefer a two-word alias ("iPROCEEDS 2") over two one-word names.
            pair = " ".join(words[i : i + 2])
            if i + 1 < len(words) and self.find(pair) is not None:
                out.append(pair)
                i += 2
            else:
                out.append(words[i])
                i += 1
        return out


# --- reading projects.csv ------------------------------------------------------------


def _cell(row: dict[str, str | None], column: str) -> str:
    return (row.get(column) or "").strip()


def _list(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())


def project_from_row(row: dict[str, str | None]) -> Project:
    """Validate one projects.csv row; `ParseError` names the column at fault."""
    data: dict[str, Any] = {}
    for column in PROJECT_COLUMNS:
        value = _cell(row, column)
        if column in ("aliases", "countries"):
            items = _list(value)
            data[column] = tuple(c.upper() for c in items) if column == "countries" else items
        elif value:
            data[column] = value
    try:
        return Project.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if not isinstance(p, int)) or None
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "string_pattern_mismatch":
            expected = {
                "start": "YYYY-MM, e.g. 2016-03",
                "end": "YYYY-MM, e.g. 2021-02",
                "countries": "ISO codes separated by ';', e.g. GE;MD;UA",
                "budget_currency": "a three-letter ISO 4217 code, e.g. EUR",
            }.get(where or "", "")
            message = f"{first['input']!r} is not of the expected form {expected}".rstrip()
        raise ParseError(message, field=where) from None


def _read(text: str, source: str) -> Registry:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "name" not in [f.strip() for f in reader.fieldnames]:
        raise StoreError(
            f"missing column 'name'; expected the columns {', '.join(PROJECT_COLUMNS)}",
            source=source,
            line=1,
        )
    reader.fieldnames = [f.strip() for f in reader.fieldnames]
    projects: list[Project] = []
    owner: dict[str, tuple[str, int]] = {}
    for line, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if not _cell(row, "name"):
            raise StoreError("a project needs a name", source=source, line=line, field="name")
        try:
            project = project_from_row(row)
        except ParseError as error:
            raise StoreError(error.message, source=source, line=line, field=error.field) from None
        for spelling in (project.name, *project.aliases):
            key = project_key(spelling)
            if key in owner and owner[key][0] != project.name:
                first_name, first_line = owner[key]
                raise StoreError(
                    f"'{spelling}' already names {first_name} (line {first_line}); "
                    "a name or alias must point to one project",
                    source=source,
                    line=line,
                    field="aliases",
                )
            owner[key] = (project.name, line)
        projects.append(project)
    return Registry(projects, source=source)


def builtin_text() -> str:
    return resources.files("inventory").joinpath("_data/projects.csv").read_text(encoding="utf-8")


def load_registry(path: Path | None = None) -> Registry:
    """The projects of ``path`` (a projects.csv beside the store) or the built-in list.
    Read each time (a few kB), parsed once per content: an edit of the file is seen at once."""
    from .textio import read_plain_file

    data = read_plain_file(path) if path is not None else None
    if path is None or data is None:
        return _parse(builtin_text(), "built-in projects")
    try:
        return _parse(data.decode("utf-8-sig"), str(path))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise StoreError(
            f"not UTF-8 (byte 0x{data[error.start]:02x} at line {line}); expected a UTF-8 file",
            source=str(path),
            line=line,
            hint="save it as 'CSV UTF-8' in the spreadsheet, or convert it with iconv",
        ) from None


@lru_cache(maxsize=8)
def _parse(text: str, source: str) -> Registry:
    return _read(text, source)


# --- the newsletter's "Inventory of capacity building projects" ---------------------


_BUDGET = re.compile(
    r"^(?:budget\s*:\s*)*(?P<currency>[A-Z]{3}|€)\s*:?\s*(?P<number>\d[\d,]*(?:\.\d+)?)"
    r"\s*(?P<scale>million|mio|m|thousand|k)?\.?$",
    re.IGNORECASE,
)
_SCALES = {"million": 10**6, "mio": 10**6, "m": 10**6, "thousand": 10**3, "k": 10**3}


def parse_budget(text: str) -> tuple[Decimal, str]:
    """``EUR 13.5 million`` -> (13500000, "EUR"); also ``EUR 849,041`` and ``EUR: 5.56 Million``.

    A comma is read only as a thousands separator (``849,041``); ``5,56`` is refused
    rather than guessed.
    """
    match = _BUDGET.match(" ".join(text.split()))
    if match is None:
        raise ParseError(
            f"unreadable budget {text!r}; expected a currency and an amount, "
            "e.g. 'EUR 13.5 million' or 'EUR 849,041'",
            text=text,
            field="budget",
        )
    number = match["number"]
    if "," in number:
        if not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", number):
            raise ParseError(
                f"ambiguous amount {number!r} in {text!r}; a comma must separate thousands",
                text=text,
                field="budget",
            )
        number = number.replace(",", "")
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise ParseError(f"unreadable amount {number!r}", text=text, field="budget") from None
    if match["scale"]:
        amount *= _SCALES[match["scale"].lower()]
    currency = "EUR" if match["currency"] == "€" else match["currency"].upper()
    # 13.5 million is exactly 13500000: drop the exponent the multiplication left.
    amount = amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount
    return amount, currency


_DURATION = re.compile(
    r"^(?P<m1>[^\W\d_]+)\s+(?P<y1>\d{4})\s*[-\u2010-\u2015\u2212]\s*(?P<m2>[^\W\d_]+)\s+(?P<y2>\d{4})$"
)


def parse_duration(text: str) -> tuple[str, str]:
    """``March 2016 – February 2021`` -> (``2016-03``, ``2021-02``)."""
    match = _DURATION.match(" ".join(text.split()))
    months = [m.lower() for m in (match["m1"], match["m2"])] if match else []
    if match is None or any(m not in MONTH_NUMBERS for m in months):
        raise ParseError(
            f"unreadable duration {text!r}; expected 'Month YYYY – Month YYYY', "
            "e.g. 'March 2016 – February 2021'",
            text=text,
            field="duration",
        )
    start = f"{match['y1']}-{MONTH_NUMBERS[months[0]]:02d}"
    end = f"{match['y2']}-{MONTH_NUMBERS[months[1]]:02d}"
    if end < start:
        raise ParseError(f"duration {text!r} ends before it starts", text=text, field="duration")
    return start, end


_SECTION_TITLE = "inventory of capacity building projects"
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_FIELDS = {
    "duration": "duration",
    "geographical scope": "scope",
    "budget": "budget",
    "funding": "funding",
}
_LONGEST_NAME = 8
"""Words in a project's name line; a longer line without a field is prose."""


def read_project_inventory(text: str, registry: Registry | None = None) -> list[Project]:
    """The projects of a newsletter's "Inventory of capacity building projects" section.

    Each project is its name on a line of its own, then ``Duration:``, ``Geographical
    scope:``, ``Budget:`` and ``Funding:`` lines. Names are made canonical with
    ``registry`` when given; Markdown links keep their text.
    """
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip().casefold() == _SECTION_TITLE]
    if not starts:
        raise ParseError("no 'Inventory of capacity building projects' section")
    entries: list[dict[str, Any]] = []
    for number, raw in enumerate(lines[starts[0] + 1 :], start=starts[0] + 2):
        line = _LINK.sub(r"\1", " ".join(raw.split()))
        if not line:
            continue
        label, sep, value = line.partition(":")
        name = _FIELDS.get(label.strip().casefold()) if sep else None
        if name is None:
            if sep or len(line.split()) > _LONGEST_NAME:
                break  # prose: the section is over (the newsletter's closing disclaimer)
            entries.append({"name": registry.canonical(line) if registry else line})
            continue
        if not entries:
            raise ParseError(f"{label.strip()} before any project name", line=number)
        value = value.strip()
        if name == "duration":
            entries[-1]["start"], entries[-1]["end"] = parse_duration(value)
        elif name == "budget":
            entries[-1]["budget_amount"], entries[-1]["budget_currency"] = parse_budget(value)
        else:
            entries[-1][name] = value
    return [Project.model_validate(entry) for entry in entries]


# --- projects and the activities of a store -------------------------------------------


def outside_duration(activity: Activity, registry: Registry) -> list[str]:
    """One message per project of ``activity`` whose duration the activity falls outside.

    Projects the registry does not know, or whose duration is not known, say nothing.
    """
    out: list[str] = []
    for name in activity.projects:
        project = registry.find(name)
        if project is None:
            continue
        message = project.outside(activity.schedule)
        if message is not None:
            out.append(message)
    return out
