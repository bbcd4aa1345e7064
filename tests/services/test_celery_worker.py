"""Real Redis and real Celery worker processes (started by the test), on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from evaluations.models import AssessmentScheme, Indicator, Rollup

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("services")]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set: make test starts redis-server and exports it")
    import redis

    client = redis.Redis.from_url(url)
    client.ping()
    client.flushdb()
    return url


@pytest.fixture
def scheme(world):
    scheme = AssessmentScheme.objects.create(name="宁波", region=world.ningbo, year=2026, status="active")
    Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌", max_score=100)
    return scheme


def worker_env(redis_url: str, **extra: str) -> dict:
    settings = connection.settings_dict
    database = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database,
        CELERY_BROKER_URL=redis_url,
        CELERY_VISIBILITY_TIMEOUT="3",
        CELERY_RESTORE_INTERVAL="1",
        CELERY_RESTORE_THROTTLE="1",
        **extra,
    )
    return env


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.services.slow_worker",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"w{time.time()}@test",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    queued = f"the broker holds {broker.llen('celery')} queued and {broker.hlen('unacked')} unacked task(s)"
    pytest.fail(f"timed out waiting for {what}; {queued}; worker log:\n{log.read_text(errors='replace')[-4000:]}")


def send_bulletin(redis_url: str, region_code: str) -> None:
    # Not the current app: tasks declared with shared_task find theirs through the current
    # app, and every later test of this process would send to this client instead.
    client = Celery(broker=redis_url, set_as_current=False)
    client.send_task("evaluations.tasks.produce_rollup", args=["monthly_bulletin", "2026-10", region_code])
    client.close()


def bulletins() -> int:
    return Rollup.objects.filter(kind="monthly_bulletin", period_key="2026-10").count()


def test_a_bulletin_sent_through_the_broker_is_stored_by_the_worker(world, scheme, redis_url, tmp_path):
    log = tmp_path / "worker.log"
    worker = start_worker(worker_env(redis_url), log)
    try:
        send_bulletin(redis_url, world.county_a.code)
        wait_for(lambda: bulletins() == 1, 60, "the bulletin", log)
    finally:
        stop(worker)
    rollup = Rollup.objects.get(kind="monthly_bulletin")
    assert rollup.region == world.county_a
    ranking = next(t for t in rollup.report["tables"] if t["key"] == "ranking")
    assert [row[1] for row in ranking["rows"]] == ["LM-A-1", "LM-A-2"]


def test_a_worker_killed_mid_rollup_and_restarted_leaves_exactly_one_record(world, scheme, redis_url, tmp_path):
    log = tmp_path / "worker.log"
    marker = tmp_path / "started"
    env = worker_env(redis_url, SLOW_ROLLUP_SECONDS="30", SLOW_ROLLUP_MARKER=str(marker))
    first = start_worker(env, log)
    try:
        send_bulletin(redis_url, world.county_a.code)
        wait_for(marker.exists, 60, "the slow rollup to start", log)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert bulletins() == 0  # the killed transaction left nothing behind
    finally:
        stop(first)
    second = start_worker(worker_env(redis_url, SLOW_ROLLUP_SECONDS="0", SLOW_ROLLUP_MARKER=str(marker)), log)
    try:
        wait_for(lambda: bulletins() == 1, 90, "the redelivered bulletin", log)
        send_bulletin(redis_url, world.county_a.code)  # and a duplicate request changes nothing
        time.sleep(3)
    finally:
        stop(second)
    assert bulletins() == 1
    assert len(marker.read_text().split()) >= 2  # it really ran twice: once killed, once finished
