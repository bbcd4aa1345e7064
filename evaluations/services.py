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

from .models import AssessmentScheme, Indicator, Rollup, SchemeStatus
from .periods import Period
from .rollups import KINDS, PERIOD_OF_KIND

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
