from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from .models import Notice


def bell(request: HttpRequest) -> dict:
    """The bell's unread count: one query, made only when a page shows the bell."""
    user = getattr(request, "user", None)

    @cache
    def unread() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        return Notice.objects.visible_to(user).unread().count()

    return {"unread_notices": unread}
