"""Indicators computed from the data: one grouped query per metric for all alliances.

Each function takes the alliances being assessed (a queryset), the period and the
indicator, and returns ``{alliance id: attainment}`` with attainment between 0 and 1.
An alliance with no data has no entry (attainment 0, unless its metric says otherwise).
Every figure is read as of the period's end from dated rows (a project's start, completion
and cancellation days, a claim's closing day, a report's submission and review times);
their definitions are in docs/indicators.md.

Each metric has a "rows" function: the queryset of the rows behind the figure (one row per
project, report, claim, meeting…), the figure being that queryset grouped by alliance. The
scorecard (``scorecard.py``) lists the same rows, so a figure and the rows shown behind it
have one definition.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from alliances.models import Activity, Claim, ClaimStatus, Meeting, MeetingKind
from core.periods import Period
from projects import reporting
from projects.models import MONEY, Project, latest_standing_report
from tracking.figures import year_items
from tracking.models import TrackedItem
from workshops.models import WorkshopReport

from .scoring import NOT_APPLICABLE, clamp, metric, ratio


def year_projects(alliances: QuerySet, period: Period) -> QuerySet:
    """The alliances' projects of the period's year, but for those cancelled before the
    period's end."""
    return Project.objects.filter(alliance__in=alliances, year=period.start.year).exclude(cancelled_on__lt=period.end)


def completion_rows(alliances: QuerySet, period: Period) -> QuerySet:
    """The year's projects, each with ``percent``: its percent complete at the period's end
    (100 when completed by then, else that of its latest report not returned, else 0)."""
    percent = Case(
        When(completed_on__lt=period.end, then=Value(100)),
        default=Coalesce(Subquery(latest_standing_report(period.end).values("percent_complete")[:1]), 0),
        output_field=IntegerField(),
    )
    return year_projects(alliances, period).annotate(percent=percent)


@metric("project_completion")
def project_completion(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Average percent complete of the year's projects at the period's end: 100 for a
    project completed by then, else the percent of its latest report not returned."""
    rows = completion_rows(alliances, period).values("alliance_id").annotate(average=Avg("percent"))
    return {row["alliance_id"]: clamp(Decimal(str(row["average"])) / 100) for row in rows}


# ------------------------------------------------------------------- reporting timeliness


@metric("reporting_timeliness", absent=NOT_APPLICABLE)
def reporting_timeliness(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal | None]:
    """Reports received by their deadline over the reports due (docs/indicators.md). An
    alliance with nothing due is left out: the indicator does not apply to it."""
    projects = Project.objects.filter(alliance__in=alliances)
    weeks, cutoff = reporting.weeks_of(period), reporting.period_cutoff(period)
    return {
        alliance_id: ratio(figures.on_time, figures.due) if figures.due else NOT_APPLICABLE
        for alliance_id, figures in reporting.figures(projects, weeks, cutoff, by="alliance_id").items()
    }


def investment_rows(alliances: QuerySet, period: Period) -> QuerySet:
    """The year's projects with a planned investment, each with ``spent``: the investment
    to date of its latest report, not returned, of a week before the period's end (else 0)."""
    spent = Coalesce(
        Subquery(latest_standing_report(period.end).values("investment_to_date")[:1]),
        Decimal(0),
        output_field=MONEY,
    )
    return year_projects(alliances, period).filter(planned_investment__gt=0).annotate(spent=spent)


@metric("investment_vs_target")
def investment_vs_target(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Investment to date over planned investment, for the year's projects with a plan: each
    project's investment of its latest report, not returned, of a week before the period's end."""
    rows = (
        investment_rows(alliances, period)
        .values("alliance_id")
        .annotate(spent_total=Sum("spent", output_field=MONEY), planned_total=Sum("planned_investment"))
    )
    return {row["alliance_id"]: ratio(row["spent_total"], row["planned_total"]) for row in rows}


def workshop_rows(alliances: QuerySet, period: Period) -> QuerySet:
    """The monthly figures of the alliances' workshops for the months of the period."""
    return WorkshopReport.objects.filter(
        workshop__alliance__in=alliances, month__gte=period.start, month__lt=period.end
    )


def workshop_target(indicator) -> Decimal:
    """The monthly low-income head-count an alliance's workshops are expected to employ."""
    return indicator.target or Decimal(1)


@metric("workshop_low_income")
def workshop_low_income(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Average monthly low-income head-count in the alliance's workshops over the target."""
    target = workshop_target(indicator)
    rows = workshop_rows(alliances, period).values("workshop__alliance_id").annotate(total=Sum("low_income_employed"))
    return {row["workshop__alliance_id"]: clamp(Decimal(row["total"]) / period.months / target) for row in rows}


def meetings_expected(period: Period) -> dict[str, int]:
    """How many meetings of each kind the period expects (more of a kind count no further)."""
    months = period.months
    return {MeetingKind.MONTHLY: months, MeetingKind.QUARTERLY: months // 3, MeetingKind.ANNUAL: months // 12}


def meeting_rows(alliances: QuerySet, period: Period) -> QuerySet:
    """The alliances' meetings held in the period."""
    return Meeting.objects.filter(alliance__in=alliances, held_on__gte=period.start, held_on__lt=period.end)


@metric("meetings_on_rhythm")
def meetings_on_rhythm(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """ "三会" held in the period over those expected (a month expects one monthly meeting;
    a quarter three monthly and one quarterly; a year twelve, four and one)."""
    expected = meetings_expected(period)
    rows = (
        meeting_rows(alliances, period)
        .values("alliance_id")
        .annotate(
            monthly=Count("pk", filter=Q(kind=MeetingKind.MONTHLY)),
            quarterly=Count("pk", filter=Q(kind=MeetingKind.QUARTERLY)),
            annual=Count("pk", filter=Q(kind=MeetingKind.ANNUAL)),
        )
    )
    due = sum(expected.values())
    return {
        row["alliance_id"]: ratio(sum(min(row[kind], count) for kind, count in expected.items()), due) for row in rows
    }


def activities_target(period: Period, indicator) -> Decimal:
    """The activities expected in the period: the yearly target (12 unless set), pro rata."""
    return (indicator.target or Decimal(12)) * period.months / 12


def activity_rows(alliances: QuerySet, period: Period) -> QuerySet:
    """The alliances' "五联" activities held in the period."""
    return Activity.objects.filter(alliance__in=alliances, held_on__gte=period.start, held_on__lt=period.end)


@metric("activities_held")
def activities_held(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """ "五联" activities held in the period against the yearly target, pro rata."""
    target = activities_target(period, indicator)
    rows = activity_rows(alliances, period).values("alliance_id").annotate(held=Count("pk"))
    return {row["alliance_id"]: ratio(row["held"], target) for row in rows}


def claim_rows(alliances: QuerySet, period: Period) -> QuerySet:
    """The claims on the alliances' needs made this year by the period's end and not
    withdrawn by then, each with ``resolved``: resolved by then (``closed_on`` dates it)."""
    end = period.end
    return (
        Claim.objects.filter(
            need__alliance__in=alliances,
            claimed_on__gte=datetime.date(period.start.year, 1, 1),
            claimed_on__lt=end,
        )
        .exclude(status=ClaimStatus.WITHDRAWN, closed_on__lt=end)
        .annotate(
            resolved=Case(
                When(Q(status=ClaimStatus.RESOLVED, closed_on__lt=end), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def item_rows(alliances: QuerySet, period: Period) -> QuerySet:
    """The alliances' tracked items (督办事项) raised this year by the period's end, each
    with ``on_time``: confirmed solved by then and handled by its deadline
    (tracking.figures.year_items)."""
    return year_items(TrackedItem.objects.filter(alliance__in=alliances), period)


@metric("claims_resolved")
def claims_resolved(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Of the claims on the alliance's needs made this year by the period's end and not
    withdrawn by then, and of its tracked items raised this year by then, the share
    resolved by then: a claim resolved (``closed_on``), an item confirmed solved and
    handled by its deadline (docs/indicators.md)."""
    counts: dict[int, list[int]] = {}
    claims = (
        claim_rows(alliances, period)
        .values("need__alliance_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(resolved=True)))
    )
    for row in claims:
        counts[row["need__alliance_id"]] = [row["total"], row["done"]]
    items = (
        item_rows(alliances, period)
        .values("alliance_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(on_time=True)))
    )
    for row in items:
        total, done = counts.get(row["alliance_id"], [0, 0])
        counts[row["alliance_id"]] = [total + row["total"], done + row["done"]]
    return {alliance_id: ratio(done, total) for alliance_id, (total, done) in counts.items()}
