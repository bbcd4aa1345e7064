"""Where seed_demo refuses to run: the production settings with DEBUG off, unless forced
(the demo's accounts share a published password), and the large scales off PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from demo.management.commands import seed_demo

pytestmark = pytest.mark.django_db

PRODUCTION = "config.settings.production"


@pytest.fixture
def no_demo_modules(monkeypatch):
    """The command without the apps' demo modules: it gets as far as the accounts' table."""
    monkeypatch.setattr(seed_demo, "demo_modules", lambda kind="demo": [])


@override_settings(DEBUG=False, SETTINGS_MODULE=PRODUCTION)
def test_it_refuses_the_production_settings_and_writes_nothing():
    with pytest.raises(CommandError, match="production settings.*--force"):
        call_command("seed_demo", stdout=io.StringIO())
    with pytest.raises(CommandError, match="production settings"):
        call_command("seed_demo", "--scale", "county", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


@override_settings(DEBUG=False, SETTINGS_MODULE=PRODUCTION)
def test_it_runs_under_the_production_settings_when_forced(no_demo_modules):
    output = io.StringIO()
    call_command("seed_demo", "--force", stdout=output)
    assert "Demo accounts:" in output.getvalue()


@pytest.mark.parametrize(
    ("debug", "module"), [(True, PRODUCTION), (False, "config.settings.local"), (False, "config.settings.test")]
)
def test_it_runs_under_other_settings_or_with_debug_on(no_demo_modules, debug, module):
    output = io.StringIO()
    with override_settings(DEBUG=debug, SETTINGS_MODULE=module):
        call_command("seed_demo", stdout=output)
    assert "Demo accounts:" in output.getvalue()


def test_the_large_scales_ask_for_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL's COPY"):
        call_command("seed_demo", "--scale", "county", stdout=io.StringIO())
