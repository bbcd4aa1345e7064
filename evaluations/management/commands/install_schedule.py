"""Install (or refresh) the django-celery-beat schedule, in Asia/Shanghai.

- weekly dispatch: Mondays 06:00
- monthly bulletin: the 1st of each month 06:00
- quarterly observation: the first day of each quarter 06:00
- annual review: 10 January 06:00
- progress reminders: Fridays at REMINDER_TIME (default 15:00)
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from ...rollups import ANNUAL_REVIEW, MONTHLY_BULLETIN, QUARTERLY_OBSERVATION, WEEKLY_DISPATCH

ROLLUP_SCHEDULE = {
    WEEKLY_DISPATCH: {"minute": "0", "hour": "6", "day_of_week": "1", "day_of_month": "*", "month_of_year": "*"},
    MONTHLY_BULLETIN: {"minute": "0", "hour": "6", "day_of_week": "*", "day_of_month": "1", "month_of_year": "*"},
    QUARTERLY_OBSERVATION: {
        "minute": "0",
        "hour": "6",
        "day_of_week": "*",
        "day_of_month": "1",
        "month_of_year": "1,4,7,10",
    },
    ANNUAL_REVIEW: {"minute": "0", "hour": "6", "day_of_week": "*", "day_of_month": "10", "month_of_year": "1"},
}


def crontab(**fields: str) -> CrontabSchedule:
    schedule, _created = CrontabSchedule.objects.get_or_create(timezone=settings.TIME_ZONE, **fields)
    return schedule


def reminder_crontab() -> dict[str, str]:
    hour, minute = settings.REMINDER_TIME.split(":")
    return {
        "minute": str(int(minute)),
        "hour": str(int(hour)),
        "day_of_week": settings.REMINDER_DAY_OF_WEEK,
        "day_of_month": "*",
        "month_of_year": "*",
    }


def install() -> list[PeriodicTask]:
    tasks = []
    reminder, _created = PeriodicTask.objects.update_or_create(
        name="reminders:progress",
        defaults={
            "task": "evaluations.tasks.send_progress_reminders",
            "crontab": crontab(**reminder_crontab()),
            "args": "[]",
            "enabled": True,
        },
    )
    tasks.append(reminder)
    for kind, fields in ROLLUP_SCHEDULE.items():
        task, _created = PeriodicTask.objects.update_or_create(
            name=f"rollup:{kind}",
            defaults={
                "task": "evaluations.tasks.produce_due_rollups",
                "crontab": crontab(**fields),
                "args": json.dumps([kind]),
                "enabled": True,
            },
        )
        tasks.append(task)
    return tasks


class Command(BaseCommand):
    help = "Install the Celery beat schedule for rollups and reminders (Asia/Shanghai)."

    def handle(self, *args: Any, **options: Any) -> None:
        for task in install():
            self.stdout.write(f"{task.name:32} {task.crontab}")
