"""Scoring alliances for a period: indicators, bound assessment, veto, grades and ranks.

How a score is made (definitions of each indicator: docs/indicators.md):

    base   = Σ weight·max·attainment / Σ weight·max × 100   (over the applicable indicators)
    member = four_star_weight × (share of members with ≥4 stars × 100)
             + (1 − four_star_weight) × (average of members' own scores)
    total  = (1 − member_weight) × base + member_weight × member
    total  = (1 − visit_weight) × total + visit_weight × visit    (a quarter or year with a 季观摩 visit score)

An indicator with nothing to measure (no report was due) is not applicable: it is left out
of both sums, so its weight goes to the alliance's other indicators. A staff-scored indicator
without a score yet is pending (待评分): left out the same way, never counted as 0, and the
assessment counts it in ``pending_indicators``: its total is provisional. A confirmed veto (any
of the four bottom lines) makes the grade 较差 whatever the total, and ranks a vetoed
alliance below every other. A member organization's own score is its star rating × 20;
its bound result is (1 − w) × own + w × average of its alliances' totals.

Every figure is rounded half up (``ROUND_HALF_UP``): attainments to four places, scores to
two. The reading is done by one grouped query per metric (``metrics.py``) over all the
alliances being scored, never a query per alliance; the arithmetic is plain Python here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count, F, Q, QuerySet, Window
from django.db.models.functions import Rank, Substr
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance, AllianceStatus, Membership
from core.audit import value_then
from core.periods import QUARTER, YEAR, Period, local_zone
from members.models import MemberOrganization, Region, in_subtree

from .models import (
    Assessment,
    AssessmentScheme,
    Grade,
    Indicator,
    IndicatorScore,
    ManualScore,
    MemberResult,
    ObservationVisit,
    VetoFinding,
)
from .rollups import QUARTERLY_OBSERVATION

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
# A metric's attainment for an alliance with nothing to measure: the indicator does not apply.
NOT_APPLICABLE = None
# A staff-scored indicator not scored yet: left out of the total until it is, never 0.
PENDING = "pending"
PENDING_LABEL = _("待评分")

# metric key -> function(alliances, period, indicator) -> {alliance id: attainment 0..1, or None}
MetricFunction = Callable[[QuerySet, Period, Indicator], dict[int, Decimal | None]]


@dataclass(frozen=True)
class Metric:
    """A computed indicator: ``compute`` gives the attainment of the alliances it has data
    for; an alliance it leaves out gets ``absent`` (0, or not applicable)."""

    compute: MetricFunction
    absent: Decimal | None = ZERO


METRICS: dict[str, Metric] = {}


def metric(key: str, *, absent: Decimal | None = ZERO) -> Callable[[MetricFunction], MetricFunction]:
    """Register a metric function under ``key`` (the ``Indicator.metric`` that names it)."""

    def register(function: MetricFunction) -> MetricFunction:
        METRICS[key] = Metric(function, absent)
        return function

    return register


def half_up(value: Decimal, places: Decimal = TWO) -> Decimal:
    """``value`` rounded half up to ``places`` (the one rounding rule of every score)."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def clamp(value: Decimal | float | int | None) -> Decimal:
    """``value`` bounded to 0..1, at four places (half up). A float is read through its
    shortest text (0.1 is 0.1000, not its binary expansion)."""
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return half_up(min(ONE, max(ZERO, value)), FOUR)


def ratio(part, whole) -> Decimal:
    """``part / whole`` clamped to 0..1; 0 when ``whole`` is 0 or missing."""
    if not whole:
        return ZERO
    return clamp(Decimal(part or 0) / Decimal(whole))


def take_with_ties(items: list, count: int, key: Callable) -> list:
    """The first ``count`` of ``items`` (already in order), and every later item whose
    ``key`` equals the last one taken: a cut-off takes all who tie at it."""
    if count <= 0 or not items:
        return []
    taken = items[:count]
    last = key(taken[-1])
    for item in items[count:]:
        if key(item) != last:
            break
        taken.append(item)
    return taken


# ------------------------------------------------------------------- which alliances


def assessed_alliances(regions: list[Region], period: Period) -> QuerySet:
    """The alliances assessed for the period in the regions: founded by its last day, and
    neither still forming nor dissolved at its end, by the status their history gives then
    (``core.audit.value_then``: the last change before the end; for an alliance recorded
    only after it, its status today). A bulletin corrected after an alliance was dissolved,
    or had left 组建中, assesses the same alliances as before."""
    if not regions:
        return Alliance.objects.none()
    founded = Alliance.objects.filter(led_from_any({region.prefix for region in regions}), founded_on__lt=period.end)
    # Read once, by id: the few not assessed then, rather than the history subqueries in every
    # query that names the alliances.
    not_then = list(
        founded.annotate(status_then=value_then(Alliance, "status", period.end_at))
        .filter(status_then__in=[AllianceStatus.FORMING, AllianceStatus.DISSOLVED])
        .values_list("pk", flat=True)
    )
    return founded.exclude(pk__in=not_then)


def led_from_any(prefixes: set[str], alliance: str = "") -> Q:
    """Rows whose alliance (``alliance``: the path to it, empty for alliances themselves) is
    led from a region under one of the code ``prefixes``; every row for no prefix."""
    condition = Q()
    for prefix in sorted(prefixes):
        condition |= in_subtree(prefix, f"{alliance}lead_region")
    return condition


def schemes_by_alliance(plan: dict[AssessmentScheme, list[Region]], led: dict[int, str]) -> dict[int, AssessmentScheme]:
    """The scheme each alliance (by id, with the code of the region it is led from) is scored
    under: the plan's scheme of the most specific region that holds it."""
    by_prefix = {region.prefix: scheme for scheme, regions in plan.items() for region in regions}
    lengths = sorted({len(prefix) for prefix in by_prefix}, reverse=True)
    return {
        alliance_id: next(by_prefix[code[:n]] for n in lengths if code[:n] in by_prefix)
        for alliance_id, code in led.items()
    }


# ------------------------------------------------------------------- scoring


def score_region(*, scheme: AssessmentScheme, period: Period, region: Region, final: bool = False) -> int:
    """(Re)compute the assessments of every alliance of the region for the period. Returns
    how many alliances were scored. Final assessments freeze the scheme."""
    return score_regions({scheme: [region]}, period, final=final)


def score_regions(plan: dict[AssessmentScheme, list[Region]], period: Period, *, final: bool = False) -> int:
    """Score the alliances of many regions, each under the scheme the plan gives it, then
    rank the period once. Returns how many alliances were scored."""
    regions = [region for scheme_regions in plan.values() for region in scheme_regions]
    scored = 0
    with transaction.atomic():
        if plan:
            # An alliance still forming, or founded after the period, has nothing to be assessed on.
            alliances = assessed_alliances(regions, period)
            led = dict(alliances.values_list("pk", "lead_region__code"))
            schemes = schemes_by_alliance(plan, led)
            figures = score_alliances(schemes, period=period, alliances=alliances, final=final)
            score_members(plan, figures, period=period, alliances=alliances)
            scored = len(figures)
            # An assessment left from an earlier run for an alliance the period no longer
            # assesses (its founding day corrected since) is not ranked again.
            led_here = Alliance.objects.filter(led_from_any({region.prefix for region in regions}))
            Assessment.objects.filter(
                period_kind=period.kind,
                period_start=period.start,
                alliance__in=led_here.exclude(pk__in=alliances.values("pk")),
            ).delete()
        rank_period(period, regions)
        if final:
            AssessmentScheme.objects.filter(pk__in=[scheme.pk for scheme in plan], is_frozen=False).update(
                is_frozen=True
            )
    return scored


@dataclass
class AllianceFigures:
    """One alliance's scores for a period. ``indicators`` holds (indicator id, attainment,
    score) for each applicable indicator; a not applicable one is left out."""

    scheme: AssessmentScheme
    base: Decimal
    four_star_share: Decimal
    member_average: Decimal
    total: Decimal
    vetoed: bool
    indicators: list[tuple[int, Decimal, Decimal]]
    pending: int = 0
    visit: Decimal | None = None

    @property
    def grade(self) -> str:
        return self.scheme.grade_for(self.total, self.vetoed)


@dataclass
class Readings:
    """What scoring reads once for every alliance: the attainments of each metric, the
    staff scores, the vetoes and the members' standing. ``score`` combines them."""

    indicators: dict[int, list[Indicator]]  # by scheme id, in the scheme's order
    attainments: dict[tuple, dict[int, Decimal | None]]  # by (metric, target)
    manual: dict[tuple[int, int], Decimal]  # by (alliance id, indicator id)
    vetoed: set[int]
    standing: dict[int, tuple[Decimal, Decimal]]  # by alliance id: (four-star share, average own score)
    visits: dict[int, Decimal]  # by alliance id: average 季观摩 visit score of the period

    @classmethod
    def read(cls, schemes: set[AssessmentScheme], alliances: QuerySet, period: Period) -> Readings:
        indicators = list(Indicator.objects.filter(scheme__in=schemes).order_by("scheme_id", "order", "code"))
        # A metric reads only its indicator's target: schemes sharing both share the query.
        attainments = {}
        for indicator in indicators:
            key = (indicator.metric, indicator.target)
            if indicator.metric and key not in attainments:
                attainments[key] = METRICS[indicator.metric].compute(alliances, period, indicator)
        by_scheme: dict[int, list[Indicator]] = {scheme.pk: [] for scheme in schemes}
        for indicator in indicators:
            by_scheme[indicator.scheme_id].append(indicator)
        return cls(
            indicators=by_scheme,
            attainments=attainments,
            manual=manual_scores(alliances, indicators, period),
            vetoed=set(confirmed_vetoes(alliances, period).values_list("alliance_id", flat=True)),
            standing=member_standing(alliances, period.last_day),
            visits=visit_scores(alliances, period),
        )

    def attainment(self, alliance_id: int, indicator: Indicator) -> Decimal | str | None:
        """The alliance's attainment of the indicator (0..1), None when it does not apply,
        PENDING for a staff-scored indicator not scored yet."""
        if indicator.metric:
            found = self.attainments[indicator.metric, indicator.target]
            return found.get(alliance_id, METRICS[indicator.metric].absent)
        given = self.manual.get((alliance_id, indicator.pk))
        return ratio(given, indicator.max_score) if given is not None else PENDING

    def score(self, alliance_id: int, scheme: AssessmentScheme) -> AllianceFigures:
        per_indicator = []
        achieved = possible = ZERO
        pending = 0
        for indicator in self.indicators[scheme.pk]:
            attained = self.attainment(alliance_id, indicator)
            if attained is PENDING:
                pending += 1
                continue
            if attained is NOT_APPLICABLE:
                continue
            weighted = indicator.weight * indicator.max_score
            achieved += weighted * attained
            possible += weighted
            per_indicator.append((indicator.pk, attained, half_up(indicator.max_score * attained)))
        base = achieved * HUNDRED / possible if possible else ZERO
        four_star_share, member_average = self.standing.get(alliance_id, (ZERO, ZERO))
        member_part = (
            scheme.four_star_weight * four_star_share * HUNDRED + (ONE - scheme.four_star_weight) * member_average
        )
        total = (ONE - scheme.member_weight) * base + scheme.member_weight * member_part
        visit = self.visits.get(alliance_id)
        if visit is not None:
            total = (ONE - scheme.visit_weight) * total + scheme.visit_weight * visit
        total = half_up(total)
        return AllianceFigures(
            scheme=scheme,
            base=half_up(base),
            four_star_share=four_star_share,
            member_average=member_average,
            total=min(HUNDRED, max(ZERO, total)),
            vetoed=alliance_id in self.vetoed,
            indicators=per_indicator,
            pending=pending,
            visit=visit,
        )


def confirmed_vetoes(alliances: QuerySet, period: Period) -> QuerySet:
    """The confirmed veto findings of the alliances for the period's year."""
    return VetoFinding.objects.filter(alliance__in=alliances, year=period.start.year, confirmed=True)


def manual_score_rows(alliances: QuerySet, indicators: list[Indicator], period: Period) -> QuerySet:
    """The staff scores that may stand for the period, oldest first: those of the year up
    to the period's last day (a score stands until the next one)."""
    return ManualScore.objects.filter(
        alliance__in=alliances,
        indicator__in=indicators,
        period_start__gte=datetime.date(period.start.year, 1, 1),
        period_start__lte=period.last_day,
    ).order_by("period_start")


def manual_scores(alliances: QuerySet, indicators: list[Indicator], period: Period) -> dict[tuple[int, int], Decimal]:
    """Staff scores by (alliance id, indicator id): the latest of ``manual_score_rows``."""
    rows = manual_score_rows(alliances, indicators, period).values_list("alliance_id", "indicator_id", "score")
    return {(alliance_id, indicator_id): score for alliance_id, indicator_id, score in rows}


def members_on(alliances: QuerySet, on: datetime.date) -> QuerySet:
    """The alliances' memberships current on ``on`` (``MembershipQuerySet.current``: joined
    by then, not yet left): the one rule the standing, the members' own results, the
    below-four-stars list and the scorecard count by."""
    return Membership.objects.current(on).filter(alliance__in=alliances)


def visit_scores(alliances: QuerySet, period: Period) -> dict[int, Decimal]:
    """Per alliance: the average score of its 季观摩 on-site visits for the quarters of the
    period (a quarter: its own observation's visit; a year: its four quarters'). Weeks and
    months have no visit."""
    if period.kind not in (QUARTER, YEAR):
        return {}
    rows = (
        ObservationVisit.objects.filter(
            alliance__in=alliances,
            rollup__kind=QUARTERLY_OBSERVATION,
            rollup__period_start__gte=period.start,
            rollup__period_start__lt=period.end,
        )
        .values("alliance_id")
        .annotate(average=Avg("score"))
    )
    return {row["alliance_id"]: half_up(Decimal(str(row["average"]))) for row in rows}


def end_of(day: datetime.date) -> datetime.datetime:
    """The moment ``day`` ends in Shanghai: what a period's last day is read as of."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=local_zone())


def members_with_stars(alliances: QuerySet, on: datetime.date) -> QuerySet:
    """The alliances' memberships current on ``on``, each with ``stars``: its organization's
    star rating at the end of that day, as its history gives it (``core.audit.value_then``),
    so that a rating changed after a period leaves the period's bound results as they were."""
    return members_on(alliances, on).annotate(
        stars=value_then(MemberOrganization, "star_rating", end_of(on), "organization_id")
    )


def members_below_four_stars(alliances: QuerySet, on: datetime.date) -> list[list]:
    """[alliance code, alliance name, organization, stars (None: unrated), whether the alliance
    was a demonstration one] of the members on ``on`` of the alliances rated below four stars,
    both read as they stood at the end of ``on``: a demonstration alliance's members, and a
    candidate's, must all have four or more."""
    return [
        list(row)
        for row in members_with_stars(alliances, on)
        .filter(Q(stars__lt=4) | Q(stars__isnull=True))
        .annotate(demonstration=value_then(Alliance, "is_demonstration", end_of(on), "alliance_id"))
        .order_by("alliance__code", "organization__name")
        .values_list(
            "alliance__code",
            "alliance__name",
            "organization__name",
            "stars",
            "demonstration",
        )
    ]


def member_standing(alliances: QuerySet, on: datetime.date) -> dict[int, tuple[Decimal, Decimal]]:
    """Per alliance: (share of its members on ``on`` with ≥4 stars, average own score =
    average stars of the rated members × 20)."""
    rows = (
        members_with_stars(alliances, on)
        .values("alliance_id")
        .annotate(
            members=Count("pk"),
            four_star=Count("pk", filter=Q(stars__gte=4)),
            average_stars=Avg("stars"),
        )
    )
    return {
        row["alliance_id"]: (
            ratio(row["four_star"], row["members"]),
            half_up(Decimal(str(row["average_stars"] or 0)) * 20),
        )
        for row in rows
    }


def score_alliances(
    schemes: dict[int, AssessmentScheme], *, period: Period, alliances: QuerySet, final: bool
) -> dict[int, AllianceFigures]:
    """Write the period's assessment and indicator scores of the alliances, each under its
    scheme (``schemes``: by alliance id). Returns the figures by alliance id (no ranking:
    see ``rank_period``)."""
    readings = Readings.read(set(schemes.values()), alliances, period)
    figures = {alliance_id: readings.score(alliance_id, scheme) for alliance_id, scheme in schemes.items()}
    status = Assessment.Status.FINAL if final else Assessment.Status.DRAFT
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                alliance_id=alliance_id,
                period_kind=period.kind,
                period_start=period.start,
                scheme=scored.scheme,
                base_score=scored.base,
                four_star_share=scored.four_star_share,
                member_average=scored.member_average,
                total_score=scored.total,
                vetoed=scored.vetoed,
                pending_indicators=scored.pending,
                visit_score=scored.visit,
                grade=scored.grade,
                status=status,
            )
            for alliance_id, scored in figures.items()
        ],
        update_conflicts=True,
        unique_fields=["alliance", "period_kind", "period_start"],
        update_fields=[*ASSESSMENT_FIGURES, "status", "computed_at"],
        batch_size=BATCH,
    )
    # The indicator scores are written afresh: a scheme may have changed, an indicator may
    # no longer apply.
    IndicatorScore.objects.filter(assessment__in=assessments).delete()
    IndicatorScore.objects.bulk_create(
        [
            IndicatorScore(assessment=assessment, indicator_id=indicator_id, attainment=attainment, score=score)
            for assessment in assessments
            for indicator_id, attainment, score in figures[assessment.alliance_id].indicators
        ],
        batch_size=BATCH,
    )
    return figures


ASSESSMENT_FIGURES = [
    "scheme",
    "base_score",
    "four_star_share",
    "member_average",
    "total_score",
    "vetoed",
    "pending_indicators",
    "visit_score",
    "grade",
]
# Rows per INSERT statement.
BATCH = 1000


def score_members(
    plan: dict[AssessmentScheme, list[Region]],
    figures: dict[int, AllianceFigures],
    *,
    period: Period,
    alliances: QuerySet,
) -> None:
    """Bound result of each member organization of the alliances for the period: its own
    score (stars × 20) bound to the average total of its alliances, with the weight of the
    scheme they were scored under. An organization in alliances under two schemes (two
    cities) gets the result under the one that comes last in the plan; it loses its
    两优一先 eligibility when one of those alliances is graded 较差."""
    place = {scheme.pk: index for index, scheme in enumerate(plan)}
    # organization id -> (own score, {scheme id: totals and grades of its alliances})
    members: dict[int, tuple[Decimal, dict[int, list[AllianceFigures]]]] = {}
    memberships = members_with_stars(alliances, period.last_day).values_list("organization_id", "alliance_id", "stars")
    for organization_id, alliance_id, stars in memberships:
        scored = figures.get(alliance_id)
        if scored is None:  # an alliance led from the regions since they were read
            continue
        _own, by_scheme = members.setdefault(organization_id, (Decimal((stars or 0) * 20), {}))
        by_scheme.setdefault(scored.scheme.pk, []).append(scored)
    results = []
    for organization_id, (own, by_scheme) in members.items():
        scheme_id = max(by_scheme, key=place.__getitem__)
        its_alliances = by_scheme[scheme_id]
        weight = its_alliances[0].scheme.alliance_weight_for_members
        average = sum(scored.total for scored in its_alliances) / len(its_alliances)
        results.append(
            MemberResult(
                organization_id=organization_id,
                period_kind=period.kind,
                period_start=period.start,
                own_score=half_up(own),
                alliance_average=half_up(average),
                total_score=half_up((ONE - weight) * own + weight * average),
                loses_award_eligibility=any(scored.grade == Grade.POOR for scored in its_alliances),
            )
        )
    MemberResult.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["organization", "period_kind", "period_start"],
        update_fields=["own_score", "alliance_average", "total_score", "loses_award_eligibility"],
        batch_size=BATCH,
    )
    # A result left from an earlier run for an organization of these alliances that was no
    # member of them on the day (its membership corrected since) goes, unless it was then a
    # member of an alliance led from elsewhere, whose own scoring writes its result.
    here = led_from_any({region.prefix for regions in plan.values() for region in regions}, "alliance__")
    of_period = MemberResult.objects.filter(period_kind=period.kind, period_start=period.start)
    # (From the memberships here, not from the period's results, which are the province's.)
    no_longer = (
        Membership.objects.filter(here)
        .exclude(organization__in=members_on(alliances, period.last_day).values("organization_id"))
        .values("organization_id")
    )
    left = set(of_period.filter(organization__in=no_longer).values_list("organization_id", flat=True))
    if left:  # (read apart: usually none, and the memberships elsewhere are many)
        left -= set(
            Membership.objects.current(period.last_day)
            .filter(organization__in=left)
            .exclude(here)
            .values_list("organization_id", flat=True)
        )
        of_period.filter(organization__in=left).delete()


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator of an assessment as shown: scored (attainment and score), pending (a
    staff score not given yet: 待评分) or not applicable (nothing to measure)."""

    indicator: Indicator
    attainment: Decimal | None
    score: Decimal | None
    status: str  # "scored", PENDING or "not_applicable"

    @property
    def label(self) -> str:
        return str(PENDING_LABEL) if self.status == PENDING else ""


def indicator_results(assessment: Assessment) -> list[IndicatorResult]:
    """Every indicator of the assessment's scheme, in order: a staff-scored one without a
    score row is pending, a computed one without a row did not apply."""
    written = {row.indicator_id: row for row in assessment.indicator_scores.all()}
    results = []
    for indicator in assessment.scheme.indicators.order_by("order", "code"):
        row = written.get(indicator.pk)
        if row is not None:
            results.append(IndicatorResult(indicator, row.attainment, row.score, "scored"))
        else:
            results.append(IndicatorResult(indicator, None, None, "not_applicable" if indicator.metric else PENDING))
    return results


# ------------------------------------------------------------------- ranks


def rank_period(period: Period, regions: list[Region]) -> None:
    """County and city ranks of the period's assessments, in every city that holds one of
    ``regions`` (or in all for no region). Ranks are SQL's ``RANK``: tied totals share a
    rank and the next rank is skipped (1, 1, 3); a vetoed alliance comes after every other."""
    cities = {region.prefix[:4] for region in regions}
    order = [F("vetoed").asc(), F("total_score").desc()]
    ranked = (
        Assessment.objects.filter(
            led_from_any(cities, "alliance__"), period_kind=period.kind, period_start=period.start
        )
        .annotate(
            county=Substr("alliance__lead_region__code", 1, 6),
            city=Substr("alliance__lead_region__code", 1, 4),
        )
        .annotate(
            new_county_rank=Window(Rank(), partition_by=[F("county")], order_by=order),
            new_city_rank=Window(Rank(), partition_by=[F("city")], order_by=order),
        )
        .values_list("pk", "county_rank", "city_rank", "new_county_rank", "new_city_rank")
    )
    changed = [
        Assessment(pk=pk, county_rank=new_county, city_rank=new_city)
        for pk, county, city, new_county, new_city in ranked
        if (county, city) != (new_county, new_city)
    ]
    Assessment.objects.bulk_update(changed, ["county_rank", "city_rank"], batch_size=BATCH)
