"""The rollup kinds: what each periodic report covers and how its figures are computed.

A rollup is computed for one (kind, period, region) by a pure function that asks the
database for every figure (GROUP BY, annotate, subqueries: the number of queries does
not grow with the data) and returns a JSON-ready *report*:

    {"summary": [{"key", "label", "value", "type"}...],
     "tables": [{"key", "title", "columns": [{"key", "label", "type"}...], "rows": [[...]...]}...]}

Column and summary types: text, int, money (Decimal as string), percent (Decimal as
string, 0–100), date (ISO string). Pages, Excel files and the API all render this one
structure, so a figure cannot differ between them. Labels, titles, notes and the words
among the values are stored as the catalog's msgids, or as phrases with parameters
(evaluations.texts), and read in the reader's language when shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.periods import MONTH, QUARTER, WEEK, YEAR, Period
from members.models import Region

Report = dict[str, Any]


@dataclass(frozen=True)
class RollupKind:
    key: str
    label: Any
    period_kind: str
    region_levels: tuple[str, ...]
    compute: Callable[[Period, Region], Report]


KINDS: dict[str, RollupKind] = {}


def register(kind: RollupKind) -> RollupKind:
    KINDS[kind.key] = kind
    return kind


WEEKLY_DISPATCH = "weekly_dispatch"
MONTHLY_BULLETIN = "monthly_bulletin"
QUARTERLY_OBSERVATION = "quarterly_observation"
ANNUAL_REVIEW = "annual_review"

KIND_CHOICES = [
    (WEEKLY_DISPATCH, _("周调度")),
    (MONTHLY_BULLETIN, _("月通报")),
    (QUARTERLY_OBSERVATION, _("季观摩")),
    (ANNUAL_REVIEW, _("年考评")),
]
PERIOD_OF_KIND = {
    WEEKLY_DISPATCH: WEEK,
    MONTHLY_BULLETIN: MONTH,
    QUARTERLY_OBSERVATION: QUARTER,
    ANNUAL_REVIEW: YEAR,
}


# ---------------------------------------------------------------------- report helpers


def percent(part: int | Decimal | None, whole: int | Decimal | None) -> str | None:
    """part / whole as a percentage with one decimal, or None when there is no whole."""
    if not whole:
        return None
    value = Decimal(part or 0) * 100 / Decimal(whole)
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def money(value: Decimal | int | None) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01"), ROUND_HALF_UP))


def score_text(value: Decimal | None) -> str | None:
    """A score, or a change of score, at its two places (None stays None). SQLite hands a
    score read through a subquery back as it computed it: 90.5, or 0 for 0.00."""
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP))


def stored(text: Any) -> str | dict:
    """A label or title as stored: a msgid (a lazy one read now, in the catalog's language
    while the report is computed), or a phrase with parameters (evaluations.texts) as it is."""
    return text if isinstance(text, dict) else str(text)


def column(key: str, label: Any, type_: str = "text") -> dict:
    return {"key": key, "label": stored(label), "type": type_}


def summary_item(key: str, label: Any, value: Any, type_: str = "int") -> dict:
    return {"key": key, "label": stored(label), "value": value, "type": type_}


def table(key: str, title: Any, columns: list[dict], rows: list[list]) -> dict:
    return {"key": key, "title": stored(title), "columns": columns, "rows": rows}
