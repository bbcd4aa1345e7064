"""The "三会" rhythm: missing monthly, quarterly and annual meetings, across period boundaries."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alliances.rhythm import rhythm_for, rhythm_of
from core.periods import MONTH, Period
from tests.alliances.factories import AllianceFactory, MeetingFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def months(start: D, count: int) -> list[D]:
    """``count`` first-of-month dates from ``start`` on."""
    return [Period(MONTH, start).plus(n).start for n in range(count)]


def labels(periods) -> list[str]:
    return [period.label for period in periods]


@pytest.fixture
def alliance():
    return AllianceFactory(founded_on=D(2020, 1, 1))


def hold_monthly(alliance, days):
    for day in days:
        MeetingFactory(alliance=alliance, kind="monthly", held_on=day)


def test_the_window_is_the_twelve_months_four_quarters_and_two_years_before_the_current_one(alliance):
    rhythm = rhythm_of(alliance, today=D(2025, 4, 15))
    monthly, quarterly, annual = rhythm.kinds
    assert [p.start for p in monthly.expected] == months(D(2024, 4, 1), 12)
    assert labels(quarterly.expected) == ["2024年第2季度", "2024年第3季度", "2024年第4季度", "2025年第1季度"]
    assert labels(annual.expected) == ["2023年度", "2024年度"]
    assert (monthly.current.start, quarterly.current.start, annual.current.start) == (
        D(2025, 4, 1),
        D(2025, 4, 1),
        D(2025, 1, 1),
    )
    assert len(rhythm.missing) == 12 + 4 + 2


def test_a_meeting_on_31_march_counts_for_march_and_one_on_1_april_for_april(alliance):
    hold_monthly(alliance, [*months(D(2024, 4, 1), 11), D(2025, 3, 31)])
    monthly = rhythm_of(alliance, today=D(2025, 4, 15)).for_kind("monthly")
    assert monthly.missing == ()
    assert monthly.current_held is False

    other = AllianceFactory(founded_on=D(2020, 1, 1))
    hold_monthly(other, [*months(D(2024, 4, 1), 11), D(2025, 4, 1)])
    monthly = rhythm_of(other, today=D(2025, 4, 15)).for_kind("monthly")
    assert labels(monthly.missing) == ["2025年3月"]
    assert monthly.current_held is True


def test_a_quarterly_meeting_on_31_march_is_the_first_quarter_and_on_1_april_the_second(alliance):
    for day in (D(2024, 6, 30), D(2024, 7, 1), D(2024, 12, 31), D(2025, 3, 31)):
        MeetingFactory(alliance=alliance, kind="quarterly", held_on=day)
    quarterly = rhythm_of(alliance, today=D(2025, 4, 15)).for_kind("quarterly")
    assert quarterly.missing == ()

    other = AllianceFactory(founded_on=D(2020, 1, 1))
    for day in (D(2024, 6, 30), D(2024, 7, 1), D(2024, 12, 31), D(2025, 4, 1)):
        MeetingFactory(alliance=other, kind="quarterly", held_on=day)
    quarterly = rhythm_of(other, today=D(2025, 4, 15)).for_kind("quarterly")
    assert labels(quarterly.missing) == ["2025年第1季度"]
    assert quarterly.current_held is True


def test_an_annual_meeting_on_31_december_counts_for_that_year_and_on_1_january_for_the_next(alliance):
    MeetingFactory(alliance=alliance, kind="annual", held_on=D(2023, 12, 31))
    MeetingFactory(alliance=alliance, kind="annual", held_on=D(2024, 12, 31))
    annual = rhythm_of(alliance, today=D(2025, 1, 10)).for_kind("annual")
    assert labels(annual.expected) == ["2023年度", "2024年度"]
    assert annual.missing == ()

    other = AllianceFactory(founded_on=D(2020, 1, 1))
    MeetingFactory(alliance=other, kind="annual", held_on=D(2023, 12, 31))
    MeetingFactory(alliance=other, kind="annual", held_on=D(2025, 1, 1))
    annual = rhythm_of(other, today=D(2025, 1, 10)).for_kind("annual")
    assert labels(annual.missing) == ["2024年度"]
    assert annual.current_held is True


def test_a_december_monthly_meeting_is_not_counted_in_january(alliance):
    hold_monthly(alliance, [*months(D(2024, 1, 1), 11), D(2025, 1, 2)])
    monthly = rhythm_of(alliance, today=D(2025, 1, 20)).for_kind("monthly")
    assert labels(monthly.missing) == ["2024年12月"]


def test_one_kind_of_meeting_does_not_stand_in_for_another(alliance):
    for day in months(D(2024, 4, 1), 12):
        MeetingFactory(alliance=alliance, kind="quarterly", held_on=day)
    rhythm = rhythm_of(alliance, today=D(2025, 4, 15))
    assert len(rhythm.for_kind("monthly").missing) == 12
    assert rhythm.for_kind("quarterly").missing == ()


def test_only_whole_periods_after_the_founding_are_expected():
    young = AllianceFactory(founded_on=D(2024, 11, 15))
    rhythm = rhythm_of(young, today=D(2025, 4, 15))
    assert labels(rhythm.for_kind("monthly").expected) == ["2024年12月", "2025年1月", "2025年2月", "2025年3月"]
    assert labels(rhythm.for_kind("quarterly").expected) == ["2025年第1季度"]
    assert rhythm.for_kind("annual").expected == ()


def test_an_alliance_holding_every_meeting_is_on_rhythm(alliance):
    hold_monthly(alliance, months(D(2024, 4, 1), 12))
    for day in (D(2024, 5, 20), D(2024, 8, 20), D(2024, 11, 20), D(2025, 2, 20)):
        MeetingFactory(alliance=alliance, kind="quarterly", held_on=day)
    for day in (D(2023, 12, 28), D(2024, 12, 28)):
        MeetingFactory(alliance=alliance, kind="annual", held_on=day)
    assert rhythm_of(alliance, today=D(2025, 4, 15)).on_rhythm


def test_meetings_of_other_alliances_and_after_today_do_not_count(alliance):
    other = AllianceFactory(founded_on=D(2020, 1, 1))
    hold_monthly(other, months(D(2024, 4, 1), 12))
    MeetingFactory(alliance=alliance, kind="monthly", held_on=D(2025, 4, 20))
    rhythm = rhythm_of(alliance, today=D(2025, 4, 15))
    assert len(rhythm.for_kind("monthly").missing) == 12
    assert rhythm.for_kind("monthly").current_held is False


def test_today_is_the_date_in_shanghai_not_in_utc(alliance, monkeypatch):
    # 31 March 16:30 UTC is already 1 April 00:30 in Shanghai: March is over and is missing.
    instant = datetime.datetime(2025, 3, 31, 16, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    monthly = rhythm_of(alliance).for_kind("monthly")
    assert monthly.current.start == D(2025, 4, 1)
    assert labels(monthly.missing)[-1] == "2025年3月"


def test_the_rhythm_of_many_alliances_takes_one_query(alliance, django_assert_num_queries):
    others = [AllianceFactory(founded_on=D(2020, 1, 1)) for _ in range(5)]
    for other in others:
        hold_monthly(other, [D(2025, 1, 5), D(2025, 2, 5)])
    with django_assert_num_queries(1):
        rhythms = rhythm_for([alliance, *others], today=D(2025, 4, 15))
    assert len(rhythms[alliance.pk].for_kind("monthly").missing) == 12
    assert all(len(rhythms[o.pk].for_kind("monthly").missing) == 10 for o in others)
