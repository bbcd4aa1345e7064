"""Indicators computed from the data: one grouped query per metric for all alliances.

Each function takes the alliances being assessed (``scoring.Assessed``), the period and the
indicator, and returns ``{alliance_id: attainment}`` with attainment between 0 and 1.
Alliances with no data simply have no entry (attainment 0). Each query is a prepared one
(``members.prepared``): built from the alliances and ``Param`` placeholders by a function
of its own, compiled once, and run with the period's dates.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DateField,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThan

from alliances.models import Activity, Claim, ClaimStatus, Meeting, MeetingKind
from members.periods import Period, local_zone
from members.prepared import Param
from projects.models import ACTIVE_STATUSES, MONEY, ProgressReport, Project, ProjectStatus
from workshops.models import WorkshopReport

from .scoring import Assessed, clamp, metric, ratio


def day(name: str) -> Param:
    """A date bound when the query runs (the period's start, end, …)."""
    return Param(name, DateField())


def latest_report(end) -> QuerySet:
    """Each project's latest report of a week that began before ``end`` (the period's end)."""
    return ProgressReport.objects.filter(project=OuterRef("pk"), period__lt=end).order_by("-period")


def year_projects(alliances: QuerySet) -> QuerySet:
    """The alliances' projects of the year ``Param("year")``, cancelled ones aside."""
    return Project.objects.filter(alliance__in=alliances, year=Param("year", IntegerField())).exclude(
        status=ProjectStatus.CANCELLED
    )


def completion_rows(alliances: QuerySet) -> QuerySet:
    return (
        year_projects(alliances)
        .annotate(reported=Coalesce(Subquery(latest_report(day("end")).values("percent_complete")[:1]), 0))
        .values("alliance_id")
        .annotate(
            average=Avg("reported"),
            completed=Count("pk", filter=Q(status=ProjectStatus.COMPLETED)),
            projects=Count("pk"),
        )
    )


@metric("project_completion")
def project_completion(alliances: Assessed, period: Period, indicator) -> dict[int, Decimal]:
    """Average percent complete of the year's projects at the end of the period (a
    completed project counts 100)."""
    rows = alliances.rows(completion_rows, year=period.start.year, end=period.end)
    return {
        row["alliance_id"]: clamp(
            max(Decimal(str(row["average"] or 0)) / 100, ratio(row["completed"], row["projects"]))
        )
        for row in rows
    }


@metric("reporting_timeliness")
def reporting_timeliness(alliances: Assessed, period: Period, indicator) -> dict[int, Decimal]:
    """Weekly reports submitted by the end of their week, over the reports due: projects
    under way × weeks of the period."""
    weeks = period.weeks
    rows = alliances.rows(timeliness_rows, settings.TIME_ZONE, start=period.start, end=period.end)
    return {row["alliance_id"]: ratio(row["on_time"], row["projects"] * weeks) for row in rows}


def timeliness_rows(alliances: QuerySet, zone: str) -> QuerySet:
    """One statement: the projects under way, each joined to its reports of the period
    (``zone``: the time zone a report's day is read in, the setting's)."""
    return (
        Project.objects.filter(alliance__in=alliances, status__in=ACTIVE_STATUSES)
        .annotate(
            period_report=FilteredRelation(
                "reports", condition=Q(reports__period__gte=day("start"), reports__period__lt=day("end"))
            )
        )
        .values("alliance_id")
        .annotate(
            projects=Count("pk", distinct=True),
            on_time=Count("period_report", filter=in_time("period_report", zoneinfo.ZoneInfo(zone))),
        )
    )


def in_time(report: str = "", zone: zoneinfo.ZoneInfo | None = None) -> LessThan:
    """A report is in time when submitted on a Shanghai date (in ``zone``, the setting's
    unless told) before the Monday after its week: the condition for the report itself, or
    for the one at the relation ``report``."""
    prefix = f"{report}__" if report else ""
    return LessThan(
        TruncDate(f"{prefix}submitted_at", tzinfo=zone or local_zone()),
        F(f"{prefix}period") + datetime.timedelta(days=7),
    )


@metric("investment_vs_target")
def investment_vs_target(alliances: Assessed, period: Period, indicator) -> dict[int, Decimal]:
    """Investment to date (latest report) over planned investment, for the year's projects."""
    rows = alliances.rows(investment_rows, year=period.start.year, end=period.end)
    return {row["alliance_id"]: ratio(row["spent_total"], row["planned_total"]) for row in rows}


def investment_rows(alliances: QuerySet) -> QuerySet:
    return (
        year_projects(alliances)
        .filter(planned_investment__gt=0)
        .with_investment_to_date(before=day("end"))
        .values("alliance_id")
        .annotate(spent_total=Sum("spent", output_field=MONEY), planned_total=Sum("planned_investment"))
    )


@metric("workshop_low_income")
def workshop_low_income(alliances: Assessed, period: Period, indicator) -> dict[int, Decimal]:
    """Average monthly low-income head-count in the alliance's workshops over the target."""
    target = indicator.target or Decimal(1)
    months = period.months
    rows = alliances.rows(low_income_rows, start=period.start, end=period.end)
    return {row["workshop__alliance_id"]: clamp(Decimal(row["total"]) / months / target) for row in rows}


def low_income_rows(alliances: QuerySet) -> QuerySet:
    return (
        WorkshopReport.objects.filter(workshop__alliance__in=alliances, month__gte=day("start"), month__lt=day("end"))
        .values("workshop__alliance_id")
        .annotate(total=Sum("low_income_employed"))
    )


@metric("meetings_on_rhythm")
def meetings_on_rhythm(alliances: Assessed, period: Period, indicator) -> dict[int, Decimal]:
    """ "三会" held in the period over those expected (a month expects one monthly meeting;
    a quarter three monthly and one quarterly; a year twelve, four and one)."""
    months = period.months
    expected = {"monthly": months, "quarterly": months // 3, "annual": months // 12}
    rows = alliances.rows(meeting_rows, start=period.start, end=period.end)
    due = sum(expected.values())
    return {
        row["alliance_id"]: ratio(sum(min(row[kind], count) for kind, count in expected.items()), due) for row in rows
    }


def meeting_rows(alliances: QuerySet) -> QuerySet:
    return (
        Meeting.objects.filter(alliance__in=alliances, held_on__gte=day("start"), held_on__lt=day("end"))
        .values("alliance_id")
        .annotate(
            monthly=Count("pk", filter=Q(kind=MeetingKind.MONTHLY)),
            quarterly=Count("pk", filter=Q(kind=MeetingKind.QUARTERLY)),
            annual=Count("pk", filter=Q(kind=MeetingKind.ANNUAL)),
        )
    )


@metric("activities_held")
def activities_held(alliances: Assessed, period: Period, indicator) -> dict[int, Decimal]:
    """ "五联" activities held in the period against the yearly target, pro rata."""
    target = (indicator.target or Decimal(12)) * period.months / 12
    rows = alliances.rows(activity_rows, start=period.start, end=period.end)
    return {row["alliance_id"]: ratio(row["held"], target) for row in rows}


def activity_rows(alliances: QuerySet) -> QuerySet:
    return (
        Activity.objects.filter(alliance__in=alliances, held_on__gte=day("start"), held_on__lt=day("end"))
        .values("alliance_id")
        .annotate(held=Count("pk"))
    )


@metric("claims_resolved")
def claims_resolved(alliances: Assessed, period: Period, indicator) -> dict[int, Decimal]:
    """Claims on the alliance's needs made this year by the period's end: the share resolved."""
    rows = alliances.rows(claim_rows, year_start=datetime.date(period.start.year, 1, 1), end=period.end)
    return {row["need__alliance_id"]: ratio(row["resolved"], row["claims"]) for row in rows}


def claim_rows(alliances: QuerySet) -> QuerySet:
    return (
        Claim.objects.filter(need__alliance__in=alliances, claimed_on__gte=day("year_start"), claimed_on__lt=day("end"))
        .exclude(status=ClaimStatus.WITHDRAWN)
        .values("need__alliance_id")
        .annotate(claims=Count("pk"), resolved=Count("pk", filter=Q(status=ClaimStatus.RESOLVED)))
    )
