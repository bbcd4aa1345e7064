"""Pages where county and city staff manage people's logins (members.logins).

A person outside the user's scope is a 404; inside it, anyone but county or city staff
(or the superuser) gets 403 on every page and form. A temporary password is shown once,
on the page that answers the form, and never again (the page is not cached).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from core.security import client_ip
from core.views_base import ServiceFormView, SignedInViewMixin, apply_validation_error

from . import logins
from .forms import SubmitOnceMixin
from .models import AccessProfile, AccountEvent, Person
from .otp import CodeThrottled

ROLE_CHOICES = [(role.value, role.label) for role in logins.LOGIN_ROLES]


class LoginCreateForm(SubmitOnceMixin, forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=ROLE_CHOICES)
    department = forms.ModelChoiceField(
        label=gettext_lazy("所属部门"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("仅部门联络员需要选择。"),
    )
    username = forms.CharField(
        label=gettext_lazy("登录用户名"),
        max_length=150,
        help_text=gettext_lazy("默认为手机号码；也可用短信验证码登录。"),
    )

    def __init__(self, *args, person: Person, user: Any, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = logins.roles_for(person)
        self.fields["role"].choices = [(value, label) for value, label in ROLE_CHOICES if value in allowed]
        self.fields["department"].queryset = logins.departments_for(user).select_related("county")
        if person.user_id:
            # Re-opening a disabled login keeps its user name.
            self.fields["username"].required = False
            self.fields["username"].disabled = True
            self.fields["username"].initial = person.user.get_username()
        else:
            self.fields["username"].initial = person.mobile


class PasswordResetForm(SubmitOnceMixin, forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("重设方式"),
        choices=[
            ("temporary", gettext_lazy("生成临时密码（只显示一次，请当面或电话告知本人）")),
            ("sms", gettext_lazy("向本人手机发送验证码，由本人在“找回密码”页面设置新密码")),
        ],
        widget=forms.RadioSelect,
        initial="temporary",
    )


class LoginDisableForm(SubmitOnceMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("停用原因"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("例如：任期届满，已换届。"),
    )


class LoginManagerMixin:
    """County or city staff (or the superuser) only: 403 for every other signed-in user."""

    def check_permission(self, user) -> None:
        if not logins.may_manage_logins(user):
            raise PermissionDenied(_("只有县级、市级组织部门工作人员可以管理登录账号。"))


class PersonLoginMixin(LoginManagerMixin):
    """About one person: 404 outside the user's scope, 403 where they may not write."""

    def prepare(self, request, **kwargs):
        self.person = get_object_or_404(
            Person.objects.visible_to(request.user).select_related("organization__region", "user"), pk=kwargs["pk"]
        )

    def check_permission(self, user) -> None:
        super().check_permission(user)
        logins.require_login_manager(user, self.person)

    def get_cancel_url(self) -> str:
        return reverse("members:person-login", args=[self.person.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title}：{self.person.name}"
        return context

    def next_url(self) -> str:
        value = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(value, {self.request.get_host()}, self.request.is_secure()):
            return value
        return self.get_cancel_url()


class LoginListView(LoginManagerMixin, LoginRequiredMixin, ListView):
    """The people of the user's scope who hold a login or need one (a current leader or a
    workshop steward): who can sign in, who cannot any more, who has no login yet."""

    template_name = "members/login_list.html"
    paginate_by = 50
    STATES = {"active", "disabled", "none"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.check_permission(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        people = Person.objects.visible_to(self.request.user)
        leads = Q(team_roles__role="leader", team_roles__ended_on__isnull=True)
        people = people.filter(Q(user__isnull=False) | leads | Q(stewarded_workshops__isnull=False)).distinct()
        state = self.request.GET.get("state")
        if state == "active":
            people = people.filter(user__is_active=True)
        elif state == "disabled":
            people = people.filter(user__is_active=False)
        elif state == "none":
            people = people.filter(user__isnull=True)
        profile = AccessProfile.objects.filter(user_id=OuterRef("user_id"))
        return (
            people.select_related("organization", "user", "user__access_profile")
            .annotate(has_profile=Exists(profile))
            .order_by("name_pinyin", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        context["state"] = state if state in self.STATES else ""
        context["states"] = [
            ("", _("全部")),
            ("active", _("可登录")),
            ("disabled", _("已停用")),
            ("none", _("未开通")),
        ]
        return context


class PersonLoginView(PersonLoginMixin, SignedInViewMixin, View):
    """One person's login: its state, what staff may do with it, and its record."""

    template_name = "members/person_login.html"
    http_method_names = ["get"]
    title = gettext_lazy("登录账号")

    def get(self, request, *args, **kwargs):
        user = self.person.user
        profile = AccessProfile.objects.select_related("department").filter(user=user).first() if user else None
        events = AccountEvent.objects.filter(person=self.person).select_related("actor__person")[:50]
        return render(
            request,
            self.template_name,
            {
                "person": self.person,
                "login": user,
                "profile": profile,
                "events": events,
                "title": f"{self.title}：{self.person.name}",
            },
        )


@method_decorator(never_cache, name="dispatch")
class LoginCreateView(PersonLoginMixin, ServiceFormView):
    form_class = LoginCreateForm
    title = gettext_lazy("开通登录账号")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["person"] = self.person
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            result = logins.login_create(
                actor=self.request.user,
                person=self.person,
                role=form.cleaned_data["role"],
                username=form.cleaned_data.get("username") or "",
                department=form.cleaned_data.get("department"),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return show_password(self.request, self.person, result, _("登录账号已开通"))


@method_decorator(never_cache, name="dispatch")
class LoginPasswordResetView(PersonLoginMixin, ServiceFormView):
    form_class = PasswordResetForm
    title = gettext_lazy("重设密码")

    def form_valid(self, form):
        try:
            if form.cleaned_data["method"] == "sms":
                masked = logins.password_reset_by_sms(
                    actor=self.request.user, person=self.person, address=client_ip(self.request)
                )
                messages.success(
                    self.request,
                    _("验证码已发送至 %(mobile)s：请本人在 5 分钟内打开“找回密码”页面，输入验证码并设置新密码。")
                    % {"mobile": masked},
                )
                return redirect(self.get_cancel_url())
            result = logins.password_reset_temporary(actor=self.request.user, person=self.person)
        except CodeThrottled as throttled:
            form.add_error(None, throttled.message)
            return self.form_invalid(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return show_password(self.request, self.person, result, _("临时密码已生成"))


class LoginDisableView(PersonLoginMixin, ServiceFormView):
    form_class = LoginDisableForm
    title = gettext_lazy("停用登录账号")
    template_name = "members/login_disable.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["person"] = self.person
        context["next"] = self.next_url()
        return context

    def form_valid(self, form):
        try:
            logins.login_disable(actor=self.request.user, person=self.person, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s 的登录账号已停用，其接口令牌已撤销。") % {"name": self.person.name})
        return redirect(self.next_url())


def show_password(request, person: Person, result: logins.LoginResult, heading: str):
    """The temporary password, once: this answer is the only place it ever appears."""
    response = render(
        request,
        "members/login_password.html",
        {
            "person": person,
            "username": result.user.get_username(),
            "password": result.password,
            "heading": heading,
            "title": heading,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def offer_to_disable(request, person: Person, back: str) -> str | None:
    """After a change of leader: where to offer disabling the outgoing leader's login
    (the disable page, coming back to ``back``), or None when there is nothing to offer."""
    user = logins.outgoing_login(person)
    if user is None:
        return None
    if logins.may_manage_logins(request.user):
        try:
            logins.require_login_manager(request.user, person)
        except PermissionDenied:
            pass
        else:
            messages.info(
                request,
                _("原带头人 %(name)s 已不再担任任何联盟的带头人，其登录账号仍可使用。任期结束的，请在此停用。")
                % {"name": person.name},
            )
            return f"{reverse('members:login-disable', args=[person.pk])}?{urlencode({'next': back})}"
    messages.info(
        request,
        _("原带头人 %(name)s 的登录账号仍可使用，任期结束的请联系县级组织部门停用。") % {"name": person.name},
    )
    return None


__all__ = [
    "LoginCreateView",
    "LoginDisableView",
    "LoginListView",
    "LoginPasswordResetView",
    "PersonLoginView",
    "offer_to_disable",
]
