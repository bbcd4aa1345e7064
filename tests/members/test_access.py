"""Who sees what: visible_to for every role, and 404 for what is out of scope."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from alliances.models import Alliance, Membership, TeamRole
from evaluations.models import AssessmentScheme
from members.models import MemberOrganization, Person

pytestmark = pytest.mark.django_db


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_county_staff_see_exactly_their_county(world):
    assert codes(Alliance.objects.visible_to(world.alice)) == ["LM-A-1", "LM-A-2"]
    assert codes(Alliance.objects.visible_to(world.bob)) == ["LM-B-1"]


def test_city_staff_see_every_county_of_their_city_only(world):
    assert codes(Alliance.objects.visible_to(world.carol)) == ["LM-A-1", "LM-A-2"]


def test_township_staff_see_their_township(world):
    assert codes(Alliance.objects.visible_to(world.tina)) == ["LM-A-1"]


def test_leader_list_holds_exactly_their_alliances(world):
    assert codes(Alliance.objects.visible_to(world.lily)) == ["LM-A-1"]


def test_leader_loses_access_when_their_term_ends(world):
    TeamRole.objects.filter(person__user=world.lily).update(ended_on="2025-01-01")
    assert codes(Alliance.objects.visible_to(world.lily)) == []


def test_superuser_sees_everything_and_a_user_without_profile_nothing(world, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-test-pass-2026")
    assert Alliance.objects.visible_to(world.admin).count() == 3
    assert Alliance.objects.visible_to(nobody).count() == 0
    assert MemberOrganization.objects.visible_to(nobody).count() == 0


def test_related_rows_follow_the_alliance_scope(world):
    assert set(Membership.objects.visible_to(world.lily).values_list("alliance__code", flat=True)) == {"LM-A-1"}
    assert set(MemberOrganization.objects.visible_to(world.lily)) == {world.org_a}
    assert set(MemberOrganization.objects.visible_to(world.bob)) == {world.org_b}
    assert world.person_a in Person.objects.visible_to(world.alice)
    assert world.person_a not in Person.objects.visible_to(world.bob)


def test_rules_published_by_a_region_are_seen_below_it_never_beside_it(world):
    city = AssessmentScheme.objects.create(name="宁波市细则", region=world.ningbo, year=2025)
    county = AssessmentScheme.objects.create(name="鄞州区细则", region=world.county_a, year=2025)
    other = AssessmentScheme.objects.create(name="岱山县细则", region=world.county_b, year=2025)
    assert set(AssessmentScheme.objects.visible_to(world.tina)) == {city, county}
    assert set(AssessmentScheme.objects.visible_to(world.carol)) == {city, county}
    assert set(AssessmentScheme.objects.visible_to(world.bob)) == {other}
    assert set(AssessmentScheme.objects.visible_to(world.admin)) == {city, county, other}
    assert list(AssessmentScheme.objects.visible_to(world.lily)) == []


def test_organizations_in_several_alliances_appear_once(world):
    Membership.objects.create(alliance=world.alliance_a2, organization=world.org_a, joined_on="2024-01-01")
    TeamRole.objects.create(
        alliance=world.alliance_a2, person=world.lily.person, role="leader", started_on="2024-01-01"
    )
    assert list(MemberOrganization.objects.visible_to(world.lily)) == [world.org_a]


def test_county_a_staff_get_404_for_county_b_alliance_page(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("alliances:detail", args=[world.alliance_b.pk]))
    assert response.status_code == 404
    assert "岱山海岛联盟" not in response.content.decode()


def test_county_a_staff_get_404_for_county_b_alliance_in_the_api(api, world):
    response = api.as_user(world.alice).get(f"/api/v1/alliances/{world.alliance_b.pk}/")
    assert response.status_code == 404
    assert "岱山" not in response.content.decode()


def test_county_b_alliance_is_missing_from_county_a_lists(client, api, world):
    client.force_login(world.alice)
    page = client.get(reverse("alliances:list")).content.decode()
    assert "姜山共富联盟" in page and "岱山海岛联盟" not in page
    names = [a["name"] for a in api.as_user(world.alice).get("/api/v1/alliances/").json()["results"]]
    assert names == ["姜山共富联盟", "云龙产业联盟"]


def test_leader_gets_404_for_another_alliance_in_their_own_county(client, world):
    client.force_login(world.lily)
    assert client.get(reverse("alliances:detail", args=[world.alliance_a2.pk])).status_code == 404
    assert client.get(reverse("alliances:detail", args=[world.alliance_a.pk])).status_code == 200


def test_out_of_scope_organization_page_is_404(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("members:organization-detail", args=[world.org_b.pk])).status_code == 404
    assert client.get(reverse("members:organization-edit", args=[world.org_b.pk])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, api, world):
    response = client.get(reverse("alliances:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert api.get("/api/v1/alliances/").status_code in {401, 403}


def test_phones_are_masked_for_leaders_and_viewers_but_whole_for_staff(api, world):
    url = f"/api/v1/people/{world.person_a.pk}/"
    assert api.as_user(world.alice).get(url).json()["mobile"] == "13812345678"
    for user in (world.lily, world.vera):
        body = api.as_user(user).get(url).json()
        assert body["mobile"] == "138****5678"
        assert body["id_number"] == "330212********1234"


def test_masked_phone_on_the_organization_page_for_a_leader(client, world):
    client.force_login(world.lily)
    page = client.get(reverse("members:organization-detail", args=[world.org_a.pk])).content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page


def test_viewer_reads_but_cannot_write(api, world):
    api.as_user(world.vera)
    assert api.get("/api/v1/alliances/").json()["count"] == 2
    response = api.patch(f"/api/v1/alliances/{world.alliance_a.pk}/", {"name": "改名"}, format="json")
    assert (response.status_code, response.json()["detail"]) == (403, "您没有访问权限。")
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = api.patch(f"/api/v1/alliances/{world.alliance_a.pk}/", {"name": "改名"}, format="json")
    assert (english.status_code, english.json()["detail"]) == (403, "You do not have permission to do this.")
    world.alliance_a.refresh_from_db()
    assert world.alliance_a.name == "姜山共富联盟"


def test_staff_cannot_write_to_another_county_through_the_api(api, world):
    response = api.as_user(world.alice).patch(
        f"/api/v1/organizations/{world.org_b.pk}/", {"name": "改名"}, format="json"
    )
    assert response.status_code == 404
    world.org_b.refresh_from_db()
    assert world.org_b.name == "高亭社区党委"


def test_staff_cannot_move_an_alliance_out_of_their_county(api, world):
    response = api.as_user(world.alice).patch(
        f"/api/v1/alliances/{world.alliance_a.pk}/", {"lead_region": world.town_b.code}, format="json"
    )
    assert response.status_code == 403
    world.alliance_a.refresh_from_db()
    assert world.alliance_a.lead_region == world.town_a


def test_a_membership_cannot_reference_an_out_of_scope_organization(api, world):
    response = api.as_user(world.alice).post(
        "/api/v1/memberships/",
        {"alliance": world.alliance_a2.pk, "organization": world.org_b.pk, "joined_on": "2024-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not Membership.objects.filter(alliance=world.alliance_a2).exists()
