"""FilterSets shared by the browser list pages and the API.

The ``late`` and ``silent`` filters read the ``is_late`` / ``is_silent`` annotations of
``ProjectQuerySet.with_flags``: the views and viewsets annotate before filtering.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from alliances.filters import AllianceFilter
from members.filters import BooleanFilter, IntegerFilter, OrderingFilter, RegionSubtreeFilter, SearchFilter

from .models import Milestone, ProgressReport, Project, ProjectCategory, ProjectStatus, ReportStatus
from .weeks import local_today


class ProjectFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="alliance__lead_region")
    alliance = AllianceFilter()
    year = IntegerFilter(label=_("年度"))
    category = django_filters.ChoiceFilter(choices=ProjectCategory.choices, label=_("项目类别"))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("状态"))
    late = BooleanFilter(field_name="is_late", label=_("逾期"), help_text=_("节点或计划完成日期已过仍未完成"))
    silent = BooleanFilter(field_name="is_silent", label=_("本周未报"), help_text=_("推进中但本周没有进度报告"))
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
        fields = ["region", "alliance", "year", "category", "status", "late", "silent", "q"]


class ProgressReportFilterSet(django_filters.FilterSet):
    region = RegionSubtreeFilter(path="project__alliance__lead_region")
    alliance = AllianceFilter(field_name="project__alliance")
    project = IntegerFilter(field_name="project_id", label=_("项目"))
    year = IntegerFilter(field_name="project__year", label=_("项目年度"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("审核状态"))
    period = django_filters.DateFilter(label=_("填报周（星期一）"))
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
