"""The demo data set lives in its own app: the local and test settings install it, the
production settings do not (no seed_demo command there), and its published password is
written nowhere but in the demo, the tests and the docs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from demo.members import ADMIN_PASSWORD, DEMO_PASSWORD

ROOT = Path(settings.BASE_DIR)
# Where the published passwords may be written: the demo itself, the tests, the docs.
ALLOWED = {"demo", "tests", "docs", "README.md"}
SKIPPED = {".git", ".venv", "__pycache__", "staticfiles", "media", "test-artifacts", ".pytest_cache", ".ruff_cache"}

PROBE = """
import django
from django.apps import apps
from django.core.management import get_commands
django.setup()
print(apps.is_installed("demo"), "seed_demo" in get_commands())
"""


def installed_under(module: str) -> str:
    """What a process with these settings says: is the demo app installed, is there a seed_demo command."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": module,
        "SECRET_KEY": "x" * 64,  # production asks for one; local would otherwise write .secret_key
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",  # never connected to
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_production_does_not_install_the_demo_or_its_command():
    assert installed_under("config.settings.production") == "False False"


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.test"])
def test_the_local_and_test_settings_install_it(module):
    assert installed_under(module) == "True True"


def files_outside_the_demo():
    for path in ROOT.iterdir():
        if path.name in ALLOWED or path.name in SKIPPED or path.suffix == ".sqlite3":
            continue
        if path.is_file():
            yield path
            continue
        for file in path.rglob("*"):
            if file.is_file() and not SKIPPED.intersection(file.relative_to(ROOT).parts):
                yield file


def test_no_production_file_holds_the_demo_passwords():
    passwords = [DEMO_PASSWORD.encode(), ADMIN_PASSWORD.encode()]
    holding = []
    for file in files_outside_the_demo():
        content = file.read_bytes()
        if any(password in content for password in passwords):
            holding.append(str(file.relative_to(ROOT)))
    assert holding == []
    assert DEMO_PASSWORD and ADMIN_PASSWORD
