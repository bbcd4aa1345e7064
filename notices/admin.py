from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.admin_base import ScopedAdminMixin

from .models import Delivery, DeliveryState, Notice, Preference, QuietHours, WorkChatRobot


class SuperuserOnly:
    """People's notices and choices are theirs: only superusers read them here."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["channel", "state", "address", "attempts", "last_error", "not_before", "claimed_at", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["recipient", "event", "key", "title", "created_at", "read_at"]
    list_filter = ["event"]
    search_fields = ["recipient__username", "title", "key"]
    raw_id_fields = ["recipient"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "event", "key", "title", "body", "link", "created_at"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["notice", "channel", "state", "attempts", "last_error", "not_before", "sent_at"]
    list_filter = ["state", "channel"]
    search_fields = ["notice__recipient__username", "notice__title", "last_error"]
    list_select_related = ["notice__recipient"]
    readonly_fields = [
        "notice",
        "channel",
        "state",
        "address",
        "attempts",
        "last_error",
        "not_before",
        "claimed_at",
        "sent_at",
        "created_at",
    ]
    actions = ["send_again"]

    @admin.action(description=_("重新发送失败的记录"))
    def send_again(self, request, queryset):
        """Failed deliveries, and pending ones waiting for a retry, are queued now with
        their attempts counted afresh; sent, skipped and sending ones are left alone."""
        from .services import queue_deliveries

        waiting = Q(state=DeliveryState.FAILED) | Q(state=DeliveryState.PENDING, attempts__gt=0)
        ids = list(queryset.filter(waiting).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(state=DeliveryState.PENDING, attempts=0, not_before=None)
        transaction.on_commit(lambda: queue_deliveries(ids))
        messages.success(request, _("已重新排队 %(count)d 条。") % {"count": len(ids)})


@admin.register(Preference)
class PreferenceAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["user", "group", "email", "sms", "workchat"]
    list_filter = ["group"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(QuietHours)
class QuietHoursAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["user", "enabled", "starts", "ends"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(WorkChatRobot)
class WorkChatRobotAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Robots are set on the 工作群机器人 page (which checks the webhook's host); here they
    can be looked up and switched off."""

    list_display = ["region", "kind", "active", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["region__name", "region__code"]
    list_select_related = ["region"]
    fields = ["region", "kind", "webhook_url", "active"]
    readonly_fields = ["region", "kind", "webhook_url"]

    def has_add_permission(self, request):
        return False
