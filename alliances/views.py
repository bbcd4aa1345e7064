from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import uploads
from core.audit import HistorySource, change_log
from core.db import subquery_count
from core.views_base import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    ServiceFormView,
    UserFormKwargsMixin,
)
from members import logins
from members.access import require_write, scope_for
from members.login_views import offer_to_disable
from members.models import Person

from . import norms, services
from .filters import (
    ActivityFilterSet,
    AllianceFilterSet,
    ClaimFilterSet,
    EntityPlatformFilterSet,
    MeetingFilterSet,
    MentorshipFilterSet,
    NeedFilterSet,
    ResourceFilterSet,
)
from .forms import (
    ActivityForm,
    AllianceForm,
    ClaimForm,
    ClaimResolveForm,
    ClaimStartForm,
    ClaimWithdrawForm,
    MeetingForm,
    MembershipEndForm,
    MembershipForm,
    MentorshipEditForm,
    MentorshipEndForm,
    MentorshipForm,
    NeedForm,
    PhotoForm,
    PlatformForm,
    ResourceForm,
    ShareholdingForm,
    TeamRoleEndForm,
    TeamRoleForm,
)
from .layouts import (
    ACTIVITY_COLUMNS,
    ALLIANCE_COLUMNS,
    CLAIM_COLUMNS,
    MEETING_COLUMNS,
    MEMBERSHIP_COLUMNS,
    MEMBERSHIP_SHEET,
    MENTORSHIP_COLUMNS,
    NEED_COLUMNS,
    PLATFORM_COLUMNS,
    RESOURCE_COLUMNS,
)
from .models import (
    Activity,
    ActivityPhoto,
    Alliance,
    AllianceStatus,
    Claim,
    EntityPlatform,
    ListStatus,
    Meeting,
    MeetingPhoto,
    Membership,
    Mentorship,
    Need,
    Resource,
    Shareholding,
    TeamRole,
    TeamRoleKind,
)
from .panels import panels_for
from .rhythm import rhythm_of
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
    export_columns = ALLIANCE_COLUMNS
    export_filename = "alliances"

    def optimize(self, queryset):
        return queryset.select_related("lead_region").with_member_count().with_current_team()

    def get_context_data(self, **kwargs):
        """With the tab 我指导的 for a township instructor: the number of alliances their person
        instructs (open 镇街指导员 roles) among those they see."""
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["instructed_count"] = Alliance.objects.visible_to(user).instructed_by(user).count()
        return context

    def optimize_export(self, queryset):
        # The leader's name as a subquery, not a prefetch (which would run once per chunk).
        leader = (
            TeamRole.objects.current().filter(alliance=OuterRef("pk"), role=TeamRoleKind.LEADER).values("person__name")
        )
        return queryset.select_related("lead_region").with_member_count().annotate(leader_name=Subquery(leader[:1]))

    def export_extra_sheets(self, queryset):
        """Every membership (current and former) of the listed alliances, on a second sheet."""
        memberships = (
            Membership.objects.visible_to(self.request.user)
            .filter(alliance__in=queryset.values("pk"))
            .select_related("alliance", "organization__region")
            .order_by("alliance__code", "role", "joined_on", "organization__name", "pk")
        )
        return [(MEMBERSHIP_SHEET, MEMBERSHIP_COLUMNS, memberships)]


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
                queryset=TeamRole.objects.select_related("person__organization__region", "person__user").order_by(
                    "role", "-started_on"
                ),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = list(self.object.team_roles.all())
        memberships = list(self.object.memberships.all())
        current_team = [r for r in roles if r.ended_on is None]
        for role in current_team:
            role.login_state = leader_login_state(self.request.user, role)
        context.update(
            current_team=current_team,
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
    cancel_url_name = "alliances:list"

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

    def prepare(self, request, **kwargs):
        self.alliance = get_object_or_404(Alliance.objects.visible_to(request.user), pk=kwargs["pk"])
        self.load(**kwargs)

    def load(self, **kwargs) -> None:
        """Load the alliance's row the form is about (404 when it is not this alliance's)."""

    def write_target(self):
        return self.alliance

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["alliance"] = self.alliance
        context["cancel_url"] = self.alliance.get_absolute_url()
        return context

    def get_success_url_for(self, obj):
        return self.alliance.get_absolute_url()


def person_with_organization(person: Person) -> str:
    return f"{person.name}（{person.organization.name}）" if person.organization_id else person.name


class MembershipAddView(UserFormKwargsMixin, AllianceChildFormView):
    form_class = MembershipForm
    title = _("添加成员单位")
    success_message = _("成员单位已加入联盟。")

    def get_form(self, form_class=None):
        """Only organizations that are not current members, in pinyin order."""
        form = super().get_form(form_class)
        field = form.fields["organization"]
        current = self.alliance.memberships.filter(left_on__isnull=True).values("organization_id")
        field.queryset = field.queryset.exclude(pk__in=current).order_by("name_pinyin", "pk")
        return form

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

    def get_form(self, form_class=None):
        """Each person with their organization (张三（走马塘村党委）), in pinyin order."""
        form = super().get_form(form_class)
        field = form.fields["person"]
        field.queryset = field.queryset.select_related("organization").order_by("name_pinyin", "pk")
        field.label_from_instance = person_with_organization
        return form

    def perform(self, form):
        self.outgoing = []
        if form.cleaned_data.get("role") == TeamRoleKind.LEADER:
            current = self.alliance.team_roles.filter(role=TeamRoleKind.LEADER, ended_on__isnull=True)
            self.outgoing = [role.person for role in current.select_related("person__user", "person__organization")]
        return team_role_assign(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)

    def get_success_url_for(self, obj):
        """After a change of leader, offer to disable the outgoing leader's login, and say
        when the new one has none yet (the team on the alliance's page offers to open it)."""
        back = super().get_success_url_for(obj)
        if leader_login_state(self.request.user, obj) in ("none", "disabled"):
            messages.info(
                self.request,
                _("新任带头人 %(name)s 还没有可用的登录账号，请在工作团队中为其开通。") % {"name": obj.person.name},
            )
        for person in self.outgoing:
            if person.pk != obj.person_id:
                offer = offer_to_disable(self.request, person, back)
                if offer:
                    return offer
        return back


def leader_login_state(user: Any, role: TeamRole) -> str | None:
    """The state of a current leader's login (active, disabled or none) for staff who
    manage that person's login, so that the team shows who still needs one (journey 2.5);
    None for other roles and other readers, who see no such line."""
    if role.role != TeamRoleKind.LEADER or not logins.may_manage_logins(user):
        return None
    try:
        logins.require_login_manager(user, role.person)
    except PermissionDenied:
        return None
    login = role.person.user
    return "none" if login is None else "active" if login.is_active else "disabled"


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

    def get_success_url_for(self, obj):
        """A leader's term ended: offer to disable their login as well."""
        back = super().get_success_url_for(obj)
        if obj.role == TeamRoleKind.LEADER:
            return offer_to_disable(self.request, obj.person, back) or back
        return back


# =========================================================================== operations
# Meetings, activities, mentorships, platforms, the needs and resources lists and claims.
# Every page reads through visible_to (404 outside scope); every form first checks that the
# user may write there (403), then hands the cleaned data to a service.


class OperationsListView(ScopedListView):
    """A list page of the operations section (with its tab bar). Where records are added on
    an alliance's page (``record_url``), a leader also finds a button per alliance they lead
    here: a phone should not have to go back to the alliance to record this month's 碰头会."""

    tab: str = ""
    record_url: str = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tab"] = self.tab
        if self.record_url and scope_for(self.request.user).kind == "leader":
            led = services.alliances_writable_by(self.request.user).exclude(status=AllianceStatus.DISSOLVED)
            context["record_for"] = [
                (alliance.name, reverse(self.record_url, args=[alliance.pk]))
                for alliance in led.order_by("code").only("pk", "name")
            ]
        return context


class RecordFormView(ServiceFormView):
    """A form about one object that must be visible (else 404) and writable (else 403).

    Subclasses implement ``get_target`` (the object, read through visible_to) and
    ``check_permission``; ``self.object`` is the target, ``self.alliance`` its alliance.
    """

    template_name = "alliances/record_form.html"

    def prepare(self, request, **kwargs):
        self.object = self.get_target(request.user, kwargs["pk"])
        self.alliance = self.alliance_of(self.object)

    def get_target(self, user, pk):  # pragma: no cover - every form view overrides
        raise NotImplementedError

    def alliance_of(self, target) -> Alliance:
        return target if isinstance(target, Alliance) else target.alliance

    def check_permission(self, user) -> None:
        services.require_alliance_write(user, self.alliance)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["alliance"] = self.alliance
        return context


def visible_or_404(model, user, pk, *related: str):
    queryset = model.objects.visible_to(user)
    if related:
        queryset = queryset.select_related(*related)
    return get_object_or_404(queryset, pk=pk)


class AllianceRecordCreateView(RecordFormView):
    """Record something for the alliance in the URL."""

    def get_target(self, user, pk):
        return visible_or_404(Alliance, user, pk, "lead_region")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(alliance=self.alliance, user=self.request.user, instance=self.form_class._meta.model())
        kwargs["instance"].alliance = self.alliance
        return kwargs


class AllianceRecordUpdateView(RecordFormView):
    """Edit a record of an alliance (meeting, activity, need ...)."""

    record_model: type

    def get_target(self, user, pk):
        return visible_or_404(self.record_model, user, pk, "alliance__lead_region")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(alliance=self.alliance, user=self.request.user, instance=self.object)
        return kwargs


class RecordDetailView(ScopedDetailView):
    """A record's page; ``can_edit`` tells the template whether to offer the edit buttons."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = (
            services.alliances_writable_by(self.request.user).filter(pk=self.object.alliance_id).exists()
        )
        return context


PHOTO_MODELS = {"meeting": MeetingPhoto, "activity": ActivityPhoto}


@login_required
def photo_file(request, kind: str, pk: int):
    photo = get_object_or_404(PHOTO_MODELS[kind].objects.visible_to(request.user), pk=pk)
    return uploads.serve_file(photo.image)


@login_required
def minutes_file(request, pk: int):
    return uploads.serve_file(visible_or_404(Meeting, request.user, pk).minutes_file)


@login_required
@require_POST
def photo_remove(request, kind: str, pk: int):
    photo = get_object_or_404(
        PHOTO_MODELS[kind].objects.visible_to(request.user).select_related(f"{kind}__alliance__lead_region"), pk=pk
    )
    record = getattr(photo, kind)
    services.photo_remove(actor=request.user, photo=photo)
    messages.success(request, _("照片已删除。"))
    return redirect(record.get_absolute_url())


# --------------------------------------------------------------------------- meetings


class MeetingListView(OperationsListView):
    model = Meeting
    filterset_class = MeetingFilterSet
    template_name = "alliances/meeting_list.html"
    tab = "meetings"
    record_url = "alliances:meeting-create"
    export_columns = MEETING_COLUMNS
    export_filename = "meetings"

    def optimize(self, queryset):
        through = Meeting.attending_organizations.through
        return queryset.select_related("alliance").annotate(
            organization_count=subquery_count(through.objects.all(), "meeting"),
            photo_count=subquery_count(MeetingPhoto.objects.all(), "meeting"),
        )


class MeetingDetailView(RecordDetailView):
    model = Meeting
    template_name = "alliances/meeting_detail.html"
    context_object_name = "meeting"

    def optimize(self, queryset):
        return queryset.select_related("alliance").prefetch_related(
            "attending_organizations", Prefetch("attendees", Person.objects.select_related("organization")), "photos"
        )


class MeetingCreateView(AllianceRecordCreateView):
    form_class = MeetingForm
    title = _("登记联盟会议")
    success_message = _("会议已登记。")

    def perform(self, form):
        return services.meeting_create(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)


class MeetingUpdateView(AllianceRecordUpdateView):
    form_class = MeetingForm
    record_model = Meeting
    title = _("编辑联盟会议")
    success_message = _("会议已保存。")

    def perform(self, form):
        return services.meeting_update(actor=self.request.user, meeting=self.object, **form.cleaned_data)


class PhotoAddView(RecordFormView):
    form_class = PhotoForm
    title = _("上传照片")
    success_message = _("照片已上传。")
    record_model: type

    def get_target(self, user, pk):
        return visible_or_404(self.record_model, user, pk, "alliance__lead_region")


class MeetingPhotoAddView(PhotoAddView):
    record_model = Meeting

    def perform(self, form):
        services.meeting_photo_add(actor=self.request.user, meeting=self.object, **form.cleaned_data)
        return self.object


class ActivityPhotoAddView(PhotoAddView):
    record_model = Activity

    def perform(self, form):
        services.activity_photo_add(actor=self.request.user, activity=self.object, **form.cleaned_data)
        return self.object


# --------------------------------------------------------------------------- activities


class ActivityListView(OperationsListView):
    model = Activity
    filterset_class = ActivityFilterSet
    template_name = "alliances/activity_list.html"
    tab = "activities"
    record_url = "alliances:activity-create"
    export_columns = ACTIVITY_COLUMNS
    export_filename = "activities"

    def optimize(self, queryset):
        through = Activity.participating_organizations.through
        return queryset.select_related("alliance").annotate(
            organization_count=subquery_count(through.objects.all(), "activity"),
            photo_count=subquery_count(ActivityPhoto.objects.all(), "activity"),
        )


class ActivityDetailView(RecordDetailView):
    model = Activity
    template_name = "alliances/activity_detail.html"
    context_object_name = "activity"

    def optimize(self, queryset):
        return queryset.select_related("alliance").prefetch_related(
            "participating_organizations",
            Prefetch("participants", Person.objects.select_related("organization")),
            "photos",
        )


class ActivityCreateView(AllianceRecordCreateView):
    form_class = ActivityForm
    title = _("登记五联活动")
    success_message = _("活动已登记。")

    def perform(self, form):
        return services.activity_create(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)


class ActivityUpdateView(AllianceRecordUpdateView):
    form_class = ActivityForm
    record_model = Activity
    title = _("编辑五联活动")
    success_message = _("活动已保存。")

    def perform(self, form):
        return services.activity_update(actor=self.request.user, activity=self.object, **form.cleaned_data)


# --------------------------------------------------------------------------- mentorships


class MentorshipListView(OperationsListView):
    model = Mentorship
    filterset_class = MentorshipFilterSet
    template_name = "alliances/mentorship_list.html"
    tab = "mentorships"
    export_columns = MENTORSHIP_COLUMNS
    export_filename = "mentorships"

    def optimize(self, queryset):
        return queryset.select_related("alliance", "mentor__organization", "apprentice__organization")


class MentorshipDetailView(RecordDetailView):
    model = Mentorship
    template_name = "alliances/mentorship_detail.html"
    context_object_name = "mentorship"

    def optimize(self, queryset):
        return queryset.select_related("alliance", "mentor__organization", "apprentice__organization")


class MentorshipCreateView(AllianceRecordCreateView):
    form_class = MentorshipForm
    title = _("新增导师帮带")
    success_message = _("师徒结对已登记。")

    def perform(self, form):
        return services.mentorship_create(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)


class MentorshipUpdateView(AllianceRecordUpdateView):
    form_class = MentorshipEditForm
    record_model = Mentorship
    title = _("编辑导师帮带")
    success_message = _("帮带信息已保存。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["alliance"], kwargs["user"]
        return kwargs

    def perform(self, form):
        return services.mentorship_update(actor=self.request.user, mentorship=self.object, **form.cleaned_data)


class MentorshipEndView(RecordFormView):
    form_class = MentorshipEndForm
    title = _("结束导师帮带")
    success_message = _("已记录帮带结束。")

    def get_target(self, user, pk):
        return visible_or_404(Mentorship, user, pk, "alliance__lead_region")

    def perform(self, form):
        return services.mentorship_end(actor=self.request.user, mentorship=self.object, **form.cleaned_data)


# --------------------------------------------------------------------------- entity platforms


class PlatformListView(OperationsListView):
    model = EntityPlatform
    filterset_class = EntityPlatformFilterSet
    template_name = "alliances/platform_list.html"
    tab = "platforms"
    export_columns = PLATFORM_COLUMNS
    export_filename = "platforms"

    def optimize(self, queryset):
        return (
            queryset.select_related("alliance")
            .with_share_total()
            .annotate(shareholder_count=subquery_count(Shareholding.objects.all(), "platform"))
        )


class PlatformDetailView(ScopedDetailView):
    model = EntityPlatform
    template_name = "alliances/platform_detail.html"
    context_object_name = "platform"

    def optimize(self, queryset):
        return (
            queryset.select_related("alliance__lead_region")
            .with_share_total()
            .prefetch_related(
                Prefetch("shareholdings", Shareholding.objects.select_related("alliance", "organization__region"))
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = scope_for(self.request.user)
        context["can_edit"] = scope.can_write and scope.covers_region(self.object.alliance.lead_region)
        return context


class CoveringStaffMixin:
    """Platforms and their shareholders are managed by staff who cover the alliance."""

    def check_permission(self, user) -> None:
        require_write(user, self.alliance.lead_region)


class PlatformCreateView(CoveringStaffMixin, RecordFormView):
    form_class = PlatformForm
    title = _("新增实体平台")
    success_message = _("实体平台已保存。")

    def get_target(self, user, pk):
        return visible_or_404(Alliance, user, pk, "lead_region")

    def perform(self, form):
        return services.platform_create(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)


class PlatformUpdateView(CoveringStaffMixin, RecordFormView):
    form_class = PlatformForm
    title = _("编辑实体平台")
    success_message = _("实体平台已保存。")

    def get_target(self, user, pk):
        return visible_or_404(EntityPlatform, user, pk, "alliance__lead_region")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def perform(self, form):
        return services.platform_update(actor=self.request.user, platform=self.object, **form.cleaned_data)


class ShareholdingSetView(CoveringStaffMixin, RecordFormView):
    form_class = ShareholdingForm
    title = _("设置股东及持股比例")
    success_message = _("股东信息已保存。")

    def get_target(self, user, pk):
        return visible_or_404(EntityPlatform, user, pk, "alliance__lead_region")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def perform(self, form):
        services.shareholding_set(actor=self.request.user, platform=self.object, **form.cleaned_data)
        return self.object


@login_required
@require_POST
def shareholding_remove(request, pk: int):
    holding = get_object_or_404(
        Shareholding.objects.visible_to(request.user).select_related("platform__alliance__lead_region"), pk=pk
    )
    services.shareholding_remove(actor=request.user, shareholding=holding)
    messages.success(request, _("已移除该股东。"))
    return redirect(holding.platform.get_absolute_url())


# --------------------------------------------------------------------------- needs and resources


class NeedListView(OperationsListView):
    model = Need
    filterset_class = NeedFilterSet
    template_name = "alliances/need_list.html"
    tab = "needs"
    export_columns = NEED_COLUMNS
    export_filename = "needs"

    def optimize(self, queryset):
        return queryset.select_related("alliance__lead_region")


class ResourceListView(OperationsListView):
    model = Resource
    filterset_class = ResourceFilterSet
    template_name = "alliances/resource_list.html"
    tab = "resources"
    export_columns = RESOURCE_COLUMNS
    export_filename = "resources"

    def optimize(self, queryset):
        return queryset.select_related("alliance__lead_region")


class ListEntryDetailView(RecordDetailView):
    """A need or a resource with the claims the user may see, and whether they may claim it."""

    def optimize(self, queryset):
        return queryset.select_related("alliance__lead_region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        claims = Claim.objects.visible_to(self.request.user).filter(**{self.model._meta.model_name: entry})
        context["claims"] = claims.select_related("claimant_alliance", "claimant_organization")
        scope = scope_for(self.request.user)
        context["can_claim"] = entry.is_claimable and (scope.is_staff_role or scope.kind == "leader")
        context["entry"] = entry
        return context


class NeedDetailView(ListEntryDetailView):
    model = Need
    template_name = "alliances/need_detail.html"


class ResourceDetailView(ListEntryDetailView):
    model = Resource
    template_name = "alliances/resource_detail.html"


class NeedCreateView(AllianceRecordCreateView):
    form_class = NeedForm
    title = _("发布需求")
    success_message = _("需求已发布。")

    def perform(self, form):
        return services.need_create(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)


class NeedUpdateView(AllianceRecordUpdateView):
    form_class = NeedForm
    record_model = Need
    title = _("编辑需求")
    success_message = _("需求已保存。")

    def perform(self, form):
        return services.need_update(actor=self.request.user, need=self.object, **form.cleaned_data)


class ResourceCreateView(AllianceRecordCreateView):
    form_class = ResourceForm
    title = _("发布资源")
    success_message = _("资源已发布。")

    def perform(self, form):
        return services.resource_create(actor=self.request.user, alliance=self.alliance, **form.cleaned_data)


class ResourceUpdateView(AllianceRecordUpdateView):
    form_class = ResourceForm
    record_model = Resource
    title = _("编辑资源")
    success_message = _("资源已保存。")

    def perform(self, form):
        return services.resource_update(actor=self.request.user, resource=self.object, **form.cleaned_data)


class ClaimCreateView(RecordFormView):
    """Claim a need or a resource the user can see (a need open to all: from any county)."""

    form_class = ClaimForm
    success_message = _("认领成功，请及时推进办理。")
    target_model: type

    def get_target(self, user, pk):
        return visible_or_404(self.target_model, user, pk, "alliance__lead_region")

    def check_permission(self, user) -> None:
        scope = scope_for(user)
        if not (scope.is_staff_role or scope.kind == "leader"):
            raise PermissionDenied(_("您的角色不能认领。"))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, poster=self.alliance)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("认领：%(title)s") % {"title": self.object.title}
        return context

    def perform(self, form):
        return services.claim_create(
            actor=self.request.user, **{self.target_model._meta.model_name: self.object}, **form.cleaned_data
        )


class NeedClaimView(ClaimCreateView):
    target_model = Need


class ResourceClaimView(ClaimCreateView):
    target_model = Resource


# --------------------------------------------------------------------------- claims


CLAIM_RELATED = (
    "need__alliance__lead_region",
    "resource__alliance__lead_region",
    "claimant_alliance__lead_region",
    "claimant_organization__region",
)


class ClaimListView(OperationsListView):
    model = Claim
    filterset_class = ClaimFilterSet
    template_name = "alliances/claim_list.html"
    tab = "claims"
    export_columns = CLAIM_COLUMNS
    export_filename = "claims"

    def optimize(self, queryset):
        return queryset.select_related(
            "need__alliance", "resource__alliance", "claimant_alliance", "claimant_organization"
        )


class ClaimDetailView(ScopedDetailView):
    model = Claim
    template_name = "alliances/claim_detail.html"
    context_object_name = "claim"

    def optimize(self, queryset):
        return queryset.select_related(*CLAIM_RELATED, "recorded_by__person")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            services.require_claim_party(self.request.user, self.object)
            context["can_move"] = self.object.is_active
        except PermissionDenied:
            context["can_move"] = False
        return context


class ClaimMoveView(RecordFormView):
    """Move a claim along: only the poster's or the claimant's side."""

    def get_target(self, user, pk):
        return visible_or_404(Claim, user, pk, *CLAIM_RELATED)

    def alliance_of(self, claim) -> Alliance:
        return claim.target.alliance

    def check_permission(self, user) -> None:
        services.require_claim_party(user, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title}：{self.object.target.title}"
        return context


class ClaimStartView(ClaimMoveView):
    form_class = ClaimStartForm
    title = _("开始推进")
    success_message = _("认领已进入推进阶段。")

    def perform(self, form):
        return services.claim_start(actor=self.request.user, claim=self.object, **form.cleaned_data)


class ClaimResolveView(ClaimMoveView):
    form_class = ClaimResolveForm
    title = _("办结")
    success_message = _("已办结。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["claim"] = self.object
        return kwargs

    def perform(self, form):
        return services.claim_resolve(actor=self.request.user, claim=self.object, **form.cleaned_data)


class ClaimWithdrawView(ClaimMoveView):
    form_class = ClaimWithdrawForm
    title = _("撤回认领")
    success_message = _("认领已撤回，该条目重新开放认领。")

    def perform(self, form):
        return services.claim_withdraw(actor=self.request.user, claim=self.object, **form.cleaned_data)


# --------------------------------------------------------------------------- alliance page panels


def norm_panel(alliance: Alliance, user: Any) -> dict:
    """The "3+X" norm and the missing "三会" meetings, for the alliance page."""
    today = timezone.localdate()
    return {"results": norms.evaluate(alliance, today=today), "rhythm": rhythm_of(alliance, today=today)}


def operations_panel(alliance: Alliance, user: Any) -> dict:
    """The alliance's recent meetings and activities, mentors, platforms, needs and resources."""

    def own(model):
        return model.objects.visible_to(user).filter(alliance=alliance)

    scope = scope_for(user)
    own_stake = Shareholding.objects.filter(platform=OuterRef("pk"), alliance=alliance).values("percentage")[:1]
    platforms = (
        EntityPlatform.objects.visible_to(user)
        .filter(Q(alliance=alliance) | Q(pk__in=Shareholding.objects.filter(alliance=alliance).values("platform_id")))
        .with_share_total()
        .annotate(own_stake=Subquery(own_stake))
        .select_related("alliance")
        .order_by("name")
    )
    return {
        "meetings": own(Meeting).order_by("-held_on", "kind")[:5],
        "activities": own(Activity).order_by("-held_on")[:5],
        "mentorships": own(Mentorship).current().select_related("mentor__organization", "apprentice__organization"),
        "platforms": platforms,
        "needs": own(Need).exclude(status=ListStatus.RESOLVED).order_by("-posted_on")[:5],
        "resources": own(Resource).exclude(status=ListStatus.RESOLVED).order_by("-posted_on")[:5],
        "can_record": services.alliances_writable_by(user).filter(pk=alliance.pk).exists(),
        "can_manage_platforms": scope.can_write and scope.covers_region(alliance.lead_region),
    }


ALLIANCE_LOOKUP_LIMIT = 20


@login_required
def alliance_lookup(request):
    """The type-ahead of the alliance pickers: up to 20 alliances the user may see whose
    name contains the typed text, whose code starts with it, or whose pinyin initials do."""
    text = request.GET.get("q", "").strip()[:50]
    alliances = Alliance.objects.visible_to(request.user).select_related("lead_region")
    if text:
        alliances = alliances.filter(
            Q(name__icontains=text) | Q(code__startswith=text) | Q(name_initials__startswith=text.lower())
        )
    results = [
        {"code": alliance.code, "name": alliance.name, "parent": alliance.lead_region.name}
        for alliance in alliances.order_by("code")[:ALLIANCE_LOOKUP_LIMIT]
    ]
    return JsonResponse({"results": results})
