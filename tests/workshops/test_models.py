"""The database itself refuses bad monthly figures; model validation names the field."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.constraints import FieldCheckConstraint, constraint_field
from tests.workshops.factories import ReportFactory, WorkshopFactory, complete_checklist
from workshops.models import Workshop, WorkshopReport
from workshops.months import add_months, last_complete_month, month_range, parse_month

pytestmark = pytest.mark.django_db


def refused_by_database(**fields) -> bool:
    try:
        with transaction.atomic():
            WorkshopReport.objects.bulk_create([WorkshopReport(**fields)])
    except IntegrityError:
        return True
    return False


def report_fields(workshop, **overrides):
    values = {
        "workshop": workshop,
        "month": datetime.date(2025, 3, 1),
        "employed": 10,
        "low_income_employed": 4,
        "wages_paid": Decimal("20000.00"),
        "income_increase_per_person": Decimal("2000.00"),
        "sales": Decimal("50000.00"),
    }
    return values | overrides


@pytest.mark.parametrize(
    "overrides",
    [
        {"low_income_employed": 11},
        {"month": datetime.date(2025, 3, 15)},
        {"wages_paid": Decimal("-1.00")},
        {"income_increase_per_person": Decimal("-0.01")},
        {"sales": Decimal("-5.00")},
        {"employed": -1, "low_income_employed": 0},
    ],
)
def test_the_database_refuses_impossible_figures(overrides):
    workshop = WorkshopFactory()
    assert refused_by_database(**report_fields(workshop, **overrides))
    assert not WorkshopReport.objects.exists()


def test_the_database_refuses_a_second_report_for_the_same_month():
    workshop = WorkshopFactory()
    assert not refused_by_database(**report_fields(workshop))
    assert refused_by_database(**report_fields(workshop, employed=12))
    assert WorkshopReport.objects.get().employed == 10


def test_low_income_equal_to_employed_is_allowed():
    workshop = WorkshopFactory()
    assert not refused_by_database(**report_fields(workshop, employed=7, low_income_employed=7))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"low_income_employed": 11}, "low_income_employed"),
        ({"month": datetime.date(2025, 3, 2)}, "month"),
        ({"sales": Decimal("-5.00")}, "sales"),
    ],
)
def test_model_validation_puts_each_error_on_its_field(overrides, field):
    report = WorkshopReport(**report_fields(WorkshopFactory(), **overrides))
    with pytest.raises(ValidationError) as caught:
        report.full_clean()
    assert field in caught.value.message_dict


def test_a_duplicate_month_is_a_month_error_in_model_validation():
    existing = ReportFactory()
    duplicate = WorkshopReport(**report_fields(existing.workshop, month=existing.month))
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "已填报" in " ".join(caught.value.message_dict["month"])


def test_a_database_error_maps_back_to_the_constraints_field():
    workshop = WorkshopFactory()
    try:
        with transaction.atomic():
            WorkshopReport.objects.create(**report_fields(workshop, low_income_employed=99))
    except IntegrityError as error:
        assert constraint_field(WorkshopReport, error) == (
            "low_income_employed",
            "低收入就业人数不能超过带动就业人数。",
        )
    else:  # pragma: no cover - the assertion below explains the failure
        pytest.fail("the database accepted more low-income workers than workers")


def test_field_constraints_survive_a_migration_round_trip():
    constraint = next(c for c in WorkshopReport._meta.constraints if isinstance(c, FieldCheckConstraint))
    path, args, kwargs = constraint.deconstruct()
    assert path == "core.constraints.FieldCheckConstraint"
    assert FieldCheckConstraint(*args, **kwargs) == constraint
    assert FieldCheckConstraint(*args, **(kwargs | {"error_field": "other"})) != constraint


def test_a_workshop_must_be_in_a_village(world):
    workshop = WorkshopFactory.build(region=world.town_a, host=world.org_a)
    with pytest.raises(ValidationError) as caught:
        workshop.full_clean()
    assert "region" in caught.value.message_dict


def test_two_workshops_in_a_village_need_different_names(world):
    WorkshopFactory(name="同名工坊", region=world.village_a, host=world.org_a)
    twin = WorkshopFactory.build(name="同名工坊", region=world.village_a, host=world.org_a)
    with pytest.raises(ValidationError) as caught:
        twin.full_clean()
    assert "name" in caught.value.message_dict


def test_checklist_score_and_complete_filter_are_computed_in_sql(world):
    full = WorkshopFactory(name="全", **complete_checklist())
    five = WorkshopFactory(name="五", **(complete_checklist() | {"has_reports": False}))
    none = WorkshopFactory(name="无")
    scores = dict(Workshop.objects.with_checklist().values_list("name", "checklist_score"))
    assert scores == {"全": 6, "五": 5, "无": 0}
    assert list(Workshop.objects.checklist_complete()) == [full]
    assert set(Workshop.objects.checklist_complete(False)) == {five, none}


def test_latest_report_annotations_pick_the_newest_month():
    workshop = WorkshopFactory()
    ReportFactory(workshop=workshop, month=datetime.date(2025, 1, 1), employed=10, low_income_employed=2)
    ReportFactory(workshop=workshop, month=datetime.date(2025, 2, 1), employed=14, low_income_employed=5)
    row = Workshop.objects.with_latest_report().get(pk=workshop.pk)
    assert (row.latest_month, row.latest_employed, row.latest_low_income_employed) == (
        datetime.date(2025, 2, 1),
        14,
        5,
    )


def test_month_helpers():
    assert parse_month("2025-03") == datetime.date(2025, 3, 1)
    assert parse_month("2025-3") == datetime.date(2025, 3, 1)
    assert parse_month("2025-03-01") == datetime.date(2025, 3, 1)
    for bad in ("2025-13", "2025-03-15", "March", "", datetime.date(2025, 3, 2)):
        with pytest.raises(ValidationError):
            parse_month(bad)
    assert add_months(datetime.date(2025, 11, 1), 3) == datetime.date(2026, 2, 1)
    assert add_months(datetime.date(2025, 1, 1), -1) == datetime.date(2024, 12, 1)
    assert last_complete_month(datetime.date(2026, 1, 31)) == datetime.date(2025, 12, 1)
    assert len(list(month_range(datetime.date(2024, 11, 1), datetime.date(2025, 10, 1)))) == 12
