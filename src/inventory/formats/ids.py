"""``--format ids``: the ids, one a line, for ``xargs`` and shell loops."""

from __future__ import annotations

from typing import Any

from ..selection import rows_of
from . import Output


def write(result: Any, out: Output) -> None:
    for record in rows_of(result.activities):  # a selection's records: no model built
        out.stream.write(record["id"] + "\n")
