"""Excel layout of the proposal list (read by no importer): the proposals its filters show,
with who decided each and why."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.excel import CHOICE, CODE, DATETIME, INT, TEXT, Column
from core.users import user_label

from .models import ProposalKind, ProposalStatus

PROPOSAL_SHEET = _("结果运用建议")


def _decided_by(proposal) -> str:
    """Who decided, by name as the pages say it (the list selects ``decided_by__person``)."""
    return user_label(proposal.decided_by, default="")


PROPOSAL_COLUMNS = (
    Column(_("联盟"), "alliance.name", TEXT, width=30),
    Column(_("成员单位"), "organization.name", TEXT, width=30),
    Column(_("区划代码"), "region.code", CODE, width=16),
    Column(_("区域"), "region.name", TEXT, width=16),
    Column(_("结果运用"), "kind", CHOICE, choices=ProposalKind, width=24),
    Column(_("年度"), "year", INT),
    Column(_("状态"), "status", CHOICE, choices=ProposalStatus),
    Column(_("依据"), "basis", TEXT, width=40),
    Column(_("决定理由"), "reason", TEXT, width=40),
    Column(_("决定人"), _decided_by, TEXT),
    Column(_("决定时间"), "decided_at", DATETIME, width=18),
)
