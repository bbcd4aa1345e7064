"""Hostile and wrong files, generated here for real, are refused and do no harm."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from alliances.models import Alliance
from core import imports
from core.imports import FileRefused, check_container, run_import
from members.models import ImportJob
from tests.core.factories import rewrite_part, snapshot, xlsx

pytestmark = pytest.mark.django_db

ALLIANCE_HEADERS = [
    "联盟编号",
    "联盟名称",
    "牵头区域代码",
    "组建模式",
    "其他模式名称",
    "联建范围",
    "状态",
    "示范性联盟",
    "认定年份",
    "成立日期",
]


def alliance_row(code: str = "LM-NEW-1", name: str = "新联盟") -> list:
    return [code, name, "330212001000", "产业链接", None, "跨领域", "组建中", "否", None, "2025-03-01"]


def a_workbook() -> bytes:
    return xlsx({"党建联盟": [ALLIANCE_HEADERS, alliance_row()]})


def refused(data: bytes, world) -> str:
    with pytest.raises(FileRefused) as info:
        run_import(data, actor=world.alice, commit=True)
    return str(info.value)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
    )
    + b"]>\n"
)


def plant_doctype(doctype: bytes, entity: bytes):
    """Put a DOCTYPE before the root element and an entity reference in a text or a name."""

    def change(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1].lstrip() if xml.startswith(b"<?xml") else xml
        if b"<t>" in body:  # a worksheet's inline strings
            return doctype + body.replace(b"<t>", b"<t>" + entity, 1)
        return doctype + body.replace('name="党建联盟"'.encode(), b'name="' + entity + b'"', 1)  # the workbook

    return change


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_a_billion_laughs_inside_the_workbook_is_refused_without_expanding(world, part):
    data = rewrite_part(a_workbook(), part, plant_doctype(BILLION_LAUGHS, b"&lol9;"))
    planted = zipfile.ZipFile(io.BytesIO(data)).read(part)
    assert b"<!ENTITY lol9" in planted and b"&lol9;" in planted.split(b"]>", 1)[1]
    started = time.monotonic()
    assert "实体声明" in refused(data, world)
    assert time.monotonic() - started < 5
    assert not Alliance.objects.filter(code="LM-NEW-1").exists()


def test_an_external_entity_is_refused_and_never_read(world, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    data = rewrite_part(a_workbook(), "xl/worksheets/sheet1.xml", plant_doctype(doctype, b"&xxe;"))
    assert "实体声明" in refused(data, world)
    assert not Alliance.objects.filter(name__contains="TOP-SECRET").exists()


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    from openpyxl.xml import functions

    assert functions.iterparse.__module__.startswith("defusedxml")


def zip_bomb(size_mb: int = 50) -> bytes:
    """A real workbook plus one part of zeros that inflates ~1000 times."""
    buffer = io.BytesIO(a_workbook())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/zeros.bin", "w") as part:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(size_mb):
            part.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_without_inflating_anything(world, monkeypatch):
    data = zip_bomb()
    assert len(data) < 200 * 1024  # 50 MB of zeros in well under 200 KB

    def never(*args, **kwargs):
        raise AssertionError("a part was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    with pytest.raises(FileRefused, match="压缩炸弹"):
        check_container(data)


def test_parts_that_inflate_past_the_bound_are_refused(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UNCOMPRESSED_BYTES", 64 * 1024)
    buffer = io.BytesIO(a_workbook())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/noise.bin", bytes(range(256)) * 400)
    assert "解压后超过" in refused(buffer.getvalue(), world)


def test_a_formula_cell_is_an_error_on_that_cell_and_never_evaluated(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党建联盟"
    sheet.append(ALLIANCE_HEADERS)
    sheet.append(alliance_row())
    sheet["B2"] = '=HYPERLINK("http://evil.example","x")'
    sheet.append(alliance_row("LM-NEW-2", "正常联盟"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(buffer.getvalue(), actor=world.alice, commit=True)
    (row,) = [r for r in report.sheets[0].rows if r.errors]
    assert row.number == 2
    assert row.errors == [("联盟名称", "单元格含公式，导入时不计算公式，请复制后“粘贴为数值”再导入。")]
    assert not Alliance.objects.filter(code__startswith="LM-NEW").exists()


def test_text_that_starts_with_an_equals_sign_is_kept_as_plain_text(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党建联盟"
    sheet.append(ALLIANCE_HEADERS)
    sheet.append(alliance_row())
    sheet["B2"] = "=1+1"
    sheet["B2"].data_type = "s"  # typed as text in Excel (a leading apostrophe)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run_import(buffer.getvalue(), actor=world.alice, commit=True).committed
    assert Alliance.objects.get(code="LM-NEW-1").name == "=1+1"


def test_a_file_over_5_mb_is_refused_before_parsing(client, world):
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/media/photo.bin", bytes(range(256)) * (21 * 1024))
    data = big.getvalue()
    assert len(data) > 5 * 1024 * 1024
    assert "超过上限 5 MB" in refused(data, world)
    client.force_login(world.alice)
    response = client.post(reverse("members:import"), {"file": SimpleUploadedFile("大文件.xlsx", data)})
    assert response.status_code == 200
    assert "超过上限 5 MB" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()  # refused before any job is made


def many_rows(n: int, *, dimension: str | None) -> bytes:
    """n data rows, written row by row; ``dimension`` is the size the sheet claims (or none)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党建联盟")
    sheet.append(ALLIANCE_HEADERS)
    for i in range(n):
        sheet.append(alliance_row(f"LM-N-{i:05d}", f"联盟{i}"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if dimension:
        claim = f'</sheetPr><dimension ref="{dimension}"/>'.encode()
        data = rewrite_part(data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</sheetPr>", claim, 1))
        assert claim in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    return data


@pytest.mark.parametrize("dimension", ["A1:J20002", "A1:J2", None])
def test_20001_rows_are_refused_with_a_clear_message(world, dimension):
    data = many_rows(20_001, dimension=dimension)
    before = snapshot()
    started = time.monotonic()
    assert refused(data, world) == "文件超过 20,000 行数据，请拆分后分批导入。"
    assert time.monotonic() - started < 30
    assert snapshot() == before


def test_a_sheet_that_claims_fewer_rows_than_it_has_is_still_read_whole(world):
    report = run_import(many_rows(3, dimension="A1:J2"), actor=world.alice, commit=False)
    assert [(row.number, row.action) for row in report.sheets[0].rows] == [(2, "create"), (3, "create"), (4, "create")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body><table><tr><td>LM-1</td></tr></table></body></html>", "不是 Excel（.xlsx）文件"),
        ("联盟编号,联盟名称\nLM-1,新联盟\n".encode(), "不是 Excel（.xlsx）文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "旧版 Excel（.xls）"),
        (b"PK\x03\x04 not really a zip", "文件已损坏"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused_by_its_content(client, world, content, message):
    client.force_login(world.alice)
    response = client.post(reverse("members:import"), {"file": SimpleUploadedFile("联盟.xlsx", content)})
    assert message in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()  # refused before any job is made


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<document/>")
    assert "不是 Excel（.xlsx）工作簿" in refused(buffer.getvalue(), world)


def test_a_file_with_no_known_sheet_imports_nothing_and_says_so(client, world):
    client.force_login(world.alice)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("members:import"),
            {"file": SimpleUploadedFile("x.xlsx", xlsx({"Sheet1": [["编号"], ["LM-1"]]}))},
        )
    page = client.get(response["Location"]).content.decode()
    assert "文件中没有可导入的工作表" in page and "Sheet1" in page
    assert 'id="confirm-import"' not in page
