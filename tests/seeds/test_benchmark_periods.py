"""The benchmarks time the periods the seeded data holds, not the ones the calendar has
reached since: a database seeded last week still gives the dispatch a week of reports."""

from __future__ import annotations

import datetime

import pytest

from benchmarks.common import data_day
from core.periods import MONTH, WEEK, Period
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = pytest.mark.django_db


def test_the_benchmarks_day_is_the_monday_after_the_newest_reported_week():
    project = ProjectFactory()
    ReportFactory(project=project, period=datetime.date(2026, 11, 2))
    ReportFactory(project=project, period=datetime.date(2026, 11, 9))

    day = data_day()

    assert day == datetime.date(2026, 11, 16)
    assert Period.containing(WEEK, day).previous().start == datetime.date(2026, 11, 9)
    assert Period.containing(MONTH, day).previous().start == datetime.date(2026, 10, 1)


def test_a_day_given_on_the_command_line_wins_over_the_data():
    ReportFactory(period=datetime.date(2026, 11, 9))

    assert data_day("2026-07-01") == datetime.date(2026, 7, 1)


def test_a_database_without_reports_is_refused_with_a_reason():
    with pytest.raises(SystemExit, match="no progress reports"):
        data_day()
