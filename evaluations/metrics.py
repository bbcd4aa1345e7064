"""Indicators computed from the data: one grouped query per metric for all alliances.

Each function takes the alliances being assessed (a queryset), the period and the
indicator, and returns ``{alliance id: attainment}`` with attainment between 0 and 1.
An alliance with no data has no entry (attainment 0, unless its metric says otherwise).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Avg, Count, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThan

from alliances.models import Activity, Claim, ClaimStatus, Meeting, MeetingKind
from members.periods import Period, local_zone
from projects.models import ACTIVE_STATUSES, MONEY, ProgressReport, Project, ProjectStatus
from workshops.models import WorkshopReport

from .scoring import clamp, metric, ratio


def latest_report(end: datetime.date) -> QuerySet:
    """Each project's latest report of a week that began before ``end`` (the period's end)."""
    return ProgressReport.objects.filter(project=OuterRef("pk"), period__lt=end).order_by("-period")


def year_projects(alliances: QuerySet, year: int) -> QuerySet:
    """The alliances' projects of the year, cancelled ones aside."""
    return Project.objects.filter(alliance__in=alliances, year=year).exclude(status=ProjectStatus.CANCELLED)


@metric("project_completion")
def project_completion(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Average percent complete of the year's projects at the end of the period (a
    completed project counts 100)."""
    rows = (
        year_projects(alliances, period.start.year)
        .annotate(reported=Coalesce(Subquery(latest_report(period.end).values("percent_complete")[:1]), 0))
        .values("alliance_id")
        .annotate(
            average=Avg("reported"),
            completed=Count("pk", filter=Q(status=ProjectStatus.COMPLETED)),
            projects=Count("pk"),
        )
    )
    return {
        row["alliance_id"]: clamp(
            max(Decimal(str(row["average"] or 0)) / 100, ratio(row["completed"], row["projects"]))
        )
        for row in rows
    }


@metric("reporting_timeliness")
def reporting_timeliness(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Weekly reports submitted by the end of their week, over the reports due: projects
    under way × weeks of the period."""
    rows = (
        Project.objects.filter(alliance__in=alliances, status__in=ACTIVE_STATUSES)
        .annotate(
            period_report=FilteredRelation(
                "reports", condition=Q(reports__period__gte=period.start, reports__period__lt=period.end)
            )
        )
        .values("alliance_id")
        .annotate(
            projects=Count("pk", distinct=True),
            on_time=Count("period_report", filter=in_time("period_report")),
        )
    )
    return {row["alliance_id"]: ratio(row["on_time"], row["projects"] * period.weeks) for row in rows}


def in_time(report: str = "") -> LessThan:
    """A report is in time when submitted on a Shanghai date before the Monday after its
    week: the condition for the report itself, or for the one at the relation ``report``."""
    prefix = f"{report}__" if report else ""
    return LessThan(
        TruncDate(f"{prefix}submitted_at", tzinfo=local_zone()),
        F(f"{prefix}period") + datetime.timedelta(days=7),
    )


@metric("investment_vs_target")
def investment_vs_target(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Investment to date (latest report) over planned investment, for the year's projects."""
    rows = (
        year_projects(alliances, period.start.year)
        .filter(planned_investment__gt=0)
        .with_investment_to_date(before=period.end)
        .values("alliance_id")
        .annotate(spent_total=Sum("spent", output_field=MONEY), planned_total=Sum("planned_investment"))
    )
    return {row["alliance_id"]: ratio(row["spent_total"], row["planned_total"]) for row in rows}


@metric("workshop_low_income")
def workshop_low_income(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Average monthly low-income head-count in the alliance's workshops over the target."""
    target = indicator.target or Decimal(1)
    rows = (
        WorkshopReport.objects.filter(workshop__alliance__in=alliances, month__gte=period.start, month__lt=period.end)
        .values("workshop__alliance_id")
        .annotate(total=Sum("low_income_employed"))
    )
    return {row["workshop__alliance_id"]: clamp(Decimal(row["total"]) / period.months / target) for row in rows}


@metric("meetings_on_rhythm")
def meetings_on_rhythm(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """ "三会" held in the period over those expected (a month expects one monthly meeting;
    a quarter three monthly and one quarterly; a year twelve, four and one)."""
    months = period.months
    expected = {"monthly": months, "quarterly": months // 3, "annual": months // 12}
    rows = (
        Meeting.objects.filter(alliance__in=alliances, held_on__gte=period.start, held_on__lt=period.end)
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


@metric("activities_held")
def activities_held(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """ "五联" activities held in the period against the yearly target, pro rata."""
    target = (indicator.target or Decimal(12)) * period.months / 12
    rows = (
        Activity.objects.filter(alliance__in=alliances, held_on__gte=period.start, held_on__lt=period.end)
        .values("alliance_id")
        .annotate(held=Count("pk"))
    )
    return {row["alliance_id"]: ratio(row["held"], target) for row in rows}


@metric("claims_resolved")
def claims_resolved(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Claims on the alliance's needs made this year by the period's end: the share resolved."""
    rows = (
        Claim.objects.filter(
            need__alliance__in=alliances,
            claimed_on__gte=datetime.date(period.start.year, 1, 1),
            claimed_on__lt=period.end,
        )
        .exclude(status=ClaimStatus.WITHDRAWN)
        .values("need__alliance_id")
        .annotate(claims=Count("pk"), resolved=Count("pk", filter=Q(status=ClaimStatus.RESOLVED)))
    )
    return {row["need__alliance_id"]: ratio(row["resolved"], row["claims"]) for row in rows}
