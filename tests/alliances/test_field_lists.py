"""Each model's writable fields are declared once (in the app's services): the page form,
the API serializer and the service accept exactly the same ones."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alliances import api, forms
from alliances.layouts import ALLIANCE_COLUMNS
from alliances.services import (
    ACTIVITY_FIELDS,
    ALLIANCE_FIELDS,
    MEETING_FIELDS,
    MENTORSHIP_FIELDS,
    NEED_FIELDS,
    PLATFORM_FIELDS,
    RESOURCE_FIELDS,
    alliance_create,
)

ATTENDANCE = {"attending_organizations", "attendees", "participating_organizations", "participants"}
# The record's alliance is chosen by the page's address, not by its form.
SET_BY_ADDRESS = {"alliance"}
SERVICE_ARGUMENTS = {"version"}


def writable(serializer_class) -> set[str]:
    fields = serializer_class().get_fields()
    return {name for name, field in fields.items() if not field.read_only} - SET_BY_ADDRESS - SERVICE_ARGUMENTS


@pytest.mark.parametrize(
    ("declared", "form_class", "serializer_class", "api_only"),
    [
        (ALLIANCE_FIELDS, forms.AllianceForm, api.AllianceSerializer, set()),
        (MEETING_FIELDS, forms.MeetingForm, api.MeetingSerializer, set()),
        (ACTIVITY_FIELDS, forms.ActivityForm, api.ActivitySerializer, set()),
        # The API ends a pair by a PATCH of ``ended_on``; the pages have a form of their own.
        (MENTORSHIP_FIELDS, forms.MentorshipForm, api.MentorshipSerializer, {"ended_on"}),
        (PLATFORM_FIELDS, forms.PlatformForm, api.EntityPlatformSerializer, set()),
        (NEED_FIELDS, forms.NeedForm, api.NeedSerializer, set()),
        (RESOURCE_FIELDS, forms.ResourceForm, api.ResourceSerializer, set()),
    ],
    ids=["alliance", "meeting", "activity", "mentorship", "platform", "need", "resource"],
)
def test_the_form_and_the_api_write_the_fields_declared_once(declared, form_class, serializer_class, api_only):
    assert len(declared) == len(set(declared))
    assert set(form_class._meta.fields) - ATTENDANCE == set(declared)
    assert writable(serializer_class) - ATTENDANCE - api_only == set(declared)


def test_the_excel_import_of_alliances_writes_only_declared_fields():
    imported = {column.field for column in ALLIANCE_COLUMNS if column.field}
    assert imported <= set(ALLIANCE_FIELDS)
    assert {"code", "name", "lead_region"} <= imported


@pytest.mark.django_db
def test_a_field_not_declared_is_refused_by_the_service_naming_it(world):
    with pytest.raises(ValidationError) as refused:
        alliance_create(actor=world.alice, version=3, code="LM-X", name="新联盟")
    assert refused.value.message_dict == {"version": ["该字段不可修改。"]}
