"""A month's workshop figures close when its monthly bulletin is published: stewards and
leaders file and correct them before that cut-off, not after; county and city staff still
may, to re-issue the bulletin as a correction."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.periods import MONTH, Period
from evaluations.rollups import MONTHLY_BULLETIN
from evaluations.services import rollup_produce, rollup_publish
from tests.workshops.factories import ReportFactory, Shops
from tests.workshops.factories import report_figures as figures
from workshops.models import ClosedMonth, WorkshopReport
from workshops.services import close_month, workshop_report_create, workshop_report_update

pytestmark = pytest.mark.django_db

MAY = datetime.date(2025, 5, 1)
JUNE = datetime.date(2025, 6, 1)


@pytest.fixture
def shops(world):
    return Shops(world)


def publish_bulletin(world, region, month=MAY):
    draft, _created = rollup_produce(kind=MONTHLY_BULLETIN, period=Period(MONTH, month), region=region)
    return rollup_publish(actor=world.alice if region == world.county_a else world.carol, rollup=draft)


def test_publishing_a_monthly_bulletin_closes_its_month_in_its_region(world, shops):
    publish_bulletin(world, world.county_a)
    closing = ClosedMonth.objects.get()
    assert (closing.region, closing.month, closing.closed_by) == (world.county_a, MAY, world.alice)


def test_the_steward_corrects_before_the_cut_off_and_not_after(world, shops):
    report = ReportFactory(workshop=shops.a, month=MAY, employed=25, low_income_employed=10)
    workshop_report_update(actor=shops.sam, report=report, employed=28)
    assert WorkshopReport.objects.get(pk=report.pk).employed == 28
    publish_bulletin(world, world.county_a)
    with pytest.raises(ValidationError, match="已随月通报发布"):
        workshop_report_update(actor=shops.sam, report=WorkshopReport.objects.get(pk=report.pk), employed=40)
    assert WorkshopReport.objects.get(pk=report.pk).employed == 28


def test_a_closed_month_cannot_be_filed_late_by_a_steward_a_leader_or_township_staff_and_names_the_month(world, shops):
    publish_bulletin(world, world.county_a)
    for user in (shops.sam, world.lily, world.tina):
        with pytest.raises(ValidationError) as refused:
            workshop_report_create(actor=user, workshop=shops.a, **figures())
        assert "2025年5月的数据已随月通报发布" in " ".join(refused.value.message_dict["month"])
    assert not WorkshopReport.objects.exists()
    workshop_report_create(actor=shops.sam, workshop=shops.a, **figures(month=JUNE))  # the next month is open
    assert WorkshopReport.objects.get().month == JUNE


def test_county_and_city_staff_still_correct_a_closed_month_to_reissue_the_bulletin(world, shops):
    report = ReportFactory(workshop=shops.a, month=MAY, employed=25, low_income_employed=10)
    publish_bulletin(world, world.county_a)
    workshop_report_update(actor=world.alice, report=report, employed=26)
    workshop_report_update(actor=world.carol, report=WorkshopReport.objects.get(pk=report.pk), employed=27)
    assert WorkshopReport.objects.get(pk=report.pk).employed == 27


def test_a_citys_bulletin_closes_the_month_in_every_county_below_and_a_county_only_its_own(world, shops):
    close_month(actor=world.alice, region=world.county_a, month=MAY)
    workshop_report_create(actor=world.bob, workshop=shops.b, **figures())
    assert ClosedMonth.objects.covering(shops.b.region).count() == 0
    assert ClosedMonth.objects.covering(shops.a.region).count() == 1
    close_month(actor=world.carol, region=world.ningbo, month=JUNE)
    with pytest.raises(ValidationError):
        workshop_report_create(actor=shops.sam, workshop=shops.a, **figures(month=JUNE))
    # Closing again keeps the first closing.
    again = close_month(actor=world.admin, region=world.county_a, month=datetime.date(2025, 5, 17))
    assert again.closed_by == world.alice and ClosedMonth.objects.count() == 2


def test_the_page_offers_no_correction_of_a_closed_month_and_says_why(client, world, shops):
    may = ReportFactory(workshop=shops.a, month=MAY)
    june = ReportFactory(workshop=shops.a, month=JUNE)
    publish_bulletin(world, world.county_a)
    client.force_login(shops.sam)
    body = client.get(reverse("workshops:detail", args=[shops.a.pk])).content.decode()
    assert reverse("workshops:report-edit", args=[june.pk]) in body
    assert reverse("workshops:report-edit", args=[may.pk]) not in body
    assert "已随通报发布" in body and "如需更正，请联系县（市、区）委组织部" in body
    response = client.get(reverse("workshops:report-edit", args=[may.pk]), follow=True)
    assert response.redirect_chain == [(reverse("workshops:detail", args=[shops.a.pk]), 302)]
    assert "2025年5月的数据已随月通报发布" in response.content.decode()
    client.force_login(world.alice)
    body = client.get(reverse("workshops:detail", args=[shops.a.pk])).content.decode()
    assert reverse("workshops:report-edit", args=[may.pk]) in body and "已随通报发布" not in body


def test_the_api_refuses_a_stewards_correction_of_a_closed_month(api, world, shops):
    report = ReportFactory(workshop=shops.a, month=MAY, employed=25, low_income_employed=10)
    publish_bulletin(world, world.county_a)
    response = api.as_user(shops.sam).patch(f"/api/v1/workshop-reports/{report.pk}/", {"employed": 40}, format="json")
    assert response.status_code == 400
    assert "已随月通报发布" in str(response.json())
    assert WorkshopReport.objects.get(pk=report.pk).employed == 25


def test_the_report_form_says_up_front_that_the_month_it_offers_is_closed(client, world, shops):
    from workshops.months import last_complete_month

    last = last_complete_month(timezone.localdate())
    client.force_login(shops.sam)
    url = reverse("workshops:report-create", args=[shops.a.pk])
    assert "已随月通报发布" not in client.get(url).content.decode()
    close_month(actor=world.alice, region=world.county_a, month=last)
    body = client.get(url).content.decode()
    assert f"{last.year}年{last.month}月的数据已随月通报发布" in body
    ReportFactory(workshop=shops.a, month=last)  # filed, then closed: no link to correct it
    body = client.get(url).content.decode()
    assert "已随月通报发布" in body and "修改该月数据" not in body
    client.force_login(world.alice)
    body = client.get(url).content.decode()
    assert "已随月通报发布" not in body and "修改该月数据" in body


def test_a_superuser_reopens_a_month_in_the_admin_by_deleting_its_closing(client, world, shops):
    closing = close_month(actor=world.alice, region=world.county_a, month=MAY)
    report = ReportFactory(workshop=shops.a, month=MAY, employed=25, low_income_employed=10)
    client.force_login(world.admin)
    delete = reverse("admin:workshops_closedmonth_delete", args=[closing.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not ClosedMonth.objects.exists()
    workshop_report_update(actor=shops.sam, report=report, employed=26)  # open to the steward again
    assert WorkshopReport.objects.get(pk=report.pk).employed == 26
    assert client.get(reverse("admin:workshops_closedmonth_add")).status_code == 403  # closed by publishing only
