from __future__ import annotations

from django.contrib import admin
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


class ScopedInline(admin.TabularInline):
    extra = 0
    show_change_link = True
