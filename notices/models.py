"""Notices: one per recipient per event occurrence, delivered per channel.

A ``Notice`` is the in-app notice itself (the bell lists it); each other channel a
recipient chose gets one ``Delivery`` row that a Celery task claims, sends and marks
(``notices.delivery``). ``Preference`` and ``QuietHours`` are the recipient's choices;
``WorkChatRobot`` is a county's 企业微信 or 钉钉 group robot.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.access import ScopedQuerySet
from members.models import Region


class Event(models.TextChoices):
    REPORT_RETURNED = "report_returned", _("进度报告被退回")
    REPORTS_WAITING_REVIEW = "reports_waiting_review", _("进度报告待审核（每日汇总）")
    PROGRESS_REMINDER = "progress_reminder", _("进度填报提醒")
    MEETING_DUE = "meeting_due", _("“三会”到期提醒")
    NEED_CLAIMED = "need_claimed", _("需求被认领")
    ITEM_ASSIGNED = "item_assigned", _("督办事项交办")
    ITEM_REPLIED = "item_replied", _("督办事项答复")
    ITEM_HANDLED = "item_handled", _("督办事项办结")
    ITEM_OVERDUE = "item_overdue", _("督办事项逾期")
    ITEM_ESCALATED = "item_escalated", _("督办事项上报")
    ITEM_REOPENED = "item_reopened", _("督办事项重新办理")
    ROLLUP_DRAFT_READY = "rollup_draft_ready", _("通报草稿已生成")
    BULLETIN_PUBLISHED = "bulletin_published", _("通报已发布")


class EventGroup(models.TextChoices):
    """What a person chooses channels for: events grouped by the work they belong to."""

    REPORTS = "reports", _("项目进度填报与审核")
    OPERATIONS = "operations", _("联盟运行（三会、认领）")
    ITEMS = "items", _("督办事项")
    ROLLUPS = "rollups", _("调度通报")


EVENT_GROUP: dict[str, str] = {
    Event.REPORT_RETURNED: EventGroup.REPORTS,
    Event.REPORTS_WAITING_REVIEW: EventGroup.REPORTS,
    Event.PROGRESS_REMINDER: EventGroup.REPORTS,
    Event.MEETING_DUE: EventGroup.OPERATIONS,
    Event.NEED_CLAIMED: EventGroup.OPERATIONS,
    Event.ITEM_ASSIGNED: EventGroup.ITEMS,
    Event.ITEM_REPLIED: EventGroup.ITEMS,
    Event.ITEM_HANDLED: EventGroup.ITEMS,
    Event.ITEM_OVERDUE: EventGroup.ITEMS,
    Event.ITEM_ESCALATED: EventGroup.ITEMS,
    Event.ITEM_REOPENED: EventGroup.ITEMS,
    Event.ROLLUP_DRAFT_READY: EventGroup.ROLLUPS,
    Event.BULLETIN_PUBLISHED: EventGroup.ROLLUPS,
}


class Channel(models.TextChoices):
    """The channels besides the site (the in-app notice is the ``Notice`` row itself)."""

    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WORKCHAT = "workchat", _("工作群机器人")


# A person without a saved choice for a group gets these (the site always).
DEFAULT_CHANNELS = {Channel.EMAIL: True, Channel.SMS: False, Channel.WORKCHAT: True}
# Quiet hours hold back these channels (never the site, never e-mail).
QUIET_CHANNELS = frozenset({Channel.SMS, Channel.WORKCHAT})


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user) -> NoticeQuerySet:
        """A notice is for its addressee alone; a caller without an account (anonymous,
        a big-screen API token) has none."""
        if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """One event occurrence told to one person: listed under the bell until read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notices"
    )
    event = models.CharField(_("事件"), max_length=40, choices=Event.choices)
    key = models.CharField(_("事件编号"), max_length=120)
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("通知时间"), default=timezone.now, editable=False, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "key", "recipient"], name="notice_once_per_event_and_recipient"),
            models.CheckConstraint(condition=~Q(key=""), name="notice_key_not_empty"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_recipient_unread")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("不发送")


class Delivery(models.Model):
    """One notice on one channel: claimed by a worker (``sending``, ``claimed_at``), then
    marked ``sent`` or ``failed`` with the reason; a claim older than the lease is taken
    over by the next worker (its holder died)."""

    notice = models.ForeignKey(Notice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    address = models.CharField(_("发送地址"), max_length=300, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("失败原因"), blank=True)
    not_before = models.DateTimeField(_("最早发送时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="delivery_once_per_channel"),
            models.CheckConstraint(
                condition=Q(state=DeliveryState.SENT, sent_at__isnull=False)
                | (~Q(state=DeliveryState.SENT) & Q(sent_at__isnull=True)),
                name="delivery_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(state=DeliveryState.SENDING, claimed_at__isnull=False) | ~Q(state=DeliveryState.SENDING),
                name="delivery_sending_is_claimed",
            ),
        ]
        indexes = [models.Index(fields=["state", "not_before"], name="delivery_state_due")]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.get_channel_display()} · {self.get_state_display()}"

    @property
    def out_id(self) -> str:
        """The id the provider sees for this delivery (SMS OutId, e-mail Message-ID,
        the reference at the foot of a work-chat message): the same on every attempt."""
        return f"notice-{self.notice_id}-{self.channel}"


class Preference(models.Model):
    """A person's channels for one group of events (no row: ``DEFAULT_CHANNELS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="notice_preferences"
    )
    group = models.CharField(_("通知类别"), max_length=20, choices=EventGroup.choices)
    email = models.BooleanField(_("电子邮件"), default=DEFAULT_CHANNELS[Channel.EMAIL])
    sms = models.BooleanField(_("短信"), default=DEFAULT_CHANNELS[Channel.SMS])
    workchat = models.BooleanField(_("工作群机器人"), default=DEFAULT_CHANNELS[Channel.WORKCHAT])

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="notice_preference_once_per_group")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_group_display()}"


class QuietHours(models.Model):
    """Hours (Asia/Shanghai) when SMS and work-chat messages wait; may cross midnight."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="quiet_hours"
    )
    enabled = models.BooleanField(_("启用免打扰"), default=True)
    starts = models.TimeField(_("开始时间"), default=datetime.time(22, 0))
    ends = models.TimeField(_("结束时间"), default=datetime.time(7, 0))

    class Meta:
        verbose_name = _("免打扰时段")
        verbose_name_plural = _("免打扰时段")
        constraints = [models.CheckConstraint(condition=~Q(starts=models.F("ends")), name="quiet_hours_not_empty")]

    def __str__(self) -> str:
        return f"{self.user} · {self.starts:%H:%M}–{self.ends:%H:%M}"


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class WorkChatRobotQuerySet(ScopedQuerySet):
    region_path = "region"
    alliance_path = None


class WorkChatRobot(models.Model):
    """A county's (or city's) work-chat group robot: notices of people in the region are
    posted there, mentioning their mobile number."""

    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=RobotKind.choices)
    webhook_url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = WorkChatRobotQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作群机器人")
        verbose_name_plural = _("工作群机器人")
        ordering = ["region__code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(active=True),
                name="one_active_robot_per_region",
                violation_error_message=_("该区域已有一个启用的工作群机器人，请先停用它。"),
            ),
            models.CheckConstraint(
                condition=Q(webhook_url__startswith="https://") | Q(webhook_url__startswith="http://"),
                name="robot_webhook_is_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_kind_display()}"
