"""Journey 4: a township instructor finds the alliances they instruct among their township's
(the tab 我指导的 of the alliance list, ``?instructed=true`` of the list and the API)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import TeamRole
from tests.alliances.factories import AllianceFactory
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructed(world):
    """tina instructs 姜山共富联盟 and, no longer, another alliance of her township."""
    person = PersonFactory(user=world.tina, organization__region=world.town_a)
    TeamRole.objects.create(
        alliance=world.alliance_a, person=person, role="instructor", started_on=datetime.date(2024, 1, 1)
    )
    former = AllianceFactory(name="姜山旧联盟", lead_region=world.town_a)
    TeamRole.objects.create(
        alliance=former,
        person=person,
        role="instructor",
        started_on=datetime.date(2023, 1, 1),
        ended_on=datetime.date(2024, 6, 30),
    )
    return former


def names(response) -> list[str]:
    return sorted(alliance.name for alliance in response.context["object_list"])


def test_an_instructor_opens_the_alliances_they_instruct_from_a_tab(client, world, instructed):
    client.force_login(world.tina)
    everything = client.get(reverse("alliances:list"))
    assert names(everything) == ["姜山共富联盟", "姜山旧联盟"]
    tabs = re.search(r'<nav class="item-tabs".*?</nav>', everything.content.decode(), re.S).group(0)
    assert "我指导的（1）" in tabs and 'href="?instructed=true"' in tabs
    mine = client.get(reverse("alliances:list"), {"instructed": "true"})
    assert names(mine) == ["姜山共富联盟"]
    assert 'name="instructed" value="true"' in mine.content.decode()  # kept when other filters change
    others = client.get(reverse("alliances:list"), {"instructed": "false", "status": "active"})
    assert names(others) == ["姜山旧联盟"]


def test_staff_who_instruct_nothing_see_no_tab_and_an_empty_list_if_they_ask(client, world, instructed):
    client.force_login(world.alice)
    page = client.get(reverse("alliances:list")).content.decode()
    assert "我指导的" not in page
    assert names(client.get(reverse("alliances:list"), {"instructed": "true"})) == []


def test_the_api_filters_the_same_way(client, world, instructed):
    client.force_login(world.tina)
    body = client.get("/api/v1/alliances/", {"instructed": "true"}).json()
    assert [row["name"] for row in body["results"]] == ["姜山共富联盟"]
    assert client.get("/api/v1/alliances/", {"instructed": "maybe"}).status_code == 400


def test_the_tab_costs_the_same_queries_whatever_the_number_of_alliances_instructed(client, world, instructed):
    client.force_login(world.tina)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("alliances:list")).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    person = world.tina.person
    for number in range(5):
        alliance = AllianceFactory(name=f"姜山新联盟{number}", lead_region=world.town_a)
        TeamRole.objects.create(
            alliance=alliance, person=person, role="instructor", started_on=datetime.date(2025, 1, 1)
        )
    assert queries() == before
    assert "我指导的（6）" in client.get(reverse("alliances:list")).content.decode()


def test_the_filter_form_opens_for_a_chosen_filter_not_for_the_tab_or_a_page(client, world, instructed):
    client.force_login(world.tina)
    folded = '<details class="filters" >'
    assert folded in client.get(reverse("alliances:list"), {"instructed": "true"}).content.decode()
    assert folded in client.get(reverse("alliances:list"), {"status": ""}).content.decode()
    opened = client.get(reverse("alliances:list"), {"instructed": "true", "status": "active"}).content.decode()
    assert '<details class="filters" open>' in opened
