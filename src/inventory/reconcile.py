"""Which activity of the store an incoming line continues.

Each issue of the newsletter repeats the previous issue's "Coming next" in its "Inventory of
activities", with firmer dates: "22-23 January (dates TBC)" becomes "22-23 January", "dates
TBD" becomes days, a date moves, a place is added, a typo is fixed. Such a line is the same
activity, and updates it in place (its id kept) instead of becoming a second one.

A stored activity is a *plausible* match for an incoming one when all of these hold:

* **projects**: they share one, or one side has none (a project added);
* **country**: they share one, or one side has none (a place added);
* **title**: the same once normalised (case, accents, quotes, dashes, punctuation), or at
  least :data:`SIMILAR` % alike (rapidfuzz's ratio, or its token-sort ratio for reordered
  words);
* **dates**: the same days; TBC confirmed; TBD turned into days; or moved by up to
  :data:`MOVE_DAYS` days.

One plausible match is the activity. Among several, one that is at least as good on every
count (same title, same days or nearest, same city, same countries, same projects) and
better on one is the activity; otherwise the line is **ambiguous**: the candidates are
listed, nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .editing import FieldChange, field_changes
from .formats.readers import Incoming
from .ids import derive_id
from .model import Activity, Precision
from .places import fold
from .query import Criteria
from .vocab import Status

SIMILAR = 80
"""Title similarity (0-100) from which two titles may name the same activity."""
MOVE_DAYS = 42
"""How far (in days) an activity may move between two issues and still be the same."""
NEAR_DAYS = 7


def title_key(title: str) -> str:
    """A title for comparison: folded, quotes and dashes and other punctuation as spaces."""
    return " ".join(re.sub(r"[^\w+@]+", " ", fold(title)).split())


@dataclass(frozen=True)
class Fit:
    """How well a stored activity fits an incoming one; larger is better on every count."""

    title_same: int
    days: int
    """3 the same days (or TBD/TBC without days now given days in that month), 2 moved by a
    week at most, 1 moved further (up to :data:`MOVE_DAYS`)."""
    city: int
    """1 the same city, 0 one side has none, -1 another city."""
    countries: int
    projects: int
    similarity: float

    def counts(self) -> tuple[int, ...]:
        return (self.title_same, self.days, self.city, self.countries, self.projects)

    def beats(self, other: Fit) -> bool:
        return _beats(self.counts(), other.counts())


def fit(incoming: Activity, stored: Activity) -> Fit | None:
    """How ``stored`` fits ``incoming``, or None when it cannot be the same activity."""
    a, b = set(incoming.projects), set(stored.projects)
    if a and b and not a & b:
        return None
    ca, cb = set(incoming.country_codes), set(stored.country_codes)
    if ca and cb and not ca & cb:
        return None
    days = _days_fit(incoming, stored)
    if days is None:
        return None
    ka, kb = title_key(incoming.title), title_key(stored.title)
    from rapidfuzz import fuzz

    similarity = max(fuzz.ratio(ka, kb), fuzz.token_sort_ratio(ka, kb))
    if similarity < SIMILAR:
        return None
    city_a = fold(incoming.place.city or "") if incoming.place else ""
    city_b = fold(stored.place.city or "") if stored.place else ""
    city = 0 if not city_a or not city_b else (1 if city_a == city_b else -1)
    return Fit(
        title_same=int(ka == kb),
        days=days,
        city=city,
        countries=int(bool(ca) and ca == cb),
        projects=2 if a == b else int(bool(a & b)),
        similarity=similarity,
    )


def _days_fit(incoming: Activity, stored: Activity) -> int | None:
    si, ss = incoming.schedule, stored.schedule
    if si.precision is Precision.DAY and ss.precision is Precision.DAY:
        if [(s.start, s.end) for s in si.segments] == [(s.start, s.end) for s in ss.segments]:
            return 3
        moved = abs((si.start - ss.start).days)
    else:
        if ss.precision is Precision.MONTH and si.start >= ss.start and si.end <= ss.end:
            return 3  # "dates TBD" in a month, now days in it
        if si.precision is Precision.MONTH and ss.start >= si.start and ss.end <= si.end:
            return 3  # days back to "dates TBD" in the same month
        moved = max(0, (si.start - ss.end).days, (ss.start - si.end).days)
    if moved > MOVE_DAYS:
        return None
    return 2 if moved <= NEAR_DAYS else 1


@dataclass
class Step:
    """What the import does with one incoming activity."""

    kind: str
    """``add``, ``update``, ``unchanged`` or ``ambiguous``."""
    incoming: Incoming
    activity: Activity
    """What is (or would be) written: for an update, the stored activity changed."""
    before: Activity | None = None
    changes: list[FieldChange] = field(default_factory=list)
    candidates: list[Activity] = field(default_factory=list)
    note: str | None = None
    """Why a line that continues an activity was not taken (said as a warning)."""

    def to_json(self) -> dict[str, Any]:
        from .records import to_record

        out: dict[str, Any] = {
            "line": self.incoming.line,
            "where": self.incoming.where,
            "id": self.activity.id,
        }
        if self.kind == "update":
            out["changes"] = [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes]
        if self.kind == "ambiguous":
            out["candidates"] = [to_record(a) for a in self.candidates]
        out["activity"] = to_record(self.activity)
        return out


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    missing: list[Activity] = field(default_factory=list)
    """Planned activities of a period the input reports on ("Inventory of activities")
    that it does not list."""
    periods: list[tuple[str, str]] = field(default_factory=list)

    def of(self, kind: str) -> list[Step]:
        return [s for s in self.steps if s.kind == kind]


class Reconciler:
    """Matches incoming activities to a store's (read through ``by_ids`` and ``select``).

    :meth:`plan` plans a whole input at once. A long input is planned in two passes over
    its chunks, with the same outcome line for line: :meth:`survey` each chunk (in input
    order) against the store as it was before the import, then :meth:`settle` (what is
    decided by the input as a whole: the activities claimed by their id, two lines
    continuing one activity), then :meth:`steps` for each chunk again, in the same order;
    the store may then hold the steps of earlier chunks, written in the same transaction.
    What it keeps between chunks is ids and a few numbers per line that may continue a
    stored activity, not the activities."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.claims: dict[str, int] = {}
        """Stored ids that a line names, and which line (its number in the input, from 0)."""
        self.repeats: set[int] = set()
        """Lines that name a stored id an earlier line claimed already: new activities."""
        self._fits: dict[int, list[tuple[str, tuple[int, ...], float]]] = {}
        self.decisions: dict[int, tuple[str, tuple[str, ...]]] = {}
        """After :meth:`settle`: ``fuzzy`` (its target) or ``ambiguous`` (the candidates,
        best first) for the lines that found stored activities they may continue."""
        self.originals: dict[str, Activity] = {}
        """Candidates of an ambiguous line that another line changes, as they were."""
        self.taken: set[str] = set()
        """Ids given to planned activities that the store does not hold (yet)."""
        self.seen: set[str] | None = None
        """With periods: every id a step names, for :meth:`missing`."""

    def plan(self, items: Sequence[Incoming], periods: Sequence[tuple[str, str]] = ()) -> Plan:
        plan = Plan(periods=list(periods))
        self.survey(items, 0)
        self.settle(watch=bool(periods))
        plan.steps = self.steps(items, 0)
        plan.missing = self.missing(plan.periods)
        return plan

    def survey(self, items: Sequence[Incoming], first: int) -> None:
        """Pass one over a chunk whose first line is line ``first`` of the input: which
        stored activity each line names by its id, which it may continue."""
        exact = self.store.by_ids([i.activity.id for i in items]) if items else {}
        open_: list[tuple[int, Incoming]] = []
        for index, item in enumerate(items, start=first):
            stored = exact.get(item.activity.id)
            if stored is not None and (not item.derived or _same_by_id(item.activity, stored)):
                if stored.id in self.claims:
                    self.repeats.add(index)  # the input repeats a line
                else:
                    self.claims[stored.id] = index
            elif item.derived:
                open_.append((index, item))
        pool = self._candidates([item for _, item in open_])
        if not pool:
            return
        for index, item in open_:
            fits = [
                (stored.id, f.counts(), f.similarity)
                for stored in pool
                if (f := fit(item.activity, stored)) is not None
            ]
            if fits:
                self._fits[index] = fits

    def settle(self, *, watch: bool = False) -> None:
        """Between the passes: decide the lines that may continue stored activities, now
        that every line claiming one by its id is known. ``watch``: remember each id the
        steps name, for :meth:`missing`."""
        wanted: dict[str, list[int]] = {}
        for index, found in self._fits.items():
            fits = [f for f in found if f[0] not in self.claims]
            if not fits:
                continue
            best = [
                ident
                for ident, counts, _ in fits
                if all(_beats(counts, other) for t, other, _ in fits if t != ident)
            ]
            if len(fits) == 1 or len(best) == 1:
                target = fits[0][0] if len(fits) == 1 else best[0]
                self.decisions[index] = ("fuzzy", (target,))
                wanted.setdefault(target, []).append(index)
            else:
                ranked = sorted(fits, key=lambda p: (p[1], p[2]), reverse=True)
                self.decisions[index] = ("ambiguous", tuple(ident for ident, _, _ in ranked))
        self._fits = {}
        # Two lines that both continue one activity: neither is guessed.
        for target, indexes in wanted.items():
            if len(indexes) > 1:
                for index in indexes:
                    self.decisions[index] = ("ambiguous", (target,))
        # A candidate listed as it was, even when another line changes it first.
        changed = set(self.claims) | {d[1][0] for d in self.decisions.values() if d[0] == "fuzzy"}
        listed = {i for how, ids in self.decisions.values() if how == "ambiguous" for i in ids}
        if changed & listed:
            self.originals = self.store.by_ids(sorted(changed & listed))
        self.seen = set() if watch else None

    def steps(self, items: Sequence[Incoming], first: int) -> list[Step]:
        """Pass two over a chunk: what the import does with each line."""
        wanted: list[str] = []
        for index, item in enumerate(items, start=first):
            if self.claims.get(item.activity.id) == index:
                wanted.append(item.activity.id)
            elif index in self.decisions:
                wanted += self.decisions[index][1]
        fetched = self.store.by_ids([i for i in dict.fromkeys(wanted) if i not in self.originals])
        fetched.update(self.originals)
        out: list[Step] = []
        for index, item in enumerate(items, start=first):
            how, stored, candidates = "new", None, []
            if self.claims.get(item.activity.id) == index:
                how, stored = "id", fetched[item.activity.id]
            elif index in self.repeats:
                pass
            elif index in self.decisions:
                kind, ids = self.decisions[index]
                if kind == "fuzzy":
                    how, stored = "fuzzy", fetched[ids[0]]
                else:
                    how, candidates = "ambiguous", [fetched[i] for i in ids]
            step = self._step(item, how, stored, candidates, self.taken)
            if self.seen is not None:
                self.seen.add(step.activity.id)
                self.seen.update(c.id for c in step.candidates)
            out.append(step)
        return out

    def written(self, ids: Iterable[str]) -> None:
        """These ids are in the store now: :meth:`_fresh` finds them there."""
        self.taken.difference_update(ids)

    def _candidates(self, items: Sequence[Incoming]) -> list[Activity]:
        derived = [i.activity for i in items if i.derived]
        if not derived:
            return []
        margin = timedelta(days=MOVE_DAYS + 31)
        first = min(a.start for a in derived) - margin
        last = max(a.end for a in derived) + margin
        found: list[Activity] = self.store.select(Criteria(period=(first, last)))
        return found

    def _step(
        self,
        item: Incoming,
        how: str,
        stored: Activity | None,
        candidates: list[Activity],
        taken: set[str],
    ) -> Step:
        activity = item.activity
        if how == "ambiguous":
            return Step("ambiguous", item, self._fresh(activity, taken), candidates=candidates)
        if stored is None:
            return Step("add", item, self._fresh(activity, taken))
        merged = merge(stored, item)
        changes = field_changes(stored, merged)
        if merged == stored:
            return Step("unchanged", item, stored, before=stored)
        if stored.status is Status.HELD and item.status is None:
            # An announcement ("Coming next", a plan) of what was since reported held: an
            # older issue imported after a newer one must not turn its dates back.
            said = "; ".join(str(c) for c in changes)
            note = (
                f"{stored.id} was reported held; this line only announces it (an older "
                f"issue?), so it is left as it is (the line would change {said})"
            )
            return Step("unchanged", item, stored, before=stored, note=note)
        return Step("update", item, merged, before=stored, changes=changes)

    def _fresh(self, activity: Activity, taken: set[str]) -> Activity:
        """The activity with an id that neither the store nor this import uses yet."""
        if activity.id in taken or self.store.by_ids([activity.id]):
            ident = derive_id(activity.title, activity.place, activity.schedule, taken)
            while self.store.by_ids([ident]):
                taken.add(ident)
                ident = derive_id(activity.title, activity.place, activity.schedule, taken)
            activity = activity.model_copy(update={"id": ident})
        taken.add(activity.id)
        return activity

    def missing(self, periods: Sequence[tuple[str, str]]) -> list[Activity]:
        """Planned activities of ``periods`` that no step named (after the last chunk)."""
        from .months import month_bounds

        seen = self.seen or set()
        out: dict[str, Activity] = {}
        for first, last in periods:
            period = (month_bounds(first)[0], month_bounds(last)[1])
            for activity in self.store.select(Criteria(period=period, status=(Status.PLANNED,))):
                if activity.id not in seen:
                    out.setdefault(activity.id, activity)
        return list(out.values())


def _beats(mine: tuple[int, ...], theirs: tuple[int, ...]) -> bool:
    return all(a >= b for a, b in zip(mine, theirs, strict=True)) and mine != theirs


def _same_by_id(incoming: Activity, stored: Activity) -> bool:
    """A derived id names the same activity when the projects agree: the same title, place
    and dates for *another* project is another activity (as ``add`` has it)."""
    a, b = set(incoming.projects), set(stored.projects)
    return not a or not b or bool(a & b)


def merge(stored: Activity, item: Incoming) -> Activity:
    """``stored`` as the incoming line has it now: its id and extra fields stay; a status
    the input does not assert stays; wording that differs only in typography (quotes,
    dashes, spaces) stays as stored."""
    new = item.activity
    update: dict[str, Any] = {
        "projects": stored.projects if set(stored.projects) == set(new.projects) else new.projects,
        "title": stored.title if _typographic(stored.title, new.title) else new.title,
        "modality": new.modality,
        "place": new.place,
        "schedule": new.schedule,
        "status": item.status or stored.status,
    }
    if (
        stored.place is not None
        and new.place is not None
        and stored.place.model_dump(exclude={"text"}) == new.place.model_dump(exclude={"text"})
        and _typographic(stored.place.text, new.place.text)
    ):
        update["place"] = stored.place
    if stored.schedule.meaning() == new.schedule.meaning() and _typographic(
        stored.schedule.text, new.schedule.text
    ):
        update["schedule"] = stored.schedule
    if item.derived:
        update["extra"] = stored.extra
    else:
        update["extra"] = new.extra
    merged = stored.model_copy(update=update)
    return merged if merged != stored else stored


def _typographic(a: str, b: str) -> bool:
    """Whether two texts differ at most in case-less typography: quotes, dashes, spaces."""
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-",
                           "\u2011": "-", "\u2212": "-"})  # fmt: skip
    return "".join(a.translate(table).split()) == "".join(b.translate(table).split())
