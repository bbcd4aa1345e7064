from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from alliances.models import Alliance
from members.forms import regions_for
from members.models import MemberOrganization, Region, in_subtree
from members.services import region_create
from tests.members.factories import township, village

pytestmark = pytest.mark.django_db


def test_subtree_returns_exactly_the_regions_below_a_code_in_one_query(world):
    other_village = village(world.town_b, 1)
    with CaptureQueriesContext(connection) as ctx:
        codes = sorted(Region.objects.subtree(world.county_a).values_list("code", flat=True))
    assert len(ctx.captured_queries) == 1
    assert codes == ["330212000000", "330212001000", "330212001001", "330212002000"]
    assert other_village.code not in codes
    assert "LIKE" in ctx.captured_queries[0]["sql"].upper()


def test_subtree_of_a_village_is_the_village_alone(world):
    assert list(Region.objects.subtree(world.village_a)) == [world.village_a]


def test_a_region_and_its_code_prefix_give_the_same_subtree(world):
    by_region = set(Region.objects.subtree(world.county_a))
    assert by_region == set(Region.objects.subtree(world.county_a.prefix))
    assert world.town_b not in by_region


def test_a_county_officer_sees_picks_and_filters_by_one_and_the_same_subtree(world):
    """Visibility, the region pickers and the region filter all follow ``in_subtree``."""
    subtree = set(Region.objects.subtree(world.county_a))
    assert set(regions_for(world.alice)) == subtree
    assert set(Region.objects.in_scope_of(world.alice)) == subtree
    led_there = set(Alliance.objects.filter(in_subtree(world.county_a.prefix, "lead_region")))
    assert led_there == {world.alliance_a, world.alliance_a2}
    assert set(Alliance.objects.visible_to(world.alice)) == led_there


def test_rows_within_a_county_are_matched_by_its_regions_ids_and_within_a_city_by_code(world):
    in_county = Alliance.objects.filter(world.county_a.within("lead_region"))
    in_town = Alliance.objects.filter(world.town_a.within("lead_region"))
    in_city = Alliance.objects.filter(world.ningbo.within("lead_region"))
    assert set(in_county) == set(in_city) == {world.alliance_a, world.alliance_a2}
    assert set(in_town) == {world.alliance_a}
    assert not Alliance.objects.filter(world.village_a.within("lead_region")).exists()
    # a county's hundred-odd regions by the list of their ids; a city's thousands by code
    county_sql, city_sql = str(in_county.query), str(in_city.query)
    ids = list(Region.objects.subtree(world.county_a).values_list("pk", flat=True))
    assert f'"lead_region_id" IN ({", ".join(map(str, ids))})' in county_sql and "LIKE" not in county_sql
    assert "LIKE" in city_sql and '"lead_region_id" IN (' not in city_sql


def test_ancestors_are_read_from_the_code_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [r.name for r in world.village_a.ancestors()]
    assert names == ["浙江省", "宁波市", "鄞州区", "姜山镇"]


@pytest.mark.parametrize(
    ("code", "field"),
    [("33021200100", "code"), ("3302120010AB", "code"), ("330212001010", "code"), ("330921005000", "code")],
)
def test_invalid_region_code_is_refused_naming_the_field(world, code, field):
    with pytest.raises(ValidationError) as excinfo:
        region_create(actor=world.admin, code=code, name="新镇", level="township", parent=world.county_a)
    assert field in excinfo.value.message_dict
    assert not Region.objects.filter(code=code).exists()


def test_database_rejects_a_code_that_does_not_fit_its_level(world):
    with pytest.raises(IntegrityError):
        Region.objects.create(code="330212001001", name="错层", level="township", parent=world.county_a)


def test_staff_cannot_create_regions_outside_their_county(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        region_create(actor=world.alice, code="330921009000", name="外县镇", level="township", parent=world.county_b)
    created = region_create(
        actor=world.alice, code="330212009000", name="新设镇", level="township", parent=world.county_a
    )
    assert created in Region.objects.subtree(world.county_a)
    assert township(world.county_a, 9) == created


# --------------------------------------------------------------------------- region pickers

LIST_PAGES = [
    "alliances:list",
    "projects:list",
    "workshops:list",
    "members:organization-list",
    "alliances:meeting-list",
    "evaluations:rollup-list",
]


def lookup(client, user, text=""):
    from django.urls import reverse

    client.force_login(user)
    response = client.get(reverse("members:region-lookup"), {"q": text})
    assert response.status_code == 200
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize("username", ["alice", "bob", "carol", "tina", "vera", "lily"])
@pytest.mark.parametrize("text", ["", "村", "镇", "330", "z", "浙江"])
def test_the_region_lookup_never_returns_a_region_outside_the_users_scope(world, client, username, text):
    village(township(world.county_a, 2), 1, "云龙村")
    village(world.town_b, 1, "高亭村")
    user = getattr(world, username)
    own = {
        "alice": world.county_a.prefix,
        "bob": world.county_b.prefix,
        "carol": world.ningbo.prefix,
        "tina": world.town_a.prefix,
        "vera": world.county_a.prefix,
        "lily": world.alliance_a.lead_region.prefix,
    }[username]
    codes = lookup(client, user, text)
    assert all(code.startswith(own) for code in codes), codes


def test_the_region_lookup_finds_a_region_by_name_code_or_pinyin_initials(world, client):
    for text in ("走马", "330212001001", "zmt", "ZMT"):
        assert lookup(client, world.alice, text) == [world.village_a.code], text
    assert lookup(client, world.tina, "yl") == []  # 云龙镇 is another township's
    assert world.town_a.code in lookup(client, world.alice, "jsz")


def test_the_region_lookup_is_for_signed_in_users(client):
    from django.urls import reverse

    response = client.get(reverse("members:region-lookup"), {"q": "村"})
    assert response.status_code == 302


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_list_page_offers_no_list_of_every_region(world, client, name):
    from django.urls import reverse

    client.force_login(world.vera)
    page = client.get(reverse(name)).content.decode()
    assert "岱山县" not in page and "高亭镇" not in page  # county B's regions
    assert 'data-region-lookup="' in page and 'name="region"' in page


def test_a_region_typed_by_name_or_code_filters_the_list_without_scripts(world, client):
    from django.urls import reverse

    client.force_login(world.alice)
    url = reverse("alliances:list")
    by_name = client.get(url, {"region": "姜山镇"}).content.decode()
    by_code = client.get(url, {"region": world.town_a.code}).content.decode()
    for page in (by_name, by_code):
        assert world.alliance_a.name in page and world.alliance_a2.name not in page
    unknown = client.get(url, {"region": "不存在镇"}).content.decode()
    assert "未找到区域" in unknown and world.alliance_a.name not in unknown


def test_a_region_name_is_looked_up_among_the_users_own_regions(world, client):
    from django.urls import reverse

    village(world.town_b, 1, "走马塘村")  # the same name in county B
    client.force_login(world.alice)
    page = client.get(reverse("members:organization-list"), {"region": "走马塘村"}).content.decode()
    assert world.org_a.name in page


def test_the_api_keeps_the_region_code_filter(world, api):
    response = api.as_user(world.alice).get("/api/v1/alliances/", {"region": world.town_a.code})
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == [world.alliance_a.code]
    assert api.as_user(world.alice).get("/api/v1/alliances/", {"region": "999999999999"}).status_code == 400


# ----------------------------------------------------------------- region pickers of forms

FORM_PAGES = [
    ("alliances:create", False),
    ("alliances:edit", True),
    ("members:organization-create", False),
    ("members:token-create", False),
    ("workshops:create", False),
    ("evaluations:rollup-create", False),
]


@pytest.mark.parametrize(("name", "edits_alliance"), FORM_PAGES)
def test_a_form_page_picks_its_region_by_type_ahead_not_a_list_of_every_region(world, client, name, edits_alliance):
    from django.urls import reverse

    village(township(world.county_a, 3, "瞻岐镇"), 1, "东城村")
    client.force_login(world.alice)
    url = reverse(name, args=[world.alliance_a.pk] if edits_alliance else [])
    page = client.get(url).content.decode()
    assert 'data-region-lookup="' in page
    assert "瞻岐镇" not in page and "东城村" not in page  # in scope, but not chosen: fetched as typed
    assert "岱山县" not in page and "高亭镇" not in page
    assert not re.search(rf'<option value="({world.town_a.pk}|{world.town_a.code})"', page)


def test_an_alliance_form_shows_its_lead_region_by_code_and_name(world, client):
    from django.urls import reverse

    client.force_login(world.alice)
    page = client.get(reverse("alliances:edit", args=[world.alliance_a.pk])).content.decode()
    assert f'name="lead_region" value="{world.town_a.code}"' in page
    assert "姜山镇（鄞州区）" in page


def alliance_form(world, **changes):
    return {
        "code": "LM-NEW",
        "name": "新联盟",
        "formation_mode": "neighbour",
        "scope": "cross_region",
        "lead_region": world.town_a.code,
        "founded_on": "2024-05-01",
        "status": "forming",
        **changes,
    }


@pytest.mark.parametrize("typed", ["330212001000", "姜山镇", " 姜山镇 "])
def test_a_region_typed_by_code_or_name_is_saved(world, client, typed):
    from django.urls import reverse

    client.force_login(world.alice)
    response = client.post(reverse("alliances:create"), alliance_form(world, lead_region=typed))
    assert response.status_code == 302, response.context["form"].errors
    assert Alliance.objects.get(code="LM-NEW").lead_region == world.town_a


@pytest.mark.parametrize("typed", ["330921001000", "高亭镇", "不存在镇"])
def test_a_region_outside_the_users_scope_is_refused_with_a_clear_message(world, client, typed):
    from django.urls import reverse

    client.force_login(world.alice)
    response = client.post(reverse("alliances:create"), alliance_form(world, lead_region=typed))
    assert response.status_code == 200
    assert response.context["form"].errors["lead_region"] == [
        f"未找到区域“{typed.strip()}”，请输入您管辖范围内的区划代码或名称。"
    ]
    assert f'value="{typed}"' in response.content.decode()  # what was typed is kept
    assert not Alliance.objects.filter(code="LM-NEW").exists()


def test_a_region_name_shared_by_two_regions_asks_for_the_code(world, client):
    from django.urls import reverse

    village(world.town_a, 2, "新村")
    village(township(world.county_a, 3, "瞻岐镇"), 1, "新村")
    client.force_login(world.alice)
    response = client.post(
        reverse("members:organization-create"), {"name": "新村党支部", "kind": "village", "region": "新村"}
    )
    assert response.context["form"].errors["region"] == ["有多个区域名为“新村”，请输入区划代码。"]
    assert not MemberOrganization.objects.filter(name="新村党支部").exists()


def test_no_form_page_of_the_site_offers_a_select_of_regions(world, client):
    """Every form page of the registry (tests/site/test_forms_roundtrip.py FORMS): a region is
    typed, never chosen from a select listing the regions."""
    from tests.site.test_forms_roundtrip import FORMS, open_page

    region_names = set(Region.objects.values_list("name", flat=True))
    found = {}
    for name in FORMS:
        _url, response = open_page(client, world, name, "zh-hans")
        page = response.content.decode()
        selects = re.findall(r'<select name="([^"]*)"[^>]*>(.*?)</select>', page, re.S)
        listing = [field for field, options in selects if any(f">{n}</option>" in options for n in region_names)]
        if listing:
            found[name] = listing
    assert found == {}
