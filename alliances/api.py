"""REST API for alliances, memberships and "1+1+N" team roles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api_base import ScopedRelatedField, ScopedViewSet
from members.access import STAFF_ROLES, Role
from members.models import MemberOrganization, Person, Region

from .filters import (
    ActivityFilterSet,
    AllianceFilterSet,
    ClaimFilterSet,
    EntityPlatformFilterSet,
    MeetingFilterSet,
    MembershipFilterSet,
    MentorshipFilterSet,
    NeedFilterSet,
    ResourceFilterSet,
    TeamRoleFilterSet,
)
from .models import (
    Activity,
    Alliance,
    Claim,
    EntityPlatform,
    Meeting,
    Membership,
    Mentorship,
    Need,
    Resource,
    Shareholding,
    TeamRole,
)
from .services import (
    ACTIVITY_FIELDS,
    ALLIANCE_FIELDS,
    MEETING_FIELDS,
    MENTORSHIP_FIELDS,
    NEED_FIELDS,
    PLATFORM_FIELDS,
    RESOURCE_FIELDS,
    activity_create,
    activity_photo_add,
    activity_update,
    alliance_create,
    alliance_update,
    claim_create,
    claim_resolve,
    claim_start,
    claim_withdraw,
    meeting_create,
    meeting_photo_add,
    meeting_update,
    membership_add,
    membership_end,
    mentorship_create,
    mentorship_end,
    mentorship_update,
    need_create,
    need_update,
    platform_create,
    platform_update,
    resource_create,
    resource_update,
    shareholding_remove,
    shareholding_set,
    team_role_assign,
    team_role_end,
)


class TeamMemberSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = TeamRole
        fields = ["id", "role", "person", "person_name", "started_on"]


class AllianceSerializer(serializers.ModelSerializer):
    lead_region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    lead_region_name = serializers.CharField(source="lead_region.name", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    # Read from the ``current_team`` prefetch of AllianceQuerySet.with_current_team (the
    # viewset's queryset, also used to re-read written alliances). A nested serializer
    # builds its fields once per response, where a method field building its own
    # serializer per alliance spent most of the list's time introspecting the model.
    current_team = TeamMemberSerializer(many=True, read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Increases with every change. Send back the version you read when you PATCH: "
        "if someone changed the alliance since, the change is refused with a 400 naming `version`.",
    )

    class Meta:
        model = Alliance
        fields = [
            "id",
            *ALLIANCE_FIELDS,
            "lead_region_name",
            "member_count",
            "current_team",
            "version",
            "updated_at",
        ]
        validators = []


class AllianceViewSet(ScopedViewSet):
    """Alliances with their current "1+1+N" team and number of current members."""

    model = Alliance
    serializer_class = AllianceSerializer
    filterset_class = AllianceFilterSet

    def optimize(self, queryset):
        return queryset.select_related("lead_region").with_member_count().with_current_team()

    def create_object(self, data):
        data.pop("version", None)
        return alliance_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        expected_version = data.pop("version", None)
        return alliance_update(actor=self.request.user, alliance=instance, expected_version=expected_version, **data)


class MembershipSerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    organization = ScopedRelatedField(MemberOrganization)
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "alliance",
            "alliance_name",
            "organization",
            "organization_name",
            "role",
            "joined_on",
            "left_on",
        ]
        read_only_fields = ["left_on"]
        validators = []


class MembershipEndSerializer(serializers.Serializer):
    left_on = serializers.DateField()


@extend_schema_view(partial_update=extend_schema(request=MembershipEndSerializer, responses=MembershipSerializer))
class MembershipViewSet(ScopedViewSet):
    """Dated memberships. POST adds a member; PATCH with ``left_on`` records its leaving."""

    model = Membership
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return MembershipEndSerializer
        return MembershipSerializer

    def optimize(self, queryset):
        return queryset.select_related("alliance", "organization")

    def create_object(self, data):
        return membership_add(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return membership_end(actor=self.request.user, membership=instance, left_on=data["left_on"])


class TeamRoleSerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    person = ScopedRelatedField(Person)
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = TeamRole
        fields = ["id", "alliance", "person", "person_name", "role", "started_on", "ended_on"]
        read_only_fields = ["ended_on"]
        validators = []


class TeamRoleEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()


@extend_schema_view(partial_update=extend_schema(request=TeamRoleEndSerializer, responses=TeamRoleSerializer))
class TeamRoleViewSet(ScopedViewSet):
    """The "1+1+N" team, with history. POST a leader or instructor and the current holder's
    term ends that day; PATCH with ``ended_on`` ends a role."""

    model = TeamRole
    serializer_class = TeamRoleSerializer
    filterset_class = TeamRoleFilterSet

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return TeamRoleEndSerializer
        return TeamRoleSerializer

    def optimize(self, queryset):
        return queryset.select_related("alliance", "person")

    def create_object(self, data):
        return team_role_assign(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return team_role_end(actor=self.request.user, team_role=instance, ended_on=data["ended_on"])


# =========================================================================== operations

LEADER_WRITES = STAFF_ROLES | {Role.ALLIANCE_LEADER}


class ProtectedFileField(serializers.FileField):
    """Uploaded as a file; read back as the URL of the page that checks the record's scope
    before sending the file (uploads are never served from a public media URL)."""

    def __init__(self, *, url_name: str, url_kwargs: Any, **kwargs: Any):
        self.url_name = url_name
        self.url_kwargs = url_kwargs
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value:
            return None
        url = reverse(self.url_name, kwargs=self.url_kwargs(value.instance))
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


def photo_url_kwargs(photo: Any) -> dict:
    return {"kind": photo._meta.model_name.removesuffix("photo"), "pk": photo.pk}


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    image = ProtectedFileField(read_only=True, url_name="alliances:photo-file", url_kwargs=photo_url_kwargs)
    caption = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG or WebP, at most 10 MB (checked by content).")
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def add_photo(viewset: Any, request: Any, service: Any, record_field: str) -> Response:
    """``POST <record>/{id}/photos/`` (multipart): attach a photo through the app's service."""
    record = viewset.get_object()
    upload = PhotoUploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    photo = service(actor=request.user, **{record_field: record}, **upload.validated_data)
    return Response(PhotoSerializer(photo, context=viewset.get_serializer_context()).data, status=201)


class MeetingSerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    attending_organizations = ScopedRelatedField(MemberOrganization, many=True, required=False)
    attendees = ScopedRelatedField(Person, many=True, required=False)
    minutes_file = ProtectedFileField(
        required=False,
        allow_null=True,
        url_name="alliances:meeting-minutes",
        url_kwargs=lambda meeting: {"pk": meeting.pk},
        help_text="PDF or image, at most 10 MB (multipart).",
    )
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "alliance",
            "alliance_name",
            *MEETING_FIELDS,
            "attending_organizations",
            "attendees",
            "photos",
            "updated_at",
        ]
        validators = []


@extend_schema_view(add_photo=extend_schema(request=PhotoUploadSerializer, responses={201: PhotoSerializer}))
class MeetingViewSet(ScopedViewSet):
    """The "三会": monthly, quarterly and annual meetings, with attendance and photos."""

    model = Meeting
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    write_roles = LEADER_WRITES

    def optimize(self, queryset):
        return queryset.select_related("alliance").prefetch_related("attending_organizations", "attendees", "photos")

    def create_object(self, data):
        return meeting_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return meeting_update(actor=self.request.user, meeting=instance, **data)

    @action(detail=True, methods=["post"], url_path="photos", parser_classes=[MultiPartParser, FormParser])
    def add_photo(self, request, pk=None):
        return add_photo(self, request, meeting_photo_add, "meeting")


class ActivitySerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    participating_organizations = ScopedRelatedField(MemberOrganization, many=True, required=False)
    participants = ScopedRelatedField(Person, many=True, required=False)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "alliance",
            "alliance_name",
            *ACTIVITY_FIELDS,
            "participating_organizations",
            "participants",
            "photos",
            "updated_at",
        ]
        validators = []


@extend_schema_view(add_photo=extend_schema(request=PhotoUploadSerializer, responses={201: PhotoSerializer}))
class ActivityViewSet(ScopedViewSet):
    """The "五联" joint activities, with participants and photos."""

    model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    write_roles = LEADER_WRITES

    def optimize(self, queryset):
        return queryset.select_related("alliance").prefetch_related(
            "participating_organizations", "participants", "photos"
        )

    def create_object(self, data):
        return activity_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return activity_update(actor=self.request.user, activity=instance, **data)

    @action(detail=True, methods=["post"], url_path="photos", parser_classes=[MultiPartParser, FormParser])
    def add_photo(self, request, pk=None):
        return add_photo(self, request, activity_photo_add, "activity")


class MentorshipSerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    mentor = ScopedRelatedField(Person)
    mentor_name = serializers.CharField(source="mentor.name", read_only=True)
    apprentice = ScopedRelatedField(Person)
    apprentice_name = serializers.CharField(source="apprentice.name", read_only=True)

    class Meta:
        model = Mentorship
        fields = [
            "id",
            "alliance",
            "alliance_name",
            *MENTORSHIP_FIELDS,
            "mentor_name",
            "apprentice_name",
            "ended_on",
            "updated_at",
        ]
        validators = []


class MentorshipViewSet(ScopedViewSet):
    """导师帮带 pairs. PATCH ``ended_on`` to end one; nobody mentors themselves."""

    model = Mentorship
    serializer_class = MentorshipSerializer
    filterset_class = MentorshipFilterSet
    write_roles = LEADER_WRITES

    def optimize(self, queryset):
        return queryset.select_related("alliance", "mentor", "apprentice")

    def create_object(self, data):
        data.pop("ended_on", None)
        return mentorship_create(actor=self.request.user, **data)

    @transaction.atomic
    def update_object(self, instance, data):
        ended_on = data.pop("ended_on", None)
        if data:
            instance = mentorship_update(actor=self.request.user, mentorship=instance, **data)
        if ended_on is not None:
            instance = mentorship_end(actor=self.request.user, mentorship=instance, ended_on=ended_on)
        return instance


class ShareholdingSerializer(serializers.ModelSerializer):
    shareholder_name = serializers.SerializerMethodField()

    class Meta:
        model = Shareholding
        fields = ["id", "alliance", "organization", "shareholder_name", "percentage", "capital_contribution"]

    def get_shareholder_name(self, holding: Shareholding) -> str:
        return str(holding.shareholder)


class ShareholdingInputSerializer(serializers.ModelSerializer):
    """A shareholder (an alliance or an organization) and its stake."""

    alliance = ScopedRelatedField(Alliance, required=False, allow_null=True)
    organization = ScopedRelatedField(MemberOrganization, required=False, allow_null=True)

    class Meta:
        model = Shareholding
        fields = ["alliance", "organization", "percentage", "capital_contribution"]
        validators = []


class EntityPlatformSerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    shareholdings = ShareholdingSerializer(many=True, read_only=True)
    share_total = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)

    class Meta:
        model = EntityPlatform
        fields = [
            "id",
            "alliance",
            "alliance_name",
            *PLATFORM_FIELDS,
            "shareholdings",
            "share_total",
            "updated_at",
        ]
        validators = []


@extend_schema_view(
    set_shareholding=extend_schema(request=ShareholdingInputSerializer, responses={200: EntityPlatformSerializer}),
    remove_shareholding=extend_schema(request=None, responses={200: EntityPlatformSerializer}),
)
class EntityPlatformViewSet(ScopedViewSet):
    """实体平台 with their shareholders. POST ``{id}/shareholdings/`` adds a shareholder or
    changes a stake (the stakes never add up to more than 100 %); DELETE
    ``{id}/shareholdings/{shareholding id}/`` removes one."""

    model = EntityPlatform
    serializer_class = EntityPlatformSerializer
    filterset_class = EntityPlatformFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def optimize(self, queryset):
        holdings = Shareholding.objects.select_related("alliance", "organization")
        return (
            queryset.select_related("alliance")
            .with_share_total()
            .prefetch_related(Prefetch("shareholdings", queryset=holdings))
        )

    def create_object(self, data):
        return platform_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return platform_update(actor=self.request.user, platform=instance, **data)

    @action(detail=True, methods=["post"], url_path="shareholdings")
    def set_shareholding(self, request, pk=None):
        platform = self.get_object()
        data = ShareholdingInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        shareholding_set(actor=request.user, platform=platform, **data.validated_data)
        return Response(self.output(platform))

    @action(detail=True, methods=["delete"], url_path=r"shareholdings/(?P<holding_pk>[0-9]+)")
    def remove_shareholding(self, request, pk=None, holding_pk=None):
        platform = self.get_object()
        holding = get_object_or_404(platform.shareholdings.all(), pk=holding_pk)
        shareholding_remove(actor=request.user, shareholding=holding)
        return Response(self.output(platform))


class NeedSerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    posted_on = serializers.DateField(required=False)
    resolved_by_project_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "alliance",
            "alliance_name",
            *NEED_FIELDS,
            "status",
            "resolved_by_project_id",
            "updated_at",
        ]
        read_only_fields = ["status", "resolved_by_project_id"]
        validators = []


class NeedViewSet(ScopedViewSet):
    """需求清单. Needs posted as open to all (``open_to_all``) are listed for every user with a
    scope, in any county, and may be claimed by them; the rest only within scope."""

    model = Need
    serializer_class = NeedSerializer
    filterset_class = NeedFilterSet
    write_roles = LEADER_WRITES

    def optimize(self, queryset):
        return queryset.select_related("alliance")

    def create_object(self, data):
        return need_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return need_update(actor=self.request.user, need=instance, **data)


class ResourceSerializer(serializers.ModelSerializer):
    alliance = ScopedRelatedField(Alliance)
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    posted_on = serializers.DateField(required=False)

    class Meta:
        model = Resource
        fields = [
            "id",
            "alliance",
            "alliance_name",
            *RESOURCE_FIELDS,
            "status",
            "updated_at",
        ]
        read_only_fields = ["status"]
        validators = []


class ResourceViewSet(ScopedViewSet):
    """资源清单: idle funds, land, buildings ... with quantity and unit."""

    model = Resource
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilterSet
    write_roles = LEADER_WRITES

    def optimize(self, queryset):
        return queryset.select_related("alliance")

    def create_object(self, data):
        return resource_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return resource_update(actor=self.request.user, resource=instance, **data)


class ClaimSerializer(serializers.ModelSerializer):
    need = ScopedRelatedField(Need, required=False, allow_null=True)
    need_title = serializers.CharField(source="need.title", read_only=True, default=None)
    resource = ScopedRelatedField(Resource, required=False, allow_null=True)
    resource_title = serializers.CharField(source="resource.title", read_only=True, default=None)
    claimant_alliance = ScopedRelatedField(Alliance, required=False, allow_null=True)
    claimant_alliance_name = serializers.CharField(source="claimant_alliance.name", read_only=True, default=None)
    claimant_organization = ScopedRelatedField(MemberOrganization, required=False, allow_null=True)
    claimant_organization_name = serializers.CharField(
        source="claimant_organization.name", read_only=True, default=None
    )
    claimed_on = serializers.DateField(required=False)

    class Meta:
        model = Claim
        fields = [
            "id",
            "need",
            "need_title",
            "resource",
            "resource_title",
            "claimant_alliance",
            "claimant_alliance_name",
            "claimant_organization",
            "claimant_organization_name",
            "status",
            "offer",
            "claimed_on",
            "started_on",
            "closed_on",
            "note",
            "updated_at",
        ]
        read_only_fields = ["status", "started_on", "closed_on", "note"]
        validators = []


class ClaimStartSerializer(serializers.Serializer):
    started_on = serializers.DateField(required=False)


class ClaimCloseSerializer(serializers.Serializer):
    note = serializers.CharField()
    closed_on = serializers.DateField(required=False)


class ClaimResolveSerializer(ClaimCloseSerializer):
    project_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="For a need: the id of the project that met it."
    )


@extend_schema_view(
    start=extend_schema(request=ClaimStartSerializer, responses={200: ClaimSerializer}),
    resolve=extend_schema(request=ClaimResolveSerializer, responses={200: ClaimSerializer}),
    withdraw=extend_schema(request=ClaimCloseSerializer, responses={200: ClaimSerializer}),
)
class ClaimViewSet(ScopedViewSet):
    """双向认领. POST a claim on a need or a resource for an alliance or an organization; then
    ``{id}/start/`` (in progress), ``{id}/resolve/`` (with a note; a need may name the project
    that met it) or ``{id}/withdraw/``. Claims are visible to the poster's and the claimant's side."""

    model = Claim
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
    write_roles = LEADER_WRITES
    http_method_names = ["get", "post", "head", "options"]

    def optimize(self, queryset):
        return queryset.select_related("need", "resource", "claimant_alliance", "claimant_organization")

    def create_object(self, data):
        return claim_create(actor=self.request.user, **data)

    def _move(self, request, service, serializer_class):
        claim = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.output(service(actor=request.user, claim=claim, **data.validated_data)))

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(request, claim_start, ClaimStartSerializer)

    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._move(request, claim_resolve, ClaimResolveSerializer)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move(request, claim_withdraw, ClaimCloseSerializer)
