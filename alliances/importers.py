"""Importers of the alliance list's export: alliances, then their memberships."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.imports import CREATE, UNCHANGED, UPDATE, Importer, RowResult, register
from members.importers import Lookups

from .layouts import ALLIANCE_COLUMNS, ALLIANCE_SHEET, MEMBERSHIP_COLUMNS, MEMBERSHIP_SHEET
from .models import Alliance, Membership
from .services import alliance_create, alliance_update, membership_add, membership_end


def alliances_by_code(actor: Any, codes: set[str]) -> dict[str, Alliance]:
    """The alliances with these codes that the actor may see, in one query."""
    found = Alliance.objects.visible_to(actor).filter(code__in=codes).select_related("lead_region")
    return {alliance.code: alliance for alliance in found}


@register
class AllianceImporter(Importer):
    """Alliances, matched by code."""

    key = "alliances"
    model = Alliance
    sheet = ALLIANCE_SHEET
    columns = ALLIANCE_COLUMNS
    key_fields = ("code",)
    scope_field = "lead_region"
    order = 30

    def preload(self, rows: list[dict[str, Any]]) -> None:
        self.lookups = Lookups(self.actor)
        self.lookups.load_regions(row["lead_region"] for row in rows)
        self.alliances = alliances_by_code(self.actor, {row["code"] for row in rows})

    def resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        values["lead_region"] = self.lookups.region(values["lead_region"], "lead_region")
        return values

    def label(self, values: dict[str, Any]) -> str:
        return f"{values['code']} {values['name']}"

    def find(self, values: dict[str, Any]) -> Alliance | None:
        return self.alliances.get(values["code"])

    def create(self, *, values: dict[str, Any]) -> Alliance:
        alliance = alliance_create(actor=self.actor, **values)
        self.alliances[alliance.code] = alliance
        return alliance

    def update(self, *, obj: Alliance, changes: dict[str, Any]) -> Alliance:
        return alliance_update(actor=self.actor, alliance=obj, **changes)


@register
class MembershipImporter(Importer):
    """Memberships, matched by (alliance code, organization) and their joining date.

    A row with no leaving date is the organization's current membership: it is added when
    the organization is not a current member. A leaving date on the current membership
    records its leaving; a row for a former membership that is already recorded changes
    nothing. The role of a recorded membership cannot change (leave, then join again).
    """

    key = "memberships"
    model = Membership
    sheet = MEMBERSHIP_SHEET
    columns = MEMBERSHIP_COLUMNS
    key_fields = ("alliance", "organization", "joined_on")
    scope_field = "alliance"
    references = {
        "alliance": ("alliances", ("alliance",)),
        "organization": ("organizations", ("organization_region", "organization")),
    }
    order = 40

    def preload(self, rows: list[dict[str, Any]]) -> None:
        self.lookups = Lookups(self.actor)
        self.lookups.load_organizations((row["organization_region"], row["organization"]) for row in rows)
        self.alliances = alliances_by_code(self.actor, {row["alliance"] for row in rows})
        self.memberships: dict[tuple[int, int], list[Membership]] = {}
        for membership in Membership.objects.visible_to(self.actor).filter(alliance__in=list(self.alliances.values())):
            self.memberships.setdefault((membership.alliance_id, membership.organization_id), []).append(membership)

    def resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        alliance = self.alliances.get(values["alliance"])
        errors = {}
        if alliance is None:
            errors["alliance"] = _("找不到您管辖范围内编号为 %(code)s 的联盟。") % {"code": values["alliance"] or "—"}
        try:
            organization = self.lookups.organization(
                values.pop("organization_region"),
                values["organization"],
                region_field="organization_region",
                field_name="organization",
            )
        except ValidationError as exc:
            errors |= exc.message_dict
        if not values["joined_on"]:
            errors["joined_on"] = _("请填写加入日期。")
        if errors:
            raise ValidationError(errors)
        values["alliance"] = alliance
        values["organization"] = organization
        return values

    def label(self, values: dict[str, Any]) -> str:
        return f"{values['alliance'].code} · {values['organization'].name}"

    def apply(self, values: dict[str, Any], result: RowResult) -> None:
        alliance, organization = values["alliance"], values["organization"]
        role, joined_on, left_on = values["role"], values["joined_on"], values["left_on"]
        history = self.memberships.setdefault((alliance.pk, organization.pk), [])
        recorded = next((m for m in history if m.joined_on == joined_on), None)
        if recorded is None:
            current = next((m for m in history if m.left_on is None), None)
            if current is not None:
                raise ValidationError(
                    {"joined_on": _("该单位已是本联盟的在册成员（%(date)s 加入）。") % {"date": current.joined_on}}
                )
            membership = self.write(self.add, alliance=alliance, organization=organization, role=role, values=values)
            history.append(membership)
            result.action = CREATE
            result.changes = [
                (self.header_of(name), "", self.display(name, values[name]))
                for name in ("role", "joined_on", "left_on")
                if values[name]
            ]
            return
        if recorded.role != role:
            raise ValidationError({"role": _("已登记成员的角色不能通过导入修改，请先办理退出再重新加入。")})
        if recorded.left_on == left_on:
            result.action = UNCHANGED
            return
        if recorded.left_on is not None or left_on is None:
            raise ValidationError(
                {"left_on": _("该成员已于 %(date)s 退出，退出日期不能修改。") % {"date": recorded.left_on}}
            )
        self.write(membership_end, actor=self.actor, membership=recorded, left_on=left_on)
        result.action = UPDATE
        result.changes = [(self.header_of("left_on"), "", self.display("left_on", left_on))]

    def add(self, *, alliance: Alliance, organization: Any, role: str, values: dict[str, Any]) -> Membership:
        membership = membership_add(
            actor=self.actor, alliance=alliance, organization=organization, role=role, joined_on=values["joined_on"]
        )
        if values["left_on"]:
            membership = membership_end(actor=self.actor, membership=membership, left_on=values["left_on"])
        return membership
