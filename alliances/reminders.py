"""Reminders of the "三会" rhythm: an alliance whose current month, quarter or year ends
soon without its 月度碰头会, 季度专题会 or 年度述职会 is reminded, once per meeting
period, through its leader(s) (``notices.services.notify``)."""

from __future__ import annotations

import datetime
import logging

from django.utils.translation import gettext as _

from notices.models import Event, Notice
from notices.services import notify

from .models import Alliance, AllianceStatus, MeetingKind
from .rhythm import rhythm_for
from .services import team_user_ids

logger = logging.getLogger(__name__)

# Days before the end of its period that a meeting not yet held is "falling due".
DUE_WITHIN = {MeetingKind.MONTHLY: 7, MeetingKind.QUARTERLY: 14, MeetingKind.ANNUAL: 30}


def meetings_due(today: datetime.date) -> list[tuple[Alliance, str, datetime.date]]:
    """``(alliance, kind, period's last day)`` of each meeting falling due: the period began
    after the alliance was founded, ends within ``DUE_WITHIN`` days, and has no meeting."""
    alliances = list(
        Alliance.objects.filter(status__in=[AllianceStatus.ACTIVE, AllianceStatus.RECTIFYING])
        .select_related("lead_region")
        .order_by("pk")
    )
    due = []
    rhythms = rhythm_for(alliances, today=today)
    for alliance in alliances:
        for kind in rhythms[alliance.pk].kinds:
            current = kind.current
            if kind.current_held or current.start < alliance.founded_on:
                continue
            if (current.last_day - today).days < DUE_WITHIN[kind.kind]:
                due.append((alliance, kind.kind, current.last_day))
    return due


def notify_meetings_due(*, today: datetime.date) -> list[Notice]:
    created: list[Notice] = []
    for alliance, kind, last_day in meetings_due(today):
        label = MeetingKind(kind).label
        created += notify(
            event=Event.MEETING_DUE,
            recipients=team_user_ids([alliance.pk]),
            key=f"alliance-{alliance.pk}-{kind}-{last_day.isoformat()}",
            title=_("%(alliance)s本期的%(meeting)s尚未召开，请于%(date)s前召开并登记。")
            % {"alliance": alliance.name, "meeting": label, "date": last_day.isoformat()},
            link=alliance.get_absolute_url(),
            region=alliance.lead_region,
        )
    logger.info("meeting reminders: %d sent", len(created))
    return created
