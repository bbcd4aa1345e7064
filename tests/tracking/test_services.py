"""Tracked items (督办事项): every transition of tracking.services, every refusal, and the
database constraints that hold the states together."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from alliances.models import TeamRole
from notices.models import Notice
from tests.alliances.factories import NeedFactory
from tests.members.factories import DepartmentFactory, PersonFactory
from tests.tracking.factories import in_days, reload
from tracking import services
from tracking.models import EventAction, ItemState, TrackedItem, TrackedItemEvent

pytestmark = pytest.mark.django_db


def history(item):
    return [(e.action, e.from_state, e.to_state) for e in TrackedItemEvent.objects.filter(item=item)]


def notices_of(user, event):
    return list(Notice.objects.filter(recipient=user, event=event).values_list("title", flat=True))


# --------------------------------------------------------------------------- raise


def test_staff_turn_a_coordination_request_into_an_item(desk):
    item = services.item_raise(actor=desk.world.alice, report=desk.report)
    assert item.state == ItemState.NEW
    assert item.source == "report"
    assert item.alliance == desk.world.alliance_a
    assert item.title == "村道拓宽需协调用地"
    assert item.detail == "村道拓宽需协调用地\n涉及三户"
    assert item.raised_on == timezone.localdate()
    assert history(item) == [("raised", "", "new")]


def test_a_need_becomes_an_item_assigned_at_once(desk):
    need = NeedFactory(alliance=desk.world.alliance_a, title="灌溉用水短缺", description="旱季缺水")
    item = services.item_raise(actor=desk.world.alice, need=need, assignee=desk.water, deadline=in_days(10))
    assert (item.source, item.title, item.detail) == ("need", "灌溉用水短缺", "旱季缺水")
    assert item.state == ItemState.ASSIGNED
    assert history(item) == [("raised", "", "new"), ("assigned", "new", "assigned")]


def test_a_coordination_request_is_tracked_once(desk):
    services.item_raise(actor=desk.world.alice, report=desk.report)
    with pytest.raises(ValidationError, match="该协调事项已转为督办事项。"):
        services.item_raise(actor=desk.world.alice, report=desk.report)


def test_a_report_without_a_coordination_request_is_refused(desk):
    desk.report.needs_coordination, desk.report.coordination_request = False, ""
    desk.report.save()
    with pytest.raises(ValidationError, match="该进度报告没有需要协调的事项。"):
        services.item_raise(actor=desk.world.alice, report=desk.report)


def test_an_item_without_a_title_is_refused(desk):
    with pytest.raises(ValidationError) as error:
        services.item_raise(actor=desk.world.alice, alliance=desk.world.alliance_a, title="  ")
    assert error.value.message_dict["title"] == ["请填写事项。"]


@pytest.mark.parametrize("who", ["bob", "lily", "vera"])
def test_only_staff_over_the_alliance_raise_items(desk, who):
    with pytest.raises(PermissionDenied):
        services.item_raise(actor=getattr(desk.world, who), alliance=desk.world.alliance_a, title="某事")


def test_a_liaison_may_not_raise_items(desk):
    with pytest.raises(PermissionDenied):
        services.item_raise(actor=desk.dora, alliance=desk.world.alliance_a, title="某事")


# --------------------------------------------------------------------------- assign


def test_assigning_tells_the_departments_liaisons(desk):
    item = desk.item("new")
    item = services.item_assign(actor=desk.world.alice, item=item, assignee=desk.transport, deadline=in_days(7))
    assert item.state == ItemState.ASSIGNED
    assert item.assigned_at is not None
    assert notices_of(desk.dora, "item_assigned") == [
        f"督办事项交办：村道拓宽需协调用地（期限 {date_format(in_days(7))}）"
    ]
    assert notices_of(desk.walt, "item_assigned") == []


def test_a_deadline_in_the_past_is_refused_with_a_clear_message(desk):
    item = desk.item("new")
    with pytest.raises(ValidationError) as error:
        services.item_assign(actor=desk.world.alice, item=item, assignee=desk.transport, deadline=in_days(-1))
    assert error.value.message_dict["deadline"] == [f"办理期限不能早于今天（{date_format(timezone.localdate())}）。"]
    assert reload(item).state == ItemState.NEW


def test_a_deadline_of_today_is_accepted(desk):
    item = services.item_assign(actor=desk.world.alice, item=desk.item("new"), assignee=desk.water, deadline=in_days(0))
    assert item.deadline == timezone.localdate()


def test_assignment_needs_a_department_and_a_deadline(desk):
    item = desk.item("new")
    with pytest.raises(ValidationError) as error:
        services.item_assign(actor=desk.world.alice, item=item, assignee=None, deadline=in_days(3))
    assert error.value.message_dict["assignee"] == ["请选择承办部门。"]
    with pytest.raises(ValidationError) as error:
        services.item_assign(actor=desk.world.alice, item=item, assignee=desk.water, deadline=None)
    assert error.value.message_dict["deadline"] == ["请填写办理期限。"]


def test_a_department_of_another_county_or_a_retired_one_is_refused(desk):
    item = desk.item("new")
    with pytest.raises(ValidationError) as error:
        services.item_assign(actor=desk.world.alice, item=item, assignee=desk.farming_b, deadline=in_days(3))
    assert error.value.message_dict["assignee"] == ["承办部门必须是联盟所在区县的部门。"]
    retired = DepartmentFactory(county=desk.world.county_a, name="撤并局", retired_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        services.item_assign(actor=desk.world.alice, item=item, assignee=retired, deadline=in_days(3))
    assert error.value.message_dict["assignee"] == ["该部门已停用，不能交办。"]


@pytest.mark.parametrize("who", ["tina", "bob", "lily", "vera"])
def test_only_county_and_city_staff_of_the_county_assign(desk, who):
    item = desk.item("new")
    with pytest.raises(PermissionDenied):
        services.item_assign(actor=getattr(desk.world, who), item=item, assignee=desk.water, deadline=in_days(3))


def test_city_staff_assign_too(desk):
    item = services.item_assign(actor=desk.world.carol, item=desk.item("new"), assignee=desk.water, deadline=in_days(3))
    assert item.assignee == desk.water


def test_reassigning_moves_the_item_to_another_department_and_clears_the_escalation(desk):
    item = desk.item("in_progress")
    TrackedItem.objects.filter(pk=item.pk).update(escalated_at=timezone.now())
    item = services.item_assign(
        actor=desk.world.alice, item=reload(item), assignee=desk.water, deadline=in_days(20), note="涉及水利设施"
    )
    assert (item.state, item.assignee, item.escalated_at) == (ItemState.ASSIGNED, desk.water, None)
    assert history(item)[-1] == ("reassigned", "in_progress", "assigned")
    assert notices_of(desk.walt, "item_assigned")


def test_reassigning_without_any_change_is_refused(desk):
    item = desk.item("assigned")
    with pytest.raises(ValidationError, match="承办部门和办理期限都没有变化。"):
        services.item_assign(actor=desk.world.alice, item=item, assignee=item.assignee, deadline=item.deadline)


def test_a_handled_item_is_not_assigned_again(desk):
    item = desk.item("handled")
    with pytest.raises(ValidationError, match="该事项已办结，不能再交办。"):
        services.item_assign(actor=desk.world.alice, item=item, assignee=desk.water, deadline=in_days(3))


# --------------------------------------------------------------------------- the department


def test_the_liaison_replies_and_the_leader_hears_it(desk):
    item = services.item_reply(actor=desk.dora, item=desk.item("assigned"), note="已安排人员现场查看")
    assert item.state == ItemState.IN_PROGRESS
    assert item.replied_at is not None
    assert notices_of(desk.world.lily, "item_replied") == ["交通运输局 答复了督办事项：村道拓宽需协调用地"]
    first = item.replied_at
    item = services.item_reply(actor=desk.dora, item=item, note="测量完成")
    assert item.replied_at == first
    assert history(item)[-1] == ("replied", "in_progress", "in_progress")


def test_a_reply_to_an_item_not_assigned_to_you_is_refused(desk):
    item = desk.item("assigned")
    for stranger in (desk.walt, desk.bert, desk.world.alice, desk.world.lily):
        with pytest.raises(PermissionDenied, match="该事项未交由您的部门办理，不能答复。"):
            services.item_reply(actor=stranger, item=item, note="我来答复")
    assert reload(item).state == ItemState.ASSIGNED


def test_an_empty_reply_is_refused(desk):
    with pytest.raises(ValidationError) as error:
        services.item_reply(actor=desk.dora, item=desk.item("assigned"), note="   ")
    assert error.value.message_dict["note"] == ["请填写答复内容。"]


def test_marking_handled_needs_a_note(desk):
    item = desk.item("in_progress")
    with pytest.raises(ValidationError) as error:
        services.item_mark_handled(actor=desk.dora, item=item, note="")
    assert error.value.message_dict["note"] == ["办结时请写明办理结果。"]
    assert reload(item).state == ItemState.IN_PROGRESS


def test_marking_handled_tells_the_leader_to_confirm(desk):
    item = services.item_mark_handled(actor=desk.dora, item=desk.item("assigned"), note="已协调完毕")
    assert item.state == ItemState.HANDLED
    assert item.handled_at is not None and item.replied_at is not None
    assert notices_of(desk.world.lily, "item_handled") == ["督办事项已办结，请确认：村道拓宽需协调用地"]


def test_another_department_may_not_mark_it_handled(desk):
    with pytest.raises(PermissionDenied):
        services.item_mark_handled(actor=desk.walt, item=desk.item("assigned"), note="已办")


def test_a_handled_item_takes_no_more_replies(desk):
    item = desk.item("handled")
    with pytest.raises(ValidationError, match="该事项已办结，不能再答复。"):
        services.item_reply(actor=desk.dora, item=item, note="补充")
    with pytest.raises(ValidationError, match="该事项已办结。"):
        services.item_mark_handled(actor=desk.dora, item=item, note="再次办结")


# --------------------------------------------------------------------------- the leader


def test_the_leader_confirms_it_solved_and_rates_it(desk):
    item = services.item_confirm(actor=desk.world.lily, item=desk.item("handled"), rating=4, note="满意")
    assert (item.state, item.rating) == (ItemState.SOLVED, 4)
    assert item.closed_at is not None
    event = TrackedItemEvent.objects.filter(item=item).last()
    assert (event.action, event.rating, event.note, event.actor) == ("solved", 4, "满意", desk.world.lily)


@pytest.mark.parametrize("rating", [None, 0, 6])
def test_a_rating_outside_1_to_5_is_refused(desk, rating):
    with pytest.raises(ValidationError) as error:
        services.item_confirm(actor=desk.world.lily, item=desk.item("handled"), rating=rating)
    assert error.value.message_dict["rating"] == ["请给出 1–5 分的满意度评价。"]


def test_an_item_not_yet_handled_cannot_be_confirmed_or_reopened(desk):
    item = desk.item("in_progress")
    with pytest.raises(ValidationError, match="部门办结后才能确认解决。"):
        services.item_confirm(actor=desk.world.lily, item=item, rating=5)
    with pytest.raises(ValidationError, match="部门办结后才能要求重新办理。"):
        services.item_reopen(actor=desk.world.lily, item=item, note="未解决")


@pytest.mark.parametrize("who", ["alice", "tina", "vera"])
def test_only_the_alliances_leader_confirms(desk, who):
    with pytest.raises(PermissionDenied):
        services.item_confirm(actor=getattr(desk.world, who), item=desk.item("handled"), rating=5)


def test_a_liaison_may_not_confirm_their_own_work(desk):
    with pytest.raises(PermissionDenied):
        services.item_confirm(actor=desk.dora, item=desk.item("handled"), rating=5)


def test_reopening_needs_a_note_and_goes_back_to_the_department(desk):
    item = desk.item("handled")
    with pytest.raises(ValidationError) as error:
        services.item_reopen(actor=desk.world.lily, item=item, note=" ")
    assert error.value.message_dict["note"] == ["请写明需要重新办理的原因。"]
    item = services.item_reopen(actor=desk.world.lily, item=item, note="路面仍有坑洼")
    assert (item.state, item.handled_at) == (ItemState.REOPENED, None)
    assert item.reopened_at is not None
    assert notices_of(desk.dora, "item_reopened") == ["督办事项需重新办理：村道拓宽需协调用地"]
    item = services.item_reply(actor=desk.dora, item=item, note="重新组织施工")
    assert item.state == ItemState.IN_PROGRESS


def test_a_solved_item_is_closed_for_good(desk):
    item = desk.item("solved")
    with pytest.raises(ValidationError):
        services.item_reopen(actor=desk.world.lily, item=item, note="又坏了")
    with pytest.raises(ValidationError):
        services.item_reply(actor=desk.dora, item=item, note="补充")


def test_the_whole_history_is_kept(desk):
    item = desk.item("reopened")
    assert history(item) == [
        ("raised", "", "new"),
        ("assigned", "new", "assigned"),
        ("replied", "assigned", "in_progress"),
        ("handled", "in_progress", "handled"),
        ("reopened", "handled", "reopened"),
    ]


# --------------------------------------------------------------------------- overdue


def overdue_item(desk, days_late=3):
    item = desk.item("in_progress")
    late = timezone.localdate() - datetime.timedelta(days=days_late)
    TrackedItem.objects.filter(pk=item.pk).update(deadline=late, raised_on=late - datetime.timedelta(days=10))
    return reload(item)


def test_an_item_past_its_deadline_is_escalated_once(desk):
    item = overdue_item(desk)
    on_time = desk.item("assigned", title="按期事项")
    assert services.escalate_overdue() == [item.pk]
    assert services.escalate_overdue() == []
    item = reload(item)
    assert item.escalated_at is not None
    assert history(item)[-1] == ("escalated", "in_progress", "in_progress")
    assert notices_of(desk.dora, "item_overdue")
    assert notices_of(desk.world.alice, "item_escalated") == ["督办事项逾期上报：交通运输局 · 村道拓宽需协调用地"]
    assert notices_of(desk.world.bob, "item_escalated") == []
    assert reload(on_time).escalated_at is None


def test_the_deadline_day_itself_is_not_overdue(desk):
    item = desk.item("assigned", deadline=in_days(0))
    assert not item.overdue_on(timezone.localdate())
    assert services.escalate_overdue() == []


def test_a_handled_item_is_not_overdue_even_past_its_deadline(desk):
    item = desk.item("handled")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    TrackedItem.objects.filter(pk=item.pk).update(deadline=yesterday, raised_on=yesterday)
    assert services.escalate_overdue() == []


def test_a_new_deadline_may_be_escalated_again(desk):
    item = overdue_item(desk)
    services.escalate_overdue()
    services.item_assign(actor=desk.world.alice, item=item, assignee=desk.transport, deadline=in_days(0))
    later = timezone.localdate() + datetime.timedelta(days=1)
    assert services.escalate_overdue(today=later) == [item.pk]


def test_the_daily_task_is_in_the_beat_schedule(db):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("install_schedule", stdout=__import__("io").StringIO())
    task = PeriodicTask.objects.get(name="tracking:escalate-overdue")
    assert task.task == "tracking.tasks.escalate_overdue_items"
    assert task.crontab.hour == "7"


# --------------------------------------------------------------------------- constraints


def constraint_refuses(item, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackedItem.objects.filter(pk=item.pk).update(**fields)


def test_the_database_allows_a_rating_only_when_solved(desk):
    constraint_refuses(desk.item("handled"), rating=3)
    constraint_refuses(desk.item("solved", title="已解决事项"), rating=None)
    constraint_refuses(desk.item("solved", title="评分越界"), rating=6)


def test_the_database_keeps_closed_at_exactly_for_solved_items(desk):
    constraint_refuses(desk.item("handled"), closed_at=timezone.now())
    constraint_refuses(desk.item("solved", title="已解决事项"), closed_at=None)


def test_the_database_keeps_handled_at_exactly_for_handled_items(desk):
    constraint_refuses(desk.item("in_progress"), handled_at=timezone.now())
    constraint_refuses(desk.item("handled", title="已办结事项"), handled_at=None)


def test_the_database_refuses_a_deadline_before_the_item_was_raised(desk):
    item = desk.item("assigned")
    constraint_refuses(item, deadline=item.raised_on - datetime.timedelta(days=1))


def test_the_database_refuses_an_assigned_item_without_a_department(desk):
    constraint_refuses(desk.item("assigned"), assignee=None)
    constraint_refuses(desk.item("new", title="新提事项"), state=ItemState.ASSIGNED)


def test_the_database_refuses_a_source_without_its_link(desk):
    constraint_refuses(desk.item("new"), source="report")


def test_the_database_refuses_a_second_item_for_one_report(desk):
    services.item_raise(actor=desk.world.alice, report=desk.report)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackedItem.objects.create(
            alliance=desk.world.alliance_a, source="report", report=desk.report, title="重复", raised_on=in_days(0)
        )


def test_the_history_needs_a_note_where_it_matters_and_is_append_only(desk):
    item = desk.item("assigned")
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackedItemEvent.objects.create(
            item=item, action=EventAction.HANDLED, at=timezone.now(), from_state="assigned", to_state="handled"
        )
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        TrackedItemEvent.objects.filter(item=item).update(note="改写")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        TrackedItemEvent.objects.filter(item=item).delete()


# --------------------------------------------------------------------------- dated steps


def test_steps_told_afterwards_keep_the_times_they_happened(desk):
    """The demo data set writes its items' stories through the services, each step dated."""
    w = desk.world
    raised_on = in_days(-30)

    def at(days, hour):
        return datetime.datetime.combine(in_days(days), datetime.time(hour), tzinfo=timezone.get_current_timezone())

    item = services.item_raise(actor=w.alice, report=desk.report, today=raised_on, at=at(-30, 9))
    item = services.item_assign(
        actor=w.alice, item=item, assignee=desk.transport, deadline=in_days(-10), today=raised_on, at=at(-30, 10)
    )
    item = services.item_reply(actor=desk.dora, item=item, note="已联系乡镇", at=at(-25, 15))
    assert services.item_escalate(item=item, today=in_days(-9), at=at(-9, 7))
    item = services.item_mark_handled(actor=desk.dora, item=item, note="已拓宽", at=at(-5, 16))
    item = services.item_confirm(actor=w.lily, item=item, rating=4, at=at(-3, 11))

    item = reload(item)
    assert item.raised_on == raised_on and item.created_at == at(-30, 9)
    assert (item.assigned_at, item.replied_at, item.escalated_at) == (at(-30, 10), at(-25, 15), at(-9, 7))
    assert (item.handled_at, item.closed_at, item.state) == (at(-5, 16), at(-3, 11), ItemState.SOLVED)
    assert [(e.action, e.at) for e in TrackedItemEvent.objects.filter(item=item).order_by("pk")] == [
        (EventAction.RAISED, at(-30, 9)),
        (EventAction.ASSIGNED, at(-30, 10)),
        (EventAction.REPLIED, at(-25, 15)),
        (EventAction.ESCALATED, at(-9, 7)),
        (EventAction.HANDLED, at(-5, 16)),
        (EventAction.SOLVED, at(-3, 11)),
    ]
    # Each step's notices carry the step's time too, not the time they were written.
    told = dict(Notice.objects.filter(key__startswith=f"item:{item.pk}:").values_list("event", "created_at"))
    assert told == {
        "item_assigned": at(-30, 10),
        "item_replied": at(-25, 15),
        "item_overdue": at(-9, 7),
        "item_escalated": at(-9, 7),
        "item_handled": at(-5, 16),
    }


def test_the_instructor_hears_the_departments_reply_and_its_handling_as_the_leader_does(desk):
    person = PersonFactory(user=desk.world.tina, organization__region=desk.world.alliance_a.lead_region)
    TeamRole.objects.create(
        alliance=desk.world.alliance_a, person=person, role="instructor", started_on=datetime.date(2024, 1, 1)
    )
    item = services.item_reply(actor=desk.dora, item=desk.item("assigned"), note="正在协调")
    services.item_mark_handled(actor=desk.dora, item=item, note="已协调完毕")
    for event in ("item_replied", "item_handled"):
        assert notices_of(desk.world.tina, event) == notices_of(desk.world.lily, event) != []
