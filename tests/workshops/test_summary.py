"""The summary's totals equal totals worked out by hand, in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.members.factories import RegionFactory, township, village
from tests.workshops.factories import WorkshopFactory
from workshops.models import Workshop, WorkshopReport, WorkshopType

pytestmark = pytest.mark.django_db

D = Decimal
MONTH = datetime.date(2025, 3, 1)

# (workshop, month, employed, low income, wages, increase per person, sales)
FIGURES = [
    ("a1", "2024-12", 40, 10, D("80000.00"), D("2000.00"), D("300000.00")),  # last year: not in the totals
    ("a1", "2025-01", 30, 9, D("60000.00"), D("1900.00"), D("210000.00")),
    ("a1", "2025-02", 32, 11, D("64000.00"), D("2000.00"), D("220000.50")),
    ("a1", "2025-03", 35, 12, D("72000.00"), D("2050.00"), D("250000.25")),
    ("a2", "2025-01", 12, 6, D("15000.00"), D("1200.00"), D("40000.00")),
    ("a2", "2025-03", 15, 7, D("19500.00"), D("1300.00"), D("52000.00")),
    ("f1", "2025-02", 98, 40, D("196000.00"), D("2000.00"), D("500000.00")),
    ("f1", "2025-03", 100, 42, D("205000.00"), D("2100.00"), D("520000.00")),
    ("f1", "2025-04", 101, 42, D("207000.00"), D("2100.00"), D("530000.00")),  # after the month: not counted
    ("b1", "2025-03", 60, 30, D("90000.00"), D("1500.00"), D("800000.00")),  # another city: carol never sees it
]


@pytest.fixture
def shops(world):
    fenghua = RegionFactory(code="330213000000", name="奉化区", parent=world.ningbo)
    xiwu = village(township(fenghua, 1, "西坞街道"), 1, "雷山村")
    town_a2 = township(world.county_a, 2)
    result = {
        "a1": WorkshopFactory(name="走马塘来料加工点", type="processing", region=world.village_a, host=world.org_a),
        "a2": WorkshopFactory(name="云龙共享农场", type="shared_farm", region=village(town_a2, 1)),
        "f1": WorkshopFactory(name="喜曼蓝富创业工坊", type="processing", region=xiwu),
        "b1": WorkshopFactory(name="高亭直播间", type="live_commerce", region=village(world.town_b, 1)),
    }
    for key, month, employed, low, wages, increase, sales in FIGURES:
        WorkshopReport.objects.create(
            workshop=result[key],
            month=datetime.date.fromisoformat(month + "-01"),
            employed=employed,
            low_income_employed=low,
            wages_paid=wages,
            income_increase_per_person=increase,
            sales=sales,
        )
    return result


def by_hand(shops, group_of, *, keys=("a1", "a2", "f1")):
    """Totals per group for March 2025 and for January–March 2025, added up in plain Python."""
    totals = defaultdict(lambda: defaultdict(lambda: defaultdict(D)))
    workshops = defaultdict(lambda: defaultdict(set))
    for key, month, employed, low, wages, increase, sales in FIGURES:
        if key not in keys:
            continue
        day = datetime.date.fromisoformat(month + "-01")
        periods = []
        if day == MONTH:
            periods.append("month")
        if datetime.date(2025, 1, 1) <= day <= MONTH:
            periods.append("year_to_date")
        for period in periods:
            row = totals[group_of(shops[key])][period]
            row["employed"] += employed
            row["low_income_employed"] += low
            row["wages_paid"] += wages
            row["sales"] += sales
            row["income_increase"] += increase * employed
            row["reports"] += 1
            workshops[group_of(shops[key])][period].add(key)
    result = {}
    for group, periods in totals.items():
        result[group] = {}
        for period, row in periods.items():
            result[group][period] = {
                "workshops": len(workshops[group][period]),
                "reports": int(row["reports"]),
                "employed": int(row["employed"]),
                "low_income_employed": int(row["low_income_employed"]),
                "wages_paid": row["wages_paid"],
                "sales": row["sales"],
                "income_increase": row["income_increase"],
                "income_increase_per_person": (row["income_increase"] / row["employed"]).quantize(D("0.01")),
            }
    return result


def as_decimals(totals: dict) -> dict:
    return {
        name: D(value) if name in {"wages_paid", "sales", "income_increase", "income_increase_per_person"} else value
        for name, value in totals.items()
    }


def test_summary_totals_by_county_equal_totals_worked_out_by_hand(api, world, shops):
    body = api.as_user(world.carol).get("/api/v1/workshops/summary/", {"month": "2025-03"}).json()
    expected = by_hand(shops, lambda w: w.region.code[:6])
    assert {g["key"] for g in body["by_region"]} == {"330212", "330213"}
    for group in body["by_region"]:
        for period in ("month", "year_to_date"):
            assert as_decimals(group[period]) == expected[group["key"]][period], (group["key"], period)
    assert {g["key"]: g["label"] for g in body["by_region"]} == {"330212": "鄞州区", "330213": "奉化区"}
    overall = by_hand(shops, lambda w: "all")["all"]
    assert as_decimals(body["total"]["month"]) == overall["month"]
    assert as_decimals(body["total"]["year_to_date"]) == overall["year_to_date"]
    assert (body["month"], body["year_start"], body["level"]) == ("2025-03", "2025-01", "county")


def test_summary_totals_by_type_equal_totals_worked_out_by_hand(api, world, shops):
    body = api.as_user(world.carol).get("/api/v1/workshops/summary/", {"month": "2025-03"}).json()
    expected = by_hand(shops, lambda w: w.type)
    assert [g["key"] for g in body["by_type"]] == list(WorkshopType.values)
    for group in body["by_type"]:
        for period in ("month", "year_to_date"):
            want = expected.get(group["key"], {}).get(period)
            if want is None:
                assert group[period]["reports"] == 0 and group[period]["employed"] == 0
            else:
                assert as_decimals(group[period]) == want, (group["key"], period)


def test_summary_by_month_covers_january_to_the_chosen_month(api, world, shops):
    body = api.as_user(world.carol).get("/api/v1/workshops/summary/", {"month": "2025-03"}).json()
    expected = {}
    for key, month, employed, *_rest in FIGURES:
        if key != "b1" and "2025-01" <= month <= "2025-03":
            expected[month] = expected.get(month, 0) + employed
    assert [(m["month"], m["employed"]) for m in body["by_month"]] == sorted(expected.items())


def test_summary_by_township_and_filtered_by_type(api, world, shops):
    api.as_user(world.admin)
    body = api.get("/api/v1/workshops/summary/", {"month": "2025-03", "level": "township"}).json()
    employed = {g["key"]: g["month"]["employed"] for g in body["by_region"]}
    assert employed == {"330212001": 35, "330212002": 15, "330213001": 100, "330921001": 60}
    body = api.get("/api/v1/workshops/summary/", {"month": "2025-03", "type": "processing"}).json()
    assert body["total"]["month"]["employed"] == 35 + 100
    body = api.get("/api/v1/workshops/summary/", {"month": "2025-03", "region": "330213000000"}).json()
    assert body["total"]["year_to_date"]["employed"] == 98 + 100


def test_summary_only_adds_up_what_the_user_may_see(api, world, shops):
    alice = api.as_user(world.alice).get("/api/v1/workshops/summary/", {"month": "2025-03"}).json()
    assert alice["total"]["month"]["employed"] == 35 + 15
    bob = api.as_user(world.bob).get("/api/v1/workshops/summary/", {"month": "2025-03"}).json()
    assert bob["total"]["month"]["employed"] == 60
    assert [g["label"] for g in bob["by_region"]] == ["岱山县"]


def test_summary_rejects_a_bad_month_or_level(api, world, shops):
    response = api.as_user(world.alice).get("/api/v1/workshops/summary/", {"month": "2025-3-7", "level": "galaxy"})
    assert response.status_code == 400
    assert set(response.json()) == {"month", "level"}


def test_summary_page_shows_the_hand_worked_totals(client, world, shops):
    client.force_login(world.carol)
    response = client.get(reverse("workshops:summary"), {"month": "2025-03"})
    sections = {section["id"]: section for section in response.context["sections"]}
    expected = by_hand(shops, lambda w: w.region.code[:6])
    for period, section_id in (("month", "month"), ("year_to_date", "year-to-date")):
        rows = dict(sections[section_id]["by_region"])
        assert rows["鄞州区"].employed == expected["330212"][period]["employed"]
        assert rows["奉化区"].sales == expected["330213"][period]["sales"]
        assert rows["奉化区"].income_increase_per_person == expected["330213"][period]["income_increase_per_person"]
    page = response.content.decode()
    assert 'id="year-to-date-by-county"' in page and 'id="month-by-type"' in page
    assert 'data-chart="workshop-summary-chart"' in page


def many_workshops(world, n: int, start: int = 0) -> None:
    """n workshops in county A, each with two reports, written with bulk_create."""
    workshops = Workshop.objects.bulk_create(
        Workshop(
            name=f"批量工坊{i:04d}",
            type=WorkshopType.values[i % 6],
            region=world.village_a,
            host=world.org_a,
            alliance=world.alliance_a if i % 2 else None,
            opened_on=datetime.date(2023, 1, 1),
        )
        for i in range(start, start + n)
    )
    WorkshopReport.objects.bulk_create(
        WorkshopReport(
            workshop=workshop,
            month=month,
            employed=10,
            low_income_employed=3,
            wages_paid=D("20000.00"),
            income_increase_per_person=D("2000.00"),
            sales=D("50000.00"),
        )
        for workshop in workshops
        for month in (datetime.date(2025, 2, 1), MONTH)
    )


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_summary_runs_the_same_number_of_queries_for_10_and_1000_workshops(client, api, world):
    many_workshops(world, 10)
    api.as_user(world.alice)
    client.force_login(world.alice)
    url, page = "/api/v1/workshops/summary/?month=2025-03", reverse("workshops:summary") + "?month=2025-03"
    small = (count_queries(lambda: api.get(url)), count_queries(lambda: client.get(page)))
    many_workshops(world, 990, start=10)
    large = (count_queries(lambda: api.get(url)), count_queries(lambda: client.get(page)))
    assert small == large
    body = api.get(url).json()
    assert body["total"]["month"]["employed"] == 1000 * 10
    assert body["total"]["year_to_date"]["reports"] == 2000
