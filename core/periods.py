"""Reporting periods: ISO weeks, months, quarters and years, in Asia/Shanghai. The one
place for period arithmetic: a progress report's week (projects.weeks), a workshop
report's month (workshops.months) and a rollup's period are all Periods.

A period is named by a key — ``2026-W05``, ``2026-03``, ``2026-Q1``, ``2026`` — and has a
first day (``start``) and the first day after it (``end``). Local dates are Shanghai
dates; ``start_at``/``end_at`` give the UTC instants of Shanghai midnight, for filtering
timestamps.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEEK, MONTH, QUARTER, YEAR = "week", "month", "quarter", "year"
PATTERNS = {
    WEEK: re.compile(r"^(\d{4})-W(\d{2})$"),
    MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    YEAR: re.compile(r"^(\d{4})$"),
}


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: datetime.date

    # ------------------------------------------------------------------ building
    @classmethod
    def parse(cls, kind: str, key: str) -> Period:
        match = PATTERNS[kind].match(key or "")
        if not match:
            raise ValidationError({"period": _("期间格式应为 %(example)s。") % {"example": EXAMPLES[kind]}})
        year = int(match.group(1))
        try:
            if kind == WEEK:
                start = datetime.date.fromisocalendar(year, int(match.group(2)), 1)
            elif kind == MONTH:
                start = datetime.date(year, int(match.group(2)), 1)
            elif kind == QUARTER:
                start = datetime.date(year, 3 * int(match.group(2)) - 2, 1)
            else:
                start = datetime.date(year, 1, 1)
        except ValueError as exc:
            raise ValidationError({"period": _("没有这个期间：%(key)s。") % {"key": key}}) from exc
        return cls(kind, start)

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> Period:
        if kind == WEEK:
            return cls(kind, day - datetime.timedelta(days=day.weekday()))
        if kind == MONTH:
            return cls(kind, day.replace(day=1))
        if kind == QUARTER:
            return cls(kind, datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
        return cls(kind, datetime.date(day.year, 1, 1))

    @classmethod
    def current(cls, kind: str, now: datetime.datetime | None = None) -> Period:
        return cls.containing(kind, timezone.localdate(now, local_zone()) if now else timezone.localdate())

    # ------------------------------------------------------------------ navigating
    def plus(self, n: int) -> Period:
        """The period ``n`` periods later (earlier when ``n`` is negative)."""
        if self.kind == WEEK:
            return Period(WEEK, self.start + datetime.timedelta(weeks=n))
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind] * n
        index = self.start.year * 12 + self.start.month - 1 + months
        return Period(self.kind, datetime.date(index // 12, index % 12 + 1, 1))

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        return self.plus(1).start

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def previous(self) -> Period:
        return self.plus(-1)

    def next(self) -> Period:
        return self.plus(1)

    @property
    def weeks(self) -> int:
        """How many weeks the period spans (a started week counts): the reports due per project."""
        return max(1, ((self.end - self.start).days + 6) // 7)

    @property
    def months(self) -> int:
        """How many calendar months the period spans (a week: 1)."""
        return max(1, (self.end.year - self.start.year) * 12 + self.end.month - self.start.month)

    @property
    def key(self) -> str:
        if self.kind == WEEK:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        if self.kind == WEEK:  # 2026年第47周（11月16日–11月22日）
            year, week, _day = self.start.isocalendar()
            return _("%(year)s年第%(week)s周（%(start)s–%(end)s）") % {
                "year": year,
                "week": week,
                "start": _("%(m)s月%(d)s日") % {"m": self.start.month, "d": self.start.day},
                "end": _("%(m)s月%(d)s日") % {"m": self.last_day.month, "d": self.last_day.day},
            }
        if self.kind == MONTH:
            return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}
        if self.kind == QUARTER:
            return _("%(year)s年第%(q)s季度") % {"year": self.start.year, "q": (self.start.month - 1) // 3 + 1}
        return _("%(year)s年度") % {"year": self.start.year}

    @property
    def short_label(self) -> str:
        """A week as 第47周（11.16–11.22）, for a table where its year goes without saying;
        other periods as ``label``."""
        if self.kind != WEEK:
            return self.label
        return _("第%(week)s周（%(start)s–%(end)s）") % {
            "week": self.start.isocalendar()[1],
            "start": f"{self.start.month}.{self.start.day}",
            "end": f"{self.last_day.month}.{self.last_day.day}",
        }

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end

    # ------------------------------------------------------------------ instants
    @property
    def start_at(self) -> datetime.datetime:
        """Shanghai midnight at the start, as an aware datetime (compares correctly with UTC)."""
        return datetime.datetime.combine(self.start, datetime.time.min, tzinfo=local_zone())

    @property
    def end_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.end, datetime.time.min, tzinfo=local_zone())


EXAMPLES = {WEEK: "2026-W05", MONTH: "2026-03", QUARTER: "2026-Q1", YEAR: "2026"}
