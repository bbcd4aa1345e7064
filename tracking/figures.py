"""Figures of tracked items (docs/indicators.md, 督办事项), each period-true: read as of a
moment from the items' transition times and their history, never from today's state.

- ``as_of(items, moment)``: each item raised by ``moment`` with its state, deadline and
  department at that moment (its latest history event at or before it);
- ``bucket_then`` / ``days_open_then``: the weekly dispatch's bucket and days open of such
  a row as of a day;
- ``year_items(alliances, period)``: the items of the year up to the period's end, each
  with ``solved`` (confirmed solved by the period's end) and ``on_time`` (solved, and
  handled by the department on or before its deadline), the rows of the claims-resolved
  indicator and of ``year_figures``;
- ``year_figures``: items, solved, solved on time, median days open, mean satisfaction.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, BooleanField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate

from core.periods import Period, local_zone

from .models import WITH_DEPARTMENT, ItemState, TrackedItemEvent, bucket_of


def local_day(field: str) -> TruncDate:
    """The Beijing date of a timestamp column."""
    return TruncDate(field, tzinfo=local_zone())


def as_of(items: QuerySet, moment: datetime.datetime) -> QuerySet:
    """The items raised by ``moment``, each with ``state_then``, ``deadline_then`` and
    ``department_then`` (its latest event at or before ``moment``) and ``closed_day_then``
    (the day it was confirmed solved, if by then)."""
    last = TrackedItemEvent.objects.filter(item=OuterRef("pk"), at__lte=moment).order_by("-at", "-pk")
    return items.filter(created_at__lte=moment).annotate(
        state_then=Subquery(last.values("to_state")[:1]),
        deadline_then=Subquery(last.values("deadline")[:1]),
        department_then=Subquery(last.values("department__name")[:1]),
        closed_day_then=Case(When(closed_at__lte=moment, then=local_day("closed_at"))),
    )


def overdue_then(row, day: datetime.date) -> bool:
    return row.state_then in WITH_DEPARTMENT and row.deadline_then is not None and row.deadline_then < day


def bucket_then(row, day: datetime.date) -> str:
    return bucket_of(row.state_then, overdue_then(row, day))


def days_open_then(row, day: datetime.date) -> int:
    """Whole days from the day raised to the day confirmed solved (or to ``day``)."""
    return max(0, ((row.closed_day_then or day) - row.raised_on).days)


def year_items(items: QuerySet, period: Period) -> QuerySet:
    """The items raised from 1 January of the period's year to its end, each with
    ``solved`` (confirmed solved before the period's end) and ``on_time`` (solved, and
    marked handled on or before its deadline, Beijing dates). A solved item is closed for
    good, so its handling day, deadline and rating are those it had at the period's end."""
    solved = Q(state=ItemState.SOLVED, closed_at__lt=period.end_at)
    return (
        items.filter(raised_on__gte=datetime.date(period.start.year, 1, 1), raised_on__lt=period.end)
        .annotate(handled_day=local_day("handled_at"), closed_day=local_day("closed_at"))
        .annotate(
            solved=Case(When(solved, then=Value(True)), default=Value(False), output_field=BooleanField()),
            on_time=Case(
                When(solved & Q(handled_day__lte=F("deadline")), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


@dataclass(frozen=True)
class YearFigures:
    items: int
    solved: int
    solved_on_time: int
    median_days: Decimal | None  # of the solved items
    mean_rating: Decimal | None  # of the solved items

    @property
    def on_time_rate(self) -> str | None:
        if not self.items:
            return None
        return str((Decimal(100) * self.solved_on_time / self.items).quantize(Decimal("0.1"), ROUND_HALF_UP))


def year_figures(items: QuerySet, period: Period) -> YearFigures:
    rows = year_items(items, period)
    counts = rows.aggregate(
        n_items=Count("pk"),
        n_solved=Count("pk", filter=Q(solved=True)),
        n_on_time=Count("pk", filter=Q(on_time=True)),
        mean_rating=Avg("rating", filter=Q(solved=True)),
    )
    days = [
        (closed - raised).days for raised, closed in rows.filter(solved=True).values_list("raised_on", "closed_day")
    ]
    median = Decimal(str(statistics.median(days))).quantize(Decimal("0.1"), ROUND_HALF_UP) if days else None
    mean = counts["mean_rating"]
    return YearFigures(
        items=counts["n_items"],
        solved=counts["n_solved"],
        solved_on_time=counts["n_on_time"],
        median_days=median,
        mean_rating=Decimal(str(mean)).quantize(Decimal("0.01"), ROUND_HALF_UP) if mean is not None else None,
    )
