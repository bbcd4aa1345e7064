"""Every write to tracked items (督办事项): raise, assign, reply, mark handled, confirm
solved, reopen, escalate. Each checks who may do it, moves the item along one of the
allowed transitions under a row lock, stamps the transition's time, appends one event
to the item's history and tells the people who act next (``notices.notify``, delivered
once the transaction commits).

Who does what:
- staff whose region covers the alliance raise an item (from a progress report's
  coordination request, an alliance's need, or of their own);
- staff whose region covers the county (county and city staff) assign it, or reassign
  it, to one of the county's departments with a deadline;
- the assigned department's liaison replies and marks it handled (with a note);
- the alliance's leader confirms it solved with a satisfaction rating (1–5), or reopens
  it (with a note);
- the daily task escalates the items past their deadline to the county's staff.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alliances.models import Alliance, Need
from alliances.services import team_user_ids
from members.access import Role, leader_alliance_ids, scope_for
from members.models import Department, Region, RegionLevel
from notices.models import Event
from notices.services import notify
from projects.models import ProgressReport

from .models import (
    WITH_DEPARTMENT,
    EventAction,
    ItemSource,
    ItemState,
    TrackedItem,
    TrackedItemEvent,
)

TITLE_LENGTH = 200


# --------------------------------------------------------------------------- who may


def county_of(region: Region) -> Region | None:
    """The county a region lies in (itself for a county); ``None`` above county level."""
    if region.level in (RegionLevel.PROVINCE, RegionLevel.CITY):
        return None
    return Region.objects.filter(code=region.code[:6].ljust(12, "0"), level=RegionLevel.COUNTY).first()


def may_raise(user: Any, alliance: Alliance) -> bool:
    scope = scope_for(user)
    return scope.can_write and scope.covers_region(alliance.lead_region)


def may_assign(user: Any, item: TrackedItem) -> bool:
    """County and city staff over the alliance's county; township staff do not assign."""
    scope = scope_for(user)
    county = county_of(item.alliance.lead_region)
    return item.state in (ItemState.NEW, *WITH_DEPARTMENT) and scope.can_write and scope.covers_region(county)


def is_liaison_of(user: Any, item: TrackedItem) -> bool:
    scope = scope_for(user)
    return scope.kind == "department" and item.assignee_id is not None and scope.department_id == item.assignee_id


def may_answer(user: Any, item: TrackedItem) -> bool:
    """The assigned department's liaison, while the department holds the item."""
    return item.state in WITH_DEPARTMENT and is_liaison_of(user, item)


def is_leader_of(user: Any, item: TrackedItem) -> bool:
    scope = scope_for(user)
    return scope.kind == "leader" and leader_alliance_ids(scope.user_id).filter(alliance_id=item.alliance_id).exists()


def may_confirm(user: Any, item: TrackedItem) -> bool:
    """The alliance's leader, once the department has marked the item handled."""
    return item.state == ItemState.HANDLED and is_leader_of(user, item)


def actions_for(user: Any, item: TrackedItem) -> set[str]:
    """The actions the item's page offers the user: exactly those the services accept."""
    actions = set()
    if may_assign(user, item):
        actions.add("assign")
    if may_answer(user, item):
        actions.update({"reply", "handle"})
    if may_confirm(user, item):
        actions.update({"confirm", "reopen"})
    return actions


# --------------------------------------------------------------------------- helpers


def _now(at: datetime.datetime | None = None) -> datetime.datetime:
    """The time a transition is stamped with: now, unless the caller says when it happened
    (``at``: the demo data set dates its items' stories back from its own today)."""
    return at or timezone.now()


def _locked(item: TrackedItem) -> TrackedItem:
    return (
        TrackedItem.objects.select_for_update(of=("self",))
        .select_related("alliance__lead_region", "assignee")
        .get(pk=item.pk)
    )


def _note(note: str, message: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": message})
    return note


def _check_deadline(deadline: datetime.date | None, today: datetime.date) -> None:
    if deadline is None:
        raise ValidationError({"deadline": _("请填写办理期限。")})
    if deadline < today:
        raise ValidationError({"deadline": _("办理期限不能早于今天（%(today)s）。") % {"today": date_format(today)}})


def _check_department(department: Department | None, item: TrackedItem) -> None:
    if department is None:
        raise ValidationError({"assignee": _("请选择承办部门。")})
    county = county_of(item.alliance.lead_region)
    if county is None or department.county_id != county.pk:
        raise ValidationError({"assignee": _("承办部门必须是联盟所在区县的部门。")})
    if department.retired_at is not None:
        raise ValidationError({"assignee": _("该部门已停用，不能交办。")})


def _record(
    item: TrackedItem,
    *,
    action: str,
    actor: Any,
    at: datetime.datetime,
    from_state: str,
    note: str = "",
    rating: int | None = None,
) -> TrackedItemEvent:
    return TrackedItemEvent.objects.create(
        item=item,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        from_state=from_state,
        to_state=item.state,
        note=note,
        department=item.assignee,
        deadline=item.deadline,
        rating=rating,
    )


def _save(item: TrackedItem, fields: list[str]) -> TrackedItem:
    try:
        with transaction.atomic():
            item.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as exc:  # pragma: no cover - the checks above come first
        raise ValidationError(_("数据与已有记录冲突，请刷新后重试。")) from exc
    return item


# --------------------------------------------------------------------------- who is told


def liaisons_of(department: Department | None) -> list[Any]:
    if department is None:
        return []
    return list(
        get_user_model().objects.filter(
            is_active=True, access_profile__role=Role.DEPARTMENT_LIAISON, access_profile__department=department
        )
    )


def county_staff_of(alliance: Alliance) -> list[Any]:
    county = county_of(alliance.lead_region)
    if county is None:
        return []
    return list(
        get_user_model().objects.filter(
            is_active=True, access_profile__role=Role.COUNTY_STAFF, access_profile__region=county
        )
    )


def _tell(
    event: str,
    item: TrackedItem,
    recipients: Iterable[Any],
    title: str,
    body: str,
    occurrence: str,
    *,
    at: datetime.datetime,
) -> None:
    """Tell the item's people of one step, dated to the step (``at``)."""
    notify(
        event=event,
        at=at,
        recipients=recipients,
        key=f"item:{item.pk}:{occurrence}",
        title=title,
        body=body,
        link=item.get_absolute_url(),
        region=item.alliance.lead_region,
    )


def _occurrence(item: TrackedItem) -> int:
    """A number that grows with every transition of the item (for the notice's key)."""
    return TrackedItemEvent.objects.filter(item=item).count()


# --------------------------------------------------------------------------- raise


@transaction.atomic
def item_raise(
    *,
    actor: Any,
    alliance: Alliance | None = None,
    title: str = "",
    detail: str = "",
    report: ProgressReport | None = None,
    need: Need | None = None,
    assignee: Department | None = None,
    deadline: datetime.date | None = None,
    today: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> TrackedItem:
    """Raise an item (新提): from a report's coordination request, from a need, or of the
    staff's own; with ``assignee`` and ``deadline`` it is assigned at once. ``today`` and
    ``at`` date it (default: now), as in every service below."""
    today = today or timezone.localdate()
    if report is not None and need is not None:
        raise ValidationError(_("一个督办事项只能有一个来源。"))
    if report is not None:
        report = ProgressReport.objects.select_related("project__alliance__lead_region").get(pk=report.pk)
        if not report.needs_coordination:
            raise ValidationError(_("该进度报告没有需要协调的事项。"))
        alliance = report.project.alliance
        source = ItemSource.REPORT
        title = title or (report.coordination_request.strip().splitlines() or [""])[0][:TITLE_LENGTH]
        detail = detail or report.coordination_request
    elif need is not None:
        need = Need.objects.select_related("alliance__lead_region").get(pk=need.pk)
        alliance = need.alliance
        source = ItemSource.NEED
        title = title or need.title
        detail = detail or need.description
    else:
        source = ItemSource.STAFF
    if alliance is None:
        raise ValidationError({"alliance": _("请选择联盟。")})
    if not may_raise(actor, alliance):
        raise PermissionDenied(_("您没有权限为该联盟提出督办事项。"))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写事项。")})
    item = TrackedItem(
        alliance=alliance,
        source=source,
        report=report,
        need=need,
        title=title[:TITLE_LENGTH],
        detail=detail or "",
        raised_by=actor if getattr(actor, "pk", None) else None,
        raised_on=today,
        created_at=_now(at),
    )
    if report is not None and TrackedItem.objects.filter(report=report).exists():
        raise ValidationError(_("该协调事项已转为督办事项。"))
    if need is not None and TrackedItem.objects.filter(need=need).exists():
        raise ValidationError(_("该需求已转为督办事项。"))
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise ValidationError(_("该事项已转为督办事项，请刷新后查看。")) from exc
    _record(item, action=EventAction.RAISED, actor=actor, at=item.created_at, from_state="")
    if assignee is not None or deadline is not None:
        item = item_assign(actor=actor, item=item, assignee=assignee, deadline=deadline, today=today, at=at)
    return item


# --------------------------------------------------------------------------- assign


@transaction.atomic
def item_assign(
    *,
    actor: Any,
    item: TrackedItem,
    assignee: Department | None,
    deadline: datetime.date | None,
    note: str = "",
    today: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> TrackedItem:
    """Assign (新提 → 已交办) or reassign an item still with a department (a new
    department or a new deadline: back to 已交办, escalation cleared)."""
    today = today or timezone.localdate()
    item = _locked(item)
    if item.state not in (ItemState.NEW, *WITH_DEPARTMENT):
        raise ValidationError(_("该事项已办结，不能再交办。"))
    if not may_assign(actor, item):
        raise PermissionDenied(_("只有联盟所在区县或市级组织部门工作人员可以交办督办事项。"))
    _check_department(assignee, item)
    _check_deadline(deadline, today)
    if item.state != ItemState.NEW and assignee.pk == item.assignee_id and deadline == item.deadline:
        raise ValidationError(_("承办部门和办理期限都没有变化。"))
    from_state = item.state
    action = EventAction.ASSIGNED if from_state == ItemState.NEW else EventAction.REASSIGNED
    now = _now(at)
    item.assignee, item.deadline, item.state = assignee, deadline, ItemState.ASSIGNED
    item.assigned_at, item.escalated_at = now, None
    _save(item, ["assignee", "deadline", "state", "assigned_at", "escalated_at"])
    _record(item, action=action, actor=actor, at=now, from_state=from_state, note=(note or "").strip())
    _tell(
        Event.ITEM_ASSIGNED,
        item,
        liaisons_of(assignee),
        _("督办事项交办：%(title)s（期限 %(deadline)s）") % {"title": item.title, "deadline": date_format(deadline)},
        _("%(alliance)s 的督办事项已交由 %(department)s 办理，办理期限 %(deadline)s。")
        % {"alliance": item.alliance.name, "department": assignee.name, "deadline": date_format(deadline)},
        f"assigned:{_occurrence(item)}",
        at=now,
    )
    return item


# --------------------------------------------------------------------------- the department


@transaction.atomic
def item_reply(*, actor: Any, item: TrackedItem, note: str, at: datetime.datetime | None = None) -> TrackedItem:
    """The department's liaison answers (已交办 / 重新办理 → 办理中; a later answer keeps
    办理中)."""
    item = _locked(item)
    if not is_liaison_of(actor, item):
        raise PermissionDenied(_("该事项未交由您的部门办理，不能答复。"))
    if item.state not in WITH_DEPARTMENT:
        raise ValidationError(_("该事项已办结，不能再答复。"))
    note = _note(note, _("请填写答复内容。"))
    from_state, now = item.state, _now(at)
    item.state = ItemState.IN_PROGRESS
    fields = ["state"]
    if item.replied_at is None:
        item.replied_at = now
        fields.append("replied_at")
    _save(item, fields)
    _record(item, action=EventAction.REPLIED, actor=actor, at=now, from_state=from_state, note=note)
    _tell(
        Event.ITEM_REPLIED,
        item,
        team_user_ids([item.alliance_id]),
        _("%(department)s 答复了督办事项：%(title)s") % {"department": item.assignee.name, "title": item.title},
        note,
        f"replied:{_occurrence(item)}",
        at=now,
    )
    return item


@transaction.atomic
def item_mark_handled(*, actor: Any, item: TrackedItem, note: str, at: datetime.datetime | None = None) -> TrackedItem:
    """The department's liaison marks the item handled (→ 已办结), saying how."""
    item = _locked(item)
    if not is_liaison_of(actor, item):
        raise PermissionDenied(_("该事项未交由您的部门办理，不能办结。"))
    if item.state not in WITH_DEPARTMENT:
        raise ValidationError(_("该事项已办结。"))
    note = _note(note, _("办结时请写明办理结果。"))
    from_state, now = item.state, _now(at)
    item.state, item.handled_at = ItemState.HANDLED, now
    fields = ["state", "handled_at"]
    if item.replied_at is None:
        item.replied_at = now
        fields.append("replied_at")
    _save(item, fields)
    _record(item, action=EventAction.HANDLED, actor=actor, at=now, from_state=from_state, note=note)
    _tell(
        Event.ITEM_HANDLED,
        item,
        team_user_ids([item.alliance_id]),
        _("督办事项已办结，请确认：%(title)s") % {"title": item.title},
        note,
        f"handled:{_occurrence(item)}",
        at=now,
    )
    return item


# --------------------------------------------------------------------------- the leader


@transaction.atomic
def item_confirm(
    *, actor: Any, item: TrackedItem, rating: int | None, note: str = "", at: datetime.datetime | None = None
) -> TrackedItem:
    """The alliance's leader confirms the item solved (已办结 → 已解决) and rates it 1–5."""
    item = _locked(item)
    if not is_leader_of(actor, item):
        raise PermissionDenied(_("只有该联盟的带头人可以确认督办事项已解决。"))
    if item.state != ItemState.HANDLED:
        raise ValidationError(_("部门办结后才能确认解决。"))
    if rating is None or not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("请给出 1–5 分的满意度评价。")})
    now = _now(at)
    item.state, item.rating, item.closed_at = ItemState.SOLVED, int(rating), now
    _save(item, ["state", "rating", "closed_at"])
    _record(
        item,
        action=EventAction.SOLVED,
        actor=actor,
        at=now,
        from_state=ItemState.HANDLED,
        note=(note or "").strip(),
        rating=int(rating),
    )
    return item


@transaction.atomic
def item_reopen(*, actor: Any, item: TrackedItem, note: str, at: datetime.datetime | None = None) -> TrackedItem:
    """The alliance's leader sends a handled item back (已办结 → 重新办理), saying why."""
    item = _locked(item)
    if not is_leader_of(actor, item):
        raise PermissionDenied(_("只有该联盟的带头人可以要求重新办理。"))
    if item.state != ItemState.HANDLED:
        raise ValidationError(_("部门办结后才能要求重新办理。"))
    note = _note(note, _("请写明需要重新办理的原因。"))
    now = _now(at)
    item.state, item.handled_at, item.reopened_at = ItemState.REOPENED, None, now
    _save(item, ["state", "handled_at", "reopened_at"])
    _record(item, action=EventAction.REOPENED, actor=actor, at=now, from_state=ItemState.HANDLED, note=note)
    _tell(
        Event.ITEM_REOPENED,
        item,
        liaisons_of(item.assignee),
        _("督办事项需重新办理：%(title)s") % {"title": item.title},
        note,
        f"reopened:{_occurrence(item)}",
        at=now,
    )
    return item


# --------------------------------------------------------------------------- overdue


def item_escalate(*, item: TrackedItem, today: datetime.date, at: datetime.datetime | None = None) -> bool:
    """Escalate one overdue item (once per deadline): stamp it, record it, tell the
    department's liaisons it is overdue and the county's staff it is escalated."""
    with transaction.atomic():
        item = _locked(item)
        if not item.overdue_on(today) or item.escalated_at is not None:
            return False
        now = _now(at)
        item.escalated_at = now
        _save(item, ["escalated_at"])
        days = (today - item.deadline).days
        _record(
            item,
            action=EventAction.ESCALATED,
            actor=None,
            at=now,
            from_state=item.state,
            note=_("已超过办理期限 %(deadline)s（逾期 %(days)s 天），上报区县组织部门。")
            % {"deadline": date_format(item.deadline), "days": days},
        )
        occurrence = f"{item.deadline.isoformat()}:{_occurrence(item)}"
        _tell(
            Event.ITEM_OVERDUE,
            item,
            liaisons_of(item.assignee),
            _("督办事项已逾期：%(title)s（期限 %(deadline)s）")
            % {"title": item.title, "deadline": date_format(item.deadline)},
            _("请尽快办理并答复。"),
            f"overdue:{occurrence}",
            at=now,
        )
        _tell(
            Event.ITEM_ESCALATED,
            item,
            county_staff_of(item.alliance),
            _("督办事项逾期上报：%(department)s · %(title)s") % {"department": item.assignee.name, "title": item.title},
            _("办理期限 %(deadline)s，已逾期 %(days)s 天。") % {"deadline": date_format(item.deadline), "days": days},
            f"escalated:{occurrence}",
            at=now,
        )
    return True


def escalate_overdue(today: datetime.date | None = None) -> list[int]:
    """Escalate every item past its deadline and not escalated yet (the daily task)."""
    today = today or timezone.localdate()
    escalated = []
    due = (
        TrackedItem.objects.overdue(today).filter(escalated_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for pk in list(due):
        if item_escalate(item=TrackedItem(pk=pk), today=today):
            escalated.append(pk)
    return escalated
