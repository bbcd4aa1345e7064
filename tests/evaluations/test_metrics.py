"""The computed indicators, each on a small hand-checked example."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from core.periods import MONTH, Period
from evaluations.metrics import investment_vs_target, project_completion, reporting_timeliness
from evaluations.scoring import METRICS, assessed_alliances
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db
OCTOBER = Period.parse(MONTH, "2026-10")  # four Mondays: 5, 12, 19 and 26 October
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def submitted(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 30, tzinfo=SHANGHAI)


def test_investment_counts_each_projects_latest_report_before_the_period_ends(world):
    first = ProjectFactory(alliance=world.alliance_a, year=2026, planned_investment=Decimal("1000000"))
    second = ProjectFactory(alliance=world.alliance_a, year=2026, planned_investment=Decimal("1000000"))
    ReportFactory(project=first, period=datetime.date(2026, 9, 28), investment_to_date=Decimal("100000"))
    ReportFactory(project=first, period=datetime.date(2026, 10, 26), investment_to_date=Decimal("300000"))
    ReportFactory(project=first, period=datetime.date(2026, 11, 2), investment_to_date=Decimal("900000"))  # after
    ReportFactory(project=second, period=datetime.date(2026, 10, 5), investment_to_date=Decimal("200000"))

    attainment = investment_vs_target(assessed_alliances([world.county_a], OCTOBER), OCTOBER, None)

    assert attainment == {world.alliance_a.pk: Decimal("0.2500")}  # (300,000 + 200,000) / 2,000,000


def test_completion_takes_the_average_percent_counting_a_project_completed_by_the_end_as_100(world):
    running = ProjectFactory(alliance=world.alliance_a, year=2026, status="in_progress")
    ReportFactory(project=running, period=datetime.date(2026, 10, 12), percent_complete=40)
    ProjectFactory(alliance=world.alliance_a2, year=2026, status="completed", completed_on=datetime.date(2026, 10, 20))
    ProjectFactory(alliance=world.alliance_a2, year=2026, status="completed", completed_on=datetime.date(2026, 11, 3))

    attainment = project_completion(assessed_alliances([world.county_a], OCTOBER), OCTOBER, None)

    assert attainment[world.alliance_a.pk] == Decimal("0.4000")
    # Completed in October without reports: 100; completed in November: 0 at October's end.
    assert attainment[world.alliance_a2.pk] == Decimal("0.5000")


def test_timeliness_counts_reports_in_by_the_deadline_over_the_weeks_each_project_was_under_way(world, settings):
    settings.REPORT_DEADLINE_GRACE_DAYS = 3  # a week's report is due by the Wednesday after it
    started = datetime.date(2026, 9, 1)
    running = ProjectFactory(alliance=world.alliance_a, status="in_progress", start_on=started)
    ProjectFactory(alliance=world.alliance_a, status="delayed", start_on=started)  # 4 weeks due, never reported
    # On time, on time (Tuesday after), late (Thursday week after), the week of 26 October missing.
    for monday, at in ((5, submitted(10, 9)), (12, submitted(10, 20)), (19, submitted(10, 29))):
        ReportFactory(project=running, period=datetime.date(2026, 10, monday), submitted_at=at)
    ReportFactory(project=running, period=datetime.date(2026, 9, 28), submitted_at=submitted(10, 1))  # before
    # Completed on Wednesday 14 October: only the week of 5 October is due.
    finished = ProjectFactory(
        alliance=world.alliance_a, status="completed", start_on=started, completed_on=datetime.date(2026, 10, 14)
    )
    for monday in (5, 12):
        ReportFactory(project=finished, period=datetime.date(2026, 10, monday), submitted_at=submitted(10, monday + 1))
    ProjectFactory(alliance=world.alliance_a2, status="in_progress", start_on=datetime.date(2026, 11, 2))  # after

    attainment = reporting_timeliness(assessed_alliances([world.county_a], OCTOBER), OCTOBER, None)

    # October holds four Mondays: 4 + 4 + 1 reports due, 3 in by the deadline.
    assert attainment == {world.alliance_a.pk: Decimal("0.3333")}
    assert METRICS["reporting_timeliness"].absent is None  # A2 had nothing due: not applicable
