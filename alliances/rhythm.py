"""The "三会" rhythm: which monthly, quarterly and annual meetings an alliance has missed.

An alliance is expected to hold one 月度碰头会 a month, one 季度专题会 a quarter and one
年度述职会 a year. A meeting of one kind does not stand in for another.

Which periods are checked (the window):
- the 12 months, 4 quarters and 2 years before the current one, counted back from today
  in Asia/Shanghai;
- only periods that have ended: the current month, quarter and year are shown as "held"
  or "still to come", never as missing;
- only whole periods of the alliance's life: a period that began before the alliance was
  founded is not expected (founded on 15 March: April is the first month, the second
  quarter the first quarter, next year the first year).

Meeting dates are calendar dates as the users entered them (already local), so they are
bucketed with TruncMonth / TruncQuarter / TruncYear directly, in one grouped query for any
number of alliances.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, DateField, When
from django.db.models.functions import Cast, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Alliance, Meeting, MeetingKind

Date = datetime.date

RHYTHM_KINDS = (MeetingKind.MONTHLY, MeetingKind.QUARTERLY, MeetingKind.ANNUAL)
# How many completed periods before the current one are checked.
WINDOW = {MeetingKind.MONTHLY: 12, MeetingKind.QUARTERLY: 4, MeetingKind.ANNUAL: 2}
MONTHS_PER_PERIOD = {MeetingKind.MONTHLY: 1, MeetingKind.QUARTERLY: 3, MeetingKind.ANNUAL: 12}


def _add_months(day: Date, months: int) -> Date:
    index = day.year * 12 + day.month - 1 + months
    return Date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: Date

    @classmethod
    def containing(cls, kind: str, day: Date) -> Period:
        if kind == MeetingKind.MONTHLY:
            return cls(kind, Date(day.year, day.month, 1))
        if kind == MeetingKind.QUARTERLY:
            return cls(kind, Date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
        return cls(kind, Date(day.year, 1, 1))

    def shifted(self, periods: int) -> Period:
        return Period(self.kind, _add_months(self.start, periods * MONTHS_PER_PERIOD[self.kind]))

    @property
    def end(self) -> Date:
        """The last day of the period."""
        return self.shifted(1).start - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == MeetingKind.MONTHLY:
            return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}
        if self.kind == MeetingKind.QUARTERLY:
            return _("%(year)s年第%(quarter)s季度") % {"year": self.start.year, "quarter": (self.start.month + 2) // 3}
        return _("%(year)s年度") % {"year": self.start.year}


@dataclass(frozen=True)
class KindRhythm:
    kind: str
    expected: tuple[Period, ...]  # oldest first
    missing: tuple[Period, ...]
    current: Period
    current_held: bool

    @property
    def label(self) -> str:
        return MeetingKind(self.kind).label

    @property
    def held_count(self) -> int:
        return len(self.expected) - len(self.missing)


@dataclass(frozen=True)
class Rhythm:
    alliance_id: int
    today: Date
    kinds: tuple[KindRhythm, ...]

    @property
    def missing(self) -> list[Period]:
        return [period for kind in self.kinds for period in kind.missing]

    @property
    def on_rhythm(self) -> bool:
        return not self.missing

    def for_kind(self, kind: str) -> KindRhythm:
        return next(item for item in self.kinds if item.kind == kind)


def expected_periods(kind: str, founded_on: Date, today: Date) -> tuple[Period, ...]:
    current = Period.containing(kind, today)
    periods = (current.shifted(-back) for back in range(WINDOW[kind], 0, -1))
    return tuple(period for period in periods if period.start >= founded_on)


def held_periods(alliance_ids: Iterable[int], *, since: Date, today: Date) -> set[tuple[int, str, Date]]:
    """``(alliance id, kind, period start)`` of every period with a meeting: one GROUP BY query."""
    # PostgreSQL's DATE_TRUNC returns a timestamp: cast the chosen start back to a date.
    period = Cast(
        Case(
            When(kind=MeetingKind.MONTHLY, then=TruncMonth("held_on")),
            When(kind=MeetingKind.QUARTERLY, then=TruncQuarter("held_on")),
            default=TruncYear("held_on"),
        ),
        output_field=DateField(),
    )
    rows = (
        Meeting.objects.filter(
            alliance_id__in=list(alliance_ids), kind__in=RHYTHM_KINDS, held_on__gte=since, held_on__lte=today
        )
        .annotate(period=period)
        .values("alliance_id", "kind", "period")
        .annotate(meetings=Count("pk"))
        .order_by()
    )
    return {(row["alliance_id"], row["kind"], row["period"]) for row in rows}


def rhythm_for(alliances: Iterable[Alliance], *, today: Date | None = None) -> dict[int, Rhythm]:
    """The rhythm of each alliance, keyed by id. ``today`` defaults to today in Asia/Shanghai."""
    today = today or timezone.localdate()
    alliances = list(alliances)
    since = Period.containing(MeetingKind.ANNUAL, today).shifted(-WINDOW[MeetingKind.ANNUAL]).start
    held = held_periods((a.pk for a in alliances), since=since, today=today) if alliances else set()
    result = {}
    for alliance in alliances:
        kinds = []
        for kind in RHYTHM_KINDS:
            expected = expected_periods(kind, alliance.founded_on, today)
            current = Period.containing(kind, today)
            kinds.append(
                KindRhythm(
                    kind=kind,
                    expected=expected,
                    missing=tuple(p for p in expected if (alliance.pk, kind, p.start) not in held),
                    current=current,
                    current_held=(alliance.pk, kind, current.start) in held,
                )
            )
        result[alliance.pk] = Rhythm(alliance_id=alliance.pk, today=today, kinds=tuple(kinds))
    return result


def rhythm_of(alliance: Alliance, *, today: Date | None = None) -> Rhythm:
    return rhythm_for([alliance], today=today)[alliance.pk]
