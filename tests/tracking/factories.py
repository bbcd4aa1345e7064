"""Tracked items (督办事项) for tests: county A's departments with their liaisons, a
report with a coordination request, and items in any state through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from projects.weeks import local_today
from tests.members.factories import DepartmentFactory, liaison_of
from tests.projects.factories import ProjectFactory, ReportFactory
from tracking import services
from tracking.models import TrackedItem


def in_days(n: int) -> datetime.date:
    return local_today() + datetime.timedelta(days=n)


@dataclass
class Desk:
    """County A's 交通运输局 (liaison dora) and 水利局 (liaison walt), county B's 岱山县
    农业农村局 (liaison bert); a report of alliance A1 asking for coordination."""

    transport: object
    water: object
    farming_b: object
    dora: object
    walt: object
    bert: object
    report: object
    world: object

    def item(self, state: str = "assigned", *, title: str = "村道拓宽需协调用地", alliance=None, deadline=None):
        """An item of alliance A1 (or ``alliance``) moved to ``state`` by the services."""
        w = self.world
        alliance = alliance or w.alliance_a
        staff = w.bob if alliance == w.alliance_b else w.alice
        department = self.farming_b if alliance == w.alliance_b else self.transport
        item = services.item_raise(actor=staff, alliance=alliance, title=title, detail="需交通部门协调")
        if state == "new":
            return item
        item = services.item_assign(actor=staff, item=item, assignee=department, deadline=deadline or in_days(14))
        liaison = self.bert if alliance == w.alliance_b else self.dora
        if state == "assigned":
            return item
        item = services.item_reply(actor=liaison, item=item, note="已联系乡镇，正在测量")
        if state == "in_progress":
            return item
        item = services.item_mark_handled(actor=liaison, item=item, note="道路已拓宽，验收完成")
        if state == "handled":
            return item
        leader = w.lily if alliance == w.alliance_a else None
        if state == "solved":
            return services.item_confirm(actor=leader, item=item, rating=5)
        if state == "reopened":
            return services.item_reopen(actor=leader, item=item, note="路面仍有坑洼")
        raise ValueError(state)

    def overdue_item(self, title: str = "逾期事项"):
        """An item of alliance A1 in progress whose deadline passed two days ago (raised a
        week ago): the services refuse a deadline in the past, so it is set afterwards."""
        item = self.item("in_progress", title=title)
        past = local_today() - datetime.timedelta(days=2)
        TrackedItem.objects.filter(pk=item.pk).update(deadline=past, raised_on=past - datetime.timedelta(days=5))
        return item


def make_desk(world) -> Desk:
    transport = DepartmentFactory(county=world.county_a, name="交通运输局")
    water = DepartmentFactory(county=world.county_a, name="水利局")
    farming_b = DepartmentFactory(county=world.county_b, name="岱山县农业农村局")
    project = ProjectFactory(alliance=world.alliance_a, title="姜山村道改造")
    report = ReportFactory(
        project=project, needs_coordination=True, coordination_request="村道拓宽需协调用地\n涉及三户"
    )
    return Desk(
        transport=transport,
        water=water,
        farming_b=farming_b,
        dora=liaison_of(transport, "dora"),
        walt=liaison_of(water, "walt"),
        bert=liaison_of(farming_b, "bert"),
        report=report,
        world=world,
    )


def reload(item: TrackedItem) -> TrackedItem:
    return TrackedItem.objects.get(pk=item.pk)
