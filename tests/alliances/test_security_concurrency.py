"""Two people editing the same alliance: the second is told, nothing is silently overwritten."""

from __future__ import annotations

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from alliances.models import Alliance
from alliances.services import alliance_update

pytestmark = pytest.mark.django_db


def edit_form_data(page: str, alliance: Alliance, **changes) -> dict:
    """What a browser posts back: the alliance as loaded, the page's hidden version, the edits."""
    version = re.search(r'<input type="hidden" name="version" value="(\d+)"', page).group(1)
    data = {
        "code": alliance.code,
        "name": alliance.name,
        "formation_mode": alliance.formation_mode,
        "formation_mode_other": alliance.formation_mode_other,
        "scope": alliance.scope,
        "lead_region": alliance.lead_region_id,
        "founded_on": alliance.founded_on.isoformat(),
        "status": alliance.status,
        "covenant": alliance.covenant,
        "description": alliance.description,
        "version": version,
    }
    return {**data, **changes}


def test_the_second_of_two_editors_is_told_and_the_first_edit_stands(world):
    alliance = world.alliance_a
    url = reverse("alliances:edit", args=[alliance.pk])
    first, second = Client(), Client()
    first.force_login(world.alice)
    second.force_login(world.carol)
    first_page = first.get(url).content.decode()
    second_page = second.get(url).content.decode()

    saved = first.post(url, edit_form_data(first_page, alliance, name="姜山镇共富联盟"))
    assert saved.status_code == 302
    refused = second.post(url, edit_form_data(second_page, alliance, description="乙的修改"))

    assert refused.status_code == 200
    text = refused.content.decode()
    assert "已被 alice" in text and "您的修改未保存" in text
    alliance.refresh_from_db()
    assert alliance.name == "姜山镇共富联盟"
    assert alliance.description == ""
    assert alliance.version == 2
    assert alliance.history.filter(history_type="~").count() == 1


def test_an_editor_who_reloads_after_a_refusal_can_save(client, world):
    alliance = world.alliance_a
    alliance_update(actor=world.carol, alliance=alliance, description="先到")
    client.force_login(world.alice)
    url = reverse("alliances:edit", args=[alliance.pk])
    alliance.refresh_from_db()
    page = client.get(url).content.decode()
    assert client.post(url, edit_form_data(page, alliance, description="后到，在最新内容上修改")).status_code == 302
    alliance.refresh_from_db()
    assert (alliance.description, alliance.version) == ("后到，在最新内容上修改", 3)


def test_the_api_refuses_a_stale_version_naming_the_field(api, world):
    url = f"/api/v1/alliances/{world.alliance_a.pk}/"
    api.as_user(world.alice)
    loaded = api.get(url).json()["version"]
    assert api.patch(url, {"name": "甲", "version": loaded}, format="json").json()["version"] == loaded + 1

    stale = api.patch(url, {"name": "乙", "version": loaded}, format="json")
    assert stale.status_code == 400
    assert list(stale.json()) == ["version"]
    world.alliance_a.refresh_from_db()
    assert (world.alliance_a.name, world.alliance_a.version) == ("甲", loaded + 1)


def test_the_service_refuses_a_stale_version_and_accepts_the_current_one(world):
    with pytest.raises(ValidationError) as refused:
        alliance_update(actor=world.alice, alliance=world.alliance_a, expected_version=7, name="乙")
    assert list(refused.value.message_dict) == ["version"]
    alliance_update(actor=world.alice, alliance=world.alliance_a, expected_version=1, name="甲")
    world.alliance_a.refresh_from_db()
    assert (world.alliance_a.name, world.alliance_a.version) == ("甲", 2)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_the_same_version_cannot_both_pass(world):
    """Two threads, two database connections, the same loaded version: the row lock makes
    the second wait for the first and then see that its version is stale."""
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def save(user, name):
        try:
            alliance = Alliance.objects.get(pk=world.alliance_a.pk)
            start.wait(timeout=10)
            alliance_update(actor=user, alliance=alliance, expected_version=1, name=name)
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append("refused:" + ",".join(error.message_dict))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=args) for args in [(world.alice, "甲"), (world.carol, "乙")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused:version", "saved"]
    alliance = Alliance.objects.get(pk=world.alliance_a.pk)
    assert alliance.version == 2
    assert alliance.history.filter(history_type="~").count() == 1
