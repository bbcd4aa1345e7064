"""seed_demo's workshops: the sources' scale, 24 months up to last month, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from alliances.models import Alliance
from members.models import RegionLevel
from workshops.models import Workshop, WorkshopReport, WorkshopStatus, WorkshopType
from workshops.months import add_months, last_complete_month

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def counts() -> tuple[int, int, int]:
    return Workshop.objects.count(), WorkshopReport.objects.count(), Workshop.history.count()


@pytest.fixture(scope="module")
def seeded(demo_db, django_db_blocker):
    """The demo loaded once for the package; what it counted when loaded."""
    with django_db_blocker.unblock():
        return counts()


def test_about_300_workshops_of_every_type_and_status(seeded):
    assert 280 <= Workshop.objects.count() <= 320
    assert set(Workshop.objects.values_list("type", flat=True)) == set(WorkshopType.values)
    assert set(Workshop.objects.values_list("status", flat=True)) == set(WorkshopStatus.values)
    assert Workshop.objects.filter(alliance__isnull=True).exists()
    assert Workshop.objects.filter(alliance__isnull=False).count() > Workshop.objects.count() / 2
    counties = Workshop.objects.values_list("region__code", flat=True)
    assert len({code[:6] for code in counties}) >= 12


def test_workshops_sit_in_villages_hosted_there_with_stewards_from_the_host(seeded):
    assert not Workshop.objects.exclude(region__level=RegionLevel.VILLAGE).exists()
    for workshop in Workshop.objects.select_related("host", "steward")[:100]:
        assert workshop.host.region_id == workshop.region_id
        assert workshop.has_steward == (workshop.steward_id is not None)
        if workshop.steward_id:
            assert workshop.steward.organization_id == workshop.host_id
    complete = Workshop.objects.checklist_complete().count()
    assert 0 < complete < Workshop.objects.count()


def test_workshop_alliances_are_alliances_of_the_same_county(seeded):
    for workshop in Workshop.objects.filter(alliance__isnull=False).select_related("alliance__lead_region", "region"):
        assert workshop.region.code[:6] == workshop.alliance.lead_region.code[:6]
    assert Alliance.objects.filter(workshops__isnull=False).distinct().count() > 20


def test_24_months_of_figures_end_with_the_last_complete_month(seeded):
    last = last_complete_month(timezone.localdate())
    span = WorkshopReport.objects.aggregate(first=Min("month"), last=Max("month"))
    assert span == {"first": add_months(last, -23), "last": last}
    assert WorkshopReport.objects.values("month").distinct().count() == 24
    running = Workshop.objects.filter(status=WorkshopStatus.ACTIVE)
    reported_last_month = WorkshopReport.objects.filter(month=last, workshop__in=running).count()
    assert reported_last_month == running.count()
    stopped = Workshop.objects.exclude(status=WorkshopStatus.ACTIVE)
    assert not WorkshopReport.objects.filter(month=last, workshop__in=stopped).exists()


def test_ningbo_employs_9400_and_more_every_month(seeded):
    by_month = (
        WorkshopReport.objects.filter(workshop__region__code__startswith="3302")
        .values("month")
        .annotate(employed=Sum("employed"), low_income=Sum("low_income_employed"), workshops=Count("workshop"))
    )
    assert len(by_month) == 24
    for row in by_month:
        assert 9_400 <= row["employed"] <= 10_600, row
        assert 0.2 * row["employed"] < row["low_income"] < 0.6 * row["employed"], row
        assert 220 <= row["workshops"] <= 260, row


def test_ximan_lanfu_gives_about_100_villagers_2000_yuan_more_a_month(seeded):
    workshop = Workshop.objects.get(name="喜曼蓝富创业工坊")
    assert workshop.region.code.startswith("330213001")  # 奉化区西坞街道
    figures = workshop.reports.aggregate(
        fewest=Min("employed"), most=Max("employed"), lowest_increase=Min("income_increase_per_person")
    )
    assert 90 <= figures["fewest"] <= figures["most"] <= 105
    assert figures["lowest_increase"] > 2000


def test_seeding_again_changes_nothing(seeded):
    before = list(WorkshopReport.objects.order_by("pk").values_list("pk", "employed", "sales"))
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert counts() == seeded
    assert list(WorkshopReport.objects.order_by("pk").values_list("pk", "employed", "sales")) == before
    assert "(+" not in output.getvalue() and "(~" not in output.getvalue()


def test_the_steward_account_sees_only_the_workshops_they_look_after(seeded, client):
    steward = Workshop.objects.get(name="喜曼蓝富创业工坊").steward
    assert steward.user.username == "steward"
    assert client.login(username="steward", password="demo-pass-2026")
    body = client.get("/api/v1/workshops/?page_size=100").json()
    assert "喜曼蓝富创业工坊" in {w["name"] for w in body["results"]}
    assert {w["id"] for w in body["results"]} == set(steward.stewarded_workshops.values_list("pk", flat=True))
    assert client.get("/api/v1/alliances/").json()["count"] == 0
    other = Workshop.objects.exclude(steward=steward).first()
    assert client.get(f"/workshops/{other.pk}/").status_code == 404
