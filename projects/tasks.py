"""Celery tasks of the projects: thin wrappers, scheduled by django-celery-beat."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_review_digest() -> int:
    """Beat entry point (daily): tell county staff how many reports wait for review."""
    from .digests import notify_reports_waiting

    return len(notify_reports_waiting(today=timezone.localdate()))
