"""Shared set-up for the benchmark scripts: Django on the database of DATABASE_URL (a
PostgreSQL loaded with ``manage.py seed_demo --scale county|province``), DEBUG off."""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "false")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database loaded with seed_demo --scale county|province.")
    import django

    django.setup()


def data_day(as_of: str | None = None) -> datetime.date:
    """The day the benchmarks take "the last complete week, month, quarter, year" from:
    ``as_of`` (``YYYY-MM-DD``) if given, else the Monday after the newest progress report's
    week. ``seed_demo`` writes reports up to the last complete week before the day it runs
    (and workshop reports up to the month before), so by default the rollups cover the
    seeded weeks and months whatever today's date: timed against today, the weekly
    dispatch of a database seeded a week earlier would cover a week without reports."""
    if as_of:
        return datetime.date.fromisoformat(as_of)
    from django.db.models import Max

    from projects.models import ProgressReport

    newest = ProgressReport.objects.aggregate(newest=Max("period"))["newest"]
    if newest is None:
        sys.exit("The database holds no progress reports: load it with seed_demo --scale county|province.")
    return newest + datetime.timedelta(days=7)


# Pairs are repeated until both sides have run this long in all (and at least ``repeat``
# times): a county's rollups take 10 to 120 ms, and five of them moved the median by a
# quarter from one run of the script to the next on a shared 2 vCPU machine.
MIN_SECONDS = 3.0


def timed_pair(
    first: Callable[[], object], second: Callable[[], object], repeat: int = 3, min_seconds: float = MIN_SECONDS
) -> tuple[float, float]:
    """Median wall times of two functions run alternately (after one warm-up run of each),
    so that the machine's drift weighs on both alike: ``repeat`` times each, or more until
    the two have taken ``min_seconds`` together."""
    first()
    second()
    runs: tuple[list[float], list[float]] = ([], [])
    spent = 0.0
    while len(runs[0]) < repeat or spent < min_seconds:
        for function, times in zip((first, second), runs, strict=True):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
            spent += times[-1]
    return statistics.median(runs[0]), statistics.median(runs[1])


def timed(function: Callable[[], object], repeat: int = 3, min_seconds: float = MIN_SECONDS) -> float:
    """Median wall time of ``function`` (after one warm-up run): ``repeat`` runs, or more
    until they have taken ``min_seconds`` together."""
    function()
    times: list[float] = []
    while len(times) < repeat or sum(times) < min_seconds:
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    cells = [header] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                cell.rjust(width) if i else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))
