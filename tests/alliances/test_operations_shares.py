"""Entity platforms: shareholdings never add up to more than 100 %, in the service and in PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction

from alliances.models import EntityPlatform, Shareholding
from alliances.services import platform_create, shareholding_remove, shareholding_set
from tests.alliances.factories import PlatformFactory, ShareholdingFactory
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def share_trigger(db):
    """The trigger declared on Shareholding.Meta, installed by the migrations."""
    (trigger,) = Shareholding._meta.triggers
    assert trigger.get_installation_status(Shareholding) == ("INSTALLED", True)


@pytest.fixture
def platform(world):
    return PlatformFactory(alliance=world.alliance_a, name="姜山强村发展有限公司")


def shares(platform) -> list[tuple[str, Decimal]]:
    return [(str(h.shareholder), h.percentage) for h in platform.shareholdings.order_by("-percentage", "pk")]


def test_staff_add_shareholders_up_to_exactly_100_percent(world, platform):
    shareholding_set(actor=world.alice, platform=platform, alliance=world.alliance_a, percentage=Decimal("60"))
    shareholding_set(
        actor=world.alice,
        platform=platform,
        organization=world.org_a,
        percentage=Decimal("40"),
        capital_contribution=Decimal("2000000.00"),
    )
    assert shares(platform) == [("姜山共富联盟", Decimal("60.00")), ("走马塘村党委", Decimal("40.00"))]
    assert EntityPlatform.objects.with_share_total().get(pk=platform.pk).share_total == Decimal("100.00")
    holding = platform.shareholdings.get(organization=world.org_a)
    assert holding.capital_contribution == Decimal("2000000.00")


def test_a_stake_that_would_push_the_total_past_100_is_refused_and_nothing_is_saved(world, platform):
    shareholding_set(actor=world.alice, platform=platform, alliance=world.alliance_a, percentage=Decimal("60"))
    with pytest.raises(ValidationError) as error:
        shareholding_set(actor=world.alice, platform=platform, organization=world.org_a, percentage=Decimal("40.01"))
    assert "percentage" in error.value.message_dict
    assert "60.00" in error.value.message_dict["percentage"][0]
    assert shares(platform) == [("姜山共富联盟", Decimal("60.00"))]


def test_raising_an_existing_stake_counts_only_the_other_shareholders(world, platform):
    shareholding_set(actor=world.alice, platform=platform, alliance=world.alliance_a, percentage=Decimal("60"))
    shareholding_set(actor=world.alice, platform=platform, organization=world.org_a, percentage=Decimal("30"))
    shareholding_set(actor=world.alice, platform=platform, alliance=world.alliance_a, percentage=Decimal("70"))
    assert shares(platform) == [("姜山共富联盟", Decimal("70.00")), ("走马塘村党委", Decimal("30.00"))]
    with pytest.raises(ValidationError):
        shareholding_set(actor=world.alice, platform=platform, alliance=world.alliance_a, percentage=Decimal("71"))
    assert platform.shareholdings.count() == 2


def test_a_removed_shareholder_frees_its_stake(world, platform):
    shareholding_set(actor=world.alice, platform=platform, alliance=world.alliance_a, percentage=Decimal("100"))
    shareholding_remove(actor=world.alice, shareholding=platform.shareholdings.get())
    shareholding_set(actor=world.alice, platform=platform, organization=world.org_a, percentage=Decimal("100"))
    assert shares(platform) == [("走马塘村党委", Decimal("100.00"))]


def test_a_shareholder_is_an_alliance_or_an_organization_never_both_nor_neither(world, platform):
    for kwargs in ({}, {"alliance": world.alliance_a, "organization": world.org_a}):
        with pytest.raises(ValidationError) as error:
            shareholding_set(actor=world.alice, platform=platform, percentage=Decimal("10"), **kwargs)
        assert "alliance" in error.value.message_dict
    assert not platform.shareholdings.exists()


@pytest.mark.parametrize("both", [True, False])
def test_the_database_refuses_a_shareholding_with_both_or_no_shareholder(world, platform, both):
    with pytest.raises(IntegrityError), transaction.atomic():
        Shareholding.objects.create(
            platform=platform,
            alliance=world.alliance_a if both else None,
            organization=world.org_a if both else None,
            percentage=Decimal("10"),
        )


def test_postgresql_refuses_a_raw_insert_that_would_exceed_100_percent(world, platform, share_trigger):
    assert connection.vendor == "postgresql"
    ShareholdingFactory(platform=platform, alliance=world.alliance_a, percentage=Decimal("60"))
    ShareholdingFactory(platform=platform, alliance=None, organization=world.org_a, percentage=Decimal("40"))
    other = OrganizationFactory(region=world.village_a)
    with pytest.raises(IntegrityError, match="more than 100"), transaction.atomic():
        Shareholding.objects.create(platform=platform, organization=other, percentage=Decimal("0.01"))
    assert platform.shareholdings.count() == 2


def test_postgresql_refuses_a_raw_update_that_would_exceed_100_percent(world, platform, share_trigger):
    ShareholdingFactory(platform=platform, alliance=world.alliance_a, percentage=Decimal("60"))
    ShareholdingFactory(platform=platform, alliance=None, organization=world.org_a, percentage=Decimal("40"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Shareholding.objects.filter(organization=world.org_a).update(percentage=Decimal("41"))
    assert platform.shareholdings.get(organization=world.org_a).percentage == Decimal("40.00")


def test_platform_money_is_decimal_yuan(world):
    platform = platform_create(
        actor=world.alice,
        alliance=world.alliance_a,
        name="姜山共富联合社",
        kind="joint_cooperative",
        ownership="town_village",
        registered_capital=Decimal("1234567.89"),
        annual_revenue=Decimal("1000000.10"),
        revenue_year=2025,
    )
    platform.refresh_from_db()
    assert platform.registered_capital == Decimal("1234567.89")
    assert platform.annual_revenue + Decimal("0.90") == Decimal("1000001.00")


def test_revenue_without_its_year_is_refused(world):
    with pytest.raises(ValidationError) as error:
        platform_create(
            actor=world.alice,
            alliance=world.alliance_a,
            name="无年度",
            kind="other",
            ownership="alliance_owned",
            annual_revenue=Decimal("10"),
        )
    assert "revenue_year" in error.value.message_dict


def test_only_staff_covering_the_alliance_manage_its_platforms(world, platform):
    for user in (world.bob, world.lily, world.vera):
        with pytest.raises(PermissionDenied):
            shareholding_set(actor=user, platform=platform, alliance=world.alliance_a, percentage=Decimal("10"))
    assert not platform.shareholdings.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_stakes_cannot_together_exceed_100_percent(world, monkeypatch):
    """Each writer pauses right after summing the other stakes, so without the platform lock
    both would see 0 % and both save 60 %; with it the second writer waits and sees 60 %."""
    platform = PlatformFactory(alliance=world.alliance_a)
    paused = threading.Barrier(2)
    others_total = Shareholding.others_total

    def slow_others_total(self):
        total = others_total(self)
        try:
            paused.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return total

    monkeypatch.setattr(Shareholding, "others_total", slow_others_total)
    outcomes: list[str] = []

    def add(**shareholder):
        try:
            shareholding_set(actor=world.alice, platform=platform, percentage=Decimal("60"), **shareholder)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=add, kwargs={"alliance": world.alliance_a}),
        threading.Thread(target=add, kwargs={"organization": world.org_a}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert [h.percentage for h in Shareholding.objects.filter(platform=platform)] == [Decimal("60.00")]
