"""Celery tasks of the notices: thin wrappers over ``notices.delivery``."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.jobs import send

from .delivery import attempt, due_deliveries


class RetryLater(Exception):  # noqa: N818 - reads as what it asks of Celery
    """Raised so that Celery retries the delivery task with its backoff."""


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(RetryLater,),
    retry_backoff=settings.NOTICE_RETRY_BACKOFF,
    retry_backoff_max=settings.NOTICE_RETRY_BACKOFF_MAX,
    retry_jitter=False,
    max_retries=settings.NOTICE_MAX_ATTEMPTS - 1,
)
def deliver(self, delivery_id: int) -> str:
    """Send one delivery (claim → send → mark). A retryable failure is recorded on the row
    and retried by Celery with exponential backoff; run inline (no broker), it is left
    pending for the sweeper instead of blocking the caller with retries."""
    outcome = attempt(delivery_id)
    if outcome.state == "retry" and not self.request.is_eager:
        raise RetryLater(outcome.error)
    return outcome.state


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_due() -> int:
    """Beat entry point (every minute): queue the deliveries whose time has come: after
    quiet hours, retries whose task was lost, claims of workers that died mid-send."""
    due = due_deliveries()
    for delivery_id in due:
        send(deliver, (delivery_id,), {})
    return len(due)
