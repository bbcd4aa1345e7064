"""Phone and ID numbers never reach the logs, whatever the request does."""

from __future__ import annotations

import io
import logging

import pytest
from django.urls import reverse

from core.log_masking import PersonalDataFilter, mask_personal_data
from members.models import MemberOrganization

pytestmark = pytest.mark.django_db

MOBILE = "13812345678"
ID_NUMBER = "330212198001011234"
LANDLINE = "0574-87654321"


@pytest.fixture
def log_output():
    """What the configured console handler writes, for the duration of the test."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert handlers, "LOGGING must install the personal-data filter on the root handler"
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        (f"call {MOBILE} now", "call 138****5678 now"),
        (f"+86{MOBILE}", "+86138****5678"),
        (f"id={ID_NUMBER}", "id=330212********1234"),
        ("id=33021219800101123X", "id=330212********123X"),
        (f"office {LANDLINE}", "office 0574-****4321"),
        ("region 330212001001, count 12345678901234", "region 330212001001, count 12345678901234"),
    ],
)
def test_numbers_are_masked_and_other_numbers_left_alone(raw, masked):
    assert mask_personal_data(raw) == masked


def test_application_log_calls_are_masked(log_output):
    logger = logging.getLogger("alliances.notifications")
    logger.warning("sending SMS to %s for person %s", MOBILE, {"id_number": ID_NUMBER})
    try:
        raise ValueError(f"gateway refused {MOBILE}")
    except ValueError:
        logger.exception("SMS failed for %s", MOBILE)
    text = log_output.getvalue()
    assert "138****5678" in text and "330212********1234" in text
    assert "gateway refused 138****5678" in text  # the traceback too
    assert MOBILE not in text and ID_NUMBER not in text


def test_requests_that_fail_leave_no_phone_or_id_number_in_the_logs(api, client, world, log_output, monkeypatch):
    # A validation error (an organization out of scope) on a submission that carries a
    # phone and an ID number.
    rejected = api.as_user(world.alice).post(
        "/api/v1/people/",
        {"name": "赵六", "mobile": MOBILE, "id_number": ID_NUMBER, "organization": world.org_b.pk},
        format="json",
    )
    assert rejected.status_code == 400 and "organization" in rejected.json()

    # The same on a page.
    client.force_login(world.alice)
    page = client.post(
        reverse("members:organization-create"),
        {"name": "走马塘村党委", "kind": "village", "region": world.village_a.pk, "contact_phone": LANDLINE},
    )
    assert page.status_code == 200 and "errors" in page.content.decode()

    # A crash: a service that writes without validating breaks a database constraint;
    # PostgreSQL's error names the whole failing row, phone number included.
    def broken_create(*, actor, **fields):
        return MemberOrganization.objects.create(**{**fields, "star_rating": 9})

    monkeypatch.setattr("members.api.organization_create", broken_create)
    api.raise_request_exception = False
    crashed = api.post(
        "/api/v1/organizations/",
        {"name": "新单位", "kind": "village", "region": world.village_a.code, "contact_phone": MOBILE},
        format="json",
    )
    assert crashed.status_code == 500

    text = log_output.getvalue()
    assert "Internal Server Error: /api/v1/organizations/" in text
    assert "Failing row contains" in text and "138****5678" in text  # the row was logged, masked
    assert "Bad Request: /api/v1/people/" in text
    for raw in [MOBILE, ID_NUMBER, "87654321"]:
        assert raw not in text
