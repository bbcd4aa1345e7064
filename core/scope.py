"""The signed-in user's scope, as the domain defines it.

``core`` imports no app, yet its base views, serializers, permissions and audit pages ask
what a user may see (``sees_personal_data``, ``is_staff_role``, …). The domain's function
that answers is named by the setting ``SCOPE_FOR`` (``members.access.scope_for``): the one
place where this layer reaches up, by name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def scope_for(user: Any) -> Any:
    return import_string(settings.SCOPE_FOR)(user)
