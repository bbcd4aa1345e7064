"""Tracked items shown on the pages of the apps below this one (a report's coordination
request, a need, a department): those pages load these tags by name and never import
this app."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ..models import WITH_DEPARTMENT, Bucket, EventAction, ItemState, TrackedItem
from ..services import may_confirm, may_raise

register = template.Library()
DEPARTMENT_ITEMS = 20


def _panel(context, items, *, alliance, source: str, pk: int) -> dict:
    user = context["request"].user
    tracked = item_rows_for(items.visible_to(user)).first()
    if tracked is not None:
        tracked.last_answer = (
            tracked.events.filter(action__in=[EventAction.REPLIED, EventAction.HANDLED]).order_by("-at", "-pk").first()
        )
        return {"tracked": tracked, "may_confirm": may_confirm(user, tracked)}
    if may_raise(user, alliance):
        return {"raise_url": f"{reverse('tracking:raise')}?{urlencode({source: pk})}"}
    return {}


def item_rows_for(queryset):
    return queryset.with_bucket(timezone.localdate()).select_related("assignee")


@register.inclusion_tag("tracking/_item_panel.html", takes_context=True)
def report_item(context, report) -> dict:
    """The item a report's coordination request became, or the button that makes it one."""
    if not report.needs_coordination:
        return {}
    return _panel(
        context,
        TrackedItem.objects.filter(report=report),
        alliance=report.project.alliance,
        source="report",
        pk=report.pk,
    )


@register.inclusion_tag("tracking/_item_panel.html", takes_context=True)
def need_item(context, need) -> dict:
    """The item a need became, or the button that makes it one."""
    return _panel(context, TrackedItem.objects.filter(need=need), alliance=need.alliance, source="need", pk=need.pk)


@register.inclusion_tag("tracking/_department_items.html", takes_context=True)
def department_items(context, department) -> dict:
    """A department's items the user may see: how many in each of the item list's buckets
    (each count a link to that list, which shows the same number), the open ones first,
    then the latest."""
    user = context["request"].user
    items = TrackedItem.objects.visible_to(user).filter(assignee=department)
    counted = items.bucket_counts(timezone.localdate())
    url = reverse("tracking:list")
    buckets = [
        {
            "label": label,
            "count": counted.get(value, 0),
            "url": f"{url}?{urlencode({'department': department.pk, 'bucket': value})}",
        }
        for value, label in Bucket.choices
    ]
    rows = (
        item_rows_for(items)
        .select_related("alliance")
        .order_by("-is_overdue", F("handled_at").asc(nulls_first=True), "deadline", "pk")
    )
    return {"department": department, "buckets": buckets, "items": rows[:DEPARTMENT_ITEMS]}


@register.inclusion_tag("tracking/_items_to_confirm.html", takes_context=True)
def items_to_confirm(context) -> dict:
    """A leader's items the department has handled, waiting for them to confirm or reopen,
    and their items still with a department (to follow)."""
    user = context["request"].user
    items = TrackedItem.objects.visible_to(user).select_related("assignee", "alliance")
    return {
        "waiting": list(items.filter(state=ItemState.HANDLED).order_by("handled_at", "pk")),
        "open_count": items.filter(state__in=WITH_DEPARTMENT).count(),
    }
