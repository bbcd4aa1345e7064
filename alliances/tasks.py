"""Celery tasks of the alliances: thin wrappers, scheduled by django-celery-beat."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_meetings_due() -> int:
    """Beat entry point (daily): remind leaders of the "三会" meetings falling due."""
    from .reminders import notify_meetings_due

    return len(notify_meetings_due(today=timezone.localdate()))
