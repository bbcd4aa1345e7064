"""Every write to workshops and their monthly reports, with its business rules.

Workshops are kept by staff of the region they sit in. Monthly figures are filed by staff
whose region covers the workshop, by the leader of the workshop's alliance and by the
workshop's steward (助富管家) when that person has an account.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alliances.models import Alliance
from core.constraints import validated_save
from members.access import STAFF_ROLES, Role, require_write, scope_for
from members.models import MemberOrganization, Person, Region
from members.services import apply_changes

from .models import CHECKLIST_FIELDS, FIGURE_FIELDS, ClosedMonth, Workshop, WorkshopReport
from .months import first_of_month, format_month

WORKSHOP_FIELDS = {
    "name",
    "type",
    "alliance",
    "host",
    "region",
    "partner_enterprise",
    "steward",
    "opened_on",
    "status",
    "description",
    *CHECKLIST_FIELDS,
}
# Related rows a workshop points at: the actor must be able to see each one they choose.
SCOPED_RELATIONS: dict[str, type[models.Model]] = {
    "alliance": Alliance,
    "host": MemberOrganization,
    "steward": Person,
}
REPORT_FIGURES = {*FIGURE_FIELDS, "notes"}
REPORTER_ROLES = STAFF_ROLES | {Role.ALLIANCE_LEADER, Role.WORKSHOP_STEWARD}
ONE_PER_MONTH = next(c for c in WorkshopReport._meta.constraints if c.name == "workshopreport_one_per_month")


# --------------------------------------------------------------------------- workshops


def _require_workshop_write(actor: Any, workshop: Workshop) -> None:
    if workshop.region_id is None:  # full_clean() will name the missing region
        if not scope_for(actor).can_write:
            raise PermissionDenied(_("您没有权限修改该区域的数据。"))
        return
    require_write(actor, workshop.region)


def _require_visible_relations(actor: Any, fields: dict[str, Any]) -> None:
    errors = {}
    for name, model in SCOPED_RELATIONS.items():
        value = fields.get(name)
        if value is not None and not model.objects.visible_to(actor).filter(pk=value.pk).exists():
            errors[name] = _("所选对象不存在或不在您的管辖范围内。")
    if errors:
        raise ValidationError(errors)


def workshop_create(*, actor: Any, **fields: Any) -> Workshop:
    workshop = Workshop()
    apply_changes(workshop, fields, WORKSHOP_FIELDS)
    _require_workshop_write(actor, workshop)
    _require_visible_relations(actor, fields)
    return validated_save(workshop, actor=actor)


@transaction.atomic
def workshop_update(*, actor: Any, workshop: Workshop, **fields: Any) -> Workshop:
    _require_workshop_write(actor, workshop)
    apply_changes(workshop, fields, WORKSHOP_FIELDS)
    _require_workshop_write(actor, workshop)
    _require_visible_relations(actor, fields)
    return validated_save(workshop, actor=actor)


# --------------------------------------------------------------------------- monthly reports


def can_report(actor: Any, workshop: Workshop) -> bool:
    """May this user file and correct the workshop's monthly figures?"""
    scope = scope_for(actor)
    if scope.kind != "all" and scope.role not in REPORTER_ROLES:
        return False
    return Workshop.objects.visible_to(actor).filter(pk=workshop.pk).exists()


def require_reporter(actor: Any, workshop: Workshop) -> None:
    if not can_report(actor, workshop):
        raise PermissionDenied(_("您没有权限填报该工坊的月度数据。"))


def months_closed_to(actor: Any, workshop: Workshop) -> set[datetime.date]:
    """The months whose figures of the workshop are closed to the user: once a month's
    bulletin is published for the workshop's region or a region above it, only county and
    city staff may file or correct them (and re-issue the bulletin). A few rows a year."""
    if scope_for(actor).publishes:
        return set()
    return set(ClosedMonth.objects.covering(workshop.region).values_list("month", flat=True))


def is_closed_to(actor: Any, workshop: Workshop, month: datetime.date | None) -> bool:
    return month is not None and month in months_closed_to(actor, workshop)


def closed_message(month: datetime.date) -> str:
    return _("%(month)s的数据已随月通报发布，不能再填报或修改；如需更正，请联系县（市、区）委组织部。") % {
        "month": date_format(month, "YEAR_MONTH_FORMAT")
    }


def filed_message(actor: Any, workshop: Workshop, month: datetime.date) -> str:
    """What a second report for a filed month is told: to correct the filed one, or, once
    the month is closed to the user (its bulletin published), that only the county's
    organization department corrects it now (:func:`months_closed_to`)."""
    values = {"month": date_format(month, "YEAR_MONTH_FORMAT")}
    if is_closed_to(actor, workshop, month):
        return (
            _("该工坊%(month)s的报表已填报，并已随月通报发布，不能再修改；如需更正，请联系县（市、区）委组织部。")
            % values
        )
    return _("该工坊%(month)s的报表已填报，请修改已有报表。") % values


def close_month(*, actor: Any, region: Region, month: datetime.date) -> ClosedMonth:
    """Close a month's workshop figures in the region (its monthly bulletin is published);
    closing it again keeps the first closing."""
    closing, _created = ClosedMonth.objects.get_or_create(
        region=region,
        month=first_of_month(month),
        defaults={"closed_at": timezone.now(), "closed_by": actor if getattr(actor, "pk", None) else None},
    )
    return closing


def _closed_error(actor: Any, workshop: Workshop, month: datetime.date | None) -> list[str]:
    return [closed_message(month)] if is_closed_to(actor, workshop, month) else []


def _month_errors(workshop: Workshop, month: datetime.date | None) -> list[str]:
    if month is None:
        return []
    errors = []
    current = first_of_month(timezone.localdate())
    if month > current:
        errors.append(_("不能填报 %(month)s 之后的月份。") % {"month": format_month(current)})
    if workshop.opened_on and month < first_of_month(workshop.opened_on):
        errors.append(_("工坊于 %(date)s 开办，不能填报更早的月份。") % {"date": date_format(workshop.opened_on)})
    return errors


def _save_report(report: WorkshopReport, extra_errors: dict[str, list[str]], *, actor: Any) -> WorkshopReport:
    """Report every problem at once (the model's checks and the rules above), then save."""
    errors = {field: list(messages) for field, messages in extra_errors.items() if messages}
    try:
        report.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return validated_save(report, actor=actor)


def workshop_report_create(
    *,
    actor: Any,
    workshop: Workshop,
    month: datetime.date,
    employed: int,
    low_income_employed: int,
    wages_paid: Decimal,
    income_increase_per_person: Decimal,
    sales: Decimal,
    notes: str = "",
) -> WorkshopReport:
    """File one month's figures. A second report for the same month is refused (on ``month``)."""
    require_reporter(actor, workshop)
    report = WorkshopReport(
        workshop=workshop,
        month=month,
        employed=employed,
        low_income_employed=low_income_employed,
        wages_paid=wages_paid,
        income_increase_per_person=income_increase_per_person,
        sales=sales,
        notes=notes,
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        return _save_report(
            report, {"month": _month_errors(workshop, month) + _closed_error(actor, workshop, month)}, actor=actor
        )
    except ValidationError as error:
        told = _filed_month_told(error, actor, workshop, month)
        if told is error:
            raise
        raise told from error


def _filed_month_told(error: ValidationError, actor: Any, workshop: Workshop, month: datetime.date) -> ValidationError:
    """A second report for a filed month is told what is true for that month
    (:func:`filed_message`) instead of the one-per-month constraint's general message,
    whether ``full_clean()`` or the database (two requests racing) refused it; the month's
    closing, which that message says too, is not said twice."""
    general = str(ONE_PER_MONTH.get_violation_error_message())
    if not hasattr(error, "error_dict") or general not in error.message_dict.get("month", []):
        return error
    errors = error.message_dict
    told = filed_message(actor, workshop, month)
    errors["month"] = [
        told if message == general else message for message in errors["month"] if message != closed_message(month)
    ]
    return ValidationError(errors)


@transaction.atomic
def workshop_report_update(*, actor: Any, report: WorkshopReport, **fields: Any) -> WorkshopReport:
    """Correct a filed month's figures (the workshop and the month stay as they are)."""
    require_reporter(actor, report.workshop)
    apply_changes(report, fields, REPORT_FIGURES)
    report.submitted_by = actor if getattr(actor, "pk", None) else None
    return _save_report(report, {NON_FIELD_ERRORS: _closed_error(actor, report.workshop, report.month)}, actor=actor)
