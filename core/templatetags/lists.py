"""Template helpers of the list pages."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from core.periods import WEEK, Period

register = template.Library()


@register.filter
def filters_chosen(form) -> bool:
    """Whether the user chose a value in one of the filter form's visible fields: the form
    then opens on the page. A page number, or a filter the page offers as a tab (a hidden
    field), leaves it folded."""
    return form.is_bound and any(form.data.get(field.html_name) not in (None, "") for field in form.visible_fields())


@register.filter
def week(monday: datetime.date | None) -> str:
    """The week starting ``monday`` as a table shows it: 第47周（11.16–11.22）; "" for none."""
    return Period(WEEK, monday).short_label if monday else ""


TEN_THOUSAND = Decimal(10000)


@register.filter
def wan(value) -> str:
    """An amount in yuan shown in 万元 (ten thousand yuan) with two decimals, rounded half
    up and grouped: 60959800 → "6,095.98". Rollups, dashboards and a list's totals show
    money this way; forms and Excel files keep yuan."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return intcomma(f"{(amount / TEN_THOUSAND).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}")
