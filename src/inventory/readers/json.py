"""Reading JSON into activities: an array of records (``list --json``, the JSON store), an
object with an ``activities`` array, or one record a line (``--format ndjson``, ``jq -c``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import StoreError
from ..textio import load_json, parse_json
from . import IMPORT_CHUNK, Context, Reading, Source, encoding_of
from .records import merged, records_to_chunks


def read(source: Source, context: Context, kind: str = "json") -> Reading:
    return merged(read_chunks(source, context, kind))


def read_chunks(
    source: Source, context: Context, kind: str = "json", size: int = IMPORT_CHUNK
) -> Iterator[Reading]:
    """The input a chunk of activities at a time (``records_in.records_to_chunks``)."""
    text = _text(source)
    if kind == "ndjson":
        lines = _lines(text, source.label)
        del text
        for reading in records_to_chunks(lines, context, source.label, size=size):
            reading.kind = "NDJSON"
            yield reading
        return
    data = load_json(text, source.label)
    if isinstance(data, dict) and "activities" in data:
        data = data["activities"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise StoreError(
            f"expected a JSON array of activities, found {type(data).__name__}",
            source=source.label,
        )
    records = ((f"record {i}", r) for i, r in enumerate(data, start=1))
    del data
    for reading in records_to_chunks(records, context, source.label, size=size):
        reading.kind = "JSON"
        yield reading


def _text(source: Source) -> str:
    data = source.read()
    try:
        return data.decode(encoding_of(data[:4]))
    except UnicodeDecodeError as error:
        raise StoreError(
            f"is not UTF-8 (byte 0x{data[error.start]:02x})", source=source.label
        ) from None


def _lines(text: str, label: str) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield str(number), parse_json(line, label, number)
        except StoreError as error:
            if not error.message.startswith("invalid JSON"):
                raise
            raise StoreError(
                f"{error.message}; expected one activity record a line",
                source=label,
                line=number,
            ) from None
