from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def report_value(value, type_: str) -> str:
    """Format one figure of a rollup report by its declared type."""
    if value is None or value == "":
        return "—"
    if type_ in {"money", "percent", "decimal"}:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if type_ == "percent":
            return f"{number}%"
        return intcomma(f"{number:.2f}")
    if type_ == "int":
        return intcomma(value)
    return str(value)


@register.filter
def zip_columns(row, columns):
    return zip(row, columns, strict=False)
