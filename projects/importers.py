"""Importer of the project list's export: projects matched by (alliance code, year, title).

A new row is created through ``project_create`` (status 计划中 or 推进中); a changed row
is updated through ``project_update`` and a changed status goes through
``project_change_status``, both at the version the project had when the file was read,
so an edit saved meanwhile by someone else is refused rather than overwritten. A row
that changes nothing writes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from alliances.importers import alliances_by_code
from alliances.models import Membership, TeamRole
from core.imports import Importer, register
from members.importers import Lookups
from members.models import Person

from .layouts import PROJECT_COLUMNS, PROJECT_SHEET
from .models import FUNDING_FIELDS, Project, ProjectStatus
from .services import project_change_status, project_create, project_update


@register
class ProjectImporter(Importer):
    key = "projects"
    model = Project
    sheet = PROJECT_SHEET
    columns = PROJECT_COLUMNS
    key_fields = ("alliance", "year", "title")
    scope_field = "alliance"
    references = {
        "alliance": ("alliances", ("alliance",)),
        "responsible_organization": (
            "organizations",
            ("responsible_organization_region", "responsible_organization"),
        ),
    }
    order = 50

    def preload(self, rows: list[dict[str, Any]]) -> None:
        self.lookups = Lookups(self.actor)
        self.lookups.load_organizations(
            (row["responsible_organization_region"], row["responsible_organization"]) for row in rows
        )
        self.alliances = alliances_by_code(self.actor, {row["alliance"] for row in rows})
        alliances = list(self.alliances.values())
        found = (
            Project.objects.visible_to(self.actor)
            .filter(alliance__in=alliances, title__in={row["title"] for row in rows})
            .select_related("alliance__lead_region", "responsible_organization__region", "responsible_person")
        )
        self.projects = {(p.alliance_id, p.year, p.title): p for p in found}
        names = {row["responsible_person"] for row in rows if row["responsible_person"]}
        self.people: dict[str, list[Person]] = {}
        for person in Person.objects.visible_to(self.actor).filter(name__in=names).order_by("pk"):
            self.people.setdefault(person.name, []).append(person)
        # Who may answer for an alliance's project: people of its current member
        # organizations and of its current team (the rule ``check_responsible`` enforces).
        self.member_orgs: dict[int, set[int]] = {}
        for alliance_id, organization_id in Membership.objects.filter(
            alliance__in=alliances, left_on__isnull=True
        ).values_list("alliance_id", "organization_id"):
            self.member_orgs.setdefault(alliance_id, set()).add(organization_id)
        self.team: dict[int, set[int]] = {}
        for alliance_id, person_id in TeamRole.objects.filter(
            alliance__in=alliances, ended_on__isnull=True, person__name__in=names
        ).values_list("alliance_id", "person_id"):
            self.team.setdefault(alliance_id, set()).add(person_id)

    def resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        alliance = self.alliances.get(values["alliance"])
        if alliance is None:
            errors["alliance"] = _("找不到您管辖范围内编号为 %(code)s 的联盟。") % {"code": values["alliance"] or "—"}
        code = values.pop("responsible_organization_region")
        organization = None
        if values["responsible_organization"]:  # no name, no unit (a code left behind is ignored)
            try:
                organization = self.lookups.organization(
                    code,
                    values["responsible_organization"],
                    region_field="responsible_organization_region",
                    field_name="responsible_organization",
                )
            except ValidationError as exc:
                errors |= {name: messages[0] for name, messages in exc.message_dict.items()}
        if errors:
            raise ValidationError(errors)
        values["alliance"] = alliance
        values["responsible_organization"] = organization
        existing = self.projects.get((alliance.pk, values["year"], values["title"]))
        values["responsible_person"] = self.person(values["responsible_person"], alliance, organization, existing)
        for name in FUNDING_FIELDS:
            if values[name] is None:
                values[name] = Decimal("0")  # an empty funding cell is no money from that source
        # An empty status cell keeps the project's status (a new project starts planned).
        values["status"] = values["status"] or (existing.status if existing else ProjectStatus.PLANNED)
        return values

    def person(self, name: str, alliance: Any, organization: Any, existing: Project | None) -> Person | None:
        """The responsible person of this name: the project's own if unchanged, else the one
        in the responsible organization, else the one who may answer for the alliance."""
        if not name:
            return None
        if existing is not None and existing.responsible_person and existing.responsible_person.name == name:
            return existing.responsible_person
        candidates = self.people.get(name, [])
        in_organization = [p for p in candidates if organization and p.organization_id == organization.pk]
        eligible = in_organization or [
            p
            for p in candidates
            if p.organization_id in self.member_orgs.get(alliance.pk, ()) or p.pk in self.team.get(alliance.pk, ())
        ]
        if len(eligible) == 1:
            return eligible[0]
        if eligible:
            message = _("本联盟有多名名为“%(name)s”的人员，无法确定是哪一位，请在系统中设置责任人。")
        else:
            message = _("在本联盟的成员单位和工作团队中找不到名为“%(name)s”的人员。")
        raise ValidationError({"responsible_person": message % {"name": name}})

    def label(self, values: dict[str, Any]) -> str:
        return f"{values['alliance'].code} · {values['year']} · {values['title']}"

    def find(self, values: dict[str, Any]) -> Project | None:
        return self.projects.get(self.natural_key(values))

    def create(self, *, values: dict[str, Any]) -> Project:
        project = project_create(actor=self.actor, **values)
        self.projects[(project.alliance_id, project.year, project.title)] = project
        return project

    def update(self, *, obj: Project, changes: dict[str, Any]) -> Project:
        changes = dict(changes)
        status = changes.pop("status", None)
        project = obj
        if changes:
            project = project_update(actor=self.actor, project=project, expected_version=project.version, **changes)
        if status is not None:
            project = project_change_status(
                actor=self.actor, project=project, status=status, expected_version=project.version
            )
        self.projects[(project.alliance_id, project.year, project.title)] = project
        return project
