"""Calendar months, stored as the first day of the month and written ``YYYY-MM`` (the
arithmetic is core.periods.Period's)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.periods import MONTH, Period

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})(?:-01)?$")


def first_of_month(day: datetime.date) -> datetime.date:
    return Period.containing(MONTH, day).start


def add_months(month: datetime.date, n: int) -> datetime.date:
    return Period.containing(MONTH, month).plus(n).start


def last_complete_month(today: datetime.date) -> datetime.date:
    """The month before the one ``today`` falls in: the latest month that can be reported in full."""
    return Period.containing(MONTH, today).previous().start


def month_range(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    """Every month from ``first`` to ``last``, both included."""
    month = first_of_month(first)
    while month <= last:
        yield month
        month = add_months(month, 1)


def format_month(month: datetime.date | None) -> str:
    return f"{month.year:04d}-{month.month:02d}" if month else ""


def parse_month(value: Any) -> datetime.date:
    """``2025-03`` (or ``2025-03-01``, or a date) -> 2025-03-01; anything else is a ValidationError."""
    if isinstance(value, datetime.date):
        if value.day != 1:
            raise ValidationError(_("月份必须是某月的第一天。"), code="invalid_month")
        return value
    match = MONTH_RE.match(str(value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    raise ValidationError(_("请输入有效的月份，格式为 YYYY-MM。"), code="invalid_month")


class MonthInput(forms.DateInput):
    """``<input type="month">``: a month picker on phones, plain text elsewhere."""

    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return format_month(value)
        return value or None


class MonthField(forms.Field):
    """A form field for a calendar month; cleans to the first day of that month."""

    widget = MonthInput

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        return parse_month(value)
