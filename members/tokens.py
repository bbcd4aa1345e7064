"""API tokens: read-only keys for big-screen dashboards, and user accounts' tokens.

Staff create a dashboard token for a region inside their scope (:func:`api_token_create`); the key
is returned once and only its SHA-256 is kept. A client sends ``Authorization: Bearer
<key>`` and reads the API as a read-only viewer of that region: the same rows
``visible_to`` gives a viewer, personal data masked, every write refused (403). A revoked
token is refused on its next request (401): every request looks the token up, so nothing
cached can outlive a revocation. ``last_used_at`` is written at most once a minute.
Requests are rate-limited per token (``DASHBOARD_TOKEN_RATE``, default 120/minute).

User accounts' tokens (``Authorization: Token <key>``) are django-rest-knox's: the key is
shown once (:func:`user_token_create`, or the admin's "Auth tokens" page), only its
SHA-512 is stored, the holder acts as that user, and deleting the token revokes it. Every
user token expires ``API_TOKEN_TTL_DAYS`` after it is issued (:func:`cap_user_token_expiry`,
the one place of that rule: knox's admin would otherwise issue tokens that never expire).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle

from core.constraints import validated_save

from .access import Role, Scope, require_write, scope_for
from .models import ApiToken, Region

KEY_PREFIX = "dsk_"  # dashboard key: recognisable in a config file or a leaked log
PREFIX_LENGTH = 12  # what the token list shows: "dsk_" and the first 8 random characters
TOUCH_INTERVAL = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# ------------------------------------------------------------------ services


def api_token_create(*, actor: Any, name: str, region: Region) -> tuple[ApiToken, str]:
    """A new token for ``region`` (which must lie in the actor's scope) and its key, which
    is never stored and cannot be shown again."""
    if not scope_for(actor).can_write:
        raise PermissionDenied(_("只有组织部门工作人员可以创建大屏接口令牌。"))
    require_write(actor, region)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip(), region=region, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key))
    token.created_by = actor if getattr(actor, "pk", None) else None
    validated_save(token)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke at once: the token's next request is refused."""
    require_write(actor, token.region)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("该令牌已于 %(when)s 撤销。") % {"when": timezone.localtime(token.revoked_at)})
    token.revoked_at = timezone.now()
    token.revoked_by = actor if getattr(actor, "pk", None) else None
    return validated_save(token, update_fields=["revoked_at", "revoked_by"])


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key (None for an unknown or revoked key); notes its use."""
    token = ApiToken.objects.select_related("region").filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
    if token is not None:
        touch(token)
    return token


def touch(token: ApiToken, *, now: datetime.datetime | None = None) -> None:
    """Record the use, at most once per ``TOUCH_INTERVAL`` (no write when recent)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_INTERVAL)
    ).update(last_used_at=now)
    token.last_used_at = now


# ------------------------------------------------------------------ the API side


class TokenUser:
    """Who a token request is: no account, a read-only viewer of the token's region."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, token: ApiToken):
        self.api_token = token
        self.username = f"token:{token.prefix}"
        region = token.region
        self._alliance_scope = Scope(
            kind="region",
            role=Role.VIEWER,
            region_prefix=region.prefix,
            region_id=region.pk,
            region_code=region.code,
            region_level=region.level,
        )

    def __str__(self) -> str:
        return self.username

    def get_username(self) -> str:
        return self.username

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def has_perms(self, perms: Any, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


class DashboardTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>`` → a read-only viewer of the token's region."""

    keyword = "bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Authorization 头格式应为“Bearer 令牌”。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("令牌无效。")) from exc
        token = token_for_key(key)
        if token is None:
            raise AuthenticationFailed(_("令牌无效或已撤销。"))
        return TokenUser(token), token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class DashboardTokenThrottle(SimpleRateThrottle):
    """At most ``DASHBOARD_TOKEN_RATE`` requests per token (other callers: no limit here)."""

    scope = "dashboard_token"

    def get_rate(self) -> str:
        return settings.DASHBOARD_TOKEN_RATE

    def get_cache_key(self, request, view) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


# ------------------------------------------------------------------ user accounts' tokens


def user_token_create(user: Any) -> tuple[AuthToken, str]:
    """A new API token for ``user`` and its key, which is never stored and cannot be shown
    again; it expires after ``API_TOKEN_TTL_DAYS``."""
    return AuthToken.objects.create(user=user)


def user_token_revoke(token: AuthToken) -> None:
    """Revoke at once: the token's next request is refused (401)."""
    AuthToken.objects.filter(pk=token.pk).delete()


def cap_user_token_expiry(sender: Any, instance: AuthToken, **kwargs: Any) -> None:
    """``pre_save`` of a new user token: it expires ``API_TOKEN_TTL_DAYS`` from now at the
    latest (a token issued without an expiry, or with a later one, gets that)."""
    if not instance._state.adding:
        return
    latest = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    if instance.expiry is None or instance.expiry > latest:
        instance.expiry = latest
