from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Alliance, TeamRole
from members.models import MemberOrganization
from tests.alliances.test_api import many_alliances
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and 'lang="zh-hans"' in page


def test_alliance_list_filters_by_region_subtree_and_mode(client, world):
    client.force_login(world.carol)
    page = client.get(reverse("alliances:list"), {"region": "330212001000"}).content.decode()
    assert "姜山共富联盟" in page and "云龙产业联盟" not in page
    page = client.get(reverse("alliances:list"), {"formation_mode": "industry_chain"}).content.decode()
    assert "云龙产业联盟" in page and "姜山共富联盟" not in page


def test_alliance_list_shows_a_filter_error_instead_of_failing(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("alliances:list"), {"region": "99"})
    assert response.status_code == 200
    assert response.context["filter"].errors["region"]
    assert list(response.context["object_list"]) == []


def chosen_options(page: str, name: str) -> list[str]:
    """The values of the options chosen in the select ``name`` of the page."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        inside, chosen = False, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "select":
                self.inside = attrs.get("name") == name
            elif tag == "option" and self.inside and "selected" in attrs:
                self.chosen.append(attrs.get("value"))

    parser = Parser()
    parser.feed(page)
    return parser.chosen


@pytest.mark.parametrize(("sent", "shown"), [("true", ["true"]), ("false", ["false"]), ("", [""])])
def test_a_yes_no_filter_shows_the_value_it_filters_by(client, world, sent, shown):
    # Pressing 查询 again sends what the box shows: a box back at 全部 would drop the filter.
    client.force_login(world.alice)
    page = client.get(reverse("alliances:list"), {"is_demonstration": sent}).content.decode()
    assert chosen_options(page, "is_demonstration") == shown


def test_alliance_list_sorts_and_paginates(client, world):
    many_alliances(world, n=30)
    client.force_login(world.alice)
    response = client.get(reverse("alliances:list"), {"ordering": "-code", "page_size": 10, "page": 2})
    codes = [a.code for a in response.context["object_list"]]
    assert codes == [f"LM-BULK-{i:03d}" for i in range(19, 9, -1)]
    assert response.context["paginator"].count == 32


def test_alliance_list_page_runs_the_same_number_of_queries_at_10_and_100(client, world, django_assert_max_num_queries):
    many_alliances(world)
    client.force_login(world.alice)
    url = reverse("alliances:list")
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"page_size": 10})
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"page_size": 100})
    assert len(small.captured_queries) == len(large.captured_queries)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"page_size": 100})
    assert len(response.context["object_list"]) == 100


def test_organization_list_page_runs_a_constant_number_of_queries(client, world):
    many_alliances(world)
    client.force_login(world.alice)
    url = reverse("members:organization-list")
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"page_size": 10})
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"page_size": 100})
    assert len(small.captured_queries) == len(large.captured_queries)


def test_alliance_detail_shows_members_current_team_and_history(client, world):
    newcomer = PersonFactory(name="赵新任", organization=world.org_a)
    client.force_login(world.alice)
    response = client.post(
        reverse("alliances:teamrole-assign", args=[world.alliance_a.pk]),
        {"person": newcomer.pk, "role": "leader", "started_on": "2025-06-01"},
    )
    assert response.status_code == 302
    page = client.get(reverse("alliances:detail", args=[world.alliance_a.pk])).content.decode()
    current, history = page.split('id="team-history"')
    assert "赵新任" in current.split('id="current-team"')[1]
    assert world.lily.person.name in history and "2025年6月1日" in history
    assert "走马塘村党委" in page


def test_organization_detail_lists_its_alliances(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("members:organization-detail", args=[world.org_a.pk])).content.decode()
    assert "姜山共富联盟" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"star_rating": "6"}, "star_rating", "5"),
        ({"contact_phone": "abc"}, "contact_phone", "电话"),
    ],
)
def test_organization_form_names_the_bad_field_and_saves_nothing(client, world, data, field, message):
    client.force_login(world.alice)
    payload = {"name": "新单位", "kind": "village", "region": world.village_a.pk} | data
    response = client.post(reverse("members:organization-create"), payload)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not MemberOrganization.objects.filter(name="新单位").exists()


def test_organization_form_saves_good_input(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("members:organization-create"),
        {
            "name": "新单位",
            "kind": "enterprise",
            "region": world.village_a.pk,
            "star_rating": "5",
            "contact_phone": "0574-87654321",
        },
    )
    org = MemberOrganization.objects.get(name="新单位")
    assert response["Location"] == org.get_absolute_url()
    assert org.star_rating == 5


def test_organization_form_offers_only_regions_in_scope(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("members:organization-create"), {"name": "外县单位", "kind": "village", "region": world.town_b.pk}
    )
    assert "region" in response.context["form"].errors
    assert not MemberOrganization.objects.filter(name="外县单位").exists()


def test_alliance_form_with_reversed_dates_names_the_field(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("alliances:create"),
        {
            "code": "LM-NEW",
            "name": "新联盟",
            "formation_mode": "neighbour",
            "scope": "cross_region",
            "lead_region": world.town_a.pk,
            "founded_on": "2024-05-01",
            "status": "forming",
            "is_demonstration": "on",
            "demonstration_year": "2020",
        },
    )
    assert "demonstration_year" in response.context["form"].errors
    assert not Alliance.objects.filter(code="LM-NEW").exists()


def test_membership_end_form_refuses_a_date_before_joining(client, world):
    membership = world.alliance_a.memberships.get()
    client.force_login(world.alice)
    response = client.post(
        reverse("alliances:membership-end", args=[world.alliance_a.pk, membership.pk]), {"left_on": "2001-01-01"}
    )
    assert response.status_code == 200
    assert "left_on" in response.context["form"].errors
    membership.refresh_from_db()
    assert membership.left_on is None


def test_leader_cannot_open_staff_forms(client, world):
    client.force_login(world.lily)
    response = client.post(
        reverse("alliances:teamrole-assign", args=[world.alliance_a.pk]),
        {"person": world.person_a.pk, "role": "advisor", "started_on": "2025-01-01"},
    )
    assert response.status_code == 403
    assert not TeamRole.objects.filter(alliance=world.alliance_a, role="advisor").exists()


def test_pages_work_on_a_phone_viewport(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("alliances:list")).content.decode()
    assert 'name="viewport"' in page and "data-label=" in page


def test_pages_are_chinese_even_for_an_english_browser(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("alliances:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page and "党建联盟" in page


def test_the_language_switcher_turns_pages_english(client, world):
    client.force_login(world.alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/alliances/"})
    page = client.get(reverse("alliances:list")).content.decode()
    assert 'lang="en"' in page
