from __future__ import annotations

from django.http import HttpRequest

from .access import scope_for
from .models import Notice


def access(request: HttpRequest) -> dict:
    """Expose the signed-in user's scope (for menus and masking) and their unread notices."""
    user = getattr(request, "user", None)
    notices = Notice.objects.visible_to(user).unread()[:5] if getattr(user, "is_authenticated", False) else []
    return {"scope": scope_for(user), "notices": notices}
