"""Where this app's migrations find the field-reporting constraints: they live in
``core.constraints`` with the one helper that turns a violation into a form error."""

from core.constraints import FieldCheckConstraint, FieldUniqueConstraint

__all__ = ["FieldCheckConstraint", "FieldUniqueConstraint"]
