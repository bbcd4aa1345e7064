"""Alliances, their dated memberships and their "1+1+N" leadership teams.

Also the queryset shared by every row that belongs to one alliance (``AllianceScopedQuerySet``).
"""

from __future__ import annotations

import datetime
from typing import Any

import pgtrigger
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.db import subquery_count
from members.access import ScopedQuerySet
from members.models import PINYIN_FIELDS, MemberOrganization, Person, PinyinNamed, Region, TimeStamped


class FormationMode(models.TextChoices):
    """The "7+N" formation modes."""

    LEADER_DRIVEN = "leader_driven", _("龙头带动")
    INDUSTRY_CHAIN = "industry_chain", _("产业链接")
    ENCLAVE_CLUSTER = "enclave_cluster", _("飞地抱团")
    NEIGHBOUR = "neighbour", _("毗邻协作")
    COMMUNITY = "community", _("社区共建")
    PROJECT_DRIVEN = "project_driven", _("项目牵引")
    PAIRING = "pairing", _("结对帮促")
    OTHER = "other", _("其他")


class AllianceScope(models.TextChoices):
    CROSS_REGION = "cross_region", _("跨区域")
    CROSS_FIELD = "cross_field", _("跨领域")
    CROSS_INDUSTRY = "cross_industry", _("跨行业")


class AllianceStatus(models.TextChoices):
    FORMING = "forming", _("组建中")
    ACTIVE = "active", _("运行中")
    RECTIFYING = "rectifying", _("整顿中")
    DISSOLVED = "dissolved", _("已撤销")


class AllianceQuerySet(ScopedQuerySet):
    region_path = "lead_region"
    alliance_path = "pk"

    def with_member_count(self) -> AllianceQuerySet:
        return self.annotate(member_count=subquery_count(Membership.objects.current(), "alliance"))

    def instructed_by(self, user: Any, *, instructed: bool = True) -> AllianceQuerySet:
        """The alliances whose open 镇街指导员 role the user's person holds (with
        ``instructed=False``: the others)."""
        held = Exists(
            TeamRole.objects.current().filter(
                alliance=OuterRef("pk"), role=TeamRoleKind.INSTRUCTOR, person__user_id=getattr(user, "pk", None)
            )
        )
        return self.filter(held) if instructed else self.exclude(held)

    def with_current_team(self) -> AllianceQuerySet:
        return self.prefetch_related(
            Prefetch(
                "team_roles",
                # Only what the team shows: a role, its dates and the person's name.
                queryset=TeamRole.objects.current()
                .select_related("person")
                .only("alliance_id", "person_id", "role", "started_on", "ended_on", "person__name")
                .order_by("role", "started_on"),
                to_attr="current_team",
            )
        )


class Alliance(PinyinNamed, TimeStamped):
    code = models.CharField(_("联盟编号"), max_length=32, unique=True)
    name = models.CharField(_("联盟名称"), max_length=200)
    formation_mode = models.CharField(_("组建模式"), max_length=20, choices=FormationMode.choices)
    formation_mode_other = models.CharField(
        _("其他模式名称"), max_length=50, blank=True, help_text=_("组建模式为“其他”时填写。")
    )
    scope = models.CharField(_("联建范围"), max_length=20, choices=AllianceScope.choices)
    lead_region = models.ForeignKey(
        Region, verbose_name=_("牵头区域"), on_delete=models.PROTECT, related_name="alliances"
    )
    founded_on = models.DateField(_("成立日期"))
    status = models.CharField(_("状态"), max_length=20, choices=AllianceStatus.choices, default=AllianceStatus.FORMING)
    is_demonstration = models.BooleanField(_("示范性联盟"), default=False)
    demonstration_year = models.PositiveSmallIntegerField(
        _("认定年份"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    covenant = models.TextField(_("联建公约"), blank=True)
    description = models.TextField(_("简介"), blank=True)
    version = models.PositiveIntegerField(
        _("版本"), default=1, editable=False, help_text=_("每次修改加一；提交时版本不符说明他人已先修改。")
    )

    objects = AllianceQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=PINYIN_FIELDS)

    class Meta:
        verbose_name = _("党建联盟")
        verbose_name_plural = _("党建联盟")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_demonstration=True, demonstration_year__isnull=False)
                | Q(is_demonstration=False, demonstration_year__isnull=True),
                name="alliance_demonstration_has_year",
            ),
            models.CheckConstraint(
                condition=Q(formation_mode="other") & ~Q(formation_mode_other="")
                | (~Q(formation_mode="other") & Q(formation_mode_other="")),
                name="alliance_other_mode_named",
            ),
        ]
        triggers = [
            # A new code reaches the copy each project keeps for its list's order
            # (projects/ordering.py).
            pgtrigger.Trigger(
                name="alliance_code_to_projects",
                when=pgtrigger.After,
                operation=pgtrigger.UpdateOf("code"),
                condition=pgtrigger.Condition("OLD.code IS DISTINCT FROM NEW.code"),
                func="UPDATE projects_project SET alliance_code = NEW.code WHERE alliance_id = NEW.id; RETURN NULL;",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("alliances:detail", args=[self.pk])

    @property
    def formation_mode_label(self) -> str:
        if self.formation_mode == FormationMode.OTHER:
            return f"{self.get_formation_mode_display()}（{self.formation_mode_other}）"
        return self.get_formation_mode_display()

    def clean(self) -> None:
        errors = {}
        if self.is_demonstration and not self.demonstration_year:
            errors["demonstration_year"] = _("示范性联盟必须填写认定年份。")
        if not self.is_demonstration and self.demonstration_year:
            errors["demonstration_year"] = _("非示范性联盟不应填写认定年份。")
        if self.formation_mode == FormationMode.OTHER and not self.formation_mode_other.strip():
            errors["formation_mode_other"] = _("组建模式为“其他”时必须填写模式名称。")
        if self.formation_mode != FormationMode.OTHER and self.formation_mode_other:
            errors["formation_mode_other"] = _("只有组建模式为“其他”时才填写模式名称。")
        if self.demonstration_year and self.founded_on and self.demonstration_year < self.founded_on.year:
            errors["demonstration_year"] = _("认定年份不能早于成立年份。")
        if errors:
            raise ValidationError(errors)


class MembershipRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    MEMBER = "member", _("成员单位")


class MembershipQuerySet(ScopedQuerySet):
    region_path = "alliance__lead_region"
    alliance_path = "alliance"

    def current(self, on: datetime.date | None = None) -> MembershipQuerySet:
        if on is None:
            return self.filter(left_on__isnull=True)
        return self.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


class Membership(TimeStamped):
    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        MemberOrganization, verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联盟成员")
        verbose_name_plural = _("联盟成员")
        ordering = ["alliance", "role", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organization"],
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_pair",
                violation_error_message=_("该单位已是本联盟的在册成员。"),
            ),
            models.UniqueConstraint(
                fields=["alliance"],
                condition=Q(left_on__isnull=True, role="lead"),
                name="membership_one_open_lead",
                violation_error_message=_("本联盟已有在册的牵头单位。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]
        indexes = [models.Index(fields=["organization", "left_on"], name="membership_org_open_idx")]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.organization}"

    @property
    def is_open(self) -> bool:
        return self.left_on is None

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("退出日期不能早于加入日期。")})


class TeamRoleKind(models.TextChoices):
    """The "1+1+N" team: one leader, one township instructor, N advisors (and members)."""

    LEADER = "leader", _("联盟带头人")
    INSTRUCTOR = "instructor", _("镇街指导员")
    ADVISOR = "advisor", _("顾问")
    MEMBER = "member", _("团队成员")


SINGLE_HOLDER_ROLES = frozenset({TeamRoleKind.LEADER, TeamRoleKind.INSTRUCTOR})


class TeamRoleQuerySet(ScopedQuerySet):
    region_path = "alliance__lead_region"
    alliance_path = "alliance"

    def current(self) -> TeamRoleQuerySet:
        return self.filter(ended_on__isnull=True)


class TeamRole(TimeStamped):
    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="team_roles")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="team_roles")
    role = models.CharField(_("团队角色"), max_length=12, choices=TeamRoleKind.choices)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = TeamRoleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作团队角色")
        verbose_name_plural = _("工作团队角色")
        ordering = ["alliance", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance"],
                condition=Q(ended_on__isnull=True, role="leader"),
                name="teamrole_one_open_leader",
                violation_error_message=_("本联盟已有在任的带头人。"),
            ),
            models.UniqueConstraint(
                fields=["alliance"],
                condition=Q(ended_on__isnull=True, role="instructor"),
                name="teamrole_one_open_instructor",
                violation_error_message=_("本联盟已有在任的镇街指导员。"),
            ),
            models.UniqueConstraint(
                fields=["alliance", "person", "role"],
                condition=Q(ended_on__isnull=True),
                name="teamrole_one_open_per_person_role",
                violation_error_message=_("此人已在本联盟担任该角色。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="teamrole_ended_after_started",
            ),
        ]
        indexes = [models.Index(fields=["person", "role", "ended_on"], name="teamrole_person_open_idx")]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.get_role_display()} · {self.person}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("离任日期不能早于任职日期。")})


# --------------------------------------------------------------------------- shared querysets


class AllianceScopedQuerySet(ScopedQuerySet):
    """Rows that belong to one alliance: seen by whoever sees the alliance."""

    region_path = "alliance__lead_region"
    alliance_path = "alliance"
