from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import date_format
from django.utils.translation import gettext

from core.templatetags.lists import wan
from evaluations.reports import definition
from evaluations.texts import YUAN_SUFFIXES, stored_text, week_text

register = template.Library()


# A label, title or value a rollup stored, in the page's language (evaluations.texts).
register.filter("stored_text", stored_text)


# 万元, as every page shows money outside forms and files (core's list helpers).
register.filter("wan", wan)


@register.filter
def report_value(value, type_: str) -> str:
    """Format one figure of a rollup report or the dashboard by its declared type."""
    if value is None or value == "":
        return "—"
    if type_ == "money":
        return wan(value)
    if type_ in {"percent", "decimal"}:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if type_ == "percent":
            return f"{number}%"
        return intcomma(f"{number:.2f}")
    if type_ == "int":
        return intcomma(value)
    if type_ == "date":
        try:
            return date_format(datetime.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if type_ == "week":
        return week_text(value)
    return stored_text(value)


@register.filter
def unit_label(label, type_: str) -> str:
    """A figure's or column's label, in the page's language, with the unit its value is
    shown in: 万元 for money."""
    label = stored_text(label)
    if type_ != "money":
        return label
    for suffix in YUAN_SUFFIXES:
        label = label.removesuffix(suffix)
    return label + gettext("（万元）")


@register.filter
def legend(key: str, kind: str) -> str:
    """The definition (统计口径) of a rollup's table or summary figure ``key``, "" if none."""
    return str(definition(kind, key) or "")


@register.filter
def zip_columns(row, columns):
    return zip(row, columns, strict=False)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, [])


# What a table's rows may link to: the model whose visible_to decides, and the page.
LINKABLE = {
    "project": ("projects", "Project", "projects:detail"),
    "organization": ("members", "MemberOrganization", "members:organization-detail"),
    "item": ("tracking", "TrackedItem", "tracking:detail"),
}


@register.simple_tag(takes_context=True)
def querystring_for(context, key: str, value) -> str:
    """The page's query string with ``key`` set to ``value`` (a table's page number),
    keeping the rest (the county shown, the other tables' pages)."""
    query = context["request"].GET.copy()
    query[key] = str(value)
    return "?" + query.urlencode()


@register.filter
def index_of(values, position: int):
    return values[position]
