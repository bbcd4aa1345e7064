"""The rules of projects, milestones and weekly reports, enforced by the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects.models import Milestone, ProgressReport, ProgressReportRevision, Project
from projects.services import (
    milestone_create,
    milestone_update,
    project_change_status,
    project_create,
    project_update,
    report_accept,
    report_resubmit,
    report_return,
    report_review,
    report_submit,
)
from projects.weeks import current_week, local_today
from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory, days_ago

pytestmark = pytest.mark.django_db


def new_project_data(world, **changes):
    data = {
        "alliance": world.alliance_a,
        "year": local_today().year,
        "title": "最美康养基地",
        "category": "industry",
        "start_on": days_ago(30),
        "due_on": days_ago(-200),
        "planned_investment": Decimal("20000000.00"),
        "land_mu": Decimal("200"),
        "funds_self_raised": Decimal("1500000"),
        "funds_higher_level": Decimal("500000"),
        "responsible_organization": world.org_a,
        "responsible_person": world.lily.person,
    }
    return data | changes


def submit(world, project, **changes):
    data = {"percent_complete": 30, "work_done": "完成一期大棚钢架搭建", "period": current_week()} | changes
    return report_submit(actor=world.lily, project=project, **data)


# --------------------------------------------------------------------------- projects


def test_county_staff_create_a_project_with_targets_and_funding(world):
    project = project_create(actor=world.alice, **new_project_data(world))
    assert project.status == "planned" and project.version == 1
    assert project.total_funding == Decimal("2000000.00")
    assert Project.objects.get(pk=project.pk).responsible_person == world.lily.person


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"planned_investment": Decimal("-1")}, "planned_investment"),
        ({"funds_social_capital": Decimal("-0.01")}, "funds_social_capital"),
        ({"households_benefited": -3}, "households_benefited"),
        ({"land_mu": Decimal("-5")}, "land_mu"),
        ({"due_on": days_ago(31)}, "due_on"),
        ({"category": "tourism"}, "category"),
    ],
)
def test_bad_project_input_names_the_field_and_saves_nothing(world, changes, field):
    with pytest.raises(ValidationError) as error:
        project_create(actor=world.alice, **new_project_data(world, **changes))
    assert field in error.value.message_dict
    assert not Project.objects.exists()


def test_the_responsible_organization_must_be_a_member_of_the_alliance(world):
    with pytest.raises(ValidationError) as error:
        project_create(actor=world.alice, **new_project_data(world, responsible_organization=world.org_b))
    assert "responsible_organization" in error.value.message_dict


def test_staff_of_another_county_viewers_and_leaders_cannot_create_projects(world):
    for user in (world.bob, world.vera, world.lily):
        with pytest.raises(PermissionDenied):
            project_create(actor=user, **new_project_data(world))
    assert not Project.objects.exists()


def test_township_and_city_staff_manage_projects_of_their_region(world):
    project_create(actor=world.tina, **new_project_data(world, title="屋顶光伏"))
    project_create(actor=world.carol, **new_project_data(world, title="供水管网改造"))
    assert Project.objects.count() == 2
    with pytest.raises(PermissionDenied):  # alliance A2 lies in another township of the county
        project_create(actor=world.tina, **new_project_data(world, alliance=world.alliance_a2, title="直播带货"))


def test_every_update_raises_the_version_and_a_stale_edit_is_refused(world):
    project = ProjectFactory(alliance=world.alliance_a)
    first = project_update(actor=world.alice, project=project, expected_version=1, title="精品民宿")
    assert first.version == 2
    with pytest.raises(ValidationError) as error:
        project_update(actor=world.tina, project=project, expected_version=1, title="直播带货")
    assert "version" in error.value.message_dict
    assert Project.objects.get(pk=project.pk).title == "精品民宿"


def test_status_moves_only_along_allowed_transitions(world):
    project = ProjectFactory(alliance=world.alliance_a, status="planned")
    project = project_change_status(actor=world.alice, project=project, status="in_progress", expected_version=1)
    project = project_change_status(actor=world.alice, project=project, status="delayed", expected_version=2)
    project = project_change_status(actor=world.alice, project=project, status="completed", expected_version=3)
    with pytest.raises(ValidationError) as error:
        project_change_status(actor=world.alice, project=project, status="in_progress", expected_version=4)
    assert "status" in error.value.message_dict
    assert Project.objects.get(pk=project.pk).status == "completed"


def test_a_planned_project_cannot_jump_to_completed(world):
    project = ProjectFactory(alliance=world.alliance_a, status="planned")
    with pytest.raises(ValidationError) as error:
        project_change_status(actor=world.alice, project=project, status="completed")
    assert "status" in error.value.message_dict
    assert Project.objects.get(pk=project.pk).status == "planned"


def test_a_project_with_an_open_milestone_cannot_be_completed(world):
    project = ProjectFactory(alliance=world.alliance_a)
    MilestoneFactory(project=project, title="钢架搭建")
    with pytest.raises(ValidationError) as error:
        project_change_status(actor=world.alice, project=project, status="completed")
    assert "钢架搭建" in error.value.message_dict["status"][0]


# --------------------------------------------------------------------------- milestones


def test_milestones_stay_inside_the_project_dates_and_are_not_done_in_the_future(world):
    project = ProjectFactory(alliance=world.alliance_a)
    with pytest.raises(ValidationError) as error:
        milestone_create(
            actor=world.alice, project=project, title="验收", due_on=project.due_on + datetime.timedelta(1)
        )
    assert "due_on" in error.value.message_dict
    milestone = milestone_create(actor=world.alice, project=project, title="验收", due_on=project.due_on)
    with pytest.raises(ValidationError) as error:
        milestone_update(actor=world.alice, milestone=milestone, done_on=local_today() + datetime.timedelta(1))
    assert "done_on" in error.value.message_dict
    milestone_update(actor=world.alice, milestone=milestone, done_on=local_today())
    assert Milestone.objects.get(pk=milestone.pk).done_on == local_today()


def test_leaders_cannot_change_milestones(world):
    milestone = MilestoneFactory(project__alliance=world.alliance_a)
    with pytest.raises(PermissionDenied):
        milestone_update(actor=world.lily, milestone=milestone, done_on=local_today())


# --------------------------------------------------------------------------- reports


def test_the_leader_submits_this_weeks_report_stored_as_its_monday(world):
    project = ProjectFactory(alliance=world.alliance_a)
    wednesday = current_week() + datetime.timedelta(days=2)
    report = submit(world, project, period=min(wednesday, local_today()), investment_to_date=Decimal("350000"))
    assert report.period == current_week() and report.period.weekday() == 0
    assert report.status == "submitted" and report.submitted_by == world.lily


def test_a_second_report_for_the_same_week_is_refused(world):
    project = ProjectFactory(alliance=world.alliance_a)
    submit(world, project)
    with pytest.raises(ValidationError) as error:
        submit(world, project, percent_complete=35)
    assert "period" in error.value.message_dict
    assert ProgressReport.objects.filter(project=project).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent_complete": 120}, "percent_complete"),
        ({"percent_complete": -1}, "percent_complete"),
        ({"investment_to_date": Decimal("-100")}, "investment_to_date"),
        ({"period": current_week() + datetime.timedelta(weeks=1)}, "period"),
        ({"work_done": ""}, "work_done"),
        ({"needs_coordination": True, "coordination_request": ""}, "coordination_request"),
    ],
)
def test_bad_report_input_names_the_field_and_saves_nothing(world, changes, field):
    project = ProjectFactory(alliance=world.alliance_a)
    with pytest.raises(ValidationError) as error:
        submit(world, project, **changes)
    assert field in error.value.message_dict
    assert not ProgressReport.objects.exists()


def test_no_report_before_the_project_started_or_while_it_is_not_under_way(world):
    project = ProjectFactory(alliance=world.alliance_a, start_on=local_today())
    with pytest.raises(ValidationError) as error:
        submit(world, project, period=current_week() - datetime.timedelta(weeks=1))
    assert "period" in error.value.message_dict
    planned = ProjectFactory(alliance=world.alliance_a, status="planned")
    with pytest.raises(ValidationError) as error:
        submit(world, planned)
    assert "project" in error.value.message_dict
    assert not ProgressReport.objects.exists()


def test_staff_and_viewers_cannot_submit_and_leaders_of_other_alliances_neither(world):
    project = ProjectFactory(alliance=world.alliance_a)
    other = ProjectFactory(alliance=world.alliance_b)
    for user in (world.alice, world.vera):
        with pytest.raises(PermissionDenied):
            report_submit(actor=user, project=project, period=current_week(), percent_complete=5, work_done="x")
    with pytest.raises(PermissionDenied):
        submit(world, other)
    assert not ProgressReport.objects.exists()


def test_a_returned_and_resubmitted_report_keeps_its_history(world):
    project = ProjectFactory(alliance=world.alliance_a)
    report = submit(world, project, percent_complete=40, work_done="大棚建设")
    report_return(actor=world.tina, report=report, comment="请补充现场照片和投资明细")
    report.refresh_from_db()
    assert report.status == "returned" and report.review_comment == "请补充现场照片和投资明细"

    report = report_resubmit(actor=world.lily, report=report, work_done="大棚建设，已补充投资明细", percent_complete=38)
    assert report.status == "submitted" and report.revision == 2 and report.review_comment == ""
    report_accept(actor=world.alice, report=report)

    revisions = list(ProgressReportRevision.objects.filter(report=report).order_by("number"))
    assert [(r.number, r.decision, r.percent_complete) for r in revisions] == [
        (1, "returned", 40),
        (2, "accepted", 38),
    ]
    assert revisions[0].review_comment == "请补充现场照片和投资明细" and revisions[0].work_done == "大棚建设"
    assert revisions[0].reviewed_by == world.tina
    with pytest.raises(ValidationError):
        revisions[0].save()  # history is immutable


def test_returning_needs_a_comment_and_a_report_is_reviewed_once(world):
    report = submit(world, ProjectFactory(alliance=world.alliance_a))
    with pytest.raises(ValidationError) as error:
        report_return(actor=world.alice, report=report, comment="  ")
    assert "comment" in error.value.message_dict
    report_accept(actor=world.alice, report=report)
    with pytest.raises(ValidationError) as error:
        report_return(actor=world.carol, report=report, comment="再看看")
    assert "decision" in error.value.message_dict
    assert ProgressReportRevision.objects.filter(report=report).count() == 1


def test_only_returned_reports_can_be_resubmitted(world):
    report = submit(world, ProjectFactory(alliance=world.alliance_a))
    with pytest.raises(ValidationError):
        report_resubmit(actor=world.lily, report=report, percent_complete=50)
    assert ProgressReport.objects.get(pk=report.pk).percent_complete == 30


def test_percent_may_go_down_only_when_the_reviewer_notes_why(world):
    project = ProjectFactory(alliance=world.alliance_a)
    ReportFactory(project=project, percent_complete=60, status="accepted")
    lower = submit(world, project, percent_complete=45)
    with pytest.raises(ValidationError) as error:
        report_accept(actor=world.alice, report=lower)
    assert "comment" in error.value.message_dict
    assert ProgressReport.objects.get(pk=lower.pk).status == "submitted"
    report_accept(actor=world.alice, report=lower, comment="上期多报了二期工程，已核实更正")
    assert ProgressReport.objects.get(pk=lower.pk).status == "accepted"


def test_leaders_and_viewers_cannot_review_and_staff_of_another_county_neither(world):
    report = submit(world, ProjectFactory(alliance=world.alliance_a))
    for user in (world.lily, world.vera, world.bob):
        with pytest.raises(PermissionDenied):
            report_review(actor=user, report=report, decision="accepted")
    assert ProgressReport.objects.get(pk=report.pk).status == "submitted"
