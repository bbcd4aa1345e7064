"""A PostgreSQL restart: a new connection waits for the server to be back instead of
failing the request (core.postgresql), and only opening a connection is retried."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.db.backends.postgresql import base as django_postgresql

from core.postgresql import base

REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


@pytest.fixture
def no_waiting(monkeypatch):
    monkeypatch.setattr(base, "RETRY_INTERVAL", 0)


def connecting(*outcomes):
    """Django's own connect, answering with each of ``outcomes`` in turn (an error or a connection)."""

    def connect(self, params):
        outcome = outcomes_left.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    outcomes_left = list(outcomes)
    return mock.patch.object(django_postgresql.DatabaseWrapper, "get_new_connection", connect)


def wrapper():
    return base.DatabaseWrapper(connection.settings_dict, alias="restart-test")


def test_postgres_urls_use_the_backend_that_waits_out_a_restart():
    assert connection.settings_dict["ENGINE"] == "core.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.vendor == "postgresql"


def test_a_refused_connection_is_tried_again_until_the_server_is_back(no_waiting, caplog):
    error = django_postgresql.Database.OperationalError
    opened = object()
    with connecting(error(REFUSED), error("FATAL:  the database system is starting up"), opened):
        assert wrapper().get_new_connection({}) is opened
    assert "connected after 2 refused attempts" in caplog.text


def test_a_wrong_password_is_raised_at_once_not_retried(no_waiting):
    error = django_postgresql.Database.OperationalError('FATAL:  password authentication failed for user "app"')
    with connecting(error, object()), pytest.raises(django_postgresql.Database.OperationalError, match="password"):
        wrapper().get_new_connection({})


def test_a_server_that_stays_down_is_reported_after_the_retry_time(no_waiting, monkeypatch):
    monkeypatch.setattr(base, "CONNECT_RETRY_SECONDS", 0)
    error = django_postgresql.Database.OperationalError(REFUSED)
    with connecting(error, object()), pytest.raises(django_postgresql.Database.OperationalError, match="refused"):
        wrapper().get_new_connection({})
