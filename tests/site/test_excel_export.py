"""Every list page exports exactly what its filters show, as Excel with Chinese headers."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from alliances.models import Alliance, Membership
from core import views_base
from evaluations.models import Rollup
from members.models import MemberOrganization, Person
from tests.alliances.test_api import many_alliances
from tests.core.factories import sheet_cells, sheet_rows
from tests.members.factories import OrganizationFactory
from tests.workshops.factories import WorkshopFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export(client, url_name: str, **params) -> bytes:
    response = client.get(reverse(url_name), {**params, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    return response.getvalue()


def whole_list(client, url_name: str, **params) -> list:
    """Every row the list page shows for these filters, walking all its pages."""
    rows, page = [], 1
    while True:
        response = client.get(reverse(url_name), {**params, "page": page, "page_size": 7})
        rows += list(response.context["object_list"])
        if not response.context["page_obj"].has_next():
            return rows
        page += 1


def test_alliance_export_has_the_rows_of_the_filtered_list_in_its_order_across_all_pages(client, world):
    many_alliances(world, n=30)
    client.force_login(world.alice)
    filters = {"region": "330212001000", "ordering": "-code", "q": "联盟"}
    listed = whole_list(client, "alliances:list", **filters)
    rows = sheet_rows(export(client, "alliances:list", **filters), "党建联盟")
    assert len(rows) == len(listed) == 31  # 30 bulk alliances and 姜山共富联盟 lead from that township
    assert rows[0]["联盟编号"] == listed[0].code
    assert rows[-1]["联盟编号"] == listed[-1].code
    assert [row["联盟编号"] for row in rows] == [alliance.code for alliance in listed]


def test_alliance_export_carries_the_figures_the_page_shows_and_the_memberships(client, world):
    many_alliances(world, n=3)
    client.force_login(world.alice)
    data = export(client, "alliances:list", q="批量联盟1")
    (row,) = sheet_rows(data, "党建联盟")
    assert row["联盟名称"] == "批量联盟1"
    assert row["成员数"] == 2 and row["带头人"] == "带头人1"
    assert row["组建模式"] == "毗邻协作" and row["状态"] == "运行中" and row["示范性联盟"] == "否"
    memberships = sheet_rows(data, "联盟成员")
    assert {(m["联盟编号"], m["成员单位"], m["角色"]) for m in memberships} == {
        ("LM-BULK-001", "批量单位2", "牵头单位"),
        ("LM-BULK-001", "批量单位3", "成员单位"),
    }


def test_export_holds_only_rows_in_the_users_scope(client, world):
    client.force_login(world.bob)
    data = export(client, "alliances:list")
    assert [row["联盟编号"] for row in sheet_rows(data, "党建联盟")] == ["LM-B-1"]
    assert [row["成员单位"] for row in sheet_rows(data, "联盟成员")] == ["高亭社区党委"]
    organizations = export(client, "members:organization-list")
    assert [row["单位名称"] for row in sheet_rows(organizations, "成员单位")] == ["高亭社区党委"]
    assert [row["姓名"] for row in sheet_rows(organizations, "人员")] == ["李海"]


def test_codes_and_phone_numbers_are_text_cells(client, world):
    world.org_a.contact_phone = "0574-87654321"
    world.org_a.save()
    client.force_login(world.alice)
    data = export(client, "members:organization-list", q="走马塘")
    organizations = sheet_cells(data, "成员单位")
    headers = [cell.value for cell in organizations[1]]
    code = organizations.cell(row=2, column=headers.index("区划代码") + 1)
    phone = organizations.cell(row=2, column=headers.index("联系电话") + 1)
    assert (code.value, code.data_type, code.number_format) == ("330212001001", "s", "@")
    assert (phone.value, phone.data_type, phone.number_format) == ("0574-87654321", "s", "@")
    people = sheet_cells(data, "人员")
    headers = [cell.value for cell in people[1]]
    mobile = people.cell(row=2, column=headers.index("手机号码") + 1)
    id_number = people.cell(row=2, column=headers.index("身份证号码") + 1)
    assert (mobile.value, mobile.data_type) == ("13812345678", "s")
    assert (id_number.value, id_number.data_type) == ("330212198001011234", "s")


def test_text_that_looks_like_a_formula_is_escaped(client, world):
    OrganizationFactory(name='=HYPERLINK("http://evil.example","点我")', region=world.village_a)
    OrganizationFactory(name="@SUM(1+1)", region=world.village_a)
    client.force_login(world.alice)
    workbook = load_workbook(io.BytesIO(export(client, "members:organization-list")))
    names = {cell.value: cell.data_type for cell in workbook["成员单位"]["C"][1:]}
    assert names['\'=HYPERLINK("http://evil.example","点我")'] == "s"
    assert names["'@SUM(1+1)"] == "s"
    assert not any(str(name).startswith(("=", "@")) for name in names)


def test_personal_data_stays_masked_for_roles_that_see_it_masked(client, world):
    client.force_login(world.vera)
    (person,) = [p for p in sheet_rows(export(client, "members:organization-list"), "人员") if p["姓名"] == "王建国"]
    assert person["手机号码"] == "138****5678"
    assert person["身份证号码"] == "330212********1234"
    client.force_login(world.alice)
    (person,) = [p for p in sheet_rows(export(client, "members:organization-list"), "人员") if p["姓名"] == "王建国"]
    assert person["手机号码"] == "13812345678"


def test_list_pages_link_to_the_export_keeping_their_filters(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("alliances:list"), {"status": "active", "page": "1", "ordering": "-code"})
    url = page.context["export_url"]
    assert url.startswith(reverse("alliances:list") + "?")
    assert "status=active" in url and "ordering=-code" in url and "export=xlsx" in url and "page=" not in url
    assert "导出 Excel" in page.content.decode()
    for name in ("members:organization-list", "workshops:list", "evaluations:rollup-list"):
        assert "导出 Excel" in client.get(reverse(name)).content.decode()


def test_a_wrong_filter_shows_the_page_with_its_error_instead_of_a_file(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("alliances:list"), {"region": "99", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["filter"].errors["region"]


def test_an_export_over_the_row_limit_is_refused_with_a_message_not_cut_short(client, world, monkeypatch):
    # The limit is Excel's (1,048,575 rows under the header): lowered here to be reached.
    many_alliances(world, n=5)
    monkeypatch.setattr(views_base, "EXPORT_MAX_ROWS", 8)
    client.force_login(world.alice)
    response = client.get(reverse("alliances:list"), {"status": "active", "export": "xlsx"}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert response.redirect_chain[0][0] == reverse("alliances:list") + "?status=active"
    message = " ".join(str(m) for m in response.context["messages"])
    assert "超过上限 8 行" in message


def test_export_runs_the_same_number_of_queries_for_10_and_100_rows(client, world):
    client.force_login(world.alice)
    bulk_alliances(world, start=0, n=10)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(client, "alliances:list")
            export(client, "members:organization-list")
        return len(captured.captured_queries)

    small = queries()
    bulk_alliances(world, start=10, n=90)
    assert queries() == small


def bulk_alliances(world, *, start: int, n: int) -> None:
    """n alliances in county A, each with a lead organization that has one person."""
    numbers = range(start, start + n)
    alliances = Alliance.objects.bulk_create(
        Alliance(
            code=f"LM-MORE-{i:03d}",
            name=f"新增联盟{i}",
            formation_mode="neighbour",
            scope="cross_field",
            lead_region=world.town_a,
            founded_on=datetime.date(2022, 1, 1),
            status="active",
        )
        for i in numbers
    )
    orgs = MemberOrganization.objects.bulk_create(
        MemberOrganization(name=f"新增单位{i}", kind="village", region=world.village_a) for i in numbers
    )
    Membership.objects.bulk_create(
        Membership(alliance=a, organization=o, role="lead", joined_on=datetime.date(2022, 1, 1))
        for a, o in zip(alliances, orgs, strict=True)
    )
    Person.objects.bulk_create(
        Person(name=f"联络员{i}", mobile=f"139{i:08d}", organization=o) for i, o in zip(numbers, orgs, strict=True)
    )


def test_workshop_list_exports_its_filtered_rows(client, world):
    WorkshopFactory(name="姜山来料加工坊", region=world.village_a, host=world.org_a, type="processing")
    WorkshopFactory(name="姜山直播工坊", region=world.village_a, host=world.org_a, type="live_commerce")
    client.force_login(world.alice)
    rows = sheet_rows(export(client, "workshops:list", type="live_commerce"), "共富工坊")
    assert [(r["工坊名称"], r["工坊类型"], r["所在村（社区）代码"]) for r in rows] == [
        ("姜山直播工坊", "电商直播式", "330212001001")
    ]


def test_rollup_list_exports_its_rows_with_times_in_shanghai(client, world):
    rollup = Rollup.objects.create(
        kind="monthly_bulletin",
        period_key="2026-03",
        period_start=datetime.date(2026, 3, 1),
        region=world.county_a,
        report={"summary": [], "tables": []},
    )
    client.force_login(world.alice)
    (row,) = sheet_rows(export(client, "evaluations:rollup-list"), "调度通报")
    assert row["类型"] == "月通报" and row["区划代码"] == "330212000000" and row["区域"] == "鄞州区"
    shanghai = timezone.localtime(rollup.produced_at)
    assert row["生成时间"].strftime("%Y-%m-%d %H:%M") == shanghai.strftime("%Y-%m-%d %H:%M")
