"""Excel writing shared by every export: Chinese headers, text cells, formulas defused.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab/carriage return) would be run
as a formula by Excel; such text is written with a leading apostrophe-equivalent (a
single quote) so it is shown, never evaluated. Text that itself starts with a single quote
gets one more, so :func:`unescape_text` gives back exactly the original (an exported file
imports back unchanged). Codes and phone numbers are written as text so Excel keeps their
leading zeros and does not turn them into numbers.

A list page's export is declared as :class:`Column` objects (header, where the value comes
from, its kind); the same declaration is the layout the importers read back.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An export holds at most this many rows (all sheets together): the importer's limit, so
# every exported file can be imported back.
MAX_ROWS = 20_000


def safe_text(value: str) -> str:
    if value and value.startswith((*FORMULA_PREFIXES, ESCAPE)):
        return ESCAPE + value
    return value


def unescape_text(value: str) -> str:
    """The inverse of :func:`safe_text`: drop the quote it added, keep any other."""
    if value.startswith(ESCAPE) and value[1:].startswith((*FORMULA_PREFIXES, ESCAPE)):
        return value[1:]
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
        # Stored in UTC, shown in Asia/Shanghai: Excel has no time zones.
        if timezone.is_aware(value):
            value = timezone.localtime(value)
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


# ------------------------------------------------------------------ declared columns

TEXT = "text"  # free text
CODE = "code"  # digits that must stay text: region codes, phone and ID numbers
INT = "int"
DECIMAL = "decimal"
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"
CHOICE = "choice"  # a TextChoices value, written as its Chinese label


@dataclass(frozen=True)
class Column:
    """One column of a list's export and import layout.

    ``source`` is a dotted attribute path from the row object (``"lead_region.code"``)
    or a callable of the row. ``field`` names what the importer sets from this column
    (``None``: shown in the export, ignored on import). ``choices`` (a TextChoices class)
    turns stored values into labels and back. ``mask`` hides personal data from roles that
    see it masked (``Scope.sees_personal_data``).
    """

    header: Any
    source: str | Callable[[Any], Any]
    kind: str = TEXT
    field: str | None = None
    choices: Any = None
    mask: Callable[[str], str] | None = None
    width: int | None = None

    def raw(self, obj: Any) -> Any:
        if callable(self.source):
            return self.source(obj)
        value = obj
        for part in self.source.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def value(self, obj: Any, *, personal_data: bool = True, labels: dict | None = None) -> Any:
        value = self.raw(obj)
        if self.choices is not None and value not in (None, ""):
            value = labels[value] if labels is not None else str(self.choices(value).label)
        if self.mask is not None and not personal_data:
            value = self.mask(value or "")
        return value

    def display(self, value: Any) -> str:
        """A parsed import value as the preview shows it."""
        if value is None or value == "":
            return ""
        if self.choices is not None:
            return str(self.choices(value).label)
        if isinstance(value, bool):
            return "是" if value else "否"
        if self.kind == DATE and isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)


def _write_only_cell(sheet, value: Any, kind: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    if isinstance(cell.value, str):
        cell.number_format = "@"  # text: Excel keeps leading zeros and long digit strings
    elif isinstance(cell.value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(cell.value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif kind == DECIMAL:
        cell.number_format = "#,##0.00"
    return cell


def export_workbook(sheets: Sequence[tuple[str, Sequence[Column], Iterable[Any]]], *, personal_data: bool) -> bytes:
    """A workbook from ``(title, columns, objects)``: written row by row (openpyxl's
    write-only mode), so memory grows with the file, not with a cell object per value."""
    workbook = Workbook(write_only=True)
    for title, columns, objects in sheets:
        sheet = workbook.create_sheet(title=safe_sheet_title(str(title)))
        for index, column in enumerate(columns, start=1):
            width = column.width or max(8, len(str(column.header)) * 2 + 4)
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=safe_text(str(column.header)))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        # Choice labels translated once per export, not once per cell.
        labels = [
            {choice.value: str(choice.label) for choice in column.choices} if column.choices is not None else None
            for column in columns
        ]
        for obj in objects:
            sheet.append(
                [
                    _write_only_cell(sheet, column.value(obj, personal_data=personal_data, labels=label), column.kind)
                    for column, label in zip(columns, labels, strict=True)
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
