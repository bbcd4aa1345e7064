"""Base classes for browser pages: every list and detail goes through ``visible_to``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from .pagination import MAX_PAGE_SIZE


class ScopedQuerysetMixin(LoginRequiredMixin):
    model: ClassVar[type]

    def get_queryset(self):
        return self.optimize(self.model.objects.visible_to(self.request.user))

    def optimize(self, queryset):
        return queryset


class ScopedListView(ScopedQuerysetMixin, FilterView):
    """A filtered, sorted, paginated list of the rows the user may see.

    ``?page_size=`` is honoured up to the API's cap. With invalid filters the list is
    empty and the form shows which field is wrong.
    """

    paginate_by = 20
    strict = True

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


class ServiceFormView(LoginRequiredMixin, FormView):
    """A form whose valid data goes to a service; its errors come back onto the form.

    Subclasses implement ``perform(form)`` (call the service, return the saved object)
    and may set ``success_message``. Nothing is saved when the service refuses.
    """

    template_name = "form.html"
    success_message: str = ""
    title: str = ""

    def form_valid(self, form):
        try:
            obj = self.perform(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        except PermissionDenied:
            raise
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url_for(obj))

    def perform(self, form) -> Any:  # pragma: no cover - every form view overrides
        raise NotImplementedError

    def get_success_url_for(self, obj: Any) -> str:
        return obj.get_absolute_url()

    def get_cancel_url(self) -> str:
        obj = getattr(self, "object", None)
        if obj is not None and hasattr(obj, "get_absolute_url"):
            return obj.get_absolute_url()
        return reverse("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        context.setdefault("cancel_url", self.get_cancel_url())
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

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:  # the log-in page, not a 404, for anonymous users
            return self.handle_no_permission()
        self.object = get_object_or_404(self.model.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs
