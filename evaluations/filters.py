from __future__ import annotations

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.filters import IntegerFilter, RegionSubtreeFilter
from members.models import in_subtree

from .models import Proposal, ProposalKind, ProposalStatus, Rollup, RollupStatus, VetoFinding
from .rollups import KIND_CHOICES


class RollupFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=KIND_CHOICES, label=_("类型"))
    region = RegionSubtreeFilter(path="region")
    period = django_filters.CharFilter(field_name="period_key", label=_("期间"))
    year = IntegerFilter(field_name="period_start__year", min_value=2000, max_value=2100, label=_("年份"))
    status = django_filters.ChoiceFilter(choices=RollupStatus.choices, label=_("状态"))

    class Meta:
        model = Rollup
        fields = ["kind", "region", "period", "year", "status"]


class SubjectRegionFilter(RegionSubtreeFilter):
    """``?region=``: proposals about an alliance led there, or an organization there (or
    below). A proposal's own region is the county whose annual review made it, the same for
    every proposal a county officer sees; the subject's region is the one worth choosing."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(
            in_subtree(value.prefix, "alliance__lead_region") | in_subtree(value.prefix, "organization__region")
        )


class ProposalFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=ProposalKind.choices, label=_("结果运用"))
    year = IntegerFilter(field_name="year", min_value=2000, max_value=2100, label=_("年度"))
    region = SubjectRegionFilter(label=_("对象所在区域（含下级）"))

    class Meta:
        model = Proposal
        fields = ["status", "kind", "year", "region"]


class VetoState(models.TextChoices):
    TO_CONFIRM = "to_confirm", _("待您核实确认")
    UNCONFIRMED = "unconfirmed", _("待核实确认")
    CONFIRMED = "confirmed", _("已确认")


class VetoFindingFilterSet(django_filters.FilterSet):
    """The bottom-line findings by state: ``to_confirm`` are those the reader may confirm
    (``VetoFindingQuerySet.to_confirm_by``)."""

    state = django_filters.ChoiceFilter(choices=VetoState.choices, method="by_state", label=_("状态"))
    year = IntegerFilter(field_name="year", min_value=2000, max_value=2100, label=_("年度"))

    class Meta:
        model = VetoFinding
        fields = ["state", "year"]

    def by_state(self, queryset, name, value):
        if value == VetoState.TO_CONFIRM:
            return queryset.to_confirm_by(self.request.user)
        return queryset.filter(confirmed=value == VetoState.CONFIRMED)
