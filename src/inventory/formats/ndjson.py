"""``--format ndjson``: one activity record a line, as ``jq -c`` writes and ``import`` reads."""

from __future__ import annotations

import json
from typing import Any

from ..records import to_record
from . import Output


def write(result: Any, out: Output) -> None:
    for activity in result.activities:
        out.stream.write(json.dumps(to_record(activity), ensure_ascii=False) + "\n")
