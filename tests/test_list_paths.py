"""The API list's cheap paths give what Django and DRF give: values DRF would output
unchanged copied as they are."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from members.api_base import FastRepresentationMixin


class Row:
    def __init__(self, **values):
        self.__dict__.update(values)


class PlainSerializer(FastRepresentationMixin, serializers.Serializer):
    text = serializers.CharField()
    number = serializers.IntegerField()
    flag = serializers.BooleanField()
    ratio = serializers.FloatField()
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    level = serializers.ChoiceField(choices=[(1, "one"), (2, "two")])


@pytest.mark.parametrize(
    "values",
    [
        {"text": "甲", "number": 3, "flag": True, "ratio": 0.5, "kind": "a", "level": 1},
        # values of another type than the field's own go through DRF's conversion
        {"text": 12, "number": 3.0, "flag": "yes", "ratio": 1, "kind": "c", "level": "2"},
        {"text": True, "number": False, "flag": 0, "ratio": True, "kind": 1, "level": "3"},
    ],
    ids=["own-types", "other-types", "odd-types"],
)
def test_plain_values_are_output_as_drf_outputs_them(values):
    row = Row(**values)
    ours = PlainSerializer(row).data
    assert ours == serializers.Serializer.to_representation(PlainSerializer(), row)
    assert [type(value) for value in ours.values()] == [
        type(value) for value in serializers.Serializer.to_representation(PlainSerializer(), row).values()
    ]
