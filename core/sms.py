"""Text messages (SMS): one function, ``send_sms``, and backends chosen by ``SMS_BACKEND``.

Like Django's e-mail backends, the backend is a dotted path set from the environment:

- ``core.sms.ConsoleBackend`` writes each message to standard output (local use);
- ``core.sms.FileBackend`` appends one JSON line per message to ``SMS_FILE_PATH``;
- ``core.sms.LocmemBackend`` keeps them in the module-level ``outbox`` list (tests);
- ``core.sms.AliyunBackend`` sends through Alibaba Cloud SMS (dysmsapi 2017-05-25, its
  published SDK), with the sign name and the template code of each template from the
  environment.

Templates are named here, not in the provider: ``login_code`` takes ``code`` and
``notice`` takes ``title``. A send that fails raises ``SmsError``; its ``retryable`` says
whether sending the same message later may succeed (throttled, provider down, too slow)
or never will (an invalid number, template or sign name, bad credentials).
"""

from __future__ import annotations

import json
import re
import sys
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core.validators import MOBILE_RE

# Each template's parameters, exactly: a message must give all of them and no other.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "login_code": ("code",),
    "notice": ("title",),
}

# Alibaba Cloud SMS allows at most 35 characters in one variable of a notice template.
MAX_PARAM_LENGTH = 35


class SmsError(Exception):
    """A message that was not sent. ``retryable``: the same send may succeed later."""

    def __init__(self, message: str, *, retryable: bool, code: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    template: str
    params: dict[str, str]
    out_id: str = ""
    sent_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def normalise_phone(phone: str) -> str:
    """The 11-digit mainland mobile number in ``phone`` (``+86``/``86`` prefix, spaces and
    dashes dropped), or ``SmsError`` (not retryable) when it is not one."""
    digits = re.sub(r"[\s-]", "", phone or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not re.fullmatch(MOBILE_RE, digits):
        raise SmsError("not a mainland mobile number", retryable=False, code="invalid_number")
    return digits


def check_message(template: str, params: dict[str, str]) -> dict[str, str]:
    if template not in TEMPLATES:
        raise SmsError(f"unknown SMS template {template!r}", retryable=False, code="unknown_template")
    expected = set(TEMPLATES[template])
    if set(params) != expected:
        raise SmsError(
            f"template {template!r} takes {sorted(expected)}, got {sorted(params)}",
            retryable=False,
            code="invalid_params",
        )
    values = {name: str(value) for name, value in params.items()}
    for name, value in values.items():
        if not value.strip():
            raise SmsError(f"parameter {name!r} is empty", retryable=False, code="invalid_params")
        if len(value) > MAX_PARAM_LENGTH:
            values[name] = value[: MAX_PARAM_LENGTH - 1] + "…"
    return values


class BaseBackend:
    def send(self, message: SmsMessage) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes each message as one line to standard output: for a developer's machine."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: SmsMessage) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        params = json.dumps(message.params, ensure_ascii=False)
        self.stream.write(f"SMS {message_id} to {message.phone} [{message.template}] {params}\n")
        self.stream.flush()
        return message_id


_file_lock = threading.Lock()


class FileBackend(BaseBackend):
    """Appends one JSON object per line to ``SMS_FILE_PATH`` (local use and browser tests)."""

    def __init__(self, path: str | Path | None = None) -> None:
        path = path or getattr(settings, "SMS_FILE_PATH", "")
        if not path:
            raise ImproperlyConfigured("SMS_BACKEND core.sms.FileBackend needs SMS_FILE_PATH")
        self.path = Path(path)

    def send(self, message: SmsMessage) -> str:
        message_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps({"id": message_id, **asdict(message)}, ensure_ascii=False)
        with _file_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
        return message_id


# Messages "sent" by LocmemBackend, oldest first. Tests read and clear it.
outbox: list[SmsMessage] = []


class LocmemBackend(BaseBackend):
    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return f"locmem-{len(outbox)}"


# Alibaba Cloud's answer codes (Code in SendSms' JSON) that may pass if the same message is
# sent later: throttling and flow control, the provider's own faults, an empty balance.
ALIYUN_RETRYABLE_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.DAY_LIMIT_CONTROL",
    "isv.OUT_OF_SERVICE",
    "isv.AMOUNT_NOT_ENOUGH",
    "isp.SYSTEM_ERROR",
    "isp.GATEWAY_ERROR",
    "SignatureNonceUsed",
    "ServiceUnavailable",
    "InternalError",
}


def aliyun_code_is_retryable(code: str) -> bool:
    return code in ALIYUN_RETRYABLE_CODES or code.startswith("Throttling")


class AliyunBackend(BaseBackend):
    """Alibaba Cloud SMS through ``alibabacloud_dysmsapi20170525``.

    Settings: ``ALIYUN_SMS_ACCESS_KEY_ID``, ``ALIYUN_SMS_ACCESS_KEY_SECRET``,
    ``ALIYUN_SMS_SIGN_NAME``, ``ALIYUN_SMS_ENDPOINT`` (a host, or a URL with its scheme:
    ``http://127.0.0.1:8089`` in tests), ``ALIYUN_SMS_TEMPLATE_CODES`` (template name to the
    provider's template code) and ``ALIYUN_SMS_TIMEOUT_SECONDS``. The SDK's own retries
    are off: the caller (a Celery task) decides, from ``SmsError.retryable``.
    """

    def __init__(self) -> None:
        self.access_key_id = settings.ALIYUN_SMS_ACCESS_KEY_ID
        self.access_key_secret = settings.ALIYUN_SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.ALIYUN_SMS_SIGN_NAME
        self.template_codes = dict(settings.ALIYUN_SMS_TEMPLATE_CODES)
        self.timeout_ms = int(float(settings.ALIYUN_SMS_TIMEOUT_SECONDS) * 1000)
        missing = [
            name
            for name, value in (
                ("ALIYUN_SMS_ACCESS_KEY_ID", self.access_key_id),
                ("ALIYUN_SMS_ACCESS_KEY_SECRET", self.access_key_secret),
                ("ALIYUN_SMS_SIGN_NAME", self.sign_name),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(f"SMS_BACKEND core.sms.AliyunBackend needs {', '.join(missing)}")
        endpoint = settings.ALIYUN_SMS_ENDPOINT
        if "://" in endpoint:
            parts = urlsplit(endpoint)
            self.protocol, self.endpoint = parts.scheme.lower(), parts.netloc
        else:
            self.protocol, self.endpoint = "https", endpoint
        if self.protocol not in {"http", "https"} or not self.endpoint:
            raise ImproperlyConfigured(f"ALIYUN_SMS_ENDPOINT must be a host or an http(s) URL, got {endpoint!r}")

    def client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import utils_models

        config = utils_models.Config(
            access_key_id=self.access_key_id,
            access_key_secret=self.access_key_secret,
            endpoint=self.endpoint,
            protocol=self.protocol,
            connect_timeout=self.timeout_ms,
            read_timeout=self.timeout_ms,
        )
        return Client(config)

    def send(self, message: SmsMessage) -> str:
        from alibabacloud_dysmsapi20170525 import models
        from darabonba.exceptions import ResponseException
        from darabonba.runtime import RuntimeOptions

        template_code = self.template_codes.get(message.template)
        if not template_code:
            raise SmsError(
                f"no Alibaba Cloud template code for {message.template!r} (ALIYUN_SMS_TEMPLATE_CODES)",
                retryable=False,
                code="unknown_template",
            )
        request = models.SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=self.sign_name,
            template_code=template_code,
            template_param=json.dumps(message.params, ensure_ascii=False),
            out_id=message.out_id or None,
        )
        runtime = RuntimeOptions(
            autoretry=False, max_attempts=1, connect_timeout=self.timeout_ms, read_timeout=self.timeout_ms
        )
        try:
            response = self.client().send_sms_with_options(request, runtime)
        except ResponseException as exc:
            # The gateway answered 4xx/5xx: throttled or failing (retry), or refused (do not).
            code = str(getattr(exc, "code", "") or "")
            status = getattr(exc, "status_code", None) or 0
            retryable = status >= 500 or status == 429 or aliyun_code_is_retryable(code)
            raise SmsError(f"Alibaba Cloud SMS answered {status} {code}", retryable=retryable, code=code) from exc
        except Exception as exc:
            # No answer: connection refused, timed out, or a body that is not JSON.
            raise SmsError(f"Alibaba Cloud SMS did not answer: {type(exc).__name__}", retryable=True) from exc
        body = response.body
        code = (body.code or "") if body is not None else ""
        if code != "OK":
            text = (body.message or "") if body is not None else ""
            raise SmsError(
                f"Alibaba Cloud SMS refused the message: {code} {text}".strip(),
                retryable=aliyun_code_is_retryable(code),
                code=code,
            )
        return body.biz_id or ""


def get_backend(path: str | None = None) -> BaseBackend:
    return import_string(path or settings.SMS_BACKEND)()


def send_sms(phone: str, template: str, params: dict[str, str], out_id: str = "") -> str:
    """Send one text message; return the provider's message id. ``SmsError`` when not sent."""
    message = SmsMessage(
        phone=normalise_phone(phone), template=template, params=check_message(template, params), out_id=out_id
    )
    return get_backend().send(message)
