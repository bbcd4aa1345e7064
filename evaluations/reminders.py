"""Friday reminders: every alliance leader with a project under way and no report for the
week is notified (``notices.services.notify``: the bell, and the channels they chose)."""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from core.periods import WEEK, Period
from notices.models import Event, Notice
from notices.services import notify
from projects.models import ACTIVE_STATUSES, ProgressReport, Project

logger = logging.getLogger(__name__)


def leaders_to_remind(week: Period):
    """Users holding an open leader role of an alliance with a project under way that has
    no report for the week."""
    unreported = Project.objects.filter(
        alliance__team_roles__person__user=OuterRef("pk"),
        alliance__team_roles__role="leader",
        alliance__team_roles__ended_on__isnull=True,
        status__in=ACTIVE_STATUSES,
    ).exclude(Exists(ProgressReport.objects.filter(project=OuterRef("pk"), period=week.start)))
    return get_user_model().objects.filter(is_active=True).filter(Exists(unreported)).order_by("pk")


def reminder_key(week: Period) -> str:
    """The occurrence key of a week's reminder: the week's Monday (the dispatch reads it)."""
    return week.start.isoformat()


def send_progress_reminders(*, today: datetime.date) -> list[Notice]:
    """Remind once per leader per week (a re-run sends nothing new)."""
    week = Period.containing(WEEK, today)
    created = notify(
        event=Event.PROGRESS_REMINDER,
        recipients=leaders_to_remind(week),
        key=reminder_key(week),
        title=_("%(week)s的项目进度尚未填报，请于周日前完成。") % {"week": week.label},
        link=reverse("projects:my-work"),
    )
    logger.info("progress reminders: %d sent for %s", len(created), week.key)
    return created
