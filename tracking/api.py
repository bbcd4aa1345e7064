"""REST API of tracked items (督办事项): read-only, scoped like the pages
(``visible_to``), filtered by the list page's FilterSet."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_base import ReadOnlyScopedViewSet

from .filters import TrackedItemFilterSet
from .models import TrackedItem, TrackedItemEvent


class TrackedItemEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = TrackedItemEvent
        fields = ["action", "actor", "at", "from_state", "to_state", "note", "department", "deadline", "rating"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, event) -> str | None:
        return event.actor.get_username() if event.actor_id else None


class TrackedItemSerializer(serializers.ModelSerializer):
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    assignee_name = serializers.CharField(source="assignee.name", read_only=True, default=None, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="Past the deadline and still with the department.")
    bucket = serializers.CharField(
        read_only=True, help_text="The weekly dispatch's bucket: new, in_progress, handled, overdue."
    )
    days_open = serializers.SerializerMethodField(
        help_text="Whole days from raising to confirmation as solved (or today)."
    )

    class Meta:
        model = TrackedItem
        fields = [
            "id",
            "alliance",
            "alliance_name",
            "source",
            "report",
            "need",
            "title",
            "detail",
            "assignee",
            "assignee_name",
            "deadline",
            "state",
            "bucket",
            "is_overdue",
            "days_open",
            "rating",
            "raised_on",
            "created_at",
            "assigned_at",
            "replied_at",
            "handled_at",
            "closed_at",
            "reopened_at",
            "escalated_at",
        ]

    def get_days_open(self, item) -> int:
        return item.days_open(timezone.localdate())


class TrackedItemDetailSerializer(TrackedItemSerializer):
    events = TrackedItemEventSerializer(many=True, read_only=True)

    class Meta(TrackedItemSerializer.Meta):
        fields = [*TrackedItemSerializer.Meta.fields, "events"]


class TrackedItemViewSet(ReadOnlyScopedViewSet):
    """Tracked items (督办事项) with their state, the dispatch's bucket and days open; the
    detail adds the history. Filters: state, bucket, overdue, department, alliance,
    region (code, with everything below it), source, q; ordering by deadline, raised,
    state."""

    model = TrackedItem
    serializer_class = TrackedItemSerializer
    filterset_class = TrackedItemFilterSet

    def get_serializer_class(self):
        return TrackedItemDetailSerializer if self.action == "retrieve" else TrackedItemSerializer

    def optimize(self, queryset):
        queryset = queryset.with_bucket(timezone.localdate()).select_related("alliance", "assignee")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor", "events__department")
        return queryset.order_by("-created_at", "-pk")
