"""REST API for rollups (read-only: they are produced by tasks and the rollup command)."""

from __future__ import annotations

from rest_framework import serializers

from members.api_base import ReadOnlyScopedViewSet

from .filters import RollupFilterSet
from .models import Rollup


class RollupSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)

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
            "report",
        ]


class RollupViewSet(ReadOnlyScopedViewSet):
    """Weekly dispatches, monthly bulletins, quarterly observations and annual reviews of
    the caller's region (and the regions above it)."""

    model = Rollup
    serializer_class = RollupSerializer
    filterset_class = RollupFilterSet

    def optimize(self, queryset):
        return queryset.select_related("region")
