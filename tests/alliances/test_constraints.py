"""Invariants the database itself enforces, whatever code path writes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from alliances.models import Claim, Meeting, Membership, TeamRole
from core.constraints import constraint_error, validated_save
from members.models import MemberOrganization, Person
from tests.alliances.factories import ClaimFactory, MeetingFactory, NeedFactory
from tests.members.factories import PersonFactory
from tests.workshops.factories import ReportFactory, WorkshopFactory

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


# --------------------------------------------------------------------------- one way to a form error
# When validation passed and the database still refuses the row (two requests racing), every
# service's save reports it as full_clean() would: the constraint's field and message.


def passes_validation(instance):
    """The instance as a racing request sees it: its checks passed before the other committed."""
    instance.full_clean = lambda *args, **kwargs: None
    return instance


def test_a_raced_duplicate_meeting_is_refused_with_the_constraints_own_message(world):
    MeetingFactory(alliance=world.alliance_a, kind="monthly", held_on=datetime.date(2025, 3, 10))
    twin = passes_validation(
        Meeting(alliance=world.alliance_a, kind="monthly", held_on=datetime.date(2025, 3, 10), topics="议题")
    )
    with pytest.raises(ValidationError) as refused:
        validated_save(twin)
    assert refused.value.message_dict == {NON_FIELD_ERRORS: ["该联盟当天已记录同类会议。"]}
    assert Meeting.objects.filter(alliance=world.alliance_a).count() == 1


def test_a_raced_second_claim_of_a_need_is_refused_on_the_need_field(world):
    need = NeedFactory(alliance=world.alliance_a)
    ClaimFactory(need=need, claimant_alliance=world.alliance_a2)
    twin = passes_validation(Claim(need=need, claimant_alliance=world.alliance_b, claimed_on=need.posted_on))
    with pytest.raises(ValidationError) as refused:
        validated_save(twin)
    assert refused.value.message_dict == {"need": ["该需求已被认领。"]}


def test_a_raced_field_constraint_names_its_field(world):
    report = passes_validation(ReportFactory.build(workshop=WorkshopFactory(), employed=3, low_income_employed=9))
    with pytest.raises(ValidationError) as refused:
        validated_save(report)
    assert refused.value.message_dict == {"low_income_employed": ["低收入就业人数不能超过带动就业人数。"]}


def test_a_violation_without_a_message_of_its_own_is_a_general_conflict(world):
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Membership.objects.create(
            alliance=world.alliance_a2,
            organization=world.org_a,
            joined_on=datetime.date(2024, 5, 1),
            left_on=datetime.date(2024, 4, 1),
        )
    assert constraint_error(Membership, caught.value).messages == ["数据与已有记录冲突，请刷新后重试。"]
