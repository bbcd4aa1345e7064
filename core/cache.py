"""A Redis cache that fails soft: while Redis cannot be reached, requests go on.

Django's own ``RedisCache`` raises ``redis.ConnectionError`` from every call while Redis is
down, and every request that reads the cache (the session, a rate limit) answers 500.
:class:`FailSoftRedisCache` is that backend with one change: a call that cannot reach
Redis (refused, timed out) is logged and answered by the alias's fallback instead.

- ``"FALLBACK": "local"`` (the default alias): this process's own memory, a
  ``LocMemCache``. Rate limits (API tokens, SMS codes) and the submit-once tokens of
  forms keep working per process until Redis is back, then go on in Redis.
- ``"FALLBACK": "none"`` (the sessions' alias): every read misses and every write is
  dropped. Sessions are written through to the database (``cached_db``), so a miss reads
  the session back from PostgreSQL: nobody is signed out. A per-process copy must never
  hold sessions (a log-out in one process would not reach the others).

After a failure the process stops trying Redis for ``RETRY_AFTER`` seconds (default 5),
so an outage costs each process one refused connection every few seconds, not one per
call. With ``"PURGE_ON_RECOVERY": True`` (the sessions' alias, which has a key prefix of
its own), the first call after an outage first deletes every key of the alias: writes
and deletions dropped while Redis was down (a log-out, a changed session) must not leave
an older copy in Redis to be read again. Only this alias's keys are deleted; the sessions
are then read from the database once each and cached again.

Configured by ``CACHE_URL`` in ``config/settings/base.py``; tests in
tests/core/test_faults_redis.py.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
FALLBACKS = ("local", "none")


class FailSoftRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.fallback = options.pop("FALLBACK", "local")
        if self.fallback not in FALLBACKS:
            raise ValueError(f"FALLBACK must be one of {FALLBACKS}, got {self.fallback!r}")
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        self.purge_on_recovery = bool(options.pop("PURGE_ON_RECOVERY", False))
        params["OPTIONS"] = options
        super().__init__(server, params)
        if self.purge_on_recovery and not self.key_prefix:
            raise ValueError("PURGE_ON_RECOVERY needs a KEY_PREFIX of the alias's own")
        self.local = LocMemCache(f"fail-soft-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0

    # ------------------------------------------------------------------ the switch

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def _redis_usable(self) -> bool:
        if self._down_since is None:
            return True
        if time.monotonic() < self._retry_at:
            return False
        # Time to try again: before anything is read, forget what the outage left behind.
        try:
            if self.purge_on_recovery:
                self._purge()
            else:
                self._cache.get_client().ping()
        except UNREACHABLE:
            self._retry_at = time.monotonic() + self.retry_after
            return False
        with self._lock:
            down_for = time.monotonic() - self._down_since
            self._down_since = None
        logger.warning("Cache %s reachable again after %.0f s", self._cache._servers[0], down_for)
        return True

    def _purge(self) -> None:
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=500):
            batch.append(key)
            if len(batch) == 500:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)

    def _failed(self, error: Exception) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self.retry_after
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        fallback = "this process's memory" if self.fallback == "local" else "no cache"
        logger.warning("Cache %s unreachable (%s); using %s", self._cache._servers[0], error, fallback)

    def _call(self, name: str, *args: Any, missed: Any = None, **kwargs: Any) -> Any:
        if self._redis_usable():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                self._failed(error)
        if self.fallback == "local":
            return getattr(self.local, name)(*args, **kwargs)
        return missed

    # -------------------------------------------------------------- the cache API

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version, missed=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version, missed=False)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version, missed=False)

    def delete(self, key, version=None):
        return self._call("delete", key, version, missed=False)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version, missed=False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call("incr", key, delta, version, missed=missing)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version, missed={})

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version, missed=list(data))

    def delete_many(self, keys, version=None):
        self._call("delete_many", keys, version)

    def clear(self):
        self.local.clear()
        return self._call("clear", missed=False)
