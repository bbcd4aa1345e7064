"""Signing in with an SMS code and resetting a forgotten password by SMS (members.otp).

Codes: 6 digits, 5 minutes, 5 tries, hashed at rest, one live code per number, sending
rate-limited per number and per address; no answer tells whether a number has an account;
wrong codes go through django-axes' lock-out like wrong passwords.
"""

from __future__ import annotations

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse

from core import sms
from members import otp
from members.models import PhoneCode
from tests.members.factories import PersonFactory

pytestmark = pytest.mark.django_db

LILY_MOBILE = "13700001111"
UNKNOWN_MOBILE = "13600009999"
LOGIN = "login-code"
RESET = "password-reset"


@pytest.fixture(autouse=True)
def _clean_slate():
    sms.outbox.clear()
    cache.clear()
    yield
    sms.outbox.clear()
    cache.clear()


@pytest.fixture
def lily(world):
    person = world.lily.person
    person.mobile = LILY_MOBILE
    person.save(update_fields=["mobile"])
    return world.lily


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Press 发送验证码 for ``phone`` on the page ``url_name``; the SMS task runs on commit."""

    def press(phone, url_name=LOGIN, address="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse(url_name), {"phone": phone, "action": "send"}, REMOTE_ADDR=address)

    return press


def verify(client, phone, code, url_name=LOGIN, address="10.0.0.1"):
    return client.post(reverse(url_name), {"phone": phone, "code": code, "action": "verify"}, REMOTE_ADDR=address)


def last_code() -> str:
    message = sms.outbox[-1]
    assert message.template == "login_code"
    return message.params["code"]


def allow_resend(phone):
    """As if the minute between two codes for ``phone`` had passed."""
    cache.delete(f"otp:resend:{phone}")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# ----------------------------------------------------------------- the page


def test_the_code_login_page_is_chinese_with_its_tab_and_send_button(client):
    response = client.get(reverse(LOGIN))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "短信验证码登录" in html
    assert "发送验证码" in html
    assert 'autocomplete="one-time-code"' in html
    assert reverse("login") in html and reverse(RESET) in html


def test_the_code_login_page_is_english_with_the_language_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse(LOGIN)).content.decode()

    assert 'lang="en"' in html
    assert "Sign in with an SMS code" in html and "Send code" in html
    assert 'data-label-wait="Resend in %(seconds)s s"' in html
    assert "验证码" not in html


def test_the_password_login_page_links_to_the_code_login_and_the_password_reset(client):
    html = client.get(reverse("login")).content.decode()

    assert reverse(LOGIN) in html
    assert "忘记密码？" in html


# ----------------------------------------------------------------- sign in


def test_a_leader_signs_in_with_the_code_sent_to_their_mobile(client, lily, send):
    response = send(LILY_MOBILE)

    assert response.status_code == 302
    [message] = sms.outbox
    assert message.phone == LILY_MOBILE
    assert re.fullmatch(r"[0-9]{6}", message.params["code"])
    page = client.get(response.url)
    assert "如果该号码已登记，验证码已发送" in page.content.decode()
    assert 'data-resend-wait="60"' in page.content.decode()

    signed_in = verify(client, LILY_MOBILE, message.params["code"])

    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == lily.pk
    assert client.session["_auth_user_backend"] == "members.backends.PhoneCodeBackend"


def test_a_number_typed_with_country_code_and_spaces_is_the_same_number(client, lily, send):
    send("+86 137 0000 1111")

    assert verify(client, "137-0000-1111", last_code()).status_code == 302


def test_a_code_works_once(client, lily, send):
    send(LILY_MOBILE)
    code = last_code()
    verify(client, LILY_MOBILE, code)
    client.logout()

    response = verify(client, LILY_MOBILE, code)

    assert response.status_code == 200
    assert "验证码错误或已过期" in response.content.decode()


def test_the_code_is_stored_only_as_a_keyed_hash(client, lily, send):
    send(LILY_MOBILE)
    code = last_code()

    row = PhoneCode.objects.get(phone=LILY_MOBILE)
    assert re.fullmatch(r"[0-9a-f]{64}", row.code_hash)
    assert code not in row.code_hash
    assert row.code_hash != otp.code_digest(LILY_MOBILE, "login", wrong(code))


def test_a_code_lives_five_minutes(client, lily, send):
    send(LILY_MOBILE)
    row = PhoneCode.objects.get(phone=LILY_MOBILE)
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=5)
    PhoneCode.objects.filter(pk=row.pk).update(
        created_at=row.created_at - datetime.timedelta(minutes=5, seconds=1),
        expires_at=row.expires_at - datetime.timedelta(minutes=5, seconds=1),
    )

    response = verify(client, LILY_MOBILE, last_code())

    assert "验证码错误或已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_wrong_tries_still_leave_the_right_code_usable(client, lily, send):
    send(LILY_MOBILE)
    code = last_code()
    for _ in range(4):
        assert verify(client, LILY_MOBILE, wrong(code)).status_code == 200

    assert verify(client, LILY_MOBILE, code).status_code == 302


def test_after_five_wrong_tries_the_code_is_gone(client, lily, send):
    send(LILY_MOBILE)
    code = last_code()
    for _ in range(5):
        verify(client, LILY_MOBILE, wrong(code))

    assert not PhoneCode.objects.filter(phone=LILY_MOBILE).exists()
    assert verify(client, LILY_MOBILE, code).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_new_code_replaces_the_old_one(client, lily, send):
    send(LILY_MOBILE)
    first = last_code()
    allow_resend(LILY_MOBILE)
    send(LILY_MOBILE)
    second = last_code()

    assert PhoneCode.objects.filter(phone=LILY_MOBILE).count() == 1
    if first != second:
        assert verify(client, LILY_MOBILE, first).status_code == 200
    assert verify(client, LILY_MOBILE, second).status_code == 302


def test_a_login_code_does_not_reset_a_password(client, lily, send):
    send(LILY_MOBILE, LOGIN)

    response = verify(client, LILY_MOBILE, last_code(), RESET)

    assert response.status_code == 200
    assert "验证码错误或已过期" in response.content.decode()


def test_a_password_reset_code_does_not_sign_in(client, lily, send):
    send(LILY_MOBILE, RESET)

    response = verify(client, LILY_MOBILE, last_code(), LOGIN)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize("phone", ["", "1370000111", "23700001111", "0574-87654321", "一三七"])
def test_a_malformed_number_is_refused_with_a_message_and_nothing_sent(client, send, phone):
    response = send(phone)

    assert response.status_code == 200
    expected = "请输入手机号码。" if not phone else "请输入11位手机号码，例如 13812345678。"
    assert expected in response.content.decode()
    assert sms.outbox == []


def test_signing_in_without_a_code_asks_for_it(client, lily):
    response = verify(client, LILY_MOBILE, "")

    assert "请输入短信验证码。" in response.content.decode()


@pytest.mark.parametrize("code", ["12345", "abcdef", "12 345"])
def test_a_code_that_is_not_six_digits_is_refused_with_a_message(client, lily, code):
    response = verify(client, LILY_MOBILE, code)

    assert "验证码是6位数字。" in response.content.decode()


def test_an_sms_provider_that_fails_leaves_the_same_answer_and_no_error_page(client, lily, send, settings):
    settings.SMS_BACKEND = "core.sms.AliyunBackend"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "id"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "secret"
    settings.ALIYUN_SMS_SIGN_NAME = "鄞州党建"
    settings.ALIYUN_SMS_ENDPOINT = "http://127.0.0.1:9"  # nothing listens there
    settings.ALIYUN_SMS_TIMEOUT_SECONDS = 1

    response = send(LILY_MOBILE)

    assert response.status_code == 302
    assert "如果该号码已登记，验证码已发送" in client.get(response.url).content.decode()


# ----------------------------------------------------------------- no enumeration


def page_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace(LILY_MOBILE, "N").replace(UNKNOWN_MOBILE, "N")


def test_an_unknown_number_gets_the_same_answer_and_no_sms(world, lily, send, client):
    known = send(LILY_MOBILE, address="10.0.0.1")
    known_page = client.get(known.url)
    client.logout()
    client.cookies.clear()
    unknown = send(UNKNOWN_MOBILE, address="10.0.0.2")
    unknown_page = client.get(unknown.url)

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert known_page.status_code == unknown_page.status_code == 200
    assert page_text(known_page) == page_text(unknown_page)
    assert [message.phone for message in sms.outbox] == [LILY_MOBILE]
    assert not PhoneCode.objects.filter(phone=UNKNOWN_MOBILE).exists()


def two_visitors(django_capture_on_commit_callbacks):
    """Two browsers of their own (no messages or session shared): one per number."""
    from django.test import Client

    def sender(client):
        def press(phone, address):
            with django_capture_on_commit_callbacks(execute=True):
                return client.post(reverse(LOGIN), {"phone": phone, "action": "send"}, REMOTE_ADDR=address)

        return press

    first, second = Client(), Client()
    return (first, sender(first)), (second, sender(second))


def test_a_wrong_code_reads_the_same_for_known_and_unknown_numbers(lily, django_capture_on_commit_callbacks):
    (known_client, known_send), (unknown_client, unknown_send) = two_visitors(django_capture_on_commit_callbacks)
    known_client.get(known_send(LILY_MOBILE, "10.0.0.1").url)
    unknown_client.get(unknown_send(UNKNOWN_MOBILE, "10.0.0.2").url)

    known = verify(known_client, LILY_MOBILE, wrong(last_code()))
    unknown = verify(unknown_client, UNKNOWN_MOBILE, "123456", address="10.0.0.2")

    assert known.status_code == unknown.status_code == 200
    assert "验证码错误或已过期" in known.content.decode()
    assert page_text(known) == page_text(unknown)


def test_the_throttle_answers_known_and_unknown_numbers_alike(lily, django_capture_on_commit_callbacks):
    (known_client, known_send), (unknown_client, unknown_send) = two_visitors(django_capture_on_commit_callbacks)
    known_client.get(known_send(LILY_MOBILE, "10.0.0.1").url)
    unknown_client.get(unknown_send(UNKNOWN_MOBILE, "10.0.0.2").url)

    known = known_send(LILY_MOBILE, "10.0.0.1")
    unknown = unknown_send(UNKNOWN_MOBILE, "10.0.0.2")

    assert known.status_code == unknown.status_code == 429
    assert page_text(known) == page_text(unknown)


def test_a_disabled_users_number_gets_no_sms(client, lily, send):
    lily.is_active = False
    lily.save(update_fields=["is_active"])

    response = send(LILY_MOBILE)

    assert response.status_code == 302
    assert sms.outbox == []


def test_a_number_shared_by_two_accounts_signs_in_neither(client, lily, send, world):
    PersonFactory(mobile=LILY_MOBILE, user=world.alice, organization=world.org_a)

    send(LILY_MOBILE)

    assert sms.outbox == []


# ----------------------------------------------------------------- rate limits


def test_a_second_code_within_the_minute_is_refused_with_the_seconds_to_wait(client, lily, send):
    send(LILY_MOBILE)

    response = send(LILY_MOBILE)

    assert response.status_code == 429
    assert re.search(r"发送过于频繁，请 \d+ 秒后再试。", response.content.decode())
    assert len(sms.outbox) == 1


def test_a_number_gets_at_most_the_hourly_number_of_codes(client, lily, send, settings):
    settings.SMS_CODE_NUMBER_HOURLY = 3
    for index in range(3):
        allow_resend(LILY_MOBILE)
        assert send(LILY_MOBILE, address=f"10.0.1.{index}").status_code == 302
    allow_resend(LILY_MOBILE)

    response = send(LILY_MOBILE, address="10.0.1.9")

    assert response.status_code == 429
    assert len(sms.outbox) == 3


def test_an_address_gets_at_most_the_hourly_number_of_codes(client, world, send, settings):
    settings.SMS_CODE_ADDRESS_HOURLY = 3
    people = [PersonFactory(mobile=f"1390000000{index}", organization=world.org_a) for index in range(4)]
    for person in people[:3]:
        assert send(person.mobile, address="10.9.9.9").status_code == 302

    assert send(people[3].mobile, address="10.9.9.9").status_code == 429
    assert send(people[3].mobile, address="10.9.9.10").status_code == 302


# ----------------------------------------------------------------- lock-out (django-axes)


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    return settings


def test_wrong_codes_lock_the_number_at_that_address_like_wrong_passwords(client, lily, send, lockout):
    send(LILY_MOBILE)
    code = last_code()

    statuses = [verify(client, LILY_MOBILE, wrong(code)).status_code for _ in range(6)]

    assert statuses == [200, 200, 200, 200, 429, 429]
    allow_resend(LILY_MOBILE)
    otp.request_code(phone=LILY_MOBILE, purpose="login", address="10.0.0.1")
    fresh = PhoneCode.objects.get(phone=LILY_MOBILE)
    assert fresh.attempts == 0
    response = verify(client, LILY_MOBILE, "000000")
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_number_is_sent_no_more_codes(client, lily, send, lockout):
    send(LILY_MOBILE)
    for _ in range(5):
        verify(client, LILY_MOBILE, wrong(last_code()))
    allow_resend(LILY_MOBILE)

    response = send(LILY_MOBILE)

    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert len(sms.outbox) == 1


def test_the_lock_is_per_address_and_the_right_code_signs_in_from_elsewhere(client, lily, send, lockout):
    send(LILY_MOBILE, address="10.0.0.1")
    for _ in range(5):
        verify(client, LILY_MOBILE, "000000", address="10.0.0.1")
    allow_resend(LILY_MOBILE)
    send(LILY_MOBILE, address="10.0.0.2")

    response = verify(client, LILY_MOBILE, last_code(), address="10.0.0.2")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == lily.pk


def test_a_right_code_forgives_the_earlier_wrong_ones(client, lily, send, lockout):
    send(LILY_MOBILE)
    for _ in range(4):
        verify(client, LILY_MOBILE, wrong(last_code()))
    assert verify(client, LILY_MOBILE, last_code()).status_code == 302
    client.logout()
    allow_resend(LILY_MOBILE)
    send(LILY_MOBILE)

    statuses = [verify(client, LILY_MOBILE, wrong(last_code())).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 200]


def test_an_unknown_number_locks_exactly_like_a_known_one(client, lily, send, lockout):
    send(UNKNOWN_MOBILE)

    statuses = [verify(client, UNKNOWN_MOBILE, "000000").status_code for _ in range(6)]

    assert statuses == [200, 200, 200, 200, 429, 429]


def test_codes_never_reach_the_lockout_records(client, lily, send, lockout):
    send(LILY_MOBILE)
    verify(client, LILY_MOBILE, "424242")

    attempt = AccessAttempt.objects.get(username=LILY_MOBILE)
    assert "424242" not in attempt.post_data


# ----------------------------------------------------------------- forgotten password

NEW_PASSWORD = "huanxin-mima-2027"


def reach_new_password_page(client, send):
    send(LILY_MOBILE, RESET)
    response = verify(client, LILY_MOBILE, last_code(), RESET)
    assert response.status_code == 302
    assert response.url == reverse("password-reset-new")
    return response


def test_a_forgotten_password_is_reset_with_a_code_and_the_new_one_signs_in(client, lily, send):
    reach_new_password_page(client, send)
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("password-reset-new"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("login")
    lily.refresh_from_db()
    assert lily.check_password(NEW_PASSWORD)
    assert client.login(username="lily", password=NEW_PASSWORD)


def test_a_weak_new_password_is_refused_by_the_password_validators(client, lily, send):
    reach_new_password_page(client, send)

    response = client.post(reverse("password-reset-new"), {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert "密码长度太短" in response.content.decode() or "这个密码太常见了" in response.content.decode()
    lily.refresh_from_db()
    assert not lily.check_password("12345678")


def test_the_new_password_page_without_a_code_sends_back_to_the_number(client, lily):
    response = client.post(
        reverse("password-reset-new"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse(RESET)
    lily.refresh_from_db()
    assert not lily.check_password(NEW_PASSWORD)


def test_the_new_password_page_closes_ten_minutes_after_the_code(client, lily, send):
    reach_new_password_page(client, send)
    session = client.session
    session["password_reset_by_code"]["at"] -= 601
    session.save()

    response = client.get(reverse("password-reset-new"))

    assert response.status_code == 302
    assert response.url == reverse(RESET)


def test_an_unknown_number_on_the_reset_page_gets_the_same_answer(client, lily, send):
    known = send(LILY_MOBILE, RESET)
    unknown = send(UNKNOWN_MOBILE, RESET, address="10.0.0.2")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [message.phone for message in sms.outbox] == [LILY_MOBILE]
