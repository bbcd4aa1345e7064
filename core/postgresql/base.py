"""Django's PostgreSQL backend, waiting out a database restart when it connects.

While PostgreSQL restarts (``pg_ctl restart -m fast``, a fail-over, a package upgrade) it
refuses connections for a second or two. A request that finds its connection closed
(``CONN_HEALTH_CHECKS``) opens a new one; without this backend that new connection is
refused at once and the request answers 500, though the database is back a moment later.
Here a refused or not-yet-ready connection is tried again for up to ``CONNECT_RETRY_SECONDS``,
so a restart costs only the requests whose statements were running when it began.

Only opening a connection is retried: no statement has run on it, so nothing can happen
twice. Any other error (a wrong password, an unknown database) is raised at once.
Used as ``ENGINE`` for every ``postgres://`` DATABASE_URL (config/settings/base.py).
"""

from __future__ import annotations

import logging
import time

from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)

CONNECT_RETRY_SECONDS = 10.0
RETRY_INTERVAL = 0.25
# What libpq says while the server is down, stopping or starting.
TRANSIENT = (
    "connection refused",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "server closed the connection unexpectedly",
)


def is_transient(error: Exception) -> bool:
    message = str(error).lower()
    return any(text in message for text in TRANSIENT)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + CONNECT_RETRY_SECONDS
        attempts = 0
        while True:
            try:
                connection = super().get_new_connection(conn_params)
            except base.Database.OperationalError as error:
                attempts += 1
                if not is_transient(error) or time.monotonic() >= deadline:
                    raise
                if attempts == 1:
                    logger.warning("PostgreSQL refused a connection (%s); trying again", str(error).strip())
                time.sleep(RETRY_INTERVAL)
                continue
            if attempts:
                logger.warning("PostgreSQL connected after %d refused attempts", attempts)
            return connection
