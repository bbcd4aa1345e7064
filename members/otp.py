"""One-time SMS codes: signing in and resetting a forgotten password with a mobile number.

- A code is 6 random digits, valid ``CODE_TTL`` (5 minutes), for ``MAX_ATTEMPTS`` (5)
  tries; only its HMAC (keyed with SECRET_KEY, bound to number and purpose) is stored, in
  :class:`~members.models.PhoneCode`, one live code per number: a new one replaces it.
- Sending is rate-limited in the cache, before anything else is looked at: per number (one
  code per ``SMS_CODE_RESEND_SECONDS``, ``SMS_CODE_NUMBER_HOURLY`` an hour) and per client
  address (``SMS_CODE_ADDRESS_HOURLY`` an hour).
- A number reaches a user through ``Person.mobile`` and ``Person.user`` (an active user,
  and only one). Unknown, ambiguous or disabled numbers get exactly what known ones get,
  except the message: the caller cannot tell whether a number has an account.
- The SMS leaves from a Celery task once the request's transaction has committed, never
  from the request's thread.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from core.jobs import enqueue
from core.validators import MOBILE_RE

from .models import PHONE_CODE_MAX_ATTEMPTS, CodePurpose, PhoneCode
from .tasks import send_code

logger = logging.getLogger(__name__)

CODE_LENGTH = 6
CODE_TTL = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = PHONE_CODE_MAX_ATTEMPTS
HOUR = 3600


class CodeThrottled(Exception):
    """Too many codes asked for this number or from this address: try again in ``wait`` s."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = max(1, int(wait))

    @property
    def message(self) -> str:
        return _("发送过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": self.wait}


@dataclass(frozen=True)
class CodeRequest:
    phone: str
    resend_after: int  # seconds until another code may be asked for this number


def normalise_mobile(value: str) -> str:
    """The 11 digits of a mainland mobile number typed with spaces, dashes or +86."""
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not re.fullmatch(MOBILE_RE, digits):
        raise ValidationError(_("请输入11位手机号码，例如 13812345678。"), code="invalid_mobile")
    return digits


def code_digest(phone: str, purpose: str, code: str) -> str:
    key = hashlib.sha256(f"members.otp:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def user_for_phone(phone: str) -> Any | None:
    """The one active user whose person has this mobile number (None: none, or several)."""
    users = list(get_user_model().objects.filter(is_active=True, person__mobile=phone).distinct().order_by("pk")[:2])
    if len(users) != 1:
        if users:
            logger.warning("Mobile %s belongs to several active users: no code sent", phone)
        return None
    return users[0]


# --------------------------------------------------------------------------- rate limits


def _window_key(kind: str, subject: str, now: float) -> tuple[str, int]:
    window = int(now // HOUR)
    return f"otp:{kind}:{subject}:{window}", int((window + 1) * HOUR - now)


def _count(key: str, ttl: int) -> int:
    cache.add(key, 0, ttl + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, ttl + 5)
        return 1


def throttle(phone: str, address: str | None) -> int:
    """Count one code request; raise :class:`CodeThrottled` if a limit is passed. Returns
    the seconds before the next code may be asked for this number."""
    now = time.time()
    resend = settings.SMS_CODE_RESEND_SECONDS
    resend_key = f"otp:resend:{phone}"
    allowed_at = cache.get(resend_key)
    if allowed_at is not None and allowed_at > now:
        raise CodeThrottled(int(allowed_at - now + 0.999))
    address_key, address_ttl = _window_key("address", address or "unknown", now)
    if _count(address_key, address_ttl) > settings.SMS_CODE_ADDRESS_HOURLY:
        raise CodeThrottled(address_ttl)
    number_key, number_ttl = _window_key("number", phone, now)
    if _count(number_key, number_ttl) > settings.SMS_CODE_NUMBER_HOURLY:
        raise CodeThrottled(number_ttl)
    cache.set(resend_key, now + resend, resend)
    return resend


def seconds_until_resend(phone: str) -> int:
    allowed_at = cache.get(f"otp:resend:{phone}")
    return max(0, int(allowed_at - time.time() + 0.999)) if allowed_at else 0


# --------------------------------------------------------------------------- issue and verify


def request_code(*, phone: str, purpose: str, address: str | None) -> CodeRequest:
    """Ask for a code for ``phone``: the same outcome whether or not it has an account.

    ``ValidationError`` for a malformed number, :class:`CodeThrottled` past a limit.
    Otherwise a code is made and sent if, and only if, the number maps to one active user.
    """
    phone = normalise_mobile(phone)
    if purpose not in CodePurpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    resend_after = throttle(phone, address)
    user = user_for_phone(phone)
    if user is None:
        code_digest(phone, purpose, f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}")  # the same work
        return CodeRequest(phone=phone, resend_after=resend_after)
    issue_code(user=user, phone=phone, purpose=purpose)
    return CodeRequest(phone=phone, resend_after=resend_after)


def issue_code(*, user: Any, phone: str, purpose: str) -> None:
    """Make ``user``'s live code for ``phone`` (replacing any) and send it after commit."""
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    now = timezone.now()
    with transaction.atomic():
        PhoneCode.objects.update_or_create(
            phone=phone,
            defaults={
                "purpose": purpose,
                "user": user,
                "code_hash": code_digest(phone, purpose, code),
                "created_at": now,
                "expires_at": now + CODE_TTL,
                "attempts": 0,
            },
        )
        enqueue(send_code, phone, code, f"{purpose}-{int(now.timestamp())}")


def verify_code(*, phone: str, purpose: str, code: str) -> Any | None:
    """The user the live ``purpose`` code of ``phone`` was sent to, if ``code`` is it (the
    code is then used up). A wrong code uses one try; the last try removes the code."""
    try:
        phone = normalise_mobile(phone)
    except ValidationError:
        return None
    code = (code or "").strip()
    if not re.fullmatch(rf"[0-9]{{{CODE_LENGTH}}}", code):
        code = ""  # still counts as a try
    with transaction.atomic():
        row = PhoneCode.objects.select_for_update().select_related("user").filter(phone=phone).first()
        if row is None or row.purpose != purpose:
            return None
        if row.expires_at <= timezone.now() or row.attempts >= MAX_ATTEMPTS:
            row.delete()
            return None
        if not code or not constant_time_compare(row.code_hash, code_digest(phone, purpose, code)):
            row.attempts += 1
            if row.attempts >= MAX_ATTEMPTS:
                row.delete()
            else:
                row.save(update_fields=["attempts"])
            return None
        row.delete()
    user = row.user
    return user if user.is_active else None


def discard_codes(user: Any) -> int:
    """Remove every live code of ``user`` (their login was disabled)."""
    return PhoneCode.objects.filter(user=user).delete()[0]
