"""Excel writing shared by every export: Chinese headers, text cells, formulas defused.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab/carriage return) would be run
as a formula by Excel; such text is written with a leading apostrophe-equivalent (a
single quote) so it is shown, never evaluated. Codes and phone numbers are written as text
so Excel keeps their leading zeros and does not turn them into numbers.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_value(value: Any) -> Any:
    """Numbers, dates and decimals stay typed; everything else becomes safe text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    return safe_text(str(value))


def write_sheet(sheet, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet.append([safe_text(str(h)) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [max(6, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        values = [cell_value(v) for v in row]
        sheet.append(values)
        for index, value in enumerate(values):
            if isinstance(value, str):
                widths[index] = min(60, max(widths[index], len(value) * 2))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            _format(cell)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _format(cell: Cell) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"  # keep codes and phone numbers as text
        cell.number_format = "@"
    elif isinstance(cell.value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(cell.value, datetime.date):
        cell.number_format = "yyyy-mm-dd"


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """One workbook from ``(title, headers, rows)`` triples, as bytes."""
    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        write_sheet(workbook.create_sheet(title=safe_sheet_title(title)), headers, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def safe_sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31] or "Sheet"
