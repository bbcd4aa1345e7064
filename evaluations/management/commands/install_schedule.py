"""Install (or refresh) the django-celery-beat schedule, in Asia/Shanghai.

- rollup drafts: every day at 06:00, one task per kind; each drafts the rollups whose
  data cut-off (RollupSchedule, per region; by default the dispatch on Monday, the bulletin
  on the 5th, the observation on the 10th after the quarter, the review on 15 January)
  has come and that are not drafted yet
- progress reminders: Fridays at REMINDER_TIME (default 15:00)
- notices: the review digest for county staff every day at 08:30, the "三会" meetings
  falling due every day at 09:00, and every minute the sweeper that queues deliveries
  whose time has come (after quiet hours, a lost retry, a worker that died mid-send)
- stored files that no row names (left by a request that died mid-upload): removed every
  day at 03:00 (core.orphans)
- tracked items: every day at 07:00, the items past their deadline are escalated to the
  county's staff
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from ...rollups import ANNUAL_REVIEW, MONTHLY_BULLETIN, QUARTERLY_OBSERVATION, WEEKLY_DISPATCH

DAILY = {"minute": "0", "hour": "6", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
EVERY_MINUTE = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
NOTICE_SCHEDULE = {
    "notices:review-digest": ("projects.tasks.send_review_digest", DAILY | {"minute": "30", "hour": "8"}),
    "notices:meetings-due": ("alliances.tasks.remind_meetings_due", DAILY | {"hour": "9"}),
    "notices:deliver-due": ("notices.tasks.deliver_due", EVERY_MINUTE),
}
NIGHTLY = DAILY | {"hour": "3"}
ESCALATION = {**DAILY, "hour": "7"}
ROLLUP_SCHEDULE = dict.fromkeys((WEEKLY_DISPATCH, MONTHLY_BULLETIN, QUARTERLY_OBSERVATION, ANNUAL_REVIEW), DAILY)


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
    orphans, _created = PeriodicTask.objects.update_or_create(
        name="files:orphans",
        defaults={
            "task": "core.tasks.remove_orphan_files",
            "crontab": crontab(**NIGHTLY),
            "args": "[]",
            "enabled": True,
        },
    )
    tasks.append(orphans)
    escalation, _created = PeriodicTask.objects.update_or_create(
        name="tracking:escalate-overdue",
        defaults={
            "task": "tracking.tasks.escalate_overdue_items",
            "crontab": crontab(**ESCALATION),
            "args": "[]",
            "enabled": True,
        },
    )
    tasks.append(escalation)
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
    for name, (path, fields) in NOTICE_SCHEDULE.items():
        task, _created = PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": path, "crontab": crontab(**fields), "args": "[]", "enabled": True}
        )
        tasks.append(task)
    return tasks


class Command(BaseCommand):
    help = "Install the Celery beat schedule for rollups and reminders (Asia/Shanghai)."

    def handle(self, *args: Any, **options: Any) -> None:
        for task in install():
            self.stdout.write(f"{task.name:32} {task.crontab}")
