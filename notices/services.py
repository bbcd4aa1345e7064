"""Telling people what waits for them: ``notify`` is the one way in.

Every event of the platform (a report returned, a claim on a need, a rollup drafted, …)
calls ``notify`` from its app's service. It creates one in-app ``Notice`` per recipient
and, for each other channel the recipient chose (e-mail, SMS, work-chat robot), one
``Delivery`` row; the deliveries are queued as Celery tasks once the caller's transaction
commits (``transaction.on_commit``), so nothing is sent from a web request's thread and a
rolled-back change tells nobody.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Region

from .models import (
    DEFAULT_CHANNELS,
    EVENT_GROUP,
    QUIET_CHANNELS,
    Channel,
    Delivery,
    DeliveryState,
    Event,
    EventGroup,
    Notice,
    Preference,
    QuietHours,
    WorkChatRobot,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def notify(
    *,
    event: str,
    recipients: Iterable[Any],
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    region: Region | None = None,
) -> list[Notice]:
    """Tell each recipient (users, or their ids) about one occurrence of ``event``.

    - ``event`` is a value of ``notices.models.Event``; ``key`` names the occurrence
      (``"report:123:returned:2"``, ``"week:2026-11-16"``): the same event, key and
      recipient make one notice, ever (a database constraint), so calling again, or from
      two workers at once, tells nobody twice.
    - ``title`` is the line shown under the bell and sent by SMS and work-chat; ``body``
      is the longer text (e-mail); ``link`` is a path on this site.
    - ``region`` (optional) picks the work-chat robot: the nearest robot of that region or
      the regions above it; without it, the recipient's own region (staff).

    Returns the notices created by this call (an empty list when all existed already).
    Deliveries per channel follow each recipient's preferences; SMS and work-chat wait for
    the end of the recipient's quiet hours. Call it inside the caller's transaction: the
    deliveries are queued when it commits, never sent from the request's thread.
    """
    if event not in Event.values:
        raise ValidationError(_("未知的通知事件：%(event)s") % {"event": event})
    if not key:
        raise ValidationError(_("通知必须有事件编号。"))
    if not title:
        raise ValidationError(_("通知必须有标题。"))
    users = list(_users(recipients))
    if not users:
        return []
    created: list[Notice] = []
    with transaction.atomic():
        existing = set(
            Notice.objects.filter(event=event, key=key, recipient__in=users).values_list("recipient_id", flat=True)
        )
        for user in users:
            if user.pk in existing:
                continue
            try:
                with transaction.atomic():
                    notice = Notice.objects.create(
                        recipient=user, event=event, key=key, title=title[:300], body=body, link=link[:300]
                    )
            except IntegrityError:
                continue  # made by a concurrent call for the same occurrence
            created.append(notice)
        deliveries = plan_deliveries(created, event=event, region=region)
        due = [d.pk for d in deliveries if d.state == DeliveryState.PENDING and d.not_before is None]
        if due:
            transaction.on_commit(lambda: queue_deliveries(due))
    return created


def queue_deliveries(delivery_ids: list[int]) -> None:
    from core.jobs import send

    from .tasks import deliver

    for delivery_id in delivery_ids:
        send(deliver, (delivery_id,), {})


def _users(recipients: Iterable[Any]) -> QuerySet:
    ids = {getattr(r, "pk", r) for r in recipients}
    ids.discard(None)
    return (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .select_related("person", "access_profile__region")
        .order_by("pk")
    )


def channels_for(users: list[Any], group: str) -> dict[int, set[str]]:
    """The channels each user chose for ``group`` (one query)."""
    chosen = {u.pk: {c for c, on in DEFAULT_CHANNELS.items() if on} for u in users}
    for pref in Preference.objects.filter(user__in=users, group=group):
        chosen[pref.user_id] = {c for c in Channel.values if getattr(pref, c)}
    return chosen


def default_quiet_hours() -> tuple[datetime.time, datetime.time] | None:
    value = settings.NOTICE_QUIET_HOURS
    if not value:
        return None
    starts, ends = value.split("-")
    return datetime.time.fromisoformat(starts), datetime.time.fromisoformat(ends)


def quiet_until(hours: tuple[datetime.time, datetime.time] | None, now: datetime.datetime) -> datetime.datetime | None:
    """When the quiet hours that hold ``now`` end (None: ``now`` is not quiet)."""
    if hours is None:
        return None
    starts, ends = hours
    local = now.astimezone(SHANGHAI)
    moment = local.time()
    if starts < ends:
        inside = starts <= moment < ends
        end_day = local.date()
    else:  # across midnight, e.g. 22:00–07:00
        inside = moment >= starts or moment < ends
        end_day = local.date() + datetime.timedelta(days=1) if moment >= starts else local.date()
    if not inside:
        return None
    return datetime.datetime.combine(end_day, ends, tzinfo=SHANGHAI).astimezone(datetime.UTC)


def quiet_hours_for(users: list[Any]) -> dict[int, tuple[datetime.time, datetime.time] | None]:
    default = default_quiet_hours()
    hours: dict[int, tuple[datetime.time, datetime.time] | None] = {u.pk: default for u in users}
    for row in QuietHours.objects.filter(user__in=users):
        hours[row.user_id] = (row.starts, row.ends) if row.enabled else None
    return hours


def robot_for(region: Region | None) -> WorkChatRobot | None:
    """The nearest active robot of ``region`` or the regions above it."""
    if region is None:
        return None
    return (
        WorkChatRobot.objects.filter(active=True, region__code__in=region.lineage_codes())
        .order_by("-region__code")
        .first()
    )


def default_robot_address() -> str:
    if settings.NOTICE_WECOM_WEBHOOK:
        return "default:wecom"
    if settings.NOTICE_DINGTALK_WEBHOOK:
        return "default:dingtalk"
    return ""


def workchat_address(user: Any, region: Region | None, robots: dict[Any, WorkChatRobot | None]) -> str:
    where = region or getattr(getattr(user, "access_profile", None), "region", None)
    key = where.pk if where is not None else None
    if key not in robots:
        robots[key] = robot_for(where)
    robot = robots[key]
    return f"robot:{robot.pk}" if robot is not None else default_robot_address()


def mobile_of(user: Any) -> str:
    person = getattr(user, "person", None)
    return person.mobile if person is not None else ""


NO_ADDRESS = {
    Channel.EMAIL: "未填写电子邮箱，不发送。",
    Channel.SMS: "未登记手机号码，不发送。",
    Channel.WORKCHAT: "所在区域未配置工作群机器人，不发送。",
}


def plan_deliveries(notices: list[Notice], *, event: str, region: Region | None = None) -> list[Delivery]:
    """One delivery per notice per chosen channel: pending (or waiting for the end of the
    quiet hours), or skipped with the reason when the person has no address there."""
    if not notices:
        return []
    users = [n.recipient for n in notices]
    chosen = channels_for(users, EVENT_GROUP.get(event, EventGroup.REPORTS))
    hours = quiet_hours_for(users)
    now = timezone.now()
    robots: dict[Any, WorkChatRobot | None] = {}
    rows = []
    for notice in notices:
        user = notice.recipient
        for channel in Channel.values:
            if channel not in chosen[user.pk]:
                continue
            if channel == Channel.EMAIL:
                address = user.email
            elif channel == Channel.SMS:
                address = mobile_of(user)
            else:
                address = workchat_address(user, region, robots)
            delivery = Delivery(notice=notice, channel=channel, address=address)
            if not address:
                delivery.state = DeliveryState.SKIPPED
                delivery.last_error = NO_ADDRESS[channel]
            elif channel in QUIET_CHANNELS:
                delivery.not_before = quiet_until(hours[user.pk], now)
            rows.append(delivery)
    return Delivery.objects.bulk_create(rows)


def mark_read(*, user: Any, notice: Notice) -> None:
    Notice.objects.visible_to(user).filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, user: Any) -> int:
    return Notice.objects.visible_to(user).unread().update(read_at=timezone.now())
