"""The in-app notices of members.Notice move to notices.Notice (notices 0002)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("members", "0008_user_api_tokens_hashed"), ("notices", "0001_notices_deliveries_preferences_robots")]


@pytest.mark.django_db(transaction=True)
def test_the_old_notices_move_with_their_time_read_state_and_email():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="old-leader")
    created = timezone.now() - datetime.timedelta(days=20)
    notices = old.get_model("members", "Notice").objects
    read = notices.create(
        user_id=user.pk,
        kind="progress_reminder",
        period_start=datetime.date(2026, 11, 9),
        message="2026年第46周的项目进度尚未填报",
        link="/projects/my-work/",
        emailed=True,
        read_at=created,
    )
    notices.filter(pk=read.pk).update(created_at=created)
    notices.create(
        user_id=user.pk, kind="progress_reminder", period_start=datetime.date(2026, 11, 16), message="第47周"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from notices.models import Delivery, Notice

    moved = {n.key: n for n in Notice.objects.filter(recipient__username="old-leader")}
    assert set(moved) == {"2026-11-09", "2026-11-16"}
    first = moved["2026-11-09"]
    assert (first.event, first.title, first.link) == (
        "progress_reminder",
        "2026年第46周的项目进度尚未填报",
        "/projects/my-work/",
    )
    assert first.read_at == created and first.created_at == created
    assert moved["2026-11-16"].read_at is None
    assert list(Delivery.objects.filter(notice=first).values_list("channel", "state")) == [("email", "sent")]
    assert not Delivery.objects.filter(notice=moved["2026-11-16"]).exists()
