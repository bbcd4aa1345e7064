"""REST API for regions, member organizations and people."""

from __future__ import annotations

from rest_framework import serializers

from core.api_base import MaskedField, ReadOnlyScopedViewSet, ScopedRelatedField, ScopedViewSet
from core.validators import mask_id_number, mask_phone

from .filters import MemberOrganizationFilterSet, PersonFilterSet, RegionFilterSet
from .models import MemberOrganization, Person, Region
from .services import organization_create, organization_update, person_create, person_update


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent"]


class RegionViewSet(ReadOnlyScopedViewSet):
    """Regions (public reference data): ``?within=CODE`` gives a whole subtree."""

    model = Region
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name"]

    def optimize(self, queryset):
        return queryset.select_related("parent")


class MemberOrganizationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)
    secretary = ScopedRelatedField(Person, required=False, allow_null=True)
    secretary_name = serializers.CharField(source="secretary.name", read_only=True, default=None, allow_null=True)
    contact_phone = MaskedField(mask_phone, max_length=20)

    class Meta:
        model = MemberOrganization
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "region_name",
            "star_rating",
            "secretary",
            "secretary_name",
            "contact_phone",
            "updated_at",
        ]
        validators = []  # uniqueness is enforced by the service and the database


class MemberOrganizationViewSet(ScopedViewSet):
    model = MemberOrganization
    serializer_class = MemberOrganizationSerializer
    filterset_class = MemberOrganizationFilterSet

    def optimize(self, queryset):
        return queryset.select_related("region", "secretary")

    def create_object(self, data):
        return organization_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return organization_update(actor=self.request.user, organization=instance, **data)


class PersonSerializer(serializers.ModelSerializer):
    organization = ScopedRelatedField(MemberOrganization, required=False, allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, default=None, allow_null=True)
    mobile = MaskedField(mask_phone, max_length=11)
    id_number = MaskedField(mask_id_number, max_length=18)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "mobile",
            "id_number",
            "organization",
            "organization_name",
            "title",
            "is_party_member",
            "updated_at",
        ]


class PersonViewSet(ScopedViewSet):
    """People; mobile and ID numbers are masked (138****5678) unless the caller is staff."""

    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    def optimize(self, queryset):
        return queryset.select_related("organization")

    def create_object(self, data):
        return person_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return person_update(actor=self.request.user, person=instance, **data)
