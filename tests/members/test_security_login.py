"""Log-in: lock-out per user name and address, password rules, a fresh session, headers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from core.security import client_ip
from tests.html import Elements

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "test-pass-2026"


@pytest.fixture
def lockout(settings):
    """django-axes on (the test settings switch it off for the test client's login())."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings


def attempt(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def fail_until_locked(client, username, **meta):
    """Two failures show the form again; the third (the limit) locks."""
    for _ in range(2):
        assert attempt(client, username, "wrong-password", **meta).status_code == 200
    assert attempt(client, username, "wrong-password", **meta).status_code == 429


def test_repeated_failures_lock_that_user_name_at_that_address(client, world, lockout):
    fail_until_locked(client, "alice", REMOTE_ADDR="10.1.1.1")
    response = attempt(client, "alice", PASSWORD, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lock_does_not_shut_out_the_same_user_from_another_address(client, world, lockout):
    fail_until_locked(client, "alice", REMOTE_ADDR="10.1.1.1")
    response = attempt(client, "alice", PASSWORD, REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.alice.pk


def test_a_lock_does_not_shut_out_other_users_at_the_same_address(client, world, lockout):
    fail_until_locked(client, "alice", REMOTE_ADDR="10.1.1.1")
    response = attempt(client, "bob", PASSWORD, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.bob.pk


def test_behind_a_trusted_proxy_each_client_address_counts_separately(client, world, lockout):
    lockout.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "172.16.0.1"}
    fail_until_locked(client, "alice", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert attempt(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    # Another office behind the same proxy logs in as the same user.
    assert attempt(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy).status_code == 302


def test_a_client_cannot_escape_its_lock_by_forging_forwarded_for(client, world, lockout):
    lockout.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "172.16.0.1"}
    fail_until_locked(client, "alice", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    forged = attempt(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **proxy)
    assert forged.status_code == 429


def test_a_successful_log_in_clears_the_failures(client, world, lockout):
    for _ in range(2):
        attempt(client, "alice", "wrong-password", REMOTE_ADDR="10.1.1.1")
    assert attempt(client, "alice", PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 302
    client.logout()
    for _ in range(2):
        attempt(client, "alice", "wrong-password", REMOTE_ADDR="10.1.1.1")
    assert attempt(client, "alice", PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "172.16.0.1"),  # no proxy configured: the header is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client-written part is ignored
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "172.16.0.1"),  # did not pass through both proxies
        (1, "", "172.16.0.1"),
    ],
)
def test_the_client_address_is_read_only_from_trusted_proxies(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab3$efg", "too short"),
        ("password123", "too common"),
        ("8264937150246", "entirely numeric"),
        ("alice-county@example", "too similar to the e-mail address"),
    ],
)
def test_weak_passwords_are_refused(world, password, reason):
    world.alice.email = "alice-county@example.com"
    with pytest.raises(ValidationError):
        validate_password(password, user=world.alice)


def test_a_long_unusual_password_is_accepted(world):
    assert validate_password("青山-Harbour-7319-绿水", user=world.alice) is None


def test_log_in_starts_a_new_session(client, world):
    session = client.session
    session["before"] = "anonymous visit"
    session.save()
    before = session.session_key
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    after = client.session.session_key
    assert after != before
    assert client.session["before"] == "anonymous visit"  # carried over, under a new key


def test_every_page_has_a_policy_forbidding_inline_and_foreign_scripts(client, world):
    client.force_login(world.alice)
    for url in [reverse("alliances:list"), reverse("swagger-ui"), reverse("login")]:
        policy = client.get(url).headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_api_docs_load_their_start_up_script_as_a_file(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("swagger-ui")).content.decode()
    elements = Elements(page)
    # Every script element loads a file and holds no code of its own; no element runs a handler.
    assert elements.scripts and all(attrs.get("src") and not text for attrs, text in elements.scripts)
    assert elements.handlers == []
    script_url = next(attrs["src"] for attrs, _text in elements.scripts if "script=" in attrs["src"])
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_no_template_has_inline_script_or_event_handlers():
    """Static check over every template: scripts come from static/js, handlers are bound there."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1) and "application/json" not in match.group(1):
                offenders.append(f"{template.relative_to(ROOT)}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template.relative_to(ROOT)}: inline event handler")
    assert offenders == []


def run_production(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="q7Lr-0vXw2Nf9Tz4Hb6Kc1Jm8Pd3Sg5Ya0Ue7Io2Wn4Rt6Vx9Zl1Bk3Ch5Fj8Gp0",
        DATABASE_URL="postgres://alliance@127.0.0.1:5432/alliance",
        **env,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_deploy_checks_pass_with_the_production_settings():
    result = run_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION_HEADERS = """
import django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/accounts/login/")
print("REDIRECT", plain.status_code, plain.headers.get("Location"))
secure = client.get("/accounts/login/", secure=True)
for name in ["Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
             "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"]:
    print("HEADER", name, "=", secure.headers.get(name))
cookie = secure.cookies["csrftoken"]
print("COOKIE", bool(cookie["secure"]), cookie["samesite"])
"""


def test_production_serves_https_only_with_secure_headers_and_cookies(tmp_path):
    static = {"STATIC_ROOT": str(tmp_path)}
    collected = run_production("manage.py", "collectstatic", "--noinput", **static)
    assert collected.returncode == 0, collected.stderr
    result = run_production("-c", PRODUCTION_HEADERS, ALLOWED_HOSTS="testserver", **static)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "REDIRECT 301 https://testserver/accounts/login/" in out
    assert "HEADER Strict-Transport-Security = max-age=31536000; includeSubDomains; preload" in out
    assert "HEADER X-Content-Type-Options = nosniff" in out
    assert "HEADER X-Frame-Options = DENY" in out
    assert "HEADER Referrer-Policy = same-origin" in out
    assert "HEADER Cross-Origin-Opener-Policy = same-origin" in out
    assert "script-src 'self'" in out
    assert "COOKIE True Lax" in out
