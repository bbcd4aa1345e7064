"""Who sees what: the single place that turns a user into a scope, and a scope into rows.

Every model that holds data of a region or an alliance uses :class:`ScopedQuerySet`, whose
``visible_to(user)`` is the only row filter of the platform. Pages, API views, exports,
admin lists and write permission checks all go through it.

Scopes:
- superuser: everything;
- city, county or township staff: everything whose region lies in their region's subtree
  (and, for rows published downwards, of the regions above theirs);
- read-only viewer: the same rows as staff of their region, never writes;
- alliance leader: the alliances where they hold the open leader role, and what belongs
  to those alliances;
- workshop steward (助富管家): the rows a queryset reaches through its ``steward_path``
  from their own person (the workshops they look after and those workshops' figures), nothing else;
- department liaison (部门联络员): the rows a queryset reaches through its ``department_path``
  from their own department (the department and the items assigned to it), nothing else;
- anybody else (no access profile, anonymous): nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from .models import Region


class Role(models.TextChoices):
    CITY_STAFF = "city_staff", gettext_lazy("市级组织部门工作人员")
    COUNTY_STAFF = "county_staff", gettext_lazy("县级组织部门工作人员")
    TOWNSHIP_STAFF = "township_staff", gettext_lazy("镇街工作人员")
    ALLIANCE_LEADER = "alliance_leader", gettext_lazy("联盟带头人")
    VIEWER = "viewer", gettext_lazy("只读查看（大屏）")
    WORKSHOP_STEWARD = "workshop_steward", gettext_lazy("共富工坊助富管家")
    DEPARTMENT_LIAISON = "department_liaison", gettext_lazy("部门联络员")


STAFF_ROLES = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF})
# The organization departments draft and publish rollups (township staff read them), and so
# may still correct the figures of a month whose bulletin is published, to re-issue it.
PUBLISHING_ROLES = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF})
REGION_ROLES = STAFF_ROLES | {Role.VIEWER}
# Roles whose scope follows from what their person holds (an alliance's leader role, a
# workshop's stewardship), never from a region. A tuple, so migrations stay stable.
PERSON_ROLES = (Role.ALLIANCE_LEADER, Role.WORKSHOP_STEWARD)
# Roles attached to a county's department (交通局, a township as assignee…), never to a region.
DEPARTMENT_ROLES = (Role.DEPARTMENT_LIAISON,)
# Roles without a region of their own: the person's or the department's roles.
REGIONLESS_ROLES = (*PERSON_ROLES, *DEPARTMENT_ROLES)
# The region level each regional role is attached to.
ROLE_LEVEL = {
    Role.CITY_STAFF: "city",
    Role.COUNTY_STAFF: "county",
    Role.TOWNSHIP_STAFF: "township",
}


@dataclass(frozen=True)
class Scope:
    kind: str  # "all", "region", "leader", "steward", "department" or "none"
    role: str | None = None
    region_prefix: str | None = None
    region_id: int | None = None
    region_code: str | None = None
    region_level: str | None = None
    user_id: int | None = None
    department_id: int | None = None

    @property
    def role_label(self) -> str:
        if self.kind == "all":
            return str(gettext_lazy("系统管理员"))
        return str(Role(self.role).label) if self.role else ""

    @property
    def is_staff_role(self) -> bool:
        return self.kind == "all" or self.role in STAFF_ROLES

    @property
    def publishes(self) -> bool:
        """Drafts and publishes rollups, and so may still correct a closed month's figures."""
        return self.kind == "all" or self.role in PUBLISHING_ROLES

    @property
    def can_write(self) -> bool:
        """May create and change alliances, organizations, people (within the scope)."""
        return self.is_staff_role

    @property
    def sees_personal_data(self) -> bool:
        """Whole phone and ID numbers are shown only to staff who work with them."""
        return self.is_staff_role

    def lineage_codes(self) -> list[str]:
        """Codes of the scope's region and the regions above it (for data published downwards)."""
        from .models import lineage_codes

        if self.kind != "region" or not self.region_code:
            return []
        return lineage_codes(self.region_code, self.region_level)

    def covers_region(self, region: Region | None) -> bool:
        if self.kind == "all":
            return True
        if self.kind != "region" or region is None:
            return False
        return region.code.startswith(self.region_prefix or "")


NO_SCOPE = Scope(kind="none")


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per user object (one query, cached on it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    cached = getattr(user, "_alliance_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(kind="all", user_id=user.pk)
    else:
        AccessProfile = apps.get_model("members", "AccessProfile")
        profile = AccessProfile.objects.select_related("region").filter(user_id=user.pk).first()
        if profile is None or not user.is_active:
            scope = NO_SCOPE
        elif profile.role == Role.ALLIANCE_LEADER:
            scope = Scope(kind="leader", role=profile.role, user_id=user.pk)
        elif profile.role == Role.WORKSHOP_STEWARD:
            scope = Scope(kind="steward", role=profile.role, user_id=user.pk)
        elif profile.role == Role.DEPARTMENT_LIAISON and profile.department_id is not None:
            scope = Scope(kind="department", role=profile.role, user_id=user.pk, department_id=profile.department_id)
        elif profile.region is not None:
            scope = Scope(
                kind="region",
                role=profile.role,
                region_prefix=profile.region.prefix,
                region_id=profile.region_id,
                region_code=profile.region.code,
                region_level=profile.region.level,
                user_id=user.pk,
            )
        else:
            scope = NO_SCOPE
    user._alliance_scope = scope
    return scope


def leader_alliance_ids(user_id: int) -> models.QuerySet:
    """Subquery of the ids of alliances where this user holds the open leader role."""
    TeamRole = apps.get_model("alliances", "TeamRole")
    return TeamRole.objects.filter(person__user_id=user_id, role="leader", ended_on__isnull=True).values("alliance_id")


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how its rows hang off the region tree and the alliances.

    Subclasses set ``region_path`` (lookup path to a ``Region`` foreign key) and
    ``alliance_path`` (lookup path to an ``Alliance``, or ``None`` when leaders see none
    of these rows) and optionally ``steward_path`` (lookup path to the ``Person`` who
    stewards the row; ``None``: stewards see none of these rows) and ``department_path``
    (lookup path to the ``Department`` the row belongs to; ``None``: department liaisons
    see none of these rows). Paths that cross a
    to-many relation are wrapped in a subquery so the result never holds duplicates.

    ``published_downwards = True`` is for rows a region publishes for the regions below it
    (assessment rules, bulletins): regional users then also see the rows of the regions
    above theirs, never a sibling's.
    """

    region_path: str = "region"
    alliance_path: str | None = None
    steward_path: str | None = None
    department_path: str | None = None
    published_downwards: bool = False

    def visible_to(self, user: Any) -> ScopedQuerySet:
        scope = scope_for(user)
        if scope.kind == "all":
            return self.all()
        if scope.kind == "region":
            from .models import in_subtree

            code = self.region_path + "__code"
            condition = in_subtree(scope.region_prefix, self.region_path)
            if self.published_downwards:
                condition |= Q(**{code + "__in": scope.lineage_codes()})
            return self._filter_where(code, condition)
        if scope.kind == "leader" and self.alliance_path is not None:
            return self._filter_path(self.alliance_path + "__in", leader_alliance_ids(scope.user_id))
        if scope.kind == "steward" and self.steward_path is not None:
            return self._filter_path(self.steward_path + "__user_id", scope.user_id)
        if scope.kind == "department" and self.department_path is not None:
            return self._filter_path(self.department_path, scope.department_id)
        return self.none()

    def _filter_path(self, lookup: str, value: Any) -> ScopedQuerySet:
        return self._filter_where(lookup, Q(**{lookup: value}))

    def _filter_where(self, lookup: str, condition: Q) -> ScopedQuerySet:
        """Filter by ``condition``, which follows ``lookup``'s path."""
        if self._crosses_many(lookup):
            inner = self.model._base_manager.filter(condition).values("pk")
            return self.filter(pk__in=inner)
        return self.filter(condition)

    def _crosses_many(self, lookup: str) -> bool:
        model = self.model
        for part in lookup.split("__"):
            try:
                field = model._meta.get_field(part)
            except Exception:
                return False
            if field.many_to_many or field.one_to_many:
                return True
            if not field.is_relation:
                return False
            model = field.related_model
        return False


def require_write(user: Any, region: Region | None) -> None:
    """Raise PermissionDenied unless the user may change data of this region."""
    scope = scope_for(user)
    if not scope.can_write or not scope.covers_region(region):
        raise PermissionDenied(_("您没有权限修改该区域的数据。"))


def region_of(obj: models.Model) -> Region | None:
    """The region a row hangs off: its queryset's ``region_path`` followed on the object."""
    target: Any = obj
    for part in type(obj)._default_manager.all().region_path.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


def may_write(user: Any, obj: models.Model | None = None) -> bool:
    """Whether the user may change ``obj`` (staff whose region covers the row's region),
    or, without an object, create rows at all: the rule ``require_write`` enforces."""
    scope = scope_for(user)
    if obj is None:
        return scope.can_write
    return scope.can_write and scope.covers_region(region_of(obj))


def reaches(user: Any, model: type[models.Model]) -> bool:
    """Whether any row of ``model`` can be visible to the user at all (menus hide the
    sections that would always be empty): the paths ``visible_to`` follows for the scope."""
    scope = scope_for(user)
    if scope.kind in ("all", "region"):
        return True
    queryset = model._default_manager.all()
    if scope.kind == "leader":
        return getattr(queryset, "alliance_path", None) is not None
    if scope.kind == "steward":
        return getattr(queryset, "steward_path", None) is not None
    if scope.kind == "department":
        return getattr(queryset, "department_path", None) is not None
    return False
