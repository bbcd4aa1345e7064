"""The weekly reporting rule: which reports are due, received, late or missing.

One rule, used by the weekly dispatch, the dashboard and the reporting timeliness indicator
(docs/indicators.md, "进度按时报送率 / Reporting timeliness"):

- **Due**: one report per project for each ISO week at whose end (its Sunday) the project
  was under way, judged from its dated facts (``start_on``, ``completed_on``,
  ``cancelled_on``), not from today's status. A project owes the week it started in and
  none from the week it was completed or cancelled in.
- **Deadline**: the week's end plus ``settings.REPORT_DEADLINE_GRACE_DAYS`` days (Shanghai
  dates: by the end of the Wednesday after the week with the default 3).
- **Received** as of a cut-off: a version of the report had been sent by the cut-off, and the
  report did not stand returned then (a version returned by the cut-off with no later
  version sent by it). A report returned and corrected counts; one left returned does not.
- **On time**: received, and the version standing at the cut-off was sent by the deadline;
  **late**: received, the standing version sent after the deadline; **missing**: due and
  not received.

The cut-off is the moment the figures are read as of: the dispatch's production time, the
dashboard's now, the deadline of a period's last week for an indicator. The report's
earlier versions and their reviews are read from ``ProgressReportRevision``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThanOrEqual

from core.periods import Period, local_zone

from .models import ProgressReport, ProgressReportRevision, Project, ProjectStatus, ReportStatus

SIX_DAYS = datetime.timedelta(days=6)


def deadline_days() -> int:
    """Days from a week's Monday to the first day after its deadline."""
    return 7 + settings.REPORT_DEADLINE_GRACE_DAYS


def deadline(week: datetime.date) -> datetime.datetime:
    """The deadline of the week starting ``week`` (a Monday): the first moment after it."""
    return datetime.datetime.combine(
        week + datetime.timedelta(days=deadline_days()), datetime.time(), tzinfo=local_zone()
    )


def weeks_of(period: Period) -> list[datetime.date]:
    """The Mondays of the period: the ISO weeks that belong to it (a week belongs to the
    period that holds its Monday; a quarter has 13 or 14)."""
    first = period.start + datetime.timedelta(days=-period.start.weekday() % 7)
    return [first + datetime.timedelta(weeks=n) for n in range(((period.end - first).days + 6) // 7)]


def period_cutoff(period: Period) -> datetime.datetime:
    """The moment a period's reporting is read as of: the deadline of its last week."""
    weeks = weeks_of(period)
    return deadline(weeks[-1]) if weeks else period.end_at


# ------------------------------------------------------------------- due


def under_way_in_week(week, project: str = "") -> Q:
    """Projects under way at the end of the week starting ``week`` (a date or an expression
    of one): started by its Sunday, out of planning, neither completed nor cancelled on or
    before that Sunday (``project``: the path to the project)."""
    path = f"{project}__" if project else ""
    sunday = week + SIX_DAYS
    return (
        Q(**{f"{path}start_on__lte": sunday})
        & ~Q(**{f"{path}status": ProjectStatus.PLANNED})
        & (Q(**{f"{path}completed_on__isnull": True}) | Q(**{f"{path}completed_on__gt": sunday}))
        & (Q(**{f"{path}cancelled_on__isnull": True}) | Q(**{f"{path}cancelled_on__gt": sunday}))
    )


def projects_under_way(week: datetime.date, projects: QuerySet | None = None) -> QuerySet:
    """The projects (of ``projects``, default all) that owe a report for the week."""
    return (projects if projects is not None else Project.objects.all()).filter(under_way_in_week(week))


def due_weeks(weeks: list[datetime.date], start_on, completed_on, cancelled_on) -> list[datetime.date]:
    """The ``weeks`` (Mondays) a project with these dates owes a report for."""
    return [
        week
        for week in weeks
        if start_on <= week + SIX_DAYS
        and (completed_on is None or completed_on > week + SIX_DAYS)
        and (cancelled_on is None or cancelled_on > week + SIX_DAYS)
    ]


def reports_due(projects: QuerySet, weeks: list[datetime.date]) -> list[tuple[int, datetime.date]]:
    """The reports due from ``projects`` for ``weeks``: (project id, Monday), one a report."""
    if not weeks:
        return []
    rows = (
        projects.filter(start_on__lte=weeks[-1] + SIX_DAYS)
        .exclude(status=ProjectStatus.PLANNED)
        .exclude(completed_on__lte=weeks[0] + SIX_DAYS)
        .exclude(cancelled_on__lte=weeks[0] + SIX_DAYS)
        .values_list("pk", "start_on", "completed_on", "cancelled_on")
    )
    return [(pk, week) for pk, *dates in rows for week in due_weeks(weeks, *dates)]


# ------------------------------------------------------------------- received, on time, late


def sent_by(moment: datetime.datetime) -> Q:
    """A version of the report had been sent by ``moment``."""
    return Q(submitted_at__lte=moment) | Exists(
        ProgressReportRevision.objects.filter(report=OuterRef("pk"), submitted_at__lte=moment)
    )


def left_returned(moment: datetime.datetime) -> Q:
    """The report stood returned at ``moment``: a version of it was returned by then and no
    later version had been sent by then. The report's own status covers the version it holds
    now; its earlier versions are read from their revisions."""
    resent = ProgressReportRevision.objects.filter(
        report=OuterRef("report"), number__gt=OuterRef("number"), submitted_at__lte=moment
    )
    returned_version = (
        ProgressReportRevision.objects.filter(
            report=OuterRef("pk"), decision=ReportStatus.RETURNED, reviewed_at__lte=moment
        )
        .exclude(report__revision__gt=F("number"), report__submitted_at__lte=moment)
        .exclude(Exists(resent))
    )
    returned_now = Q(status=ReportStatus.RETURNED) & (Q(reviewed_at__isnull=True) | Q(reviewed_at__lte=moment))
    return (returned_now & Q(submitted_at__lte=moment)) | Exists(returned_version)


def received(moment: datetime.datetime) -> QuerySet:
    """The reports received as of ``moment``."""
    return ProgressReport.objects.filter(sent_by(moment)).exclude(left_returned(moment))


def after_deadline(submitted_at: str, period) -> GreaterThanOrEqual:
    """``submitted_at`` (a field) falls on a Shanghai date after the deadline of the week
    ``period`` (the report's Monday, a field or an outer reference)."""
    return GreaterThanOrEqual(
        TruncDate(submitted_at, tzinfo=local_zone()), period + datetime.timedelta(days=deadline_days())
    )


def on_time(moment: datetime.datetime) -> QuerySet:
    """The reports received as of ``moment`` whose standing version was sent by its week's
    deadline: no version sent by ``moment`` came after the deadline."""
    late_version = ProgressReportRevision.objects.filter(
        after_deadline("submitted_at", OuterRef("period")), report=OuterRef("pk"), submitted_at__lte=moment
    )
    sent_late = Q(after_deadline("submitted_at", F("period"))) & Q(submitted_at__lte=moment)
    return received(moment).exclude(sent_late).exclude(Exists(late_version))


def late(moment: datetime.datetime) -> QuerySet:
    """The reports received as of ``moment`` whose standing version came after the deadline."""
    return received(moment).exclude(Exists(on_time(moment).filter(pk=OuterRef("pk"))))


# ------------------------------------------------------------------- figures


@dataclass
class Reporting:
    """Weekly reports of a group of projects: due, received on time, received late."""

    due: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def received(self) -> int:
        return self.on_time + self.late

    @property
    def missing(self) -> int:
        return self.due - self.received


def figures(projects: QuerySet, weeks: list[datetime.date], moment: datetime.datetime, by: str) -> dict:
    """The reporting of ``projects`` for ``weeks`` as of ``moment``, grouped by the project
    field ``by`` (e.g. "alliance_id"): only groups with a report due appear."""
    group_of = dict(projects.values_list("pk", by))
    result: dict = {}
    for project_id, _week in reports_due(projects, weeks):
        result.setdefault(group_of[project_id], Reporting()).due += 1
    if not weeks:
        return result
    rows = (
        received(moment)
        .filter(project__in=projects, period__gte=weeks[0], period__lte=weeks[-1])
        .filter(under_way_in_week(F("period"), "project"))
        .values(f"project__{by}")
        .annotate(
            on_time=Count("pk", filter=Q(Exists(on_time(moment).filter(pk=OuterRef("pk"))))),
            received=Count("pk"),
        )
    )
    for row in rows:
        group = result.setdefault(row[f"project__{by}"], Reporting())
        group.on_time, group.late = row["on_time"], row["received"] - row["on_time"]
    return result


def missing(
    projects: QuerySet, weeks: list[datetime.date], moment: datetime.datetime
) -> list[tuple[int, datetime.date]]:
    """The reports due from ``projects`` for ``weeks`` and not received as of ``moment``."""
    got = set(received(moment).filter(project__in=projects, period__in=weeks).values_list("project_id", "period"))
    return [pair for pair in reports_due(projects, weeks) if pair not in got]
