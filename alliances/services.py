"""Every write to alliances, memberships and teams, with its business rules."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.constraints import validated_save
from core.users import user_label
from members.access import require_write, scope_for
from members.models import MemberOrganization, Person
from members.services import apply_changes
from notices.models import Event
from notices.services import notify

from .models import (
    ACTIVE_CLAIM_STATUSES,
    SINGLE_HOLDER_ROLES,
    Activity,
    ActivityPhoto,
    Alliance,
    Claim,
    ClaimStatus,
    EntityPlatform,
    ListStatus,
    Meeting,
    MeetingPhoto,
    Membership,
    MembershipRole,
    Mentorship,
    Need,
    Resource,
    Shareholding,
    TeamRole,
    TeamRoleKind,
)

# The fields a user writes, declared once for each model of this app, in the order the
# forms show them; the forms, the API serializers and these services all read them.
ALLIANCE_FIELDS = (
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
)


def alliance_create(*, actor: Any, **fields: Any) -> Alliance:
    alliance = Alliance()
    apply_changes(alliance, fields, set(ALLIANCE_FIELDS))
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
    apply_changes(alliance, fields, set(ALLIANCE_FIELDS))
    require_write(actor, alliance.lead_region)
    alliance.version = current + 1
    return validated_save(alliance, actor=actor)


def stale_edit_message(alliance: Alliance, current: int) -> str:
    latest = alliance.history.select_related("history_user__person").order_by("-history_date").first()
    who = user_label(latest.history_user if latest else None, default=_("其他用户"))
    when = date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT") if latest else ""
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
    if Membership.objects.current().filter(alliance=alliance, organization=organization).exists():
        raise ValidationError({"organization": _("该单位已是本联盟的在册成员。")})
    if role == MembershipRole.LEAD and alliance.memberships.current().filter(role=MembershipRole.LEAD).exists():
        raise ValidationError({"role": _("本联盟已有在册的牵头单位，请先办理其退出。")})
    return validated_save(
        Membership(alliance=alliance, organization=organization, role=role, joined_on=joined_on), actor=actor
    )


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership, left_on: datetime.date) -> Membership:
    require_write(actor, membership.alliance.lead_region)
    if membership.left_on is not None:
        raise ValidationError({"left_on": _("该成员已于 %(date)s 退出。") % {"date": date_format(membership.left_on)}})
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
                    {
                        "started_on": _("任职日期不能早于现任者的任职日期 %(date)s。")
                        % {"date": date_format(holder.started_on)}
                    }
                )
            holder.ended_on = started_on
            validated_save(holder, actor=actor)
    return validated_save(TeamRole(alliance=alliance, person=person, role=role, started_on=started_on), actor=actor)


@transaction.atomic
def team_role_end(*, actor: Any, team_role: TeamRole, ended_on: datetime.date) -> TeamRole:
    require_write(actor, team_role.alliance.lead_region)
    if team_role.ended_on is not None:
        raise ValidationError({"ended_on": _("该角色已于 %(date)s 结束。") % {"date": date_format(team_role.ended_on)}})
    team_role.ended_on = ended_on
    return validated_save(team_role, actor=actor)


# =========================================================================== operations
# Meetings, activities and mentorships are recorded by staff who cover the alliance or by
# the alliance's own leader; entity platforms and their shareholders are managed by staff;
# the needs and resources lists are edited by staff or by the posting alliance's leader;
# claims are made and moved along by the poster's side or the claimant's side.


def require_alliance_write(actor: Any, alliance: Alliance) -> None:
    """Staff covering the alliance's lead region, or the alliance's current leader."""
    scope = scope_for(actor)
    if scope.is_staff_role:
        require_write(actor, alliance.lead_region)
        return
    if scope.kind == "leader" and Alliance.objects.visible_to(actor).filter(pk=alliance.pk).exists():
        return
    raise PermissionDenied(_("您没有权限修改该联盟的数据。"))


def alliances_writable_by(user: Any) -> QuerySet:
    """The alliances whose meetings, activities, mentorships and lists the user may record."""
    scope = scope_for(user)
    if scope.is_staff_role or scope.kind == "leader":
        return Alliance.objects.visible_to(user)
    return Alliance.objects.none()


def organizations_claiming_for(user: Any) -> QuerySet:
    """The organizations on whose behalf the user may claim: staff, those in their region;
    a leader, the current members of the alliances they lead."""
    scope = scope_for(user)
    if scope.is_staff_role:
        return MemberOrganization.objects.visible_to(user)
    if scope.kind == "leader":
        members = Membership.objects.visible_to(user).filter(left_on__isnull=True).values("organization_id")
        return MemberOrganization.objects.filter(pk__in=members)
    return MemberOrganization.objects.none()


def alliance_organizations(alliance: Alliance, on: datetime.date | None = None) -> QuerySet:
    """Organizations that are or were members of the alliance; with ``on``: those that were
    members that day (joined on or before it, not yet left)."""
    memberships = Membership.objects.filter(alliance=alliance)
    if on is not None:
        memberships = memberships.current(on)
    return MemberOrganization.objects.filter(pk__in=memberships.values("organization_id"))


def alliance_people(alliance: Alliance, on: datetime.date | None = None) -> QuerySet:
    """People of the alliance: those of its (present or past) member organizations and its team;
    with ``on``: those of the organizations that were members that day and of its team that day."""
    members = Membership.objects.filter(alliance=alliance)
    team = TeamRole.objects.filter(alliance=alliance)
    if on is not None:
        members = members.current(on)
        # A term ends the day the next holder starts (team_role_assign): held on [started_on, ended_on).
        team = team.filter(Q(started_on__lte=on), Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    return Person.objects.filter(
        Q(organization_id__in=members.values("organization_id")) | Q(pk__in=team.values("person_id"))
    )


def _present_label(item: MemberOrganization | Person) -> str:
    if isinstance(item, Person) and item.organization_id:
        return f"{item.name}（{item.organization.name}）"
    return item.name


def _absent_from_alliance(
    record: Meeting | Activity, field: str, chosen: Iterable[Any], allowed: QuerySet, message: str
) -> str | None:
    """The error naming those in ``chosen`` (organizations or people named as present) who
    did not belong to the alliance on the record's date; None when all did."""
    ids = {item.pk for item in chosen}
    refused = ids - set(allowed.filter(pk__in=ids).values_list("pk", flat=True))
    if not refused:
        return None
    model = type(record)._meta.get_field(field).related_model
    named = model.objects.filter(pk__in=refused).order_by("name")
    if model is Person:
        named = named.select_related("organization")
    names = "、".join(_present_label(item) for item in named)
    return message % {"names": names, "date": date_format(record.held_on)}


def _check_event_date(field: str, day: datetime.date | None, alliance: Alliance) -> None:
    if day is None:
        return
    if day > timezone.localdate():
        raise ValidationError({field: _("只能登记已经举行的会议或活动，日期不能晚于今天。")})
    if day < alliance.founded_on:
        raise ValidationError(
            {field: _("日期不能早于联盟成立日期 %(date)s。") % {"date": date_format(alliance.founded_on)}}
        )


def _file_value(value: Any) -> Any:
    """A cleared file input gives False and the API null: store no file."""
    return "" if value is False or value is None else value


# Who may be named among those present: (the pool of the alliance on a day, the error message).
ATTENDANCE_POOLS = {
    "attending_organizations": (
        alliance_organizations,
        gettext_lazy("%(names)s 在 %(date)s 不是本联盟的成员单位，不能列为参会单位。"),
    ),
    "attendees": (
        alliance_people,
        gettext_lazy("%(names)s 在 %(date)s 不属于本联盟的成员单位或工作团队，不能列为参会人员。"),
    ),
    "participating_organizations": (
        alliance_organizations,
        gettext_lazy("%(names)s 在 %(date)s 不是本联盟的成员单位，不能列为参与单位。"),
    ),
    "participants": (
        alliance_people,
        gettext_lazy("%(names)s 在 %(date)s 不属于本联盟的成员单位或工作团队，不能列为参与人员。"),
    ),
}
MEETING_FIELDS = ("kind", "held_on", "place", "topics", "decisions", "minutes", "minutes_file")
ACTIVITY_FIELDS = ("kind", "title", "held_on", "place", "participant_count", "summary")


def _check_attendance(record: Meeting | Activity, attendance: dict[str, list[Any]], *, moved: bool) -> None:
    """Those named present must have belonged to the alliance on the record's date, each
    list checked (and every refusal named) at once. A saved record moved to another day
    keeps the lists it is not sent with only if they hold on the new day too."""
    if record.held_on is None:  # no date: the save refuses the record
        return
    errors = {}
    for name, (pool, message) in ATTENDANCE_POOLS.items():
        if name in attendance:
            chosen = attendance[name] = list(attendance[name])
        elif moved and hasattr(record, name):
            chosen = list(getattr(record, name).all())
        else:
            continue
        allowed = pool(record.alliance, on=record.held_on)
        if error := _absent_from_alliance(record, name, chosen, allowed, str(message)):
            errors[name] = error
    if errors:
        raise ValidationError(errors)


def _save_event(
    record: Meeting | Activity, fields: dict[str, Any], allowed: tuple[str, ...], *, actor: Any
) -> Meeting | Activity:
    """Save a meeting or an activity and who was present (attendance fields left out stay as they are)."""
    attendance = {name: fields.pop(name) for name in ATTENDANCE_POOLS if name in fields}
    if "minutes_file" in fields:
        fields["minutes_file"] = _file_value(fields["minutes_file"])
    held_on = record.held_on
    apply_changes(record, fields, set(allowed))
    _check_event_date("held_on", record.held_on, record.alliance)
    _check_attendance(record, attendance, moved=record.pk is not None and record.held_on != held_on)
    validated_save(record, actor=actor)
    for name, chosen in attendance.items():
        getattr(record, name).set(chosen)
    return record


@transaction.atomic
def meeting_create(*, actor: Any, alliance: Alliance, **fields: Any) -> Meeting:
    """Record a meeting; ``attending_organizations`` and ``attendees`` are lists of those present."""
    require_alliance_write(actor, alliance)
    return _save_event(Meeting(alliance=alliance), fields, MEETING_FIELDS, actor=actor)


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, **fields: Any) -> Meeting:
    require_alliance_write(actor, meeting.alliance)
    return _save_event(meeting, fields, MEETING_FIELDS, actor=actor)


@transaction.atomic
def activity_create(*, actor: Any, alliance: Alliance, **fields: Any) -> Activity:
    """Record an activity; ``participating_organizations`` and ``participants`` list who took part."""
    require_alliance_write(actor, alliance)
    return _save_event(Activity(alliance=alliance), fields, ACTIVITY_FIELDS, actor=actor)


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, **fields: Any) -> Activity:
    require_alliance_write(actor, activity.alliance)
    return _save_event(activity, fields, ACTIVITY_FIELDS, actor=actor)


def meeting_photo_add(*, actor: Any, meeting: Meeting, image: Any, caption: str = "") -> MeetingPhoto:
    require_alliance_write(actor, meeting.alliance)
    return validated_save(MeetingPhoto(meeting=meeting, image=image, caption=caption), actor=actor)


def activity_photo_add(*, actor: Any, activity: Activity, image: Any, caption: str = "") -> ActivityPhoto:
    require_alliance_write(actor, activity.alliance)
    return validated_save(ActivityPhoto(activity=activity, image=image, caption=caption), actor=actor)


@transaction.atomic
def photo_remove(*, actor: Any, photo: MeetingPhoto | ActivityPhoto) -> None:
    owner = photo.meeting if isinstance(photo, MeetingPhoto) else photo.activity
    require_alliance_write(actor, owner.alliance)
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


MENTORSHIP_FIELDS = ("mentor", "mentor_title", "apprentice", "started_on", "goals")
# What may change once the pair is made.
MENTORSHIP_EDIT_FIELDS = ("mentor_title", "started_on", "goals")


@transaction.atomic
def mentorship_create(*, actor: Any, alliance: Alliance, **fields: Any) -> Mentorship:
    require_alliance_write(actor, alliance)
    mentorship = Mentorship(alliance=alliance)
    apply_changes(mentorship, fields, set(MENTORSHIP_FIELDS))
    if mentorship.mentor_id and mentorship.mentor_id == mentorship.apprentice_id:
        raise ValidationError({"apprentice": _("导师不能与自己结对。")})
    if mentorship.apprentice_id and not alliance_people(alliance).filter(pk=mentorship.apprentice_id).exists():
        raise ValidationError({"apprentice": _("徒弟须为本联盟成员单位或工作团队的人员。")})
    if (
        Mentorship.objects.current()
        .filter(alliance=alliance, mentor_id=mentorship.mentor_id, apprentice_id=mentorship.apprentice_id)
        .exists()
    ):
        raise ValidationError({"apprentice": _("这对师徒已在本联盟结对。")})
    return validated_save(mentorship, actor=actor)


@transaction.atomic
def mentorship_update(*, actor: Any, mentorship: Mentorship, **fields: Any) -> Mentorship:
    require_alliance_write(actor, mentorship.alliance)
    apply_changes(mentorship, fields, set(MENTORSHIP_EDIT_FIELDS))
    return validated_save(mentorship, actor=actor)


@transaction.atomic
def mentorship_end(*, actor: Any, mentorship: Mentorship, ended_on: datetime.date) -> Mentorship:
    require_alliance_write(actor, mentorship.alliance)
    if mentorship.ended_on is not None:
        raise ValidationError(
            {"ended_on": _("该帮带关系已于 %(date)s 结束。") % {"date": date_format(mentorship.ended_on)}}
        )
    mentorship.ended_on = ended_on
    return validated_save(mentorship, actor=actor)


PLATFORM_FIELDS = (
    "name",
    "kind",
    "ownership",
    "established_on",
    "registered_capital",
    "annual_revenue",
    "revenue_year",
    "business_scope",
)


def platform_create(*, actor: Any, alliance: Alliance, **fields: Any) -> EntityPlatform:
    require_write(actor, alliance.lead_region)
    platform = EntityPlatform(alliance=alliance)
    apply_changes(platform, fields, set(PLATFORM_FIELDS))
    return validated_save(platform, actor=actor)


@transaction.atomic
def platform_update(*, actor: Any, platform: EntityPlatform, **fields: Any) -> EntityPlatform:
    require_write(actor, platform.alliance.lead_region)
    apply_changes(platform, fields, set(PLATFORM_FIELDS))
    return validated_save(platform, actor=actor)


@transaction.atomic
def shareholding_set(
    *,
    actor: Any,
    platform: EntityPlatform,
    percentage: Decimal,
    alliance: Alliance | None = None,
    organization: MemberOrganization | None = None,
    capital_contribution: Decimal | None = None,
) -> Shareholding:
    """Add a shareholder to a platform, or change an existing shareholder's stake.

    The platform row is locked first (the same lock the database trigger takes), so two
    simultaneous changes cannot together push the total past 100 %.
    """
    require_write(actor, platform.alliance.lead_region)
    EntityPlatform.objects.select_for_update(no_key=True).filter(pk=platform.pk).first()
    if (alliance is None) == (organization is None):
        raise ValidationError({"alliance": _("股东须为一个联盟或一个成员单位（二选一）。")})
    holding = (
        Shareholding.objects.filter(platform=platform, alliance=alliance).first()
        if alliance is not None
        else Shareholding.objects.filter(platform=platform, organization=organization).first()
    ) or Shareholding(platform=platform, alliance=alliance, organization=organization)
    if holding.pk and (holding.percentage, holding.capital_contribution) == (percentage, capital_contribution):
        return holding  # the same stake again (a second tap): no new entry in the change log
    holding.percentage = percentage
    holding.capital_contribution = capital_contribution
    return validated_save(holding, actor=actor)


@transaction.atomic
def shareholding_remove(*, actor: Any, shareholding: Shareholding) -> None:
    require_write(actor, shareholding.platform.alliance.lead_region)
    if getattr(actor, "pk", None) is not None:
        shareholding._history_user = actor  # the author of the deletion in the history
    shareholding.delete()


NEED_FIELDS = ("title", "category", "description", "posted_on", "open_to_all")
RESOURCE_FIELDS = ("title", "category", "description", "quantity", "unit", "posted_on")


def _save_entry(
    entry: Need | Resource, fields: dict[str, Any], allowed: tuple[str, ...], *, actor: Any
) -> Need | Resource:
    apply_changes(entry, fields, set(allowed))
    if entry.posted_on and entry.posted_on > timezone.localdate():
        raise ValidationError({"posted_on": _("发布日期不能晚于今天。")})
    return validated_save(entry, actor=actor)


def need_create(*, actor: Any, alliance: Alliance, **fields: Any) -> Need:
    """Post a need (posted today unless ``posted_on`` says otherwise)."""
    require_alliance_write(actor, alliance)
    return _save_entry(Need(alliance=alliance, posted_on=timezone.localdate()), fields, NEED_FIELDS, actor=actor)


@transaction.atomic
def need_update(*, actor: Any, need: Need, **fields: Any) -> Need:
    require_alliance_write(actor, need.alliance)
    return _save_entry(need, fields, NEED_FIELDS, actor=actor)


def resource_create(*, actor: Any, alliance: Alliance, **fields: Any) -> Resource:
    """Post a resource (posted today unless ``posted_on`` says otherwise)."""
    require_alliance_write(actor, alliance)
    return _save_entry(
        Resource(alliance=alliance, posted_on=timezone.localdate()), fields, RESOURCE_FIELDS, actor=actor
    )


@transaction.atomic
def resource_update(*, actor: Any, resource: Resource, **fields: Any) -> Resource:
    require_alliance_write(actor, resource.alliance)
    return _save_entry(resource, fields, RESOURCE_FIELDS, actor=actor)


def require_claimant_authority(
    actor: Any, claimant_alliance: Alliance | None, claimant_organization: MemberOrganization | None
) -> None:
    """Staff act for claimants in their region; a leader for their alliances and their members."""
    scope = scope_for(actor)
    if scope.is_staff_role:
        region = claimant_alliance.lead_region if claimant_alliance else getattr(claimant_organization, "region", None)
        require_write(actor, region)
        return
    if scope.kind == "leader":
        if claimant_alliance is not None and alliances_writable_by(actor).filter(pk=claimant_alliance.pk).exists():
            return
        if (
            claimant_organization is not None
            and organizations_claiming_for(actor).filter(pk=claimant_organization.pk).exists()
        ):
            return
    raise PermissionDenied(_("您不能代表该认领方认领。"))


def _locked_target(need: Need | None, resource: Resource | None) -> Need | Resource:
    if need is not None:
        return Need.objects.select_for_update().select_related("alliance__lead_region").get(pk=need.pk)
    return Resource.objects.select_for_update().select_related("alliance__lead_region").get(pk=resource.pk)


@transaction.atomic
def claim_create(
    *,
    actor: Any,
    need: Need | None = None,
    resource: Resource | None = None,
    claimant_alliance: Alliance | None = None,
    claimant_organization: MemberOrganization | None = None,
    offer: str = "",
    claimed_on: datetime.date | None = None,
) -> Claim:
    """Claim a need or a resource for an alliance or an organization (a department included).

    The need or resource must be visible to the actor, which for a need posted as open to
    all means any user with a scope, from any county.
    """
    if (need is None) == (resource is None):
        raise ValidationError({"need": _("请选择认领的需求或资源（二选一）。")})
    if (claimant_alliance is None) == (claimant_organization is None):
        raise ValidationError({"claimant_alliance": _("认领方须为一个联盟或一个成员单位（二选一）。")})
    visible = Need.objects.visible_to(actor) if need is not None else Resource.objects.visible_to(actor)
    if not visible.filter(pk=(need or resource).pk).exists():
        raise PermissionDenied(_("您无权认领该条目。"))
    require_claimant_authority(actor, claimant_alliance, claimant_organization)
    target = _locked_target(need, resource)
    field = "need" if need is not None else "resource"
    if claimant_alliance is not None and claimant_alliance.pk == target.alliance_id:
        raise ValidationError({"claimant_alliance": _("不能认领本联盟自己发布的条目。")})
    if target.status != ListStatus.OPEN:
        raise ValidationError(
            {field: _("该条目当前状态为“%(status)s”，不能认领。") % {"status": target.get_status_display()}}
        )
    claimed_on = claimed_on or timezone.localdate()
    if claimed_on < target.posted_on:
        raise ValidationError(
            {"claimed_on": _("认领日期不能早于发布日期 %(date)s。") % {"date": date_format(target.posted_on)}}
        )
    if claimed_on > timezone.localdate():
        raise ValidationError({"claimed_on": _("认领日期不能晚于今天。")})
    claim = validated_save(
        Claim(
            need=need,
            resource=resource,
            claimant_alliance=claimant_alliance,
            claimant_organization=claimant_organization,
            offer=offer,
            claimed_on=claimed_on,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        ),
        actor=actor,
    )
    target.status = ListStatus.CLAIMED
    validated_save(target, update_fields=["status", "updated_at"], actor=actor)
    if need is not None:
        notify_need_claimed(claim, target)
    return claim


def team_user_ids(alliance_ids: Iterable[int]) -> list[int]:
    """The accounts told what happens to the alliances: their current leaders and township
    instructors (open 联盟带头人 and 镇街指导员 roles) whose person has a login. The instructor
    follows the alliances they instruct, and is told what their leader is told."""
    return list(
        TeamRole.objects.filter(
            alliance_id__in=list(alliance_ids),
            role__in=(TeamRoleKind.LEADER, TeamRoleKind.INSTRUCTOR),
            ended_on__isnull=True,
            person__user__isnull=False,
        )
        .values_list("person__user_id", flat=True)
        .distinct()
    )


def notify_need_claimed(claim: Claim, need: Need) -> None:
    """Tell the need's alliance (its leader and instructor) who claimed it."""
    claimant = claim.claimant_alliance or claim.claimant_organization
    notify(
        event=Event.NEED_CLAIMED,
        recipients=team_user_ids([need.alliance_id]),
        key=f"claim-{claim.pk}",
        title=_("您联盟的需求“%(need)s”已被%(claimant)s认领") % {"need": need.title, "claimant": claimant.name},
        body=claim.offer,
        link=claim.get_absolute_url(),
        region=need.alliance.lead_region,
    )


def require_claim_party(actor: Any, claim: Claim) -> None:
    """The poster's side (who may edit the list) or the claimant's side may move a claim along."""
    try:
        require_alliance_write(actor, claim.target.alliance)
    except PermissionDenied:
        require_claimant_authority(actor, claim.claimant_alliance, claim.claimant_organization)


def _transition(claim: Claim, allowed_from: tuple[str, ...]) -> tuple[Claim, Need | Resource]:
    target = _locked_target(claim.need, claim.resource)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status not in allowed_from:
        raise ValidationError(
            {"status": _("认领当前状态为“%(status)s”，不能进行此操作。") % {"status": claim.get_status_display()}}
        )
    return claim, target


def _transition_date(field: str, claim: Claim, day: datetime.date | None) -> datetime.date:
    day = day or timezone.localdate()
    earliest = claim.started_on or claim.claimed_on
    if day < earliest:
        raise ValidationError({field: _("日期不能早于 %(date)s。") % {"date": date_format(earliest)}})
    if day > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})
    return day


@transaction.atomic
def claim_start(*, actor: Any, claim: Claim, started_on: datetime.date | None = None) -> Claim:
    require_claim_party(actor, claim)
    claim, target = _transition(claim, (ClaimStatus.CLAIMED,))
    claim.started_on = _transition_date("started_on", claim, started_on)
    claim.status = ClaimStatus.IN_PROGRESS
    validated_save(claim, actor=actor)
    target.status = ListStatus.IN_PROGRESS
    validated_save(target, update_fields=["status", "updated_at"], actor=actor)
    return claim


@transaction.atomic
def claim_resolve(
    *,
    actor: Any,
    claim: Claim,
    note: str,
    closed_on: datetime.date | None = None,
    project_id: int | None = None,
) -> Claim:
    """Close an in-progress claim as resolved, with a note; a need may name the project that met it."""
    require_claim_party(actor, claim)
    claim, target = _transition(claim, (ClaimStatus.IN_PROGRESS,))
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写办理结果。")})
    if project_id is not None and claim.need_id is None:
        raise ValidationError({"project_id": _("只有需求可以关联解决它的项目。")})
    if project_id is not None:
        Project = Need._meta.get_field("resolved_by_project").related_model
        if not Project.objects.visible_to(actor).filter(pk=project_id).exists():
            raise ValidationError({"project_id": _("没有这个项目，或不在您的权限范围内。")})
    claim.closed_on = _transition_date("closed_on", claim, closed_on)
    claim.note = note.strip()
    claim.status = ClaimStatus.RESOLVED
    validated_save(claim, actor=actor)
    target.status = ListStatus.RESOLVED
    fields = ["status", "updated_at"]
    if claim.need_id is not None:
        target.resolved_by_project_id = project_id
        fields.append("resolved_by_project_id")
    validated_save(target, update_fields=fields, actor=actor)
    return claim


@transaction.atomic
def claim_withdraw(*, actor: Any, claim: Claim, note: str, closed_on: datetime.date | None = None) -> Claim:
    """Withdraw a claim that is not resolved: the need or resource is open to claims again."""
    require_claim_party(actor, claim)
    claim, target = _transition(claim, ACTIVE_CLAIM_STATUSES)
    if not (note or "").strip():
        raise ValidationError({"note": _("请说明撤回原因。")})
    claim.closed_on = _transition_date("closed_on", claim, closed_on)
    claim.note = note.strip()
    claim.status = ClaimStatus.WITHDRAWN
    validated_save(claim, actor=actor)
    target.status = ListStatus.OPEN
    validated_save(target, update_fields=["status", "updated_at"], actor=actor)
    return claim
