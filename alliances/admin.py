from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from core.admin_base import ScopedAdmin, ScopedAdminMixin, ScopedInline, register_history

from .models import (
    MAX_SHARE_TOTAL,
    Activity,
    ActivityPhoto,
    Alliance,
    Claim,
    EntityPlatform,
    Meeting,
    MeetingPhoto,
    Membership,
    Mentorship,
    Need,
    Resource,
    Shareholding,
    TeamRole,
)


class MembershipInline(ScopedInline):
    model = Membership
    fields = ["organization", "role", "joined_on", "left_on"]
    raw_id_fields = ["organization"]


class TeamRoleInline(ScopedInline):
    model = TeamRole
    fields = ["person", "role", "started_on", "ended_on"]
    raw_id_fields = ["person"]


@admin.register(Alliance)
class AllianceAdmin(ScopedAdmin):
    list_display = [
        "code",
        "name",
        "formation_mode",
        "scope",
        "status",
        "lead_region",
        "is_demonstration",
        "founded_on",
    ]
    list_filter = ["status", "formation_mode", "scope", "is_demonstration"]
    search_fields = ["code", "name", "lead_region__name"]
    raw_id_fields = ["lead_region"]
    list_select_related = ["lead_region"]
    date_hierarchy = "founded_on"
    inlines = [MembershipInline, TeamRoleInline]


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["alliance", "organization", "role", "joined_on", "left_on"]
    list_filter = ["role"]
    search_fields = ["alliance__name", "organization__name"]
    raw_id_fields = ["alliance", "organization"]
    list_select_related = ["alliance", "organization"]


@admin.register(TeamRole)
class TeamRoleAdmin(ScopedAdmin):
    list_display = ["alliance", "role", "person", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["alliance__name", "person__name"]
    raw_id_fields = ["alliance", "person"]
    list_select_related = ["alliance", "person"]


register_history(Alliance, Membership, TeamRole)
register_history(Meeting, Activity, Mentorship, EntityPlatform, Shareholding, Need, Resource, Claim)
# =========================================================================== operations


class MeetingPhotoInline(ScopedInline):
    model = MeetingPhoto
    fields = ["image", "caption"]


class ActivityPhotoInline(ScopedInline):
    model = ActivityPhoto
    fields = ["image", "caption"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["held_on", "kind", "alliance", "place"]
    list_filter = ["kind"]
    search_fields = ["alliance__name", "topics", "place"]
    raw_id_fields = ["alliance"]
    filter_horizontal = ["attending_organizations", "attendees"]
    list_select_related = ["alliance"]
    date_hierarchy = "held_on"
    inlines = [MeetingPhotoInline]


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["held_on", "title", "kind", "alliance", "participant_count"]
    list_filter = ["kind"]
    search_fields = ["title", "alliance__name", "summary"]
    raw_id_fields = ["alliance"]
    filter_horizontal = ["participating_organizations", "participants"]
    list_select_related = ["alliance"]
    date_hierarchy = "held_on"
    inlines = [ActivityPhotoInline]


class PhotoAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "caption", "created_at"]
    search_fields = ["caption"]
    list_per_page = 50


@admin.register(MeetingPhoto)
class MeetingPhotoAdmin(PhotoAdmin):
    search_fields = ["caption", "meeting__alliance__name"]
    raw_id_fields = ["meeting"]


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(PhotoAdmin):
    search_fields = ["caption", "activity__alliance__name", "activity__title"]
    raw_id_fields = ["activity"]


@admin.register(Mentorship)
class MentorshipAdmin(ScopedAdmin):
    list_display = ["mentor", "mentor_title", "apprentice", "alliance", "started_on", "ended_on"]
    list_filter = ["mentor_title"]
    search_fields = ["mentor__name", "apprentice__name", "alliance__name", "mentor_title"]
    raw_id_fields = ["alliance", "mentor", "apprentice"]
    list_select_related = ["alliance", "mentor", "apprentice"]


class ShareholdingInlineFormSet(BaseInlineFormSet):
    """The stakes entered together on one page must not add up to more than 100 % either."""

    def clean(self) -> None:
        super().clean()
        total = sum(
            (form.cleaned_data.get("percentage") or Decimal("0"))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        if total > MAX_SHARE_TOTAL:
            raise ValidationError(_("各股东持股比例合计不能超过 100%%（当前合计 %(total)s%%）。") % {"total": total})


class ShareholdingInline(ScopedInline):
    model = Shareholding
    formset = ShareholdingInlineFormSet
    fields = ["alliance", "organization", "percentage", "capital_contribution"]
    raw_id_fields = ["alliance", "organization"]


@admin.register(EntityPlatform)
class EntityPlatformAdmin(ScopedAdmin):
    list_display = ["name", "kind", "ownership", "alliance", "registered_capital", "annual_revenue", "revenue_year"]
    list_filter = ["kind", "ownership"]
    search_fields = ["name", "alliance__name"]
    raw_id_fields = ["alliance"]
    list_select_related = ["alliance"]
    inlines = [ShareholdingInline]


@admin.register(Shareholding)
class ShareholdingAdmin(ScopedAdmin):
    list_display = ["platform", "alliance", "organization", "percentage", "capital_contribution"]
    search_fields = ["platform__name", "alliance__name", "organization__name"]
    raw_id_fields = ["platform", "alliance", "organization"]
    list_select_related = ["platform", "alliance", "organization"]


class ClaimInline(ScopedInline):
    fields = ["claimant_alliance", "claimant_organization", "status", "claimed_on", "started_on", "closed_on", "note"]
    raw_id_fields = ["claimant_alliance", "claimant_organization"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # claims are made through the claim workflow, which keeps the list status in step


class NeedClaimInline(ClaimInline):
    model = Claim
    fk_name = "need"


class ResourceClaimInline(ClaimInline):
    model = Claim
    fk_name = "resource"


@admin.register(Need)
class NeedAdmin(ScopedAdmin):
    list_display = ["title", "category", "alliance", "posted_on", "status", "open_to_all", "resolved_by_project_id"]
    list_filter = ["status", "category", "open_to_all"]
    search_fields = ["title", "alliance__name", "description"]
    raw_id_fields = ["alliance"]
    readonly_fields = ["status"]
    list_select_related = ["alliance"]
    date_hierarchy = "posted_on"
    inlines = [NeedClaimInline]


@admin.register(Resource)
class ResourceAdmin(ScopedAdmin):
    list_display = ["title", "category", "quantity", "unit", "alliance", "posted_on", "status"]
    list_filter = ["status", "category"]
    search_fields = ["title", "alliance__name", "description"]
    raw_id_fields = ["alliance"]
    readonly_fields = ["status"]
    list_select_related = ["alliance"]
    date_hierarchy = "posted_on"
    inlines = [ResourceClaimInline]


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin):
    list_display = ["__str__", "status", "claimed_on", "started_on", "closed_on"]
    list_filter = ["status"]
    search_fields = ["need__title", "resource__title", "claimant_alliance__name", "claimant_organization__name"]
    raw_id_fields = ["need", "resource", "claimant_alliance", "claimant_organization", "recorded_by"]
    readonly_fields = ["status", "claimed_on", "started_on", "closed_on"]
    list_select_related = ["need", "resource", "claimant_alliance", "claimant_organization"]

    def has_add_permission(self, request) -> bool:
        return False  # a claim is made through the claim workflow, which also updates the need or resource
