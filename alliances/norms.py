"""The "3+X" alliance norm: 1 organizational structure, 1 operating mechanism, 1 project list
and X entity platforms, each checked as met or unmet with the reason.

Items live in a small registry so that apps building on this one can add theirs without
this app importing them: the projects app registers the project-list item (order 30) from
its ``AppConfig.ready()``. This module registers the structure (10), mechanism (20) and
platform (40) items. A check receives the alliance and today's date (Asia/Shanghai) and
runs a fixed, small number of queries; it describes the alliance, not what a given user may
see, so it names nothing from outside the alliance.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Alliance, EntityPlatform, TeamRole, TeamRoleKind
from .rhythm import rhythm_of


@dataclass(frozen=True)
class NormResult:
    key: str
    label: str
    met: bool
    reason: str


@dataclass(frozen=True)
class NormItem:
    key: str
    label: str  # a lazy translation
    check: Callable[[Alliance, datetime.date], tuple[bool, str]]
    order: int = 100


_registry: dict[str, NormItem] = {}


def register_item(item: NormItem) -> None:
    """Add (or replace, by key) a norm item; apps call it from their AppConfig.ready()."""
    _registry[item.key] = item


def unregister_item(key: str) -> None:
    _registry.pop(key, None)


def registered_items() -> list[NormItem]:
    return sorted(_registry.values(), key=lambda item: (item.order, item.key))


def evaluate(alliance: Alliance, *, today: datetime.date | None = None) -> list[NormResult]:
    today = today or timezone.localdate()
    results = []
    for item in registered_items():
        met, reason = item.check(alliance, today)
        results.append(NormResult(key=item.key, label=str(item.label), met=met, reason=reason))
    return results


# --------------------------------------------------------------------------- built-in items


def check_structure(alliance: Alliance, today: datetime.date) -> tuple[bool, str]:
    """Team complete: an open leader, an open township instructor and at least one advisor."""
    counts = TeamRole.objects.filter(alliance=alliance, ended_on__isnull=True).aggregate(
        leaders=Count("pk", filter=Q(role=TeamRoleKind.LEADER)),
        instructors=Count("pk", filter=Q(role=TeamRoleKind.INSTRUCTOR)),
        advisors=Count("pk", filter=Q(role=TeamRoleKind.ADVISOR)),
    )
    missing = [
        str(label)
        for key, label in (
            ("leaders", TeamRoleKind.LEADER.label),
            ("instructors", TeamRoleKind.INSTRUCTOR.label),
            ("advisors", TeamRoleKind.ADVISOR.label),
        )
        if not counts[key]
    ]
    if missing:
        return False, _("“1+1+N”工作团队不完整，缺少：%(missing)s。") % {"missing": "、".join(missing)}
    return True, _("带头人、镇街指导员已配齐，顾问 %(n)s 名。") % {"n": counts["advisors"]}


def check_mechanism(alliance: Alliance, today: datetime.date) -> tuple[bool, str]:
    """Meetings on rhythm: no monthly, quarterly or annual meeting missing in the window,
    and at least one held. An alliance too young to owe a meeting yet has nothing to be
    missing; with no meeting at all its mechanism is not running, so it is not met."""
    rhythm = rhythm_of(alliance, today=today)
    if not any(kind.held_count or kind.current_held for kind in rhythm.kinds):
        return False, _("尚未召开过“三会”：月度碰头会、季度专题会、年度述职会均无记录。")
    if rhythm.on_rhythm:
        held = "，".join(_("%(kind)s %(n)s 次") % {"kind": kind.label, "n": kind.held_count} for kind in rhythm.kinds)
        return True, _("“三会”按期召开（%(held)s）。") % {"held": held}
    parts = [
        _("%(kind)s缺 %(n)s 次（%(periods)s）")
        % {"kind": kind.label, "n": len(kind.missing), "periods": "、".join(p.label for p in kind.missing)}
        for kind in rhythm.kinds
        if kind.missing
    ]
    return False, _("“三会”未按期召开：%(parts)s。") % {"parts": "；".join(parts)}


def check_platforms(alliance: Alliance, today: datetime.date) -> tuple[bool, str]:
    """At least one entity platform that the alliance runs or holds shares in."""
    counts = EntityPlatform.objects.filter(Q(alliance=alliance) | Q(shareholdings__alliance=alliance)).aggregate(
        run=Count("pk", filter=Q(alliance=alliance), distinct=True),
        held=Count("pk", filter=~Q(alliance=alliance), distinct=True),
    )
    if not counts["run"] and not counts["held"]:
        return False, _("尚未运营或参股强村公司、联合社等实体平台。")
    return True, _("运营实体平台 %(run)s 个，参股其他联盟的平台 %(held)s 个。") % counts


register_item(NormItem("structure", gettext_lazy("组织架构"), check_structure, order=10))
register_item(NormItem("mechanism", gettext_lazy("运行机制"), check_mechanism, order=20))
register_item(NormItem("platforms", gettext_lazy("实体平台"), check_platforms, order=40))
