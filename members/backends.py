"""Signing in with a mobile number and a one-time SMS code (members.otp).

``PhoneCodeBackend`` sits in AUTHENTICATION_BACKENDS after django-axes' backend, so a code
login goes through the same lock-out as a password: the views call
``authenticate(request, username=<number>, phone=<number>, code=<code>)``; axes counts a
failure against the number (its ``username``) and the client address, and refuses every
attempt once the pair is locked.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import CodePurpose
from .otp import verify_code


class PhoneCodeBackend(ModelBackend):
    def authenticate(self, request, phone=None, code=None, purpose=CodePurpose.LOGIN, **kwargs):
        if phone is None or code is None or kwargs.get("password") is not None:
            return None
        user = verify_code(phone=phone, purpose=purpose, code=code)
        if user is not None and self.user_can_authenticate(user):
            return user
        return None
