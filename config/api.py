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
from evaluations.api import AllianceScorecardViewSet, DashboardViewSet, RollupViewSet
from members.api import MemberOrganizationViewSet, PersonViewSet, RegionViewSet
from projects.api import MilestoneViewSet, ProgressReportViewSet, ProjectViewSet
from tracking.api import TrackedItemViewSet
from workshops.api import WorkshopReportViewSet, WorkshopViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", MemberOrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
# Before "alliances": the API root lists a prefix's last viewset, and this one has no list.
router.register("alliances", AllianceScorecardViewSet, basename="alliance-scorecard")
router.register("alliances", AllianceViewSet, basename="alliance")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("team-roles", TeamRoleViewSet, basename="teamrole")
router.register("rollups", RollupViewSet, basename="rollup")
router.register("dashboard", DashboardViewSet, basename="dashboard")
router.register("workshops", WorkshopViewSet, basename="workshop")
router.register("workshop-reports", WorkshopReportViewSet, basename="workshopreport")
router.register("projects", ProjectViewSet, basename="project")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("progress-reports", ProgressReportViewSet, basename="progressreport")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("activities", ActivityViewSet, basename="activity")
router.register("mentorships", MentorshipViewSet, basename="mentorship")
router.register("platforms", EntityPlatformViewSet, basename="platform")
router.register("needs", NeedViewSet, basename="need")
router.register("resources", ResourceViewSet, basename="resource")
router.register("claims", ClaimViewSet, basename="claim")
router.register("tracked-items", TrackedItemViewSet, basename="trackeditem")

urlpatterns = router.urls
