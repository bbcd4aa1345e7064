"""Assessment schemes, scores and the immutable periodic rollups."""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.constraints import FieldUniqueConstraint
from core.periods import Period
from members.access import ScopedQuerySet, scope_for
from members.models import LEVEL_ORDER, MemberOrganization, Region, in_subtree, lineage_codes, region_prefix

from .rollups import (
    ANNUAL_REVIEW,
    KIND_CHOICES,
    MONTHLY_BULLETIN,
    PERIOD_OF_KIND,
    QUARTERLY_OBSERVATION,
    WEEKLY_DISPATCH,
)


class RollupStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class RollupQuerySet(ScopedQuerySet):
    """Staff see the rollups of their region and everything below it, and of the regions
    above it (county staff read the city bulletin), never a sibling's. A township's users
    read none above it: a county's rollups list the alliances of its other townships. A
    draft is seen only by the staff who may publish it: those whose region holds the
    rollup's region."""

    region_path = "region"
    alliance_path = None
    published_downwards = True

    def visible_to(self, user: Any) -> RollupQuerySet:
        scope = scope_for(user)
        if scope.region_level == "township":
            rows = self.filter(in_subtree(scope.region_prefix, "region"))
        else:
            rows = super().visible_to(user)
        if scope.kind == "all":
            return rows
        published = Q(status=RollupStatus.PUBLISHED)
        if scope.is_staff_role and scope.region_prefix:
            return rows.filter(published | in_subtree(scope.region_prefix, "region"))
        return rows.filter(published)

    def published(self) -> RollupQuerySet:
        return self.filter(status=RollupStatus.PUBLISHED)

    def current(self) -> RollupQuerySet:
        """The latest published version of each (kind, period, region): what a figure
        quoted from a rollup is read from."""
        later = Rollup.objects.filter(
            kind=OuterRef("kind"),
            period_start=OuterRef("period_start"),
            region=OuterRef("region"),
            status=RollupStatus.PUBLISHED,
            version__gt=OuterRef("version"),
        )
        return self.filter(status=RollupStatus.PUBLISHED).exclude(Exists(later))

    def of(self, rollup: Rollup) -> RollupQuerySet:
        """Every row (draft and versions) of the same kind, period and region."""
        return self.filter(kind=rollup.kind, period_start=rollup.period_start, region_id=rollup.region_id)


class Rollup(models.Model):
    """One periodic report for (kind, period, region).

    It starts as a *draft* (at most one per kind, period and region) that staff may
    regenerate until they publish it; publishing numbers it (version 1, then 2, 3… for
    corrections, each with its reason) and freezes it for ever. A row written without a
    status is a published first version, as every rollup was before drafts; the services
    write drafts explicitly."""

    kind = models.CharField(_("类型"), max_length=30, choices=KIND_CHOICES)
    period_key = models.CharField(_("期间"), max_length=10)
    period_start = models.DateField(_("期间开始"))
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    report = models.JSONField(_("内容"), encoder=DjangoJSONEncoder)
    produced_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=RollupStatus.choices, default=RollupStatus.PUBLISHED)
    version = models.PositiveSmallIntegerField(_("版本"), null=True, blank=True, default=1)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    correction_reason = models.TextField(_("更正原因"), blank=True)

    objects = RollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("调度通报")
        verbose_name_plural = _("调度通报")
        ordering = ["-period_start", "kind", "region__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "region"],
                condition=Q(status="draft"),
                name="rollup_one_draft_per_kind_period_region",
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start", "region", "version"], name="rollup_one_version_number"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", version__isnull=True) | Q(status="published", version__gte=1),
                name="rollup_published_has_version",
            ),
            models.CheckConstraint(
                condition=Q(version__isnull=True) | Q(version=1) | ~Q(correction_reason=""),
                name="rollup_correction_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["region", "kind", "-period_start"], name="rollup_region_kind_idx")]
        triggers = [
            # A published version is frozen for ever, even for a raw UPDATE or DELETE; a
            # draft may be regenerated, published or dropped.
            pgtrigger.Trigger(
                name="rollup_published_immutable",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="published"),
                func="RAISE EXCEPTION 'published rollups are immutable: % on evaluations_rollup refused', TG_OP;",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.period.label} · {self.region}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("调度通报只能通过重新生成草稿或发布来修改。"))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("evaluations:rollup-detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("调度通报生成后不可删除。"))

    @property
    def period(self) -> Period:
        return Period(PERIOD_OF_KIND[self.kind], self.period_start)

    @property
    def is_draft(self) -> bool:
        return self.status == RollupStatus.DRAFT

    @property
    def state_label(self) -> str:
        if self.is_draft:
            return str(_("草稿"))
        return str(_("第%(version)s版") % {"version": self.version})


class RollupWaiver(models.Model):
    """A missing staff score that staff chose to publish without, and why."""

    rollup = models.ForeignKey(Rollup, verbose_name=_("调度通报"), on_delete=models.PROTECT, related_name="waivers")
    alliance = models.ForeignKey(
        "alliances.Alliance", verbose_name=_("联盟"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey("Indicator", verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("暂缓理由"))
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("决定人"), on_delete=models.PROTECT, related_name="+"
    )
    waived_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("缺项发布说明")
        verbose_name_plural = _("缺项发布说明")
        ordering = ["alliance__code", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["rollup", "alliance", "indicator"], name="rollup_waiver_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="rollup_waiver_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance_id} · {self.indicator_id}: {self.reason}"


class RollupScheduleQuerySet(ScopedQuerySet):
    region_path = "region"
    alliance_path = None
    published_downwards = True


# The day after its period's end on which a rollup is drafted, unless the region (or a
# region above it) sets another: the dispatch on Monday, the bulletin on the 5th of the
# next month, the observation on the 10th after the quarter, the review on 15 January.
DEFAULT_CUTOFF_DAYS = {WEEKLY_DISPATCH: 1, MONTHLY_BULLETIN: 5, QUARTERLY_OBSERVATION: 10, ANNUAL_REVIEW: 15}


class RollupSchedule(models.Model):
    """When a region's data of a period is in: the draft is made on that day."""

    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=30, choices=KIND_CHOICES)
    cutoff_day = models.PositiveSmallIntegerField(
        _("数据截止（期末后第几天）"),
        help_text=_("期间结束后的第几天生成草稿：如月通报填 5，即次月 5 日。"),
    )

    objects = RollupScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报起草日")
        verbose_name_plural = _("通报起草日")
        ordering = ["region__code", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="rollup_schedule_one_per_region_kind"),
            models.CheckConstraint(
                condition=Q(cutoff_day__gte=1, cutoff_day__lte=60), name="rollup_schedule_cutoff_1_60"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_kind_display()} · {self.cutoff_day}"


# ---------------------------------------------------------------------------- schemes


class Dimension(models.TextChoices):
    """The "五有" high-bar standard."""

    COHESION = "cohesion", _("组织凝聚有力")
    DEVELOPMENT = "development", _("组团发展有效")
    SERVICES = "services", _("服务统筹有序")
    GOVERNANCE = "governance", _("协同治理有方")
    BRAND = "brand", _("工作品牌有名")


class VetoKind(models.TextChoices):
    """The four bottom lines: any confirmed one fails the alliance whatever its score."""

    FORCED_PAIRING = "forced_pairing", _("拉郎配")
    DETACHED = "detached", _("两张皮")
    OVERREACH = "overreach", _("过头事")
    SHOW_ONLY = "show_only", _("样子货")


class Metric(models.TextChoices):
    """Indicators computed from the data (attainment between 0 and 1)."""

    PROJECT_COMPLETION = "project_completion", _("项目完成率")
    REPORTING_TIMELINESS = "reporting_timeliness", _("进度按时报送率")
    INVESTMENT_VS_TARGET = "investment_vs_target", _("投资完成率")
    WORKSHOP_LOW_INCOME = "workshop_low_income", _("工坊吸纳低收入人员")
    MEETINGS_ON_RHYTHM = "meetings_on_rhythm", _("三会按期召开率")
    CLAIMS_RESOLVED = "claims_resolved", _("需求认领办结率")
    ACTIVITIES_HELD = "activities_held", _("五联活动开展")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("启用")
    RETIRED = "retired", _("停用")


class AssessmentSchemeQuerySet(ScopedQuerySet):
    """Schemes are published rules: staff see their region's, the regions above and below."""

    region_path = "region"
    alliance_path = None
    published_downwards = True

    def for_region(self, region: Region, year: int) -> AssessmentScheme | None:
        """The active scheme that applies to a region in a year: the nearest region up the
        tree that has one (a county's override, else its city's default)."""
        return (
            self.filter(status=SchemeStatus.ACTIVE, year=year, region__code__in=region.lineage_codes())
            .select_related("region")
            .order_by("-region__code")
            .first()
        )

    def applying_to(self, alliances) -> set[int]:
        """The ids of the active schemes that apply to at least one of ``alliances`` (a
        queryset) in their year: a county's override hides its city's default there."""
        regions = set(alliances.values_list("lead_region__code", "lead_region__level").distinct())
        years = self.filter(status=SchemeStatus.ACTIVE).values_list("year", flat=True).distinct()
        return {
            scheme.pk
            for year in years
            for scheme in self.for_region_codes(regions, year).values()
            if scheme is not None
        }

    def for_regions(self, regions: list[Region], year: int) -> dict[Region, AssessmentScheme | None]:
        """:meth:`for_region` of many regions at once, with one query."""
        by_code = self.for_region_codes({(region.code, region.level) for region in regions}, year)
        return {region: by_code[region.code] for region in regions}

    def for_region_codes(self, regions: set[tuple[str, str]], year: int) -> dict[str, AssessmentScheme | None]:
        """:meth:`for_region` of many regions given as (code, level), by code, with one
        query: the active schemes of the year on any of their lineages, the nearest (longest
        code) winning for each."""
        lineages = {code: lineage_codes(code, level) for code, level in regions}
        # Every lineage runs through the regions' nearest common ancestor: the schemes on
        # them are on that ancestor's lineage or under it. A query of a few codes, however
        # many regions (a city's 1,000 alliances are led from some 1,100 regions).
        shared = min(lineages.values(), key=len, default=[])
        for lineage in lineages.values():
            while lineage[: len(shared)] != shared:
                shared = shared[:-1]
        on_lineages = Q()
        if shared:
            ancestor_prefix = region_prefix(shared[-1], LEVEL_ORDER[len(shared) - 1])
            on_lineages = Q(region__code__in=shared) | in_subtree(ancestor_prefix, "region")
        schemes = {
            scheme.region.code: scheme
            for scheme in self.filter(on_lineages, status=SchemeStatus.ACTIVE, year=year).select_related("region")
        }
        return {
            region: next((schemes[code] for code in reversed(lineage) if code in schemes), None)
            for region, lineage in lineages.items()
        }


class AssessmentScheme(models.Model):
    """A year's assessment rules for a city (default) or a county (override), versioned.

    A scheme that a final assessment used is frozen: it can no longer be edited, only
    copied into a new version (see services.scheme_new_version)."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("适用区域"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    is_frozen = models.BooleanField(_("已用于考评（不可修改）"), default=False)
    excellent_min = models.DecimalField(_("优秀线"), max_digits=5, decimal_places=2, default=90)
    good_min = models.DecimalField(_("良好线"), max_digits=5, decimal_places=2, default=80)
    fair_min = models.DecimalField(_("一般线"), max_digits=5, decimal_places=2, default=60)
    member_weight = models.DecimalField(
        _("成员情况占联盟得分比重"),
        max_digits=4,
        decimal_places=3,
        default=0.2,
        help_text=_("捆绑考评：联盟总分中来自成员单位的部分（0–1）。"),
    )
    four_star_weight = models.DecimalField(
        _("四星以上成员占比的权重"),
        max_digits=4,
        decimal_places=3,
        default=0.5,
        help_text=_("成员部分中，四星级以上成员占比所占权重；其余为成员自身考评结果。"),
    )
    alliance_weight_for_members = models.DecimalField(
        _("联盟得分占成员单位结果比重"),
        max_digits=4,
        decimal_places=3,
        default=0.3,
        help_text=_("捆绑考评：成员单位结果中来自其所在联盟得分的部分（0–1）。"),
    )
    demonstration_top_n = models.PositiveSmallIntegerField(_("示范候选名额（每县）"), default=3)
    visit_weight = models.DecimalField(
        _("观摩得分占季度、年度总分比重"),
        max_digits=4,
        decimal_places=3,
        default=0.1,
        help_text=_("季观摩现场评分计入被观摩联盟该季度和该年度总分的比重（0–1）；未被观摩的联盟不受影响。"),
    )
    notes = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = AssessmentSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")
        ordering = ["-year", "region__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "version"], name="scheme_unique_version"),
            models.UniqueConstraint(
                fields=["region", "year"], condition=Q(status="active"), name="scheme_one_active_per_region_year"
            ),
            models.CheckConstraint(
                condition=Q(excellent_min__gt=models.F("good_min"))
                & Q(good_min__gt=models.F("fair_min"))
                & Q(fair_min__gte=0)
                & Q(excellent_min__lte=100),
                name="scheme_grade_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(member_weight__gte=0, member_weight__lte=1)
                & Q(four_star_weight__gte=0, four_star_weight__lte=1)
                & Q(alliance_weight_for_members__gte=0, alliance_weight_for_members__lte=1),
                name="scheme_weights_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(visit_weight__gte=0, visit_weight__lte=1), name="scheme_visit_weight_between_0_and_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year} v{self.version}）"

    def grade_for(self, score, vetoed: bool) -> str:
        if vetoed or score < self.fair_min:
            return Grade.POOR
        if score >= self.excellent_min:
            return Grade.EXCELLENT
        if score >= self.good_min:
            return Grade.GOOD
        return Grade.FAIR


class Indicator(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="indicators")
    dimension = models.CharField(_("维度"), max_length=20, choices=Dimension.choices)
    code = models.CharField(_("编码"), max_length=20)
    name = models.CharField(_("指标"), max_length=100)
    metric = models.CharField(
        _("自动计算口径"),
        max_length=30,
        choices=Metric.choices,
        blank=True,
        help_text=_("留空表示由工作人员依据佐证材料打分。"),
    )
    target = models.DecimalField(
        _("目标值"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("计数类口径（如低收入人员、活动次数）达到该值即满分。"),
    )
    max_score = models.DecimalField(_("满分"), max_digits=5, decimal_places=2)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["scheme", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="indicator_max_score_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gt=0), name="indicator_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_computed(self) -> bool:
        return bool(self.metric)

    @property
    def shown_name(self) -> str:
        """The name in the reader's language where it is its metric's standard name (进度按时报送率
        reads "Reporting timeliness" on an English page); a name a scheme gave itself is its
        data, shown as written."""
        if self.metric in Metric.values:
            label = Metric(self.metric).label
            with translation.override("zh-hans"):
                standard = str(label)
            if self.name == standard:
                return str(label)
        return self.name


# ---------------------------------------------------------------------------- scores


class AssessmentQuerySet(ScopedQuerySet):
    region_path = "alliance__lead_region"
    alliance_path = "alliance"


class Assessment(models.Model):
    """An alliance's score for one period under one scheme (bound assessment included)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("计算中")
        FINAL = "final", _("已定稿")

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("考评方案"), on_delete=models.PROTECT, related_name="assessments"
    )
    alliance = models.ForeignKey(
        "alliances.Alliance", verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="assessments"
    )
    period_kind = models.CharField(_("期间类型"), max_length=10)
    period_start = models.DateField(_("期间开始"))
    base_score = models.DecimalField(_("指标得分"), max_digits=6, decimal_places=2, default=0)
    four_star_share = models.DecimalField(_("四星以上成员占比"), max_digits=5, decimal_places=4, default=0)
    member_average = models.DecimalField(_("成员自身结果均值"), max_digits=6, decimal_places=2, default=0)
    total_score = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, default=0)
    vetoed = models.BooleanField(_("触碰底线"), default=False)
    pending_indicators = models.PositiveSmallIntegerField(
        _("待评分指标数"), default=0, help_text=_("尚无人工评分的指标数；大于 0 时总分为暂定。")
    )
    visit_score = models.DecimalField(
        _("观摩得分"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("计入总分的季观摩评分（平均）。"),
    )
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True)
    county_rank = models.PositiveIntegerField(_("县内排名"), null=True, blank=True)
    city_rank = models.PositiveIntegerField(_("市内排名"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("联盟考评")
        verbose_name_plural = _("联盟考评")
        ordering = ["-period_start", "county_rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "period_kind", "period_start"], name="assessment_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(total_score__gte=0, total_score__lte=100), name="assessment_score_0_100"
            ),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start", "-total_score"], name="assessment_rank_idx")]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.period_kind} {self.period_start}"

    @property
    def is_provisional(self) -> bool:
        """A staff-scored indicator is still pending: the total may change."""
        return self.pending_indicators > 0


class IndicatorScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="indicator_scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    attainment = models.DecimalField(_("达成度"), max_digits=5, decimal_places=4)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="indicator_score_unique"),
            models.CheckConstraint(condition=Q(attainment__gte=0, attainment__lte=1), name="indicator_attainment_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.score}"


class ManualScoreQuerySet(ScopedQuerySet):
    region_path = "alliance__lead_region"
    alliance_path = "alliance"


class ManualScore(models.Model):
    """A staff-scored indicator for an alliance and period, with its evidence."""

    alliance = models.ForeignKey(
        "alliances.Alliance", verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="manual_scores"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(_("期间类型"), max_length=10)
    period_start = models.DateField(_("期间开始"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    evidence = models.TextField(_("佐证说明"), blank=True, help_text=_("佐证说明或佐证材料至少提供一项。"))
    evidence_file = models.FileField(_("佐证材料"), upload_to="evidence/%Y/%m/", blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评分人"), on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)

    objects = ManualScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "indicator", "period_kind", "period_start"], name="manual_score_unique"
            ),
            models.CheckConstraint(condition=Q(score__gte=0), name="manual_score_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.indicator} · {self.score}"


class VetoFindingQuerySet(ScopedQuerySet):
    region_path = "alliance__lead_region"
    alliance_path = "alliance"

    def to_confirm_by(self, user) -> VetoFindingQuerySet:
        """Findings waiting for ``user`` to confirm: not confirmed, recorded by someone else
        (four eyes: nobody confirms their own). The list's 待您核实确认 and the 工作台's count."""
        return self.filter(confirmed=False).exclude(recorded_by=user)


class VetoFinding(models.Model):
    """A bottom line an alliance is found to have crossed in a year, with what was found
    (the note); confirmed after verification by another person than its recorder, it fails
    the alliance."""

    alliance = models.ForeignKey(
        "alliances.Alliance", verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="veto_findings"
    )
    kind = models.CharField(_("底线"), max_length=20, choices=VetoKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.TextField(_("情况说明"))
    evidence_file = models.FileField(_("佐证材料"), upload_to="evidence/vetoes/%Y/%m/", blank=True)
    confirmed = models.BooleanField(_("已确认"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    verification = models.TextField(_("核实情况"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = VetoFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("底线否决")
        verbose_name_plural = _("底线否决")
        constraints = [
            FieldUniqueConstraint(
                fields=["alliance", "kind", "year"],
                name="veto_unique_per_year",
                error_field="kind",
                violation_error_message=_("该联盟本年度已记录此项底线问题。"),
            ),
            # Four eyes: whoever records a finding does not confirm it.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("recorded_by")),
                name="veto_confirmed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.get_kind_display()} · {self.year}"


class MemberResultQuerySet(ScopedQuerySet):
    region_path = "organization__region"
    alliance_path = "organization__memberships__alliance"


class MemberResult(models.Model):
    """A member organization's result for a period: its own standing bound to its alliances'."""

    organization = models.ForeignKey(
        MemberOrganization, verbose_name=_("成员单位"), on_delete=models.CASCADE, related_name="results"
    )
    period_kind = models.CharField(_("期间类型"), max_length=10)
    period_start = models.DateField(_("期间开始"))
    own_score = models.DecimalField(_("自身得分"), max_digits=6, decimal_places=2)
    alliance_average = models.DecimalField(_("所在联盟平均分"), max_digits=6, decimal_places=2, null=True)
    total_score = models.DecimalField(_("捆绑后得分"), max_digits=6, decimal_places=2)
    loses_award_eligibility = models.BooleanField(_("取消“两优一先”评选资格"), default=False)

    objects = MemberResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员单位考评")
        verbose_name_plural = _("成员单位考评")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period_kind", "period_start"], name="member_result_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.period_start}: {self.total_score}"


class ObservationVisitQuerySet(ScopedQuerySet):
    region_path = "alliance__lead_region"
    alliance_path = None


class ObservationVisit(models.Model):
    """The score staff give an alliance proposed for on-site observation (季观摩)."""

    rollup = models.ForeignKey(Rollup, verbose_name=_("季观摩"), on_delete=models.PROTECT, related_name="visits")
    alliance = models.ForeignKey(
        "alliances.Alliance", verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="observation_visits"
    )
    visited_on = models.DateField(_("观摩日期"))
    score = models.DecimalField(_("观摩得分"), max_digits=5, decimal_places=2)
    notes = models.TextField(_("观摩意见"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评分人"), on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)

    objects = ObservationVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩评分")
        verbose_name_plural = _("观摩评分")
        constraints = [
            models.UniqueConstraint(fields=["rollup", "alliance"], name="observation_visit_once"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="observation_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.score}"


# ---------------------------------------------------------------------------- proposals


class ProposalKind(models.TextChoices):
    RECTIFY = "rectify", _("整顿")
    REORGANIZE = "reorganize", _("调整重组")
    INTERVIEW = "interview", _("提醒约谈")
    DEMONSTRATION = "demonstration", _("示范候选")
    AWARD_INELIGIBLE = "award_ineligible", _("取消“两优一先”评选资格")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待决定")
    CONFIRMED = "confirmed", _("已确认")
    OVERRULED = "overruled", _("不予采纳")


class ProposalQuerySet(ScopedQuerySet):
    """Seen by the staff and viewers of the region whose annual review proposed it (and
    those above); never by township staff or leaders."""

    region_path = "region"
    alliance_path = None


class Proposal(models.Model):
    """A consequence the annual review's figures suggest for an alliance (or a member
    organization's secretary): nothing applies until staff confirm it, with a reason; they
    may overrule it, with a reason."""

    kind = models.CharField(_("结果运用"), max_length=20, choices=ProposalKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    rollup = models.ForeignKey(
        Rollup, verbose_name=_("年考评"), on_delete=models.PROTECT, related_name="proposals", null=True, blank=True
    )
    alliance = models.ForeignKey(
        "alliances.Alliance", verbose_name=_("联盟"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        MemberOrganization,
        verbose_name=_("成员单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    basis = models.TextField(_("依据"))
    status = models.CharField(_("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    reason = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("结果运用建议")
        verbose_name_plural = _("结果运用建议")
        ordering = ["-year", "status", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "alliance"],
                condition=Q(alliance__isnull=False),
                name="proposal_once_per_alliance",
            ),
            models.UniqueConstraint(
                fields=["kind", "year", "organization"],
                condition=Q(organization__isnull=False),
                name="proposal_once_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(alliance__isnull=False) | Q(organization__isnull=False), name="proposal_has_a_subject"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | (~Q(reason="") & Q(decided_by__isnull=False)),
                name="proposal_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"

    @property
    def subject(self) -> str:
        return self.alliance.name if self.alliance_id else self.organization.name
