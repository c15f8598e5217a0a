"""What a store's ``select`` finds: the activities in order, as the store holds them.

A SQL store (the CSV cache, SQLite, PostgreSQL) holds each activity as its JSON record, the
text ``list --json`` prints; the JSON store holds models. A :class:`Selection` keeps what the
store gave and makes the other forms only when a writer asks for them, once: the JSON
formats copy the records out, the table reads them parsed (:attr:`Selection.rows`), and the
formats that need models (CSV, ICS, a report) build them on first use. Iterating, indexing
or comparing a selection gives the models, so a caller that wants activities sees a list.

No models are imported here: ``list --json`` runs without pydantic's models.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from .model import Activity


class Selection(Sequence["Activity"]):
    """The activities a store found, soonest first. Give exactly one of ``texts`` (each
    record's JSON text as stored), ``rows`` (each record parsed) or ``activities``.
    ``shaped``: whether the stored records are in :func:`records.to_record`'s shape, byte for
    byte as ``json.dumps(..., ensure_ascii=False)`` writes it; when not (a store written by
    an older version), the records are made again from the models. ``proven``: every record
    was validated by the model as it came in (a CSV store's cache), so its models are made
    without running the validators again (``records.proven_record``)."""

    __slots__ = ("_activities", "_proven", "_rows", "_shaped", "_texts")

    def __init__(
        self,
        *,
        texts: list[str] | None = None,
        rows: list[dict[str, Any]] | None = None,
        activities: list[Activity] | None = None,
        shaped: bool = True,
        proven: bool = False,
    ) -> None:
        if sum(x is not None for x in (texts, rows, activities)) != 1:
            raise ValueError("a selection is made from one of texts, rows or activities")
        self._texts = texts
        self._rows = rows
        self._activities = activities
        self._shaped = shaped
        self._proven = proven and shaped

    @property
    def built(self) -> bool:
        """Whether the models have been made (or were given)."""
        return self._activities is not None

    @property
    def records(self) -> list[str]:
        """Each activity's record as ``list --json`` prints it (compact JSON text)."""
        if self._texts is not None and self._shaped:
            return self._texts
        if self._rows is not None and self._shaped:
            dumps = json.dumps
            return [dumps(row, ensure_ascii=False) for row in self._rows]
        from .records import to_record

        return [json.dumps(to_record(a), ensure_ascii=False) for a in self.activities]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Each activity's record, parsed: what the table draws its cells from, without
        building a model when the store kept the records."""
        if self._rows is None:
            if self._texts is not None and self._shaped:
                loads = json.loads
                self._rows = [loads(text) for text in self._texts]
            else:
                from .records import to_record

                self._rows = [to_record(a) for a in self.activities]
        return self._rows

    @property
    def activities(self) -> list[Activity]:
        """The models, made on the first ask (each validated, or proven so: a store answers
        only with what the model accepts)."""
        if self._activities is None:
            from .records import proven_record, trusted_record

            if self._proven:
                shared: dict[Any, Any] = {}
                self._activities = [proven_record(row, shared) for row in self.rows]
            elif self._rows is not None:
                self._activities = [trusted_record(row) for row in self._rows]
            else:
                assert self._texts is not None
                loads = json.loads
                self._activities = [trusted_record(loads(text)) for text in self._texts]
        return self._activities

    def __len__(self) -> int:
        for held in (self._activities, self._texts, self._rows):
            if held is not None:
                return len(held)
        return 0  # pragma: no cover (one of them is always given)

    def __bool__(self) -> bool:
        return len(self) > 0

    @overload
    def __getitem__(self, index: int) -> Activity: ...

    @overload
    def __getitem__(self, index: slice) -> list[Activity]: ...

    def __getitem__(self, index: int | slice) -> Activity | list[Activity]:
        return self.activities[index]

    def __iter__(self) -> Iterator[Activity]:
        return iter(self.activities)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Selection):
            other = other.activities
        if isinstance(other, list | tuple):
            return self.activities == list(other)
        return NotImplemented

    # Equal to a list of the same activities, so unhashable as a list is.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Selection({len(self)} activities)"


def records_of(activities: Sequence[Activity]) -> Iterator[str]:
    """Each activity's record as JSON text: as a selection holds it, else made from the
    models (an echo of a write, a slice of a selection)."""
    if isinstance(activities, Selection):
        yield from activities.records
        return
    if not activities:
        return
    from .records import to_record

    for activity in activities:
        yield json.dumps(to_record(activity), ensure_ascii=False)


def rows_of(activities: Sequence[Activity]) -> list[dict[str, Any]]:
    """Each activity's record, parsed: as a selection holds it, else made from the models."""
    if isinstance(activities, Selection):
        return activities.rows
    if not activities:
        return []
    from .records import to_record

    return [to_record(a) for a in activities]
