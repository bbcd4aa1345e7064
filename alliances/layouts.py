"""Excel layouts of alliances and their memberships: the list's export and the import layout.

A column with a ``field`` is read back on import; the others are there for the reader.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.excel import BOOL, CHOICE, CODE, DATE, INT, TEXT, Column

from .models import AllianceScope, AllianceStatus, FormationMode, MembershipRole

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
