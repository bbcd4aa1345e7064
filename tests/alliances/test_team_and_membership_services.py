from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alliances.models import Membership, TeamRole
from alliances.services import membership_add, membership_end, team_role_assign, team_role_end
from tests.members.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_changing_the_leader_closes_the_old_role_and_keeps_history(world):
    first, second = PersonFactory(name="甲"), PersonFactory(name="乙")
    team_role_assign(
        actor=world.alice, alliance=world.alliance_a2, person=first, role="leader", started_on=datetime.date(2023, 1, 1)
    )
    team_role_assign(
        actor=world.alice,
        alliance=world.alliance_a2,
        person=second,
        role="leader",
        started_on=datetime.date(2024, 7, 1),
    )
    roles = list(
        TeamRole.objects.filter(alliance=world.alliance_a2, role="leader")
        .order_by("started_on")
        .values_list("person__name", "started_on", "ended_on")
    )
    assert roles == [
        ("甲", datetime.date(2023, 1, 1), datetime.date(2024, 7, 1)),
        ("乙", datetime.date(2024, 7, 1), None),
    ]


def test_a_new_leader_cannot_start_before_the_current_one(world):
    team_role_assign(
        actor=world.alice,
        alliance=world.alliance_a2,
        person=PersonFactory(),
        role="leader",
        started_on=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        team_role_assign(
            actor=world.alice,
            alliance=world.alliance_a2,
            person=PersonFactory(),
            role="leader",
            started_on=datetime.date(2023, 1, 1),
        )
    assert "started_on" in excinfo.value.message_dict
    assert TeamRole.objects.filter(alliance=world.alliance_a2, role="leader").count() == 1
    assert TeamRole.objects.get(alliance=world.alliance_a2, role="leader").ended_on is None


def test_advisors_are_many(world):
    for _ in range(3):
        team_role_assign(
            actor=world.alice,
            alliance=world.alliance_a2,
            person=PersonFactory(),
            role="advisor",
            started_on=datetime.date(2024, 1, 1),
        )
    assert TeamRole.objects.current().filter(alliance=world.alliance_a2, role="advisor").count() == 3


def test_ending_a_role_before_it_started_is_refused_naming_the_field(world):
    role = team_role_assign(
        actor=world.alice,
        alliance=world.alliance_a2,
        person=PersonFactory(),
        role="advisor",
        started_on=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        team_role_end(actor=world.alice, team_role=role, ended_on=datetime.date(2023, 12, 31))
    assert "ended_on" in excinfo.value.message_dict
    role.refresh_from_db()
    assert role.ended_on is None


def test_adding_a_current_member_twice_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        membership_add(
            actor=world.alice, alliance=world.alliance_a, organization=world.org_a, joined_on=datetime.date(2024, 1, 1)
        )
    assert "organization" in excinfo.value.message_dict


def test_a_second_lead_member_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        membership_add(
            actor=world.alice,
            alliance=world.alliance_a,
            role="lead",
            organization=OrganizationFactory(region=world.town_a),
            joined_on=datetime.date(2024, 1, 1),
        )
    assert "role" in excinfo.value.message_dict


def test_a_member_leaving_before_joining_is_refused(world):
    membership = Membership.objects.get(alliance=world.alliance_a, organization=world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        membership_end(actor=world.alice, membership=membership, left_on=datetime.date(2000, 1, 1))
    assert "left_on" in excinfo.value.message_dict
    membership.refresh_from_db()
    assert membership.left_on is None


@pytest.mark.parametrize("who", ["bob", "lily", "vera"])
def test_only_staff_of_the_alliance_region_may_change_its_team(world, who):
    with pytest.raises(PermissionDenied):
        team_role_assign(
            actor=getattr(world, who),
            alliance=world.alliance_a,
            person=PersonFactory(),
            role="advisor",
            started_on=datetime.date(2024, 1, 1),
        )
    assert not TeamRole.objects.filter(alliance=world.alliance_a, role="advisor").exists()
