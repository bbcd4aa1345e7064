"""Every write of the operations services is signed in the history by its ``actor``, also
outside a request (the API's token users, imports, tasks): as the alliance services do."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from alliances.models import (
    Activity,
    Claim,
    EntityPlatform,
    Meeting,
    Membership,
    Mentorship,
    Need,
    Resource,
    Shareholding,
)
from alliances.services import (
    activity_create,
    claim_create,
    claim_start,
    meeting_create,
    meeting_update,
    membership_add,
    mentorship_create,
    need_create,
    platform_create,
    resource_create,
    shareholding_remove,
    shareholding_set,
)
from tests.members.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def authors(model, pk) -> set[str | None]:
    rows = model.history.filter(id=pk).values_list("history_user__username", flat=True)
    return set(rows)


def test_meetings_and_activities_are_signed_by_their_actor(world):
    meeting = meeting_create(
        actor=world.lily, alliance=world.alliance_a, kind="monthly", held_on=D(2025, 3, 10), topics="议题"
    )
    meeting_update(actor=world.alice, meeting=meeting, place="村委会")
    activity = activity_create(
        actor=world.lily,
        alliance=world.alliance_a,
        kind="joint_training",
        title="联合党课",
        held_on=D(2025, 4, 1),
        summary="学习",
    )
    assert authors(Meeting, meeting.pk) == {"lily", "alice"}
    assert authors(Activity, activity.pk) == {"lily"}


def test_memberships_mentorships_and_platforms_are_signed_by_their_actor(world):
    organization = OrganizationFactory(region=world.village_a)
    membership = membership_add(
        actor=world.alice, alliance=world.alliance_a, organization=organization, joined_on=D(2025, 1, 1)
    )
    mentor, apprentice = PersonFactory(organization=world.org_a), PersonFactory(organization=world.org_a)
    mentorship = mentorship_create(
        actor=world.alice, alliance=world.alliance_a, mentor=mentor, apprentice=apprentice, started_on=D(2025, 2, 1)
    )
    platform = platform_create(
        actor=world.alice,
        alliance=world.alliance_a,
        name="姜山强村公司",
        kind="strong_village",
        ownership="multi_village",
    )
    holding = shareholding_set(
        actor=world.alice, platform=platform, alliance=world.alliance_a, percentage=Decimal("40")
    )
    holding_id = holding.pk
    shareholding_remove(actor=world.alice, shareholding=holding)
    assert authors(Membership, membership.pk) == {"alice"}
    assert authors(Mentorship, mentorship.pk) == {"alice"}
    assert authors(EntityPlatform, platform.pk) == {"alice"}
    assert set(Shareholding.history.filter(id=holding_id).values_list("history_type", "history_user__username")) == {
        ("+", "alice"),
        ("-", "alice"),
    }


def test_lists_and_claims_are_signed_by_their_actor(world):
    need = need_create(
        actor=world.lily, alliance=world.alliance_a, title="缺水", category="infrastructure", posted_on=D(2025, 5, 1)
    )
    resource = resource_create(
        actor=world.lily,
        alliance=world.alliance_a,
        title="闲置资金",
        category="funds",
        quantity=Decimal("10"),
        unit="万元",
        posted_on=D(2025, 5, 1),
    )
    claim = claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a2, claimed_on=D(2025, 5, 2))
    claim_start(actor=world.alice, claim=claim, started_on=D(2025, 5, 3))
    assert authors(Need, need.pk) == {"lily", "alice"}
    assert authors(Resource, resource.pk) == {"lily"}
    assert authors(Claim, claim.pk) == {"alice"}
