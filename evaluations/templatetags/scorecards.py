"""Links to alliances' scorecards, and the results shown on alliance and organization pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.formats import date_format

from alliances.models import Alliance
from core.periods import Period
from evaluations.models import MemberResult
from evaluations.scorecard import assessed_periods, readable_periods
from evaluations.scoring import half_up

register = template.Library()


@register.simple_tag
def alliance_assessments(alliance, user):
    """The periods the alliance was assessed for that the user may read (see
    ``scorecard.assessed_periods``)."""
    return assessed_periods(alliance, user)


@register.simple_tag
def organization_results(organization, user):
    """A member organization's bound results the user may read (a rollup of the period out
    for the organization's region: ``scorecard.readable_periods``), latest first."""
    readable = readable_periods(organization.region.lineage_codes(), user)
    rows = MemberResult.objects.filter(organization=organization).order_by("-period_start", "period_kind")
    return [
        (Period(result.period_kind, result.period_start), result)
        for result in rows
        if (result.period_kind, result.period_start) in readable
    ]


@register.simple_tag
def scorecard_url(code: str, period: Period) -> str:
    return reverse("evaluations:scorecard", args=[code, period.key])


@register.simple_tag
def visible_alliances(report: dict, user) -> set[str]:
    """The codes of the alliances a report's tables name that ``user`` may see (one query):
    only their totals link to a scorecard (a city bulletin read by county staff names
    other counties' alliances)."""
    codes = set()
    for table in report.get("tables", []):
        keys = [column["key"] for column in table["columns"]]
        if "alliance" in keys:
            at = keys.index("alliance")
            codes.update(row[at] for row in table["rows"] if row[at])
    return visible_codes(user, codes)


@register.simple_tag
def visible_in_rows(user, *row_lists) -> set[str]:
    """The alliance codes (each row's second cell, as the dashboard's ranking rows hold
    them) that ``user`` may see."""
    return visible_codes(user, {row[1] for rows in row_lists for row in rows})


def visible_codes(user, codes: set[str]) -> set[str]:
    return set(Alliance.objects.visible_to(user).filter(code__in=codes).values_list("code", flat=True))


@register.simple_tag
def rollup_row_scorecard(rollup, cells, visible: set[str]) -> str:
    """The scorecard behind a rollup table's row, given as (value, column) pairs: its
    alliance (the ``alliance`` column) for the rollup's period, when it is among the
    ``visible`` ones; empty otherwise."""
    code = next((value for value, column in cells if column["key"] == "alliance"), None)
    return reverse("evaluations:scorecard", args=[code, rollup.period.key]) if code in visible else ""


@register.filter
def as_percent(value) -> str:
    """An attainment (0..1) as a percentage at two places; a dash for none."""
    if value is None or value == "":
        return "—"
    return f"{half_up(Decimal(value) * 100)}%"


@register.filter
def zip_cells(cells, columns):
    return zip(cells, columns, strict=False)


@register.filter
def cell(value) -> str:
    """One cell of the rows behind an indicator: dates as the language writes them
    (2026年12月6日), amounts with separators and two places, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return date_format(value)
    if isinstance(value, Decimal):
        return intcomma(f"{value:.2f}")
    return str(value)
