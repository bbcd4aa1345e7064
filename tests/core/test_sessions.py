"""Sessions: with a shared cache (CACHE_URL) they are read from Redis and written through to
the database; with a per-process cache they stay in the database alone."""

from __future__ import annotations

import os

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.core.test_settings import setting_at_start_up


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("redis://127.0.0.1:6379/1", "django.contrib.sessions.backends.cached_db"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_use_the_cache_only_when_it_is_shared(cache_url, engine):
    assert setting_at_start_up("SESSION_ENGINE", CACHE_URL=cache_url) == engine


@pytest.fixture
def shared_cache(settings):
    """The production arrangement: Redis as the cache (a database of its own on the test
    server), sessions read from it and written through."""
    url = os.environ.get("REDIS_URL")
    assert url, "make test starts Redis and exports REDIS_URL"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url.rsplit("/", 1)[0] + "/6"}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def alliance_names(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["name"] for row in response.json()["results"]]


def session_queries(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "django_session" in query["sql"]]


def test_a_signed_in_request_reads_its_session_from_the_cache_not_the_database(shared_cache, client, world):
    client.force_login(world.alice)
    with CaptureQueriesContext(connection) as captured:
        names = alliance_names(client.get("/api/v1/alliances/"))
    assert set(names) == {"姜山共富联盟", "云龙产业联盟"}
    assert session_queries(captured) == []


def test_a_session_the_cache_lost_is_read_back_from_the_database(shared_cache, client, world):
    client.force_login(world.alice)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    cache.delete(KEY_PREFIX + key)
    with CaptureQueriesContext(connection) as captured:
        names = alliance_names(client.get("/api/v1/alliances/"))
    assert set(names) == {"姜山共富联盟", "云龙产业联盟"}
    assert len(session_queries(captured)) == 1
    assert cache.get(KEY_PREFIX + key) is not None  # cached again for the next request


def test_logging_out_ends_the_session_in_cache_and_database(shared_cache, client, world):
    client.force_login(world.alice)
    key = client.cookies["sessionid"].value
    stolen = type(client)()
    stolen.cookies["sessionid"] = key
    assert set(alliance_names(stolen.get("/api/v1/alliances/"))) == {"姜山共富联盟", "云龙产业联盟"}

    client.post("/accounts/logout/")

    assert cache.get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()
    response = stolen.get("/api/v1/alliances/")
    assert response.status_code == 401
    assert "姜山共富联盟" not in response.content.decode()
