"""The "大屏接口令牌" page: staff create (key shown once), list and revoke tokens of their scope."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import ApiToken
from members.tokens import api_token_create

pytestmark = pytest.mark.django_db


def test_staff_create_a_token_and_see_its_key_once(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("members:token-create"), {"name": "县委大厅大屏", "region": world.county_a.pk})
    assert response.status_code == 302 and response["Location"] == reverse("members:token-create")
    response = client.get(response["Location"])
    assert response["Cache-Control"] == "no-store"
    key = response.context["key"]
    page = response.content.decode()
    assert key in page and "只显示这一次" in page
    token = ApiToken.objects.get(name="县委大厅大屏")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (token.region, token.created_by) == (world.county_a, world.alice)

    listing = client.get(reverse("members:token-list")).content.decode()
    assert key not in listing
    assert "县委大厅大屏" in listing and token.prefix in listing and "鄞州区" in listing


def test_reloading_the_created_page_neither_shows_the_key_again_nor_makes_another_token(client, world):
    client.force_login(world.alice)
    data = {"name": "县委大厅大屏", "region": world.county_a.pk}
    response = client.post(reverse("members:token-create"), data, follow=True)
    key = response.context["key"]
    assert key in response.content.decode()
    # A browser's reload repeats the request that produced the page: the POST itself when
    # the page answered it, the GET when the POST redirected there.
    if response.redirect_chain:
        reloaded = client.get(response.redirect_chain[-1][0])
    else:
        reloaded = client.post(reverse("members:token-create"), data)
    assert reloaded.status_code == 200 and "key" not in reloaded.context
    assert key not in reloaded.content.decode()
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_the_created_page_shows_a_key_only_to_its_creators_scope(client, world):
    client.force_login(world.alice)
    client.post(reverse("members:token-create"), {"name": "鄞州指挥中心", "region": world.county_a.pk})
    cookie = client.cookies["new_api_token"]
    client.force_login(world.bob)
    client.cookies["new_api_token"] = cookie.value
    response = client.get(reverse("members:token-create"))
    assert "key" not in response.context and "鄞州指挥中心" not in response.content.decode()


def test_the_form_offers_only_regions_in_scope(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("members:token-create"), {"name": "越界", "region": world.county_b.pk})
    assert "region" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_list_shows_tokens_of_the_users_scope_with_last_use_and_revocation(client, world):
    own, _key = api_token_create(actor=world.alice, name="鄞州大屏", region=world.county_a)
    api_token_create(actor=world.bob, name="岱山大屏", region=world.county_b)
    client.force_login(world.alice)
    response = client.get(reverse("members:token-list"))
    assert [t.name for t in response.context["object_list"]] == ["鄞州大屏"]
    client.post(reverse("members:token-revoke", args=[own.pk]))
    own.refresh_from_db()
    assert own.revoked_at is not None
    page = client.get(reverse("members:token-list")).content.decode()
    assert "已撤销" in page and reverse("members:token-revoke", args=[own.pk]) not in page


def test_a_token_of_another_county_cannot_be_revoked_from_the_page(client, world):
    other, _key = api_token_create(actor=world.bob, name="岱山大屏", region=world.county_b)
    client.force_login(world.alice)
    assert client.post(reverse("members:token-revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_revoke_is_a_post(client, world):
    token, _key = api_token_create(actor=world.alice, name="鄞州大屏", region=world.county_a)
    client.force_login(world.alice)
    assert client.get(reverse("members:token-revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_only_staff_reach_the_token_pages_and_see_the_menu_link(client, world):
    for user in (world.vera, world.lily):
        client.force_login(user)
        assert client.get(reverse("members:token-list")).status_code == 403
        assert client.get(reverse("members:token-create")).status_code == 403
        assert reverse("members:token-list") not in client.get(reverse("alliances:list")).content.decode()
    client.force_login(world.alice)
    assert reverse("members:token-list") in client.get(reverse("alliances:list")).content.decode()


def test_the_token_list_runs_the_same_number_of_queries_at_10_and_100(client, world):
    for i in range(100):
        api_token_create(actor=world.alice, name=f"大屏{i}", region=world.county_a)
    client.force_login(world.alice)
    url = reverse("members:token-list")
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"page_size": 10})
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"page_size": 100})
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(response.context["object_list"]) == 100


def test_the_admin_revokes_through_the_service_and_cannot_add_tokens(client, world):
    token, _key = api_token_create(actor=world.alice, name="鄞州大屏", region=world.county_a)
    client.force_login(world.admin)
    assert client.get(reverse("admin:members_apitoken_add")).status_code == 403
    client.post(
        reverse("admin:members_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.admin
