"""``--format json`` (``--json``): the stable JSON of every result, for scripts. A list of
activities is streamed one record at a time, so a million-row answer is not held twice."""

from __future__ import annotations

import json
from functools import singledispatch
from typing import Any

from ..records import to_record
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
    for index, activity in enumerate(result.activities):
        stream.write(",\n" if index else "\n")
        stream.write(json.dumps(to_record(activity), ensure_ascii=False))
    stream.write("\n]\n" if result.activities else "]\n")


@_write.register
def _(result: Detail, out: Output) -> None:
    records = [to_record(activity) for activity in result.activities]
    dump(records[0] if len(records) == 1 else records, out)


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
    dump(result.json, out)


def write(result: Any, out: Output) -> None:
    _write(result, out)
