from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_base import ScopedAdminMixin

from .models import (
    Assessment,
    AssessmentScheme,
    Indicator,
    IndicatorScore,
    ManualScore,
    MemberResult,
    ObservationVisit,
    Proposal,
    Rollup,
    RollupSchedule,
    RollupWaiver,
    VetoFinding,
)
from .services import scheme_new_version


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Computed records: shown, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RollupWaiverInline(admin.TabularInline):
    model = RollupWaiver
    fields = ["alliance", "indicator", "reason", "waived_by", "waived_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdmin):
    """Drafts are made by the schedule and published on the rollup's page, never here."""

    inlines = [RollupWaiverInline]
    list_display = ["kind", "period_key", "region", "status", "version", "produced_at", "published_by"]
    list_filter = ["kind", "status"]
    search_fields = ["period_key", "region__name", "region__code"]
    list_select_related = ["region", "published_by"]


@admin.register(RollupSchedule)
class RollupScheduleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """When each region's rollups are drafted (days after the period's end)."""

    list_display = ["region", "kind", "cutoff_day"]
    list_filter = ["kind"]
    search_fields = ["region__name", "region__code"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["order", "dimension", "code", "name", "metric", "target", "max_score", "weight"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    """Schemes are edited here; once a final review used one it is frozen and can only be
    copied into a new version."""

    list_display = ["name", "region", "year", "version", "status", "is_frozen"]
    list_filter = ["year", "status", "is_frozen"]
    search_fields = ["name", "region__name", "region__code"]
    raw_id_fields = ["region"]
    readonly_fields = ["is_frozen"]
    inlines = [IndicatorInline]
    actions = ["new_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=_("复制为新版本（草稿）"))
    def new_version(self, request, queryset):
        for scheme in queryset:
            copy = scheme_new_version(actor=request.user, scheme=scheme)
            self.message_user(request, _("已创建 %(name)s") % {"name": copy}, messages.SUCCESS)


class IndicatorScoreInline(admin.TabularInline):
    model = IndicatorScore
    fields = ["indicator", "attainment", "score"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    inlines = [IndicatorScoreInline]
    list_display = ["alliance", "period_kind", "period_start", "total_score", "grade", "vetoed", "county_rank"]
    list_filter = ["period_kind", "grade", "vetoed"]
    search_fields = ["alliance__name", "alliance__code"]
    list_select_related = ["alliance"]


@admin.register(MemberResult)
class MemberResultAdmin(ReadOnlyAdmin):
    list_display = [
        "organization",
        "period_kind",
        "period_start",
        "own_score",
        "total_score",
        "loses_award_eligibility",
    ]
    list_filter = ["period_kind", "loses_award_eligibility"]
    search_fields = ["organization__name"]
    list_select_related = ["organization"]


@admin.register(ManualScore)
class ManualScoreAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["alliance", "indicator", "period_kind", "period_start", "score", "scored_by"]
    list_filter = ["period_kind"]
    search_fields = ["alliance__name", "evidence"]
    raw_id_fields = ["alliance", "indicator", "scored_by"]
    list_select_related = ["alliance", "indicator", "scored_by"]
    # The file is uploaded on the scoring page (checked there) and read through its view.
    exclude = ["evidence_file"]
    readonly_fields = ["evidence_link"]

    @admin.display(description=_("佐证材料"))
    def evidence_link(self, obj):
        if not obj.evidence_file:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("evaluations:evidence-file", args=[obj.pk]), _("查看"))


@admin.register(VetoFinding)
class VetoFindingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["alliance", "kind", "year", "confirmed", "recorded_by"]
    list_filter = ["kind", "year", "confirmed"]
    search_fields = ["alliance__name", "note"]
    raw_id_fields = ["alliance", "recorded_by"]
    list_select_related = ["alliance", "recorded_by"]


@admin.register(ObservationVisit)
class ObservationVisitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["alliance", "rollup", "visited_on", "score", "scored_by"]
    search_fields = ["alliance__name", "notes"]
    raw_id_fields = ["rollup", "alliance", "scored_by"]
    list_select_related = ["alliance", "rollup", "scored_by"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Proposed consequences: decided on their page, with a reason, never here."""

    list_display = ["year", "kind", "alliance", "organization", "region", "status", "decided_by"]
    list_filter = ["year", "kind", "status"]
    search_fields = ["alliance__name", "organization__name", "reason"]
    list_select_related = ["alliance", "organization", "region", "decided_by"]
