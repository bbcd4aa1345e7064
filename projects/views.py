"""Browser pages: the leader's phone-first "my work" and weekly report, and the staff's
project list, project timeline and review queue. Thin: services do every write."""

from __future__ import annotations

import datetime
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from alliances.models import Alliance, AllianceStatus
from core.db import subquery_count
from core.views_base import ScopedDetailView, ScopedListView, ServiceFormView
from members.access import Role, scope_for
from members.views import safe_queue_next

from .filters import ProgressReportFilterSet, ProjectFilterSet
from .forms import MilestoneForm, ProjectForm, ProjectStatusForm, ReportForm, ReviewForm
from .layouts import PROJECT_COLUMNS, PROJECT_SHEET, REPORT_COLUMNS, REPORT_SHEET
from .ledger import LEDGER_COLUMNS, LEDGER_FILENAME, LEDGER_SHEET, ledger_rows
from .models import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    Milestone,
    ProgressReport,
    ProgressReportRevision,
    Project,
    ReportAttachment,
    ReportStatus,
)
from .services import (
    milestone_create,
    milestone_update,
    project_change_status,
    project_create,
    project_update,
    report_amend,
    report_resubmit,
    report_review,
    report_submit,
    reports_accept,
    require_leader,
)
from .weeks import current_week, local_today, recent_weeks, week_label

# How many weeks back a leader may still file a missed report from the form.
REPORTABLE_WEEKS = 4


def is_leader(user) -> bool:
    return scope_for(user).role == Role.ALLIANCE_LEADER


def can_review(user, project: Project) -> bool:
    scope = scope_for(user)
    return scope.can_write and scope.covers_region(project.alliance.lead_region)


def reports_with_history(queryset):
    return queryset.with_previous_percent().prefetch_related(
        "attachments",
        Prefetch(
            "revisions",
            queryset=ProgressReportRevision.objects.select_related("reviewed_by__person", "submitted_by__person"),
        ),
    )


# --------------------------------------------------------------------------- staff: projects


class ProjectListView(ScopedListView):
    model = Project
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"
    export_columns = PROJECT_COLUMNS
    export_sheet_title = PROJECT_SHEET

    def optimize(self, queryset):
        queryset = queryset.for_lists(local_today())
        # The page marks a latest week returned; an export has its own status column.
        return queryset if self.exporting else queryset.with_last_status()

    def get(self, request, *args, **kwargs):
        if self.wants_ledger and not scope_for(request.user).is_staff_role:
            raise PermissionDenied(str(_("项目台账只有组织部门工作人员可以导出。")))
        return super().get(request, *args, **kwargs)

    @property
    def wants_ledger(self) -> bool:
        """``?export=xlsx&layout=ledger``: the project ledger instead of the list's layout."""
        return self.request.GET.get("layout") == "ledger"

    @property
    def export_filename(self) -> str:
        return LEDGER_FILENAME if self.wants_ledger else "projects"

    def optimize_export(self, queryset):
        # The page's annotations (the late and silent filters read them) and the rows the
        # columns read: the responsible organization's region, whose code the export
        # carries, but not the alliance's region (a model instance less per row).
        queryset = (
            self.optimize(queryset)
            .select_related(None)
            .select_related("alliance", "responsible_organization__region", "responsible_person")
        )
        return ledger_rows(queryset) if self.wants_ledger else queryset

    def export_sheets(self, queryset):
        if self.wants_ledger:
            return [(LEDGER_SHEET, LEDGER_COLUMNS, queryset)]
        return super().export_sheets(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs) | {"this_week": week_label(current_week())}
        if context.get("export_url") and scope_for(self.request.user).is_staff_role:
            context["ledger_url"] = f"{context['export_url']}&layout=ledger"
        # ``?totals=1`` (the dashboard's money figures link so): the money of every row the
        # filters select, added as the dashboard adds it; asked for, as it reads every row.
        query = self.request.GET.copy()
        query.pop("page", None)
        showing = query.pop("totals", None) == ["1"]
        context["totals_off_url"] = f"?{query.urlencode()}"
        query["totals"] = "1"
        context["totals_on_url"] = f"?{query.urlencode()}"
        if showing and context["filter"].is_valid():
            # The rows the filters select, without the page's annotations (read from a fresh
            # query: the aggregate would otherwise wrap the whole annotated list).
            chosen = context["filter"].qs.order_by().values("pk")
            context["totals"] = Project.objects.filter(pk__in=chosen).investment_totals()
            context["keep_params"] = [("totals", "1")]
        return context


class ProjectDetailView(ScopedDetailView):
    model = Project
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def optimize(self, queryset):
        return queryset.for_lists(local_today()).prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
            Prefetch(
                "reports",
                queryset=reports_with_history(
                    ProgressReport.objects.select_related("submitted_by__person", "reviewed_by__person")
                ),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project, today = self.object, local_today()
        milestones = list(project.milestones.all())
        reports = list(project.reports.all())
        timeline = [{"on": report.period, "report": report} for report in reports]
        timeline += [{"on": milestone.done_on or milestone.due_on, "milestone": milestone} for milestone in milestones]
        timeline.sort(key=lambda entry: (entry["on"], "report" in entry), reverse=True)
        user = self.request.user
        context.update(
            milestones=milestones,
            timeline=timeline,
            today=today,
            can_manage=can_review(user, project),
            can_report=is_leader(user) and project.status in ACTIVE_STATUSES,
            this_week=current_week(today),
        )
        return context


class ProjectFormMixin:
    form_class = ProjectForm
    template_name = "projects/form.html"
    success_message = _("项目已保存。")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}


class ProjectCreateView(ProjectFormMixin, ServiceFormView):
    title = _("新建项目")

    def get_initial(self):
        return {"alliance": self.request.GET.get("alliance"), "year": local_today().year}

    def perform(self, form):
        return project_create(actor=self.request.user, **form.cleaned_data)

    def get_cancel_url(self):
        return reverse("projects:list")


class ProjectChildMixin:
    """A form about one project the user can see (anything else is a 404)."""

    def prepare(self, request, **kwargs):
        self.object = get_object_or_404(
            Project.objects.visible_to(request.user).select_related("alliance__lead_region"), pk=kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"project": self.object}


class ProjectUpdateView(ProjectChildMixin, ProjectFormMixin, ServiceFormView):
    title = _("编辑项目")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.object}

    def get_initial(self):
        return {"version": self.object.version}

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return project_update(actor=self.request.user, project=self.object, expected_version=version, **data)


class ProjectStatusView(ProjectChildMixin, ServiceFormView):
    form_class = ProjectStatusForm
    template_name = "projects/form.html"
    title = _("变更项目状态")
    success_message = _("项目状态已变更。")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"project": self.object}

    def get_initial(self):
        return {"version": self.object.version}

    def perform(self, form):
        return project_change_status(
            actor=self.request.user,
            project=self.object,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )


class MilestoneCreateView(ProjectChildMixin, ServiceFormView):
    form_class = MilestoneForm
    template_name = "projects/form.html"
    title = _("添加项目节点")
    success_message = _("节点已保存。")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": Milestone(project=self.object)}

    def perform(self, form):
        return milestone_create(actor=self.request.user, project=self.object, **form.cleaned_data)

    def get_success_url_for(self, obj):
        return self.object.get_absolute_url()


class MilestoneUpdateView(MilestoneCreateView):
    title = _("编辑项目节点")

    def get_form_kwargs(self):
        self.milestone = get_object_or_404(self.object.milestones.all(), pk=self.kwargs["milestone_pk"])
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.milestone
        return kwargs

    def perform(self, form):
        return milestone_update(actor=self.request.user, milestone=self.milestone, **form.cleaned_data)


# --------------------------------------------------------------------------- leader: my work


class MyWorkView(LoginRequiredMixin, TemplateView):
    """The leader's start page: their alliances, each project's report for this week, and
    the returned reports waiting to be fixed. Three queries whatever the numbers."""

    template_name = "projects/my_work.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_leader(request.user):
            return redirect("projects:review-queue" if scope_for(request.user).can_write else "projects:list")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, local_today()
        this_week = current_week(today)
        week_report = ProgressReport.objects.filter(project=OuterRef("pk"), period=this_week)
        context.update(
            this_week=this_week,
            this_week_label=week_label(this_week),
            alliances=list(Alliance.objects.visible_to(user).exclude(status=AllianceStatus.DISSOLVED).order_by("code")),
            projects=list(
                Project.objects.visible_to(user)
                .filter(status__in=OPEN_STATUSES)
                .for_lists(today)
                .annotate(
                    week_report_id=Subquery(week_report.values("pk")[:1]),
                    week_report_status=Subquery(week_report.values("status")[:1]),
                )
                .order_by("alliance__code", "due_on", "title")
            ),
            returned=list(
                ProgressReport.objects.visible_to(user)
                .filter(status=ReportStatus.RETURNED)
                .select_related("project__alliance", "reviewed_by__person")
                .order_by("period")
            ),
        )
        return context


class ReportFormMixin:
    form_class = ReportForm
    template_name = "projects/report_form.html"

    def get_success_url_for(self, report):
        return reverse("projects:my-work") if is_leader(self.request.user) else report.get_absolute_url()


class ReportSubmitView(ReportFormMixin, ServiceFormView):
    title = _("填报本周进度")
    success_message = _("进度报告已提交，等待审核。")

    def prepare(self, request, **kwargs):
        self.project = get_object_or_404(
            Project.objects.visible_to(request.user).select_related("alliance"), pk=kwargs["pk"]
        )

    @cached_property
    def weeks(self) -> list[datetime.date]:
        """The weeks the form offers, newest first: those of the last few still without a
        report (a filed week is amended from its own page, which the form links to), all of
        them when every one is filed; a form sent is read against all of them, so that a week
        filed meanwhile is told as filed, not as an unknown choice."""
        if self.request.method == "POST":
            return self.recent_weeks
        return self.open_weeks or self.recent_weeks

    @cached_property
    def recent_weeks(self) -> list[datetime.date]:
        return recent_weeks(REPORTABLE_WEEKS, not_before=self.project.start_on) or [current_week()]

    @cached_property
    def open_weeks(self) -> list[datetime.date]:
        """The recent weeks without a report yet."""
        filed = set(self.project.reports.filter(period__in=self.recent_weeks).values_list("period", flat=True))
        return [week for week in self.recent_weeks if week not in filed]

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"weeks": self.weeks}

    def get_initial(self):
        last = self.project.reports.exclude(status=ReportStatus.RETURNED).order_by("-period").first()
        initial = {"period": self.weeks[0].isoformat()}
        if last is not None:
            initial |= {"percent_complete": last.percent_complete, "investment_to_date": last.investment_to_date}
        return initial

    def check_permission(self, user) -> None:
        require_leader(user, self.project)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "project": self.project,
            "cancel_url": reverse("projects:my-work"),
            "filed": self.filed_report(kwargs.get("form")),
            # Every week the form could take has its report: nothing to file, each is
            # amended or corrected from its own page.
            "all_filed": self.request.method == "GET" and not self.open_weeks,
            "filed_weeks": len(self.recent_weeks),
        }

    def filed_report(self, form) -> ProgressReport | None:
        """The report already filed for the week chosen (or offered): the page links to it
        (to amend it while it waits for review, to correct it when returned)."""
        period = form.data.get("period") if form is not None and form.is_bound else None
        try:
            week = datetime.date.fromisoformat(period) if period else current_week()
        except ValueError:
            return None
        return self.project.reports.filter(period=week).first()

    def perform(self, form):
        return report_submit(actor=self.request.user, project=self.project, **form.service_data())


class ReportFixView(ReportFormMixin, ServiceFormView):
    """Correct a returned report and send it again, or amend one still waiting for review."""

    def prepare(self, request, **kwargs):
        self.report = get_object_or_404(
            ProgressReport.objects.visible_to(request.user).select_related("project__alliance", "reviewed_by__person"),
            pk=kwargs["pk"],
        )
        if self.report.status not in (ReportStatus.RETURNED, ReportStatus.SUBMITTED):
            messages.info(request, _("该报告已通过审核，不能再修改。"))
            return redirect(self.report.get_absolute_url())
        self.pending = self.report.status == ReportStatus.SUBMITTED
        self.title = _("修改待审核的报告") if self.pending else _("修改并重新提交")
        self.success_message = _("报告已修改，仍在等待审核。") if self.pending else _("报告已重新提交，等待审核。")
        return None

    def check_permission(self, user) -> None:
        require_leader(user, self.report.project)

    def write_target(self):
        return self.report

    def nothing_to_save(self, form) -> bool:
        """A report waiting for review sent back untouched stays as it was sent (an amendment
        would move its time of submission, and with it whether it came on time). A returned
        one sent back untouched is sent again: that is the leader's answer."""
        return self.pending and not form.has_changed()

    def get_initial(self):
        report = self.report
        return {
            "percent_complete": report.percent_complete,
            "investment_to_date": report.investment_to_date,
            "work_done": report.work_done,
            "blockers": report.blockers,
            "needs_coordination": report.needs_coordination,
            "coordination_request": report.coordination_request,
        }

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.pending:
            kwargs["removable"] = self.report.attachments.filter(revision=self.report.revision).order_by("pk")
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "project": self.report.project,
            "report": self.report,
            "cancel_url": reverse("projects:my-work"),
        }

    def perform(self, form):
        service = report_amend if self.pending else report_resubmit
        return service(actor=self.request.user, report=self.report, **form.service_data())


# --------------------------------------------------------------------------- reports and review


class ReportDetailView(ServiceFormView):
    """One report with its photos and earlier versions; staff review it here."""

    form_class = ReviewForm
    template_name = "projects/report_detail.html"
    success_message = _("审核结果已保存。")

    def prepare(self, request, **kwargs):
        self.report = get_object_or_404(
            reports_with_history(
                ProgressReport.objects.visible_to(request.user).select_related(
                    "project__alliance__lead_region", "submitted_by__person", "reviewed_by__person"
                )
            ),
            pk=kwargs["pk"],
        )

    def write_target(self):
        return self.report

    def check_permission(self, user) -> None:
        """Everyone who sees the report reads it; only its reviewers post the form."""
        if self.request.method not in ("GET", "HEAD"):
            super().check_permission(user)

    def get_context_data(self, **kwargs):
        report = self.report
        return super().get_context_data(**kwargs) | {
            "report": report,
            "project": report.project,
            "can_review": report.status == ReportStatus.SUBMITTED and can_review(self.request.user, report.project),
            "can_fix": report.status in (ReportStatus.RETURNED, ReportStatus.SUBMITTED)
            and is_leader(self.request.user),
            "title": report.project.title,
        }

    def perform(self, form):
        return report_review(actor=self.request.user, report=self.report, **form.cleaned_data)

    def get_success_url_for(self, report):
        return reverse("projects:review-queue")


class ReviewQueueView(ScopedListView):
    """Reports awaiting review (or any status chosen in the filter), oldest week first."""

    model = ProgressReport
    filterset_class = ProgressReportFilterSet
    template_name = "projects/review_queue.html"
    export_columns = REPORT_COLUMNS
    export_sheet_title = REPORT_SHEET
    export_filename = "progress-reports"

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "status" not in self.request.GET:
            data = self.request.GET.copy()
            data["status"] = ReportStatus.SUBMITTED
            kwargs["data"] = data
        return kwargs

    def optimize(self, queryset):
        return (
            queryset.select_related("project__alliance__lead_region", "submitted_by")
            .with_previous_percent()
            .prefetch_related("attachments")
            .order_by("period", "submitted_at")
        )

    def optimize_export(self, queryset):
        # The attachments counted by the query itself: a prefetch would run once per chunk.
        return (
            queryset.select_related("project__alliance")
            .with_previous_percent()
            .annotate(attachment_count=subquery_count(ReportAttachment.objects.all(), "report"))
            .order_by("period", "submitted_at")
        )


class ReviewAcceptSelectedView(LoginRequiredMixin, View):
    """通过所选: accept the reports ticked in the review queue, each as one accept does; the
    ones that need a reviewer's reason (progress went down) or were reviewed meanwhile are
    left, each named with why. Back to the queue as it was filtered."""

    http_method_names = ["post"]

    def post(self, request):
        if not scope_for(request.user).can_write:
            raise PermissionDenied(_("您没有权限审核进度报告。"))
        ids = [int(value) for value in request.POST.getlist("report") if value.isdigit()]
        back = safe_queue_next(request, request.POST.get("next", "")) or reverse("projects:review-queue")
        if not ids:
            messages.error(request, _("请先勾选要通过的报告。"))
            return redirect(back)
        reports = (
            ProgressReport.objects.visible_to(request.user)
            .filter(pk__in=ids)
            .select_related("project__alliance__lead_region")
            .order_by("period", "submitted_at")
        )
        accepted, skipped = reports_accept(actor=request.user, reports=reports)
        if accepted:
            count = len(accepted)
            messages.success(
                request, ngettext("已通过 %(count)s 份报告。", "已通过 %(count)s 份报告。", count) % {"count": count}
            )
        for report, reason in skipped:
            messages.warning(
                request,
                _("%(project)s %(week)s未通过：%(reason)s")
                % {"project": report.project.title, "week": report.week_label, "reason": reason},
            )
        return redirect(back)


class AttachmentView(LoginRequiredMixin, View):
    """Files are served through the scope check, never from a public URL."""

    def get(self, request, pk):
        attachment = get_object_or_404(ReportAttachment.objects.visible_to(request.user), pk=pk)
        response = FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=not attachment.is_photo,
            filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
        )
        response["Cache-Control"] = "private, max-age=3600"
        return response
