"""Redis stopped: sessions read from the database, rate limits kept in this process's
memory, submissions stored once, and nothing answers 500 (core.cache.FailSoftRedisCache)."""

from __future__ import annotations

import ast
import logging
import os
import socket
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from core.cache import FailSoftRedisCache
from members.tokens import api_token_create
from projects.models import ProgressReport
from projects.weeks import current_week
from tests.core.test_settings import setting_at_start_up
from tests.projects.factories import ProjectFactory, photo

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-2026"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


def production_caches(url: str, *, retry_after: float = 5) -> dict:
    """The aliases config/settings/base.py makes of CACHE_URL, pointed at ``url``."""
    options = {"socket_connect_timeout": 1, "socket_timeout": 1, "RETRY_AFTER": retry_after}
    return {
        "default": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": url, "OPTIONS": options},
        "sessions": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "session",
            "OPTIONS": options | {"FALLBACK": "none", "PURGE_ON_RECOVERY": True},
        },
    }


@pytest.fixture
def redis_down(settings):
    """Production's cache and sessions, with Redis not listening."""
    settings.CACHES = production_caches(f"redis://127.0.0.1:{closed_port()}/0")
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    return settings


@pytest.fixture
def redis_up(settings):
    url = os.environ.get("REDIS_URL")
    assert url, "make test starts Redis and exports REDIS_URL"
    settings.CACHES = production_caches(url, retry_after=0)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    yield settings
    caches["default"].clear()


def test_production_settings_give_sessions_and_rate_limits_a_cache_that_fails_soft():
    aliases = ast.literal_eval(setting_at_start_up("CACHES", CACHE_URL="redis://127.0.0.1:6379/1"))
    assert {alias["BACKEND"] for alias in aliases.values()} == {"core.cache.FailSoftRedisCache"}
    assert aliases["default"]["OPTIONS"]["FALLBACK"] == "local"
    assert aliases["sessions"]["OPTIONS"]["FALLBACK"] == "none"
    assert setting_at_start_up("SESSION_CACHE_ALIAS", CACHE_URL="redis://127.0.0.1:6379/1") == "sessions"
    assert setting_at_start_up("AXES_HANDLER") == "axes.handlers.database.AxesDatabaseHandler"


def test_a_signed_in_page_opens_while_redis_is_down(redis_down, client, world, caplog):
    client.force_login(world.alice)
    assert Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        response = client.get(reverse("projects:list"))
        again = client.get(reverse("alliances:list"))
    assert (response.status_code, again.status_code) == (200, 200)
    assert response.context["user"] == world.alice
    assert any("unreachable" in record.getMessage() for record in caplog.records)


def test_signing_in_works_while_redis_is_down(redis_down, client, world):
    redis_down.AXES_ENABLED = True
    world.alice.set_password(PASSWORD)
    world.alice.save()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("projects:list")).context["user"] == world.alice


def test_failed_sign_ins_still_lock_out_while_redis_is_down(redis_down, client, world):
    redis_down.AXES_ENABLED = True
    redis_down.AXES_FAILURE_LIMIT = 2
    codes = [
        client.post(reverse("login"), {"username": "alice", "password": "wrong-password"}).status_code for _ in range(3)
    ]
    assert codes == [200, 429, 429]


def test_the_api_answers_and_still_rate_limits_while_redis_is_down(redis_down, api, world):
    redis_down.DASHBOARD_TOKEN_RATE = "3/minute"
    _, key = api_token_create(actor=world.alice, name="大屏", region=world.county_a)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    codes = [api.get("/api/v1/dashboard/summary/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_report_submitted_while_redis_is_down_is_stored_once(redis_down, client, world):
    project = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    client.force_login(world.lily)
    url = reverse("projects:report-submit", args=[project.pk])
    form = client.get(url).context["form"]
    data = {
        "submission": form["submission"].initial,
        "period": current_week().isoformat(),
        "percent_complete": "25",
        "investment_to_date": "300000",
        "work_done": "完成大棚基础",
        "blockers": "",
    }
    first = client.post(url, data | {"attachments": [photo("大棚.jpg")]})
    second = client.post(url, data | {"attachments": [photo("大棚.jpg")]})
    assert first.status_code == 302
    assert second.status_code == 200 and "已经提交并保存过" in second.content.decode()
    report = ProgressReport.objects.get(project=project)
    assert report.attachments.count() == 1


def test_a_log_out_during_an_outage_is_not_undone_when_redis_returns(redis_up, client, world):
    client.force_login(world.alice)
    key = client.cookies["sessionid"].value
    stolen = type(client)()
    stolen.cookies["sessionid"] = key
    assert stolen.get(reverse("projects:list")).context["user"] == world.alice  # cached in Redis now

    sessions = caches["sessions"]
    with mock.patch.object(sessions._cache, "get_client", side_effect=RedisConnectionError("stopped")):
        assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()

    response = stolen.get(reverse("projects:list"))  # Redis is back, with the old copy
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_rate_limit_cache_goes_back_to_redis_when_it_returns(redis_up, caplog):
    backend = caches["default"]
    assert isinstance(backend, FailSoftRedisCache)
    with mock.patch.object(backend._cache, "get_client", side_effect=RedisConnectionError("stopped")):
        cache.set("count", 1)
        assert cache.get("count") == 1  # kept in this process's memory
        assert backend.is_down
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        cache.set("count", 7)
    assert not backend.is_down
    assert backend.local.get("count") == 1 and cache.get("count") == 7
    assert any("reachable again" in record.getMessage() for record in caplog.records)


def test_a_session_cache_without_a_key_prefix_cannot_be_purged():
    with pytest.raises(ValueError, match="KEY_PREFIX"):
        FailSoftRedisCache("redis://127.0.0.1:6379/0", {"OPTIONS": {"FALLBACK": "none", "PURGE_ON_RECOVERY": True}})
