"""The demo data set, loaded once for all the tests in this package (it takes a while).

Tests here only read it, or run seed_demo again inside their own rolled-back transaction
to check that nothing changes. The modules share an xdist group so that a parallel run
loads the demo once, on one worker.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture(scope="package")
def demo_db(django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        call_command("flush", "--noinput")
