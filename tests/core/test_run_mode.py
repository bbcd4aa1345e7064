"""`make run` serves the demo as a user meets it: the local settings with DEBUG unset mean
DEBUG off, the site's own error pages, static files served by the app (WhiteNoise) and no
uploaded file under /media/.

The local settings are loaded in a process of their own (the suite runs on the test
settings), on an empty SQLite database: none of these pages may need one.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.base import BASE_DIR, checkout_secret_key

PROBE = r"""
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import path
import config.urls

def fail(request):
    raise RuntimeError("a bug")

config.urls.urlpatterns.append(path("probe-error/", fail))
stored = settings.MEDIA_ROOT / "alliances" / "meetingphoto" / "2026" / "01" / "meeting.png"
stored.parent.mkdir(parents=True)
stored.write_bytes(b"\x89PNG\r\n\x1a\n stored photo")
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")

def get(url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    return {"status": response.status_code, "type": response.get("Content-Type", ""), "body": text}

print(json.dumps({
    "debug": settings.DEBUG,
    "login": get("/accounts/login/"),
    "unknown": get("/no-such-page/"),
    "error": get("/probe-error/"),
    "static": get("/static/css/site.css"),
    "admin_static": get("/static/admin/css/base.css"),
    "media": get("/media/alliances/meetingphoto/2026/01/meeting.png"),
}))
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("run-mode")
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "CACHE_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        SECRET_KEY="run-mode-test-" + "x" * 50,
        LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_local_settings_run_with_debug_off_unless_asked(served):
    assert served["debug"] is False


def test_the_login_page_is_served_in_chinese_with_its_stylesheet(served):
    page = served["login"]
    assert page["status"] == 200 and "登录" in page["body"]
    assert "/static/css/site.css" in page["body"]


def test_an_unknown_url_answers_the_sites_own_404_page_without_the_url_list(served):
    page = served["unknown"]
    assert page["status"] == 404
    assert "页面不存在" in page["body"] and 'href="/"' in page["body"] and "site.css" in page["body"]
    assert "URLconf" not in page["body"] and "accounts/login/" not in page["body"]


def test_a_server_error_answers_the_sites_own_500_page_without_the_traceback(served):
    page = served["error"]
    assert page["status"] == 500
    assert "服务器错误" in page["body"] and 'href="/"' in page["body"] and "site.css" in page["body"]
    assert "a bug" not in page["body"] and "Traceback" not in page["body"]


def test_static_files_are_served_by_the_app(served):
    assert served["static"]["status"] == 200 and served["static"]["type"].startswith("text/css")
    assert served["admin_static"]["status"] == 200


def test_an_uploaded_file_is_not_served_under_media(served):
    page = served["media"]
    assert page["status"] == 404 and "stored photo" not in page["body"]
    assert "页面不存在" in page["body"]


def test_a_checkout_makes_its_own_secret_key_once_readable_by_its_owner_only(tmp_path: Path):
    path = tmp_path / ".secret_key"
    key = checkout_secret_key(path)
    assert len(key) >= 50 and checkout_secret_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert checkout_secret_key(tmp_path.joinpath("other")) != key
