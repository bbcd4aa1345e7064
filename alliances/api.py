"""REST API for alliances, memberships and "1+1+N" team roles."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from members.api_base import ScopedRelatedField, ScopedViewSet
from members.models import MemberOrganization, Person, Region

from .filters import AllianceFilterSet, MembershipFilterSet, TeamRoleFilterSet
from .models import Alliance, Membership, TeamRole
from .services import (
    alliance_create,
    alliance_update,
    membership_add,
    membership_end,
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
    current_team = serializers.SerializerMethodField()
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
            "code",
            "name",
            "formation_mode",
            "formation_mode_other",
            "scope",
            "lead_region",
            "lead_region_name",
            "founded_on",
            "status",
            "is_demonstration",
            "demonstration_year",
            "covenant",
            "description",
            "member_count",
            "current_team",
            "version",
            "updated_at",
        ]
        validators = []

    @extend_schema_field(TeamMemberSerializer(many=True))
    def get_current_team(self, alliance: Alliance) -> list[dict]:
        team = getattr(alliance, "current_team", None)
        if team is None:
            team = alliance.team_roles.current().select_related("person")
        return TeamMemberSerializer(team, many=True).data


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
