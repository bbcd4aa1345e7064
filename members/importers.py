"""Importers of the organization list's export: organizations, then their people; and the
look-ups of regions and organizations every app's importers share (the import machinery
itself is core.imports)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.imports import Importer, register

from .layouts import ORGANIZATION_COLUMNS, ORGANIZATION_SHEET, PERSON_COLUMNS, PERSON_SHEET
from .models import MemberOrganization, Person, Region
from .services import insert_new, organization_build, organization_update, person_build, person_update


class Lookups:
    """Regions by code and visible organizations by (region code, name), loaded in bulk."""

    def __init__(self, actor: Any):
        self.actor = actor
        self.regions: dict[str, Region] = {}
        self.organizations: dict[tuple[str, str], MemberOrganization] = {}

    def load_regions(self, codes: Iterable[str]) -> None:
        wanted = {code for code in codes if code} - set(self.regions)
        self.regions.update((r.code, r) for r in Region.objects.filter(code__in=wanted))

    def load_organizations(self, pairs: Iterable[tuple[str, str]]) -> None:
        pairs = {pair for pair in pairs if all(pair)}
        self.load_regions(code for code, _name in pairs)
        codes = {code for code, _name in pairs}
        names = {name for _code, name in pairs}
        found = (
            MemberOrganization.objects.visible_to(self.actor)
            .filter(region__code__in=codes, name__in=names)
            .select_related("region")
        )
        self.organizations.update(((o.region.code, o.name), o) for o in found)

    def region(self, code: str, name: str) -> Region:
        region = self.regions.get(code)
        if region is None:
            raise ValidationError({name: _("没有代码为 %(code)s 的行政区划。") % {"code": code or "—"}})
        return region

    def organization(self, code: str, org_name: str, *, region_field: str, field_name: str) -> MemberOrganization:
        self.region(code, region_field)
        organization = self.organizations.get((code, org_name))
        if organization is None:
            raise ValidationError(
                {
                    field_name: _("在区划 %(code)s 下找不到您管辖范围内名为“%(name)s”的成员单位。")
                    % {"code": code, "name": org_name}
                }
            )
        return organization


@register
class OrganizationImporter(Importer):
    """Organizations, matched by (region code, name)."""

    key = "organizations"
    model = MemberOrganization
    sheet = ORGANIZATION_SHEET
    columns = ORGANIZATION_COLUMNS
    key_fields = ("region", "name")
    scope_field = "region"
    order = 10
    deferred_create = True

    def preload(self, rows: list[dict[str, Any]]) -> None:
        self.lookups = Lookups(self.actor)
        self.lookups.load_organizations((row["region"], row["name"]) for row in rows)
        self.lookups.load_regions(row["region"] for row in rows)

    def resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        values["region"] = self.lookups.region(values["region"], "region")
        return values

    def label(self, values: dict[str, Any]) -> str:
        return f"{values['name']}（{values['region'].code}）"

    def find(self, values: dict[str, Any]) -> MemberOrganization | None:
        return self.lookups.organizations.get((values["region"].code, values["name"]))

    def create(self, *, values: dict[str, Any]) -> MemberOrganization:
        organization = organization_build(actor=self.actor, **values)
        self.lookups.organizations[(organization.region.code, organization.name)] = organization
        self.new.append(organization)
        return organization

    def flush(self) -> None:
        insert_new(MemberOrganization, self.new, actor=self.actor)

    def update(self, *, obj: MemberOrganization, changes: dict[str, Any]) -> MemberOrganization:
        return organization_update(actor=self.actor, organization=obj, **changes)


@register
class PersonImporter(Importer):
    """People, matched by (organization, name, mobile)."""

    key = "people"
    model = Person
    sheet = PERSON_SHEET
    columns = PERSON_COLUMNS
    key_fields = ("organization", "name", "mobile")
    scope_field = "organization"
    references = {"organization": ("organizations", ("organization_region", "organization"))}
    order = 20
    deferred_create = True

    def preload(self, rows: list[dict[str, Any]]) -> None:
        self.lookups = Lookups(self.actor)
        self.lookups.load_organizations((row["organization_region"], row["organization"]) for row in rows)
        people = Person.objects.visible_to(self.actor).filter(
            organization__in=list(self.lookups.organizations.values())
        )
        self.people: dict[tuple, list[Person]] = {}
        for person in people:
            self.people.setdefault((person.organization_id, person.name, person.mobile), []).append(person)

    def resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        code = values.pop("organization_region")
        if not code or not values["organization"]:
            raise ValidationError({"organization": _("请填写区划代码和所在单位。")})
        values["organization"] = self.lookups.organization(
            code, values["organization"], region_field="organization_region", field_name="organization"
        )
        return values

    def label(self, values: dict[str, Any]) -> str:
        return f"{values['name']}（{values['organization'].name}）"

    def find(self, values: dict[str, Any]) -> Person | None:
        matches = self.people.get((values["organization"].pk, values["name"], values["mobile"]), [])
        if len(matches) > 1:
            raise ValidationError(
                {"name": _("该单位有多名同名、同手机号码的人员，无法确定要更新哪一位，请在系统中处理。")}
            )
        return matches[0] if matches else None

    def create(self, *, values: dict[str, Any]) -> Person:
        person = person_build(actor=self.actor, **values)
        self.people[(person.organization_id, person.name, person.mobile)] = [person]
        self.new.append(person)
        return person

    def flush(self) -> None:
        insert_new(Person, self.new, actor=self.actor)

    def update(self, *, obj: Person, changes: dict[str, Any]) -> Person:
        return person_update(actor=self.actor, person=obj, **changes)
