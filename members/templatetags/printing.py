"""The header a page carries on paper: title, region, period, version and the date produced.

A rollup prints its own region, period, version (第N版 / 草稿) and production time. A list
prints the region and period its filters chose (the user's own region and 全部 when none
is chosen) and the moment it was printed.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.access import scope_for
from members.models import Region

register = template.Library()

# Date filters of the list pages, by the end of the period they bound.
PERIOD_FROM = ("period_from", "held_after")
PERIOD_TO = ("period_to", "held_before")
PERIOD_EXACT = ("period",)


def _chosen(filterset) -> dict:
    if filterset is None or not filterset.form.is_bound or not filterset.is_valid():
        return {}
    return {key: value for key, value in filterset.form.cleaned_data.items() if value not in (None, "", [])}


def _text(value) -> str:
    return date_format(value) if isinstance(value, datetime.date) else str(value)


def _list_region(chosen: dict, user) -> str:
    region = chosen.get("region")
    if isinstance(region, Region):
        return region.name
    scope = scope_for(user)
    if scope.region_id:
        return Region.objects.filter(pk=scope.region_id).values_list("name", flat=True).first() or ""
    return _("全部区域")


def _list_period(chosen: dict) -> str:
    exact = next((chosen[key] for key in PERIOD_EXACT if key in chosen), None)
    if exact is not None:
        return _text(exact)
    start = next((chosen[key] for key in PERIOD_FROM if key in chosen), None)
    end = next((chosen[key] for key in PERIOD_TO if key in chosen), None)
    if start is not None and end is not None:
        return _("%(start)s 至 %(end)s") % {"start": _text(start), "end": _text(end)}
    if start is not None:
        return _("%(start)s 起") % {"start": _text(start)}
    if end is not None:
        return _("截至 %(end)s") % {"end": _text(end)}
    return _("全部")


@register.simple_tag(takes_context=True)
def print_facts(context) -> dict:
    """``region``, ``period``, ``version`` (rollups only) and ``produced`` of the page."""
    rollup = context.get("rollup")
    if rollup is not None:
        return {
            "region": rollup.region.name,
            "period": rollup.period.label,
            "version": rollup.state_label,
            "produced": timezone.localtime(rollup.produced_at),
        }
    request = context.get("request")
    chosen = _chosen(context.get("filter"))
    return {
        "region": _list_region(chosen, getattr(request, "user", None)),
        "period": _list_period(chosen),
        "version": "",
        "produced": timezone.localtime(),
    }
