"""Delivering notices: each channel, retries with backoff, failures recorded, quiet hours,
and exactly one message per notice and channel even when a worker dies mid-send.

The 企业微信 and 钉钉 robots are played by ``tests.fake_robots.FakeRobots`` on loopback,
the SMS provider by ``tests.fake_sms_provider.FakeSmsProvider`` (Alibaba Cloud's API).
Celery runs eagerly in tests: the retry logic is exercised by calling the task functions.
"""

from __future__ import annotations

import datetime
import smtplib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import sms
from notices import channels
from notices.delivery import attempt, backoff, claim, due_deliveries
from notices.models import Delivery, Event, Preference, QuietHours, WorkChatRobot
from notices.services import notify, quiet_until
from notices.tasks import RetryLater, deliver, deliver_due
from tests.fake_robots import FakeRobots, dingtalk_sign
from tests.fake_sms_provider import FakeSmsProvider
from tests.members.factories import PersonFactory

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def robots():
    fake = FakeRobots().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def notice_settings(settings):
    settings.NOTICE_HTTP_TIMEOUT = 1
    settings.NOTICE_QUIET_HOURS = ""
    settings.NOTICE_WECOM_WEBHOOK = ""
    settings.NOTICE_DINGTALK_WEBHOOK = ""
    settings.NOTICE_SITE_URL = "https://dj.example.gov.cn"
    sms.outbox.clear()
    yield settings
    sms.outbox.clear()


@pytest.fixture
def alice(world):
    """County A's staff member, with a mobile number and an address, work-chat only."""
    PersonFactory(user=world.alice, name="张敏", mobile="13900001111")
    world.alice.email = "alice@example.com"
    world.alice.save()
    Preference.objects.create(user=world.alice, group="reports", email=False, sms=False, workchat=True)
    return world.alice


@pytest.fixture
def wecom(world, robots):
    return WorkChatRobot.objects.create(region=world.county_a, kind="wecom", webhook_url=f"{robots.url}/wecom")


@pytest.fixture
def dingtalk(world, robots):
    return WorkChatRobot.objects.create(
        region=world.county_a,
        kind="dingtalk",
        webhook_url=f"{robots.url}/dingtalk?access_token=T1",
        secret=robots.secret,
    )


def tell(user, key="r-1", **extra):
    (notice,) = notify(
        event=Event.REPORT_RETURNED,
        recipients=[user],
        key=key,
        title="周报被退回：姜山镇道路硬化",
        body="请补充现场照片。",
        link="/projects/reports/1/",
        **extra,
    )
    return notice


def only_delivery(notice, channel="workchat") -> Delivery:
    return Delivery.objects.get(notice=notice, channel=channel)


def expire_claim(delivery: Delivery, settings) -> None:
    """Time passes beyond the lease of the worker that claimed the delivery."""
    past = timezone.now() - datetime.timedelta(seconds=settings.NOTICE_SENDING_LEASE + 1)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=past)


def come_due(delivery: Delivery) -> None:
    """Time passes until the delivery's next attempt (its backoff) is due."""
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now() - datetime.timedelta(seconds=1))


# ---------------------------------------------------------------------------- channels


def test_a_notice_reaches_the_countys_wecom_robot_mentioning_the_recipient(alice, wecom, robots):
    delivery = only_delivery(tell(alice))
    assert attempt(delivery.pk).state == "sent"
    [message] = robots.messages("/wecom")
    assert message["msgtype"] == "text"
    assert "周报被退回" in message["text"]["content"]
    assert "https://dj.example.gov.cn/projects/reports/1/" in message["text"]["content"]
    assert message["text"]["mentioned_mobile_list"] == ["13900001111"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None


def test_a_dingtalk_robot_gets_a_signed_markdown_message(alice, dingtalk, robots):
    delivery = only_delivery(tell(alice))
    assert attempt(delivery.pk).state == "sent"
    [request] = [r for r in robots.received if r["accepted"]]
    assert request["query"]["access_token"] == "T1"
    assert request["query"]["sign"] == dingtalk_sign(request["query"]["timestamp"], robots.secret)
    body = request["body"]
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "周报被退回：姜山镇道路硬化"
    assert body["at"] == {"atMobiles": ["13900001111"], "isAtAll": False}


def test_the_dingtalk_signature_is_the_one_dingtalk_documents():
    url = channels.dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=T", "SECabc", 1700000000000)
    query = parse_qs(urlsplit(url).query)  # decodes an unescaped "+" to a space: the sign would not match
    assert query["access_token"] == ["T"] and query["timestamp"] == ["1700000000000"]
    assert query["sign"] == [dingtalk_sign("1700000000000", "SECabc")]


def test_a_dingtalk_robot_with_a_wrong_secret_fails_for_good_with_the_reason(alice, robots, world):
    WorkChatRobot.objects.create(
        region=world.county_a, kind="dingtalk", webhook_url=f"{robots.url}/dingtalk", secret="SEC-wrong"
    )
    delivery = only_delivery(tell(alice))
    assert attempt(delivery.pk).state == "failed"
    delivery.refresh_from_db()
    assert delivery.state == "failed" and "310000" in delivery.last_error
    assert robots.messages("/dingtalk") == []


def test_the_nearest_robot_is_used_the_citys_when_the_county_has_none(alice, robots, world):
    WorkChatRobot.objects.create(region=world.ningbo, kind="wecom", webhook_url=f"{robots.url}/wecom")
    delivery = only_delivery(tell(alice))
    assert attempt(delivery.pk).state == "sent" and len(robots.messages("/wecom")) == 1


def test_the_default_robot_from_the_environment_serves_regions_without_one(alice, robots, notice_settings):
    notice_settings.NOTICE_DINGTALK_WEBHOOK = f"{robots.url}/dingtalk"
    notice_settings.NOTICE_DINGTALK_SECRET = robots.secret
    delivery = only_delivery(tell(alice))
    assert delivery.address == "default:dingtalk"
    assert attempt(delivery.pk).state == "sent" and len(robots.messages("/dingtalk")) == 1


def test_without_any_robot_the_work_chat_delivery_is_skipped_with_the_reason(alice):
    delivery = only_delivery(tell(alice))
    assert delivery.state == "skipped" and "机器人" in delivery.last_error
    assert attempt(delivery.pk).state == "none"


def test_an_email_goes_out_with_the_same_message_id_on_every_attempt(alice, mailoutbox):
    Preference.objects.filter(user=alice).update(email=True, workchat=False)
    delivery = only_delivery(tell(alice), "email")
    assert attempt(delivery.pk).state == "sent"
    [mail] = mailoutbox
    assert mail.to == ["alice@example.com"] and mail.subject == "周报被退回：姜山镇道路硬化"
    assert "请补充现场照片" in mail.body and mail.extra_headers["Message-ID"].startswith(f"<{delivery.out_id}@")


def test_no_email_address_skips_the_email_with_the_reason(alice):
    alice.email = ""
    alice.save()
    Preference.objects.filter(user=alice).update(email=True)
    assert "电子邮箱" in only_delivery(tell(alice), "email").last_error


def test_an_sms_goes_through_core_sms_with_the_notice_template_and_out_id(alice):
    Preference.objects.filter(user=alice).update(sms=True, workchat=False)
    delivery = only_delivery(tell(alice), "sms")
    assert attempt(delivery.pk).state == "sent"
    [message] = sms.outbox
    assert (message.phone, message.template, message.out_id) == ("13900001111", "notice", delivery.out_id)
    assert message.params["title"].startswith("周报被退回")


def test_an_sms_reaches_the_alibaba_cloud_provider_and_a_throttled_one_is_retried(alice, settings):
    provider = FakeSmsProvider().start()
    try:
        settings.SMS_BACKEND = "core.sms.AliyunBackend"
        settings.ALIYUN_SMS_ACCESS_KEY_ID = "test-key-id"
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "test-key-secret"
        settings.ALIYUN_SMS_SIGN_NAME = "鄞州党建"
        settings.ALIYUN_SMS_ENDPOINT = provider.url
        settings.ALIYUN_SMS_TEMPLATE_CODES = {"login_code": "SMS_1", "notice": "SMS_2"}
        Preference.objects.filter(user=alice).update(sms=True, workchat=False)
        delivery = only_delivery(tell(alice), "sms")
        provider.answer_error("isv.BUSINESS_LIMIT_CONTROL")
        assert attempt(delivery.pk).state == "retry"
        come_due(delivery)
        assert attempt(delivery.pk).state == "sent"
        assert [r["PhoneNumbers"] for r in provider.requests] == ["13900001111", "13900001111"]
        assert {r["OutId"] for r in provider.requests} == {delivery.out_id}
    finally:
        provider.stop()


def test_a_person_without_a_mobile_number_gets_no_sms(world):
    Preference.objects.create(user=world.alice, group="reports", sms=True)
    delivery = only_delivery(tell(world.alice), "sms")
    assert delivery.state == "skipped" and "手机" in delivery.last_error


# ------------------------------------------------------------- failures and retries


def test_a_robot_answering_500_is_retried_with_backoff_and_delivered_once(alice, wecom, robots, settings):
    robots.answers += [("status", 500), ("status", 502)]
    delivery = only_delivery(tell(alice))
    first = attempt(delivery.pk)
    delivery.refresh_from_db()
    assert first.state == "retry" and first.retry_in == backoff(1) == settings.NOTICE_RETRY_BACKOFF
    assert delivery.state == "pending" and "HTTP 500" in delivery.last_error
    assert delivery.not_before > timezone.now()
    assert attempt(delivery.pk).state == "none"  # not due yet: nothing sent early
    come_due(delivery)
    second = attempt(delivery.pk)
    assert second.state == "retry" and second.retry_in == 2 * settings.NOTICE_RETRY_BACKOFF
    come_due(delivery)
    assert attempt(delivery.pk).state == "sent"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert len(robots.messages("/wecom")) == 1 and len(robots.received) == 3


def test_a_robot_that_never_answers_times_out_and_is_retried(alice, wecom, robots):
    robots.answers.append(("slow", 2))  # longer than NOTICE_HTTP_TIMEOUT
    delivery = only_delivery(tell(alice))
    assert attempt(delivery.pk).state == "retry"
    delivery.refresh_from_db()
    assert "超时" in delivery.last_error or "timed out" in delivery.last_error
    come_due(delivery)
    assert attempt(delivery.pk).state == "sent"
    assert len(robots.messages("/wecom")) == 1


def test_after_the_last_attempt_the_delivery_fails_with_the_reason(alice, wecom, robots, settings):
    settings.NOTICE_MAX_ATTEMPTS = 3
    robots.answers += [("status", 500)] * 3
    delivery = only_delivery(tell(alice))
    states = []
    for _ in range(3):
        states.append(attempt(delivery.pk).state)
        come_due(delivery)
    delivery.refresh_from_db()
    assert states == ["retry", "retry", "failed"]
    assert (delivery.state, delivery.attempts) == ("failed", 3) and "HTTP 500" in delivery.last_error
    assert attempt(delivery.pk).state == "none" and robots.messages("/wecom") == []


def test_a_refused_webhook_is_not_retried(alice, wecom, robots):
    robots.answers.append(("json", {"errcode": 93000, "errmsg": "invalid webhook url"}))
    delivery = only_delivery(tell(alice))
    assert attempt(delivery.pk).state == "failed"
    delivery.refresh_from_db()
    assert "93000" in delivery.last_error and delivery.attempts == 1


def test_a_rate_limited_robot_is_retried(alice, wecom, robots):
    robots.answers.append(("json", {"errcode": 45009, "errmsg": "api freq out of limit"}))
    delivery = only_delivery(tell(alice))
    assert attempt(delivery.pk).state == "retry"


def test_the_task_asks_celery_to_retry_a_retryable_failure(alice, wecom, robots):
    robots.answers.append(("status", 503))
    delivery = only_delivery(tell(alice))
    with pytest.raises(RetryLater, match="HTTP 503"):
        deliver.run(delivery.pk)
    assert deliver.autoretry_for == (RetryLater,) and deliver.retry_backoff and deliver.acks_late
    come_due(delivery)
    assert deliver.run(delivery.pk) == "sent"
    assert deliver.run(delivery.pk) == "none"
    assert len(robots.messages("/wecom")) == 1


def test_run_inline_a_failure_waits_for_the_sweeper_instead_of_retrying_at_once(alice, wecom, robots):
    robots.answers.append(("status", 500))
    delivery = only_delivery(tell(alice))
    assert deliver.apply(args=[delivery.pk]).get() == "retry"
    assert len(robots.received) == 1
    come_due(delivery)
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now() - datetime.timedelta(minutes=5))
    assert deliver_due.apply().get() == 1
    assert len(robots.messages("/wecom")) == 1
    assert Delivery.objects.get(pk=delivery.pk).state == "sent"


# ----------------------------------------------------------------- exactly once


def test_a_worker_killed_between_claim_and_send_still_delivers_exactly_once(alice, wecom, robots, settings):
    delivery = only_delivery(tell(alice))
    dead = claim(delivery.pk)  # the worker claims it, then dies before sending
    assert dead is not None and Delivery.objects.get(pk=delivery.pk).state == "sending"
    assert attempt(delivery.pk).state == "none"  # its lease holds: nobody else sends it
    assert due_deliveries() == []
    expire_claim(delivery, settings)
    assert due_deliveries() == [delivery.pk]  # the sweeper finds it
    assert attempt(delivery.pk).state == "sent"
    assert attempt(delivery.pk).state == "none"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert len(robots.received) == 1 and len(robots.messages("/wecom")) == 1


def test_a_worker_killed_after_sending_before_marking_is_not_overwritten_by_a_stale_claim(
    alice, wecom, robots, settings, monkeypatch
):
    """The window no webhook can close: the robot posted the message, the worker died
    before recording it. The next attempt posts it again with the same reference (the
    README says so); the dead worker's late mark, if it comes, changes nothing."""
    delivery = only_delivery(tell(alice))
    first = claim(delivery.pk)
    channels.sender_for("workchat").send(first)  # sent; then the worker is killed
    expire_claim(delivery, settings)
    assert attempt(delivery.pk).state == "sent"
    from notices.delivery import mark_sent

    assert mark_sent(first) is False  # the stale claim cannot mark it again
    contents = [m["text"]["content"] for m in robots.messages("/wecom")]
    assert len(contents) == 2 and len(set(contents)) == 1 and delivery.out_id in contents[0]
    assert Delivery.objects.get(pk=delivery.pk).attempts == 2


def test_a_sent_delivery_is_never_sent_again(alice, wecom, robots):
    delivery = only_delivery(tell(alice))
    for _ in range(3):
        deliver.apply(args=[delivery.pk])
    assert len(robots.received) == 1


def test_the_database_refuses_a_second_delivery_for_one_notice_and_channel(alice, wecom):
    delivery = only_delivery(tell(alice))
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(notice=delivery.notice, channel="workchat")


def test_the_database_refuses_a_sent_delivery_without_its_time(alice, wecom):
    delivery = only_delivery(tell(alice))
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(state="sent")


def test_a_delivery_is_queued_once_the_event_commits(alice, wecom, robots, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = tell(alice)
        assert robots.received == []  # nothing from inside the caller's transaction
    assert only_delivery(notice).state == "sent" and len(robots.messages("/wecom")) == 1


# ----------------------------------------------------------------- quiet hours


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 20) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (at(23, 30), at(7, 0, day=21)),
        (at(2, 0), at(7, 0)),
        (at(6, 59), at(7, 0)),
        (at(7, 0), None),
        (at(12, 0), None),
        (at(21, 59), None),
        (at(22, 0), at(7, 0, day=21)),
    ],
)
def test_quiet_hours_across_midnight_end_at_their_end(now, until):
    found = quiet_until((datetime.time(22), datetime.time(7)), now)
    assert found == (until.astimezone(datetime.UTC) if until else None)


def test_quiet_hours_within_a_day():
    hours = (datetime.time(12), datetime.time(14))
    assert quiet_until(hours, at(13)) == at(14).astimezone(datetime.UTC)
    assert quiet_until(hours, at(14)) is None and quiet_until(hours, at(11)) is None


def test_in_quiet_hours_work_chat_and_sms_wait_but_email_and_the_site_do_not(
    alice, wecom, robots, notice_settings, monkeypatch, mailoutbox
):
    notice_settings.NOTICE_QUIET_HOURS = "22:00-07:00"
    Preference.objects.filter(user=alice).update(email=True, sms=True, workchat=True)
    night = at(23, 15)
    monkeypatch.setattr(timezone, "now", lambda: night.astimezone(datetime.UTC))
    notice = tell(alice)
    by_channel = {d.channel: d for d in notice.deliveries.all()}
    assert by_channel["email"].not_before is None
    assert by_channel["sms"].not_before == by_channel["workchat"].not_before == at(7, 0, day=21)
    assert attempt(by_channel["workchat"].pk).state == "none" and attempt(by_channel["sms"].pk).state == "none"
    assert attempt(by_channel["email"].pk).state == "sent"
    assert robots.received == [] and sms.outbox == []
    morning = at(7, 2, day=21)
    monkeypatch.setattr(timezone, "now", lambda: morning.astimezone(datetime.UTC))
    assert sorted(due_deliveries()) == sorted([by_channel["sms"].pk, by_channel["workchat"].pk])
    deliver_due.apply()
    assert len(robots.messages("/wecom")) == 1 and len(sms.outbox) == 1


def test_a_persons_own_quiet_hours_replace_the_default(alice, wecom, notice_settings, monkeypatch):
    notice_settings.NOTICE_QUIET_HOURS = "22:00-07:00"
    QuietHours.objects.create(user=alice, starts=datetime.time(12), ends=datetime.time(13, 30))
    monkeypatch.setattr(timezone, "now", lambda: at(12, 10).astimezone(datetime.UTC))
    assert only_delivery(tell(alice, key="noon")).not_before == at(13, 30)
    monkeypatch.setattr(timezone, "now", lambda: at(23, 0).astimezone(datetime.UTC))
    assert only_delivery(tell(alice, key="night")).not_before is None


def test_quiet_hours_switched_off_send_at_night(alice, wecom, notice_settings, monkeypatch):
    notice_settings.NOTICE_QUIET_HOURS = "22:00-07:00"
    QuietHours.objects.create(user=alice, enabled=False)
    monkeypatch.setattr(timezone, "now", lambda: at(23, 0).astimezone(datetime.UTC))
    assert only_delivery(tell(alice)).not_before is None


# ----------------------------------------------------------------- preferences


def test_without_a_choice_a_person_gets_email_and_work_chat_but_no_sms(world, wecom):
    world.alice.email = "alice@example.com"
    world.alice.save()
    PersonFactory(user=world.alice, mobile="13900001111")
    notice = tell(world.alice)
    assert sorted(notice.deliveries.values_list("channel", flat=True)) == ["email", "workchat"]


def test_a_persons_choice_for_a_group_decides_its_channels(alice, wecom):
    Preference.objects.create(user=alice, group="operations", email=True, sms=True, workchat=False)
    (claimed,) = notify(event=Event.NEED_CLAIMED, recipients=[alice], key="c-1", title="需求被认领")
    assert sorted(claimed.deliveries.values_list("channel", flat=True)) == ["email", "sms"]
    assert list(tell(alice).deliveries.values_list("channel", flat=True)) == ["workchat"]


def test_a_person_who_wants_the_site_only_gets_no_delivery(alice, wecom):
    Preference.objects.filter(user=alice).update(workchat=False)
    assert not tell(alice).deliveries.exists()


def test_a_robot_webhook_must_be_an_http_url(world):
    robot = WorkChatRobot(region=world.county_a, kind="wecom", webhook_url="ftp://robot.example/")
    with pytest.raises(ValidationError):
        robot.full_clean()


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_their_end(alice, wecom, robots, notice_settings, monkeypatch):
    notice_settings.NOTICE_QUIET_HOURS = "22:00-07:00"
    evening = at(21, 59, 50)
    monkeypatch.setattr(timezone, "now", lambda: evening.astimezone(datetime.UTC))
    robots.answers.append(("status", 500))
    delivery = only_delivery(tell(alice))
    assert delivery.not_before is None  # not quiet yet: sent at once
    assert attempt(delivery.pk).state == "retry"  # the retry (30 s later) would fall at 22:00:20
    delivery.refresh_from_db()
    assert delivery.not_before == at(7, 0, day=21)


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_delivery_at_once_send_it_once(alice, wecom, robots, monkeypatch):
    """Two workers (threads, each with its own database connection) run the same delivery
    while the robot answers slowly: one claims and sends it; the other finds it locked or
    claimed and sends nothing."""
    import threading

    from django.db import connection

    from notices import services

    monkeypatch.setattr(services, "queue_deliveries", lambda ids: None)  # the workers below run it
    delivery = only_delivery(tell(alice))
    robots.answers.append(("late", 0.5))
    outcomes = []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            outcomes.append(attempt(delivery.pk).state)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["none", "sent"]
    assert len(robots.received) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


class DisconnectedEmailBackend(BaseEmailBackend):
    """An SMTP server that hangs up."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_an_smtp_server_that_hangs_up_is_retried_with_the_reason(alice, settings, mailoutbox):
    Preference.objects.filter(user=alice).update(email=True, workchat=False)
    delivery = only_delivery(tell(alice), "email")
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectedEmailBackend"
    assert attempt(delivery.pk).state == "retry"
    delivery.refresh_from_db()
    assert delivery.state == "pending" and "Connection unexpectedly closed" in delivery.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    come_due(delivery)
    assert attempt(delivery.pk).state == "sent" and len(mailoutbox) == 1


def test_an_sms_to_a_number_the_provider_refuses_fails_at_once(alice):
    Preference.objects.filter(user=alice).update(sms=True, workchat=False)
    delivery = only_delivery(tell(alice), "sms")
    Delivery.objects.filter(pk=delivery.pk).update(address="12345")
    assert attempt(delivery.pk).state == "failed"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "mobile" in delivery.last_error and sms.outbox == []
