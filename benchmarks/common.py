"""Shared set-up for the benchmark scripts: Django on the database of DATABASE_URL (a
PostgreSQL loaded with ``manage.py seed_demo --scale county|province``), DEBUG off."""

from __future__ import annotations

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


def timed_pair(first: Callable[[], object], second: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """Median wall times of two functions run alternately ``repeat`` times each (after one
    warm-up run of each), so that the machine's drift weighs on both alike."""
    first()
    second()
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for function, times in zip((first, second), runs, strict=True):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return statistics.median(runs[0]), statistics.median(runs[1])


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
