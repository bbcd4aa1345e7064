"""Every write to regions, organizations and people, with its business rules."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.constraints import validated_save

from .access import require_write, scope_for
from .models import AccessProfile, Department, MemberOrganization, Person, Region

User = get_user_model()


def apply_changes(instance: models.Model, fields: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("该字段不可修改。") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(instance, name, value)
    return list(fields)


def region_create(*, actor: Any, code: str, name: str, level: str, parent: Region | None) -> Region:
    if not scope_for(actor).kind == "all":
        require_write(actor, parent)
    return validated_save(Region(code=code, name=name, level=level, parent=parent))


ORGANIZATION_FIELDS = {"name", "kind", "region", "star_rating", "secretary", "contact_phone"}


def organization_create(*, actor: Any, **fields: Any) -> MemberOrganization:
    organization = MemberOrganization()
    apply_changes(organization, fields, ORGANIZATION_FIELDS)
    require_write(actor, fields.get("region"))
    return validated_save(organization, actor=actor)


@transaction.atomic
def organization_update(*, actor: Any, organization: MemberOrganization, **fields: Any) -> MemberOrganization:
    require_write(actor, organization.region)
    apply_changes(organization, fields, ORGANIZATION_FIELDS)
    require_write(actor, organization.region)
    return validated_save(organization, actor=actor)


PERSON_FIELDS = {"name", "mobile", "id_number", "organization", "title", "is_party_member", "user"}


def _person_region(person: Person) -> Region | None:
    return person.organization.region if person.organization_id else None


def person_create(*, actor: Any, **fields: Any) -> Person:
    person = Person()
    apply_changes(person, fields, PERSON_FIELDS)
    if person.organization_id is None and scope_for(actor).kind != "all":
        # A person outside every organization would be outside every scope but the superuser's.
        errors: dict[str, list] = {"organization": [_("请选择所在单位。")]}
        try:
            person.full_clean(exclude=["organization"])
        except ValidationError as exc:
            errors |= exc.message_dict
        raise ValidationError(errors)
    require_write(actor, _person_region(person))
    return validated_save(person, actor=actor)


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    require_write(actor, _person_region(person))
    apply_changes(person, fields, PERSON_FIELDS)
    require_write(actor, _person_region(person))
    return validated_save(person, actor=actor)


DEPARTMENT_FIELDS = {"county", "name", "kind"}


def department_create(*, actor: Any, **fields: Any) -> Department:
    """Add a department (or a township as assignee) to a county's list: the county's staff
    (or the city's above it)."""
    department = Department()
    apply_changes(department, fields, DEPARTMENT_FIELDS)
    require_write(actor, fields.get("county"))
    return validated_save(department, actor=actor)


@transaction.atomic
def department_update(*, actor: Any, department: Department, **fields: Any) -> Department:
    """Rename a department or change its kind; it stays in its county."""
    require_write(actor, department.county)
    apply_changes(department, fields, DEPARTMENT_FIELDS - {"county"})
    return validated_save(department, actor=actor)


@transaction.atomic
def department_retire(*, actor: Any, department: Department) -> Department:
    """Retire a department: it takes no new items; its items and history stay."""
    require_write(actor, department.county)
    if department.retired_at is not None:
        raise ValidationError(_("该部门已停用。"))
    department.retired_at = timezone.now()
    department.save(update_fields=["retired_at", "updated_at"])
    return department


@transaction.atomic
def department_restore(*, actor: Any, department: Department) -> Department:
    require_write(actor, department.county)
    if department.retired_at is None:
        raise ValidationError(_("该部门未停用。"))
    department.retired_at = None
    department.save(update_fields=["retired_at", "updated_at"])
    return department


@transaction.atomic
def user_with_role(
    *,
    username: str,
    password: str,
    role: str,
    region: Region | None = None,
    email: str = "",
    person: Person | None = None,
    department: Department | None = None,
) -> Any:
    """Create or update a log-in account with its access profile (used by seed and admin)."""
    user, _created = User.objects.get_or_create(username=username, defaults={"email": email})
    user.email = email
    user.set_password(password)
    user.save()
    profile = AccessProfile.objects.filter(user=user).first() or AccessProfile(user=user)
    profile.role = role
    profile.region = region
    profile.department = department
    validated_save(profile)
    if person is not None and person.user_id != user.pk:
        Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save(update_fields=["user"])
    return user
