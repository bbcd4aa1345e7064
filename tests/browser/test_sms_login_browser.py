"""A leader on a phone signs in with a one-time SMS code (the in-memory SMS backend's
outbox plays the phone)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from core import sms
from tests.browser.conftest import ARTIFACTS, stay_on_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_signs_in_on_a_phone_with_an_sms_code(browser, live_server, world):
    sms.outbox.clear()
    cache.clear()
    person = world.lily.person
    person.mobile = "13700001111"
    person.save(update_fields=["mobile"])
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    outside = stay_on_server(context, live_server)
    page = context.new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=短信验证码登录")
    page.wait_for_url(re.compile(r"/accounts/login/code/"))
    page.fill("input[name=phone]", "13700001111")
    page.click("button[name=action][value=send]")
    page.wait_for_load_state("networkidle")

    assert "如果该号码已登记，验证码已发送" in page.locator(".messages").inner_text()
    send = page.locator("button[name=action][value=send]")
    assert send.is_disabled()
    assert "秒后可重新发送" in send.inner_text()
    [message] = sms.outbox
    assert message.phone == "13700001111"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sms-login.png"), full_page=True)

    page.fill("input[name=code]", message.params["code"])
    page.click("button[name=action][value=verify]")
    page.wait_for_url(re.compile(r"/projects/my-work/"))

    assert world.lily.person.name in page.locator(".who").inner_text()  # signed in as lily, shown by name
    context.close()
    assert outside == []
