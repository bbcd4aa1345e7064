"""Filing monthly figures: who may, and the refusals that name the field to correct."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.workshops.factories import ReportFactory, Shops
from tests.workshops.factories import report_figures as figures
from workshops.forms import WorkshopReportForm
from workshops.models import WorkshopReport
from workshops.months import add_months, first_of_month, format_month, last_complete_month
from workshops.services import workshop_report_create, workshop_report_update

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2025, 5, 1)


@pytest.fixture
def shops(world):
    return Shops(world)


def form_data(**overrides):
    data = {
        "month": "2025-05",
        "employed": "30",
        "low_income_employed": "12",
        "wages_paid": "66000.00",
        "income_increase_per_person": "2050.00",
        "sales": "180000.00",
        "notes": "新接一批刺绣订单",
    }
    return data | overrides


def api_data(workshop, **overrides):
    return form_data(workshop=workshop.pk) | overrides


# --------------------------------------------------------------------------- who files


@pytest.mark.parametrize("who", ["alice", "carol", "tina", "lily", "sam", "admin"])
def test_staff_leader_and_steward_file_a_month_through_the_form(client, world, shops, who):
    user = shops.sam if who == "sam" else getattr(world, who)
    client.force_login(user)
    response = client.post(reverse("workshops:report-create", args=[shops.a.pk]), form_data())
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    report = WorkshopReport.objects.get(workshop=shops.a, month=MONTH)
    assert (report.employed, report.low_income_employed, report.income_increase_per_person) == (
        30,
        12,
        Decimal("2050.00"),
    )
    assert report.submitted_by == user


def test_a_viewer_may_read_but_not_file(client, api, world, shops):
    client.force_login(world.vera)
    assert client.get(reverse("workshops:detail", args=[shops.a.pk])).status_code == 200
    assert client.get(reverse("workshops:report-create", args=[shops.a.pk])).status_code == 403
    assert client.post(reverse("workshops:report-create", args=[shops.a.pk]), form_data()).status_code == 403
    response = api.as_user(world.vera).post("/api/v1/workshop-reports/", api_data(shops.a), format="json")
    assert response.status_code == 403
    assert not WorkshopReport.objects.exists()


def test_a_leader_cannot_file_for_a_workshop_outside_their_alliance(api, world, shops):
    response = api.as_user(world.lily).post("/api/v1/workshop-reports/", api_data(shops.a_free), format="json")
    assert response.status_code == 400
    assert "workshop" in response.json()
    with pytest.raises(PermissionDenied):
        workshop_report_create(actor=world.lily, workshop=shops.a_free, **figures())
    assert not WorkshopReport.objects.exists()


def test_a_steward_files_through_the_api_and_the_report_shows_in_their_list(api, world, shops):
    api.as_user(shops.sam)
    response = api.post("/api/v1/workshop-reports/", api_data(shops.a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["month"], body["employed"], body["submitted_by"]) == ("2025-05", 30, "sam")
    assert [r["id"] for r in api.get("/api/v1/workshop-reports/").json()["results"]] == [body["id"]]


def test_staff_of_another_county_cannot_file(world, shops):
    with pytest.raises(PermissionDenied):
        workshop_report_create(actor=world.bob, workshop=shops.a, **figures())


# --------------------------------------------------------------------------- refusals


def test_form_refuses_a_second_report_for_the_same_month_on_the_month_field(client, world, shops):
    ReportFactory(workshop=shops.a, month=MONTH, employed=25)
    client.force_login(world.alice)
    response = client.post(reverse("workshops:report-create", args=[shops.a.pk]), form_data())
    assert response.status_code == 200
    assert "已填报" in " ".join(response.context["form"].errors["month"])
    assert WorkshopReport.objects.get(workshop=shops.a, month=MONTH).employed == 25


def test_form_refuses_more_low_income_workers_than_workers(client, world, shops):
    client.force_login(world.alice)
    response = client.post(
        reverse("workshops:report-create", args=[shops.a.pk]), form_data(employed="10", low_income_employed="11")
    )
    assert response.status_code == 200
    assert "不能超过" in " ".join(response.context["form"].errors["low_income_employed"])
    assert not WorkshopReport.objects.exists()


@pytest.mark.parametrize(
    "case",
    [
        ({"employed": "10", "low_income_employed": "11"}, "low_income_employed"),
        ({}, "month"),  # the month is already reported
    ],
)
def test_form_errors_still_name_the_field_when_the_forms_own_check_is_bypassed(client, world, shops, monkeypatch, case):
    data, field = case
    ReportFactory(workshop=shops.a, month=MONTH)
    monkeypatch.setattr(WorkshopReportForm, "clean", lambda self: self.cleaned_data)
    client.force_login(world.alice)
    response = client.post(reverse("workshops:report-create", args=[shops.a.pk]), form_data(**data))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert WorkshopReport.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"employed": 10, "low_income_employed": 11}, "low_income_employed"),
        ({}, "month"),
        ({"sales": "-1.00"}, "sales"),
    ],
)
def test_api_refuses_bad_figures_with_a_field_error(api, world, shops, data, field):
    ReportFactory(workshop=shops.a, month=MONTH)
    response = api.as_user(world.alice).post("/api/v1/workshop-reports/", api_data(shops.a, **data), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert WorkshopReport.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"employed": 10, "low_income_employed": 11}, "low_income_employed"), ({}, "month")],
)
def test_the_database_is_the_last_guard_and_its_refusal_names_the_field(world, shops, monkeypatch, overrides, field):
    """With every check before the database switched off, the constraint still refuses
    the row, and the service turns the IntegrityError into an error on the right field."""
    ReportFactory(workshop=shops.a, month=MONTH)
    monkeypatch.setattr(WorkshopReport, "full_clean", lambda self, *args, **kwargs: None)
    with pytest.raises(ValidationError) as caught:
        workshop_report_create(actor=world.alice, workshop=shops.a, **figures(**overrides))
    assert list(caught.value.message_dict) == [field]
    assert WorkshopReport.objects.count() == 1


def test_the_api_maps_a_racing_duplicate_to_the_month_field(api, world, shops, monkeypatch):
    ReportFactory(workshop=shops.a, month=MONTH)
    monkeypatch.setattr(WorkshopReport, "full_clean", lambda self, *args, **kwargs: None)
    response = api.as_user(world.alice).post("/api/v1/workshop-reports/", api_data(shops.a), format="json")
    assert response.status_code == 400
    assert "month" in response.json()


def test_a_future_month_or_one_before_opening_is_refused(world, shops):
    next_month = add_months(first_of_month(timezone.localdate()), 1)
    with pytest.raises(ValidationError) as caught:
        workshop_report_create(actor=world.alice, workshop=shops.a, **figures(month=next_month))
    assert "month" in caught.value.message_dict
    before_opening = add_months(first_of_month(shops.a.opened_on), -1)
    with pytest.raises(ValidationError) as caught:
        workshop_report_create(actor=world.alice, workshop=shops.a, **figures(month=before_opening))
    assert "开办" in " ".join(caught.value.message_dict["month"])
    assert not WorkshopReport.objects.exists()


def test_every_problem_is_reported_at_once(world, shops):
    next_month = add_months(first_of_month(timezone.localdate()), 1)
    with pytest.raises(ValidationError) as caught:
        workshop_report_create(
            actor=world.alice, workshop=shops.a, **figures(month=next_month, employed=1, low_income_employed=2)
        )
    assert set(caught.value.message_dict) == {"month", "low_income_employed"}


def test_month_accepts_yyyy_mm_and_refuses_other_days(api, world, shops):
    api.as_user(world.alice)
    response = api.post("/api/v1/workshop-reports/", api_data(shops.a, month="2025-05-17"), format="json")
    assert response.status_code == 400 and "month" in response.json()
    response = api.post("/api/v1/workshop-reports/", api_data(shops.a, month="2025-05-01"), format="json")
    assert response.status_code == 201
    assert WorkshopReport.objects.get().month == MONTH


# --------------------------------------------------------------------------- corrections


def test_a_report_is_corrected_through_the_form_and_keeps_its_month(client, world, shops):
    report = ReportFactory(workshop=shops.a, month=MONTH, employed=20, low_income_employed=5)
    client.force_login(shops.sam)
    url = reverse("workshops:report-edit", args=[report.pk])
    assert 'value="2025-05"' in client.get(url).content.decode()
    response = client.post(url, form_data(month="2024-01", employed="24", low_income_employed="9"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.month, report.employed, report.low_income_employed, report.submitted_by) == (
        MONTH,
        24,
        9,
        shops.sam,
    )


def test_a_correction_through_the_api_cannot_break_the_rules(api, world, shops):
    report = ReportFactory(workshop=shops.a, month=MONTH, employed=20, low_income_employed=5)
    api.as_user(world.lily)
    response = api.patch(f"/api/v1/workshop-reports/{report.pk}/", {"low_income_employed": 21}, format="json")
    assert response.status_code == 400 and "low_income_employed" in response.json()
    response = api.patch(f"/api/v1/workshop-reports/{report.pk}/", {"employed": 22, "month": "2020-01"}, format="json")
    assert response.status_code == 200
    assert response.json()["month"] == "2025-05"
    report.refresh_from_db()
    assert (report.employed, report.low_income_employed, report.month) == (22, 5, MONTH)


def test_the_service_refuses_to_change_the_workshop_or_month(world, shops):
    report = ReportFactory(workshop=shops.a, month=MONTH)
    with pytest.raises(ValidationError) as caught:
        workshop_report_update(actor=world.alice, report=report, month=datetime.date(2024, 1, 1))
    assert "month" in caught.value.message_dict


def test_the_form_offers_the_last_complete_month(client, world, shops):
    client.force_login(world.alice)
    page = client.get(reverse("workshops:report-create", args=[shops.a.pk])).content.decode()
    assert f'value="{format_month(last_complete_month(timezone.localdate()))}"' in page
    assert 'type="month"' in page
    assert "没有待填报的月份" not in page  # a month waits: no "nothing to file" note


def test_the_form_does_not_offer_a_month_already_filed(client, world, shops):
    last = last_complete_month(timezone.localdate())
    ReportFactory(workshop=shops.a, month=last)
    client.force_login(world.alice)
    form = client.get(reverse("workshops:report-create", args=[shops.a.pk])).context["form"]
    assert form["month"].value() is None
    assert f"最近已填报：{last.year}年{last.month}月" in str(form.fields["month"].help_text)


def test_with_last_month_filed_the_form_says_when_the_next_month_can_be_filed(client, world, shops):
    last = last_complete_month(timezone.localdate())
    ReportFactory(workshop=shops.a, month=last)
    client.force_login(world.alice)
    response = client.get(reverse("workshops:report-create", args=[shops.a.pk]))
    page = response.content.decode()
    current = timezone.localdate()
    assert response.context["form"].next_month == current.replace(day=1)
    assert f"没有待填报的月份：{current.year}年{current.month}月的数据请在该月结束后填报" in page
