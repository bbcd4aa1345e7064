"""The alliance filter of the list pages is a text box with a type-ahead, never a list of
every alliance of the user's scope (a city's pages held over a thousand of them)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.alliances.factories import AllianceFactory
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db

PAGES = ["projects:list", "projects:review-queue", "workshops:list"]


def lookup(client, user, text=""):
    client.force_login(user)
    response = client.get(reverse("alliances:lookup"), {"q": text})
    assert response.status_code == 200
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize("name", PAGES)
def test_a_list_page_names_no_alliance_it_does_not_show(world, client, name):
    client.force_login(world.carol)
    page = client.get(reverse(name)).content.decode()
    assert world.alliance_a2.name not in page  # an alliance of the city with nothing listed
    assert 'data-lookup="/alliances/lookup/"' in page and 'name="alliance"' in page
    assert "<option" not in page.split('name="alliance"', 1)[1].split("</datalist>", 1)[0]


@pytest.mark.parametrize("text", ["", "联盟", "LM", "a", "岱山"])
@pytest.mark.parametrize("username", ["alice", "bob", "carol", "lily"])
def test_the_alliance_lookup_never_returns_an_alliance_outside_the_users_scope(world, client, username, text):
    own = {
        "alice": {"LM-A-1", "LM-A-2"},
        "bob": {"LM-B-1"},
        "carol": {"LM-A-1", "LM-A-2"},
        "lily": {"LM-A-1"},
    }[username]
    assert set(lookup(client, getattr(world, username), text)) <= own


def test_the_alliance_lookup_finds_an_alliance_by_name_code_or_pinyin_initials(world, client):
    for text in ("姜山共富", "LM-A-1", "jsgf", "JSGF"):
        assert lookup(client, world.alice, text) == ["LM-A-1"], text


def test_the_alliance_lookup_gives_at_most_twenty(world, client):
    for n in range(25):
        AllianceFactory(code=f"LM-A-{n + 10}", name=f"姜山第{n}联盟", lead_region=world.town_a)
    assert len(lookup(client, world.alice, "LM-A")) == 20


def test_the_alliance_lookup_is_for_signed_in_users(client):
    assert client.get(reverse("alliances:lookup"), {"q": "联盟"}).status_code == 302


def test_an_alliance_typed_by_code_name_or_id_filters_the_project_list(world, client):
    ProjectFactory(alliance=world.alliance_a, title="姜山的项目")
    ProjectFactory(alliance=world.alliance_a2, title="云龙的项目")
    client.force_login(world.alice)
    for value in ("LM-A-1", "姜山共富联盟", str(world.alliance_a.pk)):
        page = client.get(reverse("projects:list"), {"alliance": value}).content.decode()
        assert "姜山的项目" in page and "云龙的项目" not in page, value


def test_an_alliance_outside_the_scope_is_unknown_with_a_clear_message(world, client):
    ProjectFactory(alliance=world.alliance_b, title="岱山的项目")
    client.force_login(world.alice)
    for value in ("LM-B-1", "岱山海岛联盟", str(world.alliance_b.pk), "不存在的联盟"):
        page = client.get(reverse("projects:list"), {"alliance": value}).content.decode()
        assert "未找到联盟" in page and "岱山的项目" not in page, value


def test_the_api_keeps_the_alliance_id_filter_and_refuses_others(world, api):
    ProjectFactory(alliance=world.alliance_a)
    ProjectFactory(alliance=world.alliance_a2)
    response = api.as_user(world.alice).get("/api/v1/projects/", {"alliance": world.alliance_a.pk})
    assert response.status_code == 200
    assert {row["alliance"] for row in response.json()["results"]} == {world.alliance_a.pk}
    assert api.as_user(world.alice).get("/api/v1/projects/", {"alliance": world.alliance_b.pk}).status_code == 400


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["projects:list", "projects:review-queue", "alliances:list"])
def test_a_list_page_runs_as_many_queries_for_many_alliances_and_rows_as_for_few(world, client, name):
    client.force_login(world.carol)
    project = ProjectFactory(alliance=world.alliance_a)
    ReportFactory(project=project)
    url = reverse(name)
    queries_of(client, url)  # warm the per-process caches
    few = queries_of(client, url)
    for n in range(30):
        alliance = AllianceFactory(code=f"LM-A-{n + 10}", name=f"姜山第{n}联盟", lead_region=world.town_a)
        ReportFactory(project=ProjectFactory(alliance=alliance))
    assert queries_of(client, url) == few
