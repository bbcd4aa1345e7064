"""Late and silent are computed by the database for a given day in Asia/Shanghai."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from projects.models import Project
from projects.weeks import current_week, local_today
from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory, days_ago

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MONDAY = datetime.date(2026, 11, 16)
SUNDAY = datetime.date(2026, 11, 22)
NEXT_MONDAY = datetime.date(2026, 11, 23)


def flags(project, today):
    row = Project.objects.with_flags(today).get(pk=project.pk)
    return {"silent": row.is_silent, "late": row.is_late}


def test_a_project_reported_this_week_turns_silent_when_the_next_week_begins(world):
    project = ProjectFactory(
        alliance=world.alliance_a, start_on=datetime.date(2026, 9, 1), due_on=datetime.date(2026, 12, 31)
    )
    ReportFactory(project=project, period=MONDAY)
    assert flags(project, MONDAY)["silent"] is False
    assert flags(project, SUNDAY)["silent"] is False
    assert flags(project, NEXT_MONDAY)["silent"] is True


def test_the_week_boundary_is_midnight_in_shanghai_not_in_utc(world):
    from projects.weeks import local_today as today_at

    project = ProjectFactory(
        alliance=world.alliance_a, start_on=datetime.date(2026, 9, 1), due_on=datetime.date(2026, 12, 31)
    )
    ReportFactory(project=project, period=MONDAY)
    sunday_night = datetime.datetime(2026, 11, 22, 15, 30, tzinfo=UTC)  # 23:30 on Sunday in Shanghai
    monday_early = datetime.datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 00:30 on Monday in Shanghai
    assert sunday_night.date() == monday_early.date()  # the same day in UTC
    assert flags(project, today_at(sunday_night))["silent"] is False
    assert flags(project, today_at(monday_early))["silent"] is True


def test_a_project_is_late_the_day_after_its_due_date(world):
    project = ProjectFactory(alliance=world.alliance_a, start_on=datetime.date(2026, 9, 1), due_on=SUNDAY)
    assert flags(project, SUNDAY)["late"] is False
    assert flags(project, NEXT_MONDAY)["late"] is True


def test_an_unfinished_milestone_past_its_date_makes_the_project_late(world):
    project = ProjectFactory(
        alliance=world.alliance_a, start_on=datetime.date(2026, 9, 1), due_on=datetime.date(2026, 12, 31)
    )
    milestone = MilestoneFactory(project=project, due_on=SUNDAY)
    assert flags(project, SUNDAY)["late"] is False
    assert flags(project, NEXT_MONDAY)["late"] is True
    milestone.done_on = SUNDAY
    milestone.save()
    assert flags(project, NEXT_MONDAY)["late"] is False


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_finished_projects_are_neither_late_nor_silent(world, status):
    project = ProjectFactory(
        alliance=world.alliance_a, start_on=datetime.date(2026, 9, 1), due_on=MONDAY, status=status
    )
    MilestoneFactory(project=project, due_on=MONDAY)
    assert flags(project, NEXT_MONDAY) == {"silent": False, "late": False}


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_a_project_finished_after_its_due_date_was_late_as_of_the_days_before(world, status):
    """As a period's end reads it: completed or cancelled on 20 November, due on the 16th, it
    was late as of the 18th and the 20th (not yet finished before it), no more as of the 23rd."""
    project = ProjectFactory(
        alliance=world.alliance_a,
        start_on=datetime.date(2026, 9, 1),
        due_on=MONDAY,
        status=status,
        **{f"{status}_on": datetime.date(2026, 11, 20)},
    )
    assert [flags(project, datetime.date(2026, 11, day))["late"] for day in (16, 18, 20, 23)] == [
        False,
        True,
        True,
        False,
    ]


def test_a_planned_project_is_not_silent_but_can_be_late(world):
    project = ProjectFactory(
        alliance=world.alliance_a, start_on=datetime.date(2026, 9, 1), due_on=MONDAY, status="planned"
    )
    assert flags(project, NEXT_MONDAY) == {"silent": False, "late": True}


@pytest.fixture
def flagged(world):
    """reported (this week), silent (last week only), late (due yesterday, reported this week)."""
    reported = ProjectFactory(alliance=world.alliance_a, title="屋顶光伏")
    ReportFactory(project=reported, period=current_week())
    silent = ProjectFactory(alliance=world.alliance_a, title="直播带货")
    ReportFactory(project=silent, period=current_week() - datetime.timedelta(weeks=1))
    late = ProjectFactory(alliance=world.alliance_a, title="供水管网改造", start_on=days_ago(200), due_on=days_ago(1))
    ReportFactory(project=late, period=current_week())
    ProjectFactory(alliance=world.alliance_b, title="岱山揭榜挂帅")  # silent, but in county B
    return reported, silent, late


def titles(body):
    return sorted(row["title"] for row in body["results"])


def test_the_api_shows_the_flags_and_filters_by_them(api, world, flagged):
    api.as_user(world.alice)
    rows = {row["title"]: row for row in api.get("/api/v1/projects/").json()["results"]}
    assert {title: (row["is_silent"], row["is_late"]) for title, row in rows.items()} == {
        "屋顶光伏": (False, False),
        "直播带货": (True, False),
        "供水管网改造": (False, True),
    }
    assert titles(api.get("/api/v1/projects/?silent=true").json()) == ["直播带货"]
    assert titles(api.get("/api/v1/projects/?late=true").json()) == ["供水管网改造"]
    assert titles(api.get("/api/v1/projects/?late=false&silent=false").json()) == ["屋顶光伏"]


def test_the_project_list_page_filters_by_the_flags(client, world, flagged):
    client.force_login(world.carol)
    response = client.get(reverse("projects:list"), {"silent": "true"})
    assert [p.title for p in response.context["object_list"]] == ["直播带货"]
    page = client.get(reverse("projects:list"), {"late": "true"}).content.decode()
    assert "供水管网改造" in page and "屋顶光伏" not in page and "逾期" in page


def test_weeks_are_mondays_in_shanghai():
    assert current_week(SUNDAY) == MONDAY and current_week(NEXT_MONDAY) == NEXT_MONDAY
    assert current_week().weekday() == 0 and current_week() <= local_today()
