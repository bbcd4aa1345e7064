from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView

from core.scope import may_write
from core.views_base import (
    ScopedCreateView,
    ScopedUpdateView,
    SignedInViewMixin,
    apply_validation_error,
)
from members.access import Role, scope_for
from members.views import safe_queue_next, url_has_allowed_host_and_scheme_or_home

from .forms import PreferencesForm, RobotForm, channel_field
from .models import Notice, WorkChatRobot
from .services import (
    mark_all_read,
    mark_read,
    mobile_of,
    preferences_of,
    preferences_save,
    quiet_hours_of,
    robot_save,
)


class NoticeListView(LoginRequiredMixin, ListView):
    """The user's own notices, newest first (the bell's page)."""

    template_name = "notices/notice_list.html"
    paginate_by = 20

    def get_queryset(self):
        notices = Notice.objects.visible_to(self.request.user)
        if self.request.GET.get("unread") == "1":
            notices = notices.unread()
        return notices.only("pk", "event", "title", "body", "link", "created_at", "read_at")


@login_required
@require_POST
def notice_read(request, pk: int):
    """Mark one of the user's own notices read (others' notices are not found), then go
    where ``next`` says: the notice's link, or back to the list."""
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    mark_read(user=request.user, notice=notice)
    target = request.POST.get("next") or ""
    if urlsplit(target).path == reverse("notices:list"):
        # Back to the list as filtered (未读), from its first page: the notice just read may
        # have been the last of its page.
        return redirect(safe_queue_next(request, target) or reverse("notices:list"))
    return redirect(url_has_allowed_host_and_scheme_or_home(request, target))


@login_required
@require_POST
def notice_read_all(request):
    count = mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("notices:list")


ROBOT_ROLES = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF})


def may_set_robots(user) -> bool:
    """City and county staff set their region's robot (robots serve a city or a county)."""
    scope = scope_for(user)
    return scope.kind == "all" or scope.role in ROBOT_ROLES


def may_set_preferences(user) -> bool:
    """Everyone who is told anything: not the read-only viewers (big screens)."""
    return scope_for(user).role != Role.VIEWER


class PreferencesView(SignedInViewMixin, FormView):
    """通知设置: the channels per group of events and the quiet hours (phone first)."""

    form_class = PreferencesForm
    template_name = "notices/preferences.html"

    def check_permission(self, user) -> None:
        if not may_set_preferences(user):
            raise PermissionDenied(_("只读账号不接收通知，没有通知设置。"))

    def get_initial(self):
        user = self.request.user
        initial = {
            channel_field(group, channel): on
            for group, chosen in preferences_of(user).items()
            for channel, on in chosen.items()
        }
        quiet = quiet_hours_of(user)
        initial.update(quiet_enabled=quiet.enabled, quiet_starts=quiet.starts, quiet_ends=quiet.ends)
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["has_email"] = bool(user.email)
        context["has_mobile"] = bool(mobile_of(user))
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            preferences_save(
                user=self.request.user,
                channels=form.channels(),
                quiet_enabled=data["quiet_enabled"],
                quiet_starts=data["quiet_starts"],
                quiet_ends=data["quiet_ends"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("通知设置已保存。"))
        return redirect("notices:settings")


class RobotPagesMixin(SignedInViewMixin):
    """Refused (403) before anything is looked up to who may not set robots at all."""

    def prepare(self, request, **kwargs):
        if not may_set_robots(request.user):
            raise PermissionDenied(_("只有市、县（区）组织部门工作人员可以配置工作群机器人。"))
        return super().prepare(request, **kwargs)


class RobotListView(RobotPagesMixin, ListView):
    """The work-chat robots of the user's region and the regions below it."""

    template_name = "notices/robot_list.html"
    paginate_by = 50

    def get_queryset(self):
        return WorkChatRobot.objects.visible_to(self.request.user).select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_add"] = may_write(self.request.user)
        return context


class RobotFormMixin:
    form_class = RobotForm

    def get_cancel_url(self) -> str:
        return reverse("notices:robot-list")

    def get_success_url_for(self, obj) -> str:
        return reverse("notices:robot-list")

    def perform(self, form):
        fields = {name: form.cleaned_data[name] for name in ("region", "kind", "webhook_url", "secret", "active")}
        return robot_save(actor=self.request.user, robot=getattr(self, "object", None), **fields)


class RobotCreateView(RobotFormMixin, RobotPagesMixin, ScopedCreateView):
    title = gettext_lazy("添加工作群机器人")
    success_message = gettext_lazy("工作群机器人已保存。")


class RobotUpdateView(RobotFormMixin, RobotPagesMixin, ScopedUpdateView):
    model = WorkChatRobot
    title = gettext_lazy("修改工作群机器人")
    success_message = gettext_lazy("工作群机器人已保存。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A copy: the form's cleaning must not change the row the service checks against.
        kwargs["instance"] = WorkChatRobot.objects.get(pk=self.object.pk)
        return kwargs
