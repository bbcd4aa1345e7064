"""Template helpers for the projects pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value: Decimal | int | None) -> str:
    """1234567.5 → "1,234,567.50" (money is shown with thousands separators and two decimals)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
