"""Organizations and people are chosen in a type-ahead box, never from a select of every
one the user may see (a city's create forms held 5,000 of each, 330–605 KB a page): the box
sends what the picker writes, 名称（所在单位或区域）, or a name alone when it is unique."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliances.models import TeamRole
from members.models import Person
from tests.alliances.factories import NeedFactory, PlatformFactory
from tests.members.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

FORMS = [
    ("projects:create", (), ("responsible_organization", "responsible_person")),
    ("workshops:create", (), ("host", "steward")),
    ("members:person-create", (), ("organization",)),
    ("alliances:teamrole-assign", ("alliance_a",), ("person",)),
    ("alliances:membership-add", ("alliance_a",), ("organization",)),
    ("alliances:mentorship-create", ("alliance_a",), ("mentor",)),
    ("alliances:shareholding-set", ("platform",), ("organization",)),
    ("alliances:need-claim", ("need",), ("claimant_organization",)),
]


def lookup(client, user, name, text=""):
    client.force_login(user)
    response = client.get(reverse(name), {"q": text})
    assert response.status_code == 200
    return [row["code"] for row in response.json()["results"]]


def assign(client, world, person_text, started_on="2025-01-01"):
    client.force_login(world.alice)
    return client.post(
        reverse("alliances:teamrole-assign", args=[world.alliance_a.pk]),
        {"person": person_text, "role": "advisor", "started_on": started_on},
    )


@pytest.mark.parametrize(("name", "args", "fields"), FORMS, ids=[name for name, _a, _f in FORMS])
def test_a_form_lists_no_organization_or_person_but_offers_the_type_ahead(world, client, name, args, fields):
    rows = {"platform": PlatformFactory(alliance=world.alliance_a), "need": NeedFactory(alliance=world.alliance_a2)}
    client.force_login(world.carol)
    page = client.get(reverse(name, args=[(rows.get(arg) or getattr(world, arg)).pk for arg in args])).content.decode()
    for field in fields:
        box = page.split(f'name="{field}"', 1)[1].split("</datalist>", 1)[0]
        assert "<option" not in box, field
        assert "data-lookup=" in box, field
    assert world.org_b.name not in page and world.person_b.name not in page


@pytest.mark.parametrize("text", ["", "党委", "王", "李海", "高亭"])
@pytest.mark.parametrize("name", ["members:organization-lookup", "members:person-lookup"])
def test_a_lookup_never_returns_a_row_outside_the_users_scope(world, client, name, text):
    found = lookup(client, world.alice, name, text)
    assert world.org_b.name not in "".join(found) and world.person_b.name not in "".join(found)


def test_a_lookup_finds_by_name_or_pinyin_initials_and_names_where_each_belongs(world, client):
    for text in ("王建国", "建国", "wjg", "WJG"):
        assert lookup(client, world.alice, "members:person-lookup", text) == ["王建国（走马塘村党委）"], text
    for text in ("走马塘", "zmt"):
        assert lookup(client, world.alice, "members:organization-lookup", text) == ["走马塘村党委（走马塘村）"], text


def test_a_lookup_gives_at_most_twenty_and_only_to_a_signed_in_user(world, client):
    for n in range(25):
        PersonFactory(name=f"王{n:02d}", organization=world.org_a)
    assert len(lookup(client, world.alice, "members:person-lookup", "王")) == 20
    client.logout()
    assert client.get(reverse("members:person-lookup"), {"q": "王"}).status_code == 302


def test_a_person_chosen_as_the_picker_writes_them_is_assigned(world, client):
    response = assign(client, world, "王建国（走马塘村党委）")
    assert response.status_code == 302
    assert TeamRole.objects.filter(alliance=world.alliance_a, person=world.person_a, role="advisor").exists()


def test_a_unique_name_alone_is_enough(world, client):
    assert assign(client, world, " 王建国 ").status_code == 302
    assert TeamRole.objects.filter(alliance=world.alliance_a, person=world.person_a, role="advisor").exists()


def test_a_name_two_people_share_is_refused_until_their_organization_is_named(world, client):
    other = OrganizationFactory(name="姜山村党委", region=world.village_a)
    namesake = PersonFactory(name="王建国", organization=other)
    response = assign(client, world, "王建国")
    assert response.status_code == 200
    assert "有多个“王建国”" in response.context["form"].errors["person"][0]
    assert not TeamRole.objects.filter(role="advisor").exists()
    assert assign(client, world, "王建国（姜山村党委）").status_code == 302
    assert TeamRole.objects.get(role="advisor").person == namesake


def test_a_person_outside_the_users_scope_is_not_found_whatever_is_typed(world, client):
    for text in ("李海（高亭社区党委）", "李海", str(world.person_b.pk)):
        response = assign(client, world, text)
        assert response.status_code == 200, text
        assert "未找到" in response.context["form"].errors["person"][0]
        if text.isdigit():  # the id is not named back in the box
            assert world.person_b.name not in response.content.decode()
    assert not TeamRole.objects.filter(role="advisor").exists()


def test_the_form_comes_back_with_the_typed_text_after_an_error(world, client):
    response = assign(client, world, "王建国（走马塘村党委）", started_on="")
    assert response.status_code == 200
    assert 'value="王建国（走马塘村党委）"' in response.content.decode()


def test_an_edit_form_shows_the_chosen_person_as_the_picker_writes_them(world, client):
    client.force_login(world.alice)
    organization = world.org_a
    organization.secretary = world.person_a
    organization.save()
    page = client.get(reverse("members:organization-edit", args=[organization.pk])).content.decode()
    assert 'value="王建国（走马塘村党委）"' in page
    assert Person.objects.filter(pk=world.person_a.pk).exists()


def test_a_leader_on_a_phone_picks_from_a_select_of_their_alliances_few_rows(world, client):
    client.force_login(world.lily)
    need = NeedFactory(alliance=world.alliance_a)
    page = client.get(reverse("alliances:need-claim", args=[need.pk])).content.decode()
    assert '<select name="claimant_organization"' in page and world.org_a.name in page
    page = client.get(reverse("alliances:mentorship-create", args=[world.alliance_a.pk])).content.decode()
    assert '<select name="mentor"' in page and f"{world.person_a.name}（{world.org_a.name}）" in page
