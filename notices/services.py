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
import urllib.parse
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

from members.access import require_write
from members.models import Region
from members.services import validated_save

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
    at: datetime.datetime | None = None,
) -> list[Notice]:
    """Tell each recipient (users, or their ids) about one occurrence of ``event``.

    - ``event`` is a value of ``notices.models.Event``; ``key`` names the occurrence
      (``"report-12-revision-3"``; a week's reminder: its Monday, ``"2026-11-16"``): the same event, key and
      recipient make one notice, ever (a database constraint), so calling again, or from
      two workers at once, tells nobody twice.
    - ``title`` is the line shown under the bell and sent by SMS and work-chat; ``body``
      is the longer text (e-mail); ``link`` is a path on this site.
    - ``region`` (optional) picks the work-chat robot: the nearest robot of that region or
      the regions above it; without it, the recipient's own region (staff).
    - ``at`` (optional) is when the occurrence happened, the notice's time: now unless a
      step is told afterwards (tracking's services take the time of a step).

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
                        recipient=user,
                        event=event,
                        key=key,
                        title=title[:300],
                        body=body,
                        link=link[:300],
                        created_at=at or timezone.now(),
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


# ------------------------------------------------------------------ preferences


def preferences_of(user: Any) -> dict[str, dict[str, bool]]:
    """Each group's channels for the user (saved choices, else the defaults)."""
    chosen = {group: {c: DEFAULT_CHANNELS[c] for c in Channel.values} for group in EventGroup.values}
    for pref in Preference.objects.filter(user=user):
        chosen[pref.group] = {c: getattr(pref, c) for c in Channel.values}
    return chosen


def quiet_hours_of(user: Any) -> QuietHours:
    """The user's quiet hours, or an unsaved row holding the default."""
    saved = QuietHours.objects.filter(user=user).first()
    if saved is not None:
        return saved
    default = default_quiet_hours()
    if default is None:
        return QuietHours(user=user, enabled=False)
    return QuietHours(user=user, enabled=True, starts=default[0], ends=default[1])


@transaction.atomic
def preferences_save(
    *,
    user: Any,
    channels: dict[str, dict[str, bool]],
    quiet_enabled: bool,
    quiet_starts: datetime.time | None,
    quiet_ends: datetime.time | None,
) -> None:
    """Save the user's channels per group and quiet hours (all or nothing)."""
    if not getattr(user, "is_authenticated", False):
        raise ValidationError(_("请先登录。"))
    unknown = set(channels) - set(EventGroup.values)
    if unknown:
        raise ValidationError(_("未知的通知类别：%(groups)s") % {"groups": "、".join(sorted(unknown))})
    if quiet_enabled and (quiet_starts is None or quiet_ends is None):
        raise ValidationError({"quiet_starts": _("启用免打扰时请填写开始和结束时间。")})
    if quiet_enabled and quiet_starts == quiet_ends:
        raise ValidationError({"quiet_ends": _("免打扰的开始和结束时间不能相同。")})
    for group, chosen in channels.items():
        Preference.objects.update_or_create(
            user=user, group=group, defaults={c: bool(chosen.get(c)) for c in Channel.values}
        )
    current = quiet_hours_of(user)
    QuietHours.objects.update_or_create(
        user=user,
        defaults={
            "enabled": quiet_enabled,
            "starts": quiet_starts or current.starts,
            "ends": quiet_ends or current.ends,
        },
    )


# ------------------------------------------------------------------ robots


def check_robot_url(url: str) -> None:
    """A robot's webhook must be https on one of ``NOTICE_ROBOT_HOSTS`` (the providers'
    hosts): the server posts to it, so it must not reach into the internal network."""
    parts = urllib.parse.urlsplit(url or "")
    allowed = settings.NOTICE_ROBOT_HOSTS
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError({"webhook_url": _("请填写机器人的 Webhook 地址（https://…）。")})
    if parts.scheme != "https" and parts.hostname not in settings.NOTICE_ROBOT_INSECURE_HOSTS:
        raise ValidationError({"webhook_url": _("Webhook 地址必须以 https:// 开头。")})
    if parts.hostname not in allowed:
        raise ValidationError(
            {"webhook_url": _("Webhook 地址的主机必须是 %(hosts)s 之一。") % {"hosts": "、".join(allowed)}}
        )


@transaction.atomic
def robot_save(*, actor: Any, robot: WorkChatRobot | None = None, **fields: Any) -> WorkChatRobot:
    """Create or change a region's work-chat robot (staff who may change the region).
    A blank ``secret`` keeps the robot's current one."""
    robot = robot or WorkChatRobot()
    if robot.pk is not None:
        require_write(actor, robot.region)
    secret = (fields.pop("secret", "") or "").strip()
    for name, value in fields.items():
        setattr(robot, name, value.strip() if isinstance(value, str) else value)
    if secret:
        robot.secret = secret
    require_write(actor, robot.region)
    if robot.region.level not in ("city", "county"):
        raise ValidationError({"region": _("工作群机器人只能配置在市或县（区）。")})
    check_robot_url(robot.webhook_url)
    if robot.active and (WorkChatRobot.objects.filter(region=robot.region, active=True).exclude(pk=robot.pk).exists()):
        raise ValidationError({"region": _("该区域已有一个启用的工作群机器人，请先停用它。")})
    return validated_save(robot, actor=actor)
