"""Faults: Redis down, a database error mid-request. Nothing a user submitted is lost or half-written."""

from __future__ import annotations

import datetime
import logging
import os
import socket

import pytest
import redis
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from alliances.models import Alliance, TeamRole
from config.celery import app
from core.jobs import enqueue

pytestmark = pytest.mark.django_db


@app.task(name="tests.note_follow_up")
def note_follow_up(alliance_id: int, note: str) -> None:
    """A real task: the follow-up work of a submission (here, writing a note)."""
    Alliance.objects.filter(pk=alliance_id).update(covenant=note)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.fixture
def broker():
    """Point the Celery app at a broker URL for one test, not eager; restore afterwards."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def drop_connections():
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None

    def use(url: str):
        drop_connections()
        app.conf.broker_url = url
        app.conf.task_always_eager = False

    yield use
    drop_connections()
    app.conf.update(saved)


def test_with_redis_down_the_task_runs_inline_after_commit_with_a_warning(
    world, broker, caplog, django_capture_on_commit_callbacks
):
    broker(f"redis://127.0.0.1:{closed_port()}/0")
    with caplog.at_level(logging.WARNING, logger="core.jobs"):
        with django_capture_on_commit_callbacks(execute=True):
            Alliance.objects.filter(pk=world.alliance_a.pk).update(description="用户提交的内容")
            enqueue(note_follow_up, world.alliance_a.pk, "后续处理已完成")
            # Nothing runs before the submission is committed.
            assert Alliance.objects.get(pk=world.alliance_a.pk).covenant == ""
    alliance = Alliance.objects.get(pk=world.alliance_a.pk)
    assert (alliance.description, alliance.covenant) == ("用户提交的内容", "后续处理已完成")
    warnings = [r.getMessage() for r in caplog.records if r.name == "core.jobs"]
    assert len(warnings) == 1 and "running tests.note_follow_up inline" in warnings[0]


def test_a_rolled_back_submission_sends_no_task(world, broker, django_capture_on_commit_callbacks):
    broker(f"redis://127.0.0.1:{closed_port()}/0")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue(note_follow_up, world.alliance_a.pk, "不应执行")
            raise RuntimeError("the request failed")
    assert callbacks == []
    assert Alliance.objects.get(pk=world.alliance_a.pk).covenant == ""


def test_with_redis_up_the_task_is_queued_for_a_worker_not_run_inline(
    world, broker, django_capture_on_commit_callbacks
):
    url = os.environ.get("REDIS_URL")
    assert url, "make test starts Redis and exports REDIS_URL"
    # A database of its own: the Celery worker tests (on another test process) queue their
    # tasks in the same server's database 0, and emptying that queue here would lose them.
    url = url.rsplit("/", 1)[0] + "/7"
    queue = redis.Redis.from_url(url)
    queue.delete("celery")
    broker(url)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(note_follow_up, world.alliance_a.pk, "由 worker 处理")
    try:
        assert queue.llen("celery") == 1
        assert b"tests.note_follow_up" in queue.lindex("celery", 0)
        assert Alliance.objects.get(pk=world.alliance_a.pk).covenant == ""
    finally:
        queue.delete("celery")


class FailOn:
    """A database that fails on the first statement containing ``marker`` (a lost
    connection, a full disk): installed with connection.execute_wrapper."""

    def __init__(self, marker: str):
        self.marker = marker

    def __call__(self, execute, sql, params, many, context):
        if self.marker in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def leader_rows(alliance):
    return sorted(TeamRole.objects.filter(alliance=alliance).values_list("person_id", "role", "started_on", "ended_on"))


def test_a_database_error_mid_request_leaves_no_half_written_change_on_a_page(client, world):
    """Appointing a new leader ends the current leader's term (first write) and opens the
    new one (second write); the second fails: the first is rolled back with it."""
    client.raise_request_exception = False
    client.force_login(world.bob)
    before, history_before = leader_rows(world.alliance_b), TeamRole.history.count()
    newcomer = world.person_b.organization.people.create(name="周新", mobile="13700001111")
    with connection.execute_wrapper(FailOn('INSERT INTO "alliances_teamrole"')):
        response = client.post(
            reverse("alliances:teamrole-assign", args=[world.alliance_b.pk]),
            {"person": newcomer.pk, "role": "leader", "started_on": "2026-06-01"},
        )
    assert response.status_code == 500
    assert leader_rows(world.alliance_b) == before
    assert TeamRole.objects.get(alliance=world.alliance_b, role="leader").ended_on is None
    assert TeamRole.history.count() == history_before


def test_a_database_error_mid_request_leaves_no_half_written_change_through_the_api(api, world):
    api.raise_request_exception = False
    api.as_user(world.bob)
    before, history_before = leader_rows(world.alliance_b), TeamRole.history.count()
    newcomer = world.person_b.organization.people.create(name="周新", mobile="13700001111")
    with connection.execute_wrapper(FailOn('INSERT INTO "alliances_teamrole"')):
        response = api.post(
            "/api/v1/team-roles/",
            {
                "alliance": world.alliance_b.pk,
                "person": newcomer.pk,
                "role": "leader",
                "started_on": datetime.date(2026, 6, 1).isoformat(),
            },
            format="json",
        )
    assert response.status_code == 500
    assert leader_rows(world.alliance_b) == before
    assert TeamRole.history.count() == history_before
