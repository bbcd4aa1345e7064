"""How an alliance works in practice.

Its "三会" meetings, "五联" activities, mentors and apprentices, the entity platforms it runs
or holds shares in, and the three lists (needs, resources; projects live in the projects app)
with two-way claiming.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import uploads
from members.access import ScopedQuerySet, scope_for
from members.models import MemberOrganization, Person, TimeStamped

from .alliances import Alliance, AllianceScopedQuerySet


class MeetingKind(models.TextChoices):
    """The "三会" rhythm: one a month, one a quarter, one a year (and any other meeting)."""

    MONTHLY = "monthly", _("月度碰头会")
    QUARTERLY = "quarterly", _("季度专题会")
    ANNUAL = "annual", _("年度述职会")
    OTHER = "other", _("其他会议")


class Meeting(TimeStamped):
    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("会议类型"), max_length=12, choices=MeetingKind.choices)
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    topics = models.TextField(_("议题"))
    decisions = models.TextField(_("议定事项"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_file = uploads.DocumentField(
        _("纪要附件"),
        upload_to=uploads.upload_to,
        blank=True,
        help_text=_("PDF 或图片，不超过 10 MB；图片中的位置信息会被删除。"),
    )
    attending_organizations = models.ManyToManyField(
        MemberOrganization, verbose_name=_("参会单位"), blank=True, related_name="meetings_attended"
    )
    attendees = models.ManyToManyField(Person, verbose_name=_("参会人员"), blank=True, related_name="meetings_attended")

    objects = AllianceScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联盟会议")
        verbose_name_plural = _("联盟会议")
        ordering = ["-held_on", "alliance", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "kind", "held_on"],
                name="meeting_one_kind_per_day",
                violation_error_message=_("该联盟当天已记录同类会议。"),
            ),
        ]
        indexes = [models.Index(fields=["alliance", "kind", "held_on"], name="meeting_rhythm_idx")]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.get_kind_display()} · {self.held_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("alliances:meeting-detail", args=[self.pk])

    def file_url(self, field_name: str) -> str:
        """Where the minutes file is served, to those who may see the meeting."""
        return reverse("alliances:meeting-minutes", args=[self.pk])


class ActivityKind(models.TextChoices):
    """The "五联" joint activities."""

    JOINT_TRAINING = "joint_training", _("党员联培")
    JOINT_CADRE = "joint_cadre", _("骨干联育")
    JOINT_EVENT = "joint_event", _("活动联办")
    JOINT_CONSULTATION = "joint_consultation", _("要事联商")
    JOINT_WORK = "joint_work", _("工作联推")


class Activity(TimeStamped):
    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("活动日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    participant_count = models.PositiveIntegerField(
        _("参与人次"), null=True, blank=True, help_text=_("包括未在系统登记的党员群众。")
    )
    participating_organizations = models.ManyToManyField(
        MemberOrganization, verbose_name=_("参与单位"), blank=True, related_name="activities_joined"
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("参与人员"), blank=True, related_name="activities_joined"
    )
    summary = models.TextField(_("活动简介"))

    objects = AllianceScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("五联活动")
        verbose_name_plural = _("五联活动")
        ordering = ["-held_on", "alliance", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "held_on", "title"],
                name="activity_unique_title_per_day",
                violation_error_message=_("该联盟当天已有同名活动。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("alliances:activity-detail", args=[self.pk])


class MeetingPhotoQuerySet(ScopedQuerySet):
    region_path = "meeting__alliance__lead_region"
    alliance_path = "meeting__alliance"


class ActivityPhotoQuerySet(ScopedQuerySet):
    region_path = "activity__alliance__lead_region"
    alliance_path = "activity__alliance"


class Photo(TimeStamped):
    image = uploads.PhotoField(
        _("照片"),
        upload_to=uploads.upload_to,
        help_text=_("JPEG、PNG 或 WebP，不超过 10 MB；照片中的位置信息会被删除。"),
    )
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name

    def file_url(self, field_name: str) -> str:
        """Where the photo is served, to those who may see its meeting or activity."""
        return reverse("alliances:photo-file", args=[self._meta.model_name.removesuffix("photo"), self.pk])


class MeetingPhoto(Photo):
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="photos")

    objects = MeetingPhotoQuerySet.as_manager()

    class Meta(Photo.Meta):
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")


class ActivityPhoto(Photo):
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="photos")

    objects = ActivityPhotoQuerySet.as_manager()

    class Meta(Photo.Meta):
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")


class MentorshipQuerySet(AllianceScopedQuerySet):
    def current(self) -> MentorshipQuerySet:
        return self.filter(ended_on__isnull=True)


class Mentorship(TimeStamped):
    """导师帮带: an experienced secretary (金牌导师, 兴村治社名师 ...) coaches an apprentice."""

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(
        Person, verbose_name=_("导师"), on_delete=models.PROTECT, related_name="mentorships_as_mentor"
    )
    mentor_title = models.CharField(
        _("导师称号"), max_length=50, blank=True, help_text=_("例如：金牌导师、兴村治社名师。")
    )
    apprentice = models.ForeignKey(
        Person, verbose_name=_("徒弟"), on_delete=models.PROTECT, related_name="mentorships_as_apprentice"
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    goals = models.TextField(_("帮带目标"), blank=True)

    objects = MentorshipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("导师帮带")
        verbose_name_plural = _("导师帮带")
        ordering = ["alliance", "-started_on"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("apprentice")), name="mentorship_not_self"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="mentorship_ended_after_started",
            ),
            models.UniqueConstraint(
                fields=["alliance", "mentor", "apprentice"],
                condition=Q(ended_on__isnull=True),
                name="mentorship_one_open_per_pair",
                violation_error_message=_("这对师徒已在本联盟结对。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.apprentice}"

    def get_absolute_url(self) -> str:
        return reverse("alliances:mentorship-detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def clean(self) -> None:
        errors = {}
        if self.mentor_id and self.mentor_id == self.apprentice_id:
            errors["apprentice"] = _("导师不能与自己结对。")
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("结束日期不能早于结对日期。")
        if errors:
            raise ValidationError(errors)


class PlatformKind(models.TextChoices):
    STRONG_VILLAGE = "strong_village", _("强村公司")
    STRONG_COMMUNITY = "strong_community", _("强社公司")
    JOINT_COOPERATIVE = "joint_cooperative", _("联合社")
    COMMON_PROSPERITY = "common_prosperity", _("共富公司")
    OTHER = "other", _("其他")


class PlatformOwnership(models.TextChoices):
    ALLIANCE_OWNED = "alliance_owned", _("联盟独资")
    MULTI_VILLAGE = "multi_village", _("多村合作")
    TOWN_VILLAGE = "town_village", _("镇村联营")


MONEY = {"max_digits": 14, "decimal_places": 2}


class EntityPlatformQuerySet(AllianceScopedQuerySet):
    """A platform is seen by whoever sees the alliance running it, and by its shareholders' side."""

    def with_share_total(self) -> EntityPlatformQuerySet:
        """``share_total``: the percentages of all shareholders, summed in a subquery."""
        total = (
            Shareholding.objects.filter(platform=OuterRef("pk"))
            .order_by()
            .values("platform")
            .annotate(total=Sum("percentage"))
            .values("total")
        )
        return self.annotate(
            share_total=Coalesce(
                Subquery(total, output_field=models.DecimalField(max_digits=6, decimal_places=2)), Decimal("0")
            )
        )

    def visible_to(self, user) -> EntityPlatformQuerySet:
        scope = scope_for(user)
        own = super().visible_to(user)
        if scope.kind not in {"region", "leader"}:
            return own
        held = Shareholding.objects.filter(
            Q(alliance__in=Alliance.objects.visible_to(user))
            | Q(organization__in=MemberOrganization.objects.visible_to(user))
        ).values("platform_id")
        return self.filter(Q(pk__in=own.values("pk")) | Q(pk__in=held))


class EntityPlatform(TimeStamped):
    """实体平台: a company or cooperative an alliance runs (the X of the "3+X" norm)."""

    alliance = models.ForeignKey(
        Alliance,
        verbose_name=_("主办联盟"),
        on_delete=models.PROTECT,
        related_name="platforms",
        help_text=_("负责运营该平台的联盟。"),
    )
    name = models.CharField(_("平台名称"), max_length=200)
    kind = models.CharField(_("平台类型"), max_length=20, choices=PlatformKind.choices)
    ownership = models.CharField(_("组建方式"), max_length=20, choices=PlatformOwnership.choices)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    registered_capital = models.DecimalField(_("注册资本（元）"), null=True, blank=True, **MONEY)
    annual_revenue = models.DecimalField(_("年营业收入（元）"), null=True, blank=True, **MONEY)
    revenue_year = models.PositiveSmallIntegerField(
        _("营收年度"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    business_scope = models.TextField(_("主营业务"), blank=True)

    objects = EntityPlatformQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实体平台")
        verbose_name_plural = _("实体平台")
        ordering = ["alliance", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "name"],
                name="platform_unique_name_per_alliance",
                violation_error_message=_("本联盟已有同名平台。"),
            ),
            models.CheckConstraint(
                condition=Q(registered_capital__isnull=True) | Q(registered_capital__gte=0),
                name="platform_capital_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(annual_revenue__isnull=True) | Q(annual_revenue__gte=0),
                name="platform_revenue_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(annual_revenue__isnull=True, revenue_year__isnull=True)
                | Q(annual_revenue__isnull=False, revenue_year__isnull=False),
                name="platform_revenue_has_year",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("alliances:platform-detail", args=[self.pk])

    def clean(self) -> None:
        if (self.annual_revenue is None) != (self.revenue_year is None):
            field = "revenue_year" if self.revenue_year is None else "annual_revenue"
            raise ValidationError({field: _("年营业收入与营收年度须同时填写。")})


class ShareholdingQuerySet(ScopedQuerySet):
    region_path = "platform__alliance__lead_region"
    alliance_path = "platform__alliance"

    def visible_to(self, user) -> ShareholdingQuerySet:
        """The shareholdings of every platform the user sees (the platform's rule decides)."""
        if scope_for(user).kind not in {"region", "leader"}:
            return super().visible_to(user)
        return self.filter(platform__in=EntityPlatform.objects.visible_to(user).values("pk"))


MAX_SHARE_TOTAL = Decimal("100")


class Shareholding(TimeStamped):
    """One shareholder's stake in a platform: an alliance or a member organization, never both.

    The stakes of a platform never add up to more than 100 %: the service checks it with the
    platform row locked, and on PostgreSQL a constraint trigger refuses it too.
    """

    platform = models.ForeignKey(
        EntityPlatform, verbose_name=_("实体平台"), on_delete=models.CASCADE, related_name="shareholdings"
    )
    alliance = models.ForeignKey(
        Alliance,
        verbose_name=_("股东联盟"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platform_shareholdings",
    )
    organization = models.ForeignKey(
        MemberOrganization,
        verbose_name=_("股东单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platform_shareholdings",
    )
    percentage = models.DecimalField(
        _("持股比例（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_SHARE_TOTAL)],
    )
    capital_contribution = models.DecimalField(_("出资额（元）"), null=True, blank=True, **MONEY)

    objects = ShareholdingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("平台股东")
        verbose_name_plural = _("平台股东")
        ordering = ["platform", "-percentage", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(alliance__isnull=False, organization__isnull=True)
                | Q(alliance__isnull=True, organization__isnull=False),
                name="shareholding_one_shareholder",
                violation_error_message=_("股东须为一个联盟或一个成员单位（二选一）。"),
            ),
            models.CheckConstraint(
                condition=Q(percentage__gt=0, percentage__lte=100), name="shareholding_percentage_range"
            ),
            models.CheckConstraint(
                condition=Q(capital_contribution__isnull=True) | Q(capital_contribution__gte=0),
                name="shareholding_contribution_not_negative",
            ),
            models.UniqueConstraint(
                fields=["platform", "alliance"],
                condition=Q(alliance__isnull=False),
                name="shareholding_unique_alliance",
                violation_error_message=_("该联盟已是本平台股东。"),
            ),
            models.UniqueConstraint(
                fields=["platform", "organization"],
                condition=Q(organization__isnull=False),
                name="shareholding_unique_organization",
                violation_error_message=_("该单位已是本平台股东。"),
            ),
        ]
        triggers = [
            # No platform's shareholdings add up to more than 100 %, even written past the
            # service (a script, the shell, a future bug). The platform row's NO KEY UPDATE
            # lock, as the service takes, serialises two writers of one platform.
            pgtrigger.Trigger(
                name="shareholding_total_at_most_100",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("percentage", "platform_id"),
                timing=pgtrigger.Immediate,
                declare=[("total", "numeric")],
                func="""
                PERFORM 1 FROM alliances_entityplatform WHERE id = NEW.platform_id FOR NO KEY UPDATE;
                SELECT COALESCE(SUM(percentage), 0) INTO total FROM alliances_shareholding
                    WHERE platform_id = NEW.platform_id;
                IF total > 100 THEN
                    RAISE EXCEPTION 'shareholdings of platform % add up to % percent, more than 100',
                        NEW.platform_id, total
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'shareholding_total_at_most_100';
                END IF;
                RETURN NULL;
                """,
            )
        ]

    def __str__(self) -> str:
        return f"{self.shareholder} · {self.percentage}%"

    @property
    def shareholder(self) -> Alliance | MemberOrganization | None:
        return self.alliance if self.alliance_id else self.organization

    def others_total(self) -> Decimal:
        """The other shareholders' percentages of the same platform, summed by the database."""
        others = Shareholding.objects.filter(platform_id=self.platform_id).exclude(pk=self.pk)
        return others.aggregate(total=Coalesce(Sum("percentage"), Decimal("0")))["total"]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if bool(self.alliance_id) == bool(self.organization_id):
            errors["alliance"] = _("股东须为一个联盟或一个成员单位（二选一）。")
        if self.platform_id and self.percentage is not None:
            others = self.others_total()
            if others + self.percentage > MAX_SHARE_TOTAL:
                errors["percentage"] = _("各股东持股比例合计不能超过 100%%，其他股东已占 %(others)s%%。") % {
                    "others": others
                }
        if errors:
            raise ValidationError(errors)


# --------------------------------------------------------------------------- the three lists


class ListStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    IN_PROGRESS = "in_progress", _("推进中")
    RESOLVED = "resolved", _("已解决")


class NeedCategory(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    INDUSTRY = "industry", _("产业发展")
    LIVELIHOOD = "livelihood", _("民生服务")
    GOVERNANCE = "governance", _("基层治理")
    TALENT = "talent", _("人才技术")
    FUNDING = "funding", _("资金")
    OTHER = "other", _("其他")


class ResourceCategory(models.TextChoices):
    FUNDS = "funds", _("闲置资金")
    LAND = "land", _("闲置土地")
    BUILDINGS = "buildings", _("闲置房屋厂房")
    TALENT = "talent", _("人才技术")
    EQUIPMENT = "equipment", _("设施设备")
    CHANNELS = "channels", _("市场渠道")
    OTHER = "other", _("其他")


class NeedQuerySet(AllianceScopedQuerySet):
    def in_scope(self, user) -> NeedQuerySet:
        """The needs of the alliances the user sees, without the ones open to everybody."""
        return super().visible_to(user)

    def visible_to(self, user) -> NeedQuerySet:
        """In scope, plus every need posted as open to all (面向全域公开) for any user with a scope."""
        scope = scope_for(user)
        own = self.in_scope(user)
        if scope.kind not in {"region", "leader"}:
            return own
        return self.filter(Q(pk__in=own.values("pk")) | Q(open_to_all=True))


class ListEntry(TimeStamped):
    """What a need and a resource have in common: posted by an alliance, claimed by others."""

    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("详细说明"), blank=True)
    posted_on = models.DateField(_("发布日期"))
    status = models.CharField(_("状态"), max_length=12, choices=ListStatus.choices, default=ListStatus.OPEN)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def is_claimable(self) -> bool:
        return self.status == ListStatus.OPEN


class Need(ListEntry):
    """需求清单: something an alliance cannot solve alone (water shortage, a market, a road)."""

    alliance = models.ForeignKey(Alliance, verbose_name=_("发布联盟"), on_delete=models.CASCADE, related_name="needs")
    category = models.CharField(_("需求类别"), max_length=20, choices=NeedCategory.choices)
    open_to_all = models.BooleanField(
        _("面向全域公开"), default=False, help_text=_("公开后，所有区县的用户都能看到并认领该需求。")
    )
    # The project that met the need. A plain id until the projects app exists on this
    # branch; it becomes a foreign key to projects.Project when the apps are merged.
    # Named by string: the projects app builds on this one and is never imported here.
    resolved_by_project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("解决该需求的项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolved_needs",
    )

    objects = NeedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-posted_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "title", "posted_on"],
                name="need_unique_title_per_day",
                violation_error_message=_("该联盟当天已发布同名需求。"),
            ),
            models.CheckConstraint(
                condition=Q(resolved_by_project_id__isnull=True) | Q(status=ListStatus.RESOLVED),
                name="need_project_only_when_resolved",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("alliances:need-detail", args=[self.pk])


class Resource(ListEntry):
    """资源清单: something an alliance can offer (idle funds, abandoned land, an empty plant)."""

    alliance = models.ForeignKey(
        Alliance, verbose_name=_("发布联盟"), on_delete=models.CASCADE, related_name="resources"
    )
    category = models.CharField(_("资源类别"), max_length=20, choices=ResourceCategory.choices)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True, help_text=_("例如：万元、亩、平方米、人。"))

    objects = AllianceScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")
        ordering = ["-posted_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "title", "posted_on"],
                name="resource_unique_title_per_day",
                violation_error_message=_("该联盟当天已发布同名资源。"),
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True, unit="") | (Q(quantity__gte=0) & ~Q(unit="")),
                name="resource_quantity_has_unit",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("alliances:resource-detail", args=[self.pk])

    def clean(self) -> None:
        if self.quantity is not None and not self.unit.strip():
            raise ValidationError({"unit": _("填写数量时须注明单位。")})
        if self.quantity is None and self.unit:
            raise ValidationError({"quantity": _("填写单位时须注明数量。")})
        if self.quantity is not None and self.quantity < 0:
            raise ValidationError({"quantity": _("数量不能为负数。")})


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("已认领")
    IN_PROGRESS = "in_progress", _("推进中")
    RESOLVED = "resolved", _("已解决")
    WITHDRAWN = "withdrawn", _("已撤回")


ACTIVE_CLAIM_STATUSES = (ClaimStatus.CLAIMED, ClaimStatus.IN_PROGRESS)


class ClaimQuerySet(ScopedQuerySet):
    """A claim is seen by the poster's side and by the claimant's side, nobody else.

    Each side is decided by the visible_to of the model on that side, so this adds no rule
    of its own. A need open to all does not make its claims public: only its poster's
    scope (``Need.objects.in_scope``) counts here.
    """

    region_path = "need__alliance__lead_region"
    alliance_path = "need__alliance"

    def visible_to(self, user) -> ClaimQuerySet:
        if scope_for(user).kind not in {"region", "leader"}:
            return super().visible_to(user)
        return self.filter(
            Q(need__in=Need.objects.in_scope(user).values("pk"))
            | Q(resource__in=Resource.objects.visible_to(user).values("pk"))
            | Q(claimant_alliance__in=Alliance.objects.visible_to(user).values("pk"))
            | Q(claimant_organization__in=MemberOrganization.objects.visible_to(user).values("pk"))
        )

    def active(self) -> ClaimQuerySet:
        return self.filter(status__in=ACTIVE_CLAIM_STATUSES)


class Claim(TimeStamped):
    """双向认领: another alliance, a member organization or a government department takes on a
    need or a resource; the claim moves claimed → in progress → resolved (or is withdrawn)."""

    need = models.ForeignKey(
        Need, verbose_name=_("需求"), null=True, blank=True, on_delete=models.CASCADE, related_name="claims"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("资源"), null=True, blank=True, on_delete=models.CASCADE, related_name="claims"
    )
    claimant_alliance = models.ForeignKey(
        Alliance,
        verbose_name=_("认领联盟"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims_made",
    )
    claimant_organization = models.ForeignKey(
        MemberOrganization,
        verbose_name=_("认领单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims_made",
        help_text=_("成员单位或政府部门（机关）。"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.CLAIMED)
    offer = models.TextField(_("认领说明"), blank=True, help_text=_("打算如何满足需求或使用资源。"))
    claimed_on = models.DateField(_("认领日期"))
    started_on = models.DateField(_("开始推进日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    note = models.TextField(_("办理结果"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["-claimed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(need__isnull=False, resource__isnull=True) | Q(need__isnull=True, resource__isnull=False),
                name="claim_one_target",
            ),
            models.CheckConstraint(
                condition=Q(claimant_alliance__isnull=False, claimant_organization__isnull=True)
                | Q(claimant_alliance__isnull=True, claimant_organization__isnull=False),
                name="claim_one_claimant",
            ),
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(status__in=ACTIVE_CLAIM_STATUSES) | Q(status=ClaimStatus.RESOLVED),
                name="claim_one_open_or_resolved_per_need",
                violation_error_message=_("该需求已被认领。"),
            ),
            models.UniqueConstraint(
                fields=["resource"],
                condition=Q(status__in=ACTIVE_CLAIM_STATUSES) | Q(status=ClaimStatus.RESOLVED),
                name="claim_one_open_or_resolved_per_resource",
                violation_error_message=_("该资源已被认领。"),
            ),
            models.CheckConstraint(
                condition=Q(status=ClaimStatus.CLAIMED) | Q(started_on__isnull=False) | Q(status=ClaimStatus.WITHDRAWN),
                name="claim_progress_has_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ACTIVE_CLAIM_STATUSES, closed_on__isnull=True)
                | (Q(status__in=[ClaimStatus.RESOLVED, ClaimStatus.WITHDRAWN], closed_on__isnull=False) & ~Q(note="")),
                name="claim_closed_with_date_and_note",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=F("claimed_on")),
                name="claim_started_after_claimed",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("claimed_on")),
                name="claim_closed_after_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claimant} → {self.target}"

    def get_absolute_url(self) -> str:
        return reverse("alliances:claim-detail", args=[self.pk])

    @property
    def target(self) -> Need | Resource | None:
        return self.need if self.need_id else self.resource

    @property
    def claimant(self) -> Alliance | MemberOrganization | None:
        return self.claimant_alliance if self.claimant_alliance_id else self.claimant_organization

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_CLAIM_STATUSES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if bool(self.need_id) == bool(self.resource_id):
            errors["need"] = _("请选择认领的需求或资源（二选一）。")
        if bool(self.claimant_alliance_id) == bool(self.claimant_organization_id):
            errors["claimant_alliance"] = _("认领方须为一个联盟或一个成员单位（二选一）。")
        if self.started_on and self.claimed_on and self.started_on < self.claimed_on:
            errors["started_on"] = _("开始推进日期不能早于认领日期。")
        if self.closed_on and self.claimed_on and self.closed_on < self.claimed_on:
            errors["closed_on"] = _("办结日期不能早于认领日期。")
        if errors:
            raise ValidationError(errors)
