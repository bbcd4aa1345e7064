"""Who is on the other end of a request: the client address behind our reverse proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the log-in lock-out (django-axes) counts failures by it.

    With ``TRUSTED_PROXY_COUNT = 0`` it is the socket address. Behind N proxies of our own,
    each of which appends the address it received the request from to X-Forwarded-For,
    the client is the N-th entry from the right: entries further left were written by the
    client itself and could be anything, so they are never trusted. A request that did
    not come through all N proxies (too short a header) falls back to the socket address.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
