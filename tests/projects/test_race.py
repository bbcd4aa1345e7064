"""Two submissions for the same project and week at the same moment, on real PostgreSQL
connections: exactly one report survives and the other caller gets a ValidationError."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from projects.models import ProgressReport
from projects.services import report_submit
from projects.weeks import current_week
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_reports_for_the_same_week_end_with_exactly_one(world, django_user_model):
    project = ProjectFactory(alliance=world.alliance_a)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def submit(percent: int) -> None:
        leader = django_user_model.objects.get(pk=world.lily.pk)  # each thread loads its own user, as a request would
        try:
            barrier.wait(timeout=10)
            report_submit(
                actor=leader, project=project, period=current_week(), percent_complete=percent, work_done="并发提交"
            )
            outcomes.append("saved")
        except Exception as exc:  # noqa: BLE001 - the test records whatever the loser got
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(percent,)) for percent in (40, 41)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert ProgressReport.objects.filter(project=project, period=current_week()).count() == 1
    assert outcomes.count("saved") == 1
    (loser,) = [outcome for outcome in outcomes if outcome != "saved"]
    assert isinstance(loser, ValidationError) and not isinstance(loser, IntegrityError)
    assert "period" in loser.message_dict


def test_the_database_itself_refuses_a_second_report_for_the_week(world):
    project = ProjectFactory(alliance=world.alliance_a)
    fields = {"project": project, "period": current_week(), "percent_complete": 5, "work_done": "x"}
    from django.utils import timezone

    ProgressReport.objects.create(submitted_at=timezone.now(), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(submitted_at=timezone.now(), **fields)
    assert ProgressReport.objects.filter(project=project).count() == 1
