"""``--format json`` (``--json``): the stable JSON of every result, for scripts. A list of
activities is streamed one record at a time, so a million-row answer is not held twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import singledispatch
from typing import Any

from ..selection import records_of
from . import Data, Detail, Listing, Output, Pairs, Projects, ProjectView, Summary


def dump(value: Any, out: Output) -> None:
    out.stream.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


@singledispatch
def _write(result: Any, out: Output) -> None:
    dump(result.to_json(), out)


@_write.register
def _(result: Listing, out: Output) -> None:
    stream = out.stream
    stream.write("[")
    for index, record in enumerate(records(result)):
        stream.write(",\n" if index else "\n")
        stream.write(record)
    stream.write("\n]\n" if result.activities else "]\n")


def records(result: Listing) -> Iterator[str]:
    """Each activity's record as JSON text: as the store kept it, or made from its model."""
    return records_of(result.activities)


@_write.register
def _(result: Detail, out: Output) -> None:
    from ..records import to_record

    found = [to_record(activity) for activity in result.activities]
    dump(found[0] if len(found) == 1 else found, out)


@_write.register
def _(result: Summary, out: Output) -> None:
    dump(result.report.to_json(), out)


@_write.register
def _(result: Pairs, out: Output) -> None:
    dump([pair.to_json() for pair in result.pairs], out)


@_write.register
def _(result: Projects, out: Output) -> None:
    dump([s.to_json(result.names) for s in result.summaries], out)


@_write.register
def _(result: ProjectView, out: Output) -> None:
    dump(result.summary.to_json(result.names, detail=True), out)


@_write.register
def _(result: Data, out: Output) -> None:
    if not isinstance(result.json, Iterator):
        dump(result.json, out)
        return
    # Items given one at a time (validate's problems): written as they come, as dump
    # would write their list.
    stream = out.stream
    stream.write("[")
    empty = True
    for item in result.json:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        stream.write(("\n  " if empty else ",\n  ") + text)
        empty = False
    stream.write("]\n" if empty else "\n]\n")


def write(result: Any, out: Output) -> None:
    _write(result, out)
