"""Each alliance's yearly project list (订单 · 领单), its milestones and the weekly progress
reports alliance leaders submit and county or township staff review (评单)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alliances.models import Alliance
from core.db import subquery_count, value_of
from members.access import ScopedQuerySet
from members.models import PINYIN_FIELDS, MemberOrganization, Person, PinyinNamed, TimeStamped

from .weeks import current_week, local_today, week_label

NON_NEGATIVE = [MinValueValidator(0)]


# The four sources a project's funding comes from.
FUNDING_FIELDS = ("funds_higher_level", "funds_self_raised", "funds_common_prosperity", "funds_social_capital")

# Sums of money fields (a province's investment runs to billions of yuan).
MONEY = models.DecimalField(max_digits=16, decimal_places=2)


def money_field(label: str, **kwargs) -> models.DecimalField:
    """Yuan, never a float; never negative."""
    return models.DecimalField(label, max_digits=14, decimal_places=2, validators=NON_NEGATIVE, **kwargs)


class ProjectCategory(models.TextChoices):
    INDUSTRY = "industry", _("产业融合")
    GOVERNANCE = "governance", _("治理联动")
    SERVICE = "service", _("服务提质")
    PLANNING = "planning", _("规划建设")
    LIVELIHOOD = "livelihood", _("民生实事")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("推进中")
    COMPLETED = "completed", _("已完成")
    DELAYED = "delayed", _("延期")
    CANCELLED = "cancelled", _("已取消")


# The only status changes allowed; completed and cancelled are final.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    ProjectStatus.PLANNED: frozenset({ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED}),
    ProjectStatus.IN_PROGRESS: frozenset({ProjectStatus.COMPLETED, ProjectStatus.DELAYED, ProjectStatus.CANCELLED}),
    ProjectStatus.DELAYED: frozenset({ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED}),
    ProjectStatus.COMPLETED: frozenset(),
    ProjectStatus.CANCELLED: frozenset(),
}
# Under way: these projects report every week (a delayed project is still being worked on).
ACTIVE_STATUSES = (ProjectStatus.IN_PROGRESS, ProjectStatus.DELAYED)
# Not finished: these can be late.
OPEN_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS, ProjectStatus.DELAYED)


class ProjectQuerySet(ScopedQuerySet):
    region_path = "alliance__lead_region"
    alliance_path = "alliance"

    def with_flags(self, today: datetime.date | None = None) -> ProjectQuerySet:
        """``is_silent`` and ``is_late``, computed by the database for the day ``today``
        (default: today in Asia/Shanghai).

        silent: under way (in progress or delayed) with no report received for the ISO week
        of ``today``: none sent, or the one sent standing returned (the reporting rule's
        "received", read now); late: not finished and its due date, or one of its
        milestones' due dates, has passed.
        """
        today = today or local_today()
        this_week = ProgressReport.objects.filter(project=OuterRef("pk"), period=current_week(today)).exclude(
            status=ReportStatus.RETURNED
        )
        return self.with_late_flag(today).annotate(
            is_silent=ExpressionWrapper(
                Q(status__in=ACTIVE_STATUSES) & ~Q(Exists(this_week)), output_field=BooleanField()
            ),
        )

    def with_late_flag(self, today: datetime.date) -> ProjectQuerySet:
        """``is_late`` alone (see ``with_flags``): as of ``today`` (a period's end for the
        dispatch and the bulletin), not finished before it (completed or cancelled on it or
        later counts as not yet, as a milestone done on it or later does) and its due date,
        or one of its milestones' (``MilestoneQuerySet.overdue_on``), passed before it."""
        overdue = Milestone.objects.overdue_on(today).filter(project=OuterRef("pk"))
        # (``isnull=False`` keeps the flag true or false, never SQL's NULL, for a day missing.)
        unfinished = (
            Q(status__in=OPEN_STATUSES)
            | Q(status=ProjectStatus.COMPLETED, completed_on__isnull=False, completed_on__gte=today)
            | Q(status=ProjectStatus.CANCELLED, cancelled_on__isnull=False, cancelled_on__gte=today)
        )
        return self.annotate(
            is_late=ExpressionWrapper(
                unfinished & (Q(due_on__lt=today) | Q(Exists(overdue))), output_field=BooleanField()
            ),
        )

    def with_progress(self) -> ProjectQuerySet:
        """``percent_complete`` by the one rule of a project's standing figures (as the
        project-completion indicator reads it, and as the ledger's money to date): 100 once
        completed, else that of its latest report not returned (``latest_standing_report``;
        None before any), ``last_period`` (the latest week reported) and
        ``pending_reports`` (awaiting review)."""
        return self.with_last_period().annotate(
            percent_complete=Case(
                When(status=ProjectStatus.COMPLETED, then=Value(100)),
                default=Subquery(latest_standing_report().values("percent_complete")[:1]),
                output_field=IntegerField(),
            ),
            pending_reports=subquery_count(ProgressReport.objects.filter(status=ReportStatus.SUBMITTED), "project"),
        )

    def with_last_period(self) -> ProjectQuerySet:
        """``last_period``: the latest week reported, None without a report. Each project's
        week is read backwards from the (project, week) unique index, so a region's projects
        cost one index probe each, not a grouping of all their reports."""
        latest = ProgressReport.objects.filter(project=OuterRef("pk")).order_by("-period")
        return self.annotate(last_period=Subquery(latest.values("period")[:1]))

    def with_last_status(self) -> ProjectQuerySet:
        """``last_status``: the status of the latest week's report (the list marks a week
        returned), read the same way as ``last_period``."""
        latest = ProgressReport.objects.filter(project=OuterRef("pk")).order_by("-period")
        return self.annotate(last_status=Subquery(latest.values("status")[:1]))

    def with_investment_to_date(self, before: datetime.date | None = None) -> ProjectQuerySet:
        """``spent``: the investment to date of each project's latest standing report (of a
        week that began before ``before``, when given; see ``latest_standing_report``), 0
        without one: the figure scoring's investment indicator reads."""
        latest = latest_standing_report(before).values("investment_to_date")[:1]
        return self.annotate(spent=Coalesce(Subquery(latest), Decimal(0), output_field=MONEY))

    def investment_totals(self) -> dict:
        """The money of these projects as the dashboard adds it (docs/indicators.md), in
        yuan: of those not cancelled, the ``planned`` investment and the investment to date
        (``spent``, each one's latest standing report)."""
        totals = (
            self.exclude(status=ProjectStatus.CANCELLED)
            .with_investment_to_date()
            .aggregate(total_spent=Sum("spent", output_field=MONEY), total_planned=Sum("planned_investment"))
        )
        return {"spent": totals["total_spent"] or Decimal(0), "planned": totals["total_planned"] or Decimal(0)}

    def with_names(self) -> ProjectQuerySet:
        """The names the API shows beside the foreign keys, read by the list query itself:
        no alliance, region, organization or person instances per project."""
        return self.annotate(
            alliance_name=value_of(Alliance, "alliance_id"),
            region_code=value_of(Alliance, "alliance_id", "lead_region__code"),
            responsible_organization_name=value_of(MemberOrganization, "responsible_organization_id"),
            responsible_person_name=value_of(Person, "responsible_person_id"),
        )

    def for_lists(self, today: datetime.date | None = None) -> ProjectQuerySet:
        return (
            self.select_related("alliance__lead_region", "responsible_organization", "responsible_person")
            .with_flags(today)
            .with_progress()
        )


class Project(PinyinNamed, TimeStamped):
    pinyin_source = "title"

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.PROTECT, related_name="projects")
    # The alliance's code, copied for the list's order and kept equal by the database (projects/ordering.py).
    alliance_code = models.CharField(_("联盟编号"), max_length=32, editable=False, default="")
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)], help_text=_("列入哪一年的项目清单。")
    )
    title = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=20, choices=ProjectCategory.choices)
    description = models.TextField(_("项目内容"), blank=True)
    # 领单: who answers for the project.
    responsible_organization = models.ForeignKey(
        MemberOrganization,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.ForeignKey(
        Person, verbose_name=_("责任人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Targets, each optional.
    planned_investment = money_field(_("计划投资（元）"), null=True, blank=True)
    expected_income_increase = money_field(_("预计村集体增收（元）"), null=True, blank=True)
    households_benefited = models.PositiveIntegerField(_("受益户数"), null=True, blank=True)
    people_employed = models.PositiveIntegerField(_("带动就业人数"), null=True, blank=True)
    land_mu = models.DecimalField(
        _("涉及土地（亩）"), max_digits=10, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    # Funding by source.
    funds_higher_level = money_field(_("上级资金（元）"), default=Decimal("0"))
    funds_self_raised = money_field(_("自筹资金（元）"), default=Decimal("0"))
    funds_common_prosperity = money_field(_("共富基金（元）"), default=Decimal("0"))
    funds_social_capital = money_field(_("社会资本（元）"), default=Decimal("0"))
    start_on = models.DateField(_("开工日期"))
    due_on = models.DateField(_("计划完成日期"))
    status = models.CharField(_("状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    # The days (Asia/Shanghai) the status became completed or cancelled, set by the service
    # that changes it: whether a project was under way on a past day is read from them.
    completed_on = models.DateField(_("完成日期"), null=True, blank=True, editable=False)
    cancelled_on = models.DateField(_("取消日期"), null=True, blank=True, editable=False)
    # Raised by one on every change: an edit based on an older version is refused.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["alliance_code", *PINYIN_FIELDS])

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-year", "alliance_code", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "year", "title"],
                name="project_unique_title_per_alliance_year",
                violation_error_message=_("本联盟该年度已有同名项目。"),
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("start_on")), name="project_due_after_start"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="project_year_range"),
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=ProjectStatus.COMPLETED),
                name="project_completed_on_only_if_completed",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True) | Q(status=ProjectStatus.CANCELLED),
                name="project_cancelled_on_only_if_cancelled",
            ),
            models.CheckConstraint(
                condition=(Q(planned_investment__isnull=True) | Q(planned_investment__gte=0))
                & (Q(expected_income_increase__isnull=True) | Q(expected_income_increase__gte=0))
                & (Q(land_mu__isnull=True) | Q(land_mu__gte=0))
                & Q(
                    funds_higher_level__gte=0,
                    funds_self_raised__gte=0,
                    funds_common_prosperity__gte=0,
                    funds_social_capital__gte=0,
                ),
                name="project_amounts_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="project_status_due_idx"),
            # The list's order, ties broken by id: any page is a walk along this index.
            models.Index(fields=["-year", "alliance_code", "title", "id"], name="project_list_order_idx"),
        ]
        triggers = [
            # The copy of the alliance's code is the database's to write (projects/ordering.py).
            pgtrigger.Trigger(
                name="alliance_code_copy",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("alliance_id", "alliance_code"),
                func="NEW.alliance_code := (SELECT code FROM alliances_alliance WHERE id = NEW.alliance_id); "
                "RETURN NEW;",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def total_funding(self) -> Decimal:
        return sum((getattr(self, name) for name in FUNDING_FIELDS), Decimal(0))

    @property
    def allowed_statuses(self) -> list[tuple[str, str]]:
        allowed = STATUS_TRANSITIONS[ProjectStatus(self.status)]
        return [(value, label) for value, label in ProjectStatus.choices if value in allowed]

    def clean(self) -> None:
        if self.start_on and self.due_on and self.due_on < self.start_on:
            raise ValidationError({"due_on": _("计划完成日期不能早于开工日期。")})


class MilestoneQuerySet(ScopedQuerySet):
    region_path = "project__alliance__lead_region"
    alliance_path = "project__alliance"

    def overdue_on(self, day: datetime.date) -> MilestoneQuerySet:
        """Overdue as of ``day``: due before it and not done before it (done on ``day`` or
        later, or not yet). The one rule of the project lists, the dispatch and the bulletin."""
        return self.filter(Q(done_on__isnull=True) | Q(done_on__gte=day), due_on__lt=day)


class Milestone(TimeStamped):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点名称"), max_length=200)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "title"],
                name="milestone_unique_title_per_project",
                violation_error_message=_("本项目已有同名节点。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.title}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """``MilestoneQuerySet.overdue_on``'s rule for one milestone."""
        day = today or local_today()
        return self.due_on < day and (self.done_on is None or self.done_on >= day)


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


class ProgressReportQuerySet(ScopedQuerySet):
    region_path = "project__alliance__lead_region"
    alliance_path = "project__alliance"

    def with_previous_percent(self) -> ProgressReportQuerySet:
        """``previous_percent``: the percent of the project's latest earlier report that was
        not returned (a returned report's figures were not accepted)."""
        earlier = (
            ProgressReport.objects.filter(project=OuterRef("project"), period__lt=OuterRef("period"))
            .exclude(status=ReportStatus.RETURNED)
            .order_by("-period")
        )
        return self.annotate(previous_percent=Subquery(earlier.values("percent_complete")[:1]))


def latest_standing_report(before: datetime.date | None = None) -> QuerySet:
    """The reports of the outer query's project (``OuterRef("pk")``), latest week first, of
    weeks that began before ``before`` (when given), returned reports aside: a returned
    report's figures were not accepted, so the report before it stands. The one rule for
    the project's standing figures, in scoring (docs/indicators.md) and in the rollups."""
    reports = ProgressReport.objects.filter(project=OuterRef("pk")).exclude(status=ReportStatus.RETURNED)
    if before is not None:
        reports = reports.filter(period__lt=before)
    return reports.order_by("-period")


def user_field(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=label, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


# What a leader writes in a report: kept on the report and copied into each reviewed version.
CONTENT_FIELDS = (
    "percent_complete",
    "investment_to_date",
    "work_done",
    "blockers",
    "needs_coordination",
    "coordination_request",
)


class ReportVersion(models.Model):
    """The content of one submitted version of a report, who sent it and who reviewed it."""

    percent_complete = models.PositiveSmallIntegerField(
        _("完成进度（%）"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    investment_to_date = money_field(_("累计完成投资（元）"), default=Decimal("0"))
    work_done = models.TextField(_("本周完成情况"))
    blockers = models.TextField(_("堵点难点"), blank=True)
    needs_coordination = models.BooleanField(_("需要协调"), default=False)
    coordination_request = models.TextField(_("协调事项"), blank=True)
    submitted_by = user_field(_("填报人"))
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewed_by = user_field(_("审核人"))
    review_comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        abstract = True


class ProgressReport(ReportVersion):
    """One report per project per ISO week; the row holds the latest submitted version."""

    # No index of its own: the (project, period) unique constraint's index serves every lookup by
    # project, and a second one misled the planner into filtering a project's whole history.
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reports", db_index=False
    )
    period = models.DateField(_("填报周"), help_text=_("所属周的星期一。"))
    status = models.CharField(
        _("审核状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    revision = models.PositiveSmallIntegerField(_("版本"), default=1, help_text=_("第几次提交。"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["-period", "project"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="report_one_per_project_week",
                violation_error_message=_("该项目本周已有进度报告。"),
            ),
            models.CheckConstraint(condition=Q(period__iso_week_day=1), name="report_period_is_monday"),
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0, percent_complete__lte=100), name="report_percent_0_to_100"
            ),
            models.CheckConstraint(condition=Q(investment_to_date__gte=0), name="report_investment_not_negative"),
            models.CheckConstraint(
                condition=Q(needs_coordination=False) | ~Q(coordination_request=""),
                name="report_coordination_has_text",
            ),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.RETURNED) | ~Q(review_comment=""),
                name="report_returned_has_comment",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "period"], name="report_status_period_idx"),
            # The review queue: a county's or a city's reports waiting for review, found
            # project by project without reading the reviewed reports of each
            # (measured in docs/benchmarks.md, "review queue").
            models.Index(
                fields=["project", "period"],
                condition=Q(status=ReportStatus.SUBMITTED),
                name="report_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.week_label}"

    def get_absolute_url(self) -> str:
        return reverse("projects:report-detail", args=[self.pk])

    @property
    def week_label(self) -> str:
        return week_label(self.period) if self.period else ""

    @property
    def percent_decreased(self) -> bool:
        previous = getattr(self, "previous_percent", None)
        return previous is not None and self.percent_complete < previous

    def clean(self) -> None:
        errors = {}
        if self.period and self.period.weekday() != 0:
            errors["period"] = _("填报周必须以星期一表示。")
        if self.needs_coordination and not self.coordination_request.strip():
            errors["coordination_request"] = _("勾选“需要协调”时，请写明需要协调的事项。")
        if errors:
            raise ValidationError(errors)


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("PDF 文件")


class ReportAttachmentQuerySet(ScopedQuerySet):
    region_path = "report__project__alliance__lead_region"
    alliance_path = "report__project__alliance"


class ReportAttachment(models.Model):
    """A photo or PDF of a report, checked by content and stripped of location data
    (see core.uploads); stored through Django's default storage."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进度报告"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="progress/%Y/%m/", max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=AttachmentKind.choices)
    content_type = models.CharField(_("内容类型"), max_length=50)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    revision = models.PositiveSmallIntegerField(_("随第几次提交上传"), default=1)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ReportAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告附件")
        verbose_name_plural = _("报告附件")
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def get_absolute_url(self) -> str:
        return reverse("projects:attachment", args=[self.pk])

    @property
    def is_photo(self) -> bool:
        return self.kind == AttachmentKind.PHOTO


class ProgressReportRevisionQuerySet(ScopedQuerySet):
    region_path = "report__project__alliance__lead_region"
    alliance_path = "report__project__alliance"


class ProgressReportRevision(ReportVersion):
    """An immutable copy of one submitted version of a report and the review it got.

    Written by the review service each time a version is accepted or returned, so a
    returned report that is corrected and resubmitted keeps its earlier versions and
    the comments that sent them back.
    """

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("进度报告"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField(_("版本"))
    attachment_names = models.JSONField(_("附件"), default=list, blank=True)
    decision = models.CharField(
        _("审核结果"),
        max_length=12,
        choices=[
            (ReportStatus.ACCEPTED.value, ReportStatus.ACCEPTED.label),
            (ReportStatus.RETURNED.value, ReportStatus.RETURNED.label),
        ],
    )
    reviewed_at = models.DateTimeField(_("审核时间"))

    objects = ProgressReportRevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("进度报告历史版本")
        verbose_name_plural = _("进度报告历史版本")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="revision_unique_number_per_report"),
            models.CheckConstraint(condition=Q(decision__in=["accepted", "returned"]), name="revision_decision_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.report} · v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("历史版本不可修改。"))
        super().save(*args, **kwargs)

    @classmethod
    def of(
        cls,
        report: ProgressReport,
        *,
        decision: str,
        reviewed_at: datetime.datetime,
        review_comment: str = "",
        reviewed_by_id: int | None = None,
        **overrides,
    ) -> ProgressReportRevision:
        """The version a report holds now, with the review it got (not saved)."""
        values = {name: getattr(report, name) for name in CONTENT_FIELDS}
        values |= {
            "number": report.revision,
            "submitted_by_id": report.submitted_by_id,
            "submitted_at": report.submitted_at,
        }
        return cls(
            report=report,
            decision=decision,
            reviewed_at=reviewed_at,
            review_comment=review_comment,
            reviewed_by_id=reviewed_by_id,
            **values | overrides,
        )

    @property
    def week_label(self) -> str:
        return self.report.week_label
