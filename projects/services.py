"""Every write to projects, milestones and progress reports, with its business rules.

Who writes what:
- county, township and city staff whose region covers the alliance (``require_write``)
  create and edit projects and milestones, change a project's status and review reports
  (accept, or return with a comment);
- the alliance leader (scope role ``alliance_leader``, project visible to them) submits
  the weekly progress report of their alliances' projects and resubmits returned ones;
- read-only viewers never write.
Pages, the API, the admin and seed_demo all go through these functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import AllianceStatus, Membership, TeamRole
from alliances.services import team_user_ids
from core.constraints import validated_save
from core.uploads import CleanFile, clean_uploads
from members.access import Role, require_write, scope_for
from members.services import apply_changes
from notices.models import Event
from notices.services import notify

from .models import (
    ACTIVE_STATUSES,
    CONTENT_FIELDS,
    STATUS_TRANSITIONS,
    Milestone,
    ProgressReport,
    ProgressReportRevision,
    Project,
    ProjectStatus,
    ReportAttachment,
    ReportStatus,
)
from .weeks import current_week, local_today, week_label, week_start

MAX_FILES_PER_SUBMISSION = 9

# The fields of a project's list entry staff may set, in the order forms show them.
PROJECT_FIELDS = (
    "year",
    "title",
    "category",
    "description",
    "responsible_organization",
    "responsible_person",
    "planned_investment",
    "expected_income_increase",
    "households_benefited",
    "people_employed",
    "land_mu",
    "funds_higher_level",
    "funds_self_raised",
    "funds_common_prosperity",
    "funds_social_capital",
    "start_on",
    "due_on",
)
INITIAL_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS)
MILESTONE_FIELDS = {"title", "due_on", "done_on"}
REPORT_FIELDS = set(CONTENT_FIELDS)


# --------------------------------------------------------------------------- permissions


def require_staff(actor: Any, project: Project) -> None:
    """Staff whose region covers the project's alliance (viewers and leaders never)."""
    require_write(actor, project.alliance.lead_region)


def require_leader(actor: Any, project: Project) -> None:
    """The leader of the project's alliance (or a superuser) may report on it."""
    scope = scope_for(actor)
    if scope.kind != "all" and scope.role != Role.ALLIANCE_LEADER:
        raise PermissionDenied(_("只有联盟带头人可以填报项目进度。"))
    if not Project.objects.visible_to(actor).filter(pk=project.pk).exists():
        raise PermissionDenied(_("您不是该项目所属联盟的带头人。"))


# --------------------------------------------------------------------------- projects


def check_version(project: Project, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != project.version:
        raise ValidationError({"version": _("其他人已修改了该项目，请刷新页面后重新编辑。")})


def check_responsible(project: Project) -> None:
    """领单: the responsible organization is a current member of the alliance; the
    responsible person works in a current member organization or sits on its team."""
    errors: dict[str, str] = {}
    members = Membership.objects.filter(alliance_id=project.alliance_id, left_on__isnull=True)
    if (
        project.responsible_organization_id
        and not members.filter(organization_id=project.responsible_organization_id).exists()
    ):
        errors["responsible_organization"] = _("责任单位必须是本联盟的在册成员单位。")
    person = project.responsible_person
    if person is not None:
        in_member = person.organization_id is not None and members.filter(organization_id=person.organization_id)
        on_team = TeamRole.objects.filter(alliance_id=project.alliance_id, person=person, ended_on__isnull=True)
        if not ((in_member and in_member.exists()) or on_team.exists()):
            errors["responsible_person"] = _("责任人必须来自本联盟的成员单位或工作团队。")
    if errors:
        raise ValidationError(errors)


def full_check(project: Project) -> None:
    """Every field error at once (model validation and the responsibility rule)."""
    errors: dict[str, list] = {}
    try:
        project.full_clean()
    except ValidationError as error:
        errors |= error.message_dict
    try:
        check_responsible(project)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(*, actor: Any, alliance: Any, status: str = ProjectStatus.PLANNED, **fields: Any) -> Project:
    project = Project(alliance=alliance)
    apply_changes(project, fields, set(PROJECT_FIELDS))
    require_staff(actor, project)
    if alliance.status == AllianceStatus.DISSOLVED:
        raise ValidationError({"alliance": _("联盟已撤销，不能再添加项目。")})
    if status not in INITIAL_STATUSES:
        raise ValidationError({"status": _("新项目的状态只能是“计划中”或“推进中”。")})
    project.status = status
    full_check(project)
    return validated_save(project)


def lock_project(project: Project, expected_version: int | None) -> Project:
    """The project row, locked until the transaction ends and re-read, at the expected version."""
    locked = Project.objects.select_for_update().select_related("alliance__lead_region").get(pk=project.pk)
    check_version(locked, expected_version)
    return locked


@transaction.atomic
def project_update(*, actor: Any, project: Project, expected_version: int | None = None, **fields: Any) -> Project:
    """Change a project's list entry. Pass the version the editor started from: an edit
    made while someone else saved a change is refused, naming ``version``."""
    require_staff(actor, project)
    project = lock_project(project, expected_version)
    apply_changes(project, fields, set(PROJECT_FIELDS))
    project.version += 1
    full_check(project)
    return validated_save(project)


@transaction.atomic
def project_change_status(
    *,
    actor: Any,
    project: Project,
    status: str,
    expected_version: int | None = None,
    on: datetime.date | None = None,
) -> Project:
    """Move a project along an allowed transition (completed and cancelled are final);
    a project is completed only when every milestone is done. Completing or cancelling
    records the day it happened (``on``, today unless told; never later than today)."""
    require_staff(actor, project)
    project = lock_project(project, expected_version)
    if status not in ProjectStatus.values:
        raise ValidationError({"status": _("未知的项目状态。")})
    if status not in STATUS_TRANSITIONS[ProjectStatus(project.status)]:
        raise ValidationError(
            {
                "status": _("项目状态不能从“%(old)s”改为“%(new)s”。")
                % {"old": ProjectStatus(project.status).label, "new": ProjectStatus(status).label}
            }
        )
    if status == ProjectStatus.COMPLETED:
        open_titles = list(project.milestones.filter(done_on__isnull=True).values_list("title", flat=True))
        if open_titles:
            raise ValidationError(
                {"status": _("以下节点尚未完成，项目不能办结：%(titles)s") % {"titles": "、".join(open_titles)}}
            )
    on = on or local_today()
    if on > local_today():
        raise ValidationError({"status": _("日期不能晚于今天。")})
    if status == ProjectStatus.COMPLETED:
        project.completed_on = on
    elif status == ProjectStatus.CANCELLED:
        project.cancelled_on = on
    project.status = status
    project.version += 1
    return validated_save(project)


# --------------------------------------------------------------------------- milestones


def check_milestone(milestone: Milestone, today: datetime.date) -> None:
    project = milestone.project
    errors = {}
    if project.status not in (ProjectStatus.PLANNED, *ACTIVE_STATUSES):
        errors["project"] = _("项目已办结或取消，不能再调整节点。")
    if milestone.due_on and not (project.start_on <= milestone.due_on <= project.due_on):
        errors["due_on"] = _("节点日期应在项目开工日期（%(start)s）与计划完成日期（%(due)s）之间。") % {
            "start": project.start_on,
            "due": project.due_on,
        }
    if milestone.done_on and milestone.done_on > today:
        errors["done_on"] = _("实际完成日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_create(
    *,
    actor: Any,
    project: Project,
    title: str,
    due_on: datetime.date,
    done_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Milestone:
    require_staff(actor, project)
    milestone = Milestone(project=project, title=title, due_on=due_on, done_on=done_on)
    check_milestone(milestone, today or local_today())
    return validated_save(milestone)


@transaction.atomic
def milestone_update(
    *, actor: Any, milestone: Milestone, today: datetime.date | None = None, **fields: Any
) -> Milestone:
    require_staff(actor, milestone.project)
    apply_changes(milestone, fields, MILESTONE_FIELDS)
    check_milestone(milestone, today or local_today())
    return validated_save(milestone)


# --------------------------------------------------------------------------- progress reports


def check_content(report: ProgressReport) -> None:
    errors: dict[str, list] = {}
    try:
        report.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors |= error.message_dict
    if errors:
        raise ValidationError(errors)


def attach(report: ProgressReport, files: Iterable[CleanFile]) -> None:
    for cleaned in files:
        attachment = ReportAttachment(
            report=report,
            kind=cleaned.kind,
            content_type=cleaned.content_type,
            original_name=cleaned.original_name,
            size=cleaned.size,
            revision=report.revision,
        )
        attachment.file.save(cleaned.name, cleaned.content, save=False)
        validated_save(attachment)


@transaction.atomic
def report_submit(
    *,
    actor: Any,
    project: Project,
    period: datetime.date,
    percent_complete: int,
    work_done: str,
    investment_to_date: Decimal | int = Decimal("0"),
    blockers: str = "",
    needs_coordination: bool = False,
    coordination_request: str = "",
    attachments: list[Any] | None = None,
    now: datetime.datetime | None = None,
) -> ProgressReport:
    """The leader's report for one ISO week (any day of it; stored as its Monday).

    One report per project and week: the project row is locked while the week is checked,
    and the database's unique constraint catches whatever gets past, so two simultaneous
    submissions end with one report and a ValidationError for the other.
    """
    require_leader(actor, project)
    now = now or timezone.now()
    files = clean_uploads(attachments, limit=MAX_FILES_PER_SUBMISSION)
    project = Project.objects.select_for_update().get(pk=project.pk)
    errors = {}
    if project.status not in ACTIVE_STATUSES:
        errors["project"] = _("项目当前状态为“%(status)s”，只有推进中或延期的项目填报进度。") % {
            "status": project.get_status_display()
        }
    if period is None:
        raise ValidationError({"period": _("请选择填报周。")})
    period = week_start(period)
    this_week = current_week(local_today(now))
    if period > this_week:
        errors["period"] = _("不能填报未来的周（本周是 %(week)s）。") % {"week": week_label(this_week)}
    elif period < week_start(project.start_on):
        errors["period"] = _("项目 %(start)s 开工，不能填报开工之前的周。") % {"start": project.start_on}
    elif ProgressReport.objects.filter(project=project, period=period).exists():
        errors["period"] = _("该项目 %(week)s 已有进度报告，不能重复填报。") % {"week": week_label(period)}
    report = ProgressReport(
        project=project,
        period=period,
        percent_complete=percent_complete,
        investment_to_date=investment_to_date,
        work_done=work_done,
        blockers=blockers,
        needs_coordination=needs_coordination,
        coordination_request=coordination_request,
        submitted_by=actor,
        submitted_at=now,
    )
    try:
        check_content(report)
    except ValidationError as error:
        errors = error.message_dict | errors
    if errors:
        raise ValidationError(errors)
    try:
        validated_save(report)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from error
    attach(report, files)
    return report


@transaction.atomic
def report_resubmit(
    *,
    actor: Any,
    report: ProgressReport,
    attachments: list[Any] | None = None,
    now: datetime.datetime | None = None,
    **fields: Any,
) -> ProgressReport:
    """Correct a returned report and send it again. The returned version stays on record
    (a ProgressReportRevision written when it was returned); new files join the old ones."""
    require_leader(actor, report.project)
    files = clean_uploads(attachments, limit=MAX_FILES_PER_SUBMISSION)
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    if report.status != ReportStatus.RETURNED:
        raise ValidationError(_("只有被退回的报告可以修改后重新提交。"))
    apply_changes(report, fields, REPORT_FIELDS)
    report.revision += 1
    report.status = ReportStatus.SUBMITTED
    report.submitted_by = actor
    report.submitted_at = now or timezone.now()
    report.reviewed_by = None
    report.reviewed_at = None
    report.review_comment = ""
    check_content(report)
    validated_save(report)
    attach(report, files)
    return report


@transaction.atomic
def report_amend(
    *,
    actor: Any,
    report: ProgressReport,
    attachments: list[Any] | None = None,
    remove: list[Any] = (),
    now: datetime.datetime | None = None,
    **fields: Any,
) -> ProgressReport:
    """Amend a report still waiting for review (the leader saw a mistake before staff did).

    It stays the same submission, still waiting: same version number, no revision on
    record (nobody reviewed the first text); new files join the old ones, and ``remove``
    takes back files sent with this submission (a wrong photo): nobody has reviewed them,
    so they go, row and file. Files of an earlier, reviewed version stay on record. A
    report already reviewed is refused: a returned one is corrected through
    report_resubmit, an accepted one no longer changes.
    """
    require_leader(actor, report.project)
    files = clean_uploads(attachments, limit=MAX_FILES_PER_SUBMISSION)
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(
            _("该报告已审核（%(status)s），不能再作为待审核的报告修改。") % {"status": report.get_status_display()}
        )
    wanted = {getattr(item, "pk", item) for item in remove}
    doomed = list(report.attachments.filter(pk__in=wanted, revision=report.revision))
    if len(doomed) != len(wanted):
        raise ValidationError({"remove_attachments": _("只能删除本次提交、尚未审核的附件。")})
    apply_changes(report, fields, REPORT_FIELDS)
    report.submitted_by = actor
    report.submitted_at = now or timezone.now()
    check_content(report)
    validated_save(report)
    for attachment in doomed:
        name, storage = attachment.file.name, attachment.file.storage
        attachment.delete()
        transaction.on_commit(partial(storage.delete, name))
    attach(report, files)
    return report


def previous_percent(report: ProgressReport) -> int | None:
    return ProgressReport.objects.with_previous_percent().values_list("previous_percent", flat=True).get(pk=report.pk)


@transaction.atomic
def report_review(
    *,
    actor: Any,
    report: ProgressReport,
    decision: str,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> ProgressReport:
    """Accept a submitted report, or return it with a comment saying what to fix.

    Percent complete may go down from the previous report only when the reviewer notes
    why (a comment is then required to accept). The reviewed version is kept as an
    immutable ProgressReportRevision.
    """
    require_staff(actor, report.project)
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    comment = (comment or "").strip()
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError({"decision": _("该报告已审核（%(status)s）。") % {"status": report.get_status_display()}})
    if decision not in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
        raise ValidationError({"decision": _("请选择“通过”或“退回”。")})
    if decision == ReportStatus.RETURNED and not comment:
        raise ValidationError({"comment": _("退回时请写明需要修改的内容。")})
    previous = previous_percent(report)
    if (
        decision == ReportStatus.ACCEPTED
        and previous is not None
        and report.percent_complete < previous
        and not comment
    ):
        raise ValidationError(
            {
                "comment": _("完成进度从上期的 %(old)s%% 降到 %(new)s%%，通过前请说明原因。")
                % {"old": previous, "new": report.percent_complete}
            }
        )
    now = now or timezone.now()
    revision = validated_save(
        ProgressReportRevision.of(
            report,
            decision=decision,
            review_comment=comment,
            reviewed_by_id=actor.pk,
            reviewed_at=now,
            attachment_names=list(report.attachments.values_list("original_name", flat=True)),
        )
    )
    report.status = decision
    report.review_comment = comment
    report.reviewed_by = actor
    report.reviewed_at = now
    report = validated_save(report)
    if decision == ReportStatus.RETURNED:
        notify_report_returned(report, revision)
    return report


def notify_report_returned(report: ProgressReport, revision: ProgressReportRevision) -> None:
    """Tell the alliance's leader and instructor, and whoever submitted the report, what to
    correct; the notice is dated when the report was returned."""
    project = Project.objects.select_related("alliance__lead_region").get(pk=report.project_id)
    recipients = set(team_user_ids([project.alliance_id]))
    if report.submitted_by_id:
        recipients.add(report.submitted_by_id)
    notify(
        event=Event.REPORT_RETURNED,
        recipients=recipients,
        key=f"report-{report.pk}-revision-{revision.pk}",
        title=_("%(project)s %(week)s的进度报告被退回，请修改后重新提交。")
        % {"project": project.title, "week": report.week_label},
        body=report.review_comment,
        link=report.get_absolute_url(),
        region=project.alliance.lead_region,
        at=revision.reviewed_at,
    )


def report_accept(*, actor: Any, report: ProgressReport, comment: str = "") -> ProgressReport:
    return report_review(actor=actor, report=report, decision=ReportStatus.ACCEPTED, comment=comment)


def report_return(*, actor: Any, report: ProgressReport, comment: str) -> ProgressReport:
    return report_review(actor=actor, report=report, decision=ReportStatus.RETURNED, comment=comment)


def reports_accept(
    *, actor: Any, reports: Iterable[ProgressReport]
) -> tuple[list[ProgressReport], list[tuple[ProgressReport, str]]]:
    """Accept several submitted reports at once (the review queue's 通过所选), each exactly as
    :func:`report_review` accepts one, with its own revision. A report that one accept
    without a comment would refuse (already reviewed, or its progress went down and needs
    a reason) is left as it is and returned with the reason; the others are accepted.
    Refused for anyone who may not review (nothing changes)."""
    reports = list(reports)
    for report in reports:
        require_staff(actor, report.project)
    accepted: list[ProgressReport] = []
    skipped: list[tuple[ProgressReport, str]] = []
    for report in reports:
        try:
            with transaction.atomic():
                accepted.append(report_accept(actor=actor, report=report))
        except ValidationError as error:
            skipped.append((report, " ".join(error.messages)))
    return accepted, skipped
