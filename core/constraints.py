"""Database constraints and the one way their violations reach a form or the API.

Every invariant is a database constraint too, the last guard. When a service's
``full_clean()`` passed and the database still refuses the row (two requests racing, a
check that only the database can make), :func:`validated_save` turns the IntegrityError
into a ValidationError the way ``full_clean()`` itself would report it:

- a :class:`FieldCheckConstraint` or :class:`FieldUniqueConstraint` names the field the user
  has to correct (Django reports a failed CheckConstraint, or a UniqueConstraint over
  several fields, as a non-field error; these subclasses name the field, for forms and the
  API alike);
- any other constraint with its own ``violation_error_message`` gives that message, on its
  field when it is a UniqueConstraint over one field (as Django's ``validate_constraints``
  does), else for the whole form;
- anything else is a general conflict: "refresh and try again".

Forms attach the error with ``core.views_base.apply_validation_error``; the API answers
400 with it (``core.api_errors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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
    """``(field, message)`` of the constraint of ``model`` named in the database's error
    (``field`` is ``NON_FIELD_ERRORS`` for the whole form), or None when the error names no
    constraint of ``model`` that has a message of its own."""
    text = str(error)
    for constraint in model._meta.constraints:
        if constraint.name not in text:
            continue
        if isinstance(constraint, FieldErrorMixin):
            return constraint.error_field, str(constraint.get_violation_error_message())
        if constraint.violation_error_message is None or not constraint.violation_error_message:
            continue
        if constraint.violation_error_message == constraint.default_violation_error_message:
            continue
        fields = getattr(constraint, "fields", ())
        field = fields[0] if isinstance(constraint, models.UniqueConstraint) and len(fields) == 1 else NON_FIELD_ERRORS
        return field, str(constraint.get_violation_error_message())
    return None


def constraint_error(model: type[models.Model], error: IntegrityError) -> ValidationError:
    """The ValidationError a form or the API shows for a constraint the database enforced."""
    mapped = constraint_field(model, error)
    if mapped is None:
        return ValidationError(_("数据与已有记录冲突，请刷新后重试。"))
    field, message = mapped
    return ValidationError({field: message})


_checked_by_database: ContextVar[bool] = ContextVar("checked_by_database", default=False)


@contextmanager
def checked_by_database() -> Iterator[None]:
    """For writes of many rows in a row-by-row savepoint (the Excel import): inside, each
    :func:`validated_save` leaves the model's constraints, and its foreign keys to rows
    already loaded, to the database, instead of asking it one query per constraint first
    (Django's ``validate_constraints`` sends a query for every check and unique
    constraint). A violation still comes back as the same field's ValidationError through
    :func:`constraint_error`; the caller's savepoint undoes the row."""
    token = _checked_by_database.set(True)
    try:
        yield
    finally:
        _checked_by_database.reset(token)


def _loaded_foreign_keys(instance: models.Model) -> list[str]:
    return [
        field.name
        for field in instance._meta.concrete_fields
        if field.many_to_one and field.is_cached(instance) and getattr(getattr(instance, field.name), "pk", None)
    ]


def validate(instance: models.Model) -> bool:
    """``full_clean()``, leaving constraints to the database inside :func:`checked_by_database`
    (True then: the caller holds the savepoint)."""
    trusted = _checked_by_database.get()
    if trusted:
        instance.full_clean(exclude=_loaded_foreign_keys(instance), validate_constraints=False)
    else:
        instance.full_clean()
    return trusted


def validated_save(
    instance: models.Model, *, update_fields: list[str] | None = None, actor: Any = None
) -> models.Model:
    """full_clean() then save(); a constraint the database still rejects becomes a
    ValidationError (see the module's docstring) instead of a 500. ``actor`` is recorded as
    the author of the change in the model's history (also outside a request: tasks,
    imports, commands)."""
    trusted = validate(instance)
    if getattr(actor, "pk", None) is not None:
        instance._history_user = actor
    try:
        with transaction.atomic(savepoint=not trusted):
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise constraint_error(type(instance), exc) from exc
    return instance
