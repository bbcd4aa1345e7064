"""The computed indicators, each on a small hand-checked example."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from evaluations.metrics import investment_vs_target, project_completion
from evaluations.scoring import alliances_in
from members.periods import MONTH, Period
from tests.factories_projects import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db
OCTOBER = Period.parse(MONTH, "2026-10")


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
