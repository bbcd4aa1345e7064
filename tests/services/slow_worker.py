"""The Celery app as a worker under test runs it: optionally, the monthly bulletin is made
slow (and announces its start in a file) so a test can kill the worker in the middle."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from celery.signals import worker_init

from config.celery import app

__all__ = ["app"]


@worker_init.connect
def slow_down_monthly_bulletin(**kwargs) -> None:
    import django

    django.setup()
    from evaluations import reports, rollups  # noqa: F401 - registers the kinds

    delay = float(os.environ.get("SLOW_ROLLUP_SECONDS", "0"))
    marker = os.environ.get("SLOW_ROLLUP_MARKER")
    spec = rollups.KINDS[rollups.MONTHLY_BULLETIN]

    def slow(period, region):
        result = spec.compute(period, region)
        if marker:
            with Path(marker).open("a") as handle:
                handle.write(f"{os.getpid()}\n")
        time.sleep(delay)
        return result

    rollups.KINDS[rollups.MONTHLY_BULLETIN] = dataclasses.replace(spec, compute=slow)
