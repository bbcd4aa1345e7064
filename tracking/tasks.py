"""Celery tasks of tracked items, scheduled by django-celery-beat (install_schedule)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import escalate_overdue


@shared_task(acks_late=True, reject_on_worker_lost=True)
def escalate_overdue_items() -> list[int]:
    """Beat entry point (daily): escalate the items past their deadline to the county's
    staff, once per deadline (a re-run escalates nothing twice)."""
    return escalate_overdue(today=timezone.localdate())
