"""Invariants the database itself enforces, whatever code path writes."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from alliances.models import Membership, TeamRole
from members.models import MemberOrganization, Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_database_rejects_a_second_open_leader(world):
    first, second = PersonFactory(), PersonFactory()
    TeamRole.objects.create(
        alliance=world.alliance_a2, person=first, role="leader", started_on=datetime.date(2024, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamRole.objects.create(
            alliance=world.alliance_a2, person=second, role="leader", started_on=datetime.date(2024, 2, 1)
        )
    assert TeamRole.objects.filter(alliance=world.alliance_a2, role="leader").count() == 1


def test_database_allows_a_closed_leader_beside_the_open_one(world):
    first, second = PersonFactory(), PersonFactory()
    TeamRole.objects.create(
        alliance=world.alliance_a2,
        person=first,
        role="leader",
        started_on=datetime.date(2023, 1, 1),
        ended_on=datetime.date(2024, 1, 1),
    )
    TeamRole.objects.create(
        alliance=world.alliance_a2, person=second, role="leader", started_on=datetime.date(2024, 1, 1)
    )
    assert TeamRole.objects.filter(alliance=world.alliance_a2, role="leader", ended_on__isnull=True).count() == 1


def test_database_rejects_a_second_open_instructor(world):
    TeamRole.objects.create(
        alliance=world.alliance_a2, person=PersonFactory(), role="instructor", started_on=datetime.date(2024, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamRole.objects.create(
            alliance=world.alliance_a2, person=PersonFactory(), role="instructor", started_on=datetime.date(2024, 1, 1)
        )


def test_database_rejects_a_membership_that_ends_before_it_starts(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            alliance=world.alliance_a2,
            organization=world.org_a,
            joined_on=datetime.date(2024, 5, 1),
            left_on=datetime.date(2024, 4, 30),
        )
    assert not Membership.objects.filter(alliance=world.alliance_a2).exists()


def test_database_rejects_two_open_memberships_of_the_same_pair(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            alliance=world.alliance_a, organization=world.org_a, joined_on=datetime.date(2024, 1, 1)
        )


def test_an_organization_may_rejoin_after_leaving_and_belong_to_several_alliances(world):
    Membership.objects.filter(alliance=world.alliance_a, organization=world.org_a).update(
        left_on=datetime.date(2024, 1, 1)
    )
    Membership.objects.create(alliance=world.alliance_a, organization=world.org_a, joined_on=datetime.date(2024, 6, 1))
    Membership.objects.create(alliance=world.alliance_a2, organization=world.org_a, joined_on=datetime.date(2024, 6, 1))
    assert Membership.objects.filter(organization=world.org_a).count() == 3


def test_database_rejects_a_star_rating_of_six(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberOrganization.objects.filter(pk=world.org_a.pk).update(star_rating=6)


def test_database_rejects_a_malformed_mobile(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=world.person_a.pk).update(mobile="12345")


def test_database_rejects_a_demonstration_alliance_without_a_year(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        type(world.alliance_a).objects.filter(pk=world.alliance_a.pk).update(is_demonstration=True)
