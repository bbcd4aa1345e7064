"""FilterSets shared by the browser pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from alliances.filters import AllianceFilter
from members.filters import BooleanFilter, IntegerFilter, OrderingFilter, RegionSubtreeFilter, SearchFilter

from .models import Workshop, WorkshopReport, WorkshopStatus, WorkshopType
from .months import MonthField


class ChecklistCompleteFilter(BooleanFilter):
    """``?checklist_complete=true``: all six items of "六个一" met (false: at least one missing)."""

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.checklist_complete(value)


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    """``?month=2025-03``: a calendar month."""

    field_class = MonthField


class WorkshopFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="region")
    alliance = AllianceFilter(label=_("所属联盟"))
    type = django_filters.ChoiceFilter(choices=WorkshopType.choices, label=_("工坊类型"))
    status = django_filters.ChoiceFilter(choices=WorkshopStatus.choices, label=_("状态"))
    checklist_complete = ChecklistCompleteFilter(label=_("“六个一”齐全"))
    unreported = MonthFilter(
        method="filter_unreported",
        label=_("未报该月数据"),
        help_text=_("如 2026-11：未关闭、当月已开办而该月未填报的工坊"),
    )
    q = SearchFilter(fields=("name", "partner_enterprise", "host__name"))
    ordering = OrderingFilter(
        fields=(
            ("name_pinyin", "name"),
            ("opened_on", "opened_on"),
            ("checklist_score", "checklist_score"),
            ("latest_employed", "latest_employed"),
            ("region__code", "region"),
        ),
        field_labels={
            "name_pinyin": _("名称"),
            "opened_on": _("开办日期"),
            "checklist_score": _("“六个一”完成数"),
            "latest_employed": _("最近就业人数"),
            "region__code": _("区域"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Workshop
        fields = ["region", "alliance", "type", "status", "checklist_complete", "unreported", "q"]

    def filter_unreported(self, queryset, name, value):
        """The workshops that owe the month's figures (``WorkshopQuerySet.owing``)."""
        if not value:
            return queryset
        return queryset.owing(value)


class WorkshopSummaryFilterSet(WorkshopFilterSet):
    """Which workshops the summary adds up (the same filters, without search, sorting and
    the month not reported)."""

    q = None
    ordering = None
    unreported = None

    class Meta:
        model = Workshop
        fields = ["region", "alliance", "type", "status", "checklist_complete"]


class WorkshopReportFilterSet(django_filters.FilterSet):
    workshop = IntegerFilter(field_name="workshop_id", label=_("共富工坊"))
    month = MonthFilter(field_name="month", label=_("月份"))
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=_("起始月份"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=_("截止月份"))
    region = RegionSubtreeFilter(path="workshop__region")
    alliance = AllianceFilter(field_name="workshop__alliance", label=_("所属联盟"))
    type = django_filters.ChoiceFilter(field_name="workshop__type", choices=WorkshopType.choices, label=_("工坊类型"))

    class Meta:
        model = WorkshopReport
        fields = ["workshop", "month", "month_from", "month_to", "region", "alliance", "type"]
