"""``--format ndjson``: one activity record a line, as ``jq -c`` writes and ``import`` reads."""

from __future__ import annotations

from typing import Any

from . import Output
from .json import records


def write(result: Any, out: Output) -> None:
    for record in records(result):
        out.stream.write(record + "\n")
