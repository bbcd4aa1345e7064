"""Celery tasks: thin wrappers over evaluations.services, scheduled by django-celery-beat."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.jobs import enqueue
from core.periods import Period
from members.models import Region

from .rollups import KINDS, PERIOD_OF_KIND
from .services import rollup_produce, rollups_due


@shared_task(acks_late=True, reject_on_worker_lost=True)
def produce_rollup(kind: str, period_key: str, region_code: str) -> int:
    """Draft one rollup; a re-run (or a run after a crash) returns the existing draft."""
    period = Period.parse(PERIOD_OF_KIND[kind], period_key)
    rollup, _created = rollup_produce(kind=kind, period=period, region=Region.objects.get(code=region_code))
    return rollup.pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def produce_due_rollups(kind: str) -> list[str]:
    """Beat entry point (daily): draft, for every region of the kind, the latest period
    whose data cut-off (the region's schedule) has come, unless it is drafted already."""
    due = rollups_due(kind, timezone.localdate())
    for region, period in due:
        enqueue(produce_rollup, kind, period.key, region.code)
    return [region.code for region, _period in due]


__all__ = ["KINDS", "produce_due_rollups", "produce_rollup"]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_progress_reminders() -> int:
    """Beat entry point (Fridays): remind leaders whose projects have no report this week."""
    from .reminders import send_progress_reminders as remind

    return len(remind(today=timezone.localdate()))
