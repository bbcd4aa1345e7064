"""Friday reminders: every alliance leader with a project under way and no report for the
week gets an in-app notice, and an e-mail when they have an address."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from core.periods import WEEK, Period
from members.models import Notice
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


def send_progress_reminders(*, today: datetime.date) -> list[Notice]:
    """Remind once per leader per week (a re-run sends nothing new)."""
    week = Period.containing(WEEK, today)
    link = reverse("projects:my-work")
    message = _("%(week)s的项目进度尚未填报，请于周日前完成。") % {"week": week.label}
    created = []
    for user in leaders_to_remind(week):
        notice, is_new = Notice.objects.get_or_create(
            user=user,
            kind=Notice.Kind.PROGRESS_REMINDER,
            period_start=week.start,
            defaults={"message": message, "link": link},
        )
        if not is_new:
            continue
        if user.email:
            send_mail(_("党建联盟平台：项目进度填报提醒"), message, settings.DEFAULT_FROM_EMAIL, [user.email])
            Notice.objects.filter(pk=notice.pk).update(emailed=True)
        created.append(notice)
    logger.info("progress reminders: %d sent for %s", len(created), week.key)
    return created
