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

A match must also be *precise*: of the three things a person recognises an activity by,
its title, its days and its place, an update may change one. A match that would change
two or three (a new title *and* another month, as two unrelated seminars of one template
have it) is ambiguous too, with the reason, unless the evidence is overwhelming
(:func:`overwhelming`: the same projects and countries, a title
:data:`OVERWHELMING` % alike, moved by a week at most). Firmer dates (TBC confirmed, TBD
given days in its month) and a place added are not changes of days or place.

A line that finds no match but names an activity still planned with the same title,
projects and country, moved further than :data:`MOVE_DAYS` (up to :data:`FAR_DAYS`), is
not added silently as a second one: it *possibly continues* that activity, and is listed
as such.

An update never *weakens* what the store holds unless asked for by the activity's id
(:func:`weakenings`): projects or a place removed, days turned back into a month, a
confirmed date turned tentative, a modality dropped. Those are what an empty or merged cell,
a lost qualifier or an older issue produce, not what an officer means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from .editing import FieldChange, field_changes
from .ids import derive_id
from .model import Activity, Precision
from .months import month_bounds
from .places import fold
from .query import Criteria
from .readers import Incoming
from .records import to_record
from .vocab import Certainty, Status

SIMILAR = 80
"""Title similarity (0-100) from which two titles may name the same activity."""
MOVE_DAYS = 42
"""How far (in days) an activity may move between two issues and still be the same."""
NEAR_DAYS = 7
FAR_DAYS = 183
"""How far a planned activity may have moved for a line with its title to be said to
*possibly* continue it (half a year: a yearly event is another edition, not a move)."""
OVERWHELMING = 95
"""Title similarity from which a match may change two of title, days and place (a typo
fixed and the dates moved a few days)."""


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
    doubts: tuple[str, ...] = ()
    """Why the match is not precise (see the module's docstring): empty when it changes at
    most one of title, days and place, or when the evidence is overwhelming."""

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
    found = Fit(
        title_same=int(ka == kb),
        days=days,
        city=city,
        countries=int(bool(ca) and ca == cb),
        projects=2 if a == b else int(bool(a & b)),
        similarity=similarity,
    )
    changed = [
        what
        for what, differs in (
            ("title", ka != kb),
            ("days", days < 3),
            ("place", city == -1 or (bool(ca) and bool(cb) and ca != cb)),
        )
        if differs
    ]
    if len(changed) > 1 and not overwhelming(found, bool(a)):
        said = " and ".join(changed) if len(changed) == 2 else "title, days and place"
        found = replace(found, doubts=(f"{said} would all change",))
    return found


def overwhelming(found: Fit, has_projects: bool) -> bool:
    """Evidence enough to take a match that changes two of title, days and place: the same
    projects and countries, titles that differ by a typo, moved by a week at most."""
    return (
        has_projects
        and found.projects == 2
        and found.countries == 1
        and found.similarity >= OVERWHELMING
        and found.days >= 2
    )


def far_fit(incoming: Activity, stored: Activity) -> int | None:
    """Days ``stored`` would have moved if ``incoming`` continued it beyond the window of
    :func:`fit` (same title, shared project, same countries, still planned), else None."""
    if stored.status not in (Status.PLANNED, Status.POSTPONED):
        return None
    a, b = set(incoming.projects), set(stored.projects)
    if not (a & b) or set(incoming.country_codes) != set(stored.country_codes):
        return None
    if title_key(incoming.title) != title_key(stored.title):
        return None
    moved = max(abs((incoming.start - stored.start).days), abs((incoming.end - stored.end).days))
    return moved if MOVE_DAYS < moved <= FAR_DAYS else None


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
    """``add``, ``update``, ``unchanged``; or, not applied, ``ambiguous`` (it could continue
    several activities, or one imprecisely), ``possible`` (it may continue an activity moved
    beyond the window) and ``weakening`` (an update that would weaken the stored one)."""
    incoming: Incoming
    activity: Activity
    """What is (or would be) written: for an update, the stored activity changed."""
    before: Activity | None = None
    changes: list[FieldChange] = field(default_factory=list)
    candidates: list[Activity] = field(default_factory=list)
    note: str | None = None
    """Why a line that continues an activity was not taken (said as a warning)."""
    reasons: list[str] = field(default_factory=list)
    """Why a line is ambiguous, possible or weakening, in words."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "line": self.incoming.line,
            "where": self.incoming.where,
            "id": self.activity.id,
        }
        if self.kind in ("update", "weakening"):
            out["changes"] = [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes]
        if self.kind in ("ambiguous", "possible"):
            out["candidates"] = [to_record(a) for a in self.candidates]
        if self.reasons:
            out["reasons"] = list(self.reasons)
        out["activity"] = to_record(self.activity)
        return out


UNSURE = ("ambiguous", "possible", "weakening")
"""Step kinds that are not applied: the import is refused while there is one (see
``importing``)."""


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

    def __init__(self, store: Any, allow_weakening: Iterable[str] = ()) -> None:
        self.store = store
        self.allow_weakening = set(allow_weakening)
        """Ids whose weakening the user asked for by name."""
        self.claims: dict[str, int] = {}
        """Stored ids that a line names, and which line (its number in the input, from 0)."""
        self.repeats: set[int] = set()
        """Lines that name a stored id an earlier line claimed already: new activities."""
        self._fits: dict[int, list[tuple[str, tuple[int, ...], float, tuple[str, ...]]]] = {}
        self._far: dict[int, list[tuple[str, int]]] = {}
        self.decisions: dict[int, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
        """After :meth:`settle`: ``fuzzy`` (its target), ``ambiguous`` (the candidates, best
        first) or ``possible`` (an activity moved far), with the reasons, for the lines that
        found stored activities they may continue."""
        self.originals: dict[str, Activity] = {}
        """Candidates of an ambiguous line that another line changes, as they were."""
        self.taken: set[str] = set()
        self.asked: dict[str, bool] = {}
        """Whether the store holds each id of the chunk in hand (:meth:`steps` asks once)."""
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
        unmatched: list[tuple[int, Incoming]] = []
        for index, item in open_:
            fits = [
                (stored.id, f.counts(), f.similarity, f.doubts)
                for stored in pool
                if (f := fit(item.activity, stored)) is not None
            ]
            if fits:
                self._fits[index] = fits
            else:
                unmatched.append((index, item))
        if unmatched:
            self._survey_far(unmatched)

    def _survey_far(self, unmatched: list[tuple[int, Incoming]]) -> None:
        """Lines with no match that name a planned activity moved beyond the window."""
        margin = timedelta(days=FAR_DAYS + 31)
        first = min(i.activity.start for _, i in unmatched) - margin
        last = max(i.activity.end for _, i in unmatched) + margin
        by_title: dict[str, list[Activity]] = {}
        for stored in self.store.select(Criteria(period=(first, last))):
            if stored.status in (Status.PLANNED, Status.POSTPONED):
                by_title.setdefault(title_key(stored.title), []).append(stored)
        if not by_title:
            return
        for index, item in unmatched:
            found = [
                (stored.id, moved)
                for stored in by_title.get(title_key(item.activity.title), [])
                if (moved := far_fit(item.activity, stored)) is not None
            ]
            if found:
                self._far[index] = sorted(found, key=lambda f: f[1])

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
                for ident, counts, _, _ in fits
                if all(_beats(counts, other) for t, other, _, _ in fits if t != ident)
            ]
            if len(fits) == 1 or len(best) == 1:
                chosen = fits[0] if len(fits) == 1 else next(f for f in fits if f[0] == best[0])
                if chosen[3]:
                    # Imprecise: it would change too much of the activity to be taken.
                    self.decisions[index] = ("ambiguous", (chosen[0],), chosen[3])
                    continue
                self.decisions[index] = ("fuzzy", (chosen[0],), ())
                wanted.setdefault(chosen[0], []).append(index)
            else:
                ranked = sorted(fits, key=lambda p: (p[1], p[2]), reverse=True)
                reason = f"it could continue {len(ranked)} activities equally well"
                self.decisions[index] = (
                    "ambiguous",
                    tuple(ident for ident, _, _, _ in ranked),
                    (reason,),
                )
        for index, far in self._far.items():
            far = [f for f in far if f[0] not in self.claims]
            if far:
                moved = far[0][1]
                reason = (
                    f"the same title, projects and country, moved by {moved} days "
                    f"(more than {MOVE_DAYS})"
                )
                self.decisions[index] = ("possible", tuple(i for i, _ in far), (reason,))
        self._far = {}
        self._fits = {}
        # Two lines that both continue one activity: neither is guessed.
        for target, indexes in wanted.items():
            if len(indexes) > 1:
                for index in indexes:
                    reason = f"{len(indexes)} lines could continue it"
                    self.decisions[index] = ("ambiguous", (target,), (reason,))
        # A candidate listed as it was, even when another line changes it first.
        changed = set(self.claims) | {d[1][0] for d in self.decisions.values() if d[0] == "fuzzy"}
        listed = {i for how, ids, _ in self.decisions.values() if how != "fuzzy" for i in ids}
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
        # Whether a new line's own id is free, asked of the store for the whole chunk at
        # once: a query an activity cost an import into a server store a round trip each.
        own = [i.activity.id for i in items if i.activity.id not in fetched]
        held = self.store.by_ids(list(dict.fromkeys(own)))
        self.asked = {i: i in held for i in own} | dict.fromkeys(fetched, True)
        out: list[Step] = []
        for index, item in enumerate(items, start=first):
            how, stored, candidates = "new", None, []
            reasons: tuple[str, ...] = ()
            if self.claims.get(item.activity.id) == index:
                how, stored = "id", fetched[item.activity.id]
            elif index in self.repeats:
                pass
            elif index in self.decisions:
                kind, ids, reasons = self.decisions[index]
                if kind == "fuzzy":
                    how, stored = "fuzzy", fetched[ids[0]]
                else:
                    how, candidates = kind, [fetched[i] for i in ids]
            step = self._step(item, how, stored, candidates, self.taken)
            step.reasons = [*reasons, *step.reasons]
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
        if how in ("ambiguous", "possible"):
            return Step(how, item, self._fresh(activity, taken), candidates=candidates)
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
        weakened = weakenings(stored, merged)
        if weakened and stored.id not in self.allow_weakening:
            return Step("weakening", item, merged, before=stored, changes=changes, reasons=weakened)
        return Step("update", item, merged, before=stored, changes=changes)

    def _fresh(self, activity: Activity, taken: set[str]) -> Activity:
        """The activity with an id that neither the store nor this import uses yet."""
        held = self.asked.get(activity.id)
        if held is None:
            held = bool(self.store.by_ids([activity.id]))
        if activity.id in taken or held:
            ident = derive_id(activity.title, activity.place, activity.schedule, taken)
            while self.store.by_ids([ident]):
                taken.add(ident)
                ident = derive_id(activity.title, activity.place, activity.schedule, taken)
            activity = activity.model_copy(update={"id": ident})
        taken.add(activity.id)
        return activity

    def missing(self, periods: Sequence[tuple[str, str]]) -> list[Activity]:
        """Planned activities of ``periods`` that no step named (after the last chunk)."""
        seen = self.seen or set()
        out: dict[str, Activity] = {}
        for first, last in periods:
            period = (month_bounds(first)[0], month_bounds(last)[1])
            for activity in self.store.select(Criteria(period=period, status=(Status.PLANNED,))):
                if activity.id not in seen:
                    out.setdefault(activity.id, activity)
        return list(out.values())


def weakenings(stored: Activity, new: Activity) -> list[str]:
    """What ``new`` would take away from ``stored``, in words (see the module's docstring)."""
    out: list[str] = []
    if stored.projects and not set(new.projects) >= set(stored.projects):
        lost = [p for p in stored.projects if p not in new.projects]
        out.append(f"projects {', '.join(lost)} would be removed")
    old_place, new_place = stored.place, new.place
    if old_place is not None:
        gone = set(stored.country_codes) - set(new.country_codes)
        names = [c.name for c in old_place.countries if c.code in gone]
        if names:
            noun = "countries" if len(names) > 1 else "country"
            out.append(f"{noun} {', '.join(names)} would be removed")
        if old_place.city and not (new_place and new_place.city):
            out.append(f"city {old_place.city} would be removed")
    old, now = stored.schedule, new.schedule
    if old.precision is Precision.DAY and now.precision is not Precision.DAY:
        out.append("days would become a month with no days")
    elif old.certainty is Certainty.CONFIRMED and now.certainty is not Certainty.CONFIRMED:
        out.append(f"confirmed dates would become {now.certainty.value}")
    if stored.modality and not new.modality:
        out.append(f"modality {stored.modality} would be removed")
    return out


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
