"""The alliance code each project carries for the list's order.

Project lists are ordered by year (newest first), alliance code and title. The alliance
code lives on another table, and no index can serve a sort on another table's column: a
deep page of the province's 100,000 projects sorted them all. So each project keeps a copy
of its alliance's code (``Project.alliance_code``), indexed with the year and title, kept
equal to the original:

- a project's copy is set from its alliance whenever a project is written, whatever the
  copy the write carried;
- renaming an alliance's code rewrites the copy of each of its projects.

On PostgreSQL two triggers keep the rule, whatever the write (an ORM save, a bulk load, a
raw UPDATE): ``Project.Meta.triggers`` and ``Alliance.Meta.triggers``, declared with
django-pgtrigger and installed by the migrations. Other databases (SQLite, ``make run``'s
default) get no triggers; there the two receivers below keep the rule on every ORM save,
connected in ``ProjectsConfig.ready``. Bulk writes and raw SQL are PostgreSQL's only.
"""

from __future__ import annotations

from django.db import connections


def _has_triggers(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def copy_alliance_code(sender, instance, raw: bool = False, using: str = "default", **kwargs) -> None:
    """``pre_save`` of a project: take its alliance's code (where no trigger does)."""
    if raw or _has_triggers(using):
        return
    from alliances.models import Alliance

    instance.alliance_code = Alliance.objects.using(using).values_list("code", flat=True).get(pk=instance.alliance_id)


def rename_alliance_code(sender, instance, raw: bool = False, using: str = "default", **kwargs) -> None:
    """``post_save`` of an alliance: give its projects its code (where no trigger does)."""
    if raw or _has_triggers(using):
        return
    from .models import Project

    Project.objects.using(using).filter(alliance_id=instance.pk).exclude(alliance_code=instance.code).update(
        alliance_code=instance.code
    )
