"""Excel layout of the project list: what the list exports and the importer reads back.

A column with a ``field`` is read back on import; the others are there for the reader.
A project is identified by (alliance code, year, title).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.excel import BOOL, CHOICE, CODE, DATE, DATETIME, DECIMAL, INT, TEXT, Column

from .models import ProjectCategory, ProjectStatus, ReportStatus

PROJECT_SHEET = _("项目清单")
PROJECT_COLUMNS = (
    Column(_("联盟编号"), "alliance.code", CODE, field="alliance", width=16),
    Column(_("联盟名称"), "alliance.name", TEXT, width=30),
    Column(_("年度"), "year", INT, field="year"),
    Column(_("项目名称"), "title", TEXT, field="title", width=30),
    Column(_("项目类别"), "category", CHOICE, field="category", choices=ProjectCategory),
    Column(_("责任单位"), "responsible_organization.name", TEXT, field="responsible_organization", width=30),
    Column(
        _("责任单位区划代码"),
        "responsible_organization.region.code",
        CODE,
        field="responsible_organization_region",
        width=16,
    ),
    Column(_("责任人"), "responsible_person.name", TEXT, field="responsible_person"),
    Column(_("计划投资（元）"), "planned_investment", DECIMAL, field="planned_investment", width=16),
    Column(_("预计村集体增收（元）"), "expected_income_increase", DECIMAL, field="expected_income_increase", width=16),
    Column(_("受益户数"), "households_benefited", INT, field="households_benefited"),
    Column(_("带动就业人数"), "people_employed", INT, field="people_employed"),
    Column(_("涉及土地（亩）"), "land_mu", DECIMAL, field="land_mu"),
    Column(_("上级资金（元）"), "funds_higher_level", DECIMAL, field="funds_higher_level", width=16),
    Column(_("自筹资金（元）"), "funds_self_raised", DECIMAL, field="funds_self_raised", width=16),
    Column(_("共富基金（元）"), "funds_common_prosperity", DECIMAL, field="funds_common_prosperity", width=16),
    Column(_("社会资本（元）"), "funds_social_capital", DECIMAL, field="funds_social_capital", width=16),
    Column(_("开工日期"), "start_on", DATE, field="start_on", width=12),
    Column(_("计划完成日期"), "due_on", DATE, field="due_on", width=12),
    Column(_("状态"), "status", CHOICE, field="status", choices=ProjectStatus),
)

# The review queue's export (read by no importer): the reports the queue's filters show.
REPORT_SHEET = _("进度报告")
REPORT_COLUMNS = (
    Column(_("填报周"), "week_label", TEXT, width=24),
    Column(_("联盟编号"), "project.alliance.code", CODE, width=16),
    Column(_("联盟"), "project.alliance.name", TEXT, width=30),
    Column(_("项目"), "project.title", TEXT, width=30),
    Column(_("完成进度（%）"), "percent_complete", INT),
    Column(_("上次进度（%）"), "previous_percent", INT),
    Column(_("进度下降"), "percent_decreased", BOOL),
    Column(_("累计完成投资（元）"), "investment_to_date", DECIMAL, width=16),
    Column(_("本周完成情况"), "work_done", TEXT, width=40),
    Column(_("堵点难点"), "blockers", TEXT, width=40),
    Column(_("需要协调"), "needs_coordination", BOOL),
    Column(_("协调事项"), "coordination_request", TEXT, width=40),
    Column(_("附件数"), "attachment_count", INT),
    Column(_("状态"), "status", CHOICE, choices=ReportStatus),
    Column(_("第几次提交"), "revision", INT),
    Column(_("提交时间"), "submitted_at", DATETIME, width=18),
    Column(_("审核意见"), "review_comment", TEXT, width=40),
)
