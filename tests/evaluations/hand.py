"""Counts worked out by hand from raw rows, shared by the tests that check a figure a second way."""

from __future__ import annotations

from alliances.models import Alliance
from core.periods import Period


def assessed_by_hand(period: Period, prefix: str) -> set[int]:
    """The alliances led from under the region code ``prefix`` that the period assesses, read
    from their history rows: founded by its last day, and not forming or dissolved by the
    latest change before its end (without one, as they are today)."""
    assessed = set()
    for alliance in Alliance.objects.select_related("lead_region"):
        if not alliance.lead_region.code.startswith(prefix) or alliance.founded_on >= period.end:
            continue
        rows = list(Alliance.history.filter(id=alliance.pk).order_by("history_date").values("history_date", "status"))
        before = [row["status"] for row in rows if row["history_date"] < period.end_at]
        then = before[-1] if before else alliance.status
        if then not in ("forming", "dissolved"):
            assessed.add(alliance.pk)
    return assessed
