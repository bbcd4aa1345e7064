"""Journey 7: a read-only viewer of county A walks the lists and records, in Chinese, at a
desk, and meets no write button or form anywhere; a write address answers 403 or 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.alliances.factories import MeetingFactory
from tests.browser.journeys import LAPTOP
from tests.projects.factories import ProjectFactory, ReportFactory
from tests.workshops.factories import Shops

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRITE_ADDRESS = re.compile(r"/(new|edit|add|assign|end|report|fix|claim|start|resolve|withdraw|publish|remove)/")


def offers_no_write(walk) -> None:
    page = walk.page
    posts = page.locator("main form").evaluate_all(
        "forms => forms.filter(f => f.method.toLowerCase() === 'post').length"
    )
    assert posts == 0, f"{page.url} offers a form that writes"
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => new URL(a.href).pathname)")
    writes = [href for href in hrefs if WRITE_ADDRESS.search(href)]
    assert writes == [], f"{page.url} links to write pages: {writes}"


def test_a_viewer_reads_every_list_and_record_and_meets_no_write_action(journey, world, live_server):
    ginger = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    ReportFactory(project=ginger, percent_complete=35, work_done="完成大棚钢架搭建")
    meeting = MeetingFactory(alliance=world.alliance_a, topics="研究供水管网")
    shops = Shops(world)

    viewer = journey("viewer", "vera", LAPTOP)
    page = viewer.page
    viewer.step("landing")
    offers_no_write(viewer)

    viewer.menu("党建联盟")
    viewer.step("alliances")
    assert "姜山共富联盟" in page.locator("table.list tbody").inner_text()
    offers_no_write(viewer)
    viewer.click("table.list >> text=姜山共富联盟")
    viewer.step("alliance")
    offers_no_write(viewer)

    viewer.menu("项目清单")
    viewer.step("projects")
    offers_no_write(viewer)
    viewer.click("table.list >> text=红芽姜大棚")
    viewer.step("project")
    assert "完成大棚钢架搭建" in page.locator("main").inner_text()
    offers_no_write(viewer)

    viewer.menu("联盟运行")
    viewer.step("meetings")
    offers_no_write(viewer)
    viewer.click("table.list tbody a")
    viewer.step("meeting")
    assert "研究供水管网" in page.locator("main").inner_text()
    offers_no_write(viewer)

    viewer.menu("共富工坊")
    viewer.step("workshops")
    offers_no_write(viewer)
    viewer.click("table.list >> text=走马塘来料加工共富工坊")
    viewer.step("workshop")
    offers_no_write(viewer)

    viewer.menu("调度通报")
    viewer.step("rollups")
    offers_no_write(viewer)

    # A bookmarked write address answers 403 (or 404) and changes nothing.
    for name, args in [
        ("alliances:edit", [world.alliance_a.pk]),
        ("alliances:meeting-create", [world.alliance_a.pk]),
        ("alliances:meeting-edit", [meeting.pk]),
        ("projects:edit", [ginger.pk]),
        ("projects:report-submit", [ginger.pk]),
        ("workshops:report-create", [shops.a.pk]),
        ("evaluations:rollup-create", []),
    ]:
        response = page.goto(live_server.url + reverse(name, args=args))
        assert response.status in (403, 404), f"{name} answers {response.status} to a viewer"
    viewer.step("write-refused", error_page=True)
