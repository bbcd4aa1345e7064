from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.audit import HistorySource, change_log
from core.charts import ChartSpec
from core.excel import CHOICE, CODE, DATE, INT, TEXT, Column
from core.views_base import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    ServiceFormView,
    StaffOnlyMixin,
)

from .filters import WorkshopFilterSet, WorkshopSummaryFilterSet
from .forms import SummaryMonthForm, WorkshopForm, WorkshopReportForm
from .models import Workshop, WorkshopReport, WorkshopStatus, WorkshopType
from .months import add_months, format_month, last_complete_month, month_range
from .services import (
    can_report,
    closed_message,
    is_closed_to,
    months_closed_to,
    workshop_create,
    workshop_report_create,
    workshop_report_update,
    workshop_update,
)
from .summary import workshop_summary

CHART_MONTHS = 24


class WorkshopListView(ScopedListView):
    model = Workshop
    filterset_class = WorkshopFilterSet
    template_name = "workshops/workshop_list.html"
    export_filename = "workshops"
    export_columns = (
        Column(_("工坊名称"), "name", TEXT, width=30),
        Column(_("工坊类型"), "type", CHOICE, choices=WorkshopType),
        Column(_("所在村（社区）代码"), "region.code", CODE, width=16),
        Column(_("所在村（社区）"), "region.name", TEXT, width=16),
        Column(_("承办单位"), "host.name", TEXT, width=24),
        Column(_("所属联盟编号"), "alliance.code", CODE, width=16),
        Column(_("所属联盟"), "alliance.name", TEXT, width=24),
        Column(_("助富管家"), "steward.name", TEXT),
        Column(_("合作企业"), "partner_enterprise", TEXT, width=24),
        Column(_("开办日期"), "opened_on", DATE, width=12),
        Column(_("状态"), "status", CHOICE, choices=WorkshopStatus),
        Column(_("“六个一”完成数"), "checklist_score", INT),
        Column(_("最近填报月份"), lambda w: w.latest_month and format_month(w.latest_month), TEXT),
        Column(_("最近就业人数"), "latest_employed", INT),
        Column(_("其中低收入人数"), "latest_low_income_employed", INT),
    )

    def optimize(self, queryset):
        return queryset.select_related("region", "host", "alliance", "steward").with_checklist().with_latest_report()


HISTORY_LIMIT = 50


class WorkshopDetailView(ScopedDetailView):
    model = Workshop
    template_name = "workshops/workshop_detail.html"
    context_object_name = "workshop"

    def optimize(self, queryset):
        return queryset.select_related("region__parent", "host", "alliance", "steward").with_checklist()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workshop = self.object
        last = last_complete_month(timezone.localdate())
        first = add_months(last, 1 - CHART_MONTHS)
        reports = list(
            WorkshopReport.objects.visible_to(self.request.user).filter(workshop=workshop).order_by("-month")
        )
        # Every month from the first report in the window to last month; a month not filed is a gap.
        filed = {r.month: r for r in reports if first <= r.month <= last}
        months = list(month_range(min(filed), last)) if filed else []

        def series(name: str) -> list:
            return [getattr(filed[m], name) if m in filed else None for m in months]

        chart = (
            ChartSpec(labels=[format_month(m) for m in months], type="bar", axes={"y": _("人数"), "y2": _("元/人·月")})
            .add(_("带动就业人数"), series("employed"))
            .add(_("其中低收入人数"), series("low_income_employed"))
            .add(_("人均月增收（元）"), series("income_increase_per_person"), axis="y2", type="line")
        )
        context.update(
            reports=reports,
            chart=chart.as_dict() if filed else None,
            can_report=can_report(self.request.user, workshop),
            closed_months=months_closed_to(self.request.user, workshop),
            ancestors=workshop.region.ancestors(),
            history=change_log(
                [
                    HistorySource(Workshop.history.filter(id=workshop.pk)),
                    HistorySource(
                        WorkshopReport.history.filter(workshop_id=workshop.pk),
                        title="month",
                        title_format="YEAR_MONTH_FORMAT",
                    ),
                ],
                user=self.request.user,
                limit=HISTORY_LIMIT,
            ),
            history_limit=HISTORY_LIMIT,
        )
        return context


class WorkshopFormMixin(StaffOnlyMixin):
    """Workshops are kept by staff: other roles get 403 before seeing the form."""

    form_class = WorkshopForm
    success_message = _("共富工坊信息已保存。")
    staff_only_message = _("您没有权限修改该区域的数据。")


class WorkshopCreateView(WorkshopFormMixin, ScopedCreateView):
    title = _("新建共富工坊")
    cancel_url_name = "workshops:list"

    def perform(self, form):
        return workshop_create(actor=self.request.user, **form.cleaned_data)


class WorkshopUpdateView(WorkshopFormMixin, ScopedUpdateView):
    model = Workshop
    title = _("编辑共富工坊")

    def perform(self, form):
        return workshop_update(actor=self.request.user, workshop=self.object, **form.cleaned_data)


class ReportFormView(ServiceFormView):
    """The monthly report form: only for people who may file this workshop's figures."""

    form_class = WorkshopReportForm
    template_name = "workshops/report_form.html"
    success_message = _("月度数据已保存。")

    def prepare(self, request, **kwargs):
        self.workshop = self.get_workshop(request, **kwargs)

    def check_permission(self, user) -> None:
        if not can_report(user, self.workshop):
            raise PermissionDenied(_("您没有权限填报该工坊的月度数据。"))

    def get_workshop(self, request, **kwargs) -> Workshop:  # pragma: no cover - both views override
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["workshop"] = self.workshop
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["workshop"] = self.workshop
        context["cancel_url"] = self.workshop.get_absolute_url()
        return context


class ReportCreateView(ReportFormView):
    title = _("填报月度数据")

    def get_workshop(self, request, **kwargs) -> Workshop:
        return get_object_or_404(Workshop.objects.visible_to(request.user), pk=kwargs["pk"])

    def get_initial(self):
        return {"month": self.request.GET.get("month")} if self.request.GET.get("month") else {}

    def get_context_data(self, **kwargs):
        """Say up front when the month offered (or filed already) is closed to the user; a
        filed month still open is linked, to correct it. A filed month the user chose is
        told on the month field (:func:`filed_message`), not again here."""
        context = super().get_context_data(**kwargs)
        form = context["form"]
        filed = getattr(form, "filed", None)
        month = filed.month if filed else form.fields["month"].initial
        closed = bool(month) and is_closed_to(self.request.user, self.workshop, month)
        if closed and not form.filed_chosen:
            context["closed_notice"] = closed_message(month)
        context["correctable"] = None if closed else filed
        return context

    def perform(self, form):
        return workshop_report_create(actor=self.request.user, workshop=self.workshop, **form.cleaned_data)


class ReportUpdateView(ReportFormView):
    title = _("修改月度数据")

    def get_workshop(self, request, **kwargs) -> Workshop:
        self.report = get_object_or_404(
            WorkshopReport.objects.visible_to(request.user).select_related("workshop"), pk=kwargs["pk"]
        )
        return self.report.workshop

    def prepare(self, request, **kwargs):
        super().prepare(request, **kwargs)
        if can_report(request.user, self.workshop) and is_closed_to(request.user, self.workshop, self.report.month):
            # Published in a bulletin: the detail page offers no 修改 for it, and says why here.
            messages.error(request, closed_message(self.report.month))
            return redirect(self.workshop.get_absolute_url())
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.report
        return kwargs

    def perform(self, form):
        figures = {name: value for name, value in form.cleaned_data.items() if name != "month"}
        return workshop_report_update(actor=self.request.user, report=self.report, **figures)


class WorkshopSummaryView(LoginRequiredMixin, TemplateView):
    """Totals by county and by type for a chosen month and for the year to date."""

    template_name = "workshops/workshop_summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        data = self.request.GET.copy()
        data.setdefault("month", format_month(last_complete_month(timezone.localdate())))
        options = SummaryMonthForm(data)
        filterset = WorkshopSummaryFilterSet(data, queryset=Workshop.objects.visible_to(user), request=self.request)
        context.update(options=options, filter=filterset, summary=None)
        if options.is_valid() and filterset.is_valid():
            reports = WorkshopReport.objects.visible_to(user).filter(workshop__in=filterset.qs.values("pk"))
            summary = workshop_summary(reports, month=options.cleaned_month())
            chart = ChartSpec(
                labels=[format_month(m.month) for m in summary.by_month], type="bar", axes={"y": _("人数")}
            )
            chart.add(_("带动就业人数"), [m.totals.employed for m in summary.by_month])
            chart.add(_("其中低收入人数"), [m.totals.low_income_employed for m in summary.by_month])
            context.update(summary=summary, chart=chart.as_dict(), sections=summary_sections(summary))
        return context


def summary_sections(summary) -> list[dict]:
    """The summary page's two sections (the month, the year to date), each by county and by type."""
    sections = []
    for key, title, person_months in (
        ("month", _("%(month)s 当月") % {"month": format_month(summary.month)}, False),
        (
            "year_to_date",
            _("年度累计（%(first)s 至 %(last)s）")
            % {"first": format_month(summary.year_start), "last": format_month(summary.month)},
            True,
        ),
    ):
        sections.append(
            {
                "id": key.replace("_", "-"),
                "title": title,
                "person_months": person_months,
                "total": getattr(summary.total, key),
                "by_region": [(group.label, getattr(group, key)) for group in summary.by_region],
                "by_type": [(group.label, getattr(group, key)) for group in summary.by_type],
            }
        )
    return sections
