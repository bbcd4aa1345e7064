"""``{{ report.reviewed_by|who }}``: who did something, by name (:func:`core.users.user_label`)."""

from __future__ import annotations

from django import template

from core.users import user_label

register = template.Library()


@register.filter
def who(user) -> str:
    return user_label(user)
