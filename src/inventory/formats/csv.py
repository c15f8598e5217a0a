"""``--format csv``: the store's columns, for a spreadsheet. Every cell a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``...) is neutralised, headers included; ``import``
removes the mark again."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..records import to_row
from ..sanitise import neutralise
from ..vocab import COLUMNS
from . import Listing, Output, Projects


def write(result: Any, out: Output) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if isinstance(result, Projects):
        from ..project_summary import csv_rows

        for row in csv_rows(result.summaries):
            writer.writerow([neutralise(cell) for cell in row])
    else:
        assert isinstance(result, Listing)
        extras = list(dict.fromkeys(k for a in result.activities for k in a.extra))
        header = [*COLUMNS, *extras]
        writer.writerow([neutralise(h) for h in header])
        for activity in result.activities:
            cells = to_row(activity)
            writer.writerow([neutralise(cells.get(column, "")) for column in header])
    out.stream.write(buffer.getvalue())
