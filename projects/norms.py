"""The project-list item of the alliance's "3+X" norm (registered from ProjectsConfig.ready())."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import Project, ProjectStatus


def check_project_list(alliance, today: datetime.date) -> tuple[bool, str]:
    """Met when the alliance has a project list for this year (projects not cancelled)."""
    counts = Project.objects.filter(alliance=alliance, year=today.year).aggregate(
        listed=Count("pk", filter=~Q(status=ProjectStatus.CANCELLED)),
        under_way=Count("pk", filter=Q(status__in=[ProjectStatus.IN_PROGRESS, ProjectStatus.DELAYED])),
    )
    if not counts["listed"]:
        return False, _("%(year)s年尚未建立项目清单。") % {"year": today.year}
    return True, _("%(year)s年项目清单 %(listed)s 项，其中推进中 %(under_way)s 项。") % {
        "year": today.year,
        "listed": counts["listed"],
        "under_way": counts["under_way"],
    }
