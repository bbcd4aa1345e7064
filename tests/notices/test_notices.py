"""Notices: one per recipient per occurrence, the bell and its pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from notices.models import Delivery, Event, EventGroup, Notice, Preference, QuietHours, WorkChatRobot
from notices.services import notify
from tests.members.factories import UserFactory


def tell(*recipients, key="k-1", event=Event.REPORT_RETURNED, **extra):
    return notify(event=event, recipients=recipients, key=key, title=extra.pop("title", "报告被退回"), **extra)


def test_an_event_makes_one_notice_per_recipient(world):
    made = tell(world.alice, world.lily, link="/projects/")
    assert sorted(n.recipient.username for n in made) == ["alice", "lily"]
    assert Notice.objects.get(recipient=world.lily).link == "/projects/"


def test_the_same_event_and_key_tell_a_recipient_once(world):
    first = tell(world.lily)
    again = tell(world.lily, world.alice)
    assert len(first) == 1 and [n.recipient for n in again] == [world.alice]
    assert Notice.objects.filter(recipient=world.lily).count() == 1


def test_another_key_or_event_is_another_notice(world):
    tell(world.lily, key="k-1")
    tell(world.lily, key="k-2")
    tell(world.lily, key="k-1", event=Event.NEED_CLAIMED)
    assert Notice.objects.filter(recipient=world.lily).count() == 3


def test_the_database_refuses_a_second_notice_for_one_occurrence(world):
    tell(world.lily)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(recipient=world.lily, event=Event.REPORT_RETURNED, key="k-1", title="again")


def test_recipients_may_be_ids_and_inactive_users_are_not_told(world):
    gone = UserFactory(is_active=False)
    made = tell(world.lily.pk, gone)
    assert [n.recipient for n in made] == [world.lily]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"event": "party"}, "未知的通知事件"),
        ({"key": ""}, "事件编号"),
        ({"title": ""}, "标题"),
    ],
)
def test_a_malformed_notice_is_refused_with_a_clear_message(world, fields, message):
    arguments = {"event": Event.REPORT_RETURNED, "recipients": [world.lily], "key": "k", "title": "t"} | fields
    with pytest.raises(ValidationError, match=message):
        notify(**arguments)
    assert not Notice.objects.exists()


def test_deliveries_are_queued_only_when_the_transaction_commits(world, django_capture_on_commit_callbacks, mailoutbox):
    world.lily.email = "lily@example.com"
    world.lily.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(world.lily)
    assert mailoutbox == [] and Delivery.objects.get(channel="email").state == "pending"
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1 and Delivery.objects.get(channel="email").state == "sent"


def test_a_rolled_back_event_tells_nobody(world, django_capture_on_commit_callbacks, mailoutbox):
    world.lily.email = "lily@example.com"
    world.lily.save()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                tell(world.lily)
                raise RuntimeError("the caller's change failed")
        except RuntimeError:
            pass
    assert not Notice.objects.exists() and mailoutbox == []


# ------------------------------------------------------------------------ the bell


def test_the_bell_shows_the_unread_count(client, world):
    tell(world.lily, key="a")
    tell(world.lily, key="b")
    client.force_login(world.lily)
    page = client.get(reverse("projects:my-work")).content.decode()
    assert 'class="bell has-unread"' in page and '<span class="bell-count">2</span>' in page


def test_the_bell_costs_one_query_whatever_the_number_of_notices(client, world, django_assert_num_queries):
    client.force_login(world.lily)
    url = reverse("notices:list")
    client.get(url)  # warm the session and the scope's caches
    tell(world.lily, key="a")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(30):
        tell(world.lily, key=f"many-{number}")
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.context["unread_notices"]() == 31


def test_the_notice_list_is_paginated_and_shows_only_ones_own(client, world):
    for number in range(25):
        tell(world.lily, key=f"n-{number}", title=f"提醒{number}")
    tell(world.alice, key="other", title="别人的通知")
    client.force_login(world.lily)
    first = client.get(reverse("notices:list")).content.decode()
    second = client.get(reverse("notices:list"), {"page": 2}).content.decode()
    assert "提醒24" in first and "提醒0<" not in first and "提醒0<" in second
    assert "别人的通知" not in first + second


def test_marking_a_notice_read_lowers_the_count_and_goes_to_its_link(client, world):
    (notice,) = tell(world.lily, link="/projects/my-work/")
    client.force_login(world.lily)
    response = client.post(reverse("notices:read", args=[notice.pk]), {"next": notice.link})
    assert response.status_code == 302 and response.url == "/projects/my-work/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_marking_the_last_unread_notice_of_a_page_read_comes_back_to_the_unread_list(client, world):
    """21 unread: page 2 of 未读 holds one; once it is read, page 2 is gone, so the list
    comes back from its first page instead of a 页面不存在."""
    for number in range(21):
        tell(world.lily, key=f"n-{number}", title=f"提醒{number}")
    client.force_login(world.lily)
    unread = reverse("notices:list") + "?unread=1"
    (last,) = client.get(unread + "&page=2").context["object_list"]
    response = client.post(reverse("notices:read", args=[last.pk]), {"next": unread + "&page=2"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain == [(unread, 302)]
    assert response.context["paginator"].count == 20


def test_a_next_to_another_site_goes_home_instead(client, world):
    (notice,) = tell(world.lily)
    client.force_login(world.lily)
    response = client.post(reverse("notices:read", args=[notice.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("home")
    response = client.post(reverse("notices:read", args=[notice.pk]), {"next": "https://evil.example/notices/"})
    assert response.url == reverse("notices:list")  # the list, on this site


def test_someone_elses_notice_cannot_be_marked_read(client, world):
    (notice,) = tell(world.alice)
    client.force_login(world.lily)
    assert client.post(reverse("notices:read", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_clears_only_ones_own(client, world):
    tell(world.lily, key="a")
    tell(world.lily, key="b")
    tell(world.alice, key="a")
    client.force_login(world.lily)
    client.post(reverse("notices:read-all"))
    assert not Notice.objects.filter(recipient=world.lily, read_at__isnull=True).exists()
    assert Notice.objects.get(recipient=world.alice).read_at is None


def test_the_unread_filter_lists_unread_notices_only(client, world):
    tell(world.lily, key="a", title="已读的")
    tell(world.lily, key="b", title="未读的")
    Notice.objects.filter(title="已读的").update(read_at="2026-11-20T08:00:00Z")
    client.force_login(world.lily)
    page = client.get(reverse("notices:list"), {"unread": "1"}).content.decode()
    assert "未读的" in page and "已读的" not in page


# ------------------------------------------------------------------ 通知设置


def test_the_settings_page_shows_the_defaults_and_the_quiet_hours(client, world):
    client.force_login(world.lily)
    page = client.get(reverse("notices:settings"))
    form = page.context["form"]
    assert form.initial["reports__email"] is True and form.initial["reports__sms"] is False
    assert form.initial["quiet_enabled"] is True and form.initial["quiet_starts"] == datetime.time(22)
    assert "没有登记手机号码" not in page.content.decode()  # lily's person has a mobile


def settings_data(**changes):
    data = {f"{group}__{channel}": "on" for group in EventGroup.values for channel in ("email", "workchat")}
    data |= {"quiet_enabled": "on", "quiet_starts": "21:30", "quiet_ends": "06:45"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_person_chooses_channels_per_group_and_quiet_hours(client, world):
    client.force_login(world.lily)
    response = client.post(reverse("notices:settings"), settings_data(**{"items__sms": "on", "reports__email": None}))
    assert response.status_code == 302
    reports = Preference.objects.get(user=world.lily, group="reports")
    items = Preference.objects.get(user=world.lily, group="items")
    assert (reports.email, reports.sms, reports.workchat) == (False, False, True)
    assert (items.email, items.sms, items.workchat) == (True, True, True)
    quiet = QuietHours.objects.get(user=world.lily)
    assert (quiet.enabled, quiet.starts, quiet.ends) == (True, datetime.time(21, 30), datetime.time(6, 45))


def test_quiet_hours_that_start_when_they_end_are_refused_with_a_message(client, world):
    client.force_login(world.lily)
    response = client.post(reverse("notices:settings"), settings_data(quiet_starts="22:00", quiet_ends="22:00"))
    assert response.status_code == 200
    assert "开始和结束时间不能相同" in response.content.decode()
    assert not Preference.objects.exists() and not QuietHours.objects.exists()


def test_enabled_quiet_hours_need_both_times(client, world):
    client.force_login(world.lily)
    response = client.post(reverse("notices:settings"), settings_data(quiet_ends=""))
    assert "请填写开始和结束时间" in response.content.decode()


def test_a_malformed_time_is_refused(client, world):
    client.force_login(world.lily)
    response = client.post(reverse("notices:settings"), settings_data(quiet_starts="25:99"))
    assert response.status_code == 200 and not QuietHours.objects.exists()


def test_the_settings_page_says_when_there_is_no_email_or_mobile(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("notices:settings")).content.decode()
    assert "没有电子邮箱" in page and "没有登记手机号码" in page


# ------------------------------------------------------------------ robots


def robot_data(world, **changes):
    return {
        "region": world.county_a.pk,
        "kind": "dingtalk",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "secret": "SEC123",
        "active": "on",
    } | changes


def test_county_staff_add_their_countys_robot(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("notices:robot-create"), robot_data(world))
    assert response.status_code == 302
    robot = WorkChatRobot.objects.get()
    assert (robot.region, robot.kind, robot.secret) == (world.county_a, "dingtalk", "SEC123")
    page = client.get(reverse("notices:robot-list")).content.decode()
    assert "钉钉群机器人" in page and "SEC123" not in page


def test_editing_a_robot_with_a_blank_secret_keeps_it(client, world):
    robot = WorkChatRobot.objects.create(
        region=world.county_a, kind="dingtalk", webhook_url="https://oapi.dingtalk.com/robot/send?x=1", secret="SECold"
    )
    client.force_login(world.alice)
    form = client.get(reverse("notices:robot-edit", args=[robot.pk])).content.decode()
    assert "SECold" not in form
    client.post(reverse("notices:robot-edit", args=[robot.pk]), robot_data(world, secret="", kind="dingtalk"))
    robot.refresh_from_db()
    assert robot.secret == "SECold" and "access_token=abc" in robot.webhook_url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://oapi.dingtalk.com/robot/send", "https://"),
        ("https://10.0.0.8/robot/send", "主机必须是"),
        ("https://intranet.example.gov.cn/hook", "主机必须是"),
    ],
)
def test_a_webhook_outside_the_providers_hosts_is_refused(client, world, url, message):
    client.force_login(world.alice)
    response = client.post(reverse("notices:robot-create"), robot_data(world, webhook_url=url))
    assert response.status_code == 200 and message in response.content.decode()
    assert not WorkChatRobot.objects.exists()


def test_a_second_active_robot_for_a_region_is_refused(client, world):
    WorkChatRobot.objects.create(region=world.county_a, kind="wecom", webhook_url="https://qyapi.weixin.qq.com/x")
    client.force_login(world.alice)
    response = client.post(reverse("notices:robot-create"), robot_data(world))
    assert "已有一个启用的工作群机器人" in response.content.decode()
    assert WorkChatRobot.objects.count() == 1


def test_a_robot_cannot_be_set_for_another_county_or_a_township(client, world):
    client.force_login(world.alice)
    for region in (world.county_b, world.town_a):
        response = client.post(reverse("notices:robot-create"), robot_data(world, region=region.pk))
        assert response.status_code == 200
    assert not WorkChatRobot.objects.exists()


def test_staff_of_another_county_do_not_see_the_robot(client, world):
    robot = WorkChatRobot.objects.create(
        region=world.county_a, kind="wecom", webhook_url="https://qyapi.weixin.qq.com/x"
    )
    client.force_login(world.bob)
    assert "qyapi" not in client.get(reverse("notices:robot-list")).content.decode()
    assert client.get(reverse("notices:robot-edit", args=[robot.pk])).status_code == 404


def test_leaders_have_no_robot_pages(client, world):
    robot = WorkChatRobot.objects.create(
        region=world.county_a, kind="wecom", webhook_url="https://qyapi.weixin.qq.com/x"
    )
    client.force_login(world.lily)
    assert client.get(reverse("notices:robot-list")).status_code == 403
    assert client.get(reverse("notices:robot-create")).status_code == 403
    assert client.get(reverse("notices:robot-edit", args=[robot.pk])).status_code == 403


# ------------------------------------------------------------------ admin


def test_staff_with_admin_rights_do_not_read_other_peoples_notices(client, world):
    from django.contrib.auth.models import Permission

    tell(world.lily, title="莉莉的通知")
    world.alice.is_staff = True
    world.alice.save()
    world.alice.user_permissions.add(Permission.objects.get(codename="view_notice"))
    client.force_login(world.alice)
    assert client.get(reverse("admin:notices_notice_changelist")).status_code == 403


def test_a_superuser_sends_failed_deliveries_again(client, world, django_capture_on_commit_callbacks, mailoutbox):
    world.lily.email = "lily@example.com"
    world.lily.save()
    (notice,) = tell(world.lily)
    delivery = notice.deliveries.get(channel="email")
    Delivery.objects.filter(pk=delivery.pk).update(state="failed", attempts=8, last_error="SMTP down")
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:notices_delivery_changelist"),
            {"action": "send_again", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert delivery.state == "sent" and len(mailoutbox) == 1


def test_a_read_only_viewer_has_no_notice_settings(client, world):
    client.force_login(world.vera)
    assert client.get(reverse("notices:settings")).status_code == 403
    assert reverse("notices:settings") not in client.get(reverse("notices:list")).content.decode()


def test_township_staff_have_no_robot_pages(client, world):
    client.force_login(world.tina)
    assert client.get(reverse("notices:robot-list")).status_code == 403
    assert reverse("notices:robot-list") not in client.get(reverse("notices:list")).content.decode()
