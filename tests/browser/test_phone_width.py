"""On a phone (390×844) no page scrolls sideways: wide tables scroll inside their own box."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.weeks import local_today
from tests.browser.conftest import ARTIFACTS, log_in
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PAGES = {
    "alice": [
        "evaluations:dashboard",
        "alliances:list",
        "projects:list",
        "workshops:list",
        "members:organization-list",
        "alliances:meeting-list",
        "projects:review-queue",
        "evaluations:rollup-list",
        "tracking:list",
        "members:department-list",
    ],
    "lily": [
        "projects:my-work",
        "alliances:list",
        "projects:list",
        "alliances:meeting-list",
        "notices:list",
        "notices:settings",
        "tracking:list",
    ],
}
CASES = [(user, name) for user, names in PAGES.items() for name in names]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize(("username", "name"), CASES, ids=[f"{u}|{n}" for u, n in CASES])
def test_a_page_does_not_scroll_sideways_on_a_phone(phone, live_server, world, username, name):
    # A city's figures run to hundreds of millions of yuan, side by side on the dashboard.
    project = ProjectFactory(
        alliance=world.alliance_a,
        category="service",
        title="走马塘村文化礼堂提升改造工程二期",
        planned_investment=Decimal("520560000.00"),
        year=local_today().year,
    )
    ReportFactory(project=project, investment_to_date=Decimal("233128500.00"))
    log_in(phone, live_server, username)
    phone.goto(live_server.url + reverse(name))
    phone.wait_for_load_state("networkidle")
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / f"phone-{username}-{name.replace(':', '-')}.png"), full_page=True)
    assert width <= PHONE["width"], f"{name} as {username} is {width}px wide"


# Pages of one object: dates written out in Chinese (2026年12月6日 14:05), the region picker
# of a form with the chosen region's name beside it, and a form's photo tools.
OBJECT_PAGES = ["projects:detail", "alliances:edit", "alliances:meeting-photo-add"]


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_a_page_of_one_object_does_not_scroll_sideways_on_a_phone(phone, live_server, world, name):
    from tests.alliances.factories import MeetingFactory
    from tests.projects.factories import MilestoneFactory

    project = ProjectFactory(alliance=world.alliance_a, title="走马塘村文化礼堂提升改造工程二期")
    MilestoneFactory(project=project, title="主体结构完工验收", done_on=local_today())
    ReportFactory(project=project, submitted_by=world.alice)
    meeting = MeetingFactory(alliance=world.alliance_a)
    pk = {"projects:detail": project.pk, "alliances:edit": world.alliance_a.pk}.get(name, meeting.pk)
    log_in(phone, live_server, "alice")
    phone.goto(live_server.url + reverse(name, args=[pk]))
    phone.wait_for_load_state("networkidle")
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / f"phone-alice-{name.replace(':', '-')}.png"), full_page=True)
    assert width <= PHONE["width"], f"{name} is {width}px wide"
