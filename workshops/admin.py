from django.contrib import admin

from core.admin_base import ScopedAdmin, ScopedInline, SuperuserRecordAdmin, register_history

from .models import CHECKLIST_FIELDS, FIGURE_FIELDS, ClosedMonth, Workshop, WorkshopReport


class WorkshopReportInline(ScopedInline):
    model = WorkshopReport
    fields = ["month", *FIGURE_FIELDS, "notes"]
    ordering = ["-month"]


@admin.register(Workshop)
class WorkshopAdmin(ScopedAdmin):
    list_display = ["name", "type", "region", "host", "alliance", "steward", "status", "opened_on"]
    list_filter = ["type", "status", *CHECKLIST_FIELDS]
    search_fields = ["name", "partner_enterprise", "region__name", "host__name", "alliance__name"]
    raw_id_fields = ["region", "host", "alliance", "steward"]
    list_select_related = ["region", "host", "alliance", "steward"]
    date_hierarchy = "opened_on"
    inlines = [WorkshopReportInline]


@admin.register(WorkshopReport)
class WorkshopReportAdmin(ScopedAdmin):
    list_display = ["workshop", "month", "employed", "low_income_employed", "wages_paid", "sales", "submitted_by"]
    list_filter = ["workshop__type", "month"]
    search_fields = ["workshop__name", "workshop__alliance__name", "notes"]
    raw_id_fields = ["workshop", "submitted_by"]
    list_select_related = ["workshop", "submitted_by"]
    date_hierarchy = "month"


@admin.register(ClosedMonth)
class ClosedMonthAdmin(SuperuserRecordAdmin):
    """The months closed to stewards and leaders by a published bulletin (for superusers):
    a month is closed by publishing, never by hand, and reopened by deleting its closing."""

    list_display = ["region", "month", "closed_at", "closed_by"]
    list_filter = ["month"]
    search_fields = ["region__name", "region__code"]
    list_select_related = ["region", "closed_by"]

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)


register_history(Workshop, WorkshopReport)
