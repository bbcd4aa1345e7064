"""Settings come from the environment; a bad value stops start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(settings: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}}
    environment.update(env, DJANGO_SETTINGS_MODULE=settings)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def setting_at_start_up(name: str, *, unset: tuple[str, ...] = (), **env: str) -> str:
    """The value of setting ``name`` in a fresh process on the local settings, with the
    environment less ``unset`` and plus ``env``."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", *unset}}
    environment.update(env)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings.local');"
            f"django.setup();from django.conf import settings;print(settings.{name})",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL must start with"),
        ({"DATABASE_CONN_MAX_AGE": "soon"}, "DATABASE_CONN_MAX_AGE must be an integer"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(env, message):
    result = run_check("config.settings.local", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check("config.settings.production", DATABASE_URL="postgres://u@127.0.0.1/db")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_are_chinese_shanghai_and_utc_storage(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def test_tasks_run_inline_without_a_broker():
    assert setting_at_start_up("CELERY_TASK_ALWAYS_EAGER", unset=("CELERY_BROKER_URL",)) == "True"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "setting, value",
    [
        # A page's queries of milliseconds are not JIT-compiled.
        ("jit", "off"),
        # The exports read their server-side cursors to the end: a plan for the first rows
        # is the wrong one.
        ("cursor_tuple_fraction", "1"),
    ],
)
def test_the_sites_postgresql_connections_are_planned_for_how_the_site_reads(setting, value):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        assert cursor.fetchone() == (value,)


def test_a_database_urls_own_options_win_over_the_jit_default():
    options = setting_at_start_up(
        "DATABASES['default']['OPTIONS']['options']",
        DATABASE_URL="postgres://u@127.0.0.1/db?options=-c%20jit%3Don",
    )
    assert options == "-c jit=on"
