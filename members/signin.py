"""Signing in with an SMS code, and resetting a forgotten password the same way.

Both pages take a mobile number, send a code (members.otp), then take the code. Every
answer about the number is the same whether or not it has an account: "如果该号码已登记，
验证码已发送", the same status, the same page. A code is checked through
``authenticate()``, so django-axes counts wrong codes and locks the number at the client's
address exactly as it locks a user name after wrong passwords.
"""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from core.security import client_ip

from .models import CodePurpose
from .otp import CodeThrottled, normalise_mobile, request_code, seconds_until_resend

SENT_MESSAGE = _("如果该号码已登记，验证码已发送，5 分钟内有效。")
WRONG_CODE_MESSAGE = _("验证码错误或已过期，请重新获取。")
SESSION_PHONE = "otp_phone"
SESSION_RESET = "password_reset_by_code"
RESET_WINDOW_SECONDS = 600


class PhoneCodeForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        error_messages={"required": _("请输入手机号码。")},
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": _("11位手机号码"), "autofocus": True}
        ),
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "placeholder": _("6位数字"),
            }
        ),
    )

    def __init__(self, *args, needs_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_code = needs_code

    def clean_phone(self) -> str:
        return normalise_mobile(self.cleaned_data["phone"])

    def clean_code(self) -> str:
        code = self.cleaned_data.get("code", "").strip()
        if self.needs_code:
            if not code:
                raise ValidationError(_("请输入短信验证码。"), code="required")
            if not (len(code) == 6 and code.isdigit()):
                raise ValidationError(_("验证码是6位数字。"), code="invalid_code")
        return code


@method_decorator([sensitive_post_parameters("code"), csrf_protect, never_cache], name="dispatch")
class PhoneCodeView(View):
    """Number → 发送验证码 → code → done. Subclasses say what a right code does."""

    purpose: str
    template_name: str

    def get(self, request):
        phone = request.session.get(SESSION_PHONE, "")
        form = PhoneCodeForm(initial={"phone": phone})
        return self.render(form, phone=phone)

    def post(self, request):
        sending = request.POST.get("action") == "send"
        form = PhoneCodeForm(request.POST, needs_code=not sending)
        if not form.is_valid():
            return self.render(form, phone=request.POST.get("phone", ""))
        phone = form.cleaned_data["phone"]
        if sending:
            return self.send(form, phone)
        user = authenticate(request, username=phone, phone=phone, code=form.cleaned_data["code"], purpose=self.purpose)
        if user is None:
            form.add_error("code", WRONG_CODE_MESSAGE)
            form.data = form.data.copy()
            form.data["code"] = ""  # typed again, not corrected
            return self.render(form, phone=phone)
        request.session.pop(SESSION_PHONE, None)
        if settings.AXES_ENABLED and settings.AXES_RESET_ON_SUCCESS:
            # As after a right password: this number's failures at this address are forgiven.
            from axes.utils import reset

            reset(ip=client_ip(request), username=phone)
        return self.success(user)

    def send(self, form, phone):
        request = self.request
        if settings.AXES_ENABLED:
            from axes.handlers.proxy import AxesProxyHandler

            credentials = {"username": phone}
            if AxesProxyHandler.is_locked(request, credentials):
                # The lock-out page (AxesMiddleware), not a code: a locked number gets no more SMS.
                request.axes_locked_out = True
                request.axes_credentials = credentials
                return self.render(form, phone=phone)
        try:
            request_code(phone=phone, purpose=self.purpose, address=client_ip(request))
        except CodeThrottled as throttled:
            form.add_error(None, throttled.message)
            return self.render(form, phone=phone, status=429)
        request.session[SESSION_PHONE] = phone
        messages.success(request, SENT_MESSAGE)
        return redirect(request.get_full_path())

    def render(self, form, *, phone: str = "", status: int = 200):
        wait = 0
        if phone:
            try:
                wait = seconds_until_resend(normalise_mobile(phone))
            except ValidationError:
                wait = 0
        context = {"form": form, "resend_wait": wait, "next": self.next_url()}
        return render(self.request, self.template_name, context, status=status)

    def next_url(self) -> str:
        value = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(value, {self.request.get_host()}, self.request.is_secure()):
            return value
        return ""

    def success(self, user):  # pragma: no cover - interface
        raise NotImplementedError


class CodeLoginView(PhoneCodeView):
    purpose = CodePurpose.LOGIN
    template_name = "registration/code_login.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().get(request)

    def success(self, user):
        auth_login(self.request, user)
        return redirect(self.next_url() or resolve_url(settings.LOGIN_REDIRECT_URL))


class PasswordResetCodeView(PhoneCodeView):
    """A forgotten password: a right code leads to the page that sets a new one."""

    purpose = CodePurpose.RESET
    template_name = "registration/password_reset_code.html"

    def success(self, user):
        self.request.session[SESSION_RESET] = {"user": user.pk, "at": time.time()}
        return redirect("password-reset-new")


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class PasswordResetNewView(View):
    """Set the new password (Django's validators) within ten minutes of the right code."""

    template_name = "registration/password_reset_new.html"

    def reset_user(self):
        state = self.request.session.get(SESSION_RESET) or {}
        if not state or time.time() - state.get("at", 0) > RESET_WINDOW_SECONDS:
            return None
        return get_user_model().objects.filter(pk=state.get("user"), is_active=True).first()

    def dispatch(self, request, *args, **kwargs):
        self.user = self.reset_user()
        if self.user is None:
            request.session.pop(SESSION_RESET, None)
            messages.error(request, _("请先用短信验证码验证手机号码。"))
            return redirect("password-reset")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": SetPasswordForm(self.user)})

    def post(self, request):
        form = SetPasswordForm(self.user, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        form.save()
        request.session.pop(SESSION_RESET, None)
        messages.success(request, _("密码已重设，请用新密码登录。"))
        return redirect("login")
