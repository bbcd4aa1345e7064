from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .access import Role, scope_for
from .db import subquery_count
from .filters import MemberOrganizationFilterSet
from .forms import OrganizationForm, PersonForm
from .models import MemberOrganization, Notice, Person
from .services import organization_create, organization_update, person_create, person_update
from .views_base import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView


@login_required
def home(request):
    """Each role lands where its work is: leaders on their reports, stewards on their
    workshops, staff and viewers on the dashboard."""
    scope = scope_for(request.user)
    if scope.role == Role.ALLIANCE_LEADER:
        return redirect("projects:my-work")
    if scope.role == Role.WORKSHOP_STEWARD:
        return redirect("workshops:list")
    return redirect("evaluations:dashboard")


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


@login_required
@require_POST
def notice_read(request, pk: int):
    """Mark one of the user's own notices read (others' notices are not found)."""
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(url_has_allowed_host_and_scheme_or_home(request, request.POST.get("next")))


def url_has_allowed_host_and_scheme_or_home(request, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")
