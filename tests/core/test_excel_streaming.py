"""A list's Excel export is streamed: written as the rows are read, sent as it is written.

The first bytes leave before any row is read, the worker holds one piece of the file at a
time, and the file Excel opens at the end holds every row with its cells' types.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import runpy
import tracemalloc
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core import excel, heartbeat, views_base
from core.excel import DATE, DECIMAL, INT, Column, export_rows, stream_workbook
from projects.layouts import PROJECT_COLUMNS, REPORT_COLUMNS
from projects.models import ProgressReport, Project, ReportStatus
from tests.projects.factories import ProjectFactory
from tests.projects.test_api import many_projects

SHEET = "项目清单"


def export_response(client, **params):
    response = client.get(reverse("projects:list"), {**params, "export": "xlsx"})
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_an_export_of_many_projects_opens_with_every_row_and_the_types_of_its_cells(client, world):
    many_projects(world, n=250)
    ProjectFactory(
        alliance=world.alliance_a,
        title="红芽姜深加工",
        planned_investment=Decimal("1234567.89"),
        land_mu=Decimal("42.75"),
        households_benefited=120,
        start_on=datetime.date(2026, 3, 2),
        status="in_progress",
    )
    client.force_login(world.alice)
    workbook = load_workbook(io.BytesIO(export_response(client).getvalue()))
    sheet = workbook[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert len(rows) == 1 + 251
    assert sorted(row[headers.index("项目名称")] for row in rows[1:]) == sorted(
        Project.objects.values_list("title", flat=True)
    )
    number = next(n for n, row in enumerate(rows, start=1) if row[headers.index("项目名称")] == "红芽姜深加工")

    def cell(header: str):
        return sheet.cell(row=number, column=headers.index(header) + 1)

    money = cell("计划投资（元）")
    assert (money.value, money.data_type, money.number_format) == (1234567.89, "n", "#,##0.00")
    assert (cell("涉及土地（亩）").value, cell("涉及土地（亩）").data_type) == (42.75, "n")
    assert (cell("受益户数").value, cell("受益户数").data_type) == (120, "n")
    started = cell("开工日期")
    assert (started.value, started.is_date, started.number_format) == (
        datetime.datetime(2026, 3, 2),
        True,
        "yyyy-mm-dd",
    )
    code = cell("联盟编号")
    assert (code.value, code.data_type, code.number_format) == (world.alliance_a.code, "s", "@")
    assert cell("状态").value == "推进中"
    assert sheet.freeze_panes == "A2"
    assert all(header.font.b for header in sheet[1])
    assert sheet.column_dimensions["A"].width == 16


@pytest.mark.django_db
def test_an_export_is_streamed_and_its_first_bytes_leave_before_any_row_is_read(client, world):
    many_projects(world, n=120)
    client.force_login(world.alice)
    response = export_response(client)
    assert response.streaming and not response.has_header("Content-Length")
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
    pieces = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as captured:
        first = next(pieces)
    assert first.startswith(b"PK\x03\x04") and captured.captured_queries == []
    rows = list(load_workbook(io.BytesIO(first + b"".join(pieces)))[SHEET].iter_rows(values_only=True))
    assert len(rows) == 1 + 120


def many_rows(n: int):
    """n rows of text that does not compress to nothing, made one at a time."""
    return (SimpleNamespace(code=f"{i:08d}", text=hashlib.sha256(str(i).encode()).hexdigest()) for i in range(n))


COLUMNS = [Column("编号", "code"), Column("摘要", "text")]


def test_a_large_workbook_comes_in_pieces_of_about_the_chunk_size():
    pieces = list(stream_workbook([("表", COLUMNS, many_rows(20_000))], personal_data=True))
    assert len(pieces) > 10
    assert max(len(piece) for piece in pieces) < 4 * excel.STREAM_CHUNK_BYTES
    sheet = load_workbook(io.BytesIO(b"".join(pieces)), read_only=True)["表"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 20_000 and rows[-1][0] == "00019999"


def test_the_memory_a_workbook_takes_to_write_does_not_grow_with_its_rows():
    def peak(n: int) -> int:
        tracemalloc.start()
        try:
            for _piece in stream_workbook([("表", COLUMNS, many_rows(n))], personal_data=True):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(2_000), peak(40_000)
    assert large < small * 1.5


@pytest.mark.django_db
def test_the_queries_of_an_export_do_not_grow_with_its_rows_over_many_cursor_chunks(client, world, monkeypatch):
    monkeypatch.setattr(views_base, "EXPORT_CHUNK_SIZE", 7)
    client.force_login(world.alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            data = export_response(client).getvalue()
        assert len(load_workbook(io.BytesIO(data))[SHEET]["A"]) == 1 + Project.objects.count()
        return len(captured.captured_queries)

    many_projects(world, n=10)
    small = queries()
    Project.objects.all().delete()
    many_projects(world, n=100)
    assert queries() == small


@pytest.mark.django_db
def test_an_export_whose_columns_are_all_fields_gives_the_same_file_from_values_as_from_the_rows(world):
    many_projects(world, n=30)
    ProjectFactory(
        alliance=world.alliance_a,
        title="=危险公式",
        responsible_organization=None,
        responsible_person=None,
        planned_investment=Decimal("1234567.89"),
        status="delayed",
    )
    projects = Project.objects.for_lists(datetime.date.today()).order_by("pk")
    read = list(export_rows(projects, PROJECT_COLUMNS, chunk_size=7))
    assert all(isinstance(row, dict) for row in read)  # no model instance built per row
    assert "progress" not in read[0]  # annotations no column reads are not computed

    def workbook(rows) -> list:
        data = b"".join(stream_workbook([(SHEET, PROJECT_COLUMNS, rows)], personal_data=False))
        return list(load_workbook(io.BytesIO(data))[SHEET].iter_rows(values_only=True))

    from_values, from_rows = workbook(read), workbook(projects.iterator())
    assert from_values == from_rows and len(from_values) == 1 + 31
    empty = next(row for row in from_values if row[3] == "'=危险公式")
    assert empty[5:8] == (None, None, None)  # no responsible organization, region code or person


@pytest.mark.django_db
def test_an_export_with_a_column_the_database_cannot_read_gets_the_rows_themselves(world):
    many_projects(world, n=3)
    reports = ProgressReport.objects.select_related("project__alliance").annotate(files=Count("attachments"))

    def read(*columns: Column) -> list:
        return list(export_rows(reports, columns, chunk_size=2))

    code = Column("联盟编号", "project.alliance.code")
    assert all(isinstance(row, dict) for row in read(code, Column("附件数", "files")))  # a field path, an annotation
    for column in (
        Column("填报周", "week_label"),  # a property
        Column("联盟", "project.alliance"),  # a relation, not a value
        Column("项目", lambda report: report.project.title),
    ):
        assert all(isinstance(row, ProgressReport) for row in read(code, column)), column.source
    rows = list(export_rows(reports, REPORT_COLUMNS, chunk_size=2))
    assert rows and all(isinstance(row, ProgressReport) for row in rows)


@pytest.mark.django_db
def test_a_streamed_export_tells_the_worker_it_is_making_progress_after_each_piece(client, world, monkeypatch):
    many_projects(world, n=60)
    beats = []
    monkeypatch.setattr(heartbeat, "_beat", lambda: beats.append(1))
    client.force_login(world.alice)
    pieces = list(export_response(client).streaming_content)
    assert len(pieces) > 1 and len(beats) == len(pieces)


def test_gunicorn_workers_hand_their_heartbeat_to_streamed_responses(monkeypatch):
    monkeypatch.setattr(heartbeat, "_beat", None)
    heartbeat.still_working()  # without a server: nothing to tell, no error
    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"))
    beats = []
    config["post_fork"](None, SimpleNamespace(notify=lambda: beats.append(1)))
    heartbeat.still_working()
    heartbeat.still_working()
    assert beats == [1, 1]


def streamed(values: list, kind: str = "text") -> list:
    rows = [SimpleNamespace(value=value) for value in values]
    data = b"".join(stream_workbook([("表", [Column("值", "value", kind)], rows)], personal_data=True))
    return [row[0] for row in load_workbook(io.BytesIO(data))["表"].iter_rows(min_row=2, values_only=True)]


def test_text_xml_has_a_meaning_for_is_written_as_it_is():
    text = ["<b>A & B</b>", "  两端空格  ", "第一行\r\n第二行", "引号\"和'撇号", "制表\t符"]
    assert streamed(text) == text


def test_characters_xml_cannot_hold_are_dropped_not_a_broken_file():
    assert streamed(["铃\x07声", "\x00\x1f空\x0b字符\ufffe"]) == ["铃声", "空字符"]


def test_text_that_would_run_as_a_formula_stays_text():
    assert streamed(["=1+1", "+86 574", "-5", "@SUM(A1)", "'引号开头"]) == [
        "'=1+1",
        "'+86 574",
        "'-5",
        "'@SUM(A1)",
        "''引号开头",
    ]


def test_numbers_dates_and_empty_cells_keep_their_types():
    moment = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    assert streamed([Decimal("1234.50"), None, Decimal("-0.01")], DECIMAL) == [1234.5, None, -0.01]
    assert streamed([7, 0, True, False], INT) == [7, 0, "是", "否"]
    assert streamed([datetime.date(2026, 1, 31), moment], DATE) == [
        datetime.datetime(2026, 1, 31),
        datetime.datetime(2026, 3, 2, 17, 30),  # shown in Asia/Shanghai
    ]
    assert streamed([float("nan"), Decimal("Infinity")], DECIMAL) == ["nan", "Infinity"]


def test_each_kind_of_value_gets_its_cell_type_and_format_whether_a_row_is_values_or_an_object():
    columns = [
        Column("金额", "money", DECIMAL),
        Column("面积", "area", INT),  # a decimal in a column that is not money: no money format
        Column("日期", "day", DATE),
        Column("数量", "count", INT),
        Column("编号", "code"),
        Column("状态", "status", choices=ReportStatus),
        Column("电话", "phone", mask=lambda text: text[:3] + "****"),
    ]
    row = {
        "money": Decimal("1234.50"),
        "area": Decimal("2.5"),
        "day": datetime.date(2026, 1, 31),
        "count": 12,
        "code": "007",
        "status": ReportStatus.SUBMITTED.value,
        "phone": "13800001111",
    }
    cells = []
    for rows in ([row], [SimpleNamespace(**row)]):
        data = b"".join(stream_workbook([("表", columns, rows)], personal_data=False))
        sheet = load_workbook(io.BytesIO(data))["表"]
        cells.append([(cell.value, cell.data_type, cell.number_format) for cell in sheet[2]])
    assert (
        cells[0]
        == cells[1]
        == [
            (1234.5, "n", "#,##0.00"),
            (2.5, "n", "General"),
            (datetime.datetime(2026, 1, 31), "d", "yyyy-mm-dd"),
            (12, "n", "General"),
            ("007", "s", "@"),
            (str(ReportStatus.SUBMITTED.label), "s", "@"),
            ("138****", "s", "@"),
        ]
    )


@pytest.mark.parametrize(
    "value, kind",
    [
        ("代码007", "code"),
        ("=1+1", "text"),
        (" 两端空格 ", "text"),
        ("", "text"),
        (None, "int"),
        (12, "int"),
        (True, "bool"),
        (Decimal("1234.50"), DECIMAL),
        (Decimal("2.5"), INT),
        (Decimal("NaN"), DECIMAL),
        (2.75, "text"),
        (datetime.date(2026, 1, 31), DATE),
        (datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC), "datetime"),
    ],
)
def test_a_cell_written_in_the_rows_loop_is_the_cell_the_general_writer_gives(value, kind):
    """The sheet's loop writes common types itself for speed; each must be what
    ``excel._cell`` writes for the same value."""
    rows = "".join(excel._sheet_rows([Column("值", "value", kind)], [{"value": value}], personal_data=True))
    row = rows.split('<row r="2">', 1)[1].split("</row>", 1)[0]
    assert row == excel._cell("A2", value, kind)
