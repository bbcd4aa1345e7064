"""The item list's Excel export (read by no importer)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.excel import BOOL, CHOICE, DATE, DATETIME, INT, TEXT, Column

from .models import ItemSource, ItemState

ITEM_SHEET = _("督办事项")


def _overdue(item) -> bool:
    return bool(getattr(item, "is_overdue", item.overdue_on(timezone.localdate())))


def _days_open(item) -> int:
    return item.days_open(timezone.localdate())


def _department(item) -> str:
    return item.assignee.name if item.assignee_id else gettext("待交办")


ITEM_COLUMNS = (
    Column(_("编号"), "pk", INT),
    Column(_("事项"), "title", TEXT, width=30),
    Column(_("联盟"), "alliance.name", TEXT, width=24),
    Column(_("来源"), "source", CHOICE, choices=ItemSource),
    Column(_("承办部门"), _department, TEXT, width=18),
    Column(_("办理期限"), "deadline", DATE),
    Column(_("状态"), "state", CHOICE, choices=ItemState),
    Column(_("逾期"), _overdue, BOOL),
    Column(_("提出日期"), "raised_on", DATE),
    Column(_("已历时（天）"), _days_open, INT),
    Column(_("首次答复时间"), "replied_at", DATETIME, width=18),
    Column(_("办结时间"), "handled_at", DATETIME, width=18),
    Column(_("确认解决时间"), "closed_at", DATETIME, width=18),
    Column(_("满意度"), "rating", INT),
    Column(_("具体情况"), "detail", TEXT, width=40),
)
