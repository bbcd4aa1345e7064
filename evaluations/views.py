from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db.models import Case, F, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from alliances.models import Alliance
from core.excel import CODE, DATETIME, TEXT, XLSX_CONTENT_TYPE, Column, workbook_bytes
from core.periods import YEAR, Period
from core.uploads import clean_upload, serve_file
from core.views_base import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    StaffOnlyMixin,
    apply_validation_error,
)
from members.views import safe_queue_next

from . import scorecard
from .dashboard import build as build_dashboard
from .drafts import SCORED_KINDS, missing_for, pending_scores, report_diff, reporting_cutoff
from .filters import ProposalFilterSet, RollupFilterSet, VetoFindingFilterSet
from .forms import ManualScoreForm, ObservationVisitForm, RollupDraftForm, RollupPublishForm, VetoFindingForm
from .layouts import PROPOSAL_COLUMNS, PROPOSAL_SHEET
from .models import ManualScore, Proposal, ProposalStatus, Rollup, VetoFinding
from .pages import report_page
from .reports import proposed_for_visit, yuan_label
from .rollups import ANNUAL_REVIEW, QUARTERLY_OBSERVATION
from .services import (
    manual_score_set,
    may_decide,
    observation_visit_score,
    proposal_decide,
    reads_proposals,
    require_rollup_staff,
    rollup_draft_by_hand,
    rollup_publish,
    rollup_regenerate,
    veto_confirm,
    veto_record,
)
from .texts import rendered_report, week_text


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
        Column(_("版本"), lambda r: r.state_label, TEXT),
    )

    def optimize(self, queryset):
        return queryset.select_related("region").defer("report")


class RollupDetailView(ScopedDetailView):
    """The printable page of one rollup (print stylesheet drops navigation and forms); for
    staff who may publish it, what its draft still lacks and the publication form; for
    everyone, its versions and what each changed."""

    model = Rollup
    template_name = "evaluations/rollup_detail.html"
    context_object_name = "rollup"

    def optimize(self, queryset):
        return queryset.select_related("region", "published_by__person")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["visits"] = self.object.visits.select_related("alliance", "scored_by").order_by("visited_on")
        context["page"] = page = report_page(self.object, self.request.user, self.request.GET)
        context.update(
            publication_context(self.request.user, self.object, kwargs.get("publish_form"), show_all=page.show_all)
        )
        return context


def can_publish(user, rollup: Rollup) -> bool:
    try:
        require_rollup_staff(user, rollup)
    except PermissionDenied:
        return False
    return True


# Pending scores and waivers listed one by one on the page (every one with ?all=1).
ITEMS_LISTED = 30


def publication_context(user, rollup: Rollup, form: RollupPublishForm | None = None, *, show_all: bool = False) -> dict:
    """The versions of the rollup, the one it is compared with, and, on a draft, what it
    lacks and the form that publishes it. Pending scores are counted by indicator and the
    first ``ITEMS_LISTED`` listed (all with ``show_all``), and so are the waivers."""
    versions = list(
        Rollup.objects.visible_to(user)
        .of(rollup)
        .select_related("published_by__person")
        .defer("report")
        .order_by(F("version").desc(nulls_first=True))
    )
    published = [v for v in versions if not v.is_draft]
    if rollup.is_draft:
        previous = published[0] if published else None
    else:
        previous = next((v for v in published if v.version < rollup.version), None)
    context = {
        "versions": versions,
        "previous": previous,
        "diff": report_diff(Rollup.objects.get(pk=previous.pk).report, rollup.report) if previous else None,
        "can_publish": can_publish(user, rollup),
    }
    if rollup.kind == ANNUAL_REVIEW and rollup.published_at and published and published[0].pk == rollup.pk:
        # Decisions taken since this version was published: it still lists those proposals
        # as they stood (待确认), until a correction lists them as decided.
        context["decided_since"] = Proposal.objects.filter(
            rollup.region.within("region"), year=rollup.period_start.year, decided_at__gt=rollup.published_at
        ).count()
    waivers = rollup.waivers.select_related("alliance", "indicator", "waived_by__person").order_by("pk")
    context["waiver_count"] = count = waivers.count()
    context["waivers"] = list(waivers if show_all else waivers[:ITEMS_LISTED]) if count else []
    if rollup.is_draft and context["can_publish"]:
        missing = missing_for(rollup.kind, rollup.period, rollup.region, rollup.produced_at)
        context["missing"] = missing
        pending = missing.pending_scores
        # Counted by the indicator's id (a city's 3,000 pending scores hash no model instance).
        counts = Counter(item.indicator.pk for item in pending)
        indicators = {item.indicator.pk: item.indicator for item in pending}
        context["pending_by_indicator"] = sorted(
            ((indicators[pk], n) for pk, n in counts.items()), key=lambda pair: pair[0].code
        )
        context["pending_listed"] = pending if show_all else pending[:ITEMS_LISTED]
        if not missing.drafted_before:  # a draft made before the cut-off is not offered for publication
            context["publish_form"] = form or RollupPublishForm(
                pending=missing.pending_scores, is_correction=previous is not None
            )
    return context


class RollupPublishView(RollupDetailView):
    """Publish a draft (POST); refused, the page comes back with the reasons."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = rollup = self.get_object()
        require_rollup_staff(request.user, rollup)
        latest = Rollup.objects.of(rollup).published().order_by("-version").first()
        pending = pending_scores(rollup.period, rollup.region) if rollup.kind in SCORED_KINDS else []
        form = RollupPublishForm(request.POST, pending=pending, is_correction=latest is not None)
        if form.is_valid():
            try:
                published = rollup_publish(
                    actor=request.user, rollup=rollup, reason=form.cleaned_data["reason"], waivers=form.waivers()
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("已发布为第%(version)s版。") % {"version": published.version})
                return redirect(published.get_absolute_url())
        return self.render_to_response(self.get_context_data(object=rollup, publish_form=form))


@login_required
@require_POST
def rollup_regenerate_view(request, pk: int):
    """Recompute a draft, or start the correction of a published version."""
    rollup = get_object_or_404(Rollup.objects.visible_to(request.user).select_related("region"), pk=pk)
    draft = rollup_regenerate(actor=request.user, rollup=rollup)
    messages.success(request, _("草稿已按当前数据重新生成。"))
    return redirect(draft.get_absolute_url())


def report_sheets(rollup: Rollup) -> list[tuple[str, list[str], list[list]]]:
    """The report as workbook sheets: a summary sheet, then one sheet per table. Titles,
    labels and the words among the values read in the active language, as on the page
    (evaluations.texts); figures as stored."""
    report = rendered_report(rollup.report)
    summary_rows = [
        [yuan_label(item["label"], item["type"]), typed(item["value"], item["type"])]
        for item in report.get("summary", [])
    ]
    sheets = [(str(rollup.get_kind_display()), [str(_("指标")), str(_("数值"))], summary_rows)]
    for table in report.get("tables", []):
        columns = table["columns"]
        rows = [[typed(value, col["type"]) for value, col in zip(row, columns, strict=False)] for row in table["rows"]]
        sheets.append((table["title"], [yuan_label(col["label"], col["type"]) for col in columns], rows))
    return sheets


def typed(value, type_: str):
    """Report values travel as JSON; money and percentages are decimal strings."""
    from decimal import Decimal

    if value is not None and type_ in {"money", "percent", "decimal"}:
        return Decimal(str(value))
    if value is not None and type_ == "week":
        return week_text(value)
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


class RollupDraftCreateView(AssessmentStaffMixin, ScopedCreateView):
    """Draft a rollup the schedule has not made (yet)."""

    form_class = RollupDraftForm
    title = _("生成调度通报草稿")

    def perform(self, form):
        data = form.cleaned_data
        rollup, created = rollup_draft_by_hand(
            actor=self.request.user, kind=data["kind"], period=data["period"], region=data["region"]
        )
        if not created:
            self.success_message = _("该期通报已有草稿或已发布版本。")
        elif (cutoff := reporting_cutoff(rollup.kind, rollup.period)) and rollup.produced_at < cutoff:
            self.success_message = _("草稿已生成，供预览：本期周报截止时点未到，截止后请重新生成，再发布。")
        else:
            self.success_message = _("草稿已生成，请核对缺项后发布。")
        return rollup

    def get_cancel_url(self):
        return reverse("evaluations:rollup-list")


def checked_evidence(upload) -> File | None:
    """An evidence file as uploaded, checked (a photo or a PDF within the size limit) and
    named for storage; its error goes to the form's ``evidence_file`` field."""
    if not upload:
        return None
    clean = clean_upload(upload, field="evidence_file")
    return File(clean.content, name=clean.name)


class ManualScoreCreateView(AssessmentStaffMixin, ScopedCreateView):
    """Score a staff-scored indicator of an alliance for a year, with evidence."""

    form_class = ManualScoreForm
    title = _("录入考评评分")
    cancel_url_name = "evaluations:veto-list"
    success_message = _("评分已保存。")

    def get_initial(self):
        """``?alliance=&indicator=`` (the 修改 link of a score) opens the form filled with
        the score recorded, to correct it."""
        initial = {
            key: self.request.GET[key] for key in ("alliance", "indicator") if self.request.GET.get(key, "").isdigit()
        }
        if len(initial) == 2:
            recorded = (
                ManualScore.objects.visible_to(self.request.user)
                .filter(alliance_id=initial["alliance"], indicator_id=initial["indicator"], period_kind=YEAR)
                .filter(indicator__scheme__year=F("period_start__year"))
                .first()
            )
            if recorded is not None:
                initial |= {"score": recorded.score, "evidence": recorded.evidence}
        return initial

    def perform(self, form):
        data = form.cleaned_data
        manual_score_set(
            actor=self.request.user,
            alliance=data["alliance"],
            indicator=data["indicator"],
            period=Period.parse(YEAR, str(data["indicator"].scheme.year)),
            score=data["score"],
            evidence=data["evidence"],
            evidence_file=checked_evidence(data.get("evidence_file")),
        )
        return data["alliance"]

    def get_success_url_for(self, alliance):
        return reverse("evaluations:veto-list")


class VetoListView(AssessmentStaffMixin, ScopedListView):
    """Veto findings (the four bottom lines) of the user's alliances, to confirm after
    checking (``?state=to_confirm``: those waiting for the reader), and the latest staff scores."""

    model = VetoFinding
    filterset_class = VetoFindingFilterSet
    template_name = "evaluations/veto_list.html"

    def optimize(self, queryset):
        return queryset.select_related("alliance", "recorded_by__person", "confirmed_by__person").order_by(
            "-year", "confirmed", "alliance__code", "pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scores"] = (
            ManualScore.objects.visible_to(self.request.user)
            .select_related("alliance", "indicator", "scored_by")
            .order_by("-period_start", "alliance__code")[:50]
        )
        context["reads_proposals"] = reads_proposals(self.request.user)
        return context


class VetoCreateView(AssessmentStaffMixin, ScopedCreateView):
    form_class = VetoFindingForm
    title = _("记录底线问题")
    cancel_url_name = "evaluations:veto-list"
    success_message = _("已记录，核实后请确认。")

    def perform(self, form):
        data = form.cleaned_data
        return veto_record(
            actor=self.request.user, **data | {"evidence_file": checked_evidence(data.get("evidence_file"))}
        )

    def get_success_url_for(self, finding):
        return reverse("evaluations:veto-list")


@login_required
@require_POST
def veto_confirm_view(request, pk: int):
    finding = get_object_or_404(VetoFinding.objects.visible_to(request.user), pk=pk)
    try:
        veto_confirm(actor=request.user, finding=finding, verification=request.POST.get("verification", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已确认：该联盟本年度考评等次为较差。"))
    return redirect(safe_queue_next(request, request.POST.get("next", "")) or reverse("evaluations:veto-list"))


@login_required
def evidence_file(request, pk: int):
    """A staff score's evidence file, to those who may see the score (its alliance)."""
    return serve_file(get_object_or_404(ManualScore.objects.visible_to(request.user), pk=pk).evidence_file)


@login_required
def veto_evidence_file(request, pk: int):
    """A bottom-line finding's evidence file, to those who may see the finding (its alliance)."""
    return serve_file(get_object_or_404(VetoFinding.objects.visible_to(request.user), pk=pk).evidence_file)


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

    def get_cancel_url(self) -> str:
        return self.rollup.get_absolute_url()


class ProposalListView(ScopedListView):
    """The consequences annual reviews propose, to confirm or overrule with a reason; the
    confirmed ones are those that apply. Staff of the proposal's region (or above) decide
    on the page, row by row."""

    model = Proposal
    filterset_class = ProposalFilterSet
    template_name = "evaluations/proposal_list.html"
    export_columns = PROPOSAL_COLUMNS
    export_sheet_title = PROPOSAL_SHEET
    export_filename = "proposals"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not reads_proposals(request.user):
            raise PermissionDenied(_("结果运用建议由市、县组织部门工作人员决定。"))
        return super().dispatch(request, *args, **kwargs)

    def optimize(self, queryset):
        waiting_first = Case(When(status=ProposalStatus.PROPOSED, then=0), default=1)
        return queryset.select_related("alliance", "organization", "region", "decided_by__person").order_by(
            "-year", waiting_first, "status", "kind", "region__code", "pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            rows=[(p, may_decide(user, p)) for p in context["object_list"]],
            decisions=[(ProposalStatus.CONFIRMED, _("确认")), (ProposalStatus.OVERRULED, _("不予采纳"))],
        )
        return context


@login_required
@require_POST
def proposal_decide_view(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.visible_to(request.user).select_related("region"), pk=pk)
    try:
        proposal_decide(
            actor=request.user,
            proposal=proposal,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已记录决定。"))
    # Back to the list as it was filtered, from its first page, never off the site.
    return redirect(safe_queue_next(request, request.POST.get("next", "")) or reverse("evaluations:proposal-list"))


class ScorecardView(LoginRequiredMixin, TemplateView):
    """An alliance's scorecard for an assessed period: total, dimensions, indicators and the
    rows behind them. The alliance is looked up among those the user may see (404 else)."""

    template_name = "evaluations/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alliance = get_object_or_404(
            Alliance.objects.visible_to(self.request.user).select_related("lead_region"), code=kwargs["code"]
        )
        period = scorecard.period_of_key(kwargs["period"])
        if not scorecard.readable(alliance, period, self.request.user):
            raise Http404(_("该联盟在这一期间没有已发布的考评结果。"))
        context["card"] = scorecard.build(alliance, period)
        context["published"] = scorecard.published_total(alliance, period, self.request.user)
        return context
