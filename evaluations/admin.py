from django.contrib import admin

from members.admin_base import ScopedAdminMixin

from .models import Rollup


@admin.register(Rollup)
class RollupAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rollups are immutable: the admin shows them, nobody edits or deletes them."""

    list_display = ["kind", "period_key", "region", "produced_at"]
    list_filter = ["kind"]
    search_fields = ["period_key", "region__name", "region__code"]
    list_select_related = ["region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
