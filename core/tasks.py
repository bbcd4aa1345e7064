"""Celery tasks of the core, scheduled by django-celery-beat (``manage.py install_schedule``)."""

from __future__ import annotations

from celery import shared_task

from .orphans import remove_orphan_files as remove


@shared_task(acks_late=True)
def remove_orphan_files() -> int:
    """Daily: delete the uploaded files that no row names (core.orphans)."""
    return len(remove())
