"""Who may be named present at a meeting: the organizations that were members of the
alliance on the meeting's date, their people and the alliance's team of that day."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alliances.models import Activity, Meeting
from alliances.services import activity_create, meeting_create, meeting_update
from tests.alliances.factories import MeetingFactory, MembershipFactory, TeamRoleFactory
from tests.alliances.test_operations_api import count_queries
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = datetime.date
LEFT_ON = D(2023, 10, 1)  # the day 东吴柑橘专业合作社党支部 left alliance A1 (founded 2023-03-01)


@pytest.fixture
def former(world):
    """An organization of alliance A1 that left in 2023, and its person."""
    membership = MembershipFactory(
        alliance=world.alliance_a,
        organization__name="东吴柑橘专业合作社党支部",
        joined_on=D(2023, 3, 1),
        left_on=LEFT_ON,
    )
    person = PersonFactory(name="蒋志荣", organization=membership.organization)
    return membership.organization, person


@pytest.fixture
def newcomer(world):
    """An organization that joined alliance A1 in 2025, and its person."""
    membership = MembershipFactory(
        alliance=world.alliance_a, organization__name="新桥村党支部", joined_on=D(2025, 1, 1)
    )
    return membership.organization, PersonFactory(name="周新", organization=membership.organization)


def offered(form, name: str) -> list:
    return list(form.fields[name].queryset)


def meeting_post(**extra) -> dict:
    return {"kind": "monthly", "held_on": "2025-03-31", "place": "走马塘村文化礼堂", "topics": "研究供水管网"} | extra


def test_the_new_meeting_form_does_not_offer_an_organization_that_left_nor_its_people(client, world, former):
    client.force_login(world.lily)
    response = client.get(reverse("alliances:meeting-create", args=[world.alliance_a.pk]))
    form = response.context["form"]
    assert offered(form, "attending_organizations") == [world.org_a]
    assert world.person_a in offered(form, "attendees") and former[1] not in offered(form, "attendees")
    page = response.content.decode()
    assert "东吴柑橘专业合作社党支部" not in page and "蒋志荣" not in page


def test_a_former_member_posted_for_a_current_meeting_is_refused_by_name_and_nothing_is_saved(client, world, former):
    organization, person = former
    client.force_login(world.lily)
    response = client.post(
        reverse("alliances:meeting-create", args=[world.alliance_a.pk]),
        meeting_post(attending_organizations=[world.org_a.pk, organization.pk], attendees=[person.pk]),
    )
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    form = response.context["form"]
    assert form.errors["attending_organizations"] == [
        "东吴柑橘专业合作社党支部 在 2025年3月31日 不是本联盟的成员单位，不能列为参会单位。"
    ]
    assert "蒋志荣（东吴柑橘专业合作社党支部）" in form.errors["attendees"][0]
    assert form["topics"].value() == "研究供水管网" and form["place"].value() == "走马塘村文化礼堂"


def test_the_service_refuses_a_former_member_whatever_the_page_offered(world, former):
    organization, person = former
    with pytest.raises(ValidationError) as refused:
        meeting_create(
            actor=world.lily,
            alliance=world.alliance_a,
            kind="monthly",
            held_on=D(2025, 3, 31),
            topics="研究供水管网",
            attending_organizations=[world.org_a, organization],
            attendees=[world.person_a, person],
        )
    message = refused.value.message_dict["attending_organizations"][0]
    assert "东吴柑橘专业合作社党支部" in message and "走马塘村党委" not in message
    assert not Meeting.objects.exists()


def test_a_meetings_people_are_refused_by_name_over_the_api_too(api, world, former):
    organization, person = former
    response = api.as_user(world.lily).post(
        "/api/v1/meetings/",
        {
            "alliance": world.alliance_a.pk,
            "kind": "monthly",
            "held_on": "2025-03-31",
            "topics": "x",
            "attendees": [world.person_a.pk, person.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "蒋志荣" in str(response.json()["attendees"]) and "王建国" not in str(response.json()["attendees"])
    assert not Meeting.objects.exists()


def test_editing_a_2023_meeting_offers_and_keeps_the_members_of_that_day(client, world, former, newcomer):
    organization, person = former
    meeting = MeetingFactory(alliance=world.alliance_a, held_on=D(2023, 6, 1), topics="柑橘销售")
    meeting.attending_organizations.set([world.org_a, organization])
    meeting.attendees.set([person])
    client.force_login(world.lily)
    url = reverse("alliances:meeting-edit", args=[meeting.pk])

    form = client.get(url).context["form"]
    assert offered(form, "attending_organizations") == sorted([world.org_a, organization], key=lambda o: o.name)
    assert newcomer[0] not in offered(form, "attending_organizations")
    assert person in offered(form, "attendees") and newcomer[1] not in offered(form, "attendees")
    assert {getattr(v, "pk", v) for v in form["attending_organizations"].value()} == {world.org_a.pk, organization.pk}

    response = client.post(
        url,
        {
            "kind": "monthly",
            "held_on": "2023-06-01",
            "place": meeting.place,
            "topics": "柑橘销售（改）",
            "attending_organizations": [world.org_a.pk, organization.pk],
            "attendees": [person.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.topics == "柑橘销售（改）"
    assert set(meeting.attending_organizations.all()) == {world.org_a, organization}
    assert list(meeting.attendees.all()) == [person]


def test_a_meeting_moved_to_a_day_its_organization_had_left_is_refused(world, former):
    organization, _person = former
    meeting = MeetingFactory(alliance=world.alliance_a, held_on=D(2023, 6, 1))
    meeting.attending_organizations.set([organization])
    with pytest.raises(ValidationError) as refused:
        meeting_update(actor=world.lily, meeting=meeting, held_on=D(2025, 3, 31))
    assert "东吴柑橘专业合作社党支部" in refused.value.message_dict["attending_organizations"][0]
    meeting.refresh_from_db()
    assert meeting.held_on == D(2023, 6, 1)


def test_the_team_is_offered_for_the_days_of_its_term(client, world):
    """lily leads alliance A1 from 2024-01-01: not among those present at a 2023 meeting."""
    advisor = TeamRoleFactory(alliance=world.alliance_a, started_on=D(2023, 3, 1)).person
    lily = world.lily.person
    meeting = MeetingFactory(alliance=world.alliance_a, held_on=D(2023, 6, 1))
    client.force_login(world.lily)
    people = offered(client.get(reverse("alliances:meeting-edit", args=[meeting.pk])).context["form"], "attendees")
    assert advisor in people and lily not in people
    people = offered(
        client.get(reverse("alliances:meeting-create", args=[world.alliance_a.pk])).context["form"], "attendees"
    )
    assert advisor in people and lily in people


def test_an_activity_refuses_an_organization_that_had_left_too(world, former):
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=world.lily,
            alliance=world.alliance_a,
            kind="joint_training",
            title="联合党课",
            held_on=D(2025, 4, 1),
            summary="集中学习",
            participating_organizations=[former[0]],
        )
    assert "东吴柑橘专业合作社党支部" in refused.value.message_dict["participating_organizations"][0]
    assert not Activity.objects.exists()


def test_the_meeting_form_runs_the_same_number_of_queries_however_many_members(client, world, former):
    client.force_login(world.lily)
    url = reverse("alliances:meeting-create", args=[world.alliance_a.pk])
    few = count_queries(lambda: client.get(url))
    for _ in range(10):
        membership = MembershipFactory(alliance=world.alliance_a)
        PersonFactory(organization=membership.organization)
        MembershipFactory(alliance=world.alliance_a, left_on=LEFT_ON)
    assert count_queries(lambda: client.get(url)) == few
