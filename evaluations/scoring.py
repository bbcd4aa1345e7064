"""Scoring alliances for a period: indicators, bound assessment, veto, grades and ranks.

Every figure is read with one grouped query per indicator metric (never a query per
alliance); the combination of those figures into an alliance's score is plain arithmetic
here, and the member organizations' bound results are computed by one statement.

    base   = Σ weight·max·attainment / Σ weight·max × 100
    member = four_star_weight × (share of members with ≥4 stars × 100)
             + (1 − four_star_weight) × (average of members' own scores)
    total  = (1 − member_weight) × base + member_weight × member
A confirmed veto (any of the four bottom lines) makes the grade 较差 whatever the total,
and ranks a vetoed alliance below every other. A member organization's own score is its
star rating × 20; its bound result is (1 − w) × own + w × average of its alliances' totals.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Rank, Round, RowNumber, Substr
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from alliances.models import Alliance, Membership
from members import prepared
from members.db import upsert, upsert_select_statement
from members.models import Region
from members.periods import Period
from members.prepared import Param

from .models import (
    Assessment,
    AssessmentScheme,
    Grade,
    Indicator,
    IndicatorScore,
    ManualScore,
    MemberResult,
    VetoFinding,
)

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
# A score as the database computes it (numeric; stored at two places).
SCORE = DecimalField(max_digits=12, decimal_places=4)
# clamp's bounds, already at its four places.
ZERO_FOUR = ZERO.quantize(FOUR)
ONE_FOUR = ONE.quantize(FOUR)

# metric key -> function(alliances (Assessed), period, indicator) -> {alliance_id: attainment 0..1}
MetricFunction = Callable[["Assessed", Period, object], dict[int, Decimal]]
METRICS: dict[str, MetricFunction] = {}


def metric(key: str) -> Callable[[MetricFunction], MetricFunction]:
    def register(function: MetricFunction) -> MetricFunction:
        METRICS[key] = function
        return function

    return register


def clamp(value: Decimal | float | int | None) -> Decimal:
    """``value`` bounded to 0..1, at four places (half up). Scoring clamps every figure of
    every alliance: a Decimal is used as it is, a float through its shortest text."""
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if value <= ZERO:
        return ZERO_FOUR
    if value >= ONE:
        return ONE_FOUR
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


def ratio(part, whole) -> Decimal:
    if not whole:
        return ZERO
    return clamp(Decimal(part or 0) / Decimal(whole))


@dataclass
class AllianceFigures:
    """One alliance's scores for a period; ``indicators`` holds (indicator id, attainment, score)."""

    base: Decimal
    four_star_share: Decimal
    member_average: Decimal
    total: Decimal
    vetoed: bool
    indicators: list[tuple[int, Decimal, Decimal]]


def alliances_in(region: Region) -> QuerySet:
    """Alliances assessed in a region: every alliance led from it that is not dissolved."""
    return alliances_in_any([region])


@dataclass(frozen=True)
class Assessed:
    """The alliances being scored, as every scoring query names them: by their ``ids``
    (read once; ``queryset`` is then ``by_id()``, bound to them) when there are at most
    ``NAMED_BY_ID_LIMIT``, else by the ``queryset`` that selects them (a province)."""

    queryset: QuerySet
    ids: tuple[int, ...] | None = None

    @classmethod
    def named(cls, queryset: QuerySet, ids: list[int]) -> Assessed:
        """The alliances of ``queryset``, whose ``ids`` the caller has read."""
        if len(ids) > NAMED_BY_ID_LIMIT:
            return cls(queryset)
        return cls(by_id(), tuple(ids))

    def rows(self, build: Callable[..., QuerySet], *shape, **values) -> list[dict]:
        """The rows of the prepared query ``build(alliances, *shape)`` (``members.prepared``)
        with ``values`` bound."""
        return prepared.rows(build, self.queryset, *shape, **self.binding(values))

    def execute(self, build: Callable[..., tuple[str, list] | None], *shape, **values) -> None:
        """Run the prepared statement ``build(alliances, *shape)``, as :meth:`rows` runs a query."""
        prepared.execute(build, self.queryset, *shape, **self.binding(values))

    def binding(self, values: dict) -> dict:
        """``values`` with the alliances' ids, for a query compiled once; a region's
        queryset changes the SQL with its regions, so its query is built on each call."""
        if self.ids is None:
            return {**values, "cache": False}
        return {**values, "alliances": self.ids}


@functools.cache
def by_id() -> QuerySet:
    """The alliances of a prepared scoring query, named by the ids bound to it (one queryset
    per process: it is part of the key each query is compiled under)."""
    return Alliance.objects.filter(pk__any=Param("alliances", IntegerField()))


def member_standing(alliances: Assessed, on: datetime.date) -> dict[int, tuple[Decimal, Decimal]]:
    """Per alliance: (share of current members with ≥4 stars, average own score = stars × 20)."""
    rows = alliances.rows(standing_rows, on=on)
    return {
        row["alliance_id"]: (
            ratio(row["four_star"], row["members"]),
            (Decimal(str(row["average_stars"] or 0)) * 20).quantize(TWO, rounding=ROUND_HALF_UP),
        )
        for row in rows
    }


def standing_rows(alliances: QuerySet) -> QuerySet:
    return (
        Membership.objects.current(Param("on", DateField()))
        .filter(alliance__in=alliances)
        .values("alliance_id")
        .annotate(
            members=Count("id"),
            four_star=Count("id", filter=Q(organization__star_rating__gte=4)),
            average_stars=Avg("organization__star_rating"),
        )
    )


def manual_rows(alliances: QuerySet) -> QuerySet:
    """The staff scores of the indicators given, of the year up to the period's last day, oldest first."""
    return (
        ManualScore.objects.filter(
            alliance__in=alliances,
            indicator__any=Param("indicators", IntegerField()),
            period_start__gte=Param("year_start", DateField()),
            period_start__lte=Param("last_day", DateField()),
        )
        .order_by("period_start")
        .values("alliance_id", "indicator_id", "score")
    )


def veto_rows(alliances: QuerySet) -> QuerySet:
    return VetoFinding.objects.filter(
        alliance__in=alliances, year=Param("year", IntegerField()), confirmed=True
    ).values("alliance_id")


def score_region(*, scheme: AssessmentScheme, period: Period, region: Region, final: bool = False) -> int:
    """(Re)compute the assessments of every alliance of the region for the period. Returns
    how many alliances were scored. Final assessments freeze the scheme."""
    return score_regions({scheme: [region]}, period, final=final)


def score_regions(plan: dict[AssessmentScheme, list[Region]], period: Period, *, final: bool = False) -> int:
    """Score the alliances of many regions, each under the scheme the plan gives it, then
    rank the period once. A province's 100 counties under 10 city schemes take one set of
    grouped queries over all their alliances, one upsert per table and one ranking, not one
    of each per county or per scheme. Returns how many alliances were scored."""
    scored = 0
    regions = [region for scheme_regions in plan.values() for region in scheme_regions]
    with transaction.atomic():
        if plan:
            # The alliances and the regions they are led from, read once: their ids name
            # them in every query, their regions choose their schemes.
            assessed = alliances_in_any(regions)
            led = dict(assessed.values_list("pk", "lead_region__code"))
            alliances = Assessed.named(assessed, list(led))
            schemes = schemes_by_alliance(plan, led)
            scored = score_alliances(schemes, period=period, alliances=alliances, final=final)
            score_members(plan, period=period, alliances=alliances)
        rank_period(period, regions)
        if final:
            AssessmentScheme.objects.filter(pk__in=[scheme.pk for scheme in plan], is_frozen=False).update(
                is_frozen=True
            )
    return scored


def alliances_in_any(regions: list[Region]) -> QuerySet:
    """Alliances assessed in any of the regions (none for no region)."""
    if not regions:
        return Alliance.objects.none()
    if len(regions) == 1:
        led_here = regions[0].within("lead_region")
    else:
        led_here = led_from_any({region.prefix for region in regions})
    return Alliance.objects.filter(led_here).exclude(status="dissolved")


# Up to this many alliances (a city holds about 1,000), scoring reads their ids once and
# names them by id in each of its queries (``pk = ANY(array)``); beyond it (a province) it
# keeps the subquery. Each scoring query filters by ``alliance IN (alliances assessed)``. For
# a county the planner answered the subquery with a hash join over a scan of the province's
# 10,000 alliances, about 2 ms in each of a dozen queries; with the ids it probes the
# indexes. Scoring one county for a year took 110 ms with the subquery and 96 ms with the
# ids (for a quarter 77 and 67 ms), a city for a month 474 and 440 ms. A province's 10,000
# ids, matched in every query, took longer than the subquery (3.66 s against 3.39 s).
NAMED_BY_ID_LIMIT = 2000


def led_from_any(prefixes: set[str], alliance: str = "") -> Q:
    """Rows whose alliance (``alliance``: the path to it, empty for alliances themselves) is
    led from a region under one of the code ``prefixes``; every row for no prefix."""
    condition = Q()
    for prefix in sorted(prefixes):
        condition |= Q(**{f"{alliance}lead_region__code__startswith": prefix})
    return condition


def schemes_by_alliance(plan: dict[AssessmentScheme, list[Region]], led: dict[int, str]) -> dict[int, AssessmentScheme]:
    """The scheme each alliance (by id, with the code of the region it is led from) is scored
    under: the plan's, for that region."""
    by_prefix = {region.prefix: scheme for scheme, regions in plan.items() for region in regions}
    lengths = sorted({len(prefix) for prefix in by_prefix}, reverse=True)
    return {
        alliance_id: next(by_prefix[code[:n]] for n in lengths if code[:n] in by_prefix)
        for alliance_id, code in led.items()
    }


class Line(NamedTuple):
    """One indicator of a scheme as scoring combines it, looked up once, not per alliance."""

    indicator_id: int
    attained: dict[int, Decimal] | None  # its metric's attainments by alliance id; None: a staff score
    weighted: Decimal  # weight × max
    max_score: Decimal


@dataclass
class Readings:
    """What scoring reads once for every alliance of a plan: a grouped query per metric, the
    staff scores, vetoes and member standing. :meth:`score` then combines them per alliance."""

    lines: dict[int, list[Line]]  # by scheme id, in the scheme's order
    denominators: dict[int, Decimal]  # by scheme id: Σ weight·max
    manual: dict[tuple[int, int], Decimal]  # by (alliance id, indicator id)
    vetoed: set[int]
    standing: dict[int, tuple[Decimal, Decimal]]

    @classmethod
    def read(cls, schemes: set[AssessmentScheme], alliances: Assessed, period: Period) -> Readings:
        indicators = list(Indicator.objects.filter(scheme__in=list(schemes)).order_by("scheme_id", "order", "code"))
        # One grouped query per metric and target over the alliances of every scheme (a
        # metric reads only the indicator's target, so schemes sharing both share the query).
        attainment: dict[tuple, dict[int, Decimal]] = {}
        for indicator in indicators:
            key = (indicator.metric, indicator.target)
            if indicator.metric and key not in attainment:
                attainment[key] = METRICS[indicator.metric](alliances, period, indicator)
        lines: dict[int, list[Line]] = {scheme.pk: [] for scheme in schemes}
        for indicator in indicators:
            attained = attainment[indicator.metric, indicator.target] if indicator.metric else None
            weighted = indicator.weight * indicator.max_score
            lines[indicator.scheme_id].append(Line(indicator.pk, attained, weighted, indicator.max_score))
        # A staff score stands until the next one: the latest of the year up to the period's end.
        manual = {
            (row["alliance_id"], row["indicator_id"]): row["score"]
            for row in alliances.rows(
                manual_rows,
                indicators=[indicator.pk for indicator in indicators],
                year_start=datetime.date(period.start.year, 1, 1),
                last_day=period.last_day,
            )
        }
        return cls(
            lines=lines,
            denominators={
                pk: sum((line.weighted for line in scheme_lines), ZERO) or ONE for pk, scheme_lines in lines.items()
            },
            manual=manual,
            vetoed={row["alliance_id"] for row in alliances.rows(veto_rows, year=period.start.year)},
            standing=member_standing(alliances, period.last_day),
        )

    def score(self, alliance_id: int, scheme: AssessmentScheme) -> AllianceFigures:
        per_indicator = []
        achieved_total = ZERO
        for indicator_id, attained, weighted, max_score in self.lines[scheme.pk]:
            if attained is not None:
                achieved = attained.get(alliance_id, ZERO)
            else:
                given = self.manual.get((alliance_id, indicator_id))
                achieved = ratio(given, max_score) if given is not None else ZERO
            achieved_total += weighted * achieved
            per_indicator.append((indicator_id, achieved, (max_score * achieved).quantize(TWO, rounding=ROUND_HALF_UP)))
        base = achieved_total * HUNDRED / self.denominators[scheme.pk]
        four_star_share, member_average = self.standing.get(alliance_id, (ZERO, ZERO))
        member_part = (
            scheme.four_star_weight * four_star_share * HUNDRED + (ONE - scheme.four_star_weight) * member_average
        )
        total = ((ONE - scheme.member_weight) * base + scheme.member_weight * member_part).quantize(
            TWO, rounding=ROUND_HALF_UP
        )
        return AllianceFigures(
            base=base.quantize(TWO, rounding=ROUND_HALF_UP),
            four_star_share=four_star_share,
            member_average=member_average,
            total=min(HUNDRED, max(ZERO, total)),
            vetoed=alliance_id in self.vetoed,
            indicators=per_indicator,
        )


def score_alliances(schemes: dict[int, AssessmentScheme], *, period: Period, alliances: Assessed, final: bool) -> int:
    """Write the period's assessment and indicator scores of the alliances, each under its
    scheme (``schemes``: by alliance id; no ranking: see :func:`rank_period`)."""
    readings = Readings.read(set(schemes.values()), alliances, period)
    status = Assessment.Status.FINAL if final else Assessment.Status.DRAFT
    now = timezone.now()
    to_score = list(schemes.items())
    written: dict[int, list[int]] = {}  # scheme id -> ids of the assessments written under it
    for first in range(0, len(to_score), WRITE_BATCH):
        assessments, indicator_rows = [], {}
        for alliance_id, scheme in to_score[first : first + WRITE_BATCH]:
            figures = readings.score(alliance_id, scheme)
            grade = scheme.grade_for(figures.total, figures.vetoed)
            assessments.append(
                (
                    alliance_id,
                    period.kind,
                    period.start,
                    scheme.pk,
                    figures.base,
                    figures.four_star_share,
                    figures.member_average,
                    figures.total,
                    figures.vetoed,
                    grade,
                    status,
                    now,
                )
            )
            indicator_rows[alliance_id] = figures.indicators
        ids = write_scores(assessments, indicator_rows)
        for alliance_id, scheme in to_score[first : first + WRITE_BATCH]:
            written.setdefault(scheme.pk, []).append(ids[alliance_id])
    delete_stale_scores(written, readings.lines)
    return len(schemes)


def delete_stale_scores(written: dict[int, list[int]], lines: dict[int, list[Line]]) -> None:
    """Delete the indicator scores of the assessments just written (their ids, by scheme)
    whose indicator is not (or no longer) in that scheme (its ``lines``): by the ids both
    sides, where joining each score to its assessment and indicator to compare schemes took
    4.5 to 6.7 ms for a county whose scores were all current."""
    stale = Q()
    for scheme_id, assessment_ids in written.items():
        stale |= Q(assessment_id__any=assessment_ids) & ~Q(
            indicator_id__any=[line.indicator_id for line in lines[scheme_id]]
        )
    if written:
        IndicatorScore.objects.filter(stale).delete()


# Scores are computed and written this many alliances at a time: a province's 10,000
# alliances in 10 statements per table, holding 10,000 indicator scores in memory at a
# time rather than 100,000 (a whole province at once peaked at 155 MiB resident against
# 107). Member results never come to Python (score_members).
WRITE_BATCH = 1000


def write_scores(assessments: list[tuple], indicator_rows: dict[int, list[tuple]]) -> dict[int, int]:
    """Upsert a batch of assessments (``ASSESSMENT_FIELDS`` tuples), then their indicator
    scores (``(indicator id, attainment, score)`` per alliance id). Returns the assessments'
    ids by alliance id."""
    # One upsert statement whatever the mix of new and existing rows; every row is touched
    # (computed_at), so every id comes back.
    ids = dict(
        upsert(
            Assessment,
            ASSESSMENT_FIELDS,
            assessments,
            unique=["alliance", "period_kind", "period_start"],
            returning=["alliance", "id"],
            only_changed=False,
        )
    )
    upsert(
        IndicatorScore,
        ["assessment", "indicator", "attainment", "score"],
        [(ids[alliance_id], *row) for alliance_id, rows in indicator_rows.items() for row in rows],
        unique=["assessment", "indicator"],
    )
    return ids


ASSESSMENT_FIELDS = [
    "alliance",
    "period_kind",
    "period_start",
    "scheme",
    "base_score",
    "four_star_share",
    "member_average",
    "total_score",
    "vetoed",
    "grade",
    "status",
    "computed_at",
]


def rank_period(period: Period, regions: list[Region]) -> None:
    """County and city ranks of the period's assessments, by window functions in SQL: of
    every city that holds one of ``regions`` (scores elsewhere did not move, and a city's
    ranks and its counties' depend on its own alliances only), or of all for no region."""
    cities = tuple(sorted({region.prefix[:4] for region in regions}))
    if connection.vendor == "postgresql":
        prepared.execute(rank_statement, cities, kind=period.kind, start=period.start)
        return
    updates = [
        Assessment(pk=row["pk"], county_rank=row["new_county_rank"], city_rank=row["new_city_rank"])
        for row in prepared.rows(ranked_rows, cities, kind=period.kind, start=period.start)
    ]
    Assessment.objects.bulk_update(updates, ["county_rank", "city_rank"], batch_size=1000)


def ranked_rows(cities: tuple[str, ...]) -> QuerySet:
    """Each assessment of the period in the ``cities`` (code prefixes; every city for none)
    with its new ranks in its county and its city."""
    return (
        Assessment.objects.filter(
            led_from_any(set(cities), "alliance__"),
            period_kind=Param("kind", CharField()),
            period_start=Param("start", DateField()),
        )
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
        .values("pk", "new_county_rank", "new_city_rank")
    )


def rank_statement(cities: tuple[str, ...]) -> tuple[str, list]:
    """One UPDATE … FROM (the ranking query) on PostgreSQL: bulk_update's CASE WHEN per id
    grows with the square of the rows and took minutes for a province's 10,000 alliances."""
    sql, params = ranked_rows(cities).query.sql_with_params()
    table = connection.ops.quote_name(Assessment._meta.db_table)
    return (
        f"UPDATE {table} AS a SET county_rank = r.county, city_rank = r.city "  # noqa: S608 - ORM-built SQL
        f"FROM ({sql}) AS r(id, county, city) WHERE a.id = r.id "
        "AND (a.county_rank IS DISTINCT FROM r.county OR a.city_rank IS DISTINCT FROM r.city)",
        list(params),
    )


def score_members(plan: dict[AssessmentScheme, list[Region]], *, period: Period, alliances: Assessed) -> None:
    """Bound result of each member organization of the alliances for the period, with the
    weight of the scheme its alliances were scored under. An organization in alliances under
    two schemes (two cities) gets the result under the one that comes last in the plan.

    One ``INSERT … SELECT``: a GROUP BY over the current memberships of the alliances,
    joined only to the period's assessments (a filtered relation), computes every result in
    the database; a city's 4,000 results were 4 statements and 25 ms of Python arithmetic."""
    schemes = tuple((scheme.pk, scheme.alliance_weight_for_members) for scheme in plan)
    alliances.execute(member_results_statement, schemes, kind=period.kind, start=period.start, last_day=period.last_day)


def member_results_statement(alliances: QuerySet, schemes: tuple[tuple[int, Decimal], ...]) -> tuple[str, list] | None:
    """The statement of ``score_members`` for the plan's ``schemes`` (id and weight of the
    alliances' average in a member's result, in the plan's order)."""
    place = Case(
        *(When(period_assessment__scheme_id=pk, then=Value(index)) for index, (pk, _) in enumerate(schemes)),
        default=Value(-1),
        output_field=IntegerField(),
    )
    weight = Case(
        *(When(period_assessment__scheme_id=pk, then=Value(weight)) for pk, weight in schemes),
        default=Value(ZERO),
        output_field=SCORE,
    )
    own = ExpressionWrapper(Coalesce("organization__star_rating", 0) * 20, output_field=SCORE)
    failing_count = Count("period_assessment", filter=Q(period_assessment__grade=Grade.POOR))
    kind, start = Param("kind", CharField()), Param("start", DateField())
    rows = (
        Membership.objects.current(Param("last_day", DateField()))
        .filter(alliance__in=alliances)
        .annotate(
            period_assessment=FilteredRelation(
                "alliance__assessments",
                condition=Q(alliance__assessments__period_kind=kind, alliance__assessments__period_start=start),
            )
        )
        # The scheme's place in the plan and its weight are grouped with the scheme.
        .annotate(place=place, weight=weight, own=own)
        .order_by()
        .values("organization_id", "period_assessment__scheme_id", "place", "weight", "own")
        .annotate(average=Avg("period_assessment__total_score", output_field=SCORE), failing_count=failing_count)
        .annotate(
            result_kind=kind,
            result_start=start,
            alliance_average=Round("average", 2, output_field=SCORE),
            # No alliance assessed for the period: the organization's own score.
            total=Coalesce(
                Round((ONE - F("weight")) * F("own") + F("weight") * F("average"), 2, output_field=SCORE), "own"
            ),
            failing=GreaterThan(F("failing_count"), 0),
        )
    )
    if len(schemes) > 1:
        # An organization may then hold a group per scheme: the last in the plan wins. Under
        # one scheme it holds one group (every alliance here was just assessed under it).
        rows = rows.annotate(
            chosen=Window(RowNumber(), partition_by=[F("organization_id")], order_by=[F("place").desc()])
        ).filter(chosen=1)
    rows = rows.values_list(
        "organization_id", "result_kind", "result_start", "own", "alliance_average", "total", "failing"
    )
    return upsert_select_statement(
        MemberResult,
        [
            "organization",
            "period_kind",
            "period_start",
            "own_score",
            "alliance_average",
            "total_score",
            "loses_award_eligibility",
        ],
        rows,
        unique=["organization", "period_kind", "period_start"],
    )
