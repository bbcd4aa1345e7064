"""Sending Celery tasks from web requests and services.

Tasks are sent only after the current transaction commits (a worker must never see a
row that is rolled back). When the broker cannot be reached the work is not lost and the
user gets no error: the task runs inline in this process and a warning is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` with these arguments once the surrounding transaction commits."""
    transaction.on_commit(lambda: _send(task, args, kwargs))


def _send(task: Any, args: tuple, kwargs: dict) -> None:
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning("broker unreachable (%s): running %s inline", exc.__class__.__name__, task.name)
        task.apply(args=args, kwargs=kwargs, throw=True)
