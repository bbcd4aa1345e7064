"""ISO weeks in Asia/Shanghai: a progress report's period is the Monday of its week.

The arithmetic is core.periods.Period's; these are the projects app's words for it.
"Now" is always a parameter with a default, so tests (and rollups) can pin it.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.periods import WEEK, Period


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """The date in the project's time zone (Asia/Shanghai) at ``now`` (default: the real now)."""
    return timezone.localdate(now) if now is not None else timezone.localdate()


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week holding ``day``."""
    return Period.containing(WEEK, day).start


def current_week(today: datetime.date | None = None) -> datetime.date:
    return week_start(today or local_today())


def week_label(monday: datetime.date) -> str:
    """2026年第47周（11月16日–11月22日）"""
    return Period(WEEK, monday).label


def recent_weeks(count: int, *, today: datetime.date | None = None, not_before: datetime.date | None = None):
    """The Mondays of the current week and the ``count - 1`` weeks before it, newest first."""
    this_week = current_week(today)
    weeks = [this_week - datetime.timedelta(weeks=n) for n in range(count)]
    if not_before is not None:
        weeks = [monday for monday in weeks if monday >= week_start(not_before)]
    return weeks
