"""FilterSets shared by the browser list pages and the API.

The ``late`` and ``silent`` filters read the ``is_late`` / ``is_silent`` annotations of
``ProjectQuerySet.with_flags``: the views and viewsets annotate before filtering.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.filters import AllianceFilter
from core.widgets import DateInput
from members.filters import BooleanFilter, IntegerFilter, OrderingFilter, RegionSubtreeFilter, SearchFilter

from . import reporting
from .models import Milestone, ProgressReport, Project, ProjectCategory, ProjectStatus, ReportStatus
from .weeks import local_today, week_start


class MondayField(forms.DateField):
    """A reporting week, given by its Monday (YYYY-MM-DD)."""

    widget = DateInput

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not 2000 <= day.year <= 2100:
            raise ValidationError(_("请填写 2000 年至 2100 年之间的一周。"))
        if day is not None and day.weekday() != 0:
            monday = week_start(day).isoformat()
            raise ValidationError(_("请填写一周的星期一，例如 %(monday)s。") % {"monday": monday})
        return day


class WeekFilter(django_filters.DateFilter):
    field_class = MondayField


class ProjectFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="alliance__lead_region")
    alliance = AllianceFilter()
    year = IntegerFilter(label=_("年度"))
    category = django_filters.ChoiceFilter(choices=ProjectCategory.choices, label=_("项目类别"))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("状态"))
    late = BooleanFilter(field_name="is_late", label=_("逾期"), help_text=_("节点或计划完成日期已过仍未完成"))
    silent = BooleanFilter(field_name="is_silent", label=_("本周未报"), help_text=_("推进中但本周没有进度报告"))
    due_week = WeekFilter(
        method="filter_due_week",
        label=_("应报周（星期一）"),
        help_text=_("该周周日仍在建、应报该周周报的项目"),
    )
    received_week = WeekFilter(
        method="filter_received_week",
        label=_("已报周（星期一）"),
        help_text=_("该周周报已提交、且未处于退回待重报状态的项目"),
    )
    q = SearchFilter(fields=("title", "description", "alliance__name"))
    ordering = OrderingFilter(
        fields=(
            ("year", "year"),
            ("name_pinyin", "title"),
            ("due_on", "due_on"),
            ("status", "status"),
            ("percent_complete", "percent_complete"),
            ("last_period", "last_period"),
        ),
        field_labels={
            "year": _("年度"),
            "name_pinyin": _("项目名称"),
            "due_on": _("计划完成日期"),
            "status": _("状态"),
            "percent_complete": _("完成进度"),
            "last_period": _("最近填报"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Project
        fields = [
            "region",
            "alliance",
            "year",
            "category",
            "status",
            "late",
            "silent",
            "due_week",
            "received_week",
            "q",
        ]

    # The dashboard's last-week figures, by the reporting rule (projects.reporting) they count by.
    def filter_due_week(self, queryset, name, value):
        return queryset.filter(reporting.under_way_in_week(value))

    def filter_received_week(self, queryset, name, value):
        received = reporting.received(timezone.now()).filter(project=OuterRef("pk"), period=value)
        return queryset.filter(Exists(received))


class ProgressReportFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="project__alliance__lead_region")
    alliance = AllianceFilter(field_name="project__alliance")
    project = IntegerFilter(field_name="project_id", label=_("项目"))
    year = IntegerFilter(field_name="project__year", label=_("项目年度"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("审核状态"))
    period = WeekFilter(label=_("填报周（星期一）"))
    period_from = django_filters.DateFilter(field_name="period", lookup_expr="gte", label=_("起始周"))
    period_to = django_filters.DateFilter(field_name="period", lookup_expr="lte", label=_("截止周"))
    needs_coordination = BooleanFilter(label=_("需要协调"))
    q = SearchFilter(fields=("project__title", "work_done", "blockers"))

    class Meta:
        model = ProgressReport
        fields = [
            "region",
            "alliance",
            "project",
            "year",
            "status",
            "period",
            "period_from",
            "period_to",
            "needs_coordination",
            "q",
        ]


class MilestoneFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="project__alliance__lead_region")
    project = IntegerFilter(field_name="project_id", label=_("项目"))
    done = BooleanFilter(field_name="done_on", lookup_expr="isnull", exclude=True, label=_("已完成"))
    overdue = BooleanFilter(method="filter_overdue", label=_("逾期未完成"))

    class Meta:
        model = Milestone
        fields = ["region", "project", "done", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Milestone.objects.overdue_on(local_today()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
