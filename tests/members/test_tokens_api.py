"""API tokens. Big screens' read-only keys: a region's viewer, revocable at once, rate-limited.
User accounts' tokens: stored hashed, expiring, revocable."""

from __future__ import annotations

import datetime
import hashlib
import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from alliances.models import Alliance
from members.models import ApiToken
from members.tokens import api_token_create, api_token_revoke, touch, user_token_create, user_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def keys(world):
    """A token of county A (made by alice) and one of county B (made by bob), with their keys."""
    token_a, key_a = api_token_create(actor=world.alice, name="鄞州大厅大屏", region=world.county_a)
    token_b, key_b = api_token_create(actor=world.bob, name="岱山指挥中心", region=world.county_b)
    return {"a": (token_a, key_a), "b": (token_b, key_b)}


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_county_a_token_reads_county_a_and_never_county_b(world, keys):
    client = bearer(keys["a"][1])
    codes = [row["code"] for row in client.get("/api/v1/alliances/").json()["results"]]
    assert sorted(codes) == ["LM-A-1", "LM-A-2"]
    assert client.get(f"/api/v1/alliances/{world.alliance_a.pk}/").status_code == 200
    assert client.get(f"/api/v1/alliances/{world.alliance_b.pk}/").status_code == 404
    assert client.get(f"/api/v1/organizations/{world.org_b.pk}/").status_code == 404
    names = [row["name"] for row in client.get("/api/v1/organizations/").json()["results"]]
    assert "走马塘村党委" in names and "高亭社区党委" not in names

    other = bearer(keys["b"][1])
    assert [row["code"] for row in other.get("/api/v1/alliances/").json()["results"]] == ["LM-B-1"]
    assert other.get(f"/api/v1/alliances/{world.alliance_a.pk}/").status_code == 404


def test_a_token_sees_personal_data_masked(world, keys):
    body = bearer(keys["a"][1]).get(f"/api/v1/people/{world.person_a.pk}/").json()
    assert body["mobile"] == "138****5678" and body["id_number"] == "330212********1234"


def test_a_token_cannot_write(world, keys):
    client = bearer(keys["a"][1])
    response = client.patch(f"/api/v1/alliances/{world.alliance_a.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    response = client.post(
        "/api/v1/organizations/", {"name": "新单位", "kind": "village", "region": world.village_a.code}, format="json"
    )
    assert response.status_code == 403
    world.alliance_a.refresh_from_db()
    assert world.alliance_a.name == "姜山共富联盟"
    assert not Alliance.objects.filter(name="改名").exists()


def test_a_revoked_token_is_refused_on_its_very_next_request(world, keys):
    token, key = keys["a"]
    client = bearer(key)
    assert client.get("/api/v1/alliances/").status_code == 200
    api_token_revoke(actor=world.alice, token=token)
    response = client.get("/api/v1/alliances/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_opens_the_api_docs_and_the_browsable_api_pages(world, keys):
    client = bearer(keys["a"][1])
    assert client.get("/api/docs/").status_code == 200
    page = client.get("/api/v1/alliances/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and "LM-A-1" in page.content.decode()


def test_an_unknown_key_is_refused(world, keys):
    assert bearer("dsk_not-a-real-key").get("/api/v1/alliances/").status_code == 401
    assert bearer(keys["a"][1] + "x").get("/api/v1/alliances/").status_code == 401


def test_requests_over_the_rate_are_refused_with_429_per_token(world, keys, settings):
    settings.DASHBOARD_TOKEN_RATE = "3/minute"
    client = bearer(keys["a"][1])
    assert [client.get("/api/v1/regions/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert bearer(keys["b"][1]).get("/api/v1/regions/").status_code == 200  # its own count


def test_signed_in_users_are_not_limited_by_the_token_rate(world, api, settings):
    settings.DASHBOARD_TOKEN_RATE = "2/minute"
    api.as_user(world.alice)
    assert {api.get("/api/v1/regions/").status_code for _ in range(4)} == {200}


def test_last_use_is_written_at_most_once_a_minute(world, keys):
    token, key = keys["a"]
    assert token.last_used_at is None
    client = bearer(key)
    client.get("/api/v1/regions/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/regions/")
    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first
    later = first + datetime.timedelta(minutes=1, seconds=5)
    touch(token, now=later)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_only_the_hash_of_the_key_is_stored(world, keys):
    token, key = keys["a"]
    assert key.startswith("dsk_") and len(key) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["prefix"] == key[:12]
    assert key not in str(stored)


def user_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def expires_in_days(token: AuthToken) -> int:
    return round((token.expiry - timezone.now()) / datetime.timedelta(days=1))


def test_a_user_token_acts_as_its_user_until_it_expires_then_is_refused(world, settings):
    settings.API_TOKEN_TTL_DAYS = 90
    token, key = user_token_create(world.alice)
    assert expires_in_days(token) == 90
    assert user_token(key).get("/api/v1/alliances/").json()["count"] == 2
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = user_token(key).get("/api/v1/alliances/")
    assert response.status_code == 401
    assert not AuthToken.objects.filter(pk=token.pk).exists()


def test_a_revoked_user_token_is_refused_at_once(world):
    token, key = user_token_create(world.bob)
    assert user_token(key).get("/api/v1/alliances/").status_code == 200
    user_token_revoke(token)
    assert user_token(key).get("/api/v1/alliances/").status_code == 401


def test_a_user_token_issued_without_an_expiry_still_expires_after_the_setting(world, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    token, _key = AuthToken.objects.create(user=world.alice, expiry=None)  # as the admin's add form may
    token.refresh_from_db()
    assert expires_in_days(token) == 7


def test_a_user_tokens_key_is_not_stored_in_clear(world):
    token, key = user_token_create(world.alice)
    stored = AuthToken.objects.filter(pk=token.pk).values().get()
    assert stored["digest"] == hashlib.sha512(key.encode()).hexdigest()
    assert key not in str(stored)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knox_authtoken WHERE digest = %s OR token_key = %s", [key, key])
        assert cursor.fetchone()[0] == 0


def test_existing_drf_tokens_keep_working_hashed_and_expiring_and_their_clear_keys_are_dropped(world):
    migration = importlib.import_module("members.migrations.0008_user_api_tokens_hashed")
    key = "0123456789abcdef0123456789abcdef01234567"  # a DRF authtoken key: 40 hex characters
    with connection.cursor() as cursor:  # the table as DRF's authtoken left it
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id int, created timestamptz)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, now())", [key, world.alice.pk])
    with connection.schema_editor() as editor:
        migration.hash_drf_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = AuthToken.objects.get(user=world.alice)
    assert key not in str(AuthToken.objects.filter(pk=token.pk).values().get())
    assert expires_in_days(token) == 90
    assert user_token(key).get("/api/v1/alliances/").json()["count"] == 2


def test_anonymous_api_requests_are_asked_to_authenticate(world):
    response = APIClient().get("/api/v1/alliances/")
    assert response.status_code == 401


def test_staff_create_tokens_only_for_regions_in_their_scope(world):
    with pytest.raises(PermissionDenied):
        api_token_create(actor=world.alice, name="越界", region=world.county_b)
    with pytest.raises(PermissionDenied):
        api_token_create(actor=world.tina, name="越级", region=world.county_a)
    for user in (world.vera, world.lily):
        with pytest.raises(PermissionDenied):
            api_token_create(actor=user, name="只读用户", region=world.county_a)
    token, _key = api_token_create(actor=world.tina, name="镇大屏", region=world.town_a)
    assert token.region == world.town_a and token.created_by == world.tina
    assert ApiToken.objects.count() == 1


def test_a_token_needs_a_name(world):
    with pytest.raises(ValidationError) as info:
        api_token_create(actor=world.alice, name="  ", region=world.county_a)
    assert "name" in info.value.message_dict
    assert not ApiToken.objects.exists()


def test_only_staff_of_the_tokens_region_revoke_it_and_only_once(world, keys):
    token, _key = keys["a"]
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=world.bob, token=token)
    revoked = api_token_revoke(actor=world.carol, token=token)
    assert revoked.revoked_at is not None and revoked.revoked_by == world.carol
    assert timezone.now() - revoked.revoked_at < datetime.timedelta(seconds=5)
    with pytest.raises(ValidationError):
        api_token_revoke(actor=world.alice, token=token)


def test_tokens_are_visible_to_staff_of_their_region_only(world, keys):
    assert list(ApiToken.objects.visible_to(world.alice)) == [keys["a"][0]]
    assert list(ApiToken.objects.visible_to(world.bob)) == [keys["b"][0]]
    assert set(ApiToken.objects.visible_to(world.admin)) == {keys["a"][0], keys["b"][0]}
    assert list(ApiToken.objects.visible_to(world.lily)) == []


def test_the_schema_documents_the_bearer_scheme(client, world):
    client.force_login(world.alice)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    scheme = schema["components"]["securitySchemes"]["dashboardToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert {"dashboardToken": []} in schema["paths"]["/api/v1/alliances/"]["get"]["security"]


def test_the_schema_documents_the_user_token_scheme(client, world):
    client.force_login(world.alice)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    scheme = schema["components"]["securitySchemes"]["knoxApiToken"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header" and scheme["name"] == "Authorization"
    assert '"Token"' in scheme["description"]
    assert {"knoxApiToken": []} in schema["paths"]["/api/v1/alliances/"]["get"]["security"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DASHBOARD_TOKEN_RATE": "lots"}, "DASHBOARD_TOKEN_RATE must look like 120/minute"),
        ({"DASHBOARD_TOKEN_RATE": "0/minute"}, "DASHBOARD_TOKEN_RATE must look like 120/minute"),
        ({"CACHE_URL": "memcached://127.0.0.1:11211"}, "CACHE_URL must start with redis://"),
    ],
)
def test_a_bad_rate_or_cache_setting_stops_start_up(env, message):
    from tests.core.test_settings import run_check

    result = run_check("config.settings.local", **env)
    assert result.returncode != 0
    assert message in result.stderr
