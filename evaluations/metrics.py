"""Indicators computed from the data: one grouped query per metric for all alliances.

Each function takes the alliances being assessed (a queryset), the period and the
indicator, and returns ``{alliance id: attainment}`` with attainment between 0 and 1.
An alliance with no data has no entry (attainment 0, unless its metric says otherwise).
Every figure is read as of the period's end from dated rows (a project's start, completion
and cancellation days, a claim's closing day, a report's submission and review times);
their definitions are in docs/indicators.md.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThan

from alliances.models import Activity, Claim, ClaimStatus, Meeting, MeetingKind
from core.periods import Period, local_zone
from projects.models import MONEY, ProgressReport, Project, ProjectStatus, ReportStatus
from projects.weeks import week_start
from workshops.models import WorkshopReport

from .scoring import NOT_APPLICABLE, clamp, metric, ratio


def latest_standing_report(end: datetime.date) -> QuerySet:
    """Each project's latest report of a week that began before ``end`` (the period's end),
    returned reports aside (their figures were not accepted)."""
    return (
        ProgressReport.objects.filter(project=OuterRef("pk"), period__lt=end)
        .exclude(status=ReportStatus.RETURNED)
        .order_by("-period")
    )


def year_projects(alliances: QuerySet, period: Period) -> QuerySet:
    """The alliances' projects of the period's year, but for those cancelled before the
    period's end."""
    return Project.objects.filter(alliance__in=alliances, year=period.start.year).exclude(cancelled_on__lt=period.end)


@metric("project_completion")
def project_completion(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Average percent complete of the year's projects at the period's end: 100 for a
    project completed by then, else the percent of its latest report not returned."""
    percent = Case(
        When(completed_on__lt=period.end, then=Value(100)),
        default=Coalesce(Subquery(latest_standing_report(period.end).values("percent_complete")[:1]), 0),
        output_field=IntegerField(),
    )
    rows = (
        year_projects(alliances, period)
        .annotate(percent=percent)
        .values("alliance_id")
        .annotate(average=Avg("percent"))
    )
    return {row["alliance_id"]: clamp(Decimal(str(row["average"])) / 100) for row in rows}


# ------------------------------------------------------------------- reporting timeliness


def under_way_on(day: datetime.date | F | CombinedExpression, project: str = "") -> Q:
    """Projects under way on ``day``: started (``start_on``) by then, out of planning, and
    neither completed nor cancelled on or before it (``project``: the path to the project)."""
    path = f"{project}__" if project else ""
    return (
        Q(**{f"{path}start_on__lte": day})
        & ~Q(**{f"{path}status": ProjectStatus.PLANNED})
        & (Q(**{f"{path}completed_on__isnull": True}) | Q(**{f"{path}completed_on__gt": day}))
        & (Q(**{f"{path}cancelled_on__isnull": True}) | Q(**{f"{path}cancelled_on__gt": day}))
    )


def mondays(period: Period) -> list[datetime.date]:
    """The Mondays of the period: the ISO weeks that belong to it (a week belongs to the
    period that holds its Monday; a quarter has 13 or 14)."""
    first = period.start + datetime.timedelta(days=-period.start.weekday() % 7)
    return [first + datetime.timedelta(weeks=n) for n in range(((period.end - first).days + 6) // 7)]


def weeks_due(weeks: list[datetime.date], start_on, completed_on, cancelled_on) -> int:
    """How many of ``weeks`` (Mondays, in order) a project owes a report for: those at
    whose end (Sunday) it was under way. A week is owed from the one holding ``start_on``
    up to the one before the week it was completed or cancelled in."""
    first = max(weeks[0], week_start(start_on))
    last = weeks[-1]
    for finished in (completed_on, cancelled_on):
        if finished is not None:
            last = min(last, week_start(finished) - datetime.timedelta(weeks=1))
    return (last - first).days // 7 + 1 if last >= first else 0


def deadline_met(report: str = "", days_after_monday: int | None = None) -> LessThan:
    """A report (the one at the relation ``report``, or the row itself) submitted by its
    deadline: on a Shanghai date before its week's Monday + ``days_after_monday`` (7 +
    ``REPORT_DEADLINE_GRACE_DAYS`` unless told: the end of its Sunday plus the grace)."""
    prefix = f"{report}__" if report else ""
    if days_after_monday is None:
        days_after_monday = 7 + settings.REPORT_DEADLINE_GRACE_DAYS
    return LessThan(
        TruncDate(f"{prefix}submitted_at", tzinfo=local_zone()),
        F(f"{prefix}period") + datetime.timedelta(days=days_after_monday),
    )


def in_time(report: str = "") -> LessThan:
    """A report submitted by the end of its week (its Sunday, Shanghai): the weekly
    dispatch's figure, read on the Monday after the week."""
    return deadline_met(report, days_after_monday=7)


@metric("reporting_timeliness", absent=NOT_APPLICABLE)
def reporting_timeliness(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal | None]:
    """Reports received by their deadline over the reports due (docs/indicators.md). An
    alliance with nothing due is left out: the indicator does not apply to it."""
    from projects import reporting

    projects = Project.objects.filter(alliance__in=alliances)
    weeks, cutoff = reporting.weeks_of(period), reporting.period_cutoff(period)
    return {
        alliance_id: ratio(figures.on_time, figures.due) if figures.due else NOT_APPLICABLE
        for alliance_id, figures in reporting.figures(projects, weeks, cutoff, by="alliance_id").items()
    }


@dataclass
class Reporting:
    """An alliance's weekly reports of a period: due, received by the deadline, received late."""

    due: int = 0
    on_time: int = 0
    late: int = 0


def reporting_figures(alliances: QuerySet, period: Period) -> dict[int, Reporting]:
    """The reporting figures of each alliance with a project under way in the period.

    Due: one report per project for each week of the period at whose end the project was
    under way. On time: that week's report submitted by its deadline; late: submitted after
    the deadline but before the period's end. Either way not left returned at the period's
    end (returned before it and not sent again)."""
    weeks = mondays(period)
    figures: dict[int, Reporting] = {}
    if not weeks:
        return figures
    first_sunday, last_sunday = weeks[0] + SIX_DAYS, weeks[-1] + SIX_DAYS
    projects = (
        Project.objects.filter(alliance__in=alliances, start_on__lte=last_sunday)
        .exclude(status=ProjectStatus.PLANNED)
        .exclude(completed_on__lte=first_sunday)
        .exclude(cancelled_on__lte=first_sunday)
        .values_list("alliance_id", "start_on", "completed_on", "cancelled_on")
    )
    for alliance_id, start_on, completed_on, cancelled_on in projects:
        due = weeks_due(weeks, start_on, completed_on, cancelled_on)
        if due:
            figures.setdefault(alliance_id, Reporting()).due += due
    # A report returned before the period's end and not sent again by then is not received.
    cut_off = period.end_at
    received = (
        ProgressReport.objects.filter(project__alliance__in=alliances, period__gte=weeks[0], period__lte=weeks[-1])
        .filter(under_way_on(F("period") + SIX_DAYS, "project"))
        .exclude(status=ReportStatus.RETURNED, reviewed_at__lt=cut_off)
        .values("project__alliance_id")
        .annotate(
            on_time=Count("pk", filter=deadline_met()),
            late=Count("pk", filter=~deadline_met() & Q(submitted_at__lt=cut_off)),
        )
    )
    for row in received:
        alliance = figures.setdefault(row["project__alliance_id"], Reporting())
        alliance.on_time, alliance.late = row["on_time"], row["late"]
    return figures


SIX_DAYS = datetime.timedelta(days=6)


@metric("investment_vs_target")
def investment_vs_target(alliances: QuerySet, period: Period, indicator) -> dict[int, Decimal]:
    """Investment to date over planned investment, for the year's projects with a plan: each
    project's investment of its latest report, not returned, of a week before the period's end."""
    spent = Coalesce(
        Subquery(latest_standing_report(period.end).values("investment_to_date")[:1]),
        Decimal(0),
        output_field=MONEY,
    )
    rows = (
        year_projects(alliances, period)
        .filter(planned_investment__gt=0)
        .annotate(spent=spent)
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
    """Of the claims on the alliance's needs made this year by the period's end and not
    withdrawn by then, the share resolved by then (``closed_on`` dates the resolution)."""
    end = period.end
    rows = (
        Claim.objects.filter(
            need__alliance__in=alliances,
            claimed_on__gte=datetime.date(period.start.year, 1, 1),
            claimed_on__lt=end,
        )
        .exclude(status=ClaimStatus.WITHDRAWN, closed_on__lt=end)
        .values("need__alliance_id")
        .annotate(claims=Count("pk"), resolved=Count("pk", filter=Q(status=ClaimStatus.RESOLVED, closed_on__lt=end)))
    )
    return {row["need__alliance_id"]: ratio(row["resolved"], row["claims"]) for row in rows}
