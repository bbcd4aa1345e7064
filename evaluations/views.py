from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from members.excel import XLSX_CONTENT_TYPE, workbook_bytes
from members.views_base import ScopedDetailView, ScopedListView, ScopedQuerysetMixin

from .filters import RollupFilterSet
from .models import Rollup


class RollupListView(ScopedListView):
    model = Rollup
    filterset_class = RollupFilterSet
    template_name = "evaluations/rollup_list.html"

    def optimize(self, queryset):
        return queryset.select_related("region").defer("report")


class RollupDetailView(ScopedDetailView):
    """The printable page of one rollup (print stylesheet drops navigation and forms)."""

    model = Rollup
    template_name = "evaluations/rollup_detail.html"
    context_object_name = "rollup"

    def optimize(self, queryset):
        return queryset.select_related("region")


def report_sheets(rollup: Rollup) -> list[tuple[str, list[str], list[list]]]:
    """The report as workbook sheets: a summary sheet, then one sheet per table."""
    report = rollup.report
    summary_rows = [[item["label"], typed(item["value"], item["type"])] for item in report.get("summary", [])]
    sheets = [(str(rollup.get_kind_display()), ["指标", "数值"], summary_rows)]
    for table in report.get("tables", []):
        columns = table["columns"]
        rows = [[typed(value, col["type"]) for value, col in zip(row, columns, strict=False)] for row in table["rows"]]
        sheets.append((table["title"], [col["label"] for col in columns], rows))
    return sheets


def typed(value, type_: str):
    """Report values travel as JSON; money and percentages are decimal strings."""
    from decimal import Decimal

    if value is not None and type_ in {"money", "percent", "decimal"}:
        return Decimal(str(value))
    return value


class RollupExcelView(ScopedQuerysetMixin, View):
    model = Rollup

    def get(self, request, pk: int):
        rollup = get_object_or_404(self.get_queryset().select_related("region"), pk=pk)
        filename = f"{rollup.kind}-{rollup.period_key}-{rollup.region.code}.xlsx"
        response = HttpResponse(workbook_bytes(report_sheets(rollup)), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
