"""xlsx, with openpyxl: ``list --format xlsx -o FILE`` writes the store's columns as a
workbook for a spreadsheet; ``import`` reads one back (``readers.xlsx``).

Every cell is written as text (type string, number format ``@``), so an id such as
``09171554`` or ``194144e7`` never becomes a number (9171554, 1.94E+11), and a title that
starts with ``=`` is never a formula; the header row is bold and frozen, the columns sized
to their content.
"""

from __future__ import annotations

import io
from typing import Any

from ..records import to_row
from ..vocab import COLUMNS

MAX_WIDTH = 60


def workbook_bytes(activities: list[Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Activities"
    extras = list(dict.fromkeys(k for a in activities for k in a.extra))
    header = [*COLUMNS, *extras]
    widths = [len(h) for h in header]
    rows = [header] + [[to_row(a).get(c, "") for c in header] for a in activities]
    for r_index, values in enumerate(rows, start=1):
        for c_index, value in enumerate(values, start=1):
            cell = sheet.cell(row=r_index, column=c_index)
            cell.value = value
            cell.data_type = TYPE_STRING  # never a number, a date or a formula
            cell.number_format = "@"
            if r_index == 1:
                cell.font = Font(bold=True)
            widths[c_index - 1] = max(widths[c_index - 1], len(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write(result: Any, out: Any) -> None:
    out.write_bytes(workbook_bytes(result.activities))
