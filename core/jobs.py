"""Sending Celery tasks from web requests and services: background work that never costs
a user their submission.

``enqueue(task, *args)`` sends a Celery task only once the surrounding transaction has
committed (a worker never sees a row that is later rolled back, and a rolled-back request
sends nothing). If the broker (Redis) cannot be reached, the task runs inline in this
process instead, with a warning in the log: the user's submission is already saved and
its follow-up work is done, late but not lost, and the request never fails with a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Fail over to inline after a short, bounded wait rather than holding the request.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
BROKER_ERRORS = (OperationalError, ConnectionError, OSError)


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue ``task(*args, **kwargs)`` after commit; run it inline if the broker is down."""
    transaction.on_commit(lambda: send(task, args, kwargs))


def send(task: Task, args: tuple, kwargs: dict) -> None:
    if task.app.conf.task_always_eager:
        # No broker configured (make run, the tests): run it now, as Celery's eager mode
        # does, without taking a producer from a broker connection pool.
        task.apply(args=args, kwargs=kwargs)
        return
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        return
    except BROKER_ERRORS as error:
        logger.warning("Task broker unreachable (%s); running %s inline", error, task.name)
    result = task.apply(args=args, kwargs=kwargs)
    if result.failed():
        logger.error("Task %s failed when run inline", task.name, exc_info=result.result)
