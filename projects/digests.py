"""The daily digest for county staff: how many progress reports wait for their review."""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _

from members.access import Role
from members.models import Region
from notices.models import Event, Notice
from notices.services import notify

from .models import ProgressReport, ReportStatus

logger = logging.getLogger(__name__)


def waiting_by_county() -> dict[str, int]:
    """Reports waiting for review, counted by the county (its 6-digit code prefix) of the
    project's alliance: one grouped query."""
    rows = (
        ProgressReport.objects.filter(status=ReportStatus.SUBMITTED)
        .annotate(county=Substr("project__alliance__lead_region__code", 1, 6))
        .values("county")
        .annotate(waiting=Count("pk"))
        .order_by("county")
    )
    return {row["county"]: row["waiting"] for row in rows}


def notify_reports_waiting(*, today: datetime.date) -> list[Notice]:
    """Tell each county's staff, once a day, how many reports wait in their review queue."""
    counts = waiting_by_county()
    if not counts:
        return []
    counties = Region.objects.filter(code__in=[prefix.ljust(12, "0") for prefix in counts], level="county")
    staff = get_user_model().objects.filter(
        is_active=True, access_profile__role=Role.COUNTY_STAFF, access_profile__region__in=counties
    )
    by_county: dict[str, list[int]] = {}
    for user_id, code in staff.values_list("pk", "access_profile__region__code"):
        by_county.setdefault(code[:6], []).append(user_id)
    regions = {region.code[:6]: region for region in counties}
    created: list[Notice] = []
    for prefix, users in sorted(by_county.items()):
        waiting = counts[prefix]
        created += notify(
            event=Event.REPORTS_WAITING_REVIEW,
            recipients=users,
            key=f"{prefix}-{today.isoformat()}",
            title=_("%(region)s有 %(count)d 份项目进度报告待审核。")
            % {"region": regions[prefix].name, "count": waiting},
            link=reverse("projects:review-queue"),
            region=regions[prefix],
        )
    logger.info("review digests: %d sent", len(created))
    return created
