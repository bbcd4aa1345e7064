"""Excel layouts of alliances and their memberships: the list's export and the import layout.

A column with a ``field`` is read back on import; the others are there for the reader.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.excel import BOOL, CHOICE, CODE, DATE, DECIMAL, INT, TEXT, Column

from .models import (
    ActivityKind,
    AllianceScope,
    AllianceStatus,
    ClaimStatus,
    FormationMode,
    ListStatus,
    MeetingKind,
    MembershipRole,
    NeedCategory,
    PlatformKind,
    PlatformOwnership,
    ResourceCategory,
)

ALLIANCE_SHEET = _("党建联盟")
ALLIANCE_COLUMNS = (
    Column(_("联盟编号"), "code", CODE, field="code", width=16),
    Column(_("联盟名称"), "name", TEXT, field="name", width=30),
    Column(_("牵头区域代码"), "lead_region.code", CODE, field="lead_region", width=16),
    Column(_("牵头区域"), "lead_region.name", TEXT, width=16),
    Column(_("组建模式"), "formation_mode", CHOICE, field="formation_mode", choices=FormationMode),
    Column(_("其他模式名称"), "formation_mode_other", TEXT, field="formation_mode_other"),
    Column(_("联建范围"), "scope", CHOICE, field="scope", choices=AllianceScope),
    Column(_("状态"), "status", CHOICE, field="status", choices=AllianceStatus),
    Column(_("示范性联盟"), "is_demonstration", BOOL, field="is_demonstration"),
    Column(_("认定年份"), "demonstration_year", INT, field="demonstration_year"),
    Column(_("成立日期"), "founded_on", DATE, field="founded_on", width=12),
    Column(_("成员数"), "member_count", INT),
    Column(_("带头人"), "leader_name", TEXT),
)

MEMBERSHIP_SHEET = _("联盟成员")
MEMBERSHIP_COLUMNS = (
    Column(_("联盟编号"), "alliance.code", CODE, field="alliance", width=16),
    Column(_("联盟名称"), "alliance.name", TEXT, width=30),
    Column(_("区划代码"), "organization.region.code", CODE, field="organization_region", width=16),
    Column(_("成员单位"), "organization.name", TEXT, field="organization", width=30),
    Column(_("角色"), "role", CHOICE, field="role", choices=MembershipRole),
    Column(_("加入日期"), "joined_on", DATE, field="joined_on", width=12),
    Column(_("退出日期"), "left_on", DATE, field="left_on", width=12),
)


# ----------------------------------------------------------------- operations lists
# Exports only (no importer reads them back): the columns each list page shows, and the
# text behind its links and truncations.

MEETING_COLUMNS = (
    Column(_("召开日期"), "held_on", DATE, width=12),
    Column(_("会议类型"), "kind", CHOICE, choices=MeetingKind),
    Column(_("联盟编号"), "alliance.code", CODE, width=16),
    Column(_("联盟"), "alliance.name", TEXT, width=30),
    Column(_("地点"), "place", TEXT, width=20),
    Column(_("议题"), "topics", TEXT, width=40),
    Column(_("议定事项"), "decisions", TEXT, width=40),
    Column(_("参会单位"), "organization_count", INT),
    Column(_("照片"), "photo_count", INT),
)

ACTIVITY_COLUMNS = (
    Column(_("活动日期"), "held_on", DATE, width=12),
    Column(_("活动名称"), "title", TEXT, width=30),
    Column(_("活动类型"), "kind", CHOICE, choices=ActivityKind),
    Column(_("联盟编号"), "alliance.code", CODE, width=16),
    Column(_("联盟"), "alliance.name", TEXT, width=30),
    Column(_("地点"), "place", TEXT, width=20),
    Column(_("参与人次"), "participant_count", INT),
    Column(_("参与单位"), "organization_count", INT),
    Column(_("照片"), "photo_count", INT),
    Column(_("活动简介"), "summary", TEXT, width=40),
)


def _mentorship_state(mentorship) -> str:
    return gettext("帮带中") if mentorship.is_current else gettext("已结束")


MENTORSHIP_COLUMNS = (
    Column(_("导师"), "mentor.name", TEXT),
    Column(_("导师单位"), "mentor.organization.name", TEXT, width=30),
    Column(_("导师称号"), "mentor_title", TEXT),
    Column(_("徒弟"), "apprentice.name", TEXT),
    Column(_("徒弟单位"), "apprentice.organization.name", TEXT, width=30),
    Column(_("联盟编号"), "alliance.code", CODE, width=16),
    Column(_("联盟"), "alliance.name", TEXT, width=30),
    Column(_("结对日期"), "started_on", DATE, width=12),
    Column(_("结束日期"), "ended_on", DATE, width=12),
    Column(_("状态"), _mentorship_state, TEXT),
    Column(_("帮带目标"), "goals", TEXT, width=40),
)

PLATFORM_COLUMNS = (
    Column(_("平台名称"), "name", TEXT, width=30),
    Column(_("平台类型"), "kind", CHOICE, choices=PlatformKind),
    Column(_("组建方式"), "ownership", CHOICE, choices=PlatformOwnership),
    Column(_("主办联盟编号"), "alliance.code", CODE, width=16),
    Column(_("主办联盟"), "alliance.name", TEXT, width=30),
    Column(_("成立日期"), "established_on", DATE, width=12),
    Column(_("注册资本（元）"), "registered_capital", DECIMAL, width=16),
    Column(_("年营业收入（元）"), "annual_revenue", DECIMAL, width=16),
    Column(_("营业收入年度"), "revenue_year", INT),
    Column(_("股东数"), "shareholder_count", INT),
    Column(_("持股合计（%）"), "share_total", DECIMAL),
)

NEED_COLUMNS = (
    Column(_("标题"), "title", TEXT, width=30),
    Column(_("需求类别"), "category", CHOICE, choices=NeedCategory),
    Column(_("全域公开"), "open_to_all", BOOL),
    Column(_("发布联盟编号"), "alliance.code", CODE, width=16),
    Column(_("发布联盟"), "alliance.name", TEXT, width=30),
    Column(_("牵头区域"), "alliance.lead_region.name", TEXT, width=16),
    Column(_("发布日期"), "posted_on", DATE, width=12),
    Column(_("状态"), "status", CHOICE, choices=ListStatus),
    Column(_("详细说明"), "description", TEXT, width=40),
)

RESOURCE_COLUMNS = (
    Column(_("标题"), "title", TEXT, width=30),
    Column(_("资源类别"), "category", CHOICE, choices=ResourceCategory),
    Column(_("数量"), "quantity", DECIMAL),
    Column(_("单位"), "unit", TEXT),
    Column(_("发布联盟编号"), "alliance.code", CODE, width=16),
    Column(_("发布联盟"), "alliance.name", TEXT, width=30),
    Column(_("发布日期"), "posted_on", DATE, width=12),
    Column(_("状态"), "status", CHOICE, choices=ListStatus),
    Column(_("详细说明"), "description", TEXT, width=40),
)


def _claim_kind(claim) -> str:
    return gettext("需求") if claim.need_id else gettext("资源")


CLAIM_COLUMNS = (
    Column(_("认领对象类型"), _claim_kind, TEXT),
    Column(_("认领对象"), "target.title", TEXT, width=30),
    Column(_("发布联盟"), "target.alliance.name", TEXT, width=30),
    Column(_("认领方"), "claimant.name", TEXT, width=30),
    Column(_("认领日期"), "claimed_on", DATE, width=12),
    Column(_("开始推进日期"), "started_on", DATE, width=12),
    Column(_("办结日期"), "closed_on", DATE, width=12),
    Column(_("状态"), "status", CHOICE, choices=ClaimStatus),
    Column(_("认领说明"), "offer", TEXT, width=40),
    Column(_("办理结果"), "note", TEXT, width=40),
)
