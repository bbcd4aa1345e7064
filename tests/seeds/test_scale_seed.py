"""The large generated data sets (seed_demo --scale county|province): consistent data,
every count following from the scale, and a refusal on a database that holds data."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from alliances.models import Alliance, Membership, TeamRole
from demo.bulk.members import LARGE_SCALES, LargeScale, copy_text
from demo.management.commands.seed_demo import Command
from members.models import MemberOrganization, Person, Region
from projects.models import ProgressReport, Project
from workshops.models import Workshop, WorkshopReport

pytestmark = pytest.mark.django_db

TINY = LargeScale(
    name="county",
    counties=2,
    townships_per_county=2,
    villages_per_township=3,
    alliances_per_township=2,
    orgs_per_township=10,
    projects_per_alliance=2,
    reports_per_project=4,
    workshops_per_township=2,
    workshop_reports_per_township=5,
)


@pytest.fixture
def tiny():
    output = io.StringIO()
    command = Command(stdout=output)
    command.handle_large(TINY)
    return output.getvalue()


def test_tiny_scale_counts_follow_from_the_scale(tiny):
    townships = TINY.counties * TINY.townships_per_county
    alliances = townships * TINY.alliances_per_township
    assert Region.objects.filter(level="township").count() == townships
    assert Region.objects.filter(level="village").count() == townships * TINY.villages_per_township
    assert MemberOrganization.objects.count() == townships * TINY.orgs_per_township
    assert Alliance.objects.count() == alliances
    assert Project.objects.count() == alliances * TINY.projects_per_alliance
    assert ProgressReport.objects.count() == alliances * TINY.projects_per_alliance * TINY.reports_per_project
    assert Workshop.objects.count() == townships * TINY.workshops_per_township
    assert WorkshopReport.objects.count() == townships * TINY.workshop_reports_per_township
    assert "rows/s" in tiny


def test_every_alliance_has_one_lead_and_a_leader_who_is_its_secretary(tiny):
    for alliance in Alliance.objects.all():
        lead = Membership.objects.get(alliance=alliance, role="lead", left_on__isnull=True)
        leader = TeamRole.objects.get(alliance=alliance, role="leader", ended_on__isnull=True)
        assert lead.organization.secretary_id == leader.person_id
        township = alliance.lead_region.parent
        members = Membership.objects.filter(alliance=alliance).select_related("organization__region")
        assert all(m.organization.region.code.startswith(township.prefix) for m in members)
        assert TeamRole.objects.filter(alliance=alliance, role="instructor", ended_on__isnull=True).count() == 1


def test_every_organization_has_a_secretary_working_there(tiny):
    assert not MemberOrganization.objects.filter(secretary__isnull=True).exists()
    assert not MemberOrganization.objects.exclude(secretary__organization=F("pk")).exists()
    assert Person.objects.values("mobile").distinct().count() == Person.objects.count()


def test_progress_never_goes_back_and_each_project_reports_every_week(tiny):
    per_project = Project.objects.annotate(n=Count("reports")).values_list("n", flat=True)
    assert set(per_project) == {TINY.reports_per_project}
    for project in Project.objects.all():
        reports = list(project.reports.order_by("period").values_list("period", "percent_complete"))
        assert all((b[0] - a[0]).days == 7 and b[1] >= a[1] for a, b in zip(reports, reports[1:], strict=False))
    for project in Project.objects.filter(status="completed"):
        assert project.reports.order_by("-period").first().percent_complete == 100


def test_finished_projects_carry_the_day_they_finished_after_their_last_report(tiny):
    finished = Project.objects.filter(status__in=["completed", "cancelled"])
    assert finished.exists()
    for project in finished:
        day = project.completed_on if project.status == "completed" else project.cancelled_on
        other = project.cancelled_on if project.status == "completed" else project.completed_on
        last_week = project.reports.order_by("-period").first().period
        assert day is not None and other is None
        assert last_week + datetime.timedelta(days=7) <= day <= last_week + datetime.timedelta(days=11)
    assert not Project.objects.exclude(status="completed").filter(completed_on__isnull=False).exists()


def test_workshops_sit_in_a_village_hosted_by_its_organization(tiny):
    assert not Workshop.objects.exclude(region__level="village").exists()
    assert not Workshop.objects.exclude(host__region=F("region")).exists()
    assert (
        not Workshop.objects.filter(alliance__isnull=False)
        .exclude(Q(alliance__lead_region__parent=F("region__parent")))
        .exists()
    )
    months = WorkshopReport.objects.values("workshop", "month").annotate(n=Count("pk")).filter(n__gt=1)
    assert not months.exists()


def test_ids_continue_after_the_load(tiny):
    alliance = Alliance.objects.order_by("pk").first()
    alliance.pk = None
    alliance.code = "NEW-ONE"
    alliance.save()
    assert alliance.pk == Alliance.objects.count()


def test_large_scale_refuses_a_database_with_data(tiny):
    with pytest.raises(CommandError, match="needs an empty database"):
        call_command("seed_demo", "--scale", "county", stdout=io.StringIO())


def test_county_scale_gives_the_documented_totals():
    call_command("seed_demo", "--scale", "county", stdout=io.StringIO())
    spec = LARGE_SCALES["county"]
    assert Alliance.objects.count() == 100 == spec.townships * spec.alliances_per_township
    assert MemberOrganization.objects.count() == 500
    assert Project.objects.count() == 1_000
    assert ProgressReport.objects.count() == 25_000
    assert Workshop.objects.count() == 150
    assert WorkshopReport.objects.count() == 5_000


def test_province_scale_is_a_hundred_counties():
    spec = LARGE_SCALES["province"]
    townships = spec.townships
    assert townships * spec.alliances_per_township == 10_000
    assert townships * spec.orgs_per_township == 50_000
    assert townships * spec.alliances_per_township * spec.projects_per_alliance == 100_000
    assert townships * spec.alliances_per_township * spec.projects_per_alliance * spec.reports_per_project == 2_500_000
    assert townships * spec.workshops_per_township == 15_000
    assert townships * spec.workshop_reports_per_township == 500_000
    assert spec.scaled(0.1).counties == 10


def test_copy_text_escapes_what_copy_would_misread():
    assert copy_text(None) == r"\N"
    assert copy_text(True) == "t"
    assert copy_text("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
