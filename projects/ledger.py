"""The project ledger (项目台账): the sheet county officers circulate every week.

One row per project with where it stands: its owner and dates, status and percent
complete, the investment target and the money spent to date (yuan), and the content of
its latest report: the week's work, the blockers (堵点), the coordination request and
what became of it, the week reported and the review. Every figure comes from the list
query itself (correlated subqueries on the (project, week) index), so the export runs the
same few queries for 10 projects or 10,000, and its rows are streamed in chunks.
"""

from __future__ import annotations

from django.db.models import BooleanField, CharField, DateField, OuterRef, Subquery, TextField
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.excel import BOOL, CHOICE, CODE, DATE, DECIMAL, INT, TEXT, Column

from .models import ProgressReport, ProjectCategory, ProjectQuerySet, ProjectStatus, ReportStatus
from .weeks import week_label

LEDGER_SHEET = _("项目台账")
LEDGER_FILENAME = "project-ledger"

# What each project's latest report says, read into the project row: (annotation, field, type).
LATEST_REPORT_FIELDS = (
    ("latest_work_done", "work_done", TextField()),
    ("latest_blockers", "blockers", TextField()),
    ("latest_needs_coordination", "needs_coordination", BooleanField()),
    ("latest_coordination_request", "coordination_request", TextField()),
    ("latest_status", "status", CharField()),
    ("latest_review_comment", "review_comment", TextField()),
    # The tracked item (督办事项) the request became, through the reverse relation the
    # tracking app (above this one) declares: its state, department and deadline.
    ("latest_item_state", "tracked_items__state", CharField()),
    ("latest_item_department", "tracked_items__assignee__name", CharField()),
    ("latest_item_deadline", "tracked_items__deadline", DateField()),
)


def ledger_rows(queryset: ProjectQuerySet) -> ProjectQuerySet:
    """The list's projects (already filtered and ordered, with ``for_lists``' annotations)
    with the ledger's money to date and latest-report columns."""
    latest = ProgressReport.objects.filter(project=OuterRef("pk")).order_by("-period")
    return queryset.with_investment_to_date().annotate(
        **{
            name: Subquery(latest.values(field)[:1], output_field=output)
            for name, field, output in LATEST_REPORT_FIELDS
        }
    )


def _item_state_labels() -> dict[str, str]:
    item = ProgressReport._meta.get_field("tracked_items").related_model
    return {value: str(label) for value, label in item._meta.get_field("state").choices}


def _coordination_state(project) -> str:
    """What became of the latest report's coordination request: the tracked item it
    became (督办事项: department, state, deadline), else the review of the report (its
    comment is in 审核意见)."""
    if not project.latest_needs_coordination:
        return ""
    if project.latest_item_state:
        state = _item_state_labels().get(project.latest_item_state, project.latest_item_state)
        if not project.latest_item_department:
            return gettext("督办事项 · %(state)s") % {"state": state}
        return gettext("督办事项 · %(department)s · %(state)s（期限 %(deadline)s）") % {
            "department": project.latest_item_department,
            "state": state,
            "deadline": project.latest_item_deadline.isoformat(),
        }
    return {
        ReportStatus.SUBMITTED: gettext("待审核"),
        ReportStatus.ACCEPTED: gettext("已审核"),
        ReportStatus.RETURNED: gettext("已退回"),
    }.get(project.latest_status, "")


def _last_week(project) -> str | None:
    return week_label(project.last_period) if project.last_period else None


LEDGER_COLUMNS = (
    Column(_("联盟编号"), "alliance.code", CODE, width=16),
    Column(_("联盟名称"), "alliance.name", TEXT, width=24),
    Column(_("年度"), "year", INT),
    Column(_("项目名称"), "title", TEXT, width=30),
    Column(_("项目类别"), "category", CHOICE, choices=ProjectCategory),
    Column(_("责任单位"), "responsible_organization.name", TEXT, width=24),
    Column(_("责任人"), "responsible_person.name", TEXT),
    Column(_("开工日期"), "start_on", DATE, width=12),
    Column(_("计划完成日期"), "due_on", DATE, width=12),
    Column(_("状态"), "status", CHOICE, choices=ProjectStatus),
    Column(_("逾期"), "is_late", BOOL),
    Column(_("完成进度（%）"), "percent_complete", INT),
    Column(_("计划投资（元）"), "planned_investment", DECIMAL, width=16),
    Column(_("累计完成投资（元）"), "spent", DECIMAL, width=16),
    Column(_("本周工作（最近一次填报）"), "latest_work_done", TEXT, width=40),
    Column(_("堵点难点"), "latest_blockers", TEXT, width=30),
    Column(_("需要协调"), "latest_needs_coordination", BOOL),
    Column(_("协调事项"), "latest_coordination_request", TEXT, width=30),
    Column(_("协调状态"), _coordination_state, TEXT),
    Column(_("最近填报周"), _last_week, TEXT, width=24),
    Column(_("审核状态"), "latest_status", CHOICE, choices=ReportStatus),
    Column(_("审核意见"), "latest_review_comment", TEXT, width=30),
)
