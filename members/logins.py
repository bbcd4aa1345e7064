"""County staff manage people's logins within their scope.

A login (a Django user with its access profile) is opened for a person who needs one: the
leader of an alliance (role ``alliance_leader``), a workshop's steward
(``workshop_steward``) or a department's liaison (``department_liaison``, for a department
of a county the actor covers). Staff reset a forgotten password (a temporary password
shown once, or an SMS code the person uses on the 找回密码 page) and disable the login
when the term ends: the user becomes inactive, their API tokens and live codes are
deleted, their password is made unusable (every session of theirs ends on its next
request). Each of these writes an :class:`~members.models.AccountEvent` (who, when, what).

Who: county and city staff (and the superuser) whose region covers the person's
organization; nobody else. Alliances and workshops sit above this app: a person's leader
roles and stewardships are reached through the reverse relations, never imported.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken

from core.validators import mask_phone

from .access import Role, require_write, scope_for
from .models import AccessProfile, AccountAction, AccountEvent, CodePurpose, Department, Person, in_subtree
from .otp import discard_codes, issue_code, throttle

User = get_user_model()

MANAGER_ROLES = (Role.COUNTY_STAFF, Role.CITY_STAFF)
LOGIN_ROLES = (Role.ALLIANCE_LEADER, Role.WORKSHOP_STEWARD, Role.DEPARTMENT_LIAISON)
# Temporary passwords: no 0/O, 1/l/I, easy to read out over the phone.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 12


def may_manage_logins(user: Any) -> bool:
    scope = scope_for(user)
    return scope.kind == "all" or scope.role in MANAGER_ROLES


def require_login_manager(actor: Any, person: Person) -> None:
    """County or city staff whose region covers the person's organization (or superuser)."""
    if not may_manage_logins(actor):
        raise PermissionDenied(_("只有县级、市级组织部门工作人员可以管理登录账号。"))
    require_write(actor, person.organization.region if person.organization_id else None)


def holds_open_leader_role(person: Person) -> bool:
    return person.team_roles.filter(role="leader", ended_on__isnull=True).exists()


def stewards_a_workshop(person: Person) -> bool:
    return person.stewarded_workshops.exists()


def roles_for(person: Person) -> list[str]:
    """The login roles this person qualifies for (a liaison needs only a department)."""
    roles = []
    if holds_open_leader_role(person):
        roles.append(Role.ALLIANCE_LEADER)
    if stewards_a_workshop(person):
        roles.append(Role.WORKSHOP_STEWARD)
    roles.append(Role.DEPARTMENT_LIAISON)
    return roles


def departments_for(actor: Any):
    """The active departments of the counties the actor covers."""
    return Department.objects.visible_to(actor).active().filter(in_subtree(_prefix(actor), "county"))


def _prefix(actor: Any) -> str:
    scope = scope_for(actor)
    return "" if scope.kind == "all" else scope.region_prefix or "-"


def temporary_password() -> str:
    return "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_LENGTH))


def _record(*, person: Person, user: Any, action: str, actor: Any, role: str = "", note: str = "") -> AccountEvent:
    return AccountEvent.objects.create(
        person=person,
        user=user,
        action=action,
        role=role,
        note=note[:200],
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _check_mobile_free(person: Person, user: Any | None) -> None:
    """A mobile number signs in one account only (members.otp refuses shared numbers)."""
    if not person.mobile:
        return
    others = User.objects.filter(is_active=True, person__mobile=person.mobile)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise ValidationError(
            {"role": _("手机号码 %(mobile)s 已用于另一个登录账号，请先核对人员信息。") % {"mobile": person.mobile}}
        )


@dataclass(frozen=True)
class LoginResult:
    user: Any
    password: str  # shown once, never stored in clear


@transaction.atomic
def login_create(
    *, actor: Any, person: Person, role: str, username: str, department: Department | None = None
) -> LoginResult:
    """Open (or re-open) the person's login with ``role``; returns the temporary password."""
    locked = Person.objects.select_for_update(of=("self",)).select_related("organization__region", "user")
    person = locked.get(pk=person.pk)
    require_login_manager(actor, person)
    user = person.user
    if user is not None and user.is_active:
        raise ValidationError(_("此人已有可用的登录账号。"))
    if role not in LOGIN_ROLES:
        raise ValidationError({"role": _("请选择带头人、助富管家或部门联络员。")})
    if role == Role.ALLIANCE_LEADER and not holds_open_leader_role(person):
        raise ValidationError({"role": _("此人目前不是任何联盟的在任带头人。")})
    if role == Role.WORKSHOP_STEWARD and not stewards_a_workshop(person):
        raise ValidationError({"role": _("此人目前不是任何共富工坊的助富管家。")})
    if role == Role.DEPARTMENT_LIAISON:
        if department is None:
            raise ValidationError({"department": _("部门联络员必须选择所属部门。")})
        require_write(actor, department.county)
        if department.retired_at is not None:
            raise ValidationError({"department": _("该部门已停用。")})
    else:
        department = None
    _check_mobile_free(person, user)
    password = temporary_password()
    if user is None:
        username = (username or "").strip()
        if not username:
            raise ValidationError({"username": _("请输入登录用户名。")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username}})
        user = User(username=username)
        try:
            User._meta.get_field("username").run_validators(username)
        except ValidationError as error:
            raise ValidationError({"username": error.messages}) from error
        action = AccountAction.CREATED
    else:
        action = AccountAction.ENABLED
    user.is_active = True
    user.set_password(password)
    user.save()
    AccessProfile.objects.update_or_create(user=user, defaults={"role": role, "region": None, "department": department})
    if person.user_id != user.pk:
        person.user = user
        person._history_user = actor
        person.save(update_fields=["user", "updated_at"])
    note = department.name if department else ""
    _record(person=person, user=user, action=action, actor=actor, role=role, note=note)
    return LoginResult(user=user, password=password)


def _active_login(person: Person) -> Any:
    user = person.user
    if user is None or not user.is_active:
        raise ValidationError(_("此人没有可用的登录账号。"))
    return user


@transaction.atomic
def password_reset_temporary(*, actor: Any, person: Person) -> LoginResult:
    """A new temporary password (shown once); the person's other sessions end."""
    require_login_manager(actor, person)
    user = _active_login(person)
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    _record(person=person, user=user, action=AccountAction.PASSWORD_TEMPORARY, actor=actor)
    return LoginResult(user=user, password=password)


@transaction.atomic
def password_reset_by_sms(*, actor: Any, person: Person, address: str | None = None) -> str:
    """Send the person a code for the 找回密码 page; returns the masked number it went to."""
    require_login_manager(actor, person)
    user = _active_login(person)
    if not person.mobile:
        raise ValidationError(_("此人没有登记手机号码，请改用临时密码。"))
    _check_mobile_free(person, user)
    throttle(person.mobile, address)
    issue_code(user=user, phone=person.mobile, purpose=CodePurpose.RESET)
    _record(person=person, user=user, action=AccountAction.PASSWORD_SMS, actor=actor)
    return mask_phone(person.mobile)


@transaction.atomic
def login_disable(*, actor: Any, person: Person, note: str = "") -> Any:
    """End the login when the term ends: inactive, unusable password, tokens and codes gone."""
    require_login_manager(actor, person)
    user = _active_login(person)
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    AuthToken.objects.filter(user=user).delete()
    discard_codes(user)
    _record(person=person, user=user, action=AccountAction.DISABLED, actor=actor, note=note.strip())
    return user


def outgoing_login(person: Person) -> Any | None:
    """The active login of a leader who no longer leads any alliance (after a change of
    leader): the one the page offers to disable. None when there is nothing to offer."""
    user = person.user
    if user is None or not user.is_active:
        return None
    profile = AccessProfile.objects.filter(user=user).first()
    if profile is None or profile.role != Role.ALLIANCE_LEADER or holds_open_leader_role(person):
        return None
    return user
