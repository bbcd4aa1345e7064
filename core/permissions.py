from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .scope import scope_for


class ScopedAccess(BasePermission):
    """Signed in with a scope to read; writes need a role that may write.

    Which rows exist for the caller is decided by ``visible_to`` in each viewset's
    queryset (so an object out of scope is a 404); whether a write is allowed on a given
    region is decided again by the service the viewset calls.
    """

    message = _("您没有访问权限。")

    def has_permission(self, request, view) -> bool:
        scope = scope_for(request.user)
        if scope.kind == "none":
            return False
        if request.method in SAFE_METHODS:
            return True
        writers = getattr(view, "write_roles", None)
        if writers is not None:
            return scope.kind == "all" or scope.role in writers
        return scope.can_write
