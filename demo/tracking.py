"""Demo tracked items (督办事项) of Yinzhou (鄞州区), dated back from the real local date
(``ctx.live_today``) so that the demo looks current when it is opened: items in every
state, some overdue and escalated, most from real coordination requests of the demo's
progress reports, one from a need and one raised by staff; the demo leader's alliances
have one waiting for confirmation, one reopened and one in progress.

Every step goes through ``tracking.services``, as the people in the story would take it,
dated by the story (the services' ``today`` and ``at``). Someone in a story without a demo
login (the liaison of a department without one, the leader of another alliance) gets an
account that cannot sign in. Running the seed again changes nothing: the items are made
once, when there are none.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, Max, Q

from alliances.models import Alliance, Need, TeamRole, TeamRoleKind
from core.periods import local_zone
from demo.data import load
from demo.members import DemoContext
from members.access import Role
from members.models import Department
from members.pinyin import initials_of
from members.services import user_with_role
from notices.models import Notice
from projects.models import ProgressReport
from tracking.models import TrackedItem, TrackedItemEvent
from tracking.services import (
    item_assign,
    item_confirm,
    item_escalate,
    item_mark_handled,
    item_raise,
    item_reopen,
    item_reply,
)

# The departments' routing words and replies: demo/data/tracking.json.
DATA = load("tracking")

YINZHOU = "330212"
# Which department a coordination request goes to, by a word in it (the first that matches).
DEPARTMENT_FOR = [(entry["word"], entry["department"]) for entry in DATA["department_for"]]
REPLIES = {department: (entry["reply"], entry["result"]) for department, entry in DATA["replies"].items()}


@dataclass(frozen=True)
class Story:
    """One item's life, in days from the demo's today (negative: past)."""

    raised: int
    deadline: int | None = None  # days from today; None: never assigned
    replied: int | None = None
    escalated: int | None = None
    handled: int | None = None
    solved: int | None = None
    rating: int | None = None
    reopened: int | None = None
    leaders_alliance: bool = False


# From the demo leader's alliances first, then the county's other alliances.
REPORT_STORIES = [
    Story(raised=-40, deadline=-20, replied=-36, handled=-24, solved=-22, rating=5, leaders_alliance=True),
    Story(raised=-20, deadline=6, replied=-16, handled=-2, leaders_alliance=True),
    Story(raised=-26, deadline=4, replied=-21, handled=-8, reopened=-5, leaders_alliance=True),
    Story(raised=-9, deadline=10, replied=-6, leaders_alliance=True),
    Story(raised=-38, deadline=-27, replied=-33, escalated=-26, handled=-21, solved=-19, rating=3),
    Story(raised=-30, deadline=-9, replied=-26, handled=-13, solved=-11, rating=4),
    Story(raised=-15, deadline=9, replied=-10),
    Story(raised=-29, deadline=-4, replied=-24, escalated=-3),
    Story(raised=-21, deadline=-6, escalated=-5),
    Story(raised=-4, deadline=12),
    Story(raised=-1),
]
NEED_STORY = Story(raised=-12, deadline=16, replied=-9)
STAFF_STORY = Story(raised=-45, deadline=-30, replied=-42, handled=-33, solved=-31, rating=5)
STAFF_TITLE = "村级道路安全隐患排查整治"


def department_for(text: str) -> str:
    return next((name for word, name in DEPARTMENT_FOR if word in text), "农业农村局")


class Writer:
    """Walks each story through ``tracking.services`` as its people would: county staff raise
    and assign, the department's liaison replies and marks it handled, the daily task
    escalates it, the alliance's leader reopens or confirms it. Each step is dated by the
    story (the services' ``today`` and ``at``) instead of now."""

    def __init__(self, ctx: DemoContext):
        User = get_user_model()
        self.ctx = ctx
        self.today = ctx.live_today
        self.staff = User.objects.filter(username="yinzhou_county").first()
        self.leader = User.objects.filter(username="leader").first()
        self.departments = {d.name: d for d in Department.objects.filter(county__code__startswith=YINZHOU)}
        self.liaisons = {
            user.access_profile.department_id: user
            for user in User.objects.filter(access_profile__role=Role.DEPARTMENT_LIAISON)
            .select_related("access_profile")
            .order_by("pk")
        }

    def day(self, days: int) -> datetime.date:
        return self.today + datetime.timedelta(days=days)

    def at(self, days: int, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(self.day(days), datetime.time(hour), tzinfo=local_zone())

    def account(self, username: str, **role: Any) -> Any:
        """A sign-in-less account for someone in a story who has no demo login (a liaison of
        another department, the leader of another alliance): the services need an actor
        with the role, and nobody gets a password that is not in the README."""
        user = user_with_role(username=username, password=None, **role)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        self.ctx.count("created", type(user))
        return user

    def liaison_of(self, department: Department) -> Any:
        if department.pk not in self.liaisons:
            self.liaisons[department.pk] = self.account(
                f"yinzhou_{initials_of(department.name)}_liaison",
                role=Role.DEPARTMENT_LIAISON,
                department=department,
                full_name=f"{department.name}联络员",
            )
        return self.liaisons[department.pk]

    def leader_of(self, alliance: Alliance, leaders_alliance: bool) -> Any:
        if leaders_alliance:
            return self.leader
        role = TeamRole.objects.select_related("person__user").get(
            alliance=alliance, role=TeamRoleKind.LEADER, ended_on__isnull=True
        )
        person = role.person
        if person.user is not None:
            return person.user
        return self.account(f"leader_{person.mobile}", role=Role.ALLIANCE_LEADER, person=person)

    def write(self, story: Story, *, alliance, title: str, detail: str, department: str, report=None, need=None):
        raised_on = self.day(story.raised)
        item = item_raise(
            actor=self.staff,
            alliance=alliance,
            title=title[:200],
            detail=detail,
            report=report,
            need=need,
            today=raised_on,
            at=self.at(story.raised, 9),
        )
        dept = self.departments[department]
        replies = REPLIES.get(department, REPLIES["农业农村局"])
        if story.deadline is not None:
            item = item_assign(
                actor=self.staff,
                item=item,
                assignee=dept,
                deadline=self.day(story.deadline),
                today=raised_on,
                at=self.at(story.raised, 10),
            )
        if story.replied is not None:
            item = item_reply(actor=self.liaison_of(dept), item=item, note=replies[0], at=self.at(story.replied, 15))
        if story.escalated is not None:  # the daily task, on the day after the deadline
            item_escalate(item=item, today=self.day(story.escalated), at=self.at(story.escalated, 7))
        if story.handled is not None:
            item = item_mark_handled(
                actor=self.liaison_of(dept), item=item, note=replies[1], at=self.at(story.handled, 16)
            )
        if story.reopened is not None:
            item = item_reopen(
                actor=self.leader_of(alliance, story.leaders_alliance),
                item=item,
                note="现场查看问题仍未完全解决，请继续跟进",
                at=self.at(story.reopened, 11),
            )
        if story.solved is not None:
            item = item_confirm(
                actor=self.leader_of(alliance, story.leaders_alliance),
                item=item,
                rating=story.rating,
                note="问题已解决，感谢支持",
                at=self.at(story.solved, 11),
            )
        self.ctx.count("created", TrackedItem)
        self.ctx.count("created", TrackedItemEvent, TrackedItemEvent.objects.filter(item=item).count())
        return item


def seed(ctx: DemoContext) -> None:
    if TrackedItem.objects.exists():
        return
    writer = Writer(ctx)
    if writer.staff is None or not writer.departments:
        return
    leader_alliances = set(
        Alliance.objects.filter(
            team_roles__person__user=writer.leader, team_roles__role="leader", team_roles__ended_on__isnull=True
        ).values_list("pk", flat=True)
    )
    reports = list(
        ProgressReport.objects.filter(needs_coordination=True, project__alliance__lead_region__code__startswith=YINZHOU)
        .select_related("project__alliance")
        .order_by("-period", "pk")
    )
    used: set[int] = set()

    def pick(story: Story):
        day = writer.today + datetime.timedelta(days=story.raised)
        for report in reports:
            mine = report.project.alliance_id in leader_alliances
            if report.pk in used or mine != story.leaders_alliance:
                continue
            if report.period + datetime.timedelta(days=7) <= day:
                used.add(report.pk)
                return report
        return None

    for story in REPORT_STORIES:
        report = pick(story)
        if report is not None:
            text = report.coordination_request.strip()
            writer.write(
                story,
                alliance=report.project.alliance,
                title=f"{report.project.title}：{text.splitlines()[0]}",
                detail=text,
                department=department_for(text),
                report=report,
            )
        elif story.leaders_alliance and leader_alliances:
            writer.write(
                story,
                alliance=Alliance.objects.filter(pk__in=leader_alliances).order_by("code").first(),
                title="请协调上级补助资金尽快拨付",
                detail="联盟共建项目的上级补助资金尚未到位，影响工程款支付。",
                department="财政局",
            )
    need = (
        Need.objects.filter(alliance__lead_region__code__startswith=YINZHOU)
        .filter(~Q(status="resolved"))
        .select_related("alliance")
        .order_by("-posted_on", "pk")
        .first()
    )
    if need is not None:
        writer.write(
            NEED_STORY,
            alliance=need.alliance,
            title=need.title,
            detail=need.description,
            department="农业农村局",
            need=need,
        )
    alliance = (
        Alliance.objects.filter(lead_region__code__startswith=YINZHOU)
        .exclude(pk__in=leader_alliances)
        .order_by("code")
        .first()
    )
    if alliance is not None:
        writer.write(
            STAFF_STORY,
            alliance=alliance,
            title=STAFF_TITLE,
            detail="联盟内村道弯急坡陡，需交通部门排查整治安全隐患。",
            department="交通运输局",
        )
    date_notices()


def date_notices() -> None:
    """The services date each notice to its step of the story; only the notices of each
    item's latest step stay unread (what its people have to act on now): the earlier ones
    were read as the story went on."""
    for item in TrackedItem.objects.annotate(latest=Max("events__at")):
        Notice.objects.filter(key__startswith=f"item:{item.pk}:", created_at__lt=item.latest).update(
            read_at=F("created_at")
        )
