"""Scoring alliances for a period: indicators, bound assessment, veto, grades and ranks.

Every figure is read with one grouped query per indicator metric (never a query per
alliance); the combination of those figures into a score is plain arithmetic here.

    base   = Σ weight·max·attainment / Σ weight·max × 100
    member = four_star_weight × (share of members with ≥4 stars × 100)
             + (1 − four_star_weight) × (average of members' own scores)
    total  = (1 − member_weight) × base + member_weight × member
A confirmed veto (any of the four bottom lines) makes the grade 较差 whatever the total,
and ranks a vetoed alliance below every other. A member organization's own score is its
star rating × 20; its bound result is (1 − w) × own + w × average of its alliances' totals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count, F, Q, QuerySet, Window
from django.db.models.functions import Rank, Substr

from alliances.models import Alliance, Membership
from members.models import MemberOrganization, Region

from .models import (
    Assessment,
    AssessmentScheme,
    Grade,
    IndicatorScore,
    ManualScore,
    MemberResult,
    VetoFinding,
)
from .periods import Period

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
ONE = Decimal(1)
HUNDRED = Decimal(100)

# metric key -> function(alliances queryset, period, indicator) -> {alliance_id: attainment 0..1}
MetricFunction = Callable[[QuerySet, Period, object], dict[int, Decimal]]
METRICS: dict[str, MetricFunction] = {}


def metric(key: str) -> Callable[[MetricFunction], MetricFunction]:
    def register(function: MetricFunction) -> MetricFunction:
        METRICS[key] = function
        return function

    return register


def clamp(value: Decimal | float | int | None) -> Decimal:
    if value is None:
        return Decimal(0)
    return min(ONE, max(Decimal(0), Decimal(str(value)))).quantize(FOUR, rounding=ROUND_HALF_UP)


def ratio(part, whole) -> Decimal:
    if not whole:
        return Decimal(0)
    return clamp(Decimal(part or 0) / Decimal(whole))


@dataclass
class AllianceFigures:
    base: Decimal
    four_star_share: Decimal
    member_average: Decimal
    total: Decimal
    vetoed: bool


def alliances_in(region: Region) -> QuerySet:
    """Alliances assessed in a region: every alliance led from it that is not dissolved."""
    return Alliance.objects.filter(lead_region__code__startswith=region.prefix).exclude(status="dissolved")


def member_standing(alliances: QuerySet, on) -> dict[int, tuple[Decimal, Decimal]]:
    """Per alliance: (share of current members with ≥4 stars, average own score = stars × 20)."""
    rows = (
        Membership.objects.current(on)
        .filter(alliance__in=alliances)
        .values("alliance_id")
        .annotate(
            members=Count("id"),
            four_star=Count("id", filter=Q(organization__star_rating__gte=4)),
            average_stars=Avg("organization__star_rating"),
        )
    )
    return {
        row["alliance_id"]: (
            ratio(row["four_star"], row["members"]),
            (Decimal(str(row["average_stars"] or 0)) * 20).quantize(TWO, rounding=ROUND_HALF_UP),
        )
        for row in rows
    }


def score_region(*, scheme: AssessmentScheme, period: Period, region: Region, final: bool = False) -> int:
    """(Re)compute the assessments of every alliance of the region for the period. Returns
    how many alliances were scored. Final assessments freeze the scheme."""
    alliances = alliances_in(region)
    indicators = list(scheme.indicators.all())
    attainment: dict[int, dict[int, Decimal]] = {}
    for indicator in indicators:
        if indicator.metric:
            attainment[indicator.pk] = METRICS[indicator.metric](alliances, period, indicator)
    manual = {
        (row["alliance_id"], row["indicator_id"]): row["score"]
        for row in ManualScore.objects.filter(
            alliance__in=alliances, period_kind=period.kind, period_start=period.start, indicator__in=indicators
        ).values("alliance_id", "indicator_id", "score")
    }
    vetoed = set(
        VetoFinding.objects.filter(alliance__in=alliances, year=period.start.year, confirmed=True).values_list(
            "alliance_id", flat=True
        )
    )
    standing = member_standing(alliances, period.last_day)
    denominator = sum((i.weight * i.max_score for i in indicators), Decimal(0)) or ONE

    alliance_ids = list(alliances.values_list("pk", flat=True))
    with transaction.atomic():
        scores = []
        for alliance_id in alliance_ids:
            per_indicator = []
            for indicator in indicators:
                if indicator.metric:
                    achieved = attainment[indicator.pk].get(alliance_id, Decimal(0))
                else:
                    given = manual.get((alliance_id, indicator.pk))
                    achieved = ratio(given, indicator.max_score) if given is not None else Decimal(0)
                per_indicator.append((indicator, achieved))
            base = sum((i.weight * i.max_score * a for i, a in per_indicator), Decimal(0)) * HUNDRED / denominator
            four_star_share, member_average = standing.get(alliance_id, (Decimal(0), Decimal(0)))
            member_part = (
                scheme.four_star_weight * four_star_share * HUNDRED + (ONE - scheme.four_star_weight) * member_average
            )
            total = ((ONE - scheme.member_weight) * base + scheme.member_weight * member_part).quantize(
                TWO, rounding=ROUND_HALF_UP
            )
            total = min(HUNDRED, max(Decimal(0), total))
            is_vetoed = alliance_id in vetoed
            assessment = Assessment(alliance_id=alliance_id, period_kind=period.kind, period_start=period.start)
            assessment.scheme = scheme
            assessment.base_score = base.quantize(TWO, rounding=ROUND_HALF_UP)
            assessment.four_star_share = four_star_share
            assessment.member_average = member_average
            assessment.total_score = total
            assessment.vetoed = is_vetoed
            assessment.grade = scheme.grade_for(total, is_vetoed)
            assessment.status = Assessment.Status.FINAL if final else Assessment.Status.DRAFT
            scores.append((assessment, per_indicator))
        # One upsert statement whatever the mix of new and existing rows (ids come back).
        Assessment.objects.bulk_create(
            [assessment for assessment, _ in scores],
            update_conflicts=True,
            unique_fields=["alliance", "period_kind", "period_start"],
            update_fields=[
                "scheme",
                "base_score",
                "four_star_share",
                "member_average",
                "total_score",
                "vetoed",
                "grade",
                "status",
                "computed_at",
            ],
        )
        IndicatorScore.objects.filter(assessment__in=[a for a, _ in scores]).delete()
        IndicatorScore.objects.bulk_create(
            IndicatorScore(
                assessment=assessment,
                indicator=indicator,
                attainment=achieved,
                score=(indicator.max_score * achieved).quantize(TWO, rounding=ROUND_HALF_UP),
            )
            for assessment, per_indicator in scores
            for indicator, achieved in per_indicator
        )
        rank_period(period)
        score_members(scheme=scheme, period=period, region=region)
        if final and not scheme.is_frozen:
            AssessmentScheme.objects.filter(pk=scheme.pk).update(is_frozen=True)
    return len(alliance_ids)


def rank_period(period: Period) -> None:
    """County and city ranks of every assessment of the period, by window functions in SQL."""
    ranked = (
        Assessment.objects.filter(period_kind=period.kind, period_start=period.start)
        .annotate(
            county=Substr("alliance__lead_region__code", 1, 6),
            city=Substr("alliance__lead_region__code", 1, 4),
        )
        .annotate(
            new_county_rank=Window(
                Rank(), partition_by=[F("county")], order_by=[F("vetoed").asc(), F("total_score").desc()]
            ),
            new_city_rank=Window(
                Rank(), partition_by=[F("city")], order_by=[F("vetoed").asc(), F("total_score").desc()]
            ),
        )
        .values_list("pk", "new_county_rank", "new_city_rank")
    )
    updates = [Assessment(pk=pk, county_rank=county, city_rank=city) for pk, county, city in ranked]
    Assessment.objects.bulk_update(updates, ["county_rank", "city_rank"], batch_size=1000)


def score_members(*, scheme: AssessmentScheme, period: Period, region: Region) -> None:
    """Bound result of each member organization of the region's alliances for the period."""
    weight = scheme.alliance_weight_for_members
    rows = (
        MemberOrganization.objects.filter(
            memberships__in=Membership.objects.current(period.last_day).filter(alliance__in=alliances_in(region))
        )
        .values("pk", "star_rating")
        .annotate(
            alliance_average=Avg(
                "memberships__alliance__assessments__total_score",
                filter=Q(
                    memberships__alliance__assessments__period_kind=period.kind,
                    memberships__alliance__assessments__period_start=period.start,
                    memberships__left_on__isnull=True,
                ),
            ),
            failing=Count(
                "memberships__alliance__assessments",
                filter=Q(
                    memberships__alliance__assessments__period_kind=period.kind,
                    memberships__alliance__assessments__period_start=period.start,
                    memberships__alliance__assessments__grade=Grade.POOR,
                    memberships__left_on__isnull=True,
                ),
            ),
        )
    )
    results = []
    for row in rows:
        own = Decimal((row["star_rating"] or 0) * 20)
        average = Decimal(str(row["alliance_average"])) if row["alliance_average"] is not None else None
        total = own if average is None else (ONE - weight) * own + weight * average
        results.append(
            MemberResult(
                organization_id=row["pk"],
                period_kind=period.kind,
                period_start=period.start,
                own_score=own,
                alliance_average=average.quantize(TWO) if average is not None else None,
                total_score=total.quantize(TWO, rounding=ROUND_HALF_UP),
                loses_award_eligibility=row["failing"] > 0,
            )
        )
    MemberResult.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["organization", "period_kind", "period_start"],
        update_fields=["own_score", "alliance_average", "total_score", "loses_award_eligibility"],
    )
