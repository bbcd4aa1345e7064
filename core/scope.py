"""The signed-in user's scope and write rule, as the domain defines them.

``core`` imports no app, yet its base views, serializers, permissions and audit pages ask
what a user may see and change (``sees_personal_data``, ``is_staff_role``, may this user
write this row…). The domain module that answers is named by the setting
``ACCESS_RULES`` (``members.access``): the one place where this layer reaches up, by name.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings


def _rules():
    return import_module(settings.ACCESS_RULES)


def scope_for(user: Any) -> Any:
    """The user's scope (``members.access.Scope``)."""
    return _rules().scope_for(user)


def may_write(user: Any, obj: Any = None) -> bool:
    """Whether the user may change ``obj`` (or create rows at all, without one)."""
    return _rules().may_write(user, obj)
