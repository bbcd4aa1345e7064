from django.contrib import admin

from core.admin_base import ScopedAdminMixin

from .models import TrackedItem, TrackedItemEvent


class EventInline(admin.TabularInline):
    model = TrackedItemEvent
    fields = ["at", "action", "actor", "from_state", "to_state", "note", "rating"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TrackedItem)
class TrackedItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Items are written by their pages (tracking.services): here they are looked up."""

    list_display = ["title", "alliance", "assignee", "deadline", "state", "rating", "raised_on"]
    list_filter = ["state", "source"]
    search_fields = ["title", "alliance__name", "assignee__name"]
    list_select_related = ["alliance", "assignee"]
    inlines = [EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in TrackedItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
