"""The REST API under /api/v1/: one router, each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from alliances.api import (
    ActivityViewSet,
    AllianceViewSet,
    ClaimViewSet,
    EntityPlatformViewSet,
    MeetingViewSet,
    MembershipViewSet,
    MentorshipViewSet,
    NeedViewSet,
    ResourceViewSet,
    TeamRoleViewSet,
)
from members.api import MemberOrganizationViewSet, PersonViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", MemberOrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("alliances", AllianceViewSet, basename="alliance")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("team-roles", TeamRoleViewSet, basename="teamrole")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("activities", ActivityViewSet, basename="activity")
router.register("mentorships", MentorshipViewSet, basename="mentorship")
router.register("platforms", EntityPlatformViewSet, basename="platform")
router.register("needs", NeedViewSet, basename="need")
router.register("resources", ResourceViewSet, basename="resource")
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = router.urls
