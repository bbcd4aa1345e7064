"""REST API for rollups: read them; staff who may publish a draft publish it here."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, as in every viewset
from rest_framework.response import Response

from alliances.models import Alliance
from core.api_base import ReadOnlyScopedViewSet, ScopedQueryMixin

from . import dashboard, scorecard
from .dashboard import TIMESERIES_METRICS
from .filters import RollupFilterSet
from .models import Rollup
from .services import rollup_publish
from .texts import rendered_report


class RollupSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    report = serializers.SerializerMethodField(
        help_text=(
            "The report (summary figures, tables, notes) with its labels, titles and words in the "
            "request's language (Chinese unless the language cookie asks for English), as the page "
            "shows them; keys, numbers, amounts in yuan and ISO dates as computed."
        )
    )

    class Meta:
        model = Rollup
        fields = [
            "id",
            "kind",
            "period_key",
            "period_label",
            "period_start",
            "region",
            "region_name",
            "produced_at",
            "status",
            "version",
            "published_at",
            "correction_reason",
            "report",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_report(self, rollup: Rollup) -> dict:
        return rendered_report(rollup.report)


class WaiverSerializer(serializers.Serializer):
    alliance = serializers.IntegerField(help_text="The alliance's id.")
    indicator = serializers.IntegerField(help_text="The staff-scored indicator's id.")
    reason = serializers.CharField(help_text="Why the rollup is published without this score.")


class RollupPublishSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required for a correction (version 2 and later)."
    )
    waivers = WaiverSerializer(many=True, required=False, default=list)


class RollupViewSet(ReadOnlyScopedViewSet):
    """Weekly dispatches, monthly bulletins, quarterly observations and annual reviews of
    the caller's region (and the regions above it)."""

    model = Rollup
    serializer_class = RollupSerializer
    filterset_class = RollupFilterSet

    def optimize(self, queryset):
        return queryset.select_related("region")

    @extend_schema(request=RollupPublishSerializer, responses=RollupSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft as its next version (staff of the rollup's region or above). Refused
        (400) while a staff score is pending and not waived, or for a correction without a reason."""
        rollup = self.get_object()
        body = RollupPublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        waivers = {f"waive-{w['alliance']}-{w['indicator']}": w["reason"] for w in body.validated_data["waivers"]}
        published = rollup_publish(
            actor=request.user, rollup=rollup, reason=body.validated_data["reason"], waivers=waivers
        )
        return Response(RollupSerializer(published, context=self.get_serializer_context()).data)


class DashboardFigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.JSONField()
    type = serializers.CharField()
    help = serializers.CharField(help_text="the figure's definition (统计口径), one sentence")


class DashboardSummarySerializer(serializers.Serializer):
    date = serializers.DateField()
    year = serializers.IntegerField()
    month = serializers.CharField()
    week = serializers.DateField(help_text="Monday of the week under way")
    last_week = serializers.DateField(help_text="Monday of the last complete ISO week, the reporting figures' week")
    figures = serializers.DictField(child=DashboardFigureSerializer())
    breakdowns = serializers.DictField(child=serializers.JSONField())
    bulletin = serializers.JSONField(allow_null=True)


class TimeseriesPointSerializer(serializers.Serializer):
    period = serializers.CharField()
    value = serializers.IntegerField()


class TimeseriesQuerySerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=TIMESERIES_METRICS)
    months = serializers.IntegerField(min_value=1, max_value=36, default=12)


SUMMARY_EXAMPLE = {
    "date": "2026-11-21",
    "year": 2026,
    "month": "2026-10",
    "week": "2026-11-16",
    "last_week": "2026-11-09",
    "figures": {
        "alliances": {"label": "党建联盟", "value": 10, "type": "int", "help": "您范围内的党建联盟数，含各运行状态。"},
        "reporting_rate": {
            "label": "上周报送率",
            "value": "87.0",
            "type": "percent",
            "help": "最近一个完整周的已报项目数除以应报项目数，按北京时间计周。",
        },
    },
    "breakdowns": {"status": {"label": "按运行状态", "rows": [{"key": "active", "label": "运行中", "value": 8}]}},
    "bulletin": {"period": "2026-10", "region": "330212000000", "top": [], "bottom": []},
}


class DashboardViewSet(viewsets.ViewSet):
    """Figures for big screens, for the caller's scope (a read-only token sees its region)."""

    @extend_schema(
        responses=DashboardSummarySerializer,
        examples=[OpenApiExample("鄞州区", value=SUMMARY_EXAMPLE, response_only=True)],
        description="The staff dashboard's figures: alliances by mode and status, projects, investment, "
        "the last complete week's reporting rate and the week under way apart, workshop employment, "
        "the latest bulletin of the caller's region (its top and bottom alliances, a city's counties).",
    )
    @action(detail=False)
    def summary(self, request):
        return Response(dashboard.as_json(dashboard.build(request.user)))

    @extend_schema(
        parameters=[TimeseriesQuerySerializer],
        responses=TimeseriesPointSerializer(many=True),
        examples=[
            OpenApiExample(
                "工坊就业",
                value=[{"period": "2026-09", "value": 9480}, {"period": "2026-10", "value": 9523}],
                response_only=True,
            )
        ],
        description="A monthly series ending with the last complete month (Asia/Shanghai): workshop_employed "
        "and workshop_low_income sum the month's workshop figures (head-counts of the month); reports_received "
        "counts the progress reports of the weeks beginning in the month that stand received now (sent, and not "
        "returned without being sent again: the dashboard's rule, docs/indicators.md).",
    )
    @action(detail=False)
    def timeseries(self, request):
        query = TimeseriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            dashboard.timeseries(request.user, query.validated_data["metric"], months=query.validated_data["months"])
        )


# ------------------------------------------------------------------- scorecards


class ScorecardQuerySerializer(serializers.Serializer):
    period = serializers.RegexField(
        r"^\d{4}(-Q[1-4]|-\d{2}|-W\d{2})?$",
        help_text="The assessed period: 2025 (year), 2025-Q3 (quarter), 2025-10 (month).",
    )


class ScorecardSerializer(serializers.Serializer):
    """The shape of a scorecard (``evaluations.scorecard.as_json``)."""

    alliance = serializers.JSONField()
    period = serializers.JSONField()
    scheme = serializers.JSONField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2)
    base_score = serializers.DecimalField(max_digits=6, decimal_places=2)
    grade = serializers.CharField()
    vetoed = serializers.BooleanField()
    county_rank = serializers.IntegerField(allow_null=True)
    city_rank = serializers.IntegerField(allow_null=True)
    dimensions = serializers.ListField(child=serializers.JSONField())
    member_part = serializers.JSONField()
    vetoes = serializers.ListField(child=serializers.JSONField())
    visits = serializers.ListField(child=serializers.JSONField())


class AllianceScorecardViewSet(ScopedQueryMixin, viewsets.GenericViewSet):
    """``/alliances/{id}/scorecard/?period=``: an alliance's scorecard for an assessed period,
    read-only. The alliance is found among those the caller may see (404 else); a period
    it was not assessed for is a 404 too."""

    model = Alliance
    serializer_class = ScorecardSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        parameters=[ScorecardQuerySerializer],
        responses=ScorecardSerializer,
        description="The total, the five dimensions, each indicator (attainment, weight, score, or not "
        "applicable) with the rows behind each computed one, the members' standing, vetoes and visit scores.",
    )
    @action(detail=True)
    def scorecard(self, request, pk=None):
        query = ScorecardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        alliance = get_object_or_404(self.get_queryset(), pk=pk)
        period = scorecard.period_of_key(query.validated_data["period"])
        if not scorecard.readable(alliance, period, request.user):
            raise Http404
        card = scorecard.build(alliance, period)
        return Response(scorecard.as_json(card))
