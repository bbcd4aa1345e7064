"""Factories for workshops and their monthly reports."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from members.models import Region
from tests.members.factories import (
    OrganizationFactory,
    PersonFactory,
    RegionFactory,
    township,
    user_with_scope,
    village,
)
from workshops.models import Workshop, WorkshopReport

SHANGHAI = ZoneInfo("Asia/Shanghai")


def default_village() -> Region:
    county = RegionFactory(code="330212000000", name="鄞州区")
    return village(township(county, 1, "姜山镇"), 1, "走马塘村")


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    name = factory.Sequence(lambda n: f"测试共富工坊{n}")
    type = "processing"
    region = factory.LazyFunction(default_village)
    host = factory.SubFactory(OrganizationFactory, region=factory.SelfAttribute("..region"))
    opened_on = datetime.date(2022, 4, 1)
    status = "active"


def recorded_workshop(
    name: str, village: Region, *, recorded_on: datetime.date = datetime.date(2026, 1, 5), closed_on=None, **fields
) -> Workshop:
    """A workshop whose history says when it was recorded and, given ``closed_on``, closed
    (each change dated 09:00 in Shanghai, as ``value_then`` reads it)."""
    workshop = WorkshopFactory.build(name=name, region=village, host=OrganizationFactory(region=village), **fields)
    for status, day in ((workshop.status, recorded_on), ("closed", closed_on)):
        if day:
            workshop.status = status
            workshop._history_date = datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI)
            workshop.save()
    return workshop


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopReport

    workshop = factory.SubFactory(WorkshopFactory)
    month = datetime.date(2025, 1, 1)
    employed = 20
    low_income_employed = 6
    wages_paid = Decimal("42000.00")
    income_increase_per_person = Decimal("2100.00")
    sales = Decimal("150000.00")


def report_figures(**overrides) -> dict:
    """A month's figures for ``workshop_report_create`` (May 2025 unless ``month`` is given)."""
    values = {
        "month": datetime.date(2025, 5, 1),
        "employed": 30,
        "low_income_employed": 12,
        "wages_paid": Decimal("66000.00"),
        "income_increase_per_person": Decimal("2050.00"),
        "sales": Decimal("180000.00"),
    }
    return values | overrides


def complete_checklist() -> dict[str, bool]:
    from workshops.models import CHECKLIST_FIELDS

    return dict.fromkeys(CHECKLIST_FIELDS, True)


def steward_of(*workshops: Workshop, username: str = "sam"):
    """A user with the steward role whose person looks after the given workshops."""
    user = user_with_scope(username, "workshop_steward")
    person = PersonFactory(user=user, organization=workshops[0].host)
    for workshop in workshops:
        workshop.steward = person
        workshop.save(update_fields=["steward"])
    return user


class Shops:
    """Workshops on top of the ``world`` fixture.

    a: in county A's 走马塘村, alliance A1 (lily leads it), steward sam;
    a_free: in county A's 云龙镇, no alliance;
    b: in county B, alliance B1.
    """

    def __init__(self, world):
        town_a2 = Region.objects.get(code="330212002000")
        self.village_a2 = village(town_a2, 1, "云龙村")
        self.village_b = village(world.town_b, 1, "高亭村")
        self.a = WorkshopFactory(
            name="走马塘来料加工共富工坊",
            region=world.village_a,
            host=world.org_a,
            alliance=world.alliance_a,
            partner_enterprise="宁波甬海服饰有限公司",
            **complete_checklist(),
        )
        self.a_free = WorkshopFactory(
            name="云龙共享农场", type="shared_farm", region=self.village_a2, has_team=True, has_base=True
        )
        self.b = WorkshopFactory(
            name="高亭电商直播工坊", type="live_commerce", region=self.village_b, alliance=world.alliance_b
        )
        self.sam = steward_of(self.a, username="sam")
