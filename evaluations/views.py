from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files import File
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from alliances.models import Alliance
from members.excel import CODE, DATETIME, TEXT, XLSX_CONTENT_TYPE, Column, workbook_bytes
from members.periods import YEAR, Period
from members.uploads import clean_upload, serve_file
from members.views_base import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    StaffOnlyMixin,
)

from . import scorecard
from .dashboard import build as build_dashboard
from .filters import RollupFilterSet
from .forms import ManualScoreForm, ObservationVisitForm, VetoFindingForm
from .models import ManualScore, Rollup, VetoFinding
from .reports import proposed_for_visit
from .rollups import QUARTERLY_OBSERVATION
from .services import manual_score_set, observation_visit_score, veto_confirm, veto_record


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["visits"] = self.object.visits.select_related("alliance", "scored_by").order_by("visited_on")
        return context


def report_sheets(rollup: Rollup) -> list[tuple[str, list[str], list[list]]]:
    """The report as workbook sheets: a summary sheet, then one sheet per table."""
    report = rollup.report
    summary_rows = [[item["label"], typed(item["value"], item["type"])] for item in report.get("summary", [])]
    sheets = [(str(rollup.get_kind_display()), [str(_("指标")), str(_("数值"))], summary_rows)]
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


class AssessmentStaffMixin(StaffOnlyMixin):
    """Assessment entries are made by organization-department staff."""

    staff_only_message = _("只有组织部门工作人员可以进行考评录入。")


class ManualScoreCreateView(AssessmentStaffMixin, ScopedCreateView):
    """Score a staff-scored indicator of an alliance for a year, with evidence."""

    form_class = ManualScoreForm
    title = _("录入考评评分")
    success_message = _("评分已保存。")

    def perform(self, form):
        data = form.cleaned_data
        upload = data.get("evidence_file")
        stored = None
        if upload:
            clean = clean_upload(upload, field="evidence_file")
            stored = File(clean.content, name=clean.name)
        manual_score_set(
            actor=self.request.user,
            alliance=data["alliance"],
            indicator=data["indicator"],
            period=Period.parse(YEAR, str(data["year"])),
            score=data["score"],
            evidence=data["evidence"],
            evidence_file=stored,
        )
        return data["alliance"]

    def get_success_url_for(self, alliance):
        return reverse("evaluations:veto-list")


class VetoListView(AssessmentStaffMixin, TemplateView):
    """Veto findings (the four bottom lines) of the user's alliances, to confirm after checking."""

    template_name = "evaluations/veto_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["findings"] = (
            VetoFinding.objects.visible_to(self.request.user)
            .select_related("alliance", "recorded_by")
            .order_by("-year", "confirmed", "alliance__code")
        )
        context["scores"] = (
            ManualScore.objects.visible_to(self.request.user)
            .select_related("alliance", "indicator", "scored_by")
            .order_by("-period_start", "alliance__code")[:50]
        )
        return context


class VetoCreateView(AssessmentStaffMixin, ScopedCreateView):
    form_class = VetoFindingForm
    title = _("记录底线问题")
    success_message = _("已记录，核实后请确认。")

    def perform(self, form):
        return veto_record(actor=self.request.user, **form.cleaned_data)

    def get_success_url_for(self, finding):
        return reverse("evaluations:veto-list")


@login_required
@require_POST
def veto_confirm_view(request, pk: int):
    finding = get_object_or_404(VetoFinding.objects.visible_to(request.user), pk=pk)
    veto_confirm(actor=request.user, finding=finding)
    messages.success(request, _("已确认：该联盟本年度考评等次为较差。"))
    return redirect("evaluations:veto-list")


@login_required
def evidence_file(request, pk: int):
    """A staff score's evidence file, to those who may see the score (its alliance)."""
    return serve_file(get_object_or_404(ManualScore.objects.visible_to(request.user), pk=pk).evidence_file)


class ObservationVisitView(AssessmentStaffMixin, ScopedCreateView):
    """Enter the on-site visit score of an alliance the quarterly observation proposed."""

    form_class = ObservationVisitForm
    title = _("录入观摩评分")
    success_message = _("观摩评分已保存。")

    def prepare(self, request, **kwargs):
        self.rollup = get_object_or_404(
            Rollup.objects.visible_to(request.user), pk=kwargs["pk"], kind=QUARTERLY_OBSERVATION
        )
        return super().prepare(request, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["proposed_codes"] = proposed_for_visit(self.rollup.report)
        return kwargs

    def perform(self, form):
        return observation_visit_score(actor=self.request.user, rollup=self.rollup, **form.cleaned_data)

    def get_success_url_for(self, visit):
        return self.rollup.get_absolute_url()


class ScorecardView(LoginRequiredMixin, TemplateView):
    """An alliance's scorecard for an assessed period: total, dimensions, indicators and the
    rows behind them. The alliance is looked up among those the user may see (404 else)."""

    template_name = "evaluations/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alliance = get_object_or_404(Alliance.objects.visible_to(self.request.user), code=kwargs["code"])
        context["card"] = scorecard.build(alliance, scorecard.period_of_key(kwargs["period"]))
        return context
