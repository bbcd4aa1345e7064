"""Producing rollups: exactly one record per (kind, period, region), however often and on
however many workers a rollup is asked for."""

from __future__ import annotations

import logging
import zlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from members.access import scope_for
from members.models import Region
from members.periods import Period

from .models import (
    AssessmentScheme,
    Indicator,
    ManualScore,
    ObservationVisit,
    Rollup,
    SchemeStatus,
    VetoFinding,
)
from .reports import proposed_for_visit
from .rollups import KINDS, PERIOD_OF_KIND, QUARTERLY_OBSERVATION

logger = logging.getLogger(__name__)


def rollup_lock_key(kind: str, period: Period, region: Region) -> int:
    """A stable 63-bit key for PostgreSQL's advisory lock of one rollup."""
    raw = f"rollup:{kind}:{period.key}:{region.code}".encode()
    return zlib.crc32(raw) << 20 | (zlib.adler32(raw) & 0xFFFFF)


def _lock(key: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def rollup_regions(kind: str) -> list[Region]:
    return list(Region.objects.filter(level__in=KINDS[kind].region_levels).order_by("code"))


def rollup_produce(*, kind: str, period: Period, region: Region) -> tuple[Rollup, bool]:
    """Return the rollup, computing and storing it if it does not exist yet.

    A transaction-scoped advisory lock serialises concurrent producers of the same
    rollup (the loser waits, then finds the winner's row); the unique constraint is the
    last guard. Returns ``(rollup, created)``.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError({"kind": _("未知的调度通报类型：%(kind)s。") % {"kind": kind}})
    if period.kind != PERIOD_OF_KIND[kind]:
        raise ValidationError({"period": _("该类型的期间应按%(kind)s计。") % {"kind": PERIOD_OF_KIND[kind]}})
    if region.level not in spec.region_levels:
        raise ValidationError({"region": _("该类型按%(levels)s生成。") % {"levels": "、".join(spec.region_levels)}})
    with transaction.atomic():
        _lock(rollup_lock_key(kind, period, region))
        existing = Rollup.objects.filter(kind=kind, period_start=period.start, region=region).first()
        if existing is not None:
            return existing, False
        report = spec.compute(period, region)
        try:
            with transaction.atomic():
                rollup = Rollup.objects.create(
                    kind=kind, period_key=period.key, period_start=period.start, region=region, report=report
                )
        except IntegrityError:
            return Rollup.objects.get(kind=kind, period_start=period.start, region=region), False
    logger.info("rollup produced: %s %s %s", kind, period.key, region.code)
    return rollup, True


def scheme_new_version(*, actor, scheme) -> AssessmentScheme:
    """Copy a scheme (with its indicators) into the next draft version: the way to change a
    scheme that a finished review has frozen."""
    if not scope_for(actor).is_staff_role:
        raise PermissionDenied(_("只有组织部门工作人员可以修订考评方案。"))
    with transaction.atomic():
        latest = (
            AssessmentScheme.objects.select_for_update()
            .filter(region=scheme.region, year=scheme.year)
            .order_by("-version")
            .first()
        )
        indicators = list(scheme.indicators.all())
        copy = AssessmentScheme.objects.get(pk=scheme.pk)
        copy.pk = None
        copy.version = latest.version + 1
        copy.status = SchemeStatus.DRAFT
        copy.is_frozen = False
        copy.save()
        for indicator in indicators:
            indicator.pk = None
            indicator.scheme = copy
        Indicator.objects.bulk_create(indicators)
    return copy


def _require_staff_for(actor, alliance) -> None:
    from alliances.models import Alliance

    scope = scope_for(actor)
    if not scope.is_staff_role or not Alliance.objects.visible_to(actor).filter(pk=alliance.pk).exists():
        raise PermissionDenied(_("只有管辖该联盟的组织部门工作人员可以评分。"))


def manual_score_set(
    *, actor, alliance, indicator: Indicator, period: Period, score, evidence: str, evidence_file=None
) -> ManualScore:
    """Record (or correct) a staff-scored indicator with its evidence."""
    _require_staff_for(actor, alliance)
    errors = {}
    if indicator.metric:
        errors["indicator"] = _("该指标由系统根据数据自动计算，无需人工评分。")
    scheme = AssessmentScheme.objects.for_region(alliance.lead_region, period.start.year)
    if scheme is None or indicator.scheme_id != scheme.pk:
        errors["indicator"] = _("该指标不属于此联盟适用的%(year)s年度考评方案。") % {"year": period.start.year}
    if score is not None and (score < 0 or score > indicator.max_score):
        errors["score"] = _("得分应在 0 到 %(max)s 之间。") % {"max": indicator.max_score}
    if not (evidence or "").strip() and not evidence_file:
        errors["evidence"] = _("请填写佐证说明或上传佐证材料。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record, _created = ManualScore.objects.select_for_update().get_or_create(
            alliance=alliance,
            indicator=indicator,
            period_kind=period.kind,
            period_start=period.start,
            defaults={"score": score, "evidence": evidence, "scored_by": actor},
        )
        record.score = score
        record.evidence = evidence
        record.scored_by = actor
        if evidence_file:
            record.evidence_file = evidence_file
        record.full_clean()
        record.save()
    return record


def veto_record(*, actor, alliance, kind: str, year: int, note: str) -> VetoFinding:
    _require_staff_for(actor, alliance)
    if VetoFinding.objects.filter(alliance=alliance, kind=kind, year=year).exists():
        raise ValidationError({"kind": _("该联盟本年度已记录此项底线问题。")})
    finding = VetoFinding(alliance=alliance, kind=kind, year=year, note=note, recorded_by=actor)
    finding.full_clean()
    try:
        with transaction.atomic():
            finding.save()
    except IntegrityError as exc:
        raise ValidationError({"kind": _("该联盟本年度已记录此项底线问题。")}) from exc
    return finding


def veto_confirm(*, actor, finding: VetoFinding) -> VetoFinding:
    """Confirm a finding after verification: from now on the alliance fails its year."""
    _require_staff_for(actor, finding.alliance)
    VetoFinding.objects.filter(pk=finding.pk).update(confirmed=True)
    finding.refresh_from_db()
    return finding


def observation_visit_score(*, actor, rollup: Rollup, alliance, visited_on, score, notes: str = "") -> ObservationVisit:
    """Score an on-site visit of an alliance the quarterly observation proposed."""
    _require_staff_for(actor, alliance)
    if rollup.kind != QUARTERLY_OBSERVATION:
        raise ValidationError({"rollup": _("只能为季观摩录入观摩评分。")})
    if alliance.code not in proposed_for_visit(rollup.report):
        raise ValidationError({"alliance": _("该联盟不在本季观摩名单中。")})
    if score is None or not 0 <= score <= 100:
        raise ValidationError({"score": _("观摩得分应在 0 到 100 之间。")})
    visit, _created = ObservationVisit.objects.update_or_create(
        rollup=rollup,
        alliance=alliance,
        defaults={"visited_on": visited_on, "score": score, "notes": notes, "scored_by": actor},
    )
    return visit
