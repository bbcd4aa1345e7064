"""The computed indicators, each on a small hand-checked example."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from evaluations.metrics import investment_vs_target, project_completion, reporting_timeliness
from evaluations.scoring import alliances_in
from members.periods import MONTH, Period
from tests.factories_projects import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db
OCTOBER = Period.parse(MONTH, "2026-10")  # five weeks begin in it: five reports due per project
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

    attainment = investment_vs_target(alliances_in(world.county_a), OCTOBER, None)

    assert attainment == {world.alliance_a.pk: Decimal("0.2500")}  # (300,000 + 200,000) / 2,000,000


def test_completion_takes_the_average_percent_or_the_share_completed(world):
    running = ProjectFactory(alliance=world.alliance_a, year=2026, status="in_progress")
    ReportFactory(project=running, period=datetime.date(2026, 10, 12), percent_complete=40)
    ProjectFactory(alliance=world.alliance_a2, year=2026, status="completed")

    attainment = project_completion(alliances_in(world.county_a), OCTOBER, None)

    assert attainment[world.alliance_a.pk] == Decimal("0.4000")
    assert attainment[world.alliance_a2.pk] == Decimal("1.0000")  # completed without reports counts in full


def test_timeliness_counts_reports_in_by_sunday_over_the_reports_due_from_projects_under_way(world):
    running = ProjectFactory(alliance=world.alliance_a, status="in_progress")
    ProjectFactory(alliance=world.alliance_a, status="delayed")  # due, never reported
    # In time, late, late (00:30 on Monday in Shanghai, still Sunday in UTC), in time on the Sunday.
    for monday, at in (
        (5, submitted(10, 9)),
        (12, submitted(10, 20)),
        (19, submitted(10, 26, 0)),
        (26, submitted(11, 1)),
    ):
        ReportFactory(project=running, period=datetime.date(2026, 10, monday), submitted_at=at)
    ReportFactory(project=running, period=datetime.date(2026, 9, 28), submitted_at=submitted(10, 1))  # before
    finished = ProjectFactory(alliance=world.alliance_a, status="completed")  # no longer due
    ReportFactory(project=finished, period=datetime.date(2026, 10, 5), submitted_at=submitted(10, 6))
    other = ProjectFactory(alliance=world.alliance_a2, status="in_progress")
    for monday in (5, 12):
        ReportFactory(project=other, period=datetime.date(2026, 10, monday), submitted_at=submitted(10, monday + 1))

    attainment = reporting_timeliness(alliances_in(world.county_a), OCTOBER, None)

    assert attainment == {
        world.alliance_a.pk: Decimal("0.2000"),  # 2 in time of 2 projects × 5 weeks
        world.alliance_a2.pk: Decimal("0.4000"),  # 2 of 1 × 5
    }
