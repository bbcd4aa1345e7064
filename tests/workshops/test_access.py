"""Who sees which workshops and reports: the Foundation's scopes, plus workshop stewards."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from alliances.models import Alliance
from members.access import scope_for
from members.models import AccessProfile, MemberOrganization, Person
from tests.members.factories import user_with_scope
from tests.workshops.factories import ReportFactory, Shops
from workshops.models import Workshop, WorkshopReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(world):
    return Shops(world)


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_county_staff_see_the_workshops_of_their_county_only(world, shops):
    assert names(Workshop.objects.visible_to(world.alice)) == sorted([shops.a.name, shops.a_free.name])
    assert names(Workshop.objects.visible_to(world.bob)) == [shops.b.name]
    assert names(Workshop.objects.visible_to(world.tina)) == [shops.a.name]


def test_leader_sees_the_workshops_of_their_alliance_only(world, shops):
    assert names(Workshop.objects.visible_to(world.lily)) == [shops.a.name]


def test_steward_sees_only_the_workshops_they_look_after(world, shops):
    assert scope_for(shops.sam).kind == "steward"
    assert names(Workshop.objects.visible_to(shops.sam)) == [shops.a.name]
    shops.a.steward = None
    shops.a.save()
    assert names(Workshop.objects.visible_to(shops.sam)) == []


def test_a_steward_sees_nothing_else(world, shops):
    for model in (Alliance, MemberOrganization, Person):
        assert not model.objects.visible_to(shops.sam).exists(), model


def test_reports_follow_their_workshop(world, shops):
    mine, theirs, free = (
        ReportFactory(workshop=shops.a),
        ReportFactory(workshop=shops.b),
        ReportFactory(workshop=shops.a_free),
    )
    assert set(WorkshopReport.objects.visible_to(world.alice)) == {mine, free}
    assert set(WorkshopReport.objects.visible_to(world.bob)) == {theirs}
    assert set(WorkshopReport.objects.visible_to(world.lily)) == {mine}
    assert set(WorkshopReport.objects.visible_to(shops.sam)) == {mine}


def test_a_steward_profile_has_no_region(world):
    steward = user_with_scope("steve", "workshop_steward")
    profile = AccessProfile.objects.get(user=steward)
    profile.region = world.county_a
    with pytest.raises(ValidationError) as caught:
        profile.full_clean()
    assert "region" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessProfile.objects.filter(pk=profile.pk).update(region=world.county_a)


def test_county_a_staff_get_404_for_county_b_workshop_pages(client, world, shops):
    report = ReportFactory(workshop=shops.b)
    client.force_login(world.alice)
    for url in (
        reverse("workshops:detail", args=[shops.b.pk]),
        reverse("workshops:edit", args=[shops.b.pk]),
        reverse("workshops:report-create", args=[shops.b.pk]),
        reverse("workshops:report-edit", args=[report.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "高亭" not in response.content.decode()


def test_county_a_staff_get_404_for_county_b_workshop_in_the_api(api, world, shops):
    report = ReportFactory(workshop=shops.b)
    api.as_user(world.alice)
    assert api.get(f"/api/v1/workshops/{shops.b.pk}/").status_code == 404
    assert api.get(f"/api/v1/workshop-reports/{report.pk}/").status_code == 404
    response = api.patch(f"/api/v1/workshop-reports/{report.pk}/", {"employed": 99}, format="json")
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.employed != 99


def test_county_b_workshops_are_missing_from_county_a_lists(client, api, world, shops):
    ReportFactory(workshop=shops.b)
    client.force_login(world.alice)
    page = client.get(reverse("workshops:list")).content.decode()
    assert shops.a.name in page and shops.b.name not in page
    api.as_user(world.alice)
    assert {w["name"] for w in api.get("/api/v1/workshops/").json()["results"]} == {shops.a.name, shops.a_free.name}
    assert api.get("/api/v1/workshop-reports/").json()["results"] == []


def test_leader_gets_404_for_a_workshop_outside_their_alliance(client, world, shops):
    client.force_login(world.lily)
    assert client.get(reverse("workshops:detail", args=[shops.a_free.pk])).status_code == 404
    assert client.get(reverse("workshops:detail", args=[shops.a.pk])).status_code == 200


def test_steward_gets_404_for_other_workshops_and_sees_their_own(client, world, shops):
    client.force_login(shops.sam)
    assert client.get(reverse("workshops:detail", args=[shops.a_free.pk])).status_code == 404
    page = client.get(reverse("workshops:list")).content.decode()
    assert shops.a.name in page and shops.a_free.name not in page


def test_the_alliance_filter_offers_only_visible_alliances(client, world, shops):
    client.force_login(world.alice)
    page = client.get(reverse("workshops:list")).content.decode()
    assert "姜山共富联盟" in page and "岱山海岛联盟" not in page
    response = client.get(reverse("workshops:list"), {"alliance": world.alliance_b.pk})
    assert "alliance" in response.context["filter"].errors
    assert list(response.context["object_list"]) == []


def test_anonymous_users_are_sent_to_log_in(client, api, world, shops):
    for url in (
        reverse("workshops:list"),
        reverse("workshops:summary"),
        reverse("workshops:detail", args=[shops.a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert api.get("/api/v1/workshops/summary/").status_code in {401, 403}
