from __future__ import annotations

from django.apps import apps
from django.http import HttpRequest

from .access import Role, reaches, scope_for

# The menu's sections, each by the model its list shows.
SECTIONS = {
    "alliances": "alliances.Alliance",
    "projects": "projects.Project",
    "workshops": "workshops.Workshop",
    "organizations": "members.MemberOrganization",
    "rollups": "evaluations.Rollup",
    "operations": "alliances.Meeting",
    "departments": "members.Department",
    "items": "tracking.TrackedItem",
}


def access(request: HttpRequest) -> dict:
    """Expose the signed-in user's scope (for menus and masking), the menu's sections that
    can show the user anything (``sections.alliances``...)."""
    user = getattr(request, "user", None)
    signed_in = getattr(user, "is_authenticated", False)
    sections = {name: reaches(user, apps.get_model(label)) for name, label in SECTIONS.items()} if signed_in else {}
    scope = scope_for(user)
    manages_logins = scope.kind == "all" or scope.role in (Role.COUNTY_STAFF, Role.CITY_STAFF)
    return {"scope": scope, "sections": sections, "manages_logins": manages_logins}
