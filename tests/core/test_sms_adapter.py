"""core.sms: what reaches Alibaba Cloud's SendSms API, and how its answers become results.

The provider is played by a small HTTP server on loopback (tests/fake_sms_provider.py).
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import sms
from tests.fake_sms_provider import FakeSmsProvider


@pytest.fixture
def provider():
    fake = FakeSmsProvider().start()
    yield fake
    fake.stop()


@pytest.fixture
def aliyun(settings, provider):
    settings.SMS_BACKEND = "core.sms.AliyunBackend"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "test-key-id"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "test-key-secret"
    settings.ALIYUN_SMS_SIGN_NAME = "鄞州党建"
    settings.ALIYUN_SMS_ENDPOINT = provider.url
    settings.ALIYUN_SMS_TEMPLATE_CODES = {"login_code": "SMS_100001", "notice": "SMS_100002"}
    settings.ALIYUN_SMS_TIMEOUT_SECONDS = 5
    return provider


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_a_login_code_reaches_the_provider_with_number_sign_template_and_params(aliyun):
    message_id = sms.send_sms("13812345678", "login_code", {"code": "123456"}, out_id="notice-42")

    assert message_id == "000001^0"
    [request] = aliyun.requests
    [headers] = aliyun.headers
    assert headers["x-acs-action"] == "SendSms"
    assert headers["x-acs-version"] == "2017-05-25"
    assert headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=test-key-id,")
    assert request["PhoneNumbers"] == "13812345678"
    assert request["SignName"] == "鄞州党建"
    assert request["TemplateCode"] == "SMS_100001"
    assert json.loads(request["TemplateParam"]) == {"code": "123456"}
    assert request["OutId"] == "notice-42"


def test_a_notice_uses_its_own_template_code_and_keeps_chinese_titles(aliyun):
    sms.send_sms("+86 138-1234-5678", "notice", {"title": "周报被退回"})

    [request] = aliyun.requests
    assert request["PhoneNumbers"] == "13812345678"
    assert request["TemplateCode"] == "SMS_100002"
    assert json.loads(request["TemplateParam"]) == {"title": "周报被退回"}
    assert "OutId" not in request


def test_a_long_notice_title_is_cut_to_what_the_provider_accepts(aliyun):
    sms.send_sms("13812345678", "notice", {"title": "很" * 60})

    title = json.loads(aliyun.requests[0]["TemplateParam"])["title"]
    assert len(title) == sms.MAX_PARAM_LENGTH
    assert title.endswith("…")


@pytest.mark.parametrize("code", ["isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "isp.SYSTEM_ERROR"])
def test_throttling_and_provider_faults_are_retryable(aliyun, code):
    aliyun.answer_error(code)

    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "login_code", {"code": "123456"})

    assert caught.value.retryable is True
    assert caught.value.code == code


@pytest.mark.parametrize(
    "code",
    ["isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.INVALID_PARAMETERS"],
)
def test_an_invalid_number_template_or_sign_is_not_retryable(aliyun, code):
    aliyun.answer_error(code)

    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "login_code", {"code": "123456"})

    assert caught.value.retryable is False
    assert caught.value.code == code


def test_a_gateway_throttling_answer_with_status_400_is_retryable(aliyun):
    aliyun.answer_error("Throttling.User", status=400)

    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "login_code", {"code": "123456"})

    assert caught.value.retryable is True


def test_a_refused_signature_with_status_400_is_not_retryable(aliyun):
    aliyun.answer_error("SignatureDoesNotMatch", status=400)

    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "login_code", {"code": "123456"})

    assert caught.value.retryable is False


def test_a_server_error_500_is_retryable(aliyun):
    aliyun.answers.append(("json", 500, b"<html>Internal Server Error</html>"))

    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "login_code", {"code": "123456"})

    assert caught.value.retryable is True


def test_an_answer_slower_than_the_timeout_is_a_retryable_failure(aliyun, settings):
    settings.ALIYUN_SMS_TIMEOUT_SECONDS = 0.3
    aliyun.answer_slowly(3)

    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "login_code", {"code": "123456"})

    assert caught.value.retryable is True
    assert len(aliyun.requests) == 1, "the SDK must not retry on its own"


def test_a_provider_that_is_not_listening_is_a_retryable_failure(aliyun, settings):
    aliyun.stop()

    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "login_code", {"code": "123456"})

    assert caught.value.retryable is True


def test_a_template_without_a_provider_code_is_refused_before_sending(aliyun, settings):
    settings.ALIYUN_SMS_TEMPLATE_CODES = {"login_code": "SMS_100001", "notice": ""}

    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "notice", {"title": "新的督办事项"})

    assert caught.value.retryable is False
    assert aliyun.requests == []


def test_missing_credentials_stop_the_aliyun_backend_with_a_named_setting(aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = ""

    with pytest.raises(ImproperlyConfigured, match="ALIYUN_SMS_ACCESS_KEY_SECRET"):
        sms.send_sms("13812345678", "login_code", {"code": "123456"})


@pytest.mark.parametrize("phone", ["", "12345", "0574-87654321", "1381234567x", "23812345678"])
def test_a_number_that_is_not_a_mobile_is_refused_and_not_retryable(phone):
    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms(phone, "login_code", {"code": "123456"})

    assert caught.value.retryable is False
    assert sms.outbox == []


@pytest.mark.parametrize(
    ("template", "params"),
    [
        ("welcome", {"code": "1"}),
        ("login_code", {}),
        ("login_code", {"code": "1", "x": "2"}),
        ("notice", {"title": " "}),
    ],
)
def test_an_unknown_template_or_wrong_params_are_refused(template, params):
    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", template, params)

    assert caught.value.retryable is False
    assert sms.outbox == []


def test_the_locmem_backend_keeps_messages_in_the_outbox(settings):
    settings.SMS_BACKEND = "core.sms.LocmemBackend"

    message_id = sms.send_sms("13812345678", "login_code", {"code": "654321"}, out_id="x1")

    assert message_id
    [message] = sms.outbox
    assert (message.phone, message.template, message.params, message.out_id) == (
        "13812345678",
        "login_code",
        {"code": "654321"},
        "x1",
    )


def test_the_file_backend_appends_one_json_line_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "core.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms" / "sent.jsonl")

    first = sms.send_sms("13812345678", "login_code", {"code": "111111"})
    sms.send_sms("13912345678", "notice", {"title": "三会提醒"})

    lines = [json.loads(line) for line in (tmp_path / "sms" / "sent.jsonl").read_text().splitlines()]
    assert [line["phone"] for line in lines] == ["13812345678", "13912345678"]
    assert lines[0]["id"] == first
    assert lines[1]["params"] == {"title": "三会提醒"}


def test_the_file_backend_without_a_path_names_the_missing_setting(settings):
    settings.SMS_BACKEND = "core.sms.FileBackend"
    settings.SMS_FILE_PATH = ""

    with pytest.raises(ImproperlyConfigured, match="SMS_FILE_PATH"):
        sms.send_sms("13812345678", "login_code", {"code": "111111"})


def test_the_console_backend_writes_one_line_per_message():
    stream = io.StringIO()

    message_id = sms.ConsoleBackend(stream=stream).send(sms.SmsMessage("13812345678", "notice", {"title": "简报"}))

    assert message_id in stream.getvalue()
    assert "简报" in stream.getvalue()


def test_the_test_settings_default_to_the_locmem_backend():
    from django.conf import settings

    assert settings.SMS_BACKEND == "core.sms.LocmemBackend"
