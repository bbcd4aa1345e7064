from django.contrib import admin

from members.admin_base import ScopedAdmin, ScopedInline, register_history

from .models import Alliance, Membership, TeamRole


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
