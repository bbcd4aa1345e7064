"""Totals of the workshops' monthly figures: one chosen month and the year to date.

Every grouping (all, by region at a chosen level, by workshop type, by month) is one
GROUP BY query over the reports, whatever the number of workshops; region names are read
in one more query. The month and the year to date come out of the same query through
filtered aggregates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr

from members.models import LEVEL_DIGITS, Region, RegionLevel

from .models import WorkshopType
from .months import month_range

CENT = Decimal("0.01")
TOTAL_DECIMAL = DecimalField(max_digits=20, decimal_places=2)


@dataclass(frozen=True)
class Totals:
    """Sums over reports. For a single month ``employed`` is a head-count; over several
    months it is person-months (人·月). ``income_increase`` is the total extra income
    (per-person increase × people employed, summed)."""

    workshops: int = 0  # workshops that reported
    reports: int = 0
    employed: int = 0
    low_income_employed: int = 0
    wages_paid: Decimal = Decimal("0.00")
    sales: Decimal = Decimal("0.00")
    income_increase: Decimal = Decimal("0.00")

    @property
    def income_increase_per_person(self) -> Decimal:
        """Average monthly increase per person employed, weighted by head-count."""
        if not self.employed:
            return Decimal("0.00")
        return (self.income_increase / self.employed).quantize(CENT, ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workshops": self.workshops,
            "reports": self.reports,
            "employed": self.employed,
            "low_income_employed": self.low_income_employed,
            "wages_paid": self.wages_paid,
            "sales": self.sales,
            "income_increase": self.income_increase,
            "income_increase_per_person": self.income_increase_per_person,
        }


FIELDS = ("workshops", "reports", "employed", "low_income_employed", "wages_paid", "sales", "income_increase")


def _aggregates(prefix: str, condition: Q | None) -> dict[str, Any]:
    def total(expression: Any, output: Any) -> Coalesce:
        zero = Value(0, output_field=output)
        return Coalesce(Sum(expression, filter=condition, output_field=output), zero, output_field=output)

    return {
        f"{prefix}workshops": Count("workshop", distinct=True, filter=condition),
        f"{prefix}reports": Count("pk", filter=condition),
        f"{prefix}employed": total(F("employed"), IntegerField()),
        f"{prefix}low_income_employed": total(F("low_income_employed"), IntegerField()),
        f"{prefix}wages_paid": total(F("wages_paid"), TOTAL_DECIMAL),
        f"{prefix}sales": total(F("sales"), TOTAL_DECIMAL),
        f"{prefix}income_increase": total(F("income_increase_per_person") * F("employed"), TOTAL_DECIMAL),
    }


def _totals(row: dict[str, Any], prefix: str) -> Totals:
    return Totals(**{name: row[prefix + name] for name in FIELDS})


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    month: Totals
    year_to_date: Totals


@dataclass(frozen=True)
class MonthTotals:
    month: datetime.date
    totals: Totals


@dataclass(frozen=True)
class Summary:
    month: datetime.date
    year_start: datetime.date
    level: str
    total: Group
    by_region: list[Group]
    by_type: list[Group]
    by_month: list[MonthTotals]


def workshop_summary(reports: QuerySet, *, month: datetime.date, level: str = RegionLevel.COUNTY) -> Summary:
    """Totals of ``reports`` (already limited to what the user may see and to the chosen
    workshops) for ``month`` and for January to ``month`` of that year."""
    year_start = month.replace(month=1)
    in_year = reports.filter(month__gte=year_start, month__lte=month).order_by()
    both = {**_aggregates("m_", Q(month=month)), **_aggregates("y_", None)}

    def group(row: dict[str, Any], key: str, label: str) -> Group:
        return Group(key=key, label=label, month=_totals(row, "m_"), year_to_date=_totals(row, "y_"))

    total = group(in_year.aggregate(**both), "", "")

    digits = LEVEL_DIGITS[level]
    region_rows = list(
        in_year.annotate(key=Substr("workshop__region__code", 1, digits)).values("key").annotate(**both).order_by("key")
    )
    codes = [row["key"].ljust(12, "0") for row in region_rows]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    by_region = [group(row, row["key"], names.get(row["key"].ljust(12, "0"), row["key"])) for row in region_rows]

    type_rows = {row["workshop__type"]: row for row in in_year.values("workshop__type").annotate(**both)}
    by_type = [
        group(type_rows[value], value, str(label))
        if value in type_rows
        else Group(key=value, label=str(label), month=Totals(), year_to_date=Totals())
        for value, label in WorkshopType.choices
    ]

    month_rows = {
        row["month"]: _totals(row, "t_") for row in in_year.values("month").annotate(**_aggregates("t_", None))
    }
    by_month = [MonthTotals(m, month_rows.get(m, Totals())) for m in month_range(year_start, month)]

    return Summary(
        month=month,
        year_start=year_start,
        level=level,
        total=total,
        by_region=by_region,
        by_type=by_type,
        by_month=by_month,
    )
