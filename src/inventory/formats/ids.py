"""``--format ids``: the ids, one a line, for ``xargs`` and shell loops."""

from __future__ import annotations

from typing import Any

from . import Output


def write(result: Any, out: Output) -> None:
    for activity in result.activities:
        out.stream.write(activity.id + "\n")
