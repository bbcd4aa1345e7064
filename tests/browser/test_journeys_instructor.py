"""Journey 4: a township instructor (township staff of 姜山镇) follows the alliances,
reports and meetings of the township, in Chinese, on a phone."""

from __future__ import annotations

import pytest

from tests.alliances.factories import MeetingFactory
from tests.browser.journeys import PHONE
from tests.projects.factories import ProjectFactory, ReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_township_instructor_follows_the_township_alliance_its_reports_and_meetings(journey, world):
    ginger = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    ProjectFactory(alliance=world.alliance_a2, title="云龙茶园改造")
    ReportFactory(project=ginger, percent_complete=35, work_done="完成大棚钢架搭建")
    MeetingFactory(alliance=world.alliance_a, topics="研究大棚用工")
    MeetingFactory(alliance=world.alliance_a2, topics="云龙茶园议题")

    instructor = journey("instructor", "tina", PHONE)
    page = instructor.page
    instructor.step("landing")

    instructor.menu("党建联盟")
    instructor.step("alliances")
    listed = page.locator("table.list tbody").inner_text()
    assert "姜山共富联盟" in listed
    assert "云龙产业联盟" not in listed and "岱山海岛联盟" not in listed  # another township, another county

    instructor.click("table.list >> text=姜山共富联盟")
    instructor.step("alliance")
    assert "走马塘村党委" in page.locator("#members").inner_text()

    instructor.menu("项目清单")
    instructor.step("projects")
    projects = page.locator("table.list tbody").inner_text()
    assert "红芽姜大棚" in projects and "云龙茶园改造" not in projects
    instructor.click("table.list >> text=红芽姜大棚")
    instructor.step("project")
    assert "完成大棚钢架搭建" in page.locator("main").inner_text()  # the leader's report, followed

    instructor.menu("联盟运行")
    instructor.step("meetings")
    meetings = page.locator("table.list tbody").inner_text()
    assert "研究大棚用工" in meetings and "云龙茶园议题" not in meetings
