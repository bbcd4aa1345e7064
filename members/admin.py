from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_base import ScopedAdmin, ScopedAdminMixin, register_history
from core.validators import mask_phone

from .models import (
    AccessProfile,
    AccountEvent,
    ApiToken,
    Department,
    ImportJob,
    ImportJobRow,
    MemberOrganization,
    Person,
    PhoneCode,
    Region,
)
from .tokens import api_token_revoke


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]


class PersonInline(admin.TabularInline):
    model = Person
    fields = ["name", "title", "mobile", "is_party_member"]
    extra = 0
    show_change_link = True


@admin.register(MemberOrganization)
class MemberOrganizationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "region", "star_rating", "secretary"]
    list_filter = ["kind", "star_rating", "region__level"]
    search_fields = ["name", "region__name", "region__code"]
    raw_id_fields = ["region", "secretary"]
    list_select_related = ["region", "secretary"]
    inlines = [PersonInline]


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["name", "title", "organization", "masked_mobile", "is_party_member", "user"]
    list_filter = ["is_party_member"]
    search_fields = ["name", "title", "organization__name"]
    raw_id_fields = ["organization", "user"]
    list_select_related = ["organization", "user"]


@admin.register(AccessProfile)
class AccessProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "department"]
    list_filter = ["role"]
    search_fields = ["user__username", "region__name", "region__code", "department__name"]
    raw_id_fields = ["user", "region", "department"]
    list_select_related = ["user", "region", "department"]


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "kind", "county", "retired_at"]
    list_filter = ["kind", ("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "county__name", "county__code"]
    raw_id_fields = ["county"]
    list_select_related = ["county"]


register_history(MemberOrganization, Person)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Tokens are created on the "大屏接口令牌" page (the key is shown there once); here
    they can be looked up and revoked."""

    list_display = ["name", "region", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    list_filter = ["region__level", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "region__name", "region__code"]
    list_select_related = ["region", "created_by"]
    readonly_fields = [
        "name",
        "region",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                api_token_revoke(actor=request.user, token=token)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                revoked += 1
        self.message_user(request, _("已撤销 %(n)s 个令牌。") % {"n": revoked})


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by services only: the admin reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["at", "person", "action", "role", "actor", "note"]
    list_filter = ["action", "role"]
    search_fields = ["person__name", "user__username", "actor__username", "note"]
    list_select_related = ["person", "actor"]
    date_hierarchy = "at"


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    """Live SMS codes (only their HMAC is stored, and it is not shown)."""

    list_display = ["masked_phone", "purpose", "user", "created_at", "expires_at", "attempts"]
    list_filter = ["purpose"]
    search_fields = ["user__username"]
    fields = ["purpose", "user", "created_at", "expires_at", "attempts"]
    list_select_related = ["user"]

    @admin.display(description=_("手机号码"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


class ImportJobRowInline(admin.TabularInline):
    model = ImportJobRow
    fields = ["sheet", "number", "label", "action", "errors"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Excel imports as their owners ran them: state, progress and the rows' outcome."""

    list_display = ["created_at", "owner", "filename", "state"]
    list_filter = ["state"]
    search_fields = ["filename", "owner__username"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    inlines = [ImportJobRowInline]
