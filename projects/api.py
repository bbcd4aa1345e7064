"""REST API for projects, milestones and weekly progress reports (thin: services do the work)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from alliances.models import Alliance
from core.api_base import ScopedRelatedField, ScopedViewSet
from core.pagination import DeferredJoinPagination, NewestFirstCursorPagination
from members.access import Role
from members.models import MemberOrganization, Person

from .filters import MilestoneFilterSet, ProgressReportFilterSet, ProjectFilterSet
from .models import (
    Milestone,
    ProgressReport,
    ProgressReportRevision,
    Project,
    ProjectStatus,
    ReportAttachment,
    ReportStatus,
)
from .services import (
    PROJECT_FIELDS,
    milestone_create,
    milestone_update,
    project_change_status,
    project_create,
    project_update,
    report_resubmit,
    report_review,
    report_submit,
)
from .weeks import local_today

# --------------------------------------------------------------------------- projects


class ProjectSerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    # The names are annotations of ProjectQuerySet.with_names (see ProjectViewSet.optimize).
    alliance_name = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region_code", read_only=True)
    responsible_organization = ScopedRelatedField(MemberOrganization, required=False, allow_null=True)
    responsible_organization_name = serializers.CharField(read_only=True, allow_null=True)
    responsible_person = ScopedRelatedField(Person, required=False, allow_null=True)
    responsible_person_name = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(
        choices=ProjectStatus.choices,
        required=False,
        help_text="On create: planned (default) or in_progress. Afterwards change it with POST .../status/.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Required on PATCH: the version the edit is based on. A stale version is refused (400, `version`).",
    )
    total_funding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    percent_complete = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="100 once completed, else of the latest report not returned (the figures' rule); "
        "null before any report.",
    )
    last_period = serializers.DateField(
        read_only=True, allow_null=True, help_text="Monday of the latest week reported."
    )
    pending_reports = serializers.IntegerField(read_only=True, help_text="Reports awaiting review.")
    is_late = serializers.BooleanField(read_only=True, help_text="A milestone or the due date passed unfinished.")
    is_silent = serializers.BooleanField(
        read_only=True, help_text="In progress (or delayed) with no report for the current week (Asia/Shanghai)."
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "alliance",
            "alliance_name",
            "region",
            *PROJECT_FIELDS,
            "responsible_organization_name",
            "responsible_person_name",
            "total_funding",
            "start_on",
            "due_on",
            "status",
            "version",
            "percent_complete",
            "last_period",
            "pending_reports",
            "is_late",
            "is_silent",
            "updated_at",
        ]
        validators = []


# --------------------------------------------------------------------------- milestones


class MilestoneSerializer(serializers.ModelSerializer):
    project = ScopedRelatedField(Project)
    project_title = serializers.CharField(source="project.title", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "project", "project_title", "title", "due_on", "done_on", "is_overdue"]
        validators = []

    @extend_schema_field(serializers.BooleanField())
    def get_is_overdue(self, milestone: Milestone) -> bool:
        return milestone.is_overdue(self.context.get("today"))


class MilestoneUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]
        validators = []


@extend_schema_view(partial_update=extend_schema(request=MilestoneUpdateSerializer, responses=MilestoneSerializer))
class MilestoneViewSet(ScopedViewSet):
    """Project milestones; staff add them and record when each was done."""

    model = Milestone
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return MilestoneUpdateSerializer
        return MilestoneSerializer

    def get_serializer_context(self):
        return super().get_serializer_context() | {"today": local_today()}

    def optimize(self, queryset):
        return queryset.select_related("project")

    def create_object(self, data):
        return milestone_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return milestone_update(actor=self.request.user, milestone=instance, **data)


# --------------------------------------------------------------------------- progress reports


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportAttachment
        fields = ["id", "kind", "name", "content_type", "size", "revision", "url"]

    def get_url(self, attachment: ReportAttachment) -> str:
        request = self.context.get("request")
        url = attachment.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class RevisionSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, default=None)

    class Meta:
        model = ProgressReportRevision
        fields = [
            "number",
            "percent_complete",
            "investment_to_date",
            "work_done",
            "blockers",
            "needs_coordination",
            "coordination_request",
            "attachment_names",
            "submitted_at",
            "decision",
            "review_comment",
            "reviewed_by",
            "reviewed_at",
        ]


class ProgressReportSerializer(serializers.ModelSerializer):
    project_title = serializers.CharField(source="project.title", read_only=True)
    alliance = serializers.IntegerField(source="project.alliance_id", read_only=True)
    alliance_name = serializers.CharField(source="project.alliance.name", read_only=True)
    week_label = serializers.CharField(read_only=True)
    previous_percent = serializers.IntegerField(read_only=True, allow_null=True)
    percent_decreased = serializers.BooleanField(read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, default=None)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, default=None)
    attachments = AttachmentSerializer(many=True, read_only=True)
    revisions = RevisionSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "project_title",
            "alliance",
            "alliance_name",
            "period",
            "week_label",
            "percent_complete",
            "previous_percent",
            "percent_decreased",
            "investment_to_date",
            "work_done",
            "blockers",
            "needs_coordination",
            "coordination_request",
            "status",
            "revision",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "attachments",
            "revisions",
        ]
        read_only_fields = fields


class ReportContentSerializer(serializers.Serializer):
    percent_complete = serializers.IntegerField()
    investment_to_date = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    work_done = serializers.CharField()
    blockers = serializers.CharField(required=False, allow_blank=True)
    needs_coordination = serializers.BooleanField(required=False)
    coordination_request = serializers.CharField(required=False, allow_blank=True)
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Photos (JPEG, PNG, WebP) and PDF files, at most 10 MB each; send as multipart/form-data.",
    )


class ReportContentWithPeriodSerializer(ReportContentSerializer):
    period = serializers.DateField(help_text="Any day of the ISO week reported; stored as its Monday.")


@extend_schema_field(OpenApiTypes.INT)
class ScopedProjectField(ScopedRelatedField):
    """A project id the caller may see (the schema cannot infer the type without a model serializer)."""


class ReportSubmitSerializer(ReportContentWithPeriodSerializer):
    project = ScopedProjectField(Project)


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[(ReportStatus.ACCEPTED.value, "accept"), (ReportStatus.RETURNED.value, "return")]
    )
    comment = serializers.CharField(required=False, allow_blank=True)


@extend_schema_view(
    create=extend_schema(request=ReportSubmitSerializer, responses={201: ProgressReportSerializer}),
    partial_update=extend_schema(
        request=ReportContentSerializer,
        responses=ProgressReportSerializer,
        description="Correct a returned report and submit it again (alliance leader).",
    ),
)
class ProgressReportViewSet(ScopedViewSet):
    """Weekly progress reports, newest first, paged by cursor. The alliance leader POSTs one
    per project and week and PATCHes a returned one to resubmit it; staff POST .../review/
    to accept or return it."""

    pagination_class = NewestFirstCursorPagination
    model = ProgressReport
    serializer_class = ProgressReportSerializer
    filterset_class = ProgressReportFilterSet
    write_roles = frozenset({Role.ALLIANCE_LEADER, Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF})

    def get_serializer_class(self):
        if self.action == "create":
            return ReportSubmitSerializer
        if self.action in {"update", "partial_update"}:
            return ReportContentSerializer
        if self.action == "review":
            return ReviewSerializer
        return ProgressReportSerializer

    @staticmethod
    def scoped_reports(user):
        return (
            ProgressReport.objects.visible_to(user)
            .select_related("project__alliance", "submitted_by", "reviewed_by")
            .with_previous_percent()
            .prefetch_related("attachments", "revisions__reviewed_by")
        )

    def get_queryset(self):
        return self.scoped_reports(self.request.user)

    def create_object(self, data):
        return report_submit(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return report_resubmit(actor=self.request.user, report=instance, **data)

    @extend_schema(request=ReviewSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Accept the report, or return it with a comment (county, township or city staff)."""
        report = self.get_object()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_review(actor=request.user, report=report, **serializer.validated_data)
        return Response(self.output(report))


# --------------------------------------------------------- project endpoints (after the report serializers they use)


class ProjectStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProjectStatus.choices)
    version = serializers.IntegerField(min_value=1, help_text="The version the change is based on.")


@extend_schema_view(
    partial_update=extend_schema(description="Edit a project; send the `version` you read. Status is not changed here.")
)
class ProjectViewSet(ScopedViewSet):
    """Each alliance's yearly project list with percent complete and the late and silent flags.

    Filters: region (code, with everything below it), alliance, year, category, status,
    late, silent, q; ordering by year, title, due_on, status, percent_complete, last_period.
    """

    pagination_class = DeferredJoinPagination
    model = Project
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    # Leaders may POST .../reports/; the services refuse every other write of theirs.
    write_roles = frozenset({Role.ALLIANCE_LEADER, Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF})

    def optimize(self, queryset):
        return queryset.with_flags(local_today()).with_progress().with_names()

    def create_object(self, data):
        data.pop("version", None)
        return project_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        version = data.pop("version", None)
        if version is None:
            raise ValidationError({"version": _("请提供编辑所依据的版本号。")})
        if "alliance" in data and data["alliance"] != instance.alliance:
            raise ValidationError({"alliance": _("项目不能转到其他联盟。")})
        data.pop("alliance", None)
        if "status" in data and data["status"] != instance.status:
            raise ValidationError({"status": _("请通过状态变更接口修改项目状态。")})
        data.pop("status", None)
        return project_update(actor=self.request.user, project=instance, expected_version=version, **data)

    @extend_schema(request=ProjectStatusSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        """Move the project along an allowed status transition."""
        project = self.get_object()
        serializer = ProjectStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = project_change_status(
            actor=request.user,
            project=project,
            status=serializer.validated_data["status"],
            expected_version=serializer.validated_data["version"],
        )
        return Response(self.output(project))

    @extend_schema(request=ReportContentWithPeriodSerializer, responses={201: ProgressReportSerializer})
    @action(detail=True, methods=["post"], url_path="reports")
    def submit_report(self, request, pk=None):
        """The alliance leader's weekly report for this project (a project out of scope is a 404)."""
        project = self.get_object()
        serializer = ReportContentWithPeriodSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_submit(actor=request.user, project=project, **serializer.validated_data)
        fresh = ProgressReportViewSet.scoped_reports(request.user).get(pk=report.pk)
        return Response(
            ProgressReportSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )
