"""Template helpers of the list pages."""

from __future__ import annotations

import datetime

from django import template

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
