"""API fuzzing: schemathesis generates requests from the OpenAPI schema for every
operation, as county staff, an alliance leader and a read-only viewer (by API token), on
the `world` data, through the WSGI application. No response may be a 5xx, and every
response must match the schema (status, content type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.crypto import hash_token
from knox.models import AuthToken
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application

pytestmark = pytest.mark.django_db

# Bounded: a handful of examples per operation keeps the three runs to about a minute.
FUZZ = settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection after each request, which would
    end the test's transaction; Django's own test client suspends that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded once at collection, from the application's own schema endpoint (no database).
# County staff (who may write everywhere in their county) also get schemathesis's coverage
# phase: every boundary and every invalid value of each parameter, deterministically.
# The leader and the viewer, refused most writes, get the examples and random phases.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
light = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
light.config.phases.coverage.enabled = False


# Every built-in check (no 5xx; status code, content type, headers and body as the schema
# says; invalid input rejected; invalid credentials refused; …) except one: "schema-valid
# data is accepted" cannot hold for an API whose valid requests depend on the caller's
# scope and on existing rows (a region code that exists, an alliance the caller may see).
EXCLUDED_CHECKS = [positive_data_acceptance]


def token_key(username: str) -> str:
    return f"fuzz-{username}".ljust(40, "0")


@pytest.fixture
def tokens(world):
    """API tokens of the three users, with keys the auth providers know in advance."""
    for user in (world.alice, world.lily, world.vera):
        key = token_key(user.username)
        AuthToken(digest=hash_token(key), token_key=key[:15], user=user).save()


def token_of(username: str) -> type:
    """A schemathesis auth provider: the API token of one user of `world`."""

    class RoleToken:
        def get(self, case, context):
            return token_key(username)

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

    return RoleToken


@schema.parametrize()
@schema.auth(token_of("alice"), refresh_interval=None)
@FUZZ
def test_county_staff(case, tokens, keep_test_connection):
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)


@light.parametrize()
@light.auth(token_of("lily"), refresh_interval=None)
@FUZZ
def test_alliance_leader(case, tokens, keep_test_connection):
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)


@light.parametrize()
@light.auth(token_of("vera"), refresh_interval=None)
@FUZZ
def test_read_only_viewer(case, tokens, keep_test_connection):
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)
