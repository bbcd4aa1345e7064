"""Every model serializer of the API builds its fields once per class and hands each
serializer its own copies, equal to the fields DRF would build for it."""

from __future__ import annotations

import pytest
from rest_framework import serializers

import config.api  # noqa: F401 - imports every API module, so every serializer is defined
from members.api_base import FieldTemplateMixin

pytestmark = pytest.mark.django_db


def subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


SERIALIZERS = sorted(
    {cls for cls in subclasses(FieldTemplateMixin) if getattr(getattr(cls, "Meta", None), "model", None)},
    key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
)


def described(fields) -> dict[str, str]:
    return {name: repr(field) for name, field in fields.items()}


def test_every_api_model_serializer_is_held_to_it():
    names = {cls.__name__ for cls in SERIALIZERS}
    assert {"AllianceSerializer", "ProjectSerializer", "ProgressReportSerializer", "WorkshopSerializer"} <= names


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=[cls.__name__ for cls in SERIALIZERS])
def test_the_fields_are_those_drf_builds_every_time(serializer_class):
    expected = described(serializers.ModelSerializer.get_fields(serializer_class()))
    assert described(serializer_class().get_fields()) == expected
    assert described(serializer_class().get_fields()) == expected  # from the kept template


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=[cls.__name__ for cls in SERIALIZERS])
def test_each_serializer_gets_its_own_fields_bound_to_itself(serializer_class):
    first, second = serializer_class(), serializer_class()
    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other
        assert field.parent is first and other.parent is second
    name = next(iter(first.fields))
    first.fields[name].read_only = not second.fields[name].read_only
    assert serializer_class().fields[name].read_only == second.fields[name].read_only
