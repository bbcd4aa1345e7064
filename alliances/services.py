"""Every write to alliances, memberships and teams, with its business rules."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.access import require_write
from members.models import MemberOrganization, Person
from members.services import apply_changes, validated_save

from .models import SINGLE_HOLDER_ROLES, Alliance, Membership, MembershipRole, TeamRole

ALLIANCE_FIELDS = {
    "code",
    "name",
    "formation_mode",
    "formation_mode_other",
    "scope",
    "lead_region",
    "founded_on",
    "status",
    "is_demonstration",
    "demonstration_year",
    "covenant",
    "description",
}


def alliance_create(*, actor: Any, **fields: Any) -> Alliance:
    alliance = Alliance()
    apply_changes(alliance, fields, ALLIANCE_FIELDS)
    require_write(actor, fields.get("lead_region"))
    return validated_save(alliance, actor=actor)


@transaction.atomic
def alliance_update(*, actor: Any, alliance: Alliance, expected_version: int | None = None, **fields: Any) -> Alliance:
    """Change an alliance. ``expected_version`` is the version the editor loaded (the
    form's hidden field, the API's ``version``): when someone else saved in between, the
    edit is refused with an error on ``version`` instead of silently overwriting theirs.
    The row is locked while checking, so two simultaneous saves cannot both pass."""
    require_write(actor, alliance.lead_region)
    current = Alliance.objects.select_for_update().values_list("version", flat=True).get(pk=alliance.pk)
    if expected_version is not None and expected_version != current:
        raise ValidationError({"version": stale_edit_message(alliance, current)})
    apply_changes(alliance, fields, ALLIANCE_FIELDS)
    require_write(actor, alliance.lead_region)
    alliance.version = current + 1
    return validated_save(alliance, actor=actor)


def stale_edit_message(alliance: Alliance, current: int) -> str:
    latest = alliance.history.select_related("history_user").order_by("-history_date").first()
    who = latest.history_user.get_username() if latest and latest.history_user_id else _("其他用户")
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else ""
    return _(
        "该联盟已被 %(who)s 于 %(when)s 修改（当前为第 %(version)s 版），您的修改未保存。"
        "请刷新页面，在最新内容上重新编辑。"
    ) % {"who": who, "when": when, "version": current}


@transaction.atomic
def membership_add(
    *,
    actor: Any,
    alliance: Alliance,
    organization: MemberOrganization,
    joined_on: datetime.date,
    role: str = MembershipRole.MEMBER,
) -> Membership:
    require_write(actor, alliance.lead_region)
    Alliance.objects.select_for_update().filter(pk=alliance.pk).first()
    if Membership.objects.filter(alliance=alliance, organization=organization, left_on__isnull=True).exists():
        raise ValidationError({"organization": _("该单位已是本联盟的在册成员。")})
    if (
        role == MembershipRole.LEAD
        and alliance.memberships.filter(role=MembershipRole.LEAD, left_on__isnull=True).exists()
    ):
        raise ValidationError({"role": _("本联盟已有在册的牵头单位，请先办理其退出。")})
    return validated_save(Membership(alliance=alliance, organization=organization, role=role, joined_on=joined_on))


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership, left_on: datetime.date) -> Membership:
    require_write(actor, membership.alliance.lead_region)
    if membership.left_on is not None:
        raise ValidationError({"left_on": _("该成员已于 %(date)s 退出。") % {"date": membership.left_on}})
    membership.left_on = left_on
    return validated_save(membership, actor=actor)


@transaction.atomic
def team_role_assign(
    *, actor: Any, alliance: Alliance, person: Person, role: str, started_on: datetime.date
) -> TeamRole:
    """Give a person a role in the "1+1+N" team.

    For the single-holder roles (leader, township instructor) the current holder's term
    ends the day the new one starts: history is kept, never overwritten. The alliance row
    is locked so two simultaneous changes cannot both open a leader.
    """
    require_write(actor, alliance.lead_region)
    Alliance.objects.select_for_update().filter(pk=alliance.pk).first()
    current = TeamRole.objects.filter(alliance=alliance, role=role, ended_on__isnull=True)
    if current.filter(person=person).exists():
        raise ValidationError({"person": _("此人已在本联盟担任该角色。")})
    if role in SINGLE_HOLDER_ROLES:
        for holder in current:
            if started_on < holder.started_on:
                raise ValidationError(
                    {"started_on": _("任职日期不能早于现任者的任职日期 %(date)s。") % {"date": holder.started_on}}
                )
            holder.ended_on = started_on
            validated_save(holder, actor=actor)
    return validated_save(TeamRole(alliance=alliance, person=person, role=role, started_on=started_on), actor=actor)


@transaction.atomic
def team_role_end(*, actor: Any, team_role: TeamRole, ended_on: datetime.date) -> TeamRole:
    require_write(actor, team_role.alliance.lead_region)
    if team_role.ended_on is not None:
        raise ValidationError({"ended_on": _("该角色已于 %(date)s 结束。") % {"date": team_role.ended_on}})
    team_role.ended_on = ended_on
    return validated_save(team_role, actor=actor)
