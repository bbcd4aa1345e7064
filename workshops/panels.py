"""The workshops section of the alliance detail page (registered in WorkshopsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Workshop, WorkshopReport
from .months import last_complete_month


def alliance_workshops(alliance: Any, user: Any) -> dict[str, Any]:
    """The alliance's workshops with last month's head-counts, and their totals: two queries."""
    month = last_complete_month(timezone.localdate())
    workshops = (
        Workshop.objects.visible_to(user)
        .filter(alliance=alliance)
        .select_related("region", "steward")
        .with_checklist()
        .with_month_figures(month)
        .order_by("name")
    )
    totals = (
        WorkshopReport.objects.visible_to(user)
        .filter(workshop__alliance=alliance, month=month)
        .aggregate(
            employed=Coalesce(Sum("employed"), 0),
            low_income_employed=Coalesce(Sum("low_income_employed"), 0),
        )
    )
    return {"workshops": list(workshops), "month": month, "totals": totals}
