from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ScopedAdminMixin:
    """Admin lists for non-superusers go through the same ``visible_to`` as everything else."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.visible_to(request.user)


class ScopedAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_per_page = 50

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's "revert" form saves the object straight from the admin form even
        # with SIMPLE_HISTORY_REVERT_DISABLED (that setting only hides the button): past
        # versions are for reading, changes go through the services.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class SuperuserRecordAdmin(admin.ModelAdmin):
    """Rows the site writes itself, shown to superusers only and never added or changed by
    hand (a subclass may let them delete one)."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(SuperuserRecordAdmin):
    """The audit trail of one model, for superusers: read only (the database refuses
    UPDATE and DELETE on history tables as well, see core.audit)."""

    list_display = ["history_date", "history_user", "history_type", "id", "history_change_reason"]
    list_filter = ["history_type"]
    search_fields = ["history_user__username", "history_change_reason"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"
    list_per_page = 100


def register_history(*models) -> None:
    """Show each audited model's history table in the admin, read only."""
    for model in models:
        admin.site.register(model.history.model, HistoryAdmin)


class ScopedInline(admin.TabularInline):
    extra = 0
    show_change_link = True
