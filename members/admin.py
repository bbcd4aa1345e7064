from django.contrib import admin

from .admin_base import ScopedAdmin, register_history
from .models import AccessProfile, MemberOrganization, Person, Region


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
    list_display = ["user", "role", "region"]
    list_filter = ["role"]
    search_fields = ["user__username", "region__name", "region__code"]
    raw_id_fields = ["user", "region"]
    list_select_related = ["user", "region"]


register_history(MemberOrganization, Person)
