"""Template helpers of the list pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def filters_chosen(form) -> bool:
    """Whether the user chose a value in one of the filter form's visible fields: the form
    then opens on the page. A page number, or a filter the page offers as a tab (a hidden
    field), leaves it folded."""
    return form.is_bound and any(form.data.get(field.html_name) not in (None, "") for field in form.visible_fields())
