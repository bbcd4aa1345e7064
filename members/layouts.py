"""Excel layouts of organizations and people: what the list exports and the importer reads.

A column with a ``field`` is read back on import; the others (names of related rows,
counts) are there for the reader and ignored on import.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.excel import BOOL, CHOICE, CODE, DATETIME, INT, TEXT, Column
from core.validators import mask_id_number, mask_phone

from .models import DepartmentKind, OrganizationKind

ORGANIZATION_SHEET = _("成员单位")
ORGANIZATION_COLUMNS = (
    Column(_("区划代码"), "region.code", CODE, field="region", width=16),
    Column(_("所属区划"), "region.name", TEXT, width=16),
    Column(_("单位名称"), "name", TEXT, field="name", width=30),
    Column(_("单位类型"), "kind", CHOICE, field="kind", choices=OrganizationKind),
    Column(_("星级"), "star_rating", INT, field="star_rating"),
    Column(_("党组织书记"), "secretary.name", TEXT),
    Column(_("联系电话"), "contact_phone", CODE, field="contact_phone", mask=mask_phone, width=16),
    Column(_("所在联盟数"), "alliance_count", INT),
)

PERSON_SHEET = _("人员")
PERSON_COLUMNS = (
    Column(_("区划代码"), "organization.region.code", CODE, field="organization_region", width=16),
    Column(_("所在单位"), "organization.name", TEXT, field="organization", width=30),
    Column(_("姓名"), "name", TEXT, field="name"),
    Column(_("手机号码"), "mobile", CODE, field="mobile", mask=mask_phone, width=16),
    Column(_("身份证号码"), "id_number", CODE, field="id_number", mask=mask_id_number, width=22),
    Column(_("职务"), "title", TEXT, field="title", width=20),
    Column(_("党员"), "is_party_member", BOOL, field="is_party_member"),
)


def _token_creator(token) -> str | None:
    return token.created_by.get_username() if token.created_by else None


def _token_state(token) -> str:
    return gettext("已撤销") if token.revoked_at else gettext("有效")


# The token list's export (read by no importer); the key itself is never stored.
TOKEN_SHEET = _("大屏接口令牌")
TOKEN_COLUMNS = (
    Column(_("名称"), "name", TEXT, width=24),
    Column(_("数据范围"), "region.name", TEXT, width=16),
    Column(_("区划代码"), "region.code", CODE, width=16),
    Column(_("令牌前缀"), "prefix", CODE, width=16),
    Column(_("创建时间"), "created_at", DATETIME, width=18),
    Column(_("创建人"), _token_creator, TEXT),
    Column(_("最近使用"), "last_used_at", DATETIME, width=18),
    Column(_("状态"), _token_state, TEXT),
    Column(_("撤销时间"), "revoked_at", DATETIME, width=18),
)

DEPARTMENT_SHEET = _("承办部门")
DEPARTMENT_COLUMNS = (
    Column(_("区划代码"), "county.code", CODE, width=16),
    Column(_("所属区县"), "county.name", TEXT, width=16),
    Column(_("部门名称"), "name", TEXT, width=24),
    Column(_("部门类型"), "kind", CHOICE, choices=DepartmentKind),
    Column(_("停用时间"), "retired_at", DATETIME),
)
