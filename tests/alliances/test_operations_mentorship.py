"""导师帮带: nobody mentors themselves, an apprentice belongs to the alliance, one open pair at a time."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from alliances.models import Mentorship
from alliances.services import mentorship_create, mentorship_end
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def mentor(world):
    return PersonFactory(name="王金牌", organization=world.org_a, title="党委书记")


def test_a_leader_pairs_a_gold_mentor_with_an_apprentice_of_the_alliance(world, mentor):
    mentorship = mentorship_create(
        actor=world.lily,
        alliance=world.alliance_a,
        mentor=mentor,
        mentor_title="金牌导师",
        apprentice=world.person_a,
        started_on=D(2025, 3, 1),
    )
    assert (mentorship.mentor_title, mentorship.is_current) == ("金牌导师", True)


def test_a_self_mentorship_is_refused_on_the_apprentice_field(world):
    with pytest.raises(ValidationError) as error:
        mentorship_create(
            actor=world.alice,
            alliance=world.alliance_a,
            mentor=world.person_a,
            apprentice=world.person_a,
            started_on=D(2025, 3, 1),
        )
    assert error.value.message_dict["apprentice"] == ["导师不能与自己结对。"]
    assert not Mentorship.objects.exists()


def test_the_database_refuses_a_self_mentorship(world):
    with pytest.raises(IntegrityError, match="mentorship_not_self"), transaction.atomic():
        Mentorship.objects.create(
            alliance=world.alliance_a, mentor=world.person_a, apprentice=world.person_a, started_on=D(2025, 3, 1)
        )


def test_the_apprentice_must_belong_to_the_alliance(world, mentor):
    with pytest.raises(ValidationError) as error:
        mentorship_create(
            actor=world.admin,
            alliance=world.alliance_a,
            mentor=mentor,
            apprentice=world.person_b,
            started_on=D(2025, 1, 1),
        )
    assert "apprentice" in error.value.message_dict


def test_a_pair_is_open_once_and_may_pair_again_after_it_ended(world, mentor):
    pair = {"alliance": world.alliance_a, "mentor": mentor, "apprentice": world.person_a}
    first = mentorship_create(actor=world.alice, started_on=D(2024, 1, 1), **pair)
    with pytest.raises(ValidationError):
        mentorship_create(actor=world.alice, started_on=D(2024, 6, 1), **pair)
    mentorship_end(actor=world.alice, mentorship=first, ended_on=D(2024, 12, 31))
    with pytest.raises(ValidationError):
        mentorship_end(actor=world.alice, mentorship=first, ended_on=D(2025, 1, 31))
    mentorship_create(actor=world.alice, started_on=D(2025, 1, 1), **pair)
    assert Mentorship.objects.filter(ended_on__isnull=True).count() == 1


def test_an_end_before_the_start_is_refused(world, mentor):
    mentorship = mentorship_create(
        actor=world.alice, alliance=world.alliance_a, mentor=mentor, apprentice=world.person_a, started_on=D(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        mentorship_end(actor=world.alice, mentorship=mentorship, ended_on=D(2024, 1, 1))
    assert "ended_on" in error.value.message_dict


def test_only_the_alliances_staff_and_leader_pair_mentors(world, mentor):
    for user in (world.bob, world.vera):
        with pytest.raises(PermissionDenied):
            mentorship_create(
                actor=user,
                alliance=world.alliance_a,
                mentor=mentor,
                apprentice=world.person_a,
                started_on=D(2025, 1, 1),
            )
    assert not Mentorship.objects.exists()
