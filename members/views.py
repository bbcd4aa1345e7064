from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from django.views.generic import FormView

from core import imports
from core.audit import HistorySource, change_log
from core.db import subquery_count
from core.views_base import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    ServiceFormView,
    StaffOnlyMixin,
    apply_validation_error,
)

from .access import Role, may_write, scope_for
from .filters import ApiTokenFilterSet, DepartmentFilterSet, MemberOrganizationFilterSet
from .forms import (
    PLACE,
    ApiTokenForm,
    DepartmentForm,
    ImportUploadForm,
    OrganizationForm,
    PersonForm,
    chosen_text,
    place_of,
    regions_for,
)
from .layouts import (
    DEPARTMENT_COLUMNS,
    DEPARTMENT_SHEET,
    ORGANIZATION_COLUMNS,
    PERSON_COLUMNS,
    PERSON_SHEET,
    TOKEN_COLUMNS,
    TOKEN_SHEET,
)
from .models import (
    AccessProfile,
    ApiToken,
    Department,
    ImportJob,
    ImportState,
    MemberOrganization,
    Person,
    Region,
    RegionLevel,
)
from .services import (
    department_create,
    department_restore,
    department_retire,
    department_update,
    import_job_cancel,
    import_job_create,
    import_job_progress,
    import_job_request_confirm,
    organization_create,
    organization_update,
    person_create,
    person_update,
)
from .tokens import api_token_create, api_token_revoke, hash_key

HISTORY_LIMIT = 50


@login_required
def home(request):
    """Each role lands where its work is: leaders on their reports, stewards on their
    workshops, staff and viewers on the dashboard."""
    scope = scope_for(request.user)
    if scope.role == Role.ALLIANCE_LEADER:
        return redirect("projects:my-work")
    if scope.role == Role.WORKSHOP_STEWARD:
        return redirect("workshops:list")
    if scope.kind == "department":
        return redirect("tracking:list")
    return redirect("evaluations:dashboard")


class OrganizationListView(ScopedListView):
    model = MemberOrganization
    filterset_class = MemberOrganizationFilterSet
    template_name = "members/organization_list.html"
    export_columns = ORGANIZATION_COLUMNS
    export_filename = "organizations"

    def optimize(self, queryset):
        Membership = MemberOrganization._meta.get_field("memberships").related_model
        return queryset.select_related("region", "secretary").annotate(
            alliance_count=subquery_count(Membership.objects.filter(left_on__isnull=True), "organization")
        )

    def export_extra_sheets(self, queryset):
        """The people of the listed organizations, on a second sheet."""
        people = (
            Person.objects.visible_to(self.request.user)
            .filter(organization__in=queryset.values("pk"))
            .select_related("organization__region")
            .order_by("organization__region__code", "organization__name", "name", "pk")
        )
        return [(PERSON_SHEET, PERSON_COLUMNS, people)]


class OrganizationDetailView(ScopedDetailView):
    model = MemberOrganization
    template_name = "members/organization_detail.html"
    context_object_name = "organization"

    def optimize(self, queryset):
        # Memberships are declared by the alliances app, which builds on this one: reach
        # them through the reverse relation instead of importing to the right.
        Membership = MemberOrganization._meta.get_field("memberships").related_model
        return queryset.select_related("region", "secretary").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.visible_to(self.request.user)
                .select_related("alliance")
                .order_by("-joined_on"),
            ),
            "people",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = change_log(
            [
                HistorySource(MemberOrganization.history.filter(id=self.object.pk)),
                HistorySource(Person.history.filter(organization_id=self.object.pk)),
            ],
            user=self.request.user,
            limit=HISTORY_LIMIT,
        )
        context["history_limit"] = HISTORY_LIMIT
        return context


class OrganizationFormMixin:
    form_class = OrganizationForm
    success_message = _("成员单位已保存。")


class OrganizationCreateView(OrganizationFormMixin, ScopedCreateView):
    title = _("新增成员单位")
    cancel_url_name = "members:organization-list"

    def perform(self, form):
        return organization_create(actor=self.request.user, **form.cleaned_data)


class OrganizationUpdateView(OrganizationFormMixin, ScopedUpdateView):
    model = MemberOrganization
    title = _("编辑成员单位")

    def perform(self, form):
        return organization_update(actor=self.request.user, organization=self.object, **form.cleaned_data)


class PersonFormMixin:
    form_class = PersonForm
    success_message = _("人员信息已保存。")

    def get_success_url_for(self, person):
        if person.organization_id:
            return reverse("members:organization-detail", args=[person.organization_id])
        return reverse("members:organization-list")


class PersonCreateView(PersonFormMixin, ScopedCreateView):
    title = _("新增人员")

    def get_initial(self):
        return {"organization": self.request.GET.get("organization")}

    def get_cancel_url(self) -> str:
        """Back to the organization the form was opened from (its 新增人员), else the list."""
        organization = self.request.GET.get("organization", "")
        if organization.isdigit():
            return reverse("members:organization-detail", args=[int(organization)])
        return reverse("members:organization-list")

    def perform(self, form):
        return person_create(actor=self.request.user, **form.cleaned_data)


class PersonUpdateView(PersonFormMixin, ScopedUpdateView):
    model = Person
    title = _("编辑人员")

    def get_cancel_url(self) -> str:
        return self.get_success_url_for(self.object)  # a person is shown on their organization's page

    def perform(self, form):
        return person_update(actor=self.request.user, person=self.object, **form.cleaned_data)


REGION_LOOKUP_LIMIT = 20


@login_required
def region_lookup(request):
    """The type-ahead of the region pickers: up to 20 regions of the user's own scope whose
    name contains the typed text, whose code starts with it, or whose pinyin initials do
    (``?q=jss`` finds 姜山镇)."""
    text = request.GET.get("q", "").strip()[:50]
    regions = Region.objects.in_scope_of(request.user).select_related("parent")
    if text:
        regions = regions.filter(
            Q(name__icontains=text) | Q(code__startswith=text) | Q(name_initials__startswith=text.lower())
        )
    results = [
        {
            "code": region.code,
            "name": region.name,
            "level": region.get_level_display(),
            "parent": region.parent.name if region.parent else "",
        }
        for region in regions.order_by("code")[:REGION_LOOKUP_LIMIT]
    ]
    return JsonResponse({"results": results})


LOOKUP_LIMIT = 20


def lookup_results(request, model) -> JsonResponse:
    """Up to 20 rows of ``model`` the user may see whose name contains the typed text or
    whose pinyin initials start with it, each as a picker writes it (``code``), with its name
    and where it belongs."""
    rows = model.objects.visible_to(request.user).select_related(PLACE[model])
    text = request.GET.get("q", "").strip()[:50]
    if text:
        rows = rows.filter(Q(name__icontains=text) | Q(name_initials__startswith=text.lower()))
    results = [
        {"code": chosen_text(row), "name": row.name, "parent": place_of(row)}
        for row in rows.order_by("name_pinyin", "pk")[:LOOKUP_LIMIT]
    ]
    return JsonResponse({"results": results})


@login_required
def organization_lookup(request):
    """The type-ahead of the organization pickers: the user's own organizations."""
    return lookup_results(request, MemberOrganization)


@login_required
def person_lookup(request):
    """The type-ahead of the person pickers: the people the user may see."""
    return lookup_results(request, Person)


def not_found(request, exception=None):
    """404: JSON under /api/ (a path the API router does not match), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("未找到。"))}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """500: JSON under /api/, the static error page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("服务器错误，请稍后再试。"))}, status=500)
    return django_server_error(request)


def url_has_allowed_host_and_scheme_or_home(request, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


# ------------------------------------------------------------------ Excel import


def safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def safe_queue_next(request, url: str) -> str:
    """``safe_next`` back to a work queue (reports to review, proposals to decide, findings
    to confirm) after rows were handled on it: the same list and filters from its first
    page, because the rows handled leave the queue and the page they were on may be gone."""
    url = safe_next(request, url)
    if not url:
        return ""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "page"]
    return urlunsplit(parts._replace(query=urlencode(query)))


class ImportUploadView(StaffOnlyMixin, FormView):
    """Step 1: upload a file (checked before it is parsed); its preview runs in the background."""

    template_name = "members/import_upload.html"
    form_class = ImportUploadForm

    def get_initial(self):
        return {"next": safe_next(self.request, self.request.GET.get("next", ""))}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["layouts"] = import_layouts()
        context["recent_jobs"] = ImportJob.objects.filter(owner=self.request.user)[:5]
        return context

    def form_valid(self, form):
        job = import_job_create(
            actor=self.request.user,
            data=form.cleaned_data["file"],
            filename=self.request.FILES["file"].name,
            next_url=safe_next(self.request, form.cleaned_data["next"]),
        )
        return redirect(job)


def import_layouts() -> list[dict]:
    """The sheets the importer reads and their columns, for the upload page."""
    with translation.override("zh-hans"):
        return [
            {
                "sheet": str(importer.sheet),
                "columns": [str(column.header) for column in importer.columns if column.field],
                "key": [importer(None).header_of(name) for name in importer.key_fields],
            }
            for importer in imports.registered()
        ]


IMPORT_ROWS_PER_PAGE = 100


class ImportJobMixin(StaffOnlyMixin):
    """An import job the user may see (their own; staff of its scope, for audit), else 404."""

    def prepare(self, request, **kwargs):
        response = super().prepare(request, **kwargs)  # other roles never import: 403 first
        jobs = ImportJob.objects.visible_to(request.user).select_related("owner__person")
        self.job = get_object_or_404(jobs, pk=kwargs["pk"])
        return response


class ImportJobView(ImportJobMixin, View):
    """Step 2: the job's progress while it runs, then its summary and its rows, paged
    (errors first: 100 a page); the owner confirms a file without errors from here."""

    template_name = "members/import_job.html"

    def get(self, request, pk):
        job = self.job
        counts = job.summary.get("counts", {})
        show = request.GET.get("show")
        if show not in ("errors", "all"):
            show = "errors" if counts.get(imports.ERROR) else "all"
        rows = job.rows.all()
        if show == "errors":
            rows = rows.filter(action=imports.ERROR)
        page = Paginator(rows, IMPORT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
        done, total = import_job_progress(job)
        context = {
            "job": job,
            "summary": job.summary,
            "counts": counts,
            "show": show,
            "page": page,
            "done": done,
            "total": total,
            "is_owner": job.owner_id == request.user.pk,
            "action_labels": imports.ACTION_LABELS,
        }
        return render(request, self.template_name, context)


class ImportJobStatusView(ImportJobMixin, View):
    """The job's state and progress as a small JSON document, polled by the progress bar."""

    def get(self, request, pk):
        job = self.job
        done, total = import_job_progress(job)
        percent = 100 if not job.is_running else (min(100, done * 100 // total) if total else 0)
        return JsonResponse(
            {
                "state": job.state,
                "state_label": str(job.get_state_display()),
                "running": job.is_running,
                "done": done,
                "total": total,
                "percent": percent,
            },
            headers={"Cache-Control": "no-store"},
        )


class ImportJobConfirmView(ImportJobMixin, View):
    """Step 3: queue the import of the previewed file, once (a second confirm does nothing)."""

    def check_permission(self, user) -> None:
        if self.job.owner_id != user.pk:
            raise PermissionDenied(_("只有上传人可以确认导入。"))

    def post(self, request, pk):
        if import_job_request_confirm(actor=request.user, job=self.job):
            self.job.refresh_from_db()
            if self.job.state == ImportState.DONE:
                counts = self.job.summary.get("counts", {})
                messages.success(
                    request,
                    _("导入完成：新增 %(create)s 行，更新 %(update)s 行，无变化 %(unchanged)s 行。") % counts,
                )
                return redirect(safe_next(request, self.job.next_url) or self.job.get_absolute_url())
        elif self.job.state in (ImportState.CONFIRMING, ImportState.DONE):
            messages.info(request, _("该文件已确认导入，不会重复导入。"))
        else:
            messages.error(request, _("该文件有错误或尚未检查完，不能导入。"))
        return redirect(self.job)


class ImportJobCancelView(ImportJobMixin, View):
    """Drop a job that was not imported: its file is deleted, its record kept for audit."""

    def check_permission(self, user) -> None:
        if self.job.owner_id != user.pk:
            raise PermissionDenied(_("只有上传人可以取消导入。"))

    def post(self, request, pk):
        if import_job_cancel(actor=request.user, job=self.job):
            messages.info(request, _("已取消导入，上传的文件已删除。"))
        return redirect(safe_next(request, self.job.next_url) or "members:import")


# ------------------------------------------------------------------ API tokens for big screens


class ApiTokenListView(StaffOnlyMixin, ScopedListView):
    model = ApiToken
    filterset_class = ApiTokenFilterSet
    template_name = "members/token_list.html"
    export_columns = TOKEN_COLUMNS
    export_sheet_title = TOKEN_SHEET
    export_filename = "api-tokens"

    def optimize(self, queryset):
        return queryset.select_related("region", "created_by__person")


class ApiTokenCreateView(StaffOnlyMixin, ServiceFormView):
    """Create a token, then show its key once (POST, redirect, GET).

    The key is never stored on the server: it travels to the GET in a short-lived signed
    cookie of this page alone, which the GET deletes as it shows the key. Reloading the
    page therefore shows the empty form: it neither shows the key again nor makes another
    token.
    """

    form_class = ApiTokenForm
    title = _("新建大屏接口令牌")
    key_cookie = "new_api_token"
    key_cookie_salt = "members.api-token-created"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_cancel_url(self) -> str:
        return reverse("members:token-list")

    def get(self, request, *args, **kwargs):
        created = request.get_signed_cookie(self.key_cookie, default=None, salt=self.key_cookie_salt, max_age=300)
        token = None
        if created:
            pk, _sep, key = created.partition(":")
            token = ApiToken.objects.visible_to(request.user).select_related("region").filter(pk=pk).first()
        if token is not None and token.key_hash == hash_key(key):
            response = render(request, "members/token_created.html", {"token": token, "key": key})
        else:
            response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        if created:
            response.delete_cookie(self.key_cookie, path=request.path)
        return response

    def form_valid(self, form):
        try:
            token, key = api_token_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        response = redirect(self.request.path)
        response.set_signed_cookie(
            self.key_cookie,
            f"{token.pk}:{key}",
            salt=self.key_cookie_salt,
            max_age=300,
            path=self.request.path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
        return response


class ApiTokenRevokeView(StaffOnlyMixin, View):
    def post(self, request, pk: int):
        token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
        try:
            api_token_revoke(actor=request.user, token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("令牌“%(name)s”已撤销，使用它的请求将被拒绝。") % {"name": token.name})
        return redirect("members:token-list")


# ------------------------------------------------------------------ departments (承办部门)


class DepartmentListView(ScopedListView):
    """A county's departments (and townships) that tracked items are assigned to."""

    model = Department
    filterset_class = DepartmentFilterSet
    template_name = "members/department_list.html"
    export_columns = DEPARTMENT_COLUMNS
    export_sheet_title = DEPARTMENT_SHEET
    export_filename = "departments"

    def optimize(self, queryset):
        return queryset.select_related("county")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_add"] = may_add_departments(self.request.user)
        return context


class DepartmentDetailView(ScopedDetailView):
    model = Department
    template_name = "members/department_detail.html"
    context_object_name = "department"

    def optimize(self, queryset):
        return queryset.select_related("county")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_edit"] = may_write(self.request.user, self.object)
        context["liaisons"] = (
            AccessProfile.objects.filter(department=self.object, user__is_active=True)
            .select_related("user__person")
            .order_by("user__username")
        )
        return context


class DepartmentFormMixin:
    form_class = DepartmentForm
    success_message = _("承办部门已保存。")


def may_add_departments(user) -> bool:
    """Staff whose scope holds a county (city and county staff) keep its department list."""
    return scope_for(user).can_write and regions_for(user).filter(level=RegionLevel.COUNTY).exists()


class DepartmentCreateView(DepartmentFormMixin, ScopedCreateView):
    title = _("新增承办部门")
    denied_message = _("只有区县或市级组织部门工作人员可以维护承办部门名单。")

    def check_permission(self, user) -> None:
        if not may_add_departments(user):
            raise PermissionDenied(str(self.denied_message))

    def get_cancel_url(self) -> str:
        return reverse("members:department-list")

    def perform(self, form):
        return department_create(actor=self.request.user, **form.cleaned_data)


class DepartmentUpdateView(DepartmentFormMixin, ScopedUpdateView):
    model = Department
    title = _("编辑承办部门")

    def perform(self, form):
        return department_update(actor=self.request.user, department=self.object, **form.cleaned_data)


class DepartmentRetireView(StaffOnlyMixin, View):
    """POST: retire (or, with ``restore``, bring back) a department."""

    def prepare(self, request, **kwargs):
        self.object = get_object_or_404(Department.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().prepare(request, **kwargs)

    def post(self, request, pk: int):
        restore = request.POST.get("restore") == "1"
        action = department_restore if restore else department_retire
        try:
            action(actor=request.user, department=self.object)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if restore:
                messages.success(request, _("“%(name)s”已恢复启用。") % {"name": self.object.name})
            else:
                messages.success(request, _("“%(name)s”已停用，不再接收新的督办事项。") % {"name": self.object.name})
        return redirect(self.object.get_absolute_url())
