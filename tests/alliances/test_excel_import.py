"""Import from the export layout: preview every row, then all or nothing, through the services."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import resolve, reverse

from alliances.layouts import ALLIANCE_COLUMNS, MEMBERSHIP_COLUMNS
from alliances.models import Alliance, Membership
from core import imports
from core.imports import run_import
from members.layouts import ORGANIZATION_COLUMNS, PERSON_COLUMNS
from members.models import ImportJob, ImportState, MemberOrganization, Person
from projects.layouts import PROJECT_COLUMNS
from projects.models import Project
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.alliances.test_api import many_alliances
from tests.core.factories import append_row, edit, sheet_rows, snapshot, xlsx
from tests.members.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def export(client, url_name: str, **params) -> bytes:
    response = client.get(reverse(url_name), {**params, "export": "xlsx"})
    assert response.status_code == 200
    return response.getvalue()


def errors_of(report) -> list[tuple[str, int, str, str]]:
    """(sheet, row number, column header, message) of every row error."""
    return [
        (sheet.title, row.number, header, message)
        for sheet in report.sheets
        for row in sheet.rows
        for header, message in row.errors
    ]


def new_alliance_row(**values) -> dict:
    return {
        "联盟编号": "LM-NEW-1",
        "联盟名称": "新建示范联盟",
        "牵头区域代码": "330212001000",
        "组建模式": "产业链接",
        "其他模式名称": None,
        "联建范围": "跨领域",
        "状态": "组建中",
        "示范性联盟": "否",
        "认定年份": None,
        "成立日期": datetime.date(2025, 3, 1),
    } | values


# ------------------------------------------------------------------ round trip


def test_an_exported_alliance_file_imports_back_with_no_change_at_all(client, world):
    many_alliances(world, n=12)
    MembershipFactory(
        alliance=world.alliance_a, organization__region=world.village_a, left_on=datetime.date(2024, 6, 1)
    )
    world.alliance_a2.is_demonstration, world.alliance_a2.demonstration_year = True, 2024
    world.alliance_a2.save()
    client.force_login(world.alice)
    data = export(client, "alliances:list")
    before = snapshot()
    report = run_import(data, actor=world.alice, commit=True)
    assert report.committed and errors_of(report) == []
    assert report.counts == {"create": 0, "update": 0, "unchanged": 14 + 12 * 2 + 2, "error": 0}
    assert snapshot() == before  # no row, no value, no history record changed


def test_an_exported_organization_file_with_people_imports_back_with_no_change(client, world):
    world.org_a.contact_phone, world.org_a.star_rating = "0574-87654321", None
    world.org_a.save()
    PersonFactory(name="赵敏", mobile="", organization=world.org_a, title="'=委员", is_party_member=False)
    OrganizationFactory(name="=SUM(A1)", region=world.village_a, kind="enterprise")
    client.force_login(world.alice)
    data = export(client, "members:organization-list")
    before = snapshot()
    report = run_import(data, actor=world.alice, commit=True)
    assert errors_of(report) == []
    assert report.counts["unchanged"] == len(sheet_rows(data, "成员单位")) + len(sheet_rows(data, "人员"))
    assert report.counts["create"] == report.counts["update"] == 0
    assert snapshot() == before


# ------------------------------------------------------------------ changes


def test_an_edited_cell_updates_that_row_through_the_service_and_keeps_history(client, world):
    client.force_login(world.alice)
    data = edit(export(client, "alliances:list"), "党建联盟", 2, "联盟名称", "姜山共富联盟（二期）")
    history = world.alliance_a.history.count()
    preview = run_import(data, actor=world.alice, commit=False)
    (row,) = [r for r in preview.sheets[0].rows if r.action == "update"]
    assert row.number == 2 and row.changes == [("联盟名称", "姜山共富联盟", "姜山共富联盟（二期）")]
    world.alliance_a.refresh_from_db()
    assert world.alliance_a.name == "姜山共富联盟"  # the preview saved nothing
    run_import(data, actor=world.alice, commit=True)
    world.alliance_a.refresh_from_db()
    assert world.alliance_a.name == "姜山共富联盟（二期）"
    assert world.alliance_a.history.count() == history + 1
    assert world.alliance_a.history.first().history_type == "~"


def test_new_rows_create_alliances_organizations_people_and_memberships(client, world):
    client.force_login(world.alice)
    organizations = export(client, "members:organization-list")
    organizations = append_row(
        organizations,
        "成员单位",
        {"区划代码": "330212001001", "单位名称": "走马塘果蔬合作社", "单位类型": "合作社", "星级": 3},
    )
    organizations = append_row(
        organizations,
        "人员",
        {
            "区划代码": "330212001001",
            "所在单位": "走马塘果蔬合作社",
            "姓名": "陈晓",
            "手机号码": "13700001111",
            "党员": "是",
        },
    )
    report = run_import(organizations, actor=world.alice, commit=True)
    assert report.committed, errors_of(report)
    cooperative = MemberOrganization.objects.get(name="走马塘果蔬合作社")
    assert (cooperative.kind, cooperative.star_rating, cooperative.region) == ("cooperative", 3, world.village_a)
    assert Person.objects.get(name="陈晓").organization == cooperative

    alliances = append_row(export(client, "alliances:list"), "党建联盟", new_alliance_row())
    alliances = append_row(
        alliances,
        "联盟成员",
        {
            "联盟编号": "LM-NEW-1",
            "区划代码": "330212001001",
            "成员单位": "走马塘果蔬合作社",
            "角色": "牵头单位",
            "加入日期": "2025-03-01",
        },
    )
    report = run_import(alliances, actor=world.alice, commit=True)
    assert report.committed, errors_of(report)
    alliance = Alliance.objects.get(code="LM-NEW-1")
    assert (alliance.formation_mode, alliance.scope, alliance.status) == ("industry_chain", "cross_field", "forming")
    assert alliance.memberships.get().organization == cooperative


def test_a_leaving_date_ends_the_current_membership_and_the_role_cannot_change(client, world):
    client.force_login(world.alice)
    data = export(client, "alliances:list")
    left = edit(data, "联盟成员", 2, "退出日期", datetime.date(2025, 12, 31))
    assert run_import(left, actor=world.alice, commit=True).committed
    membership = Membership.objects.get(alliance=world.alliance_a, organization=world.org_a)
    assert membership.left_on == datetime.date(2025, 12, 31)
    assert membership.history.first().history_type == "~"

    role = edit(export(client, "alliances:list"), "联盟成员", 2, "角色", "成员单位")
    assert errors_of(run_import(role, actor=world.alice, commit=True)) == [
        ("联盟成员", 2, "角色", "已登记成员的角色不能通过导入修改，请先办理退出再重新加入。")
    ]


def test_a_person_with_a_new_mobile_is_a_new_person(client, world):
    client.force_login(world.alice)
    data = export(client, "members:organization-list", q="走马塘")
    rows = sheet_rows(data, "人员")
    number = 2 + [r["姓名"] for r in rows].index("王建国")
    report = run_import(edit(data, "人员", number, "手机号码", "13912340000"), actor=world.alice, commit=True)
    assert report.counts["create"] == 1
    assert sorted(Person.objects.filter(name="王建国").values_list("mobile", flat=True)) == [
        "13812345678",
        "13912340000",
    ]


# ------------------------------------------------------------------ all or nothing


def test_one_bad_row_imports_nothing_and_names_its_row_and_column(client, world):
    client.force_login(world.alice)
    data = append_row(export(client, "alliances:list"), "党建联盟", new_alliance_row())
    data = append_row(data, "党建联盟", new_alliance_row(**{"联盟编号": "LM-NEW-2", "状态": "半停工"}))
    data = append_row(data, "党建联盟", new_alliance_row(**{"联盟编号": "LM-NEW-3"}))
    data = edit(data, "党建联盟", 2, "联盟名称", "改过的名字")
    before = snapshot()
    report = run_import(data, actor=world.alice, commit=True)
    assert not report.committed
    assert errors_of(report) == [
        ("党建联盟", 5, "状态", "“半停工”不是可选的值，可选：组建中、运行中、整顿中、已撤销。"),
    ]
    assert snapshot() == before
    assert not Alliance.objects.filter(code__in=["LM-NEW-1", "LM-NEW-3"]).exists()


def test_a_service_refusal_is_shown_on_the_column_of_the_field(world):
    data = xlsx(
        {
            "党建联盟": [
                list(new_alliance_row()),
                list(new_alliance_row(**{"示范性联盟": "是"}).values()),
                list(new_alliance_row(**{"联盟编号": "LM-NEW-2", "联盟名称": ""}).values()),
            ]
        }
    )
    report = run_import(data, actor=world.alice, commit=True)
    assert ("党建联盟", 2, "认定年份", "示范性联盟必须填写认定年份。") in errors_of(report)
    assert [(sheet, row, header) for sheet, row, header, _m in errors_of(report) if row == 3] == [
        ("党建联盟", 3, "联盟名称")
    ]
    assert not Alliance.objects.filter(code__startswith="LM-NEW").exists()


def test_the_same_record_twice_in_one_file_is_an_error_naming_both_rows(client, world):
    client.force_login(world.alice)
    data = append_row(export(client, "alliances:list"), "党建联盟", new_alliance_row())
    data = append_row(data, "党建联盟", new_alliance_row(**{"联盟名称": "另一个名字"}))
    report = run_import(data, actor=world.alice, commit=True)
    assert errors_of(report) == [("党建联盟", 5, "联盟编号", "与第 4 行是同一条记录，请合并为一行。")]
    assert not Alliance.objects.filter(code="LM-NEW-1").exists()


def layout(columns, *rows: dict) -> list[list]:
    """A sheet of the export layout: its headers, then each row's cells by header."""
    headers = [str(column.header) for column in columns]
    return [headers, *([row.get(header) for header in headers] for row in rows)]


def whole_file(*, alliance_status: str = "组建中", unit_kind: str = "合作社") -> bytes:
    """One file that creates a unit, its person, an alliance, the unit's membership and a
    project, each later sheet referring to what an earlier one creates (sheets in any order)."""
    unit = {"区划代码": "330212001001", "单位名称": "走马塘果蔬合作社"}
    return xlsx(
        {
            "项目清单": layout(
                PROJECT_COLUMNS,
                {
                    "联盟编号": "LM-NEW-1",
                    "年度": 2026,
                    "项目名称": "村集体光伏电站",
                    "项目类别": "民生实事",
                    "责任单位": unit["单位名称"],
                    "责任单位区划代码": unit["区划代码"],
                    "责任人": "陈晓",
                    "开工日期": datetime.date(2026, 3, 1),
                    "计划完成日期": datetime.date(2026, 11, 30),
                },
            ),
            "联盟成员": layout(
                MEMBERSHIP_COLUMNS,
                {"联盟编号": "LM-NEW-1", "成员单位": unit["单位名称"], "区划代码": unit["区划代码"], "角色": "牵头单位"}
                | {"加入日期": "2025-03-01"},
            ),
            "党建联盟": layout(ALLIANCE_COLUMNS, new_alliance_row(**{"状态": alliance_status})),
            "人员": layout(
                PERSON_COLUMNS,
                {"区划代码": unit["区划代码"], "所在单位": unit["单位名称"], "姓名": "陈晓", "手机号码": "13700001111"}
                | {"党员": "是"},
            ),
            "成员单位": layout(ORGANIZATION_COLUMNS, unit | {"单位类型": unit_kind}),
        }
    )


def test_records_created_by_earlier_sheets_of_the_file_are_found_by_later_ones_in_preview_and_confirm(client, world):
    client.force_login(world.tina)
    job = upload_job(client, whole_file(), "新联盟.xlsx")
    assert job.state == ImportState.PREVIEWED
    assert job.summary["counts"] == {"create": 5, "update": 0, "unchanged": 0, "error": 0}
    assert not Alliance.objects.filter(code="LM-NEW-1").exists()  # the preview saved nothing
    confirm(client, job)
    project = Project.objects.get(title="村集体光伏电站")
    assert project.alliance.code == "LM-NEW-1" and project.responsible_person.name == "陈晓"
    assert project.alliance.memberships.get().organization == project.responsible_organization


def test_a_reference_to_a_row_of_the_same_file_that_has_an_error_names_that_row(world):
    report = run_import(whole_file(alliance_status="半停工", unit_kind="公司"), actor=world.alice, commit=False)
    unit = "“330212001001 走马塘果蔬合作社”在本文件“成员单位”表第 2 行，该行有错误未能导入；改正该行后本行即可导入。"
    alliance = "“LM-NEW-1”在本文件“党建联盟”表第 2 行，该行有错误未能导入；改正该行后本行即可导入。"
    assert errors_of(report) == [
        (
            "成员单位",
            2,
            "单位类型",
            "“公司”不是可选的值，可选：村、社区、机关、企业、事业单位、两新组织、合作社、高校院所。",
        ),
        ("人员", 2, "所在单位", unit),
        ("党建联盟", 2, "状态", "“半停工”不是可选的值，可选：组建中、运行中、整顿中、已撤销。"),
        ("联盟成员", 2, "联盟编号", alliance),
        ("联盟成员", 2, "成员单位", unit),
        ("项目清单", 2, "联盟编号", alliance),
        ("项目清单", 2, "责任单位", unit),
    ]


def test_a_sheet_missing_a_column_is_refused_as_a_whole(world):
    headers = [h for h in new_alliance_row() if h != "联建范围"]
    data = xlsx({"党建联盟": [headers, [new_alliance_row()[h] for h in headers]]})
    report = run_import(data, actor=world.alice, commit=True)
    assert not report.ok and report.sheets[0].errors == ["缺少列：联建范围。"]
    assert not Alliance.objects.filter(code="LM-NEW-1").exists()


def test_bad_cells_are_named_by_row_and_column(world):
    row = new_alliance_row(**{"成立日期": "去年春天", "示范性联盟": "也许", "认定年份": "二〇二四"})
    data = xlsx({"党建联盟": [list(row), list(row.values())]})
    assert set(errors_of(run_import(data, actor=world.alice, commit=False))) == {
        ("党建联盟", 2, "成立日期", "请填写日期，例如 2024-05-01。"),
        ("党建联盟", 2, "示范性联盟", "请填写“是”或“否”。"),
        ("党建联盟", 2, "认定年份", "请填写整数。"),
    }


# ------------------------------------------------------------------ scope


def test_rows_outside_the_importers_region_are_refused_row_by_row(client, world):
    client.force_login(world.alice)
    data = export(client, "alliances:list")
    data = append_row(data, "党建联盟", new_alliance_row(**{"联盟编号": "LM-B-NEW", "牵头区域代码": "330921001000"}))
    data = append_row(
        data,
        "联盟成员",
        {
            "联盟编号": "LM-B-1",
            "区划代码": "330212001001",
            "成员单位": "走马塘村党委",
            "角色": "成员单位",
            "加入日期": "2025-01-01",
        },
    )
    data = append_row(
        data,
        "联盟成员",
        {
            "联盟编号": "LM-A-2",
            "区划代码": "330921001000",
            "成员单位": "高亭社区党委",
            "角色": "成员单位",
            "加入日期": "2025-01-01",
        },
    )
    before = snapshot()
    report = run_import(data, actor=world.alice, commit=True)
    assert errors_of(report) == [
        ("党建联盟", 4, "牵头区域代码", "您没有权限修改该区域的数据。"),
        ("联盟成员", 3, "联盟编号", "找不到您管辖范围内编号为 LM-B-1 的联盟。"),
        ("联盟成员", 4, "成员单位", "在区划 330921001000 下找不到您管辖范围内名为“高亭社区党委”的成员单位。"),
    ]
    assert snapshot() == before


def test_another_countys_organization_of_the_same_name_is_not_touched(world):
    data = xlsx(
        {
            "成员单位": [
                ["区划代码", "单位名称", "单位类型", "星级", "联系电话"],
                ["330921001000", "高亭社区党委", "社区", 1, None],
            ]
        }
    )
    report = run_import(data, actor=world.alice, commit=True)
    assert errors_of(report) == [("成员单位", 2, "区划代码", "您没有权限修改该区域的数据。")]
    world.org_b.refresh_from_db()
    assert world.org_b.star_rating == 4


# ------------------------------------------------------------------ the pages


def upload(client, data: bytes, name: str = "联盟.xlsx", **extra):
    """Post the file; the preview task it queues runs inline (no broker in the tests)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data), **extra})


def upload_job(client, data: bytes, name: str = "联盟.xlsx", **extra) -> ImportJob:
    response = upload(client, data, name, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=resolve(response["Location"]).kwargs["pk"])


def confirm(client, job: ImportJob):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("members:import-confirm", args=[job.pk]))


def test_upload_preview_confirm_saves_and_deletes_the_kept_file(client, world):
    client.force_login(world.alice)
    data = append_row(export(client, "alliances:list"), "党建联盟", new_alliance_row())
    job = upload_job(client, data, next=reverse("alliances:list"))
    assert default_storage.exists(job.file.name) and job.file.name.startswith("imports/jobs/")
    assert "联盟" not in job.file.name  # stored under a random name, not the user's

    page = client.get(job.get_absolute_url()).content.decode()
    assert "确认后将新增 1 行" in page and "LM-NEW-1 新建示范联盟" in page
    assert not Alliance.objects.filter(code="LM-NEW-1").exists()

    name = job.file.name
    response = confirm(client, job)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert Alliance.objects.get(code="LM-NEW-1").name == "新建示范联盟"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "已导入：新增 1 行" in page and f'href="{reverse("alliances:list")}"' in page
    assert not default_storage.exists(name)
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.finished_at is not None


def test_the_preview_lists_the_errors_and_offers_no_confirm(client, world):
    client.force_login(world.alice)
    data = append_row(export(client, "alliances:list"), "党建联盟", new_alliance_row(**{"状态": "半停工"}))
    job = upload_job(client, data)
    page = client.get(job.get_absolute_url()).content.decode()
    assert page.count('<tr class="row-') == 1  # the rows that change nothing are only counted
    assert "第 4 行「状态」：“半停工”不是可选的值" in page
    assert 'id="confirm-import"' not in page


def test_the_preview_shows_a_cleared_cell_as_empty_in_the_users_language(client, world):
    world.org_a.star_rating = 3
    world.org_a.save()
    client.force_login(world.alice)
    data = export(client, "members:organization-list")
    row = next(i for i, r in enumerate(sheet_rows(data, "成员单位"), start=2) if r["单位名称"] == world.org_a.name)
    job = upload_job(client, edit(data, "成员单位", row, "星级", ""), name="成员单位.xlsx")
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<li>星级：<del>3</del> → （空）</li>" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<del>3</del> → (empty)</li>" in page


def test_confirm_with_an_error_saves_nothing_and_shows_the_errors(client, world):
    client.force_login(world.alice)
    job = upload_job(client, append_row(export(client, "alliances:list"), "党建联盟", new_alliance_row()))
    AllianceFactory(code="LM-NEW-1", lead_region=world.town_b)  # taken meanwhile in another county
    confirm(client, job)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert not Alliance.objects.filter(code="LM-NEW-1", lead_region=world.town_a).exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "未导入任何数据" in page and 'class="row-error"' in page


def test_a_kept_file_changed_on_disk_is_not_imported(client, world):
    client.force_login(world.alice)
    job = upload_job(client, export(client, "alliances:list"))
    default_storage.delete(job.file.name)
    default_storage.save(
        job.file.name,
        SimpleUploadedFile("x", append_row(export(client, "alliances:list"), "党建联盟", new_alliance_row())),
    )
    confirm(client, job)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and "已失效" in job.message
    assert not Alliance.objects.filter(code="LM-NEW-1").exists()


def test_cancel_deletes_the_kept_file(client, world):
    client.force_login(world.alice)
    job = upload_job(client, export(client, "alliances:list"))
    name = job.file.name
    client.post(reverse("members:import-cancel", args=[job.pk]))
    assert not default_storage.exists(name)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and not job.may_confirm


def test_uploads_left_behind_are_purged_after_a_day(world):
    import datetime as dt

    from django.utils import timezone

    old = default_storage.save("imports/old.xlsx", SimpleUploadedFile("x", b"PK"))
    assert imports.purge_stale_uploads(now=timezone.now() + dt.timedelta(days=1, minutes=1)) >= 1
    assert not default_storage.exists(old)
    fresh = default_storage.save("imports/fresh.xlsx", SimpleUploadedFile("x", b"PK"))
    imports.purge_stale_uploads(now=timezone.now())
    assert default_storage.exists(fresh)


def test_only_staff_may_import(client, world):
    for user in (world.vera, world.lily):
        client.force_login(user)
        assert client.get(reverse("members:import")).status_code == 403
        assert upload(client, xlsx({"党建联盟": [["联盟编号"]]})).status_code == 403
    client.force_login(world.alice)
    page = client.get(reverse("members:import")).content.decode()
    assert "党建联盟" in page and "联盟成员" in page and "成员单位" in page and "人员" in page


def test_the_list_pages_link_to_the_import_for_staff_only(client, world):
    client.force_login(world.alice)
    assert reverse("members:import") in client.get(reverse("alliances:list")).content.decode()
    client.force_login(world.vera)
    assert reverse("members:import") not in client.get(reverse("alliances:list")).content.decode()
