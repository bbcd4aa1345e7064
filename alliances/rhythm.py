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

from core.periods import MONTH, QUARTER, YEAR, Period

from .models import Alliance, Meeting, MeetingKind

Date = datetime.date

RHYTHM_KINDS = (MeetingKind.MONTHLY, MeetingKind.QUARTERLY, MeetingKind.ANNUAL)
# How many completed periods before the current one are checked.
WINDOW = {MeetingKind.MONTHLY: 12, MeetingKind.QUARTERLY: 4, MeetingKind.ANNUAL: 2}


# The calendar unit of each kind of meeting (core.periods does the arithmetic).
UNIT = {MeetingKind.MONTHLY: MONTH, MeetingKind.QUARTERLY: QUARTER, MeetingKind.ANNUAL: YEAR}


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
    current = Period.containing(UNIT[kind], today)
    periods = (current.plus(-back) for back in range(WINDOW[kind], 0, -1))
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
    since = Period.containing(YEAR, today).plus(-WINDOW[MeetingKind.ANNUAL]).start
    held = held_periods((a.pk for a in alliances), since=since, today=today) if alliances else set()
    result = {}
    for alliance in alliances:
        kinds = []
        for kind in RHYTHM_KINDS:
            expected = expected_periods(kind, alliance.founded_on, today)
            current = Period.containing(UNIT[kind], today)
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
