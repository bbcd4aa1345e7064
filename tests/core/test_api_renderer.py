"""The API's JSON renderer writes what DRF's own renderer writes, only faster."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.renderers import JSONRenderer
from workshops.models import WorkshopStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


def both(data, accepted_media_type=None, renderer_context=None) -> tuple[bytes, bytes]:
    return (
        JSONRenderer().render(data, accepted_media_type, renderer_context),
        renderers.JSONRenderer().render(data, accepted_media_type, renderer_context),
    )


def test_a_page_of_rows_is_written_byte_for_byte_as_drf_writes_it():
    row = ReturnDict(
        {
            "id": 7,
            "name": "岱山县共富工坊",
            "status": WorkshopStatus.ACTIVE,
            "updated_at": datetime.datetime(2026, 11, 22, 2, 30, 15, 123456, tzinfo=datetime.UTC),
            "opened_on": datetime.date(2026, 3, 1),
            "shown_at": datetime.datetime(2026, 11, 22, 10, 30, tzinfo=SHANGHAI),
            "naive_at": datetime.datetime(2026, 11, 22, 10, 30),
            "wages": Decimal("1234.50"),
            "label": gettext_lazy("工坊名称"),
            "token": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "ratio": 0.1,
            "complete": True,
            "steward": None,
            "tags": ("a", "b"),
            "nested": {"months": [1, 2, 3], "empty": []},
        },
        serializer=None,
    )
    data = {"count": 1, "next": None, "previous": None, "results": ReturnList([row], serializer=None)}
    ours, drf = both(data)
    assert ours == drf
    assert b'"updated_at":"2026-11-22T02:30:15.123456Z"' in ours
    assert b'"wages":1234.5' in ours


def test_line_and_paragraph_separators_are_escaped_as_drf_escapes_them():
    ours, drf = both({"text": "甲\u2028乙\u2029丙"})
    assert ours == drf == b'{"text":"\xe7\x94\xb2\\u2028\xe4\xb9\x99\\u2029\xe4\xb8\x99"}'


def test_nothing_renders_as_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_an_indented_request_gets_drf_s_indented_body():
    ours, drf = both({"a": [1, 2]}, "application/json; indent=4")
    assert ours == drf
    assert b"\n    " in ours


def test_an_integer_beyond_64_bits_still_renders():
    ours, drf = both({"big": 2**70})
    assert ours == drf == b'{"big":1180591620717411303424}'


def test_times_and_durations_are_written_as_drf_writes_them():
    ours, drf = both({"at": datetime.time(10, 30, 5), "took": datetime.timedelta(minutes=1, seconds=30)})
    assert ours == drf == b'{"at":"10:30:05","took":"90.0"}'


def test_ascii_only_output_is_drf_s_own(monkeypatch):
    monkeypatch.setattr(JSONRenderer, "ensure_ascii", True)
    ours = JSONRenderer().render({"name": "工坊"})
    assert ours == b'{"name":"\\u5de5\\u574a"}'
