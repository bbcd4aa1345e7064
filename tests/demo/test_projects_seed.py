"""seed_demo's projects: every live alliance has a project list with a year of weekly reports."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min

from alliances.models import Alliance
from projects.models import ProgressReport, ProgressReportRevision, Project
from projects.weeks import current_week, local_today
from tests.demo.test_seed_demo import row_counts, seeded  # noqa: F401 - the module-scoped seeded database

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_every_alliance_but_the_dissolved_ones_has_projects(seeded):  # noqa: F811
    without = Alliance.objects.annotate(n=Count("projects")).filter(n=0)
    assert set(without.values_list("status", flat=True)) <= {"dissolved"}
    assert Project.objects.filter(title="最美康养基地", alliance__name="徐福党建联盟").exists()
    assert Project.objects.filter(title="环云湖供水管网改造", households_benefited=2600).exists()
    assert Project.objects.filter(title="红芽姜大棚").exists()
    assert set(Project.objects.values_list("category", flat=True)) == {
        "industry",
        "governance",
        "service",
        "planning",
        "livelihood",
    }


def test_a_year_of_weekly_reports_ends_in_the_current_week(seeded):  # noqa: F811
    span = ProgressReport.objects.aggregate(first=Min("period"), last=Max("period"))
    assert span["last"] == current_week()
    assert span["first"] <= current_week() - datetime.timedelta(weeks=40)
    assert not ProgressReport.objects.filter(period__gt=local_today()).exists()


def test_most_reports_are_on_time_some_returned_some_projects_silent_or_late(seeded):  # noqa: F811
    reports = ProgressReport.objects.count()
    accepted = ProgressReport.objects.filter(status="accepted").count()
    assert accepted / reports > 0.8
    assert ProgressReport.objects.filter(status="returned").exists()
    assert ProgressReport.objects.filter(status="submitted").exists()
    assert ProgressReportRevision.objects.filter(decision="returned", report__status="accepted").exists()
    flagged = Project.objects.with_flags()
    active = flagged.filter(status__in=["in_progress", "delayed"]).count()
    silent = flagged.filter(is_silent=True).count()
    late = flagged.filter(is_late=True).count()
    assert 0 < silent < active and 0 < late < active


def test_the_demo_leader_has_a_report_to_fix_and_one_to_write(seeded, client):  # noqa: F811
    leader = get_user_model().objects.get(username="leader")
    mine = Project.objects.visible_to(leader).with_flags()
    assert ProgressReport.objects.visible_to(leader).filter(status="returned").exists()
    assert mine.filter(is_silent=True).exists()
    client.force_login(leader)
    page = client.get("/projects/my-work/").content.decode()
    assert "被退回待修改" in page and "填报本周进度" in page


def test_the_demo_leader_was_told_of_each_report_left_returned_when_it_was_returned(seeded, client):  # noqa: F811
    from notices.models import Event, Notice

    leader = get_user_model().objects.get(username="leader")
    returned = ProgressReport.objects.visible_to(leader).filter(status="returned")
    notices = Notice.objects.filter(recipient=leader, event=Event.REPORT_RETURNED)
    assert returned.exists()
    assert sorted(notices.values_list("link", flat=True)) == sorted(r.get_absolute_url() for r in returned)
    for report in returned:
        notice = notices.get(link=report.get_absolute_url())
        assert notice.created_at == report.reviewed_at
        assert notice.body == report.review_comment and report.project.title in notice.title
    client.force_login(leader)
    page = client.get("/notices/").content.decode()
    assert "的进度报告被退回，请修改后重新提交。" in page


def test_seeding_again_changes_no_project_rows(seeded):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command

    before = row_counts()
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert row_counts() == before
    assert "projects." in output.getvalue() and "(+" not in output.getvalue()
