"""The "3+X" norm: each item met or unmet, with its reason, on fixtures that meet and miss it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from alliances import norms
from alliances.models import TeamRole
from tests.alliances.factories import (
    AllianceFactory,
    MeetingFactory,
    PlatformFactory,
    ShareholdingFactory,
    TeamRoleFactory,
)
from tests.members.factories import PersonFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 4, 15)


def result(alliance, key):
    return next(item for item in norms.evaluate(alliance, today=TODAY) if item.key == key)


def full_team(alliance, advisors=2):
    for role in ["leader", "instructor"] + ["advisor"] * advisors:
        TeamRoleFactory(alliance=alliance, role=role)


def on_rhythm(alliance):
    for month in range(12):
        start = D(2024, 4, 1)
        day = D(start.year + (start.month - 1 + month) // 12, (start.month - 1 + month) % 12 + 1, 10)
        MeetingFactory(alliance=alliance, kind="monthly", held_on=day)
    for day in (D(2024, 6, 1), D(2024, 9, 1), D(2024, 12, 1), D(2025, 3, 1)):
        MeetingFactory(alliance=alliance, kind="quarterly", held_on=day)
    for day in (D(2023, 12, 20), D(2024, 12, 20)):
        MeetingFactory(alliance=alliance, kind="annual", held_on=day)


@pytest.fixture
def alliance():
    return AllianceFactory(founded_on=D(2021, 1, 1))


def test_the_items_come_in_the_order_of_the_norm(alliance):
    assert [r.key for r in norms.evaluate(alliance, today=TODAY)] == ["structure", "mechanism", "projects", "platforms"]
    assert [r.label for r in norms.evaluate(alliance, today=TODAY)] == ["组织架构", "运行机制", "项目清单", "实体平台"]


def test_structure_is_met_by_a_leader_an_instructor_and_an_advisor(alliance):
    full_team(alliance, advisors=2)
    item = result(alliance, "structure")
    assert item.met
    assert "顾问 2 名" in item.reason


@pytest.mark.parametrize(
    ("missing", "named"), [("leader", "联盟带头人"), ("instructor", "镇街指导员"), ("advisor", "顾问")]
)
def test_structure_is_unmet_without_any_one_of_the_team(alliance, missing, named):
    full_team(alliance, advisors=1)
    TeamRole.objects.filter(alliance=alliance, role=missing).update(ended_on=D(2025, 1, 1))
    item = result(alliance, "structure")
    assert not item.met
    assert item.reason == f"“1+1+N”工作团队不完整，缺少：{named}。"


def test_an_ended_leader_or_another_alliances_team_does_not_count(alliance):
    other = AllianceFactory()
    full_team(other)
    TeamRoleFactory(alliance=alliance, role="instructor")
    TeamRoleFactory(alliance=alliance, role="advisor")
    TeamRoleFactory(alliance=alliance, role="leader", ended_on=D(2024, 12, 31))
    assert "联盟带头人" in result(alliance, "structure").reason


def test_mechanism_is_met_when_every_meeting_was_held(alliance):
    on_rhythm(alliance)
    item = result(alliance, "mechanism")
    assert item.met
    assert item.reason == "“三会”按期召开（月度碰头会 12 次，季度专题会 4 次，年度述职会 2 次）。"


def test_mechanism_is_unmet_for_a_new_alliance_that_has_held_no_meeting():
    alliance = AllianceFactory(founded_on=D(2025, 4, 2))  # owes no meeting yet: nothing is missing
    item = result(alliance, "mechanism")
    assert not item.met
    assert item.reason == "尚未召开过“三会”：月度碰头会、季度专题会、年度述职会均无记录。"


def test_mechanism_is_met_by_a_new_alliance_that_held_this_months_meeting():
    alliance = AllianceFactory(founded_on=D(2025, 4, 2))
    MeetingFactory(alliance=alliance, kind="monthly", held_on=D(2025, 4, 10))
    assert result(alliance, "mechanism").met


def test_mechanism_is_unmet_and_names_the_missing_meetings(alliance):
    on_rhythm(alliance)
    alliance.meetings.filter(held_on__in=[D(2024, 5, 10), D(2025, 1, 10)]).delete()
    alliance.meetings.filter(kind="annual", held_on__year=2023).delete()
    item = result(alliance, "mechanism")
    assert not item.met
    assert item.reason == (
        "“三会”未按期召开：月度碰头会缺 2 次（2024年5月、2025年1月）；年度述职会缺 1 次（2023年度）。"
    )


def test_platforms_are_met_by_a_platform_the_alliance_runs(alliance):
    PlatformFactory(alliance=alliance)
    item = result(alliance, "platforms")
    assert item.met
    assert item.reason == "运营实体平台 1 个，参股其他联盟的平台 0 个。"


def test_platforms_are_met_by_shares_in_another_alliances_platform(alliance):
    ShareholdingFactory(platform=PlatformFactory(), alliance=alliance, percentage=Decimal("30"))
    item = result(alliance, "platforms")
    assert item.met
    assert item.reason == "运营实体平台 0 个，参股其他联盟的平台 1 个。"


def test_a_platform_run_and_held_by_the_same_alliance_is_counted_once(alliance):
    ShareholdingFactory(platform=PlatformFactory(alliance=alliance), alliance=alliance, percentage=Decimal("100"))
    assert result(alliance, "platforms").reason == "运营实体平台 1 个，参股其他联盟的平台 0 个。"


def test_platforms_are_unmet_without_any(alliance):
    ShareholdingFactory(platform=PlatformFactory(), percentage=Decimal("30"))  # another alliance's own
    item = result(alliance, "platforms")
    assert not item.met
    assert "尚未运营或参股" in item.reason


def test_an_alliance_meeting_every_item_meets_the_whole_norm(alliance):
    full_team(alliance)
    on_rhythm(alliance)
    PlatformFactory(alliance=alliance)
    ProjectFactory(alliance=alliance, year=TODAY.year, start_on=D(2025, 3, 1), due_on=D(2025, 12, 31))
    assert all(item.met for item in norms.evaluate(alliance, today=TODAY))


def test_a_later_app_registers_its_item_in_its_place(alliance):
    def mentors_this_year(alliance, today):
        return False, f"{today.year}年尚无导师帮带。"

    norms.register_item(norms.NormItem("mentors", "导师帮带", mentors_this_year, order=35))
    try:
        results = norms.evaluate(alliance, today=TODAY)
    finally:
        norms.unregister_item("mentors")
    assert [r.key for r in results] == ["structure", "mechanism", "projects", "mentors", "platforms"]
    assert results[3].reason == "2025年尚无导师帮带。" and not results[3].met
    assert [r.key for r in norms.evaluate(alliance, today=TODAY)] == ["structure", "mechanism", "projects", "platforms"]


def test_the_norm_runs_a_few_queries_whatever_the_size_of_the_alliance(alliance, django_assert_max_num_queries):
    full_team(alliance, advisors=4)
    on_rhythm(alliance)
    for _ in range(3):
        PlatformFactory(alliance=alliance)
    PersonFactory.create_batch(3)
    with django_assert_max_num_queries(4):
        norms.evaluate(alliance, today=TODAY)


def test_the_project_list_is_met_by_this_years_projects_and_not_by_cancelled_or_old_ones(alliance):
    ProjectFactory(alliance=alliance, year=2024, start_on=D(2024, 3, 1), due_on=D(2024, 12, 31))
    ProjectFactory(alliance=alliance, year=2025, status="cancelled", start_on=D(2025, 3, 1), due_on=D(2025, 12, 31))
    item = result(alliance, "projects")
    assert not item.met and item.reason == "2025年尚未建立项目清单。"
    ProjectFactory(alliance=alliance, year=2025, start_on=D(2025, 3, 1), due_on=D(2025, 12, 31))
    item = result(alliance, "projects")
    assert item.met and item.reason == "2025年项目清单 1 项，其中推进中 1 项。"
