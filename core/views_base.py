"""Base classes for browser pages: every list and detail goes through ``visible_to``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from .excel import EXPORT_MAX_ROWS, XLSX_CONTENT_TYPE, Column, export_rows, stream_workbook
from .heartbeat import still_working
from .pagination import MAX_PAGE_SIZE
from .scope import may_write, scope_for
from .widgets import FILES_KEPT, takes_photos

# Rows fetched at a time from PostgreSQL's server-side cursor while an export streams.
EXPORT_CHUNK_SIZE = 2000


class ScopedQuerysetMixin(LoginRequiredMixin):
    model: ClassVar[type]

    def get_queryset(self):
        return self.optimize(self.model.objects.visible_to(self.request.user))

    def optimize(self, queryset):
        return queryset


class ExcelExportMixin:
    """``?export=xlsx`` on a list page: every row its filters show (all pages), as Excel.

    A list declares ``export_columns`` (header, value, kind) and gets the download and the
    "导出 Excel" link. Headers and labels are Chinese; personal data is masked for roles
    that see it masked. The rows come from ``optimize_export`` (by default the page's
    ``optimize``) through one iterator, so the number of queries does not grow with the
    rows (a prefetch would run once per chunk: lists with one give ``optimize_export``
    annotations instead). The file is streamed as it is written (``stream_workbook``): the
    first bytes leave at once and the worker's memory does not grow with the rows. A sheet
    of more rows than Excel holds (``EXPORT_MAX_ROWS``) is refused with a message, never
    cut short. ``export_extra_sheets`` adds sheets of related rows (an alliance's members).
    """

    export_columns: ClassVar[Sequence[Column]] = ()
    export_sheet_title: ClassVar[Any] = None  # default: the model's verbose_name_plural
    export_filename: ClassVar[str | None] = None  # default: the model's name

    exporting = False

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx" and self.export_columns:
            self.exporting = True
            filterset = self.get_filterset(self.get_filterset_class())
            if filterset.is_valid():
                return self.export_response(filterset.qs)
            self.exporting = False  # the page shows which filter is wrong
        return super().get(request, *args, **kwargs)

    def optimize_export(self, queryset):
        return self.optimize(queryset)

    def export_extra_sheets(self, queryset) -> list[tuple[Any, Sequence[Column], Any]]:
        """``(title, columns, queryset)`` of related rows; ``queryset`` is the filtered list."""
        return []

    def export_sheets(self, queryset) -> list[tuple[Any, Sequence[Column], Any]]:
        title = self.export_sheet_title or self.model._meta.verbose_name_plural
        return [(title, self.export_columns, queryset), *self.export_extra_sheets(queryset)]

    def export_response(self, queryset) -> HttpResponse:
        with translation.override("zh-hans"):
            sheets = self.export_sheets(queryset)
            for _title, _columns, rows in sheets:
                total = rows.count()
                if total > EXPORT_MAX_ROWS:
                    messages.error(
                        self.request,
                        _("导出共 %(total)s 行，超过上限 %(limit)s 行，请先筛选缩小范围。")
                        % {"total": total, "limit": EXPORT_MAX_ROWS},
                    )
                    query = self.request.GET.copy()
                    query.pop("export", None)
                    return redirect(f"{self.request.path}?{query.urlencode()}" if query else self.request.path)
        name = self.export_filename or self.model._meta.model_name
        response = StreamingHttpResponse(
            self.export_stream(sheets, personal_data=scope_for(self.request.user).sees_personal_data),
            content_type=XLSX_CONTENT_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.xlsx"'
        return response

    @staticmethod
    def export_stream(sheets, *, personal_data: bool):
        """The file's pieces, written while the response is sent; each sheet's rows read
        from a server-side cursor, ``EXPORT_CHUNK_SIZE`` at a time (:func:`export_rows`).
        The server's timeout counts from the last piece sent (core.heartbeat), not from the
        request's start."""
        with translation.override("zh-hans"):
            for piece in stream_workbook(
                [
                    (title, columns, export_rows(rows, columns, chunk_size=EXPORT_CHUNK_SIZE))
                    for title, columns, rows in sheets
                ],
                personal_data=personal_data,
            ):
                yield piece
                still_working()  # the piece was sent: the worker is making progress

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.export_columns:
            query = self.request.GET.copy()
            query.pop("page", None)
            query["export"] = "xlsx"
            context["export_url"] = f"{self.request.path}?{query.urlencode()}"
        return context


class ScopedListView(ExcelExportMixin, ScopedQuerysetMixin, FilterView):
    """A filtered, sorted, paginated list of the rows the user may see.

    ``?page_size=`` is honoured up to the API's cap. With invalid filters the list is
    empty and the form shows which field is wrong. Lists that declare ``export_columns``
    also export to Excel (see :class:`ExcelExportMixin`).
    """

    paginate_by = 20
    strict = True

    def get_queryset(self):
        if self.exporting:
            return self.optimize_export(self.model.objects.visible_to(self.request.user))
        return super().get_queryset()

    def get_paginate_by(self, queryset) -> int:
        try:
            size = int(self.request.GET.get("page_size", self.paginate_by))
        except ValueError:
            size = self.paginate_by
        return max(1, min(size, MAX_PAGE_SIZE))


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    """An object outside the user's scope is simply not found (404)."""


def apply_validation_error(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form, field by field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else NON_FIELD_ERRORS
            for item in errors:
                form.add_error(None if target == NON_FIELD_ERRORS else target, item)
    else:
        form.add_error(None, error)


class SignedInViewMixin(LoginRequiredMixin):
    """Anonymous users are sent to log in before anything is looked up (a 404 would hide
    the way in; the access matrix checks this for every page). Then ``prepare`` looks up
    what the page is about and checks the user may use it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        response = self.prepare(request, **kwargs)
        if response is not None:
            return response
        self.check_permission(request.user)
        return super().dispatch(request, *args, **kwargs)

    def prepare(self, request, **kwargs) -> HttpResponse | None:
        """Look up what the page is about as ``request.user`` may see it (a 404 otherwise);
        a response returned here is sent instead."""
        return None

    def check_permission(self, user) -> None:
        """Raise PermissionDenied (403) unless the user may use this page, whatever the
        method: a form is neither shown nor taken from who may not submit it."""


class StaffOnlyMixin(SignedInViewMixin):
    """Pages for organization-department staff (city, county and township): other signed-in
    roles get 403 with ``staff_only_message``. The check runs in ``prepare``; a view that
    looks its object up first and then calls ``super().prepare()`` keeps a 404 for what the
    role cannot see at all."""

    staff_only_message = gettext_lazy("只有组织部门工作人员可以使用此功能。")

    def prepare(self, request, **kwargs):
        if not scope_for(request.user).is_staff_role:
            raise PermissionDenied(str(self.staff_only_message))
        return super().prepare(request, **kwargs)


def unchanged_edit(form) -> bool:
    """An edit form of a saved row sent back with every field as the page gave it (Django's
    ``has_changed``, field by field against what the form was given)."""
    instance = getattr(form, "instance", None)
    return instance is not None and instance.pk is not None and not form.has_changed()


class ServiceFormView(SignedInViewMixin, FormView):
    """A form whose valid data goes to a service; its errors come back onto the form.

    Subclasses implement ``perform(form)`` (call the service, return the saved object)
    and may set ``success_message``. Nothing is saved when the service refuses.
    """

    template_name = "form.html"
    success_message: str = ""
    title: str = ""
    # Where 取消 leads on a form of no object yet (a new row): the page the form is opened
    # from, by its URL name; the home page without one.
    cancel_url_name: str = ""
    denied_message = gettext_lazy("您没有权限修改该区域的数据。")

    def write_target(self) -> Any:
        """The object the form changes or adds to (``None``: a new row of no object yet)."""
        return getattr(self, "object", None)

    def check_permission(self, user) -> None:
        """By default, staff whose region covers the object (``access.may_write``): the
        rule the services enforce on submit. Views whose writers differ (an alliance's
        leader records its meetings) override this with their service's check."""
        if not may_write(user, self.write_target()):
            raise PermissionDenied(str(self.denied_message))

    def nothing_to_save(self, form) -> bool:
        """The form changes nothing (by default: an edit of a saved row sent back untouched)."""
        return unchanged_edit(form)

    def form_valid(self, form):
        if self.nothing_to_save(form):
            # No new version of the row and no entry in its change log.
            obj = getattr(form, "instance", None) or self.write_target()
            messages.info(self.request, _("没有修改，无需保存。"))
        else:
            try:
                obj = self.perform(form)
            except ValidationError as error:
                apply_validation_error(form, error)
                return self.form_invalid(form)
            except PermissionDenied:
                raise
            if self.success_message:
                messages.success(self.request, self.success_message)
        if self.request.POST.get(FILES_KEPT):
            # The photo script sent the form: it follows the address itself (the message
            # waits for that page), so the saved object is not fetched twice.
            return JsonResponse({"redirect": self.get_success_url_for(obj)})
        return redirect(self.get_success_url_for(obj))

    def perform(self, form) -> Any:  # pragma: no cover - every form view overrides
        raise NotImplementedError

    def get_success_url_for(self, obj: Any) -> str:
        return obj.get_absolute_url()

    def get_cancel_url(self) -> str:
        obj = getattr(self, "object", None)
        if obj is not None and hasattr(obj, "get_absolute_url"):
            return obj.get_absolute_url()
        return reverse(self.cancel_url_name or "home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        context.setdefault("cancel_url", self.get_cancel_url())
        form = context.get("form")
        context.setdefault("photo_tools", form is not None and takes_photos(form))
        return context


class UserFormKwargsMixin:
    """Scoped forms take the user, to limit their choices to what the user may see."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


class ScopedCreateView(UserFormKwargsMixin, ServiceFormView):
    """A create form whose choices are scoped to the user; ``perform`` calls the service."""


class ScopedUpdateView(UserFormKwargsMixin, ServiceFormView):
    """An edit form for an object the user may see (else 404); ``perform`` calls the service."""

    model: ClassVar[type]

    def prepare(self, request, **kwargs):
        self.object = get_object_or_404(self.model.objects.visible_to(request.user), pk=kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs
