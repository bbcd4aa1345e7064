"""What every journey of ../shared/journeys.md needs: a browser context on the role's own
viewport in zh-hans, and a screenshot of every step, kept under test-artifacts/journeys/
when the journey fails (or always, with KEEP_JOURNEY_SCREENSHOTS=1).

Each step also checks what a user would trip on anywhere: the page is in Chinese, it is not
an error page, it does not scroll sideways, and it shows no raw ``None``.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from dataclasses import dataclass, field

import pytest
from PIL import Image

from tests.browser.conftest import ARTIFACTS, log_in, stay_on_server

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}

ERROR_TITLES = ("页面不存在", "无权访问", "服务器出错", "Server Error", "Page not found", "Traceback")
RAW_NONE = re.compile(r"(?<![A-Za-z])None(?![A-Za-z])")


def small_png(size: tuple[int, int] = (120, 90)) -> bytes:
    """A photo as a phone might send it, made here rather than read from disk."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Walk:
    """One user in one browser context; ``step`` records where the journey got to."""

    page: object
    folder: object
    role: str
    width: int
    steps: list[str] = field(default_factory=list)

    def step(self, name: str, *, error_page: bool = False) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        self.steps.append(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.folder / f"{self.role}-{len(self.steps):02d}-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.lang") == "zh-hans", f"{name}: {page.url} is not in Chinese"
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= self.width, f"{name}: {page.url} scrolls sideways ({scroll}px > {self.width}px)"
        title = page.title()
        if not error_page:
            assert not any(word in title for word in ERROR_TITLES), f"{name}: {page.url} is an error page: {title}"
        main = page.locator("main").inner_text()
        assert not RAW_NONE.search(main), f"{name}: {page.url} shows a raw None"

    def click(self, selector: str) -> None:
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state("networkidle")

    def open_to_do(self, key: str) -> str:
        """Opens the 工作台's 待办 figure ``key`` (its list) and returns the number it showed."""
        figure = self.page.locator(f"#to-do .figure[data-key={key}]")
        value = figure.locator(".figure-value").inner_text()
        figure.locator("a").click()
        self.page.wait_for_load_state("networkidle")
        return value

    def open_notice(self, text: str):
        """Opens the notices from the bell and returns the unread notice's title (its button)
        whose text holds ``text``, after a step's screenshot of the list."""
        self.click("a.bell")
        self.step("notices")
        return self.page.locator(".notice-list li.unread .notice-title button", has_text=text)

    def menu(self, label: str) -> None:
        """Opens a section from the main menu, folded behind 菜单 on a phone."""
        toggle = self.page.locator("label.nav-toggle-label")
        if toggle.is_visible():
            toggle.click()
        self.click(f"nav.mainnav >> text={label}")


@pytest.fixture
def journey(browser, live_server, request):
    """``journey(role, username, device)`` logs the user in on the device and returns a Walk
    on the start page. Screenshots are removed when the test passes."""
    folder = ARTIFACTS / "journeys" / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    failed_before = request.session.testsfailed
    contexts = []
    refused: list[list[str]] = []  # one list per context, filled as its pages load

    def start(role: str, username: str, device: dict) -> Walk:
        context = browser.new_context(**device, locale="zh-CN", accept_downloads=True)
        refused.append(stay_on_server(context, live_server))
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_server, username)
        return Walk(page=page, folder=folder, role=role, width=device["viewport"]["width"])

    yield start
    for context in contexts:
        context.close()
    passed = request.session.testsfailed == failed_before
    if passed and not os.environ.get("KEEP_JOURNEY_SCREENSHOTS"):
        shutil.rmtree(folder, ignore_errors=True)
    outside = [url for urls in refused for url in urls]
    assert outside == [], f"requests left the server: {outside}"
