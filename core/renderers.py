"""The API's JSON renderer: DRF's output, encoded by orjson."""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class JSONRenderer(renderers.JSONRenderer):
    """DRF's ``JSONRenderer`` with its compact body encoded by orjson, in C.

    orjson encodes a page of rows in about a tenth of the time ``json.dumps`` with DRF's
    encoder takes. The body is the same: dates and times and everything orjson does
    not encode itself (Decimal, lazy translations, querysets) go through DRF's encoder, so a
    UTC time still ends in ``Z``; dicts keep their order; U+2028 and U+2029 are escaped as
    DRF escapes them. Floats are written in their shortest round-trip form, as Python's
    ``repr`` does, though an exponent may be spelled differently (``1e16``, not ``1e+16``);
    a float that is not finite is written as ``null``, where DRF's strict encoder refuses it
    (the API's numbers are integers and decimals). Indented output (the browsable API,
    ``Accept: application/json; indent=4``), ASCII-only output and non-strict JSON are
    DRF's own.
    """

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is not None or not self.compact or self.ensure_ascii or not self.strict:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: DRF's encoder writes it
            return super().render(data, accepted_media_type, renderer_context)
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
