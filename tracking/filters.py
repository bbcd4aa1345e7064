"""The item list's filters, shared by the page and the API (``/api/v1/tracked-items/``).

``overdue`` and ``bucket`` read the ``is_overdue`` / ``bucket`` annotations of
``TrackedItemQuerySet.with_bucket(today)``: the view and the viewset annotate first.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from members.filters import BooleanFilter, IntegerFilter, OrderingFilter, RegionSubtreeFilter, SearchFilter
from members.models import Department
from projects.filters import AllianceFilter

from .models import Bucket, ItemSource, ItemState, TrackedItem


def visible_departments(request) -> object:
    return Department.objects.visible_to(getattr(request, "user", None)).select_related("county")


@extend_schema_field(OpenApiTypes.INT)
class DepartmentFilter(django_filters.ModelChoiceFilter):
    """``?department=<id>``: one of the departments the caller may see."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", visible_departments)
        kwargs.setdefault("label", _("承办部门"))
        kwargs.setdefault("field_name", "assignee")
        super().__init__(*args, **kwargs)


class TrackedItemFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ItemState.choices, label=_("状态"))
    bucket = django_filters.ChoiceFilter(
        choices=Bucket.choices, label=_("调度分类"), help_text=_("新提、办理中、已办结、逾期（逾期优先）")
    )
    overdue = BooleanFilter(field_name="is_overdue", label=_("逾期"), help_text=_("已过办理期限，部门仍未办结"))
    department = DepartmentFilter()
    alliance = AllianceFilter()
    region = RegionSubtreeFilter(path="alliance__lead_region")
    source = django_filters.ChoiceFilter(choices=ItemSource.choices, label=_("来源"))
    year = IntegerFilter(
        field_name="raised_on", lookup_expr="year", min_value=2000, max_value=2100, label=_("提出年度")
    )
    q = SearchFilter(fields=("title", "detail", "alliance__name", "assignee__name"))
    ordering = OrderingFilter(
        fields=(("deadline", "deadline"), ("created_at", "raised"), ("state", "state")),
        field_labels={"deadline": _("办理期限"), "created_at": _("提出时间"), "state": _("状态")},
        label=_("排序"),
    )

    class Meta:
        model = TrackedItem
        fields = ["state", "bucket", "overdue", "department", "alliance", "region", "source", "year", "q"]
