"""The "projects of this year" section of the alliance detail page."""

from __future__ import annotations

from typing import Any

from .models import Project
from .weeks import local_today


def alliance_projects(alliance: Any, user: Any) -> dict:
    """The alliance's projects of the current year, with status, percent complete and the
    late and silent flags: one query, whatever the number of projects."""
    today = local_today()
    projects = list(
        Project.objects.visible_to(user)
        .filter(alliance=alliance, year=today.year)
        .for_lists(today)
        .order_by("due_on", "title")
    )
    return {"projects": projects, "year": today.year}
