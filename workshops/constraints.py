"""Database constraints whose violations are reported on one form field.

Django reports a failed CheckConstraint, or a UniqueConstraint over several fields, as a
non-field error. These subclasses name the field the user has to correct, so forms and the
API point at it; the database still enforces the rule (the last guard) and
``constraint_field`` maps an IntegrityError back to the same field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, transaction
from django.utils.translation import gettext as _


class FieldErrorMixin:
    def __init__(self, *args: Any, error_field: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.error_field = error_field

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS) -> None:
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            raise ValidationError({self.error_field: error.error_list}) from error

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["error_field"] = self.error_field
        return path, args, kwargs

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldErrorMixin):
            return NotImplemented
        return super().__eq__(other) is True and self.error_field == other.error_field

    __hash__ = None  # like Django's constraints: compared, never hashed


class FieldCheckConstraint(FieldErrorMixin, models.CheckConstraint):
    pass


class FieldUniqueConstraint(FieldErrorMixin, models.UniqueConstraint):
    pass


def constraint_field(model: type[models.Model], error: IntegrityError) -> tuple[str, str] | None:
    """``(field, message)`` of the field-reporting constraint of ``model`` named in the
    database's error, or None when the error is about something else."""
    text = str(error)
    for constraint in model._meta.constraints:
        if isinstance(constraint, FieldErrorMixin) and constraint.name in text:
            return constraint.error_field, str(constraint.get_violation_error_message())
    return None


def save_naming_fields(instance: models.Model) -> models.Model:
    """Like ``members.services.validated_save``: full_clean() then save(); but when the
    database still rejects the row (two requests racing, or validation skipped), the error
    names the field of the constraint that failed instead of being a general conflict."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        mapped = constraint_field(type(instance), exc)
        if mapped is None:
            raise ValidationError(_("数据与已有记录冲突，请刷新后重试。")) from exc
        field, message = mapped
        raise ValidationError({field: message}) from exc
    return instance
