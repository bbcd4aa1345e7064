"""Helpers for the Excel tests: build, read and edit real .xlsx files, and snapshot the data."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook, load_workbook

from alliances.models import Alliance, Membership
from members.models import MemberOrganization, Person


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook with one sheet per title; the first row of each is its header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(data: bytes, title: str) -> list[dict[str, Any]]:
    """The data rows of one sheet as dicts by header."""
    sheet = load_workbook(io.BytesIO(data))[title]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def sheet_cells(data: bytes, title: str):
    return load_workbook(io.BytesIO(data))[title]


def edit(data: bytes, title: str, row: int, header: str, value: Any, *, as_text: bool = False) -> bytes:
    """Change one cell (``row`` is the Excel row number) and save, as a user would in Excel."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[title]
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=row, column=headers.index(header) + 1, value=value)
    if as_text:
        cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def append_row(data: bytes, title: str, values: dict[str, Any]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[title]
    headers = [cell.value for cell in sheet[1]]
    sheet.append([values.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_part(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same zip with one member's bytes changed (to plant hostile XML in a real workbook)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == part else content)
    return buffer.getvalue()


def snapshot() -> dict[str, Any]:
    """Every organization, person, alliance and membership with all their values, and how
    many history records each table has: equal snapshots mean nothing changed."""
    return {
        "organizations": list(MemberOrganization.objects.order_by("pk").values()),
        "people": list(Person.objects.order_by("pk").values()),
        "alliances": list(Alliance.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "history": [
            MemberOrganization.history.count(),
            Person.history.count(),
            Alliance.history.count(),
            Membership.history.count(),
        ],
    }
