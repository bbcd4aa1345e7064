"""Common-prosperity workshops (共富工坊) and their monthly figures."""

from __future__ import annotations

import datetime
import operator
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alliances.models import Alliance
from core.audit import value_then
from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.db import value_of
from core.periods import MONTH, Period
from members.access import ScopedQuerySet
from members.models import PINYIN_FIELDS, MemberOrganization, Person, PinyinNamed, Region, RegionLevel, TimeStamped


class WorkshopType(models.TextChoices):
    """The six kinds of workshop in the sources."""

    PROCESSING = "processing", _("来料加工式")
    FACTORY = "factory", _("厂房车间式")
    SHARED_FARM = "shared_farm", _("共享农场式")
    LIVE_COMMERCE = "live_commerce", _("电商直播式")
    AGRI_TOURISM = "agri_tourism", _("农旅融合式")
    INDUSTRY = "industry", _("产业赋能式")


class WorkshopStatus(models.TextChoices):
    ACTIVE = "active", _("运营中")
    PAUSED = "paused", _("暂停")
    CLOSED = "closed", _("已关闭")


# The "六个一" standard: one team, one set of projects, one group of beneficiaries, one
# steward, one base and one set of reports. (field name, label) in the standard's order.
CHECKLIST = (
    ("has_team", _("创富团队")),
    ("has_projects", _("带富项目")),
    ("has_beneficiaries", _("帮富对象")),
    ("has_steward", _("助富管家")),
    ("has_base", _("造富基地")),
    ("has_reports", _("致富报表")),
)
CHECKLIST_FIELDS = tuple(name for name, _label in CHECKLIST)
CHECKLIST_COMPLETE = Q(**dict.fromkeys(CHECKLIST_FIELDS, True))

MONEY = {"max_digits": 14, "decimal_places": 2}
# The figures of a monthly report, in the order forms, tables and the API show them.
FIGURE_FIELDS = ("employed", "low_income_employed", "wages_paid", "income_increase_per_person", "sales")


def owes_figures(month: datetime.date, filed_before: datetime.datetime | None = None) -> Q:
    """A workshop owes a month's figures when it was open by the month's last day and has
    none filed for that month (``filed_before``: none filed before that moment). A closed
    workshop owes none (:meth:`WorkshopQuerySet.owing`)."""
    filed = WorkshopReport.objects.filter(workshop=OuterRef("pk"), month=month)
    if filed_before is not None:
        filed = filed.filter(created_at__lt=filed_before)
    return Q(opened_on__lte=Period(MONTH, month).last_day) & ~Exists(filed)


class WorkshopQuerySet(ScopedQuerySet):
    region_path = "region"
    alliance_path = "alliance"
    steward_path = "steward"

    def owing(
        self,
        *months: datetime.date,
        open_at: datetime.datetime | None = None,
        filed_before: datetime.datetime | None = None,
    ) -> WorkshopQuerySet:
        """The workshops not closed that owe the figures of any of ``months``: the
        workshop list's "未报该月数据" and a bulletin's missing figures.

        Not closed today, or with ``open_at`` not closed at that moment (its status then,
        from its history: a bulletin's draft asks a workshop closed since the month's end
        for the month's figures); with ``filed_before``, figures filed later do not count
        (the weekly dispatch, produced again after its cut-off, lists the same workshops)."""
        owes = reduce(operator.or_, (owes_figures(month, filed_before) for month in months))
        if open_at is None:
            return self.exclude(status=WorkshopStatus.CLOSED).filter(owes)
        return (
            self.filter(owes)
            .alias(status_then=value_then(Workshop, "status", open_at))
            .exclude(status_then=WorkshopStatus.CLOSED)
        )

    def with_checklist(self) -> WorkshopQuerySet:
        """``checklist_score``: how many of the six items are met, counted by the database."""
        score = sum((Cast(name, IntegerField()) for name in CHECKLIST_FIELDS), Value(0))
        return self.annotate(checklist_score=score)

    def checklist_complete(self, complete: bool = True) -> WorkshopQuerySet:
        return self.filter(CHECKLIST_COMPLETE) if complete else self.exclude(CHECKLIST_COMPLETE)

    def with_names(self) -> WorkshopQuerySet:
        """The names the API shows beside the foreign keys, read by the list query itself
        (subqueries, so that neither the count nor any row builds a region)."""
        return self.annotate(
            region_code=value_of(Region, "region_id", "code"),
            region_name=value_of(Region, "region_id"),
            host_name=value_of(MemberOrganization, "host_id"),
            alliance_name=value_of(Alliance, "alliance_id"),
            steward_name=value_of(Person, "steward_id"),
        )

    def with_latest_report(self) -> WorkshopQuerySet:
        """The month and head-counts of each workshop's most recent report (None when none)."""
        latest = WorkshopReport.objects.filter(workshop=OuterRef("pk")).order_by("-month")
        return self.annotate(
            latest_month=Subquery(latest.values("month")[:1]),
            latest_employed=Subquery(latest.values("employed")[:1]),
            latest_low_income_employed=Subquery(latest.values("low_income_employed")[:1]),
        )

    def with_month_figures(self, month: datetime.date) -> WorkshopQuerySet:
        """``month_employed`` and ``month_low_income_employed`` of one month (None: not reported)."""
        report = WorkshopReport.objects.filter(workshop=OuterRef("pk"), month=month)
        return self.annotate(
            month_employed=Subquery(report.values("employed")[:1]),
            month_low_income_employed=Subquery(report.values("low_income_employed")[:1]),
        )


class Workshop(PinyinNamed, TimeStamped):
    name = models.CharField(_("工坊名称"), max_length=200)
    type = models.CharField(_("工坊类型"), max_length=20, choices=WorkshopType.choices)
    alliance = models.ForeignKey(
        "alliances.Alliance",
        verbose_name=_("所属联盟"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshops",
        help_text=_("不属于任何党建联盟的工坊留空。"),
    )
    host = models.ForeignKey(
        MemberOrganization, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="hosted_workshops"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="workshops"
    )
    partner_enterprise = models.CharField(_("合作企业"), max_length=200, blank=True)
    steward = models.ForeignKey(
        Person,
        verbose_name=_("助富管家"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stewarded_workshops",
    )
    opened_on = models.DateField(_("开办日期"))
    status = models.CharField(_("状态"), max_length=10, choices=WorkshopStatus.choices, default=WorkshopStatus.ACTIVE)
    has_team = models.BooleanField(_("有一支创富团队"), default=False)
    has_projects = models.BooleanField(_("有一批带富项目"), default=False)
    has_beneficiaries = models.BooleanField(_("有一群帮富对象"), default=False)
    has_steward = models.BooleanField(_("有一名助富管家"), default=False)
    has_base = models.BooleanField(_("有一个造富基地"), default=False)
    has_reports = models.BooleanField(_("有一套致富报表"), default=False)
    description = models.TextField(_("简介"), blank=True)

    objects = WorkshopQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=PINYIN_FIELDS)

    class Meta:
        verbose_name = _("共富工坊")
        verbose_name_plural = _("共富工坊")
        ordering = ["region__code", "name"]
        constraints = [
            FieldUniqueConstraint(
                fields=["region", "name"],
                name="workshop_unique_name_in_village",
                error_field="name",
                violation_error_message=_("本村（社区）已有同名的共富工坊。"),
            ),
        ]
        indexes = [models.Index(fields=["type", "status"], name="workshop_type_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", args=[self.pk])

    @property
    def checklist(self) -> list[tuple[str, bool]]:
        """(label, met) for each item of "六个一", in the standard's order."""
        return [(str(label), getattr(self, name)) for name, label in CHECKLIST]

    def clean(self) -> None:
        if self.region_id and self.region.level != RegionLevel.VILLAGE:
            raise ValidationError({"region": _("共富工坊须设在村（社区）一级，请选择村或社区。")})


class WorkshopReportQuerySet(ScopedQuerySet):
    region_path = "workshop__region"
    alliance_path = "workshop__alliance"
    steward_path = "workshop__steward"


class WorkshopReport(TimeStamped):
    """One workshop's figures for one calendar month (``month`` is that month's first day)."""

    workshop = models.ForeignKey(Workshop, verbose_name=_("共富工坊"), on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"))
    employed = models.PositiveIntegerField(_("带动就业人数"))
    low_income_employed = models.PositiveIntegerField(_("其中低收入人数"))
    wages_paid = models.DecimalField(_("发放工资（元）"), validators=[MinValueValidator(0)], **MONEY)
    income_increase_per_person = models.DecimalField(_("人均月增收（元）"), validators=[MinValueValidator(0)], **MONEY)
    sales = models.DecimalField(_("销售额（元）"), validators=[MinValueValidator(0)], **MONEY)
    notes = models.TextField(_("备注"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = WorkshopReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工坊月度报表")
        verbose_name_plural = _("工坊月度报表")
        ordering = ["-month", "workshop_id"]
        constraints = [
            FieldUniqueConstraint(
                fields=["workshop", "month"],
                name="workshopreport_one_per_month",
                error_field="month",
                violation_error_message=_("该工坊本月的报表已填报，请修改已有报表。"),
            ),
            FieldCheckConstraint(
                condition=Q(low_income_employed__lte=F("employed")),
                name="workshopreport_low_income_within_employed",
                error_field="low_income_employed",
                violation_error_message=_("低收入就业人数不能超过带动就业人数。"),
            ),
            FieldCheckConstraint(
                condition=Q(month__day=1),
                name="workshopreport_month_first_day",
                error_field="month",
                violation_error_message=_("月份必须是某月的第一天。"),
            ),
            *(
                FieldCheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}),
                    name=f"workshopreport_{short}_not_negative",
                    error_field=field,
                    violation_error_message=message,
                )
                for field, short, message in (
                    ("wages_paid", "wages", _("发放工资不能为负数。")),
                    ("income_increase_per_person", "income_increase", _("人均月增收不能为负数。")),
                    ("sales", "sales", _("销售额不能为负数。")),
                )
            ),
        ]
        indexes = [models.Index(fields=["month"], name="workshopreport_month_idx")]

    def __str__(self) -> str:
        return f"{self.workshop} · {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return self.workshop.get_absolute_url()


class ClosedMonthQuerySet(models.QuerySet):
    def covering(self, region: Region) -> ClosedMonthQuerySet:
        """The closings of the region and of every region above it."""
        return self.filter(region__code__in=region.lineage_codes())


class ClosedMonth(models.Model):
    """A month whose workshop figures are closed in a region: the region's monthly bulletin
    of that month was published (``evaluations`` closes it then). From then on stewards and
    leaders may neither file nor correct that month's figures of a workshop in the region or
    below it; county and city staff still may, and re-issue the bulletin as a correction."""

    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    closed_at = models.DateTimeField(_("截止时间"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ClosedMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("已截止的月份")
        verbose_name_plural = _("已截止的月份")
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="closedmonth_one_per_region_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="closedmonth_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.month:%Y-%m}"
