"""The REST API under /api/v1/: one router, each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from alliances.api import AllianceViewSet, MembershipViewSet, TeamRoleViewSet
from evaluations.api import RollupViewSet
from members.api import MemberOrganizationViewSet, PersonViewSet, RegionViewSet
from workshops.api import WorkshopReportViewSet, WorkshopViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", MemberOrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("alliances", AllianceViewSet, basename="alliance")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("team-roles", TeamRoleViewSet, basename="teamrole")
router.register("rollups", RollupViewSet, basename="rollup")
router.register("workshops", WorkshopViewSet, basename="workshop")
router.register("workshop-reports", WorkshopReportViewSet, basename="workshopreport")

urlpatterns = router.urls
