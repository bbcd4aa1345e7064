"""FilterSets shared by the browser list pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from members.filters import BooleanFilter, IntegerFilter, RegionSubtreeFilter, SearchFilter

from .models import (
    Alliance,
    AllianceScope,
    AllianceStatus,
    FormationMode,
    Membership,
    MembershipRole,
    TeamRole,
    TeamRoleKind,
)


class AllianceFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="lead_region")
    formation_mode = django_filters.ChoiceFilter(choices=FormationMode.choices, label=_("组建模式"))
    status = django_filters.ChoiceFilter(choices=AllianceStatus.choices, label=_("状态"))
    scope = django_filters.ChoiceFilter(choices=AllianceScope.choices, label=_("联建范围"))
    is_demonstration = BooleanFilter(label=_("示范性联盟"))
    q = SearchFilter(fields=("name", "code", "formation_mode_other"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
            ("founded_on", "founded_on"),
            ("member_count", "member_count"),
            ("status", "status"),
        ),
        field_labels={
            "code": _("编号"),
            "name": _("名称"),
            "founded_on": _("成立日期"),
            "member_count": _("成员数"),
            "status": _("状态"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Alliance
        fields = ["region", "formation_mode", "status", "scope", "is_demonstration", "q"]


class MembershipFilterSet(django_filters.FilterSet):
    alliance = IntegerFilter(field_name="alliance_id", label=_("联盟"))
    organization = IntegerFilter(field_name="organization_id", label=_("成员单位"))
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices, label=_("角色"))
    current = BooleanFilter(field_name="left_on", lookup_expr="isnull", label=_("在册"))

    class Meta:
        model = Membership
        fields = ["alliance", "organization", "role", "current"]


class TeamRoleFilterSet(django_filters.FilterSet):
    alliance = IntegerFilter(field_name="alliance_id", label=_("联盟"))
    person = IntegerFilter(field_name="person_id", label=_("人员"))
    role = django_filters.ChoiceFilter(choices=TeamRoleKind.choices, label=_("团队角色"))
    current = BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("在任"))

    class Meta:
        model = TeamRole
        fields = ["alliance", "person", "role", "current"]
