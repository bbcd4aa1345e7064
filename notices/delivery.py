"""Sending one delivery exactly once: claim, send, mark.

1. ``claim`` locks the row (``SELECT … FOR UPDATE SKIP LOCKED``) and moves it from
   ``pending`` to ``sending`` with ``claimed_at`` and one more attempt, then commits: a
   second worker given the same delivery finds it locked or no longer pending and does
   nothing.
2. The channel sends it with the delivery's ``out_id``.
3. ``mark_sent`` / ``mark_failed`` record the outcome, only if this worker's claim still
   holds (compare-and-set on ``claimed_at``).

A worker that dies between 1 and 3 leaves the row ``sending``: once its lease
(``NOTICE_SENDING_LEASE`` seconds, far longer than any send may take) has expired, the
next attempt (Celery redelivers the unacknowledged task; the sweeper enqueues it too) may
claim it again. See the README for what each channel guarantees in that window.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .channels import DeliveryError, sender_for
from .models import QUIET_CHANNELS, Delivery, DeliveryState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    state: str  # sent, retry, failed, or "none": nothing to do (sent, claimed elsewhere, not due)
    retry_in: int | None = None
    error: str = ""


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTICE_SENDING_LEASE)


def claimable(now: datetime.datetime) -> Q:
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    return Q(state=DeliveryState.PENDING) & due | Q(state=DeliveryState.SENDING, claimed_at__lt=now - lease())


def claim(delivery_id: int, *, now: datetime.datetime | None = None) -> Delivery | None:
    """Take the delivery for this worker, or None when it is not for us to send."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notice__recipient__person")
            .filter(claimable(now), pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        delivery.state = DeliveryState.SENDING
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.save(update_fields=["state", "claimed_at", "attempts"])
    return delivery


def backoff(attempts: int) -> int:
    """Seconds before the next attempt after ``attempts`` failed ones (as Celery's retry_backoff)."""
    return get_exponential_backoff_interval(
        factor=settings.NOTICE_RETRY_BACKOFF,
        retries=attempts - 1,
        maximum=settings.NOTICE_RETRY_BACKOFF_MAX,
        full_jitter=False,
    )


def mark_sent(delivery: Delivery) -> bool:
    done = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING, claimed_at=delivery.claimed_at).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), last_error=""
    )
    if not done:
        logger.warning("delivery %s: sent, but its claim had been taken over", delivery.pk)
    return bool(done)


def next_attempt_at(delivery: Delivery, at: datetime.datetime) -> datetime.datetime:
    """``at``, or the end of the recipient's quiet hours when a retry would fall in them."""
    if delivery.channel not in QUIET_CHANNELS:
        return at
    from .services import quiet_hours_for, quiet_until

    user = delivery.notice.recipient
    return quiet_until(quiet_hours_for([user])[user.pk], at) or at


def mark_failed(delivery: Delivery, error: DeliveryError) -> Outcome:
    """Back to pending for a later attempt, or failed for good (permanent error, or the
    last attempt), with the reason."""
    reason = str(error)[:2000] or type(error).__name__
    final = not error.retry or delivery.attempts >= settings.NOTICE_MAX_ATTEMPTS
    retry_in = None if final else backoff(delivery.attempts)
    fields = {"last_error": reason, "state": DeliveryState.FAILED if final else DeliveryState.PENDING}
    if retry_in is not None:
        fields["not_before"] = next_attempt_at(delivery, timezone.now() + datetime.timedelta(seconds=retry_in))
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING, claimed_at=delivery.claimed_at).update(
        **fields
    )
    logger.warning("delivery %s (%s) attempt %d failed: %s", delivery.pk, delivery.channel, delivery.attempts, reason)
    return Outcome("failed" if final else "retry", retry_in, reason)


def attempt(delivery_id: int) -> Outcome:
    """One attempt: claim, send, record. Never raises for a channel's failure."""
    delivery = claim(delivery_id)
    if delivery is None:
        return Outcome("none")
    try:
        sender_for(delivery.channel).send(delivery)
    except DeliveryError as error:
        return mark_failed(delivery, error)
    mark_sent(delivery)
    return Outcome("sent")


def due_deliveries(now: datetime.datetime | None = None, *, grace: int = 60) -> list[int]:
    """Deliveries to (re)enqueue: pending ones whose time has come (quiet hours ended, a
    retry whose task was lost) and stale claims of dead workers. ``grace`` seconds keep
    the sweeper from racing a retry that Celery is about to run."""
    now = now or timezone.now()
    late = now - datetime.timedelta(seconds=grace)
    pending = Q(state=DeliveryState.PENDING) & (
        Q(not_before__lte=late) | Q(not_before__isnull=True, created_at__lte=late)
    )
    stale = Q(state=DeliveryState.SENDING, claimed_at__lt=now - lease())
    return list(Delivery.objects.filter(pending | stale).order_by("pk").values_list("pk", flat=True)[:1000])
