"""The project list exports what its filters show and imports back from the same layout."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.imports import run_import
from projects.models import Project
from projects.weeks import current_week, local_today, week_label
from tests.alliances.test_excel_import import errors_of
from tests.core.factories import append_row, edit, sheet_cells, sheet_rows
from tests.projects.factories import MilestoneFactory, ProjectFactory, days_ago
from tests.projects.factories import ReportFactory as ProgressReportFactory
from tests.projects.test_api import many_projects
from tests.site.test_excel_export import export, whole_list

pytestmark = pytest.mark.django_db

SHEET = "项目清单"


def project_snapshot() -> dict:
    """Every project with all its values, and how many history records there are."""
    return {
        "projects": list(Project.objects.order_by("pk").values()),
        "history": Project.history.count(),
    }


def full_project(world, **values) -> Project:
    """A project of 姜山共富联盟 with every column of the layout filled in."""
    return ProjectFactory(
        **{
            "alliance": world.alliance_a,
            "title": "红芽姜深加工",
            "category": "industry",
            "responsible_organization": world.org_a,
            "responsible_person": world.person_a,
            "planned_investment": Decimal("1234567.89"),
            "expected_income_increase": Decimal("200000.50"),
            "households_benefited": 120,
            "people_employed": 35,
            "land_mu": Decimal("42.75"),
            "funds_higher_level": Decimal("500000.00"),
            "funds_self_raised": Decimal("300000.00"),
            "funds_common_prosperity": Decimal("0.00"),
            "funds_social_capital": Decimal("434567.89"),
            "status": "in_progress",
        }
        | values
    )


def row_number(data: bytes, title: str) -> int:
    """The Excel row number of the project with this title."""
    titles = [row["项目名称"] for row in sheet_rows(data, SHEET)]
    return titles.index(title) + 2


def new_project_row(**values) -> dict:
    year = local_today().year
    return {
        "联盟编号": "LM-A-1",
        "年度": year,
        "项目名称": "村集体光伏电站",
        "项目类别": "民生实事",
        "责任单位": "走马塘村党委",
        "责任单位区划代码": "330212001001",
        "责任人": "王建国",
        "计划投资（元）": 880000,
        "上级资金（元）": 500000,
        "开工日期": datetime.date(year, 3, 1),
        "计划完成日期": datetime.date(year, 11, 30),
        "状态": "推进中",
    } | values


# ------------------------------------------------------------------ export


def test_project_export_has_the_rows_of_the_filtered_list_in_its_order(client, world):
    many_projects(world, n=30)
    ProjectFactory(alliance=world.alliance_a, title="已完成的项目", status="completed")
    ProjectFactory(alliance=world.alliance_b, title="岱山的项目")
    client.force_login(world.alice)
    filters = {"status": "in_progress", "ordering": "-title", "q": "批量"}
    listed = whole_list(client, "projects:list", **filters)
    rows = sheet_rows(export(client, "projects:list", **filters), SHEET)
    assert len(rows) == len(listed) == Project.objects.filter(title__startswith="批量").count()
    assert (rows[0]["联盟编号"], rows[0]["项目名称"]) == (listed[0].alliance.code, listed[0].title)
    assert (rows[-1]["联盟编号"], rows[-1]["项目名称"]) == (listed[-1].alliance.code, listed[-1].title)
    assert [row["项目名称"] for row in rows] == [project.title for project in listed]


def test_money_is_written_as_numbers_and_codes_as_text(client, world):
    project = full_project(world)
    client.force_login(world.alice)
    data = export(client, "projects:list")
    (row,) = sheet_rows(data, SHEET)
    assert Decimal(str(row["计划投资（元）"])) == project.planned_investment
    assert Decimal(str(row["涉及土地（亩）"])) == project.land_mu
    assert (row["项目类别"], row["状态"], row["责任单位区划代码"]) == ("产业融合", "推进中", "330212001001")
    sheet = sheet_cells(data, SHEET)
    headers = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=headers.index("计划投资（元）") + 1).data_type == "n"
    assert sheet.cell(row=2, column=headers.index("责任单位区划代码") + 1).data_type == "s"
    assert sheet.cell(row=2, column=headers.index("联盟编号") + 1).data_type == "s"


def test_the_project_list_links_to_export_and_to_import_for_staff_only(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("projects:list"), {"status": "planned"}).content.decode()
    assert "导出 Excel" in page and "status=planned&amp;export=xlsx" in page
    assert reverse("members:import") in page
    assert SHEET in client.get(reverse("members:import")).content.decode()
    client.force_login(world.vera)
    page = client.get(reverse("projects:list")).content.decode()
    assert "导出 Excel" in page and reverse("members:import") not in page


def test_project_export_runs_the_same_number_of_queries_for_10_and_100_rows(client, world):
    client.force_login(world.alice)
    many_projects(world, n=10)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(client, "projects:list")
        return len(captured.captured_queries)

    small = queries()
    Project.objects.all().delete()
    many_projects(world, n=100)
    assert queries() == small


# ------------------------------------------------------------------ the project ledger

LEDGER = "项目台账"


def ledger(client, **params) -> bytes:
    return export(client, "projects:list", layout="ledger", **params)


def test_the_ledger_has_each_projects_latest_report_money_to_date_and_coordination(client, world):
    project = full_project(world, start_on=datetime.date(2026, 3, 1), due_on=datetime.date(2026, 12, 31))
    this_week = current_week()
    ProgressReportFactory(
        project=project,
        period=this_week - datetime.timedelta(weeks=1),
        percent_complete=40,
        investment_to_date=Decimal("300000.00"),
        work_done="完成厂房基础",
        status="accepted",
    )
    ProgressReportFactory(
        project=project,
        period=this_week,
        percent_complete=55,
        investment_to_date=Decimal("456789.12"),
        work_done="安装生产线",
        blockers="用电增容未批复",
        needs_coordination=True,
        coordination_request="请县供电公司加快增容审批",
    )
    ProjectFactory(alliance=world.alliance_a, title="尚未填报的项目", planned_investment=None)
    client.force_login(world.alice)
    rows = {row["项目名称"]: row for row in sheet_rows(ledger(client), LEDGER)}

    row = rows["红芽姜深加工"]
    assert (row["联盟编号"], row["联盟名称"], row["项目类别"]) == ("LM-A-1", "姜山共富联盟", "产业融合")
    assert (row["责任单位"], row["责任人"], row["状态"]) == ("走马塘村党委", "王建国", "推进中")
    assert (row["开工日期"].date(), row["计划完成日期"].date()) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 12, 31),
    )
    # Percent and money to date from the same report: the latest not returned, pending review
    # or not (the figures' rule, as the list shows it).
    assert row["完成进度（%）"] == 55
    assert Decimal(str(row["计划投资（元）"])) == Decimal("1234567.89")
    assert Decimal(str(row["累计完成投资（元）"])) == Decimal("456789.12")
    assert (row["本周工作（最近一次填报）"], row["堵点难点"]) == ("安装生产线", "用电增容未批复")
    assert (row["需要协调"], row["协调事项"], row["协调状态"]) == ("是", "请县供电公司加快增容审批", "待审核")
    assert (row["最近填报周"], row["审核状态"]) == (week_label(this_week), "待审核")

    silent = rows["尚未填报的项目"]
    assert silent["累计完成投资（元）"] == 0 and silent["计划投资（元）"] is None
    assert silent["本周工作（最近一次填报）"] is None and silent["最近填报周"] is None and silent["协调状态"] is None


def test_the_ledger_holds_the_rows_of_the_filtered_list_in_its_order(client, world):
    many_projects(world, n=12)
    ProjectFactory(alliance=world.alliance_a, title="已完成的项目", status="completed")
    ProjectFactory(alliance=world.alliance_b, title="岱山的项目")
    client.force_login(world.alice)
    filters = {"status": "in_progress", "ordering": "-title"}
    listed = whole_list(client, "projects:list", **filters)
    rows = sheet_rows(ledger(client, **filters), LEDGER)
    assert [row["项目名称"] for row in rows] == [project.title for project in listed]
    assert len(rows) == 12


def test_the_ledger_runs_the_same_number_of_queries_for_10_and_100_projects(client, world):
    client.force_login(world.alice)
    many_projects(world, n=10)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            data = ledger(client)
        assert len(sheet_rows(data, LEDGER)) == Project.objects.count()
        return len(captured.captured_queries)

    small = queries()
    Project.objects.all().delete()
    many_projects(world, n=100)
    assert queries() == small


def test_only_staff_are_offered_and_given_the_ledger(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("projects:list"), {"status": "planned"}).content.decode()
    assert "导出项目台账" in page and "status=planned&amp;export=xlsx&amp;layout=ledger" in page
    for user in (world.vera, world.lily):
        client.force_login(user)
        assert "导出项目台账" not in client.get(reverse("projects:list")).content.decode()
        response = client.get(reverse("projects:list"), {"export": "xlsx", "layout": "ledger"})
        assert response.status_code == 403


# ------------------------------------------------------------------ round trip and changes


def test_an_exported_project_file_imports_back_with_no_change_at_all(client, world):
    full_project(world)
    full_project(world, title="=SUM(A1) 公式样的名称", status="planned", planned_investment=None, land_mu=None)
    full_project(world, title="已办结项目", status="completed", responsible_person=None)
    full_project(world, alliance=world.alliance_a2, title="延期项目", status="delayed", responsible_organization=None)
    full_project(world, title="上年项目", year=local_today().year - 1, status="cancelled")
    client.force_login(world.alice)
    data = export(client, "projects:list")
    before = project_snapshot()
    report = run_import(data, actor=world.alice, commit=True)
    assert report.committed and errors_of(report) == []
    assert report.counts == {"create": 0, "update": 0, "unchanged": 5, "error": 0}
    assert project_snapshot() == before  # no value, no version, no history record changed


def test_edited_cells_update_through_the_services_at_the_files_version(client, world):
    project = full_project(world)
    client.force_login(world.alice)
    data = export(client, "projects:list")
    data = edit(data, SHEET, 2, "计划投资（元）", 1500000)
    data = edit(data, SHEET, 2, "状态", "已完成")
    preview = run_import(data, actor=world.alice, commit=False)
    (row,) = preview.sheets[0].rows
    assert (row.action, row.changes) == (
        "update",
        [("计划投资（元）", "1234567.89", "1500000"), ("状态", "推进中", "已完成")],
    )
    history = project.history.count()
    report = run_import(data, actor=world.alice, commit=True)
    assert report.committed
    project.refresh_from_db()
    assert (project.planned_investment, project.status) == (Decimal("1500000.00"), "completed")
    assert project.version == 3  # one change of the entry, one of the status
    assert project.history.count() == history + 2


def test_new_rows_create_projects_with_their_responsible_unit_and_person(client, world):
    client.force_login(world.alice)
    data = append_row(export(client, "projects:list"), SHEET, new_project_row())
    data = append_row(data, SHEET, new_project_row(**{"项目名称": "无人负责的项目", "责任单位": None, "责任人": None}))
    data = append_row(data, SHEET, new_project_row(**{"项目名称": "未填状态的项目", "状态": None}))
    report = run_import(data, actor=world.alice, commit=True)
    assert report.committed, errors_of(report)
    assert report.counts["create"] == 3
    project = Project.objects.get(title="村集体光伏电站")
    assert (project.alliance, project.category, project.status) == (world.alliance_a, "livelihood", "in_progress")
    assert (project.responsible_organization, project.responsible_person) == (world.org_a, world.person_a)
    assert (project.planned_investment, project.funds_higher_level) == (Decimal("880000"), Decimal("500000"))
    assert project.funds_self_raised == Decimal("0")  # an empty funding cell is no money
    assert Project.objects.get(title="未填状态的项目").status == "planned"


# ------------------------------------------------------------------ errors: all or nothing


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("计划投资（元）", -5000, None),
        ("联盟编号", "LM-X-9", "找不到您管辖范围内编号为 LM-X-9 的联盟。"),
        ("状态", "已完成", "项目状态不能从“计划中”改为“已完成”。"),
        ("责任人", "张三", "在本联盟的成员单位和工作团队中找不到名为“张三”的人员。"),
        ("计划完成日期", datetime.date(2000, 1, 1), "计划完成日期不能早于开工日期。"),
    ],
)
def test_one_bad_row_imports_nothing_and_names_its_row_and_column(client, world, header, value, message):
    full_project(world, title="会被改坏的项目", status="planned")
    full_project(world, title="正常修改的项目")
    client.force_login(world.alice)
    data = export(client, "projects:list")
    bad = row_number(data, "会被改坏的项目")
    data = edit(data, SHEET, row_number(data, "正常修改的项目"), "受益户数", 999)
    data = append_row(data, SHEET, new_project_row())
    data = edit(data, SHEET, bad, header, value)
    before = project_snapshot()
    report = run_import(data, actor=world.alice, commit=True)
    assert not report.committed
    errors = errors_of(report)
    assert [(sheet, row, column) for sheet, row, column, _message in errors] == [(SHEET, bad, header)]
    if message is not None:
        assert errors[0][3] == message
    assert project_snapshot() == before
    assert not Project.objects.filter(title="村集体光伏电站").exists()


def test_completing_a_project_with_open_milestones_is_an_error_on_the_status(client, world):
    project = full_project(world)
    MilestoneFactory(project=project, title="设备安装", due_on=local_today() + datetime.timedelta(days=10))
    client.force_login(world.alice)
    data = edit(export(client, "projects:list"), SHEET, 2, "状态", "已完成")
    report = run_import(data, actor=world.alice, commit=True)
    assert errors_of(report) == [(SHEET, 2, "状态", "以下节点尚未完成，项目不能办结：设备安装")]
    project.refresh_from_db()
    assert project.status == "in_progress"


def test_a_new_project_cannot_start_finished(client, world):
    client.force_login(world.alice)
    data = append_row(export(client, "projects:list"), SHEET, new_project_row(**{"状态": "已完成"}))
    report = run_import(data, actor=world.alice, commit=True)
    assert errors_of(report) == [(SHEET, 2, "状态", "新项目的状态只能是“计划中”或“推进中”。")]
    assert not Project.objects.exists()


# ------------------------------------------------------------------ scope


def test_projects_of_another_county_are_refused_row_by_row(client, world):
    theirs = full_project(world, alliance=world.alliance_b, title="岱山渔旅融合", responsible_organization=world.org_b)
    theirs.responsible_person = world.person_b
    theirs.save()
    ProjectFactory(alliance=world.alliance_a, title="姜山的项目", start_on=days_ago(10))
    client.force_login(world.bob)
    data = edit(export(client, "projects:list"), SHEET, 2, "带动就业人数", 80)
    client.force_login(world.alice)
    data = append_row(data, SHEET, new_project_row())  # a row alice may import, in the same file
    before = project_snapshot()
    report = run_import(data, actor=world.alice, commit=True)
    assert errors_of(report) == [
        (SHEET, 2, "联盟编号", "找不到您管辖范围内编号为 LM-B-1 的联盟。"),
        (SHEET, 2, "责任单位", "在区划 330921001000 下找不到您管辖范围内名为“高亭社区党委”的成员单位。"),
    ]
    assert [row.action for row in report.sheets[0].rows] == ["error", "create"]
    assert project_snapshot() == before
    theirs.refresh_from_db()
    assert theirs.people_employed == 35


def test_a_township_importer_is_refused_on_the_rows_of_another_township(client, world):
    full_project(world, title="姜山的项目")
    full_project(
        world, alliance=world.alliance_a2, title="云龙的项目", responsible_organization=None, responsible_person=None
    )
    client.force_login(world.alice)
    data = export(client, "projects:list")
    data = edit(data, SHEET, row_number(data, "姜山的项目"), "受益户数", 150)
    data = edit(data, SHEET, row_number(data, "云龙的项目"), "受益户数", 150)
    report = run_import(data, actor=world.tina, commit=True)
    assert errors_of(report) == [
        (SHEET, row_number(data, "云龙的项目"), "联盟编号", "找不到您管辖范围内编号为 LM-A-2 的联盟。")
    ]
    assert not Project.objects.filter(households_benefited=150).exists()
    run_import(data, actor=world.alice, commit=True)
    assert Project.objects.filter(households_benefited=150).count() == 2
