"""The newsletter's tables, understood: :class:`~.readers.Text` and :class:`~.readers.Row`
events (from any document reader) in, activities out.

What a line is, whatever the document it came from::

    Inventory of activities (October- December 2019)    a section: its lines were held
    Coming next (January - March 2020)                  a section: its lines are planned
    OCTOBER 2019                                        a month heading: the year of the lines
    GLACY+<TAB>Title, City, Country, 1-2 October        an activity (a table row, or a tab)
    • GLACY+ Title, City, Country, 1-2 October          the same, pasted from a PDF or Word

A document that has section titles is read only inside them (the highlights, articles,
fact boxes and save-the-date bullets around them are not activities); a document without
any (a table pasted on its own) is read whole.

Tolerant reading, strict results: bullets and numbering are stripped; a known project name
(or several) at the start of a line is recognised with or without a tab; a line that only
continues an unfinished one (no project, and the previous line has no dates yet) is joined
to it; a cell of several lines is one cell. But a line that cannot be fully understood (no
dates at its end, two date texts, a day that does not exist, no project where one is
expected) is an error with its line and the reason, never a guess.

Text without a column (copied from a PDF viewer, pasted from Word), line by line:

- **Project names** are the registry's or the store's, matched longest first ("iPROCEEDS 2"
  before "iPROCEEDS"), separated by commas or spaces. A name already taken ends the list
  ("GLACY+ GLACY+ Steering Committee": the title starts with the second). A name written as
  ordinary words (letters only, each word capitalised at most on its first letter: the alias
  "Octopus", "Cyber East") joins the list only at the start of the line or after a comma:
  after a name and a space alone it is the title's first word ("EndOCSEA@Europe Octopus
  Conference" is EndOCSEA@Europe's "Octopus Conference"). Nor does such a name start a
  line that continues one with no dates yet, or that follows a project cell: there it is
  a word of the title.
- **A cell a line** (Word's table saved as text): a line of project names alone, not
  ending with a comma, is a project cell; more such lines add to it, and the next line that
  is not names alone is its activity, read whole ("GLACY+" / "GLACY+ Steering Committee, …"
  is GLACY+'s "GLACY+ Steering Committee"). Ending with a comma, the list goes on.
- **Continuations are joined before a line is judged.** A line with no project goes on the
  line before it when that one has no dates yet, or when all of it belongs to the dates of
  the two read together: a wrapped "(dates TBC)", "2019." or "November" (even "November
  2019", which alone would be a month heading, when it gives that line its dates). A line
  that starts
  with a project name (not an ordinary word) after a line with no dates yet may begin an
  activity or continue the title: both are refused, neither is guessed. So ``--skip-bad``
  skips or keeps a whole line, never the part before a wrap.
- **A hyphen at the end of a line** is decided by the document's own words: the word is
  joined ("magis-" / "trates": "magistrates") when the document writes it joined and never
  hyphenated, kept ("future-" / "proof": "future-proof") when the document writes it
  hyphenated and never joined, and kept as written with a warning naming it otherwise.
- **A header** ("Project(s)", "Activity") on lines of its own is skipped, unless it could
  be the end of an unfinished line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from pydantic import ValidationError

from ..dates import parse_schedule, split_trailing_dates
from ..errors import ParseError, Problem
from ..folding import fold
from ..ids import derive_id
from ..model import Activity, Place, Precision, Schedule
from ..month_names import month_number
from ..months import month_bounds, month_label
from ..places import split_place, unknown_country
from ..records import model_error
from ..vocab import Status
from . import (
    MAX_LINE,
    Context,
    Event,
    Incoming,
    Overlong,
    Reading,
    Row,
    Section,
    Text,
    events_problem,
)

MODALITIES = ("Desk Study", "Online", "Virtual", "Webinar", "Hybrid")

# A month in English or French ("OCTOBER 2019", "DÉCEMBRE 2019", "Février 2020"): any word
# here, then month_number says whether it names a month.
_HEADING = re.compile(r"^([^\W\d_]+)\s+(\d{4})\s*:?$")
_SECTION = re.compile(
    r"^(?P<kind>inventory of activities|coming next|inventaire des activit[ée]s|prochainement"
    r"|[àa] venir)\b\s*(?:\((?P<period>[^)]*)\))?",
    re.IGNORECASE,
)
# "Prochainement, nous ..." and "À venir : ..." open sentences too: as titles, those two are
# alone on their line or followed by their period only.
_SENTENCE_LIKE = ("prochainement", "a venir")
# Titles of the newsletter's other parts: a table ends where one of them begins.
_OTHER_PART = re.compile(
    r"^(inventory of capacity building projects|update\s*:|highlights\b|save the dates?\b|"
    r"stay connected\b|inventaire des projets\b|mise [àa] jour\s*:|faits marquants\b|"
    r"[àa] retenir\b|restez connect[ée]s\b)",
    re.IGNORECASE,
)
# A cell's line broken after the hyphen of a word: "future-" / "proof".
_WRAPPED_AT_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[^\W\d_])")
_PERIOD_MONTH = re.compile(r"([^\W\d_]+)(?:\s+(\d{4}))?")
# Bullets and numbering a Word or PDF copy puts before a line: "•", "▪", "-", "*", "1.", "2)".
_BULLET = re.compile(r"^\s*(?:[•▪◦‣∙·●○■□►▸➢✓*\-–—]+|\(?\d{1,2}[.)])\s+")
# A name a title could begin with: "Octopus", "Cyber East" (not "GLACY+", "CyberSouth").
_ORDINARY = re.compile(r"[A-Z]?[a-z]+(?: [A-Z]?[a-z]+)*")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_MARKDOWN_EMPHASIS = re.compile(r"^[#>\s]*[*_]*(.*?)[*_]*\s*$")
HEADER_WORDS = frozenset(
    {"project", "projects", "project(s)", "activity", "activities", "title", "dates", "date"}
)
_TYPOGRAPHY = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "’": "'", "‘": "'",
                             "“": '"', "”": '"'})  # fmt: skip


def normalise(text: str) -> str:
    """``text`` for recognising its parts: non-breaking and thin spaces as spaces, curly
    quotes as straight ones, runs of spaces as one. The text as written is what is kept."""
    return " ".join(text.translate(_TYPOGRAPHY).split())


def heading_month(text: str) -> str | None:
    """``YYYY-MM`` for a month heading such as ``OCTOBER 2019`` (also ``### October 2019``
    or ``**OCTOBER 2019**``), else None."""
    match = _HEADING.match(_bare(text))
    month = month_number(match.group(1)) if match else None
    if match is None or month is None:
        return None
    return f"{match.group(2)}-{month:02d}"


def _bare(text: str) -> str:
    """A line without its Markdown heading marks and emphasis."""
    found = _MARKDOWN_EMPHASIS.match(normalise(text))
    return found.group(1).strip() if found else ""


def section_of(text: str) -> Section | None:
    """The section a title opens ("Inventory of activities (October- December 2019)")."""
    bare = _bare(text)
    match = _SECTION.match(bare)
    if match is None:
        return None
    # "Coming next" must be a title, not the start of a sentence about what comes next.
    if len(bare) > 80:
        return None
    kind = fold(match["kind"])
    if kind in _SENTENCE_LIKE and bare[match.end() :].strip(" :"):
        return None
    return Section(bare, kind.startswith("invent"), _period(match["period"]))


def _period(text: str | None) -> tuple[str, str] | None:
    """``("2019-10", "2019-12")`` for "October- December 2019"."""
    if not text:
        return None
    found = [(month, y) for m, y in _PERIOD_MONTH.findall(text) if (month := month_number(m))]
    if not found:
        return None
    years = [int(y) for _, y in found if y]
    if not years:
        return None
    last_year = years[-1]
    months = [m for m, _ in found]
    first_year = int(found[0][1]) if found[0][1] else last_year - (months[0] > months[-1])
    return f"{first_year}-{months[0]:02d}", f"{last_year}-{months[-1]:02d}"


def strip_bullet(text: str) -> str:
    return _BULLET.sub("", text, count=1)


def leading_projects(
    text: str, context: Context, *, continuing: bool = False
) -> tuple[list[str], str]:
    """The known project names at the start of ``text`` (separated by commas or spaces),
    longest first, and the rest. A name already taken ends the list: in "GLACY+ GLACY+
    Steering Committee" the second one begins the title. A name written as ordinary words
    ("Octopus") is one only at the start (not of a line ``continuing`` an unfinished one) or
    after a comma (see the module's docstring)."""
    words = list(re.finditer(r"[^\s,;]+", text))
    longest = _longest_name(context)
    names: list[str] = []
    end = 0
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            chunk = words[i : i + size]
            if any(text[a.end() : b.start()].strip() for a, b in pairwise(chunk)):
                continue
            written = " ".join(w.group() for w in chunk)
            name = _known(written, context)
            if name is not None:
                break
        else:
            break
        if name in names:
            break
        if _ORDINARY.fullmatch(written) and (
            continuing if i == 0 else "," not in text[words[i - 1].end() : chunk[0].start()]
        ):
            break
        names.append(name)
        end = chunk[-1].end()
        i += size
    if not names:
        return [], text
    return names, text[end:].lstrip(" \t\u00a0,;:–—-")


def _longest_name(context: Context) -> int:
    """Words in the longest name or alias a line may start with."""
    spellings = [n for p in context.registry.projects for n in (p.name, *p.aliases)]
    return max((len(n.split()) for n in [*spellings, *context.known_projects]), default=1)


def cell_projects(cell: str, context: Context) -> list[str]:
    """The project names of a project cell, its wrapped lines joined first: a narrow cell
    breaks a name inside a word ("Cybercrim" / "e@Octopu" / "s") or at its space
    ("iPROCEEDS" / "2"). Pieces whose concatenation, without or with a space at each line
    break, is a known name are one name, the longest such run first; any other piece is a
    name as written. A comma always separates two names."""
    text = "\n".join(normalise(line) for line in cell.splitlines())
    words = list(re.finditer(r"[^\s,]+", strip_bullet(text.strip())))
    pieces: list[tuple[str, str]] = []
    """Each piece and what comes before it: "," (a comma), "\n" (a line break) or " "."""
    for before, word in zip([None, *words], words, strict=False):
        gap = word.string[before.end() : word.start()] if before is not None else ","
        pieces.append((word.group(), "," if "," in gap else "\n" if "\n" in gap else " "))
    names: list[str] = []
    i = 0
    while i < len(pieces):
        end = i + 1
        while end < len(pieces) and end - i < _LONGEST_NAME and pieces[end][1] != ",":
            end += 1
        for stop in range(end, i, -1):
            found = _spelt(pieces[i:stop], context) if stop > i + 1 else None
            if found is not None or stop == i + 1:
                names.append(found or pieces[i][0])
                i = stop
                break
    return names


_LONGEST_NAME = 7
"""Pieces a name may be broken into (the longest alias has seven words)."""


def _spelt(run: list[tuple[str, str]], context: Context) -> str | None:
    """The name ``run`` spells if it is a known one, a line break read as nothing or as a
    space (a cell wraps inside a word or at a space)."""
    texts = [run[0][0]]
    for word, before in run[1:]:
        texts = [t + j + word for t in texts for j in (("", " ") if before == "\n" else (" ",))]
    return next((t for t in texts if _known(t, context) is not None), None)


def _known(name: str, context: Context) -> str | None:
    project = context.registry.find(name)
    if project is not None:
        return project.name
    return name if name in context.known_projects else None


@dataclass
class _Line:
    """An activity line being read: its project column and its text, maybe over lines."""

    projects: list[str]
    column: bool
    """The projects came from a column (a tab or a table cell), as written."""
    body: str
    event: Event
    unknown: list[str] = field(default_factory=list)
    doubt: str | None = None
    """Why the line is refused whatever it says: it may be the rest of the one before."""

    def complete(self) -> bool:
        return split_trailing_dates(normalise(self.body)) is not None


class _Interpreter:
    def __init__(self, context: Context, source: str) -> None:
        self.context = context
        self.source = source
        self.reading = Reading()
        self.section: Section | None = None
        self.table_rows = 0
        self.month: str | None = None
        self.pending: _Line | None = None
        self.waiting: list[str] = []
        """Project names on lines of their own, waiting for the line they belong to."""
        self.waiting_event: Event | None = None
        self.taken: set[str] = set()
        self.between: list[Text] = []
        """Text met after a table of the section, not yet known to be between two tables."""
        self.words: Counter[str] = Counter()
        """The document's words (casefolded, hyphenated ones whole): what decides a hyphen
        at the end of a line."""
        self.doubt: str | None = None
        """The doubt of the next line to begin (see :attr:`_Line.doubt`)."""
        self.cell_above = False
        """The last line was project names alone, not ending with a comma: a project cell
        whose activity cell is the next line that is not names alone, read whole."""

    # --- messages ---

    def problem(self, event: Event, message: str, severity: str = "error",
                fld: str | None = None) -> None:  # fmt: skip
        self.reading.problems.append(events_problem(event, self.source, message, severity, fld))

    # --- the walk ---

    def run(self, events: Iterable[Event]) -> Reading:
        listed = list(events)
        for event in listed:
            if not isinstance(event, Overlong):
                self.words.update(w.casefold() for w in _WORD.findall(_text_of(event)))
        document = any(
            section_of(_text_of(e)) is not None for e in listed if not isinstance(e, Overlong)
        )
        for event in listed:
            self.step(event, document)
        self.flush()
        if self.reading.items == [] and not self.reading.errors:
            self.reading.problems.append(
                Problem(
                    "no activity lines found; expected the newsletter's tables "
                    "(a month heading such as 'OCTOBER 2019', then 'PROJECT<TAB>Title, "
                    "Place, dates' lines)",
                    None,
                    None,
                    "warning",
                    self.source,
                )
            )
        return self.reading

    def step(self, event: Event, document: bool) -> None:
        if isinstance(event, Overlong):
            self.flush()
            if not document or self.section is not None:
                self.problem(
                    event,
                    f"the line is {event.length:,} characters long; at most {MAX_LINE:,} are "
                    "read (a title has at most 1,000)",
                )
            return
        text = _text_of(event)
        plain = normalise(text)
        if not plain:
            self.flush()
            return
        section = section_of(plain)
        if section is not None:
            self.flush()
            self.section, self.table_rows, self.month, self.between = section, 0, None, []
            self.reading.sections.append(section)
            return
        if document:
            if self.section is None:
                return
            if _OTHER_PART.match(_bare(plain)):
                self.flush()
                self.section, self.between = None, []
                return
            if (
                isinstance(event, Text)
                and self.table_rows
                and heading_month(plain) is None
                and not self.goes_on(plain)
            ):
                # Text after a table: a caption or a note between two tables, or the prose
                # after the last one. Held back (a row cut by a page break may go on after
                # it): said when another table or month follows, let go when none does.
                self.between.append(event)
                return
        self.say_between()
        month = heading_month(plain)
        if month is not None and isinstance(event, Text) and self.ends_pending(event.text):
            self.join(event.text.strip())  # "… Strasbourg, 18" / "November 2019"
            return
        if month is not None:
            self.flush()
            self.month = month
            return
        if isinstance(event, Row) and event.table:
            self.table_rows += 1
        cells = [c for c in event.cells] if isinstance(event, Row) else [text]
        while len(cells) > 1 and not cells[-1].strip():
            cells.pop()
        if len(cells) > 1 and {_header_word(c) for c in cells if c.strip()} <= HEADER_WORDS:
            return  # a table's header row, a cell maybe over two lines ("Project⏎(s)")
        if len(cells) > 1:
            self.row(event, cells)
        else:
            self.text(event, cells[0])

    def goes_on(self, plain: str) -> bool:
        """Whether text after a table still belongs to it: a row a page break cut out of its
        table (it starts with a project name), or the rest of such a row (no dates yet, or
        a wrapped "(dates TBC)")."""
        if self.pending is not None and self.goes_on_pending(plain):
            return True
        names, _ = leading_projects(strip_bullet(plain), self.context)
        return bool(names)

    def say_between(self) -> None:
        """Text between two tables of a section is not read as an activity, and said so: a
        line written as a paragraph there would otherwise be lost without a word."""
        for event in self.between:
            self.problem(
                event,
                "text between the tables, not read as an activity: "
                + _excerpt(normalise(_text_of(event))),
                "warning",
            )
        self.between = []

    def row(self, event: Event, cells: list[str]) -> None:
        """A line whose project column is known: a table row, or a tab."""
        column = strip_bullet(normalise(cells[0]))
        filled = [c.strip() for c in cells[1:] if c.strip()]
        filled = [_WRAPPED_AT_HYPHEN.sub("-", c) for c in filled]
        body = filled[0] if len(filled) == 1 else ", ".join(c.rstrip(",") for c in filled)
        if not column and self.pending is not None and self.goes_on_pending(body):
            self.join(body)
            return
        self.flush(keep_waiting=True)
        names = cell_projects(cells[0], self.context) if column else []
        unknown = [n for n in names if _known(n, self.context) is None]
        canonical = [self.context.registry.canonical(n) for n in names]
        if not body:
            self.wait(event, canonical)
            return
        self.pending = _Line(self.take_waiting(canonical), True, body, event, unknown)

    def text(self, event: Event, raw: str) -> None:
        """A line with no column: pasted from a PDF or Word, or a table cell of one line."""
        line = strip_bullet(raw).strip()
        unfinished = self.pending is not None and not self.pending.complete()
        if not unfinished and _header_word(line) in HEADER_WORDS:
            return  # a table's header, a cell a line ("Project(s)", then "Activity")
        names, rest = leading_projects(line, self.context, continuing=unfinished or self.cell_above)
        if names and rest and self.cell_above:
            names, rest = [], line  # the activity cell under its project cell, read whole
        # A continuation is joined as written: its "– 25 October" is no bullet.
        if not names and self.pending is not None and self.goes_on_pending(raw.strip()):
            self.join(raw.strip())
            return
        if names and unfinished and self.pending is not None and self.pending.projects:
            self.doubt = (
                f"the line before (line {self.pending.event.line}) has no dates and may go "
                f"on here: {names[0]} may begin this activity or be a word of that title; "
                "neither line is read"
            )
        self.flush(keep_waiting=True)
        if names and not rest:
            self.wait(event, names)
            self.cell_above = not line.rstrip().endswith(",")
            return
        self.pending = _Line(self.take_waiting(names), False, rest if names else line, event)
        self.pending.doubt, self.doubt = self.doubt, None

    def goes_on_pending(self, then: str) -> bool:
        """Whether ``then`` (with no project) continues the pending line: that line has no
        dates yet, or all of ``then`` belongs to the dates of the two read together (a
        wrapped "(dates TBC)", "2019." or "November")."""
        assert self.pending is not None
        if not self.pending.complete():
            return True
        joined, _ = self.joined(self.pending.body, then)
        split = split_trailing_dates(normalise(joined))
        return split is not None and len(split[1]) > len(normalise(then))

    def ends_pending(self, then: str) -> bool:
        """Whether ``then`` gives the pending line, which has no dates yet, its dates."""
        if self.pending is None or self.pending.complete():
            return False
        joined, _ = self.joined(self.pending.body, then)
        return split_trailing_dates(normalise(joined)) is not None

    def join(self, then: str) -> None:
        assert self.pending is not None
        if _RUNNING_HEADER.search(then) and self.pending.doubt is None:
            # A page's header or footer seen once (a short copy from a viewer) cannot be
            # told from text by repetition; joined into a title it would be kept wrong, so
            # the line is refused (--skip-bad leaves it out whole).
            self.pending.doubt = (
                f"a web address and a page number inside it ({_excerpt(then)}), a page's "
                "running header? remove it from the line"
            )
        self.pending.body, warning = self.joined(self.pending.body, then)
        if warning is not None:
            self.problem(self.pending.event, warning, "warning", "title")

    def joined(self, first: str, then: str) -> tuple[str, str | None]:
        return join_wrapped(first, then, self.words)

    def wait(self, event: Event, names: list[str]) -> None:
        if self.waiting_event is None:
            self.waiting_event = event
        self.waiting += names

    def take_waiting(self, names: list[str]) -> list[str]:
        out = list(dict.fromkeys([*self.waiting, *names]))
        self.waiting, self.waiting_event, self.cell_above = [], None, False
        return out

    def flush(self, *, keep_waiting: bool = False) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            self.finish(pending)
        if not keep_waiting:
            self.doubt = None
        if self.waiting and not keep_waiting:
            assert self.waiting_event is not None
            self.problem(
                self.waiting_event,
                f"project names ({', '.join(self.waiting)}) with no activity after them",
                fld="projects",
            )
            self.waiting, self.waiting_event, self.cell_above = [], None, False

    # --- one activity ---

    def finish(self, line: _Line) -> None:
        event = line.event
        body = " ".join(line.body.split())
        if line.doubt is not None:
            self.problem(event, f"{_excerpt(body)}: {line.doubt}")
            return
        if not line.projects and not line.column:
            self.problem(
                event,
                f"no project at the start of {_excerpt(body)}; expected a project name "
                "(e.g. GLACY+) then the activity, or a tab after the project column",
                fld="projects",
            )
            return
        try:
            schedule, head = self.dates(body, event)
        except ParseError as error:
            self.problem(event, error.message, fld="dates")
            return
        if not line.projects:
            self.problem(event, "no project given", "warning", "projects")
        head, modality = _split_modality(head)
        place: Place | None
        if fold(normalise(schedule.text)).startswith(("location and", "lieu et")):
            title, place = head, None
        else:
            try:
                title, place = split_place(head)
            except ValidationError as error:  # a character no place may hold
                failure = model_error(error)
                self.problem(event, failure.message, fld=failure.field)
                return
            unknown = unknown_country(head) if place is None else None
            if unknown is not None:
                self.problem(event, f"unknown country {unknown!r}; kept as written", "warning",
                             "place")  # fmt: skip
        try:
            draft = Activity(
                id="draft",
                projects=tuple(line.projects),
                title=title,
                place=place,
                modality=modality,
                schedule=schedule,
                status=Status.HELD if self.held else Status.PLANNED,
            )
        except ValidationError as error:
            failure = model_error(error)
            self.problem(event, failure.message, fld=failure.field)
            return
        ident = derive_id(draft.title, draft.place, draft.schedule, self.taken)
        self.taken.add(ident)
        where = f"{self.source} ({event.where})" if event.where else f"{self.source}:{event.line}"
        self.reading.items.append(
            Incoming(
                draft.model_copy(update={"id": ident}),
                None if event.where else event.line,
                where,
                Status.HELD if self.held else None,
            )
        )

    @property
    def held(self) -> bool:
        return self.section is not None and self.section.held

    def dates(self, body: str, event: Event) -> tuple[Schedule, str]:
        """The schedule at the end of ``body`` and the text before it; ParseError if the
        line does not end with exactly one readable date text."""
        split = split_trailing_dates(body)
        if split is None:
            raise ParseError(_no_dates(body))
        head, date_text = split
        cut = _CUT_RANGE.search(head)
        if cut is not None:
            # "9 -- 10 December" read as "10 December" would keep "9 --" in the title.
            raise ParseError(
                f"cannot read the dates {cut.group().strip() + ' ' + date_text!r}; expected "
                "a range such as '9-10 December' or '30 October - 1 November'"
            )
        before = split_trailing_dates(head)
        if before is not None and before[1] and _is_days(before[1]):
            raise ParseError(
                f"two date texts, {before[1]!r} and {date_text!r}; expected one at the end "
                "of the line, e.g. '6-8 April (dates TBC)' or '6-8 and 10 April'"
            )
        context_month = self.month or (self.section.period[0] if self.section and
                                        self.section.period else None)  # fmt: skip
        schedule = parse_schedule(
            date_text, context_month=context_month, context_year=self.context.year
        )
        if self.month is not None and schedule.precision is Precision.DAY:
            first, last = month_bounds(self.month)
            if not schedule.overlaps(first, last):
                read = month_label(schedule.start)
                other = schedule.start.year + (1 if schedule.start < first else -1)
                self.reading.problems.append(
                    events_problem(
                        event,
                        self.source,
                        f"{date_text} is outside {month_label(first).upper()}; read as "
                        f"{read} (did you mean {other}?)",
                        "warning",
                        "dates",
                    )
                )
        return schedule, head


_CUT_RANGE = re.compile(r"(?<![\w])\d{1,2}(?:\s+[^\W\d_]+)?\s*[-\u2010-\u2015\u2212~]+\s*$")
"""A day (and month) and a dash left before the date text read: a range half read."""


_RUNNING_HEADER = re.compile(
    r"(?:^\s*\d{1,4}\s+\S*(?:www\.|://)\S*|\S*(?:www\.|://)\S*.*\s\d{1,4}\s*$)", re.I
)
"""A line that starts or ends with a page number and names a web address."""


def _is_days(text: str) -> bool:
    """Whether a date text names days or a month (not a bare "TBC", which a title may end
    with only as part of "location and dates TBD")."""
    return any(ch.isdigit() for ch in text) or any(
        month_number(word) for word in re.findall(r"[^\W\d_]+", text)
    )


def _no_dates(body: str) -> str:
    """Why a line has no readable dates at its end, as precisely as can be said."""
    tail = re.search(r"[,;]?\s*(\([^()]*\)|[^,;()]+)\s*$", body)
    if tail is not None:
        rest = body[: tail.start()].rstrip()
        found = split_trailing_dates(rest) if rest else None
        if found is not None and _is_days(found[1]):
            return (
                f"unexpected {tail.group(1).strip()!r} after the dates {found[1]!r}; expected "
                "the dates last, e.g. '6-8 April', '6 (AM) April' or '6-8 April (dates TBC)'"
            )
    return (
        f"no dates at the end of {_excerpt(body)}; expected e.g. '6-8 April', "
        "'30 October - 1 November', 'by 30 November' or 'dates TBD'"
    )


def join_wrapped(first: str, then: str, words: Counter[str]) -> tuple[str, str | None]:
    """Two pieces of one line that a page or a cell wrapped, and a warning when a
    hyphen at the break could not be decided. A hyphen goes by the document's words:
    "magis-" / "trates" is "magistrates" when the document writes that and never
    "magis-trates"; "future-" / "proof" stays "future-proof" when the document writes
    it so or never "futureproof" either (then with a warning). Word and browsers wrap
    after a word's own hyphen and add none: there the document never writes the joined word."""
    before = re.search(r"([^\W\d_]+)-$", first)
    after = re.match(r"[^\W\d_]+", then)
    if before is None or after is None:
        return first + " " + then, None
    left, right = before.group(1), after.group()
    hyphenated = words[f"{left}-{right}".casefold()] > 0
    whole = words[f"{left}{right}".casefold()] > 0
    if whole and not hyphenated:
        return first[:-1] + then, None
    if hyphenated and not whole:
        return first + then, None
    written, other = f"{left}-{right}", left + right
    why = f"both {written!r} and {other!r}" if whole else f"neither {written!r} nor {other!r}"
    return first + then, (
        f"{written!r}, broken at the end of a line, kept as written: the document writes "
        f"{why} elsewhere"
    )


def _joined(first: str, then: str) -> str:
    """Two pieces of a wrapped line, with no vocabulary to decide a hyphen: it is kept."""
    return join_wrapped(first, then, Counter())[0]


def _header_word(cell: str) -> str:
    return normalise(cell).replace(" ", "").casefold()


def _excerpt(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _split_modality(head: str) -> tuple[str, str | None]:
    chunks = head.rsplit(",", 1)
    if len(chunks) == 2:
        for modality in MODALITIES:
            if chunks[1].strip().casefold() == modality.casefold():
                return chunks[0].rstrip(), modality
    return head, None


def _text_of(event: Text | Row) -> str:
    if isinstance(event, Row):
        return "\t".join(event.cells)
    return event.text


def interpret(events: Iterable[Event], context: Context, source: str) -> Reading:
    """Every activity of a document's tables, in the order written, with the problems."""
    interpreter = _Interpreter(context, source)
    return interpreter.run(events)
