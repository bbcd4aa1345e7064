"""What a rollup's draft still lacks, and what changed between two versions of a rollup.

Staff read both on the rollup's page before they publish: the staff scores not yet
entered (a missing score is *pending*, and blocks publication unless waived with a
reason), the progress reports of the period nobody has reviewed, the workshop monthly
figures not filed. A correction shows, figure by figure, what it changes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core.periods import MONTH, Period
from members.models import Region
from projects.models import ProgressReport, ReportStatus
from projects.reporting import period_cutoff
from workshops.models import Workshop, WorkshopReport

from .models import AssessmentScheme, Indicator, ManualScore
from .rollups import ANNUAL_REVIEW, MONTHLY_BULLETIN, QUARTERLY_OBSERVATION
from .scoring import assessed_alliances

# The kinds whose figures include the alliances' assessment (and so their staff scores)
# and the workshops' monthly figures; the weekly dispatch reads neither.
SCORED_KINDS = frozenset({MONTHLY_BULLETIN, QUARTERLY_OBSERVATION, ANNUAL_REVIEW})
MONTHLY_FIGURE_KINDS = SCORED_KINDS
# How many unreviewed reports the page lists (the count is always complete).
REPORTS_LISTED = 20


def reporting_cutoff(kind: str, period: Period) -> datetime.datetime | None:
    """When the weekly reporting a scored rollup counts is final: the deadline of the
    period's last week, the moment the indicators read it as of (docs/indicators.md). A
    draft made before it counts the reports of that week still open; it is not published.
    None for the weekly dispatch, which reads its week as of its own production."""
    return period_cutoff(period) if kind in SCORED_KINDS else None


class PendingAlliance(NamedTuple):
    """What a pending score shows of its alliance (a city's draft has thousands of pending
    scores: plain tuples, not a model instance each)."""

    pk: int
    code: str
    name: str


class PendingScore(NamedTuple):
    alliance: PendingAlliance
    indicator: Indicator

    @property
    def key(self) -> str:
        """The name of the waiver's reason field on the publication form."""
        return f"waive-{self.alliance.pk}-{self.indicator.pk}"


@dataclass
class Missing:
    pending_scores: list[PendingScore] = field(default_factory=list)
    unreviewed_count: int = 0
    unreviewed_reports: list[ProgressReport] = field(default_factory=list)
    missing_figures: list[tuple[Workshop, list[datetime.date]]] = field(default_factory=list)
    # The reporting cut-off, when the draft was made before it (``reporting_cutoff``).
    drafted_before: datetime.datetime | None = None

    @property
    def is_complete(self) -> bool:
        return not (self.pending_scores or self.unreviewed_count or self.missing_figures or self.drafted_before)


def missing_for(kind: str, period: Period, region: Region, produced_at: datetime.datetime | None = None) -> Missing:
    missing = Missing()
    cutoff = reporting_cutoff(kind, period)
    if cutoff is not None and produced_at is not None and produced_at < cutoff:
        missing.drafted_before = cutoff
    if kind in SCORED_KINDS:
        missing.pending_scores = pending_scores(period, region)
    reports = unreviewed_reports(period, region)
    missing.unreviewed_count = reports.count()
    if missing.unreviewed_count:
        missing.unreviewed_reports = list(reports[:REPORTS_LISTED])
    if kind in MONTHLY_FIGURE_KINDS:
        missing.missing_figures = missing_workshop_figures(period, region)
    return missing


def pending_scores(period: Period, region: Region) -> list[PendingScore]:
    """Each staff-scored indicator of each alliance the period assesses in the region
    (``scoring.assessed_alliances``: by its status at the period's end, as the rollup's
    figures read it), under the scheme that applies to it in the period's year, with no
    score of that year up to the period's last day: the scores assessment reads."""
    # The lead region's code and level are all the scheme needs: no Region instance per
    # alliance (a city: 1,000 alliances, 3,000 pending scores on every view of its draft).
    led = assessed_alliances([region], period)
    alliances = [
        (PendingAlliance(pk, code, name), region_code, region_level)
        for pk, code, name, region_code, region_level in led.order_by("code").values_list(
            "pk", "code", "name", "lead_region__code", "lead_region__level"
        )
    ]
    if not alliances:
        return []
    schemes = AssessmentScheme.objects.for_region_codes(
        {(code, level) for _alliance, code, level in alliances}, period.start.year
    )
    indicators: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(
        scheme__in={s.pk for s in schemes.values() if s is not None}, metric=""
    ).order_by("order", "code"):
        indicators.setdefault(indicator.scheme_id, []).append(indicator)
    if not indicators:
        return []
    scored = set(
        ManualScore.objects.filter(
            alliance__in=led.values("pk"),
            indicator__scheme__in=list(indicators),
            period_start__gte=datetime.date(period.start.year, 1, 1),
            period_start__lte=period.last_day,
        ).values_list("alliance_id", "indicator_id")
    )
    pending = []
    for alliance, region_code, _level in alliances:
        scheme = schemes[region_code]
        for indicator in indicators.get(scheme.pk, []) if scheme else []:
            if (alliance.pk, indicator.pk) not in scored:
                pending.append(PendingScore(alliance, indicator))
    return pending


def unreviewed_reports(period: Period, region: Region):
    """Progress reports of the period's weeks still waiting for review."""
    return (
        ProgressReport.objects.filter(
            region.within("project__alliance__lead_region"),
            status=ReportStatus.SUBMITTED,
            period__gte=period.start,
            period__lt=period.end,
        )
        .select_related("project__alliance")
        .order_by("period", "project__alliance__code", "project_id")
    )


def months_of(period: Period) -> list[datetime.date]:
    first = Period(MONTH, period.start.replace(day=1))
    return [first.plus(n).start for n in range(period.months)]


def missing_workshop_figures(period: Period, region: Region) -> list[tuple[Workshop, list[datetime.date]]]:
    """Each workshop of the region not closed at the period's end, with the months of the
    period (from its opening) that have no monthly figures yet."""
    months = months_of(period)
    # The database keeps only the workshops that owe a month: a city's thousands of
    # workshops are not loaded to find a few.
    workshops = list(
        Workshop.objects.filter(region.within("region"))
        .owing(*months, open_at=period.end_at)
        .order_by("region__code", "name")
    )
    filed = set(
        WorkshopReport.objects.filter(workshop__in=[w.pk for w in workshops], month__in=months).values_list(
            "workshop_id", "month"
        )
    )
    missing = []
    for workshop in workshops:
        owed = [
            month
            for month in months
            if Period(MONTH, month).last_day >= workshop.opened_on and (workshop.pk, month) not in filed
        ]
        if owed:
            missing.append((workshop, owed))
    return missing


# --------------------------------------------------------------------------- differences


@dataclass
class RowChange:
    label: str
    state: str  # "changed", "added" or "removed"
    cells: list[dict] = field(default_factory=list)  # {"label", "type", "old", "new"}


@dataclass
class TableChange:
    title: str
    rows: list[RowChange] = field(default_factory=list)


@dataclass
class ReportDiff:
    summary: list[dict] = field(default_factory=list)  # {"label", "type", "old", "new"}
    tables: list[TableChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.summary and not self.tables


def _keyed_rows(table: dict) -> dict[Any, list]:
    """A table's rows by their first cell (an alliance's or a project's code or name); a
    repeated first cell is told apart by its occurrence."""
    rows: dict[Any, list] = {}
    seen: dict[Any, int] = {}
    for row in table.get("rows", []):
        first = row[0] if row else None
        seen[first] = seen.get(first, 0) + 1
        rows[(first, seen[first])] = row
    return rows


def _row_label(row: list, columns: list[dict]) -> str:
    texts = [str(value) for value, col in zip(row[:2], columns[:2], strict=False) if value not in (None, "")]
    return " ".join(texts)


def report_diff(old: dict, new: dict) -> ReportDiff:
    """The figures that differ between two reports: summary items by key, table rows by
    their first cell, cells by column key."""
    diff = ReportDiff()
    old_summary = {item["key"]: item for item in old.get("summary", [])}
    for item in new.get("summary", []):
        before = old_summary.pop(item["key"], None)
        if before is None or before["value"] != item["value"]:
            diff.summary.append(
                {"label": item["label"], "type": item["type"], "old": before and before["value"], "new": item["value"]}
            )
    for item in old_summary.values():
        diff.summary.append({"label": item["label"], "type": item["type"], "old": item["value"], "new": None})

    old_tables = {t["key"]: t for t in old.get("tables", [])}
    for table in new.get("tables", []):
        before = old_tables.pop(table["key"], {"rows": [], "columns": table["columns"]})
        change = table_diff(before, table)
        if change.rows:
            diff.tables.append(change)
    for table in old_tables.values():
        change = table_diff(table, {**table, "rows": []})
        if change.rows:
            diff.tables.append(change)
    return diff


def table_diff(old: dict, new: dict) -> TableChange:
    columns = new.get("columns") or old.get("columns") or []
    old_columns = {col["key"]: i for i, col in enumerate(old.get("columns", columns))}
    change = TableChange(title=new.get("title") or old.get("title", ""))
    old_rows = _keyed_rows(old)
    for key, row in _keyed_rows(new).items():
        before = old_rows.pop(key, None)
        if before is None:
            change.rows.append(RowChange(_row_label(row, columns), "added"))
            continue
        cells = []
        for i, col in enumerate(columns):
            j = old_columns.get(col["key"])
            was = before[j] if j is not None and j < len(before) else None
            now = row[i] if i < len(row) else None
            if was != now:
                cells.append({"label": col["label"], "type": col["type"], "old": was, "new": now})
        if cells:
            change.rows.append(RowChange(_row_label(row, columns), "changed", cells))
    for row in old_rows.values():
        change.rows.append(RowChange(_row_label(row, old.get("columns", columns)), "removed"))
    return change
