"""Workshop list, detail (with its chart), forms, API lists and the alliance panel."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.members.factories import village
from tests.workshops.factories import ReportFactory, Shops, WorkshopFactory
from tests.workshops.test_summary import many_workshops
from workshops.models import Workshop, WorkshopReport
from workshops.months import add_months, format_month, last_complete_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(world):
    return Shops(world)


def listed(client, **params) -> list[str]:
    response = client.get(reverse("workshops:list"), params)
    assert response.status_code == 200
    return sorted(w.name for w in response.context["object_list"])


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


# --------------------------------------------------------------------------- list


def test_list_filters_by_region_subtree_alliance_type_status_and_checklist(client, world, shops):
    client.force_login(world.carol)
    assert listed(client, region="330212002000") == [shops.a_free.name]
    assert listed(client, region="330212000000") == sorted([shops.a.name, shops.a_free.name])
    assert listed(client, alliance=world.alliance_a.pk) == [shops.a.name]
    assert listed(client, type="shared_farm") == [shops.a_free.name]
    Workshop.objects.filter(pk=shops.a_free.pk).update(status="paused")
    assert listed(client, status="paused") == [shops.a_free.name]
    assert listed(client, checklist_complete="true") == [shops.a.name]
    assert listed(client, checklist_complete="false") == [shops.a_free.name]


def test_list_shows_checklist_completeness_and_latest_figures(client, world, shops):
    ReportFactory(workshop=shops.a, month=datetime.date(2025, 4, 1), employed=31, low_income_employed=11)
    ReportFactory(workshop=shops.a, month=datetime.date(2025, 5, 1), employed=36, low_income_employed=13)
    client.force_login(world.alice)
    page = client.get(reverse("workshops:list")).content.decode()
    row = page.split(shops.a.name)[1].split("</tr>")[0]
    assert "6/6" in row and "36 / 13" in row and "2025年5月" in row
    row = page.split(shops.a_free.name)[1].split("</tr>")[0]
    assert "2/6" in row


def test_list_sorts_by_checklist_score(client, world, shops):
    client.force_login(world.alice)
    response = client.get(reverse("workshops:list"), {"ordering": "-checklist_score"})
    assert [w.name for w in response.context["object_list"]] == [shops.a.name, shops.a_free.name]


def test_list_page_runs_the_same_number_of_queries_at_10_and_100(client, world, shops):
    many_workshops(world, 120)
    client.force_login(world.alice)
    url = reverse("workshops:list")
    assert count_queries(lambda: client.get(url, {"page_size": 10})) == count_queries(
        lambda: client.get(url, {"page_size": 100})
    )
    assert len(client.get(url, {"page_size": 100}).context["object_list"]) == 100


@pytest.mark.parametrize("endpoint", ["workshops", "workshop-reports"])
def test_api_lists_run_the_same_number_of_queries_at_10_and_100(api, world, shops, endpoint):
    many_workshops(world, 120)
    api.as_user(world.alice)
    small = count_queries(lambda: api.get(f"/api/v1/{endpoint}/?page_size=10"))
    large = count_queries(lambda: api.get(f"/api/v1/{endpoint}/?page_size=100"))
    assert small == large
    assert len(api.get(f"/api/v1/{endpoint}/?page_size=100").json()["results"]) == 100


def test_api_list_has_checklist_and_latest_report(api, world, shops):
    ReportFactory(workshop=shops.a, month=datetime.date(2025, 5, 1), employed=36, low_income_employed=13)
    rows = api.as_user(world.alice).get("/api/v1/workshops/", {"checklist_complete": "true"}).json()["results"]
    assert [(r["name"], r["checklist_score"], r["checklist_complete"]) for r in rows] == [(shops.a.name, 6, True)]
    assert (rows[0]["latest_month"], rows[0]["latest_employed"], rows[0]["latest_low_income_employed"]) == (
        "2025-05",
        36,
        13,
    )
    assert rows[0]["alliance_name"] == "姜山共富联盟" and rows[0]["steward_name"] == shops.a.steward.name


def test_api_names_each_workshops_own_region_in_list_and_detail(api, world, shops):
    for n in range(2, 8):
        WorkshopFactory(name=f"姜山{n}号工坊", region=village(world.town_a, n, f"姜山{n}村"), host=world.org_a)
    api.as_user(world.alice)
    rows = api.get("/api/v1/workshops/?page_size=100").json()["results"]
    expected = {
        w.name: (w.region.code, w.region.name) for w in Workshop.objects.filter(region__code__startswith="330212")
    }
    assert {row["name"]: (row["region"], row["region_name"]) for row in rows} == expected
    assert len(set(expected.values())) == 8  # 走马塘村, 云龙村 and six more
    detail = api.get(f"/api/v1/workshops/{shops.a_free.pk}/").json()
    assert (detail["region"], detail["region_name"]) == (shops.village_a2.code, "云龙村")


def test_report_api_filters_by_month_range_and_type(api, world, shops):
    for month in (1, 2, 3):
        ReportFactory(workshop=shops.a, month=datetime.date(2025, month, 1))
    ReportFactory(workshop=shops.a_free, month=datetime.date(2025, 2, 1))
    api.as_user(world.alice)
    rows = api.get("/api/v1/workshop-reports/", {"month_from": "2025-02", "month_to": "2025-03"}).json()["results"]
    assert sorted((r["workshop_name"], r["month"]) for r in rows) == sorted(
        [(shops.a.name, "2025-02"), (shops.a.name, "2025-03"), (shops.a_free.name, "2025-02")]
    )
    rows = api.get("/api/v1/workshop-reports/", {"month": "2025-02", "type": "shared_farm"}).json()["results"]
    assert [r["workshop_name"] for r in rows] == [shops.a_free.name]


# --------------------------------------------------------------------------- detail


def test_detail_page_has_the_monthly_chart_data_and_no_inline_script(client, world, shops):
    last = last_complete_month(timezone.localdate())
    months = [add_months(last, -3), add_months(last, -2), last]  # the month before last is not filed
    for n, month in enumerate(months):
        ReportFactory(
            workshop=shops.a,
            month=month,
            employed=20 + n,
            low_income_employed=5 + n,
            income_increase_per_person=Decimal("2000.50") + n,
        )
    ReportFactory(workshop=shops.a, month=add_months(last, -30), employed=99)  # too old for the chart
    client.force_login(world.alice)
    page = client.get(reverse("workshops:detail", args=[shops.a.pk])).content.decode()
    match = re.search(r'<script id="workshop-monthly-chart" type="application/json">(.*?)</script>', page, re.S)
    spec = json.loads(match.group(1))
    assert spec["labels"] == [format_month(add_months(last, -i)) for i in (3, 2, 1, 0)]
    data = {d["label"]: d["data"] for d in spec["datasets"]}
    assert data == {
        "带动就业人数": [20, 21, None, 22],
        "其中低收入人数": [5, 6, None, 7],
        "人均月增收（元）": [2000.5, 2001.5, None, 2002.5],
    }
    assert '<canvas data-chart="workshop-monthly-chart"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/charts.js" in page
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        attributes, body = script
        assert "src=" in attributes or 'type="application/json"' in attributes, script
    assert "onclick" not in page and "onload" not in page
    assert page.count("<tr>") >= 5 and "99" in page  # every report is in the table, the old one too


def test_detail_page_shows_the_six_items(client, world, shops):
    client.force_login(world.alice)
    response = client.get(reverse("workshops:detail", args=[shops.a_free.pk]))
    checklist = response.content.decode().split('id="checklist"')[1].split("</section>")[0]
    assert "2/6" in checklist
    assert "✓ 创富团队" in checklist and "✓ 造富基地" in checklist and "✗ 助富管家" in checklist


def test_report_button_only_for_those_who_may_file(client, world, shops):
    url = reverse("workshops:detail", args=[shops.a.pk])
    report_url = reverse("workshops:report-create", args=[shops.a.pk])
    for user, shown in ((world.alice, True), (world.lily, True), (shops.sam, True), (world.vera, False)):
        client.force_login(user)
        assert (report_url in client.get(url).content.decode()) is shown, user


# --------------------------------------------------------------------------- workshop forms


def test_staff_create_a_workshop_through_the_form(client, world, shops):
    client.force_login(world.alice)
    response = client.post(
        reverse("workshops:create"),
        {
            "name": "走马塘电商直播间",
            "type": "live_commerce",
            "region": world.village_a.pk,
            "host": world.org_a.pk,
            "alliance": world.alliance_a.pk,
            "opened_on": "2024-03-01",
            "status": "active",
            "has_team": "on",
            "has_steward": "on",
        },
    )
    workshop = Workshop.objects.get(name="走马塘电商直播间")
    assert response["Location"] == workshop.get_absolute_url()
    assert (workshop.alliance, workshop.has_team, workshop.has_base) == (world.alliance_a, True, False)


def test_workshop_form_refuses_a_township_and_another_countys_alliance(client, world, shops):
    client.force_login(world.alice)
    response = client.post(
        reverse("workshops:create"),
        {
            "name": "错位工坊",
            "type": "factory",
            "region": world.town_a.pk,
            "host": world.org_a.pk,
            "alliance": world.alliance_b.pk,
            "opened_on": "2024-03-01",
            "status": "active",
        },
    )
    assert {"region", "alliance"} <= set(response.context["form"].errors)
    assert not Workshop.objects.filter(name="错位工坊").exists()


def test_leaders_and_stewards_cannot_create_or_edit_workshops(client, api, world, shops):
    data = {
        "name": "改名",
        "type": shops.a.type,
        "region": shops.a.region_id,
        "host": shops.a.host_id,
        "opened_on": "2022-04-01",
        "status": "active",
    }
    for user in (world.lily, shops.sam):
        client.force_login(user)
        assert client.post(reverse("workshops:edit", args=[shops.a.pk]), data).status_code == 403
        assert client.post(reverse("workshops:create"), data | {"name": "新工坊"}).status_code == 403
        response = api.as_user(user).patch(f"/api/v1/workshops/{shops.a.pk}/", {"name": "改名"}, format="json")
        assert response.status_code == 403
    shops.a.refresh_from_db()
    assert shops.a.name == "走马塘来料加工共富工坊"
    assert not Workshop.objects.filter(name="新工坊").exists()


def test_staff_create_a_workshop_through_the_api(api, world, shops):
    payload = {
        "name": "云龙农旅共富工坊",
        "type": "agri_tourism",
        "region": shops.village_a2.code,
        "host": world.org_a.pk,
        "opened_on": "2023-05-01",
        "has_base": True,
    }
    response = api.as_user(world.alice).post("/api/v1/workshops/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["checklist_score"], body["checklist_complete"], body["alliance"]) == (1, False, None)
    assert (body["region"], body["region_name"]) == (shops.village_a2.code, "云龙村")
    assert Workshop.objects.get(name="云龙农旅共富工坊").region == shops.village_a2


def test_staff_cannot_place_a_workshop_in_another_county_through_the_api(api, world, shops):
    response = api.as_user(world.alice).post(
        "/api/v1/workshops/",
        {
            "name": "外县工坊",
            "type": "factory",
            "region": shops.village_b.code,
            "host": world.org_a.pk,
            "opened_on": "2023-05-01",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Workshop.objects.filter(name="外县工坊").exists()


# --------------------------------------------------------------------------- alliance panel


def test_alliance_page_lists_its_workshops_with_last_months_figures(client, world, shops):
    last = last_complete_month(timezone.localdate())
    ReportFactory(workshop=shops.a, month=last, employed=41, low_income_employed=17)
    ReportFactory(workshop=shops.a, month=add_months(last, -1), employed=39, low_income_employed=16)
    other = WorkshopFactory(name="姜山第二工坊", region=world.village_a, host=world.org_a, alliance=world.alliance_a)
    client.force_login(world.lily)
    page = client.get(reverse("alliances:detail", args=[world.alliance_a.pk])).content.decode()
    panel = page.split('id="alliance-workshops"')[1].split("</section>")[0]
    row = panel.split(shops.a.name)[1].split("</tr>")[0]
    assert ">41<" in row and ">17<" in row
    assert "未填报" in panel.split(other.name)[1].split("</tr>")[0]
    assert shops.a_free.name not in panel and shops.b.name not in panel
    totals = panel.split("<tfoot>")[1]
    assert ">41<" in totals and ">17<" in totals


def test_alliance_panel_runs_a_constant_number_of_queries(client, world, shops):
    last = last_complete_month(timezone.localdate())
    url = reverse("alliances:detail", args=[world.alliance_a.pk])
    client.force_login(world.alice)
    few = count_queries(lambda: client.get(url))
    many_workshops(world, 60)
    WorkshopReport.objects.filter(month=datetime.date(2025, 3, 1)).update(month=last)
    more = count_queries(lambda: client.get(url))
    assert few == more
    page = client.get(url).content.decode()
    assert page.split('id="alliance-workshops"')[1].count("</tr>") >= 31


def test_the_nav_links_to_the_workshops(client, world):
    client.force_login(world.alice)
    assert reverse("workshops:list") in client.get(reverse("alliances:list")).content.decode()


def test_workshop_pages_work_on_a_phone(client, world, shops):
    client.force_login(world.alice)
    for url in (
        reverse("workshops:list"),
        reverse("workshops:summary"),
        reverse("workshops:detail", args=[shops.a.pk]),
    ):
        page = client.get(url).content.decode()
        for cell in re.findall(r"<td(?![^>]*colspan)[^>]*>", page):
            assert "data-label=" in cell, (url, cell)


def test_a_workshop_outside_any_alliance_says_so(client, world, shops):
    client.force_login(world.alice)
    assert "未加入联盟" in client.get(reverse("workshops:detail", args=[shops.a_free.pk])).content.decode()


# --------------------------------------------------------------------------- the monthly report form


def month_value(page: str) -> str | None:
    found = re.search(r'<input type="month" name="month" value="([^"]*)"', page)
    return found.group(1) if found else None


def test_the_steward_finds_last_month_prefilled(client, world, shops):
    client.force_login(shops.sam)
    page = client.get(reverse("workshops:report-create", args=[shops.a.pk])).content.decode()
    assert month_value(page) == format_month(last_complete_month(timezone.localdate()))


def test_the_form_names_the_last_month_filed_as_the_page_reads_a_month(client, world, shops):
    ReportFactory(workshop=shops.a, month=datetime.date(2025, 3, 1))
    client.force_login(shops.sam)
    page = client.get(reverse("workshops:report-create", args=[shops.a.pk])).content.decode()
    assert "最近已填报：2025年3月。" in page


def test_the_unfinished_month_is_refused_with_the_month_to_file(client, world, shops):
    client.force_login(shops.sam)
    this_month = last_complete_month(timezone.localdate()) + datetime.timedelta(days=40)
    response = client.post(
        reverse("workshops:report-create", args=[shops.a.pk]),
        {"month": format_month(this_month), "employed": "9", "low_income_employed": "2", "sales": "1000"},
    )
    assert response.status_code == 200
    message = response.context["form"].errors["month"][0]
    last = last_complete_month(timezone.localdate())
    assert "尚未结束" in message and f"请填报 {last.year}年{last.month}月 或更早的月份" in message
    assert 'value="9"' in response.content.decode()
    assert not WorkshopReport.objects.filter(workshop=shops.a).exists()


def test_when_last_month_is_filed_the_form_links_to_it_for_a_correction(client, world, shops):
    report = ReportFactory(workshop=shops.a, month=last_complete_month(timezone.localdate()))
    client.force_login(shops.sam)
    page = client.get(reverse("workshops:report-create", args=[shops.a.pk])).content.decode()
    assert reverse("workshops:report-edit", args=[report.pk]) in page
    assert month_value(page) is None
