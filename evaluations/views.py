from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from members.excel import CODE, DATETIME, TEXT, XLSX_CONTENT_TYPE, Column, workbook_bytes
from members.views_base import ScopedDetailView, ScopedListView, ScopedQuerysetMixin

from .dashboard import build as build_dashboard
from .filters import RollupFilterSet
from .models import Rollup


class RollupListView(ScopedListView):
    model = Rollup
    filterset_class = RollupFilterSet
    template_name = "evaluations/rollup_list.html"
    export_filename = "rollups"
    export_columns = (
        Column(_("类型"), lambda r: r.get_kind_display(), TEXT),
        Column(_("期间"), lambda r: r.period.label, TEXT, width=24),
        Column(_("区划代码"), "region.code", CODE, width=16),
        Column(_("区域"), "region.name", TEXT, width=16),
        Column(_("生成时间"), "produced_at", DATETIME, width=18),
    )

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


class DashboardView(LoginRequiredMixin, TemplateView):
    """The staff home page: how the user's alliances are doing, every figure a link."""

    template_name = "evaluations/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = build_dashboard(self.request.user)
        context["board"] = board
        context["charts"] = [(b, b.chart("bar"), f"chart-{b.key}") for b in board.breakdowns]
        return context
