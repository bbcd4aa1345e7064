from __future__ import annotations

from django.http import HttpRequest

from .access import scope_for


def access(request: HttpRequest) -> dict:
    """Expose the signed-in user's scope to templates (for menus and masking)."""
    return {"scope": scope_for(getattr(request, "user", None))}
