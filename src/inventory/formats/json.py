"""``--format json`` (``--json``): the stable JSON of every result, for scripts. A list of
activities is streamed one record at a time, so a million-row answer is not held twice."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import singledispatch
from typing import TYPE_CHECKING, Any

from ..selection import records_of
from . import Data, Detail, Listing, Output, Pairs, Projects, ProjectView, Summary

if TYPE_CHECKING:
    from ..model import Activity


def dump(value: Any, out: Output) -> None:
    out.stream.write(indented(value) + "\n")


def dump_list(items: Iterable[Any], out: Output) -> None:
    """:func:`dump` of a list, written an item at a time: a big answer (the 200,000 pairs
    of ``clashes`` on a million activities) is not held as one text."""
    stream = out.stream
    empty = True
    for item in items:
        stream.write("[\n  " if empty else ",\n  ")
        stream.write(indented_in(item, "\n  "))
        empty = False
    stream.write("[]\n" if empty else "\n]\n")


def indented(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text: with an indent
    the standard library encodes in Python a token at a time (a quarter of a second for
    the 2,000 pairs of ``clashes`` at 100k); here only the structure is walked in Python,
    each string encoded by the C encoder. A value of another type goes to ``json.dumps``."""
    return indented_in(value, "\n")


def indented_in(value: Any, newline: str) -> str:
    """:func:`indented` for a value inside a list or object, ``newline`` the line break and
    indent of its own level."""
    parts: list[str] = []
    try:
        _indent(value, newline, parts)
    except _Other:
        text = json.dumps(value, ensure_ascii=False, indent=2, default=_as_read)
        return text.replace("\n", newline)
    return "".join(parts)


class Verbatim:
    """JSON already written at the level it stands at, put in as it is (a part that
    recurs, e.g. an activity in many pairs, indented once)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _as_read(value: Any) -> Any:
    """A :class:`Verbatim` part as its value, for ``json.dumps`` to write again."""
    if type(value) is Verbatim:
        return json.loads(value.text)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _Other(Exception):
    """A value :func:`_indent` leaves to ``json.dumps`` (a float, a tuple key, a subclass)."""


_ATOMS: dict[Any, str] = {None: "null", True: "true", False: "false"}
_string = json.encoder.encode_basestring


def _indent(value: Any, newline: str, parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(_string(value))
    elif kind is int:
        parts.append(int.__repr__(value))
    elif value is None or kind is bool:
        parts.append(_ATOMS[value])
    elif kind is Verbatim:
        parts.append(value.text)
    elif kind is list:
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        try:  # a list of strings (projects, countries, days) in one go, in C
            parts.append("[" + inner + ("," + inner).join(map(_string, value)) + newline + "]")
            return
        except TypeError:
            pass
        parts.append("[")
        for index, item in enumerate(value):
            parts.append(inner if not index else "," + inner)
            _indent(item, inner, parts)
        parts.append(newline + "]")
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Other
            # The scalars of an object inline: most of a pair's values are.
            its = type(item)
            if its is str:
                parts.append(separator + _string(key) + ": " + _string(item))
            elif its is int:
                parts.append(separator + _string(key) + ": " + int.__repr__(item))
            elif item is None or its is bool:
                parts.append(separator + _string(key) + ": " + _ATOMS[item])
            else:
                parts.append(separator + _string(key) + ": ")
                _indent(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "}")
    else:
        raise _Other


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
    from ..clashes import side_json

    # An activity is in many pairs: its part is made and indented once. In the list a
    # pair's keys are at 4 spaces, its activities at 6.
    sides: dict[str, Verbatim] = {}

    def side(activity: Activity) -> Verbatim:
        found = sides.get(activity.id)
        if found is None:
            found = sides[activity.id] = Verbatim(indented_in(side_json(activity), "\n      "))
        return found

    dump_list((pair.to_json(side) for pair in result.pairs), out)


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
