from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error

from .audit import HistorySource, change_log
from .db import subquery_count
from .filters import MemberOrganizationFilterSet
from .forms import OrganizationForm, PersonForm
from .models import MemberOrganization, Person
from .services import organization_create, organization_update, person_create, person_update
from .views_base import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView

HISTORY_LIMIT = 50


@login_required
def home(request):
    return redirect("alliances:list")


class OrganizationListView(ScopedListView):
    model = MemberOrganization
    filterset_class = MemberOrganizationFilterSet
    template_name = "members/organization_list.html"

    def optimize(self, queryset):
        Membership = MemberOrganization._meta.get_field("memberships").related_model
        return queryset.select_related("region", "secretary").annotate(
            alliance_count=subquery_count(Membership.objects.filter(left_on__isnull=True), "organization")
        )


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

    def perform(self, form):
        return person_create(actor=self.request.user, **form.cleaned_data)


class PersonUpdateView(PersonFormMixin, ScopedUpdateView):
    model = Person
    title = _("编辑人员")

    def perform(self, form):
        return person_update(actor=self.request.user, person=self.object, **form.cleaned_data)


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
