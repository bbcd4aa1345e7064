"""REST API for common-prosperity workshops, their monthly reports and the summary."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from alliances.models import Alliance
from core.api_base import ScopedRelatedField, ScopedViewSet
from core.pagination import NewestFirstCursorPagination
from members.models import MemberOrganization, Person, Region, RegionLevel

from .filters import WorkshopFilterSet, WorkshopReportFilterSet, WorkshopSummaryFilterSet
from .forms import SummaryOptionsForm
from .models import CHECKLIST_FIELDS, FIGURE_FIELDS, Workshop, WorkshopReport
from .months import format_month, parse_month
from .services import (
    REPORTER_ROLES,
    workshop_create,
    workshop_report_create,
    workshop_report_update,
    workshop_update,
)
from .summary import Group, Summary, workshop_summary


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-03"})
class MonthField(serializers.Field):
    """A calendar month written ``YYYY-MM`` (``YYYY-MM-01`` is accepted on input)."""

    def to_representation(self, value: datetime.date) -> str:
        return format_month(value)

    def to_internal_value(self, data: Any) -> datetime.date:
        try:
            return parse_month(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class RegionCodeField(serializers.SlugRelatedField):
    """The workshop's region, written by its code. Rows come from ``WorkshopViewSet``'s
    query, which carries the code as ``region_code`` (``with_names``): no region is built
    per row."""

    def __init__(self, **kwargs: Any):
        super().__init__(slug_field="code", queryset=Region.objects.all(), **kwargs)

    def get_attribute(self, instance: Workshop) -> str:
        return instance.region_code

    def to_representation(self, value: str) -> str:
        return value


class WorkshopSerializer(serializers.ModelSerializer):
    region = RegionCodeField()
    host = ScopedRelatedField(MemberOrganization)
    # The names are annotations of WorkshopQuerySet.with_names (see WorkshopViewSet.optimize).
    region_name = serializers.CharField(read_only=True)
    host_name = serializers.CharField(read_only=True)
    alliance = ScopedRelatedField(Alliance, required=False, allow_null=True)
    alliance_name = serializers.CharField(read_only=True, allow_null=True)
    steward = ScopedRelatedField(Person, required=False, allow_null=True)
    steward_name = serializers.CharField(read_only=True, allow_null=True)
    checklist_score = serializers.IntegerField(read_only=True, help_text="“六个一” items met, 0–6")
    checklist_complete = serializers.SerializerMethodField()
    latest_month = MonthField(read_only=True, allow_null=True)
    latest_employed = serializers.IntegerField(read_only=True, allow_null=True)
    latest_low_income_employed = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Workshop
        fields = [
            "id",
            "name",
            "type",
            "region",
            "region_name",
            "host",
            "host_name",
            "alliance",
            "alliance_name",
            "partner_enterprise",
            "steward",
            "steward_name",
            "opened_on",
            "status",
            *CHECKLIST_FIELDS,
            "checklist_score",
            "checklist_complete",
            "latest_month",
            "latest_employed",
            "latest_low_income_employed",
            "description",
            "updated_at",
        ]
        validators = []  # uniqueness is enforced by the service and the database

    def get_checklist_complete(self, workshop: Workshop) -> bool:
        return workshop.checklist_score == len(CHECKLIST_FIELDS)


class TotalsSerializer(serializers.Serializer):
    workshops = serializers.IntegerField(help_text="workshops that reported")
    reports = serializers.IntegerField()
    employed = serializers.IntegerField(help_text="people for one month; person-months over several")
    low_income_employed = serializers.IntegerField()
    wages_paid = serializers.DecimalField(max_digits=20, decimal_places=2)
    sales = serializers.DecimalField(max_digits=20, decimal_places=2)
    income_increase = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="sum of per-person increase × people employed"
    )
    income_increase_per_person = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="average monthly increase per person, weighted by people employed"
    )


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="region code prefix, or workshop type")
    label = serializers.CharField()
    month = TotalsSerializer()
    year_to_date = TotalsSerializer()


class MonthTotalsSerializer(TotalsSerializer):
    month = serializers.CharField()


class SummarySerializer(serializers.Serializer):
    month = serializers.CharField()
    year_start = serializers.CharField()
    level = serializers.ChoiceField(choices=RegionLevel.choices)
    total = GroupSerializer()
    by_region = GroupSerializer(many=True)
    by_type = GroupSerializer(many=True)
    by_month = MonthTotalsSerializer(many=True)


def _group(group: Group) -> dict[str, Any]:
    return {
        "key": group.key,
        "label": group.label,
        "month": group.month.as_dict(),
        "year_to_date": group.year_to_date.as_dict(),
    }


def summary_data(summary: Summary) -> dict[str, Any]:
    return {
        "month": format_month(summary.month),
        "year_start": format_month(summary.year_start),
        "level": summary.level,
        "total": _group(summary.total),
        "by_region": [_group(g) for g in summary.by_region],
        "by_type": [_group(g) for g in summary.by_type],
        "by_month": [{"month": format_month(m.month), **m.totals.as_dict()} for m in summary.by_month],
    }


class WorkshopViewSet(ScopedViewSet):
    """Common-prosperity workshops with their "六个一" checklist and latest monthly head-counts."""

    model = Workshop
    serializer_class = WorkshopSerializer
    filterset_class = WorkshopFilterSet

    def optimize(self, queryset):
        return queryset.with_names().with_checklist().with_latest_report()

    def create_object(self, data):
        return workshop_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return workshop_update(actor=self.request.user, workshop=instance, **data)

    @extend_schema(
        summary="Totals for a month and the year to date, by region level, type and month",
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR, description="YYYY-MM; default: the last complete month (Asia/Shanghai)"
            ),
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                enum=[v for v in RegionLevel.values if v != RegionLevel.PROVINCE],
                description="region level of by_region; default: county",
            ),
        ],
        filters=True,
        responses=SummarySerializer,
    )
    @action(
        detail=False,
        methods=["get"],
        filterset_class=WorkshopSummaryFilterSet,
        filter_backends=[DjangoFilterBackend],
        pagination_class=None,
    )
    def summary(self, request):
        options = SummaryOptionsForm(request.query_params)
        if not options.is_valid():
            raise ValidationError(options.errors)
        workshops = self.filter_queryset(Workshop.objects.visible_to(request.user))
        reports = WorkshopReport.objects.visible_to(request.user).filter(workshop__in=workshops.values("pk"))
        summary = workshop_summary(reports, month=options.cleaned_month(), level=options.cleaned_level())
        return Response(SummarySerializer(summary_data(summary)).data)


class WorkshopReportSerializer(serializers.ModelSerializer):
    workshop = ScopedRelatedField(Workshop)
    workshop_name = serializers.CharField(source="workshop.name", read_only=True)
    month = MonthField()
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, default=None)

    class Meta:
        model = WorkshopReport
        fields = [
            "id",
            "workshop",
            "workshop_name",
            "month",
            *FIGURE_FIELDS,
            "notes",
            "submitted_by",
            "updated_at",
        ]
        validators = []  # one report per month and low-income ≤ employed: the service and the database


class WorkshopReportUpdateSerializer(WorkshopReportSerializer):
    """A filed month's figures can be corrected; its workshop and month cannot change."""

    workshop = serializers.PrimaryKeyRelatedField(read_only=True)
    month = MonthField(read_only=True)


class WorkshopReportViewSet(ScopedViewSet):
    """Monthly figures, newest first, paged by cursor. Staff of the region, the alliance's
    leader and the workshop's steward file them (POST) and correct them (PATCH); a second
    report for a month is refused."""

    pagination_class = NewestFirstCursorPagination
    model = WorkshopReport
    serializer_class = WorkshopReportSerializer
    filterset_class = WorkshopReportFilterSet
    write_roles = REPORTER_ROLES

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return WorkshopReportUpdateSerializer
        return WorkshopReportSerializer

    def optimize(self, queryset):
        return queryset.select_related("workshop", "submitted_by")

    def create_object(self, data):
        return workshop_report_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return workshop_report_update(actor=self.request.user, report=instance, **data)
