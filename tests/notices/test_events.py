"""Each event of the platform tells the right people, once (notices.services.notify is
called from the services, never from the views)."""

from __future__ import annotations

import datetime

from alliances.models import TeamRole
from alliances.reminders import meetings_due, notify_meetings_due
from alliances.services import claim_create, team_user_ids
from core.periods import MONTH, WEEK, Period
from evaluations.services import rollup_produce, rollup_publish
from notices.models import Event, Notice
from projects.digests import notify_reports_waiting
from projects.services import report_resubmit, report_return, report_submit
from projects.weeks import current_week
from tests.alliances.factories import MeetingFactory, NeedFactory, leader_of
from tests.members.factories import PersonFactory, user_with_scope
from tests.projects.factories import ProjectFactory, ReportFactory


def told(event: str) -> list[tuple[str, str]]:
    return sorted(Notice.objects.filter(event=event).values_list("recipient__username", "title"))


def who(event: str) -> list[str]:
    return sorted({name for name, _title in told(event)})


def test_a_returned_report_tells_its_leader_what_to_fix(world):
    project = ProjectFactory(alliance=world.alliance_a, title="姜山镇道路硬化")
    report = report_submit(actor=world.lily, project=project, period=current_week(), percent_complete=30, work_done="x")
    report = report_return(actor=world.alice, report=report, comment="请补充现场照片")
    [notice] = Notice.objects.filter(event=Event.REPORT_RETURNED)
    assert notice.recipient == world.lily and "姜山镇道路硬化" in notice.title
    assert notice.body == "请补充现场照片" and notice.link == report.get_absolute_url()
    assert notice.created_at == report.reviewed_at  # dated when it was returned


def test_a_report_returned_twice_tells_twice_and_an_accepted_one_not_at_all(world):
    project = ProjectFactory(alliance=world.alliance_a)
    report = report_submit(actor=world.lily, project=project, period=current_week(), percent_complete=30, work_done="x")
    report_return(actor=world.alice, report=report, comment="补充照片")
    report = report_resubmit(actor=world.lily, report=report, work_done="已补充", percent_complete=30)
    report_return(actor=world.alice, report=report, comment="还缺投资明细")
    assert [n.body for n in Notice.objects.filter(event=Event.REPORT_RETURNED).order_by("pk")] == [
        "补充照片",
        "还缺投资明细",
    ]


def test_the_daily_digest_tells_each_countys_staff_its_own_count_once(world):
    for _ in range(2):
        ReportFactory(project=ProjectFactory(alliance=world.alliance_a))
    ReportFactory(project=ProjectFactory(alliance=world.alliance_a), status="accepted")
    ReportFactory(project=ProjectFactory(alliance=world.alliance_b))
    today = datetime.date(2026, 11, 20)
    made = notify_reports_waiting(today=today)
    again = notify_reports_waiting(today=today)
    assert again == [] and sorted(n.recipient.username for n in made) == ["alice", "bob"]
    assert "2 份" in Notice.objects.get(recipient=world.alice).title
    assert "1 份" in Notice.objects.get(recipient=world.bob).title
    assert notify_reports_waiting(today=today + datetime.timedelta(days=1))  # the next day's digest


def test_no_digest_when_nothing_waits(world):
    ReportFactory(project=ProjectFactory(alliance=world.alliance_a), status="accepted")
    assert notify_reports_waiting(today=datetime.date(2026, 11, 20)) == []


def test_a_monthly_meeting_falling_due_reminds_the_leader_once(world):
    late_november = datetime.date(2026, 11, 25)
    made = notify_meetings_due(today=late_november)
    again = notify_meetings_due(today=datetime.date(2026, 11, 26))
    assert [n.recipient for n in made] == [world.lily] and again == []
    [notice] = made
    assert "月度碰头会" in notice.title and "2026-11-30" in notice.title
    assert notice.link == world.alliance_a.get_absolute_url()


def test_a_held_meeting_or_an_early_date_reminds_nobody(world):
    MeetingFactory(alliance=world.alliance_a, kind="monthly", held_on=datetime.date(2026, 11, 3))
    due = meetings_due(datetime.date(2026, 11, 25))
    assert world.alliance_a not in [alliance for alliance, _kind, _day in due]
    assert world.alliance_a2 in [alliance for alliance, _kind, _day in due]  # it held none
    assert meetings_due(datetime.date(2026, 11, 10)) == []


def test_the_quarterly_and_annual_meetings_fall_due_before_their_periods_end(world):
    kinds = {kind for alliance, kind, _d in meetings_due(datetime.date(2026, 12, 26)) if alliance == world.alliance_a}
    assert kinds == {"monthly", "quarterly", "annual"}


def test_a_claim_on_a_need_tells_the_needs_alliance_leader(world):
    need = NeedFactory(alliance=world.alliance_a, title="灌溉水渠修缮")
    claim = claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a2, offer="出工出料")
    [notice] = Notice.objects.filter(event=Event.NEED_CLAIMED)
    assert notice.recipient == world.lily and "灌溉水渠修缮" in notice.title and "云龙产业联盟" in notice.title
    assert notice.body == "出工出料" and notice.link == claim.get_absolute_url()


def test_a_need_without_a_leader_account_tells_nobody(world):
    need = NeedFactory(alliance=world.alliance_a2)
    claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a)
    assert not Notice.objects.exists()


def test_a_drafted_rollup_tells_its_publishers_and_a_published_one_its_readers(world):
    user_with_scope("dan", "county_staff", world.county_a)
    period = Period(WEEK, datetime.date(2026, 11, 9))
    rollup, created = rollup_produce(kind="weekly_dispatch", period=period, region=world.county_a)
    rollup_produce(kind="weekly_dispatch", period=period, region=world.county_a)
    assert created and who(Event.ROLLUP_DRAFT_READY) == ["alice", "dan"]
    assert Notice.objects.filter(event=Event.ROLLUP_DRAFT_READY).count() == 2
    rollup_publish(actor=world.alice, rollup=rollup)
    assert who(Event.BULLETIN_PUBLISHED) == ["dan"]  # alice published it herself
    assert "第1版" in Notice.objects.filter(event=Event.BULLETIN_PUBLISHED).first().title


def test_a_city_bulletin_is_announced_to_the_citys_and_its_counties_staff(world):
    rollup, _created = rollup_produce(
        kind="monthly_bulletin", period=Period(MONTH, datetime.date(2026, 10, 1)), region=world.ningbo
    )
    assert who(Event.ROLLUP_DRAFT_READY) == ["carol"]
    rollup_publish(actor=world.admin, rollup=rollup)
    assert who(Event.BULLETIN_PUBLISHED) == ["alice", "carol"]  # not bob: another city


def test_a_leader_of_two_alliances_is_reminded_once_per_alliance(world):
    second = leader_of(world.alliance_a2, username="li")
    made = notify_meetings_due(today=datetime.date(2026, 11, 25))
    assert sorted(n.recipient.username for n in made) == sorted(["lily", second.username])


def test_the_beat_schedule_runs_the_digest_the_meeting_reminders_and_the_sweeper(db):
    import io

    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    call_command("install_schedule", stdout=io.StringIO())
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("crontab")}
    expected = {
        "notices:review-digest": ("projects.tasks.send_review_digest", "30", "8"),
        "notices:meetings-due": ("alliances.tasks.remind_meetings_due", "0", "9"),
        "notices:deliver-due": ("notices.tasks.deliver_due", "*", "*"),
    }
    app.loader.import_default_modules()
    for name, (path, minute, hour) in expected.items():
        task = tasks[name]
        assert (task.task, task.crontab.minute, task.crontab.hour) == (path, minute, hour)
        assert str(task.crontab.timezone) == "Asia/Shanghai" and path in app.tasks


def test_the_beat_tasks_run_their_services(world, monkeypatch):
    from django.utils import timezone

    from alliances.tasks import remind_meetings_due
    from projects.tasks import send_review_digest

    ReportFactory(project=ProjectFactory(alliance=world.alliance_a))
    assert send_review_digest.apply().get() == 1  # alice
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 11, 25))
    assert remind_meetings_due.apply().get() == 1  # lily: the other leaders have no account


def instructor_of(alliance, user, *, ended_on=None):
    """``user``'s person as the alliance's township instructor (镇街指导员)."""
    person = PersonFactory(user=user, organization__region=alliance.lead_region)
    TeamRole.objects.create(
        alliance=alliance, person=person, role="instructor", started_on=datetime.date(2024, 1, 1), ended_on=ended_on
    )
    return person


def test_the_township_instructor_is_told_what_the_leader_is_told(world):
    instructor_of(world.alliance_a, world.tina)
    project = ProjectFactory(alliance=world.alliance_a, title="姜山镇道路硬化")
    report = report_submit(actor=world.lily, project=project, period=current_week(), percent_complete=30, work_done="x")
    report_return(actor=world.alice, report=report, comment="请补充现场照片")
    need = NeedFactory(alliance=world.alliance_a, title="灌溉水渠修缮")
    claim_create(actor=world.alice, need=need, claimant_alliance=world.alliance_a2, offer="出工出料")
    notify_meetings_due(today=datetime.date(2026, 11, 25))
    for event in (Event.REPORT_RETURNED, Event.NEED_CLAIMED, Event.MEETING_DUE):
        leader, instructor = (
            list(Notice.objects.filter(event=event, recipient=user).values_list("title", "link"))
            for user in (world.lily, world.tina)
        )
        assert leader and instructor == leader, event


def test_a_former_instructor_or_one_of_another_alliance_is_not_told(world):
    instructor_of(world.alliance_a, world.tina, ended_on=datetime.date(2025, 6, 30))
    instructor_of(world.alliance_a2, user_with_scope("tom", "township_staff", world.town_a))
    project = ProjectFactory(alliance=world.alliance_a)
    report = report_submit(actor=world.lily, project=project, period=current_week(), percent_complete=30, work_done="x")
    report_return(actor=world.alice, report=report, comment="请补充现场照片")
    assert who(Event.REPORT_RETURNED) == ["lily"]


def test_team_user_ids_are_the_open_leaders_and_instructors_with_a_login(world):
    instructor_of(world.alliance_a, world.tina)
    TeamRole.objects.create(
        alliance=world.alliance_a,
        person=PersonFactory(),  # an advisor's person has no login
        role="instructor",
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2023, 12, 31),
    )
    assert sorted(team_user_ids([world.alliance_a.pk])) == sorted([world.lily.pk, world.tina.pk])
    assert team_user_ids([world.alliance_b.pk]) == []
