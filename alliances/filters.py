"""FilterSets shared by the browser list pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from members.filters import (
    BooleanFilter,
    IntegerFilter,
    LookupInput,
    OrderingFilter,
    RegionSubtreeFilter,
    SearchFilter,
    StrictNullBooleanHidden,
)

from .models import (
    Activity,
    ActivityKind,
    Alliance,
    AllianceScope,
    AllianceStatus,
    Claim,
    ClaimStatus,
    EntityPlatform,
    FormationMode,
    ListStatus,
    Meeting,
    MeetingKind,
    Membership,
    MembershipRole,
    Mentorship,
    Need,
    NeedCategory,
    PlatformKind,
    PlatformOwnership,
    Resource,
    ResourceCategory,
    TeamRole,
    TeamRoleKind,
)


class AllianceInput(LookupInput):
    """A text box for an alliance's code or name, with a type-ahead (``alliances:lookup``;
    without scripts the typed code or name is looked up on submit). Never a list of every
    alliance: a city's list pages held over a thousand of them, 60 KB of every page."""

    lookup = "alliances:lookup"
    placeholder = _("联盟编号或名称")

    def format_value(self, value):
        return value.code if isinstance(value, Alliance) else super().format_value(value)


class AllianceField(forms.CharField):
    """An alliance given by its id (``?alliance=<id>`` of the API and of the site's links),
    its code or its exact name, among ``alliances`` (those the user may see)."""

    widget = AllianceInput
    default_error_messages = {
        "unknown": _("未找到联盟“%(value)s”，请输入联盟编号或名称。"),
        "ambiguous": _("有多个联盟名为“%(value)s”，请输入联盟编号。"),
    }

    def __init__(self, *, alliances=None, **kwargs):
        self.alliances = alliances
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        alliances = self.alliances if self.alliances is not None else Alliance.objects.none()
        found = list(alliances.filter(pk=int(value))[:1]) if value.isdigit() and len(value) < 19 else []
        found = found or list(alliances.filter(code=value)[:1]) or list(alliances.filter(name=value)[:2])
        if len(found) == 1:
            return found[0]
        code = "ambiguous" if found else "unknown"
        raise forms.ValidationError(self.error_messages[code], code=code, params={"value": value})


@extend_schema_field(OpenApiTypes.INT)
class AllianceFilter(django_filters.Filter):
    """``?alliance=<id>``: one of the alliances the caller may see (on a page, also typed
    by its code or name). Other alliances are unknown, whether they exist or not."""

    field_class = AllianceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("联盟"))
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            user = getattr(getattr(self.parent, "request", None), "user", None)
            self.extra["alliances"] = Alliance.objects.visible_to(user).only("pk", "code", "name")
        return super().field

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{self.field_name: value})


class AllianceFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="lead_region")
    # ``?instructed=true``: the alliances whose open 镇街指导员 role the user's person holds
    # (journey 4). The page offers it as a tab to those who instruct any (a hidden field keeps
    # it while other filters change).
    instructed = BooleanFilter(method="filter_instructed", label=_("我指导的联盟"), widget=StrictNullBooleanHidden)
    formation_mode = django_filters.ChoiceFilter(choices=FormationMode.choices, label=_("组建模式"))
    status = django_filters.ChoiceFilter(choices=AllianceStatus.choices, label=_("状态"))
    scope = django_filters.ChoiceFilter(choices=AllianceScope.choices, label=_("联建范围"))
    is_demonstration = BooleanFilter(label=_("示范性联盟"))
    q = SearchFilter(fields=("name", "code", "formation_mode_other"))
    ordering = OrderingFilter(
        fields=(
            ("code", "code"),
            ("name_pinyin", "name"),
            ("founded_on", "founded_on"),
            ("member_count", "member_count"),
            ("status", "status"),
        ),
        field_labels={
            "code": _("编号"),
            "name_pinyin": _("名称"),
            "founded_on": _("成立日期"),
            "member_count": _("成员数"),
            "status": _("状态"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Alliance
        fields = ["region", "instructed", "formation_mode", "status", "scope", "is_demonstration", "q"]

    def filter_instructed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.instructed_by(getattr(self.request, "user", None), instructed=value)


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


# =========================================================================== operations


class AllianceRecordFilterSet(django_filters.FilterSet):
    """Filters every record that belongs to one alliance shares: region subtree and alliance."""

    region = RegionSubtreeFilter(path="alliance__lead_region")
    alliance = IntegerFilter(field_name="alliance_id", label=_("联盟"))


class DatedRecordFilterSet(AllianceRecordFilterSet):
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("日期起"))
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("日期止"))


class MeetingFilterSet(DatedRecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("会议类型"))
    q = SearchFilter(fields=("topics", "decisions", "place", "alliance__name"))
    ordering = OrderingFilter(
        fields=(("held_on", "held_on"), ("kind", "kind"), ("alliance__name", "alliance")),
        field_labels={"held_on": _("召开日期"), "kind": _("会议类型"), "alliance__name": _("联盟")},
        label=_("排序"),
    )

    class Meta:
        model = Meeting
        fields = ["region", "alliance", "kind", "held_after", "held_before", "q"]


class ActivityFilterSet(DatedRecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("活动类型"))
    q = SearchFilter(fields=("title", "summary", "place", "alliance__name"))
    ordering = OrderingFilter(
        fields=(("held_on", "held_on"), ("kind", "kind"), ("participant_count", "participant_count")),
        field_labels={"held_on": _("活动日期"), "kind": _("活动类型"), "participant_count": _("参与人次")},
        label=_("排序"),
    )

    class Meta:
        model = Activity
        fields = ["region", "alliance", "kind", "held_after", "held_before", "q"]


class MentorshipFilterSet(AllianceRecordFilterSet):
    current = BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("帮带中"))
    person = IntegerFilter(method="filter_person", label=_("人员"))
    q = SearchFilter(fields=("mentor__name", "apprentice__name", "mentor_title", "alliance__name"))

    class Meta:
        model = Mentorship
        fields = ["region", "alliance", "current", "person", "q"]

    def filter_person(self, queryset, name, value):
        return queryset.filter(Q(mentor_id=value) | Q(apprentice_id=value))


class EntityPlatformFilterSet(AllianceRecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=PlatformKind.choices, label=_("平台类型"))
    ownership = django_filters.ChoiceFilter(choices=PlatformOwnership.choices, label=_("组建方式"))
    q = SearchFilter(fields=("name", "business_scope", "alliance__name"))
    ordering = OrderingFilter(
        fields=(("name", "name"), ("registered_capital", "registered_capital"), ("annual_revenue", "annual_revenue")),
        field_labels={"name": _("名称"), "registered_capital": _("注册资本"), "annual_revenue": _("年营业收入")},
        label=_("排序"),
    )

    class Meta:
        model = EntityPlatform
        fields = ["region", "alliance", "kind", "ownership", "q"]


class ListEntryFilterSet(AllianceRecordFilterSet):
    status = django_filters.ChoiceFilter(choices=ListStatus.choices, label=_("状态"))
    q = SearchFilter(fields=("title", "description", "alliance__name"))
    ordering = OrderingFilter(
        fields=(("posted_on", "posted_on"), ("title", "title"), ("status", "status")),
        field_labels={"posted_on": _("发布日期"), "title": _("标题"), "status": _("状态")},
        label=_("排序"),
    )


class NeedFilterSet(ListEntryFilterSet):
    category = django_filters.ChoiceFilter(choices=NeedCategory.choices, label=_("需求类别"))
    open_to_all = BooleanFilter(label=_("面向全域公开"))

    class Meta:
        model = Need
        fields = ["region", "alliance", "status", "category", "open_to_all", "q"]


class ResourceFilterSet(ListEntryFilterSet):
    category = django_filters.ChoiceFilter(choices=ResourceCategory.choices, label=_("资源类别"))

    class Meta:
        model = Resource
        fields = ["region", "alliance", "status", "category", "q"]


class ClaimFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices, label=_("状态"))
    target = django_filters.ChoiceFilter(
        choices=[("need", _("需求")), ("resource", _("资源"))], method="filter_target", label=_("认领对象")
    )
    need = IntegerFilter(field_name="need_id", label=_("需求"))
    resource = IntegerFilter(field_name="resource_id", label=_("资源"))
    alliance = IntegerFilter(method="filter_alliance", label=_("联盟（发布方或认领方）"))
    organization = IntegerFilter(field_name="claimant_organization_id", label=_("认领单位"))

    class Meta:
        model = Claim
        fields = ["status", "target", "need", "resource", "alliance", "organization"]

    def filter_target(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})

    def filter_alliance(self, queryset, name, value):
        return queryset.filter(
            Q(need__alliance_id=value) | Q(resource__alliance_id=value) | Q(claimant_alliance_id=value)
        )
