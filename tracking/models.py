"""Tracked items (督办事项): a blocker an alliance cannot clear alone, assigned by county
staff to a department (or a township) with a deadline, answered by the department's
liaison, confirmed solved (and rated) by the alliance's leader.

States (``ItemState``) and the only moves between them (``TRANSITIONS``)::

    新提 new ──assign──▶ 已交办 assigned ──reply──▶ 办理中 in_progress
                              │  ▲                      │
                              │  └──────reassign────────┤
                              └────mark handled─────────┴──▶ 已办结 handled
    已办结 handled ──confirm + rating──▶ 已解决 solved (closed)
    已办结 handled ──reopen (note)─────▶ 重新办理 reopened ──reply / mark handled──▶ …

An item is **with the department** while assigned, in progress or reopened; it is
**overdue** when its deadline has passed while it is still with the department. The
weekly dispatch's four buckets follow (``bucket_of``): 逾期 overdue, else 新提 (new or
assigned, no answer yet), 办理中 (in progress or reopened), 已办结 (handled or solved).

Each transition stamps its own time on the item and appends one ``TrackedItemEvent``
(who, when, from → to, note): the history is append-only in the database. Every write
goes through ``tracking.services``; the invariants below are also database constraints.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance, Need
from core.audit import APPEND_ONLY
from members.access import ScopedQuerySet
from members.models import Department
from projects.models import ProgressReport


class ItemState(models.TextChoices):
    NEW = "new", _("新提")
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    HANDLED = "handled", _("已办结")
    SOLVED = "solved", _("已解决")
    REOPENED = "reopened", _("重新办理")


class ItemSource(models.TextChoices):
    REPORT = "report", _("进度报告协调事项")
    NEED = "need", _("联盟需求")
    STAFF = "staff", _("工作人员提出")


# The states in which the department holds the item (it may reply and mark it handled).
WITH_DEPARTMENT = (ItemState.ASSIGNED, ItemState.IN_PROGRESS, ItemState.REOPENED)
# The states after the department has handled it.
HANDLED_STATES = (ItemState.HANDLED, ItemState.SOLVED)
CLOSED_STATES = (ItemState.SOLVED,)


class Bucket(models.TextChoices):
    """The weekly dispatch's four buckets (one per item, as of a day)."""

    NEW = "new", _("新提")
    IN_PROGRESS = "in_progress", _("办理中")
    HANDLED = "handled", _("已办结")
    OVERDUE = "overdue", _("逾期")


def bucket_of(state: str, overdue: bool) -> str:
    if overdue:
        return Bucket.OVERDUE
    if state in (ItemState.NEW, ItemState.ASSIGNED):
        return Bucket.NEW
    if state in (ItemState.IN_PROGRESS, ItemState.REOPENED):
        return Bucket.IN_PROGRESS
    return Bucket.HANDLED


class EventAction(models.TextChoices):
    RAISED = "raised", _("提出")
    ASSIGNED = "assigned", _("交办")
    REASSIGNED = "reassigned", _("改派")
    REPLIED = "replied", _("答复")
    HANDLED = "handled", _("办结")
    SOLVED = "solved", _("确认解决")
    REOPENED = "reopened", _("重新办理")
    ESCALATED = "escalated", _("逾期上报")


# Actions whose note is required (what was said is the point of the action).
NOTE_REQUIRED = (EventAction.REPLIED, EventAction.HANDLED, EventAction.REOPENED)


class TrackedItemQuerySet(ScopedQuerySet):
    """County, city and township staff (and viewers) see the items of the alliances of
    their region; a leader the items of their alliances; a liaison their department's."""

    region_path = "alliance__lead_region"
    alliance_path = "alliance"
    department_path = "assignee"

    def with_department(self) -> TrackedItemQuerySet:
        return self.filter(state__in=WITH_DEPARTMENT)

    def overdue(self, today: datetime.date) -> TrackedItemQuerySet:
        """Past the deadline (the deadline day itself is still in time) and still with the
        department."""
        return self.with_department().filter(deadline__lt=today)

    def bucket_counts(self, today: datetime.date) -> dict[str, int]:
        """How many items in each bucket as of ``today`` (one GROUP BY; a bucket with none
        is absent): the counts the item list's bucket filter shows."""
        return dict(self.with_bucket(today).order_by().values_list("bucket").annotate(n=Count("pk")))

    def with_bucket(self, today: datetime.date) -> TrackedItemQuerySet:
        """``is_overdue`` and ``bucket`` (the dispatch's four) as of ``today``."""
        overdue = Q(state__in=WITH_DEPARTMENT, deadline__lt=today)
        return self.annotate(
            is_overdue=Case(When(overdue, then=Value(True)), default=Value(False), output_field=models.BooleanField()),
            bucket=Case(
                When(overdue, then=Value(Bucket.OVERDUE)),
                When(state__in=[ItemState.NEW, ItemState.ASSIGNED], then=Value(Bucket.NEW)),
                When(state__in=[ItemState.IN_PROGRESS, ItemState.REOPENED], then=Value(Bucket.IN_PROGRESS)),
                default=Value(Bucket.HANDLED),
                output_field=models.CharField(),
            ),
        )


def user_field(label, related_name="+"):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class TrackedItem(models.Model):
    alliance = models.ForeignKey(
        Alliance, verbose_name=_("联盟"), on_delete=models.PROTECT, related_name="tracked_items"
    )
    source = models.CharField(_("来源"), max_length=10, choices=ItemSource.choices, default=ItemSource.STAFF)
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("来源进度报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tracked_items",
    )
    need = models.ForeignKey(
        Need, verbose_name=_("来源需求"), null=True, blank=True, on_delete=models.PROTECT, related_name="tracked_items"
    )
    title = models.CharField(_("事项"), max_length=200)
    detail = models.TextField(_("具体情况"), blank=True)
    assignee = models.ForeignKey(
        Department,
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tracked_items",
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=ItemState.choices, default=ItemState.NEW)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True, help_text=_("1–5 分。"))
    raised_by = user_field(_("提出人"))
    raised_on = models.DateField(_("提出日期"), help_text=_("北京时间。"))
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now, editable=False)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("确认解决时间"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("最近重新办理时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TrackedItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ItemState.values), name="item_state_valid"),
            models.CheckConstraint(
                condition=Q(source=ItemSource.REPORT, report__isnull=False, need__isnull=True)
                | Q(source=ItemSource.NEED, need__isnull=False, report__isnull=True)
                | Q(source=ItemSource.STAFF, need__isnull=True, report__isnull=True),
                name="item_source_matches_link",
            ),
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(report__isnull=False),
                name="item_once_per_report",
                violation_error_message=_("该协调事项已转为督办事项。"),
            ),
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(need__isnull=False),
                name="item_once_per_need",
                violation_error_message=_("该需求已转为督办事项。"),
            ),
            # Assigned (with a department, a deadline and the time) exactly when past 新提.
            models.CheckConstraint(
                condition=Q(state=ItemState.NEW, assignee__isnull=True, deadline__isnull=True, assigned_at__isnull=True)
                | (
                    ~Q(state=ItemState.NEW)
                    & Q(assignee__isnull=False, deadline__isnull=False, assigned_at__isnull=False)
                ),
                name="item_assigned_past_new",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=F("raised_on")),
                name="item_deadline_not_before_raised",
            ),
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True, state__in=[s for s in ItemState.values if s not in HANDLED_STATES])
                | Q(handled_at__isnull=False, state__in=HANDLED_STATES),
                name="item_handled_at_iff_handled",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) & ~Q(state__in=CLOSED_STATES)
                | Q(closed_at__isnull=False, state__in=CLOSED_STATES),
                name="item_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) & ~Q(state=ItemState.SOLVED)
                | Q(rating__isnull=False, rating__gte=1, rating__lte=5, state=ItemState.SOLVED),
                name="item_rating_1_to_5_iff_solved",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=False) | ~Q(state=ItemState.REOPENED),
                name="item_reopened_has_time",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("handled_at")),
                name="item_closed_after_handled",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="item_title_not_empty"),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="item_state_deadline_idx"),
            models.Index(fields=["assignee", "state"], name="item_assignee_state_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tracking:detail", args=[self.pk])

    @property
    def is_with_department(self) -> bool:
        return self.state in WITH_DEPARTMENT

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    def overdue_on(self, today: datetime.date) -> bool:
        return self.is_with_department and self.deadline is not None and self.deadline < today

    def days_open(self, today: datetime.date) -> int:
        """Whole days from raising to its confirmation as solved (or to ``today``)."""
        from core.periods import local_zone

        end = self.closed_at.astimezone(local_zone()).date() if self.closed_at else today
        return max(0, (end - self.raised_on).days)


class TrackedItemEventQuerySet(ScopedQuerySet):
    region_path = "item__alliance__lead_region"
    alliance_path = "item__alliance"
    department_path = "item__assignee"


class TrackedItemEvent(models.Model):
    """One transition of an item: who, when, from which state to which, and what they said."""

    item = models.ForeignKey(TrackedItem, verbose_name=_("督办事项"), on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=EventAction.choices)
    actor = user_field(_("操作人"))
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(_("原状态"), max_length=12, choices=ItemState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=ItemState.choices)
    note = models.TextField(_("说明"), blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)

    objects = TrackedItemEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办事项记录")
        verbose_name_plural = _("督办事项记录")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=EventAction.values), name="item_event_action_valid"),
            models.CheckConstraint(
                condition=~Q(action__in=NOTE_REQUIRED) | ~Q(note=""), name="item_event_note_when_required"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(action=EventAction.SOLVED, rating__gte=1, rating__lte=5),
                name="item_event_rating_on_solved",
            ),
        ]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_action_display()}"
