from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from members.audit import HistorySource, change_log
from members.views_base import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    ServiceFormView,
    UserFormKwargsMixin,
)

from .filters import AllianceFilterSet
from .forms import AllianceForm, MembershipEndForm, MembershipForm, TeamRoleEndForm, TeamRoleForm
from .models import Alliance, Membership, TeamRole
from .panels import panels_for
from .services import (
    alliance_create,
    alliance_update,
    membership_add,
    membership_end,
    team_role_assign,
    team_role_end,
)

HISTORY_LIMIT = 50


class AllianceListView(ScopedListView):
    model = Alliance
    filterset_class = AllianceFilterSet
    template_name = "alliances/alliance_list.html"

    def optimize(self, queryset):
        return queryset.select_related("lead_region").with_member_count().with_current_team()


class AllianceDetailView(ScopedDetailView):
    model = Alliance
    template_name = "alliances/alliance_detail.html"
    context_object_name = "alliance"

    def optimize(self, queryset):
        return queryset.select_related("lead_region").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organization__region", "organization__secretary").order_by(
                    "left_on", "role", "joined_on"
                ),
            ),
            Prefetch(
                "team_roles",
                queryset=TeamRole.objects.select_related("person__organization").order_by("role", "-started_on"),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = list(self.object.team_roles.all())
        memberships = list(self.object.memberships.all())
        context.update(
            current_team=[r for r in roles if r.ended_on is None],
            team_history=sorted((r for r in roles if r.ended_on is not None), key=lambda r: r.ended_on, reverse=True),
            current_members=[m for m in memberships if m.left_on is None],
            former_members=[m for m in memberships if m.left_on is not None],
            ancestors=self.object.lead_region.ancestors(),
            panels=panels_for(self.object, self.request.user),
            history=change_log(
                [
                    HistorySource(Alliance.history.filter(id=self.object.pk)),
                    HistorySource(Membership.history.filter(alliance_id=self.object.pk), title="organization"),
                    HistorySource(TeamRole.history.filter(alliance_id=self.object.pk), title="person"),
                ],
                user=self.request.user,
                limit=HISTORY_LIMIT,
            ),
            history_limit=HISTORY_LIMIT,
        )
        return context


class AllianceFormMixin:
    form_class = AllianceForm
    success_message = _("联盟信息已保存。")


class AllianceCreateView(AllianceFormMixin, ScopedCreateView):
    title = _("新建党建联盟")

    def perform(self, form):
        return alliance_create(actor=self.request.user, **form.cleaned_data)


class AllianceUpdateView(AllianceFormMixin, ScopedUpdateView):
    model = Alliance
    title = _("编辑党建联盟")

    def perform(self, form):
        data = dict(form.cleaned_data)
        expected_version = data.pop("version")
        return alliance_update(actor=self.request.user, alliance=self.object, expected_version=expected_version, **data)


class AllianceChildFormView(ServiceFormView):
    """A form about one alliance (add a member, change the team): the alliance must be visible."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.alliance = get_object_or_404(Alliance.objects.visible_to(request.user), pk=kwargs["pk"])
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Load the alliance's row the form is about (404 when it is not this alliance's)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["alliance"] = self.alliance
        context["cancel_url"] = self.alliance.get_absolute_url()
        return context

    def get_success_url_for(self, obj):
        return self.alliance.get_absolute_url()


class MembershipAddView(UserFormKwargsMixin, AllianceChildFormView):
    form_class = MembershipForm
    title = _("添加成员单位")
    success_message = _("成员单位已加入联盟。")

    def perform(self, form):
        return membership_add(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)


class MembershipEndView(AllianceChildFormView):
    form_class = MembershipEndForm
    title = _("办理成员退出")
    success_message = _("已记录成员退出。")

    def load(self, **kwargs) -> None:
        self.membership = get_object_or_404(
            self.alliance.memberships.select_related("organization"), pk=kwargs["membership_pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title}：{self.membership.organization.name}"
        return context

    def perform(self, form):
        return membership_end(actor=self.request.user, membership=self.membership, **form.cleaned_data)


class TeamRoleAssignView(UserFormKwargsMixin, AllianceChildFormView):
    form_class = TeamRoleForm
    title = _("任命工作团队成员")
    success_message = _("工作团队已更新，原任职记录已保留。")

    def get_initial(self):
        return {"role": self.request.GET.get("role")}

    def perform(self, form):
        return team_role_assign(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)


class TeamRoleEndView(AllianceChildFormView):
    form_class = TeamRoleEndForm
    title = _("结束团队任职")
    success_message = _("已记录离任。")

    def load(self, **kwargs) -> None:
        self.team_role = get_object_or_404(self.alliance.team_roles.select_related("person"), pk=kwargs["role_pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title}：{self.team_role.person.name}（{self.team_role.get_role_display()}）"
        return context

    def perform(self, form):
        return team_role_end(actor=self.request.user, team_role=self.team_role, **form.cleaned_data)
