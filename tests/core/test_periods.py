from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from core.periods import MONTH, QUARTER, WEEK, YEAR, Period

UTC = datetime.UTC
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_iso_week_53_exists_in_2026_and_runs_into_2027():
    week = Period.parse(WEEK, "2026-W53")
    assert week.start == datetime.date(2026, 12, 28)
    assert week.last_day == datetime.date(2027, 1, 3)
    assert week.next().key == "2027-W01"
    assert Period.containing(WEEK, datetime.date(2027, 1, 2)).key == "2026-W53"


def test_a_year_without_week_53_refuses_it():
    with pytest.raises(ValidationError) as excinfo:
        Period.parse(WEEK, "2025-W53")
    assert "period" in excinfo.value.message_dict


def test_first_iso_week_can_start_in_the_previous_year():
    assert Period.parse(WEEK, "2025-W01").start == datetime.date(2024, 12, 30)
    assert Period.containing(WEEK, datetime.date(2024, 12, 31)).key == "2025-W01"


@pytest.mark.parametrize(
    ("kind", "key", "start", "last"),
    [
        (MONTH, "2024-02", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
        (MONTH, "2026-12", datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)),
        (QUARTER, "2026-Q4", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        (QUARTER, "2026-Q1", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        (YEAR, "2026", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    ],
)
def test_month_quarter_and_year_ends(kind, key, start, last):
    period = Period.parse(kind, key)
    assert (period.start, period.last_day) == (start, last)
    assert Period.containing(kind, last) == period
    assert Period.containing(kind, last + datetime.timedelta(days=1)) == period.next()
    assert period.next().previous() == period


def test_midnight_in_shanghai_is_the_previous_day_in_utc():
    # 2026-03-01 00:30 in Shanghai is still 28 February in UTC: it belongs to March here.
    instant = datetime.datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
    assert Period.current(MONTH, instant).key == "2026-03"
    assert Period.current(MONTH, instant - datetime.timedelta(hours=1)).key == "2026-02"
    march = Period.parse(MONTH, "2026-03")
    assert march.start_at == datetime.datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert march.start_at.tzinfo == SHANGHAI


def test_monday_morning_in_shanghai_starts_a_new_week_while_utc_is_still_sunday():
    sunday_utc = datetime.datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # Monday 01:00 in Shanghai
    assert Period.current(WEEK, sunday_utc).start == datetime.date(2026, 3, 2)


def test_bad_period_keys_name_the_field():
    for kind, key in [(MONTH, "2026-13"), (QUARTER, "2026-Q5"), (YEAR, "26"), (WEEK, "2026-05")]:
        with pytest.raises(ValidationError) as excinfo:
            Period.parse(kind, key)
        assert "period" in excinfo.value.message_dict
