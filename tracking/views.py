"""Pages of tracked items (督办事项), phone first: the list (我的督办 for a department's
liaison), an item with its history and the actions the user may take (only those), and
one small form page per action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.models import Alliance, Need
from core.views_base import ScopedDetailView, ScopedListView, ServiceFormView
from members.access import scope_for
from projects.models import ProgressReport

from . import services
from .filters import TrackedItemFilterSet
from .forms import AssignForm, ConfirmForm, NoteForm, RaiseForm
from .layouts import ITEM_COLUMNS, ITEM_SHEET
from .models import ItemState, TrackedItem


def item_rows(queryset):
    return queryset.with_bucket(timezone.localdate()).select_related("alliance__lead_region", "assignee")


class ItemListView(ScopedListView):
    """Every item the user may see, with the dispatch's buckets as quick filters."""

    model = TrackedItem
    filterset_class = TrackedItemFilterSet
    template_name = "tracking/item_list.html"
    export_columns = ITEM_COLUMNS
    export_sheet_title = ITEM_SHEET
    export_filename = "tracked-items"

    def optimize(self, queryset):
        return item_rows(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = scope_for(self.request.user)
        context["title"] = _("我的督办") if scope.kind == "department" else _("督办事项")
        context["may_raise"] = scope.can_write
        context["today"] = timezone.localdate()
        return context


class ItemDetailView(ScopedDetailView):
    model = TrackedItem
    template_name = "tracking/item_detail.html"
    context_object_name = "item"

    def optimize(self, queryset):
        return item_rows(queryset).select_related("report__project", "need", "raised_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = self.object, self.request.user
        actions = services.actions_for(user, item)
        context["actions"] = actions
        context["events"] = item.events.select_related("actor__person", "department")
        context["today"] = timezone.localdate()
        context["days_open"] = item.days_open(timezone.localdate())
        if "assign" in actions:
            context["assign_form"] = AssignForm(
                user=user, initial={"assignee": item.assignee_id, "deadline": item.deadline}
            )
        if "reply" in actions:
            context["reply_form"] = NoteForm(**ACTIONS["reply"].form_kwargs())
            context["handle_form"] = NoteForm(**ACTIONS["handle"].form_kwargs())
        if "confirm" in actions:
            context["confirm_form"] = ConfirmForm()
            context["reopen_form"] = NoteForm(**ACTIONS["reopen"].form_kwargs())
        return context


class ItemActionView(ServiceFormView):
    """One action on one item: a 404 for an item the user cannot see, a 403 for an
    action the user may not take on it now (the page offered no button either)."""

    template_name = "tracking/action_form.html"
    action = ""
    label = ""
    required_message = ""
    submit_label = gettext_lazy("提交")

    @classmethod
    def form_kwargs(cls) -> dict:
        return {"label": str(cls.label), "required_message": str(cls.required_message)}

    def prepare(self, request, **kwargs):
        self.object = get_object_or_404(
            TrackedItem.objects.visible_to(request.user).select_related("alliance__lead_region", "assignee"),
            pk=kwargs["pk"],
        )
        if self.action not in services.actions_for(request.user, self.object) and self.is_actor(request.user):
            # The right person, but the item has moved on (another tab, a second tap):
            # back to the item, saying why.
            messages.error(request, self.refusal())
            return redirect(self.object.get_absolute_url())
        return None

    def is_actor(self, user) -> bool:
        """Whether the user is the one who takes this action on this item (in some state)."""
        return False

    def check_permission(self, user) -> None:
        if self.action not in services.actions_for(user, self.object):
            raise PermissionDenied(self.refusal())

    def refusal(self) -> str:
        return _("您不能对该事项执行此操作。")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | self.form_kwargs()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"item": self.object, "submit_label": self.submit_label}


class ReplyView(ItemActionView):
    action = "reply"
    form_class = NoteForm
    title = gettext_lazy("答复督办事项")
    label = gettext_lazy("答复内容")
    required_message = gettext_lazy("请填写答复内容。")
    submit_label = gettext_lazy("提交答复")
    success_message = gettext_lazy("答复已提交，联盟带头人会收到通知。")

    def is_actor(self, user) -> bool:
        return services.is_liaison_of(user, self.object)

    def refusal(self) -> str:
        if not services.is_liaison_of(self.request.user, self.object):
            return _("该事项未交由您的部门办理，不能答复。")
        return _("该事项已办结，不能再答复。")

    def perform(self, form):
        return services.item_reply(actor=self.request.user, item=self.object, note=form.cleaned_data["note"])


class HandleView(ReplyView):
    action = "handle"
    title = gettext_lazy("办结督办事项")
    label = gettext_lazy("办理结果")
    required_message = gettext_lazy("办结时请写明办理结果。")
    submit_label = gettext_lazy("标记为已办结")
    success_message = gettext_lazy("已标记为办结，等待联盟带头人确认。")

    def perform(self, form):
        return services.item_mark_handled(actor=self.request.user, item=self.object, note=form.cleaned_data["note"])


class ConfirmView(ItemActionView):
    action = "confirm"
    form_class = ConfirmForm
    title = gettext_lazy("确认已解决并评价")
    submit_label = gettext_lazy("确认已解决")
    success_message = gettext_lazy("已确认解决，感谢您的评价。")

    @classmethod
    def form_kwargs(cls) -> dict:
        return {}

    def is_actor(self, user) -> bool:
        return services.is_leader_of(user, self.object)

    def refusal(self) -> str:
        if not services.is_leader_of(self.request.user, self.object):
            return _("只有该联盟的带头人可以确认督办事项已解决。")
        if self.object.state == ItemState.SOLVED:
            return _("该事项已确认解决。")
        return _("部门办结后才能确认解决。")

    def perform(self, form):
        return services.item_confirm(actor=self.request.user, item=self.object, **form.cleaned_data)


class ReopenView(ConfirmView):
    action = "reopen"
    form_class = NoteForm
    title = gettext_lazy("要求重新办理")
    label = gettext_lazy("需要重新办理的原因")
    required_message = gettext_lazy("请写明需要重新办理的原因。")
    submit_label = gettext_lazy("要求重新办理")
    success_message = gettext_lazy("已退回承办部门重新办理。")

    @classmethod
    def form_kwargs(cls) -> dict:
        return ItemActionView.form_kwargs.__func__(cls)

    def perform(self, form):
        return services.item_reopen(actor=self.request.user, item=self.object, note=form.cleaned_data["note"])


ACTIONS = {"reply": ReplyView, "handle": HandleView, "confirm": ConfirmView, "reopen": ReopenView}


class AssignView(ItemActionView):
    action = "assign"
    form_class = AssignForm
    title = gettext_lazy("交办督办事项")
    submit_label = gettext_lazy("交办")
    success_message = gettext_lazy("已交办，承办部门联络员会收到通知。")

    @classmethod
    def form_kwargs(cls) -> dict:
        return {}

    def refusal(self) -> str:
        if self.object.state not in (ItemState.NEW, ItemState.ASSIGNED, ItemState.IN_PROGRESS, ItemState.REOPENED):
            return _("该事项已办结，不能再交办。")
        return _("只有联盟所在区县或市级组织部门工作人员可以交办督办事项。")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_initial(self):
        return {"assignee": self.object.assignee_id, "deadline": self.object.deadline}

    def perform(self, form):
        return services.item_assign(actor=self.request.user, item=self.object, **form.cleaned_data)


class RaiseView(ServiceFormView):
    """Raise an item: from a report's coordination request (``?report=``), an alliance's
    need (``?need=``), or of the staff's own (``?alliance=`` preselects the alliance)."""

    form_class = RaiseForm
    template_name = "tracking/action_form.html"
    title = gettext_lazy("转为督办事项")
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("督办事项已保存。")
    denied_message = gettext_lazy("只有组织部门工作人员可以提出督办事项。")

    def prepare(self, request, **kwargs):
        self.report = self.need = self.alliance = None
        source = request.GET.get("report") or request.POST.get("report")
        if source:
            self.report = get_object_or_404(
                ProgressReport.objects.visible_to(request.user).select_related("project__alliance__lead_region"),
                pk=_int(source),
            )
            self.alliance = self.report.project.alliance
        elif source := request.GET.get("need") or request.POST.get("need"):
            self.need = get_object_or_404(
                Need.objects.in_scope(request.user).select_related("alliance"), pk=_int(source)
            )
            self.alliance = self.need.alliance

    def check_permission(self, user) -> None:
        allowed = services.may_raise(user, self.alliance) if self.alliance else scope_for(user).can_write
        if not allowed:
            raise PermissionDenied(str(self.denied_message))

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "fixed_alliance": self.alliance}

    def get_initial(self):
        if self.report is not None:
            text = self.report.coordination_request.strip()
            return {"title": text.splitlines()[0][:200] if text else "", "detail": text}
        if self.need is not None:
            return {"title": self.need.title, "detail": self.need.description}
        alliance = self.request.GET.get("alliance")
        return {"alliance": _int(alliance)} if alliance else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "source_report": self.report,
            "source_need": self.need,
            "fixed_alliance": self.alliance,
            "submit_label": self.submit_label,
        }

    def get_cancel_url(self) -> str:
        if self.report is not None:
            return self.report.get_absolute_url()
        if self.need is not None:
            return self.need.get_absolute_url()
        return reverse("tracking:list")

    def perform(self, form):
        data = dict(form.cleaned_data)
        alliance = data.pop("alliance", None) or self.alliance
        if not isinstance(alliance, Alliance):
            alliance = None
        return services.item_raise(
            actor=self.request.user, alliance=alliance, report=self.report, need=self.need, **data
        )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
