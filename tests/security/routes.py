"""The access-matrix registry: every page and every API operation, one line each.

tests/security/test_access_matrix.py fails when a URL name or an OpenAPI operation exists
that is not listed here (or is listed here and no longer exists). To add yours:

1. If it is about a new kind of object, declare a :class:`Resource`: how to find one in
   the ``world`` fixture inside every role's scope, one in county B (outside every
   scope) and, if the scope of township staff or a leader can exclude it, one in county A's
   other township / other alliance (``sibling``). Builders may create rows (use
   get_or_create: they are called more than once per test).
2. Add one line per page (``PAGES``, by URL name) and per API operation (``API``, by
   OpenAPI path and method), e.g.::

       "projects:detail": detail(PROJECT),
       ("/api/v1/projects/{id}/", "patch"): update(PROJECT, lambda w, p: {"title": "改"}),
       "projects:report": form(PROJECT, report_data, writers=frozenset({LEADER})),

The expected outcome for each role follows from ``readers`` / ``writers`` (default: every
signed-in role reads, the three staff roles write); outside the scope it is always 404
(or, for a create, a refusal), with nothing written.
"""

from __future__ import annotations

import dataclasses
import datetime

from alliances.models import ActivityPhoto, Alliance, MeetingPhoto, Membership, TeamRole
from core.periods import MONTH, Period
from core.uploads import clean_uploads
from evaluations.models import Assessment, AssessmentScheme, Indicator, ManualScore, Proposal, Rollup, VetoFinding
from evaluations.rollups import column, table
from members.access import scope_for
from members.models import Department, ImportJob, ImportState, MemberOrganization, Person, Region
from members.tokens import api_token_create
from notices.models import Notice, WorkChatRobot
from projects.models import ReportAttachment
from projects.services import attach
from projects.weeks import current_week, local_today
from tests.alliances.factories import (
    ActivityFactory,
    ClaimFactory,
    MeetingFactory,
    MentorshipFactory,
    NeedFactory,
    PlatformFactory,
    ResourceFactory,
    ShareholdingFactory,
    png_upload,
)
from tests.members.factories import UserFactory, liaison_of, township, village
from tests.projects.factories import MilestoneFactory, ProjectFactory, pdf
from tests.projects.factories import ReportFactory as ProgressReportFactory
from tests.projects.factories import photo as photo_file
from tests.workshops.factories import ReportFactory, Shops
from tracking import services as tracking
from workshops.models import WorkshopReport

from .matrix import (
    CITY,
    COUNTY,
    EVERYONE,
    INSIDE,
    LEADER,
    OUTSIDE,
    READERS,
    SIBLING,
    STAFF,
    TOWNSHIP,
    VIEWER,
    Resource,
    create,
    create_form,
    detail,
    fixed,
    form,
    listing,
    update,
)

TODAY = datetime.date(2026, 6, 1).isoformat()


# --------------------------------------------------------------------------- siblings
# Objects in county A's second township (云龙镇) and its alliance A2: inside the scope of
# city and county staff and the county viewer, outside tina's (township 姜山镇) and lily's
# (leader of A1).


def sibling_org(w) -> MemberOrganization:
    region = village(township(w.county_a, 2), 1, "云龙村")
    return MemberOrganization.objects.get_or_create(name="云龙村党委", region=region, defaults={"kind": "village"})[0]


def sibling_person(w) -> Person:
    return Person.objects.get_or_create(name="云龙书记", organization=sibling_org(w))[0]


def sibling_membership(w) -> Membership:
    return Membership.objects.get_or_create(
        alliance=w.alliance_a2, organization=sibling_org(w), defaults={"role": "lead", "joined_on": "2023-03-01"}
    )[0]


def sibling_team_role(w) -> TeamRole:
    return TeamRole.objects.get_or_create(
        alliance=w.alliance_a2, person=sibling_person(w), role="advisor", defaults={"started_on": "2023-03-01"}
    )[0]


def fresh_org(w) -> MemberOrganization:
    """An organization in township A that belongs to no alliance yet."""
    return MemberOrganization.objects.get_or_create(
        name="新加入村党委", region=w.village_a, defaults={"kind": "village"}
    )[0]


def shops(w) -> Shops:
    """The workshops of tests/workshops/factories.py, built once per test."""
    if not hasattr(w, "_shops"):
        w._shops = Shops(w)
    return w._shops


def report_of(workshop) -> WorkshopReport:
    return WorkshopReport.objects.filter(workshop=workshop).first() or ReportFactory(workshop=workshop)


def rollup_for(region: Region, month: int) -> Rollup:
    """A monthly bulletin; each placement has its own month, whose label identifies it."""
    start = datetime.date(2025, month, 1)
    return Rollup.objects.get_or_create(
        kind="monthly_bulletin",
        period_start=start,
        region=region,
        defaults={"period_key": f"2025-{month:02d}", "report": {}},
    )[0]


def made(w, key: str, build):
    """One object per key and test (builders are called more than once per test)."""
    cache = w.__dict__.setdefault("_made", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


PLACED = {"inside": "alliance_a", "outside": "alliance_b", "sibling": "alliance_a2"}


def placed(factory, **fields):
    """A Resource of objects built by ``factory`` in alliance A1, B1 and A2, each with a
    text of its own (``label`` formatted with the placement) for the list checks."""

    def builder(placement):
        def build(w):
            alliance = getattr(w, PLACED[placement])
            return made(
                w,
                f"{factory.__name__}-{placement}",
                lambda: factory(alliance=alliance, **{k: v.format(placement) for k, v in fields.items()}),
            )

        return build

    return builder


def _ops(factory, field: str, label: str, show=None) -> Resource:
    builder = placed(factory, **{field: label})
    return Resource(
        inside=builder("inside"),
        outside=builder("outside"),
        sibling=builder("sibling"),
        show=show or (lambda obj: getattr(obj, field)),
    )


def attachment_of(report) -> ReportAttachment:
    """A PDF attached to the report, stored as the service stores it."""
    attach(report, clean_uploads([pdf("验收报告.pdf")]))
    return report.attachments.get()


def derived(key: str, parent: Resource, build, show) -> Resource:
    """A Resource of objects hanging off ``parent``'s object of the same placement:
    ``build(parent_object, placement)`` makes one (once per test)."""

    def builder(placement):
        return lambda w: made(w, f"{key}-{placement}", lambda: build(parent.build(placement, w), placement))

    return Resource(inside=builder(INSIDE), outside=builder(OUTSIDE), sibling=builder(SIBLING), show=show)


def claim_of(alliance: Alliance, placement: str, *, status: str = "claimed"):
    """A claim on a need of ``alliance`` (claimed by the same alliance's side)."""
    started = {"started_on": datetime.date(2025, 5, 3)} if status == "in_progress" else {}
    return ClaimFactory(
        need=NeedFactory(alliance=alliance, title=f"认领需求{status}{placement}", status=status),
        claimant_alliance=alliance,
        status=status,
        **started,
    )


def observation(region: Region, alliance: Alliance) -> Rollup:
    """A quarterly observation (季观摩) of ``region`` proposing ``alliance`` for a visit."""
    row = [alliance.code, alliance.name, "进度提升快", "12.5", None]
    columns = [
        column("alliance", "联盟编号"),
        column("alliance_name", "联盟"),
        column("reason", "推荐理由"),
        column("gain", "季度平均进度提升（百分点）", "decimal"),
        column("score", "季度得分", "decimal"),
    ]
    return Rollup.objects.get_or_create(
        kind="quarterly_observation",
        period_start=datetime.date(2026, 7, 1),
        region=region,
        defaults={
            "period_key": "2026-Q3",
            "report": {"summary": [], "tables": [table("top_movers", "进步明显（拟现场观摩）", columns, [row])]},
        },
    )[0]


def proposed(rollup: Rollup) -> Alliance:
    return Alliance.objects.get(code=rollup.report["tables"][0]["rows"][0][0])


def notice_for(user, placement: str) -> Notice:
    return Notice.objects.get_or_create(
        recipient=user,
        event="progress_reminder",
        key="2026-11-16",
        defaults={"title": f"请填报本周项目进度{placement}"},
    )[0]


def token_of(placement: str, actor: str, region, name: str):
    """A big-screen API token for ``region``, made by the staff user ``actor`` of ``world``."""

    def build(w):
        return made(
            w, f"token-{placement}", lambda: api_token_create(actor=getattr(w, actor), name=name, region=region(w))[0]
        )

    return build


def employment(placement: str, shop: str, employed: int):
    """``employed`` people in workshop ``shop`` (of Shops) in the last complete month: the
    figure the dashboard and its time series show."""

    def build(w):
        month = Period.containing(MONTH, local_today()).previous().start
        workshop = getattr(shops(w), shop)
        return made(
            w,
            f"employment-{placement}",
            lambda: ReportFactory(workshop=workshop, month=month, employed=employed, low_income_employed=1),
        )

    return build


# --------------------------------------------------------------------------- resources

ALLIANCE = Resource(inside=lambda w: w.alliance_a, outside=lambda w: w.alliance_b, sibling=lambda w: w.alliance_a2)
ORGANIZATION = Resource(inside=lambda w: w.org_a, outside=lambda w: w.org_b, sibling=sibling_org)
PERSON = Resource(inside=lambda w: w.person_a, outside=lambda w: w.person_b, sibling=sibling_person)
# A person with a login: lily, the leader of A1 (her person's organization belongs to no
# alliance, so she does not see it herself).
LOGIN_PERSON = Resource(inside=lambda w: w.lily.person, outside=lambda w: w.person_b, sibling=sibling_person)
# County and city staff manage logins; township staff, leaders and viewers may not.
LOGIN_MANAGERS = frozenset({CITY, COUNTY})
MEMBERSHIP = Resource(
    inside=lambda w: Membership.objects.get(alliance=w.alliance_a, organization=w.org_a),
    outside=lambda w: Membership.objects.get(alliance=w.alliance_b, organization=w.org_b),
    sibling=sibling_membership,
    show=lambda m: m.organization.name,
)
TEAM_ROLE = Resource(
    inside=lambda w: TeamRole.objects.get(alliance=w.alliance_a, role="leader"),
    outside=lambda w: TeamRole.objects.get(alliance=w.alliance_b, role="leader"),
    sibling=sibling_team_role,
    show=lambda r: r.person.name,
)
WORKSHOP = Resource(inside=lambda w: shops(w).a, outside=lambda w: shops(w).b, sibling=lambda w: shops(w).a_free)
WORKSHOP_REPORT = Resource(
    inside=lambda w: report_of(shops(w).a),
    outside=lambda w: report_of(shops(w).b),
    sibling=lambda w: report_of(shops(w).a_free),
    show=lambda r: r.workshop.name,
)
# Rollups are published to a region and read by its staff and viewers (and those below);
# leaders see none.
ROLLUP = Resource(
    inside=lambda w: rollup_for(w.town_a, 3),
    outside=lambda w: rollup_for(w.town_b, 11),
    sibling=lambda w: rollup_for(township(w.county_a, 2), 7),
    show=lambda r: r.period.label,
)
MEETING = _ops(MeetingFactory, "topics", "会议议题{}")
ACTIVITY = _ops(ActivityFactory, "title", "联合活动{}")
MENTORSHIP = _ops(MentorshipFactory, "mentor_title", "导师称号{}")
PLATFORM = _ops(PlatformFactory, "name", "共富公司{}")
NEED = _ops(NeedFactory, "title", "需求{}")
RESOURCE = _ops(ResourceFactory, "title", "资源{}")
CLAIM = derived("claim", ALLIANCE, claim_of, show=lambda c: c.need.title)
# Only a claim in progress can be resolved.
CLAIM_IN_PROGRESS = derived(
    "claim-in-progress",
    ALLIANCE,
    lambda a, placement: claim_of(a, placement, status="in_progress"),
    show=lambda c: c.need.title,
)
PROJECT = _ops(ProjectFactory, "title", "共建项目{}")
MILESTONE = derived(
    "milestone",
    PROJECT,
    lambda p, placement: MilestoneFactory(project=p, title=f"节点{placement}"),
    show=lambda m: m.title,
)
PROGRESS_REPORT = derived(
    "report",
    PROJECT,
    lambda p, placement: ProgressReportFactory(project=p, work_done=f"完成工作{placement}"),
    show=lambda r: r.work_done,
)
# The review queue names each report by its project.
QUEUED_REPORT = dataclasses.replace(PROGRESS_REPORT, show=lambda r: r.project.title)
# The form pages about a record (add a photo, end a mentorship, set a stake) name its alliance.
MEETING_FORM, ACTIVITY_FORM, MENTORSHIP_FORM, PLATFORM_FORM = (
    dataclasses.replace(resource, show=lambda obj: obj.alliance.name)
    for resource in (MEETING, ACTIVITY, MENTORSHIP, PLATFORM)
)
MEETING_PHOTO = derived(
    "meeting-photo",
    MEETING,
    lambda m, placement: MeetingPhoto.objects.create(meeting=m, image=png_upload(), caption=f"会议照片{placement}"),
    show=lambda p: p.caption,
)
ACTIVITY_PHOTO = derived(
    "activity-photo",
    ACTIVITY,
    lambda a, placement: ActivityPhoto.objects.create(activity=a, image=png_upload(), caption=f"活动照片{placement}"),
    show=lambda p: p.caption,
)
# A meeting with its minutes as a PDF.
MINUTES = derived(
    "minutes",
    ALLIANCE,
    lambda a, placement: MeetingFactory(
        alliance=a, kind="annual", topics=f"年度述职{placement}", minutes_file=pdf("纪要.pdf")
    ),
    show=lambda m: m.topics,
)
SHAREHOLDING = derived(
    "shareholding", PLATFORM, lambda p, _placement: ShareholdingFactory(platform=p), show=lambda h: h.platform.name
)
# A returned report, waiting for its leader to fix it (two weeks back: not last week's).
RETURNED_REPORT = derived(
    "returned-report",
    PROJECT,
    lambda p, placement: ProgressReportFactory(
        project=p,
        period=current_week() - datetime.timedelta(weeks=2),
        status="returned",
        review_comment="请补充现场照片",
        work_done=f"退回的工作{placement}",
    ),
    show=lambda r: r.work_done,
)
ATTACHMENT = derived("attachment", PROGRESS_REPORT, lambda r, placement: attachment_of(r), show=str)
# Quarterly observations are published to a county (read by its staff and viewers, not by
# its townships' users: they list other townships' alliances); staff score the visits to
# the alliances they propose.
OBSERVATION = Resource(
    inside=lambda w: observation(w.county_a, w.alliance_a),
    outside=lambda w: observation(w.county_b, w.alliance_b),
    sibling=lambda w: observation(township(w.county_a, 2), w.alliance_a2),
    show=lambda r: proposed(r).name,
)
VETO = derived(
    "veto",
    ALLIANCE,
    lambda a, placement: VetoFinding.objects.create(
        alliance=a,
        kind="show_only",
        year=2026,
        note=f"活动只见展板{placement}",
        evidence_file=pdf("现场照片.pdf"),
        recorded_by=UserFactory(username="督查员"),
    ),
    show=lambda v: v.note,
)


def evidence_of(alliance: Alliance, placement: str) -> ManualScore:
    """A staff score of ``alliance`` with its evidence file (a PDF)."""
    scheme = AssessmentScheme.objects.get_or_create(
        region=alliance.lead_region, year=2026, defaults={"name": f"考评方案{placement}", "status": "active"}
    )[0]
    indicator = Indicator.objects.get_or_create(
        scheme=scheme, code="B1", defaults={"dimension": "brand", "name": "品牌影响", "max_score": 10}
    )[0]
    return ManualScore.objects.create(
        alliance=alliance,
        indicator=indicator,
        period_kind="year",
        period_start=datetime.date(2026, 1, 1),
        score=8,
        evidence=f"获奖证书{placement}",
        evidence_file=pdf("获奖证书.pdf"),
        scored_by=UserFactory(username=f"评分员{placement}"),
    )


# A staff score's evidence file, read by whoever sees the score's alliance.
EVIDENCE = derived("evidence", ALLIANCE, evidence_of, show=lambda s: s.evidence)


def assessed_2025(alliance: Alliance, placement: str) -> Assessment:
    """The alliance's 2025 assessment (under a scheme of its own region) and the published
    annual review of its region, so that its scorecard is out."""
    scheme = AssessmentScheme.objects.get_or_create(
        region=alliance.lead_region, year=2025, version=1, defaults={"name": f"考评方案{placement}", "status": "active"}
    )[0]
    Rollup.objects.get_or_create(
        kind="annual_review",
        period_start=datetime.date(2025, 1, 1),
        region=alliance.lead_region,
        defaults={"period_key": "2025", "report": {}, "status": "published", "version": 1},
    )
    return Assessment.objects.get_or_create(
        alliance=alliance,
        period_kind="year",
        period_start=datetime.date(2025, 1, 1),
        defaults={"scheme": scheme, "base_score": 80, "total_score": 80, "grade": "good"},
    )[0]


# An alliance's scorecard for 2025: whoever sees the alliance sees it.
SCORECARD = derived("scorecard", ALLIANCE, assessed_2025, show=lambda a: a.alliance.name)
# A notice is for its addressee alone: lily's progress reminder, bob's in county B and
# vera's in county A are each found by nobody else.
NOTICE = Resource(
    inside=lambda w: notice_for(w.lily, INSIDE),
    outside=lambda w: notice_for(w.bob, OUTSIDE),
    sibling=lambda w: notice_for(w.vera, SIBLING),
    show=lambda n: n.title,
)
API_TOKEN = Resource(
    inside=token_of(INSIDE, "alice", lambda w: w.town_a, "姜山镇大厅大屏"),
    outside=token_of(OUTSIDE, "bob", lambda w: w.county_b, "岱山指挥中心大屏"),
    sibling=token_of(SIBLING, "alice", lambda w: township(w.county_a, 2), "云龙镇大厅大屏"),
)
# Workshop employment of the last complete month, as the dashboard sums it: a different
# number in each placement, so a sum over the wrong workshops shows.
EMPLOYMENT = Resource(
    inside=employment(INSIDE, "a", 4242),
    outside=employment(OUTSIDE, "b", 7919),
    sibling=employment(SIBLING, "a_free", 6131),
    show=lambda r: f'"value": {r.employed}',
)
# Regions are public reference data: nothing is outside anybody's scope.
REGION = Resource(inside=lambda w: w.town_a)
# Where new rows go: a region (organizations, alliances) and an organization (people).
REGION_FOR_ORG = Resource(
    inside=lambda w: w.village_a, outside=lambda w: w.town_b, sibling=lambda w: sibling_org(w).region
)
# Where a new workshop goes: a village (with its host organization).
VILLAGE = Resource(
    inside=lambda w: w.village_a,
    outside=lambda w: shops(w).village_b,
    sibling=lambda w: shops(w).village_a2,
)
REGION_FOR_ALLIANCE = Resource(
    inside=lambda w: w.town_a, outside=lambda w: w.town_b, sibling=lambda w: township(w.county_a, 2)
)
# Where a work-chat robot goes: a county (city and county staff configure their own).
REGION_FOR_ROBOT = Resource(inside=lambda w: w.county_a, outside=lambda w: w.county_b)


def robot_for(region: Region, placement: str) -> WorkChatRobot:
    return WorkChatRobot.objects.get_or_create(
        region=region, defaults={"kind": "wecom", "webhook_url": f"https://qyapi.weixin.qq.com/{placement}"}
    )[0]


# A county's robot: city and county staff of its region see and change it; other roles
# have no robot pages (403).
ROBOT = Resource(
    inside=lambda w: robot_for(w.county_a, INSIDE),
    outside=lambda w: robot_for(w.county_b, OUTSIDE),
    show=lambda r: r.webhook_url,
)


def robot_form(w, robot) -> dict:
    return {"region": robot.region_id, "kind": "dingtalk", "webhook_url": robot.webhook_url, "secret": "SEC1"}


def preferences_form(w, _) -> dict:
    return {
        "reports__email": "on",
        "items__sms": "on",
        "quiet_enabled": "on",
        "quiet_starts": "22:00",
        "quiet_ends": "07:00",
    }


# A county's bulletin in draft: seen, regenerated and published only by staff whose region
# holds the county (county and city staff), never by township staff, leaders or viewers.
def draft_for(region: Region) -> Rollup:
    return Rollup.objects.get_or_create(
        kind="monthly_bulletin",
        period_start=datetime.date(2025, 9, 1),
        region=region,
        status="draft",
        defaults={"period_key": "2025-09", "version": None, "report": {"summary": [], "tables": []}},
    )[0]


DRAFT = Resource(
    inside=lambda w: draft_for(w.county_a), outside=lambda w: draft_for(w.county_b), show=lambda r: r.period.label
)
# Where a rollup is drafted by hand: a county.
COUNTY_FOR_ROLLUP = Resource(inside=lambda w: w.county_a, outside=lambda w: w.county_b)
PUBLISHERS = frozenset({CITY, COUNTY})


def department_of(county, name: str):
    return lambda w: Department.objects.get_or_create(county=county(w), name=name)[0]


def tracked(placement: str, state: str):
    """A tracked item of alliance A1 (inside), B1 (outside) or A2 (sibling) in ``state``
    (new, assigned or handled), assigned to a department of its county with a liaison."""

    def build(w):
        def make():
            alliance = {INSIDE: w.alliance_a, OUTSIDE: w.alliance_b, SIBLING: w.alliance_a2}[placement]
            county, staff = (w.county_b, w.bob) if placement == OUTSIDE else (w.county_a, w.alice)
            department = Department.objects.get_or_create(county=county, name=f"督办测试局{placement}")[0]
            liaison = liaison_of(department, f"liaison-{placement}")
            item = tracking.item_raise(actor=staff, alliance=alliance, title=f"督办事项{state}{placement}")
            if state == "new":
                return item
            deadline = local_today() + datetime.timedelta(days=7)
            item = tracking.item_assign(actor=staff, item=item, assignee=department, deadline=deadline)
            if state == "handled":
                item = tracking.item_mark_handled(actor=liaison, item=item, note="已办结")
            return item

        return made(w, f"item-{placement}-{state}", make)

    return build


def tracked_items(state: str) -> Resource:
    return Resource(
        inside=tracked(INSIDE, state),
        outside=tracked(OUTSIDE, state),
        sibling=tracked(SIBLING, state),
        show=lambda item: item.title,
    )


ITEM = tracked_items("assigned")
NEW_ITEM = tracked_items("new")
HANDLED_ITEM = tracked_items("handled")


def assignment(w, item) -> dict:
    department = Department.objects.get_or_create(county=w.county_a, name="督办交办局")[0]
    return {"assignee": department.pk, "deadline": (local_today() + datetime.timedelta(days=5)).isoformat()}


# A county's department list: its county, the city above and its townships read it (a
# leader has no department); city and county staff keep it.
DEPARTMENT = Resource(
    inside=department_of(lambda w: w.county_a, "鄞州区交通运输局"),
    outside=department_of(lambda w: w.county_b, "岱山县水利局"),
)
NOT_SEEING_DRAFTS = frozenset({TOWNSHIP, LEADER, VIEWER})


def proposal_for(region: Region, alliance: Alliance, placement: str) -> Proposal:
    return Proposal.objects.get_or_create(
        kind="interview",
        year=2025,
        alliance=alliance,
        defaults={"region": region, "basis": f"年度考评一般{placement}"},
    )[0]


# A consequence a county's annual review proposes: decided by the county's staff and the
# city's; township staff and leaders never see one. The sibling is about alliance A2 (led
# in 云龙镇): the same county's proposal, about another township's alliance.
PROPOSAL = Resource(
    inside=lambda w: proposal_for(w.county_a, w.alliance_a, INSIDE),
    outside=lambda w: proposal_for(w.county_b, w.alliance_b, OUTSIDE),
    sibling=lambda w: proposal_for(w.county_a, w.alliance_a2, SIBLING),
    show=lambda p: p.basis,
)


# --------------------------------------------------------------------------- form data


def organization_form(w, org: MemberOrganization) -> dict:
    return {
        "name": f"{org.name}（改）",
        "kind": org.kind,
        "region": org.region_id,
        "star_rating": org.star_rating or "",
        "contact_phone": org.contact_phone,
    }


def person_form(w, person: Person) -> dict:
    return {
        "name": f"{person.name}改",
        "mobile": person.mobile,
        "id_number": person.id_number,
        "organization": person.organization_id,
        "title": "委员",
        "is_party_member": "on",
    }


def alliance_form(w, alliance: Alliance) -> dict:
    return {
        "code": alliance.code,
        "name": f"{alliance.name}（改）",
        "formation_mode": alliance.formation_mode,
        "scope": alliance.scope,
        "lead_region": alliance.lead_region_id,
        "founded_on": alliance.founded_on.isoformat(),
        "status": alliance.status,
        "version": alliance.version,
    }


def new_alliance(region: Region, *, api: bool) -> dict:
    return {
        "code": "LM-NEW-1",
        "name": "新建联盟",
        "formation_mode": "neighbour",
        "scope": "cross_region",
        "lead_region": region.code if api else region.pk,
        "founded_on": TODAY,
        "status": "forming",
    }


def workshop_form(w, shop) -> dict:
    return {
        "name": f"{shop.name}（改）",
        "type": shop.type,
        "region": shop.region_id,
        "host": shop.host_id,
        "opened_on": shop.opened_on.isoformat(),
        "status": shop.status,
    }


def new_workshop(w, region: Region, *, api: bool) -> dict:
    host = MemberOrganization.objects.get_or_create(name="新工坊承办单位", region=region, defaults={"kind": "village"})[
        0
    ]
    return {
        "name": "新建共富工坊",
        "type": "processing",
        "region": region.code if api else region.pk,
        "host": host.pk,
        "opened_on": "2024-01-01",
        "status": "active",
    }


FIGURES = {
    "employed": 12,
    "low_income_employed": 3,
    "wages_paid": "30000.00",
    "income_increase_per_person": "1800.00",
    "sales": "90000.00",
}
REPORTERS = STAFF | {LEADER}  # and the workshop's steward
# Meetings, activities, mentorships, needs, resources and claims: staff covering the
# alliance and its own leader (alliances.services.require_alliance_write).
RECORDERS = STAFF | {LEADER}


def nothing(w, obj) -> dict:
    """The body of a POST or DELETE that sends no fields (remove, confirm)."""
    return {}


def photo(w, record) -> dict:
    return {"image": png_upload(), "caption": "现场照片"}


def apprentice(w) -> Person:
    """Somebody of alliance A1's member organization, to be mentored by 王建国."""
    return Person.objects.get_or_create(name="帮带徒弟", organization=w.org_a)[0]


def new_meeting(w) -> dict:
    return {
        "kind": "quarterly",
        "held_on": "2025-06-02",
        "place": "党群服务中心",
        "topics": "新会议议题",
        "attending_organizations": [w.org_a.pk],
        "attendees": [w.person_a.pk],
    }


def meeting_form(w, meeting) -> dict:
    return {
        "kind": meeting.kind,
        "held_on": meeting.held_on.isoformat(),
        "place": meeting.place,
        "topics": f"{meeting.topics}（改）",
    }


def new_activity(w) -> dict:
    return {
        "kind": "joint_event",
        "title": "新联合活动",
        "held_on": "2025-06-02",
        "participant_count": 30,
        "summary": "成员单位联合开展志愿服务。",
        "participating_organizations": [w.org_a.pk],
    }


def activity_form(w, activity) -> dict:
    return {
        "kind": activity.kind,
        "title": f"{activity.title}（改）",
        "held_on": activity.held_on.isoformat(),
        "summary": activity.summary,
    }


def new_mentorship(w) -> dict:
    return {"mentor": w.person_a.pk, "mentor_title": "金牌导师", "apprentice": apprentice(w).pk, "started_on": TODAY}


NEW_PLATFORM = {
    "name": "新建共富公司",
    "kind": "common_prosperity",
    "ownership": "multi_village",
    "registered_capital": "1000000.00",
}


def platform_form(w, platform) -> dict:
    return {
        "name": f"{platform.name}（改）",
        "kind": platform.kind,
        "ownership": platform.ownership,
        "registered_capital": str(platform.registered_capital),
    }


def stake(w, platform) -> dict:
    return {"organization": w.org_a.pk, "percentage": "30.00"}


NEW_NEED = {"title": "新发布需求", "category": "infrastructure", "posted_on": "2025-06-02"}
NEW_RESOURCE = {"title": "新发布资源", "category": "land", "quantity": "30.00", "unit": "亩", "posted_on": "2025-06-02"}


def need_form(w, need) -> dict:
    return {"title": f"{need.title}（改）", "category": need.category, "posted_on": need.posted_on.isoformat()}


def resource_form(w, resource) -> dict:
    return {
        "title": f"{resource.title}（改）",
        "category": resource.category,
        "quantity": str(resource.quantity),
        "unit": resource.unit,
        "posted_on": resource.posted_on.isoformat(),
    }


def claim_for_org_a(w, entry) -> dict:
    """Claim for 走马塘村党委: in every staff scope and a member of lily's alliance."""
    return {"claimant_organization": w.org_a.pk, "offer": "出资出力共同推进"}


def start(w, claim) -> dict:
    return {"started_on": TODAY}


def close(w, claim) -> dict:
    return {"note": "已协调办结", "closed_on": TODAY}


FUNDS = {
    "funds_higher_level": "0",
    "funds_self_raised": "0",
    "funds_common_prosperity": "0",
    "funds_social_capital": "0",
}


def new_project(w, alliance: Alliance) -> dict:
    today = local_today()
    return {
        "alliance": alliance.pk,
        "status": "planned",
        "year": today.year,
        "title": "新建共建项目",
        "category": "industry",
        "start_on": today.isoformat(),
        "due_on": (today + datetime.timedelta(days=90)).isoformat(),
        **FUNDS,
    }


def project_form(w, project) -> dict:
    return {
        "year": project.year,
        "title": f"{project.title}（改）",
        "category": project.category,
        "start_on": project.start_on.isoformat(),
        "due_on": project.due_on.isoformat(),
        "version": project.version,
        **FUNDS,
    }


def delay(w, project) -> dict:
    return {"status": "delayed", "version": project.version}


def new_milestone(w, project) -> dict:
    return {"title": "新增节点", "due_on": (local_today() + datetime.timedelta(days=10)).isoformat()}


def weekly_report(w, project) -> dict:
    """This week's report with a photo (the leader reports from the site)."""
    return {
        "period": current_week().isoformat(),
        "percent_complete": 35,
        "work_done": "完成主体施工",
        "attachments": [photo_file("现场.jpg")],
    }


def fixed_report(w, report) -> dict:
    return {"percent_complete": report.percent_complete, "work_done": "补充了现场照片和说明"}


def accept(w, report) -> dict:
    return {"decision": "accepted", "comment": ""}


def visit(w, rollup) -> dict:
    return {"alliance": proposed(rollup).pk, "visited_on": "2026-10-15", "score": "92", "notes": "项目推进扎实"}


def import_job_of(username: str):
    """A checked upload of ``username``'s, ready to confirm (its file is not needed: the
    confirmation only queues the import)."""

    def build(w) -> ImportJob:
        owner = getattr(w, username)
        return ImportJob.objects.get_or_create(
            owner=owner,
            filename=f"{username}-成员单位.xlsx",
            defaults={
                "region_id": scope_for(owner).region_id,
                "sha256": "0" * 64,
                "state": ImportState.PREVIEWED,
                "summary": {"ok": True, "counts": {"create": 1, "update": 0, "unchanged": 0, "error": 0}},
            },
        )[0]

    return build


# An upload is seen by its owner (tina, township A) and by staff above them, for audit.
IMPORT_JOB = Resource(inside=import_job_of("tina"), outside=import_job_of("bob"), show=lambda job: job.filename)


# --------------------------------------------------------------------------- pages
# Every named URL except the Django admin (its own permission system, tested in
# tests/alliances/test_admin.py) and the API router's names (covered by API below).

PAGES = {
    "home": fixed(ok=frozenset({302})),
    "login": fixed(readers=EVERYONE, ok=frozenset({200, 302})),
    "logout": fixed(method="post", data=lambda w, _: {}, writers=EVERYONE, ok=frozenset({302})),
    "set_language": fixed(
        method="post", data=lambda w, _: {"language": "en", "next": "/"}, writers=EVERYONE, ok=frozenset({302})
    ),
    "login-code": fixed(readers=EVERYONE, ok=frozenset({200, 302})),
    "password-reset": fixed(readers=EVERYONE),
    # Without a code checked first, the new-password page sends back to the number.
    "password-reset-new": fixed(readers=EVERYONE, ok=frozenset({302})),
    "schema": fixed(readers=EVERYONE),
    "swagger-ui": fixed(readers=EVERYONE),
    "api-root": fixed(api=True),
    "members:organization-list": listing(ORGANIZATION),
    "members:organization-detail": detail(ORGANIZATION),
    "members:organization-create": create_form(
        REGION_FOR_ORG, lambda w, region: {"name": "新建单位", "kind": "village", "region": region.pk}
    ),
    "members:organization-edit": form(ORGANIZATION, organization_form),
    "members:person-create": create_form(ORGANIZATION, lambda w, org: {"name": "新人员", "organization": org.pk}),
    "members:person-edit": form(PERSON, person_form),
    "alliances:list": listing(ALLIANCE),
    # The alliance pickers' type-ahead: the alliances of the user's own scope only.
    "alliances:lookup": listing(ALLIANCE),
    "alliances:detail": detail(ALLIANCE),
    "alliances:create": create_form(REGION_FOR_ALLIANCE, lambda w, region: new_alliance(region, api=False)),
    "alliances:edit": form(ALLIANCE, alliance_form),
    "alliances:membership-add": form(
        ALLIANCE, lambda w, a: {"organization": fresh_org(w).pk, "role": "member", "joined_on": TODAY}
    ),
    "alliances:membership-end": form(MEMBERSHIP, lambda w, m: {"left_on": TODAY}, args=lambda m: [m.alliance_id, m.pk]),
    "alliances:teamrole-assign": form(
        ALLIANCE, lambda w, a: {"person": w.person_a.pk, "role": "advisor", "started_on": TODAY}
    ),
    "alliances:teamrole-end": form(TEAM_ROLE, lambda w, r: {"ended_on": TODAY}, args=lambda r: [r.alliance_id, r.pk]),
    "workshops:list": listing(WORKSHOP),
    "workshops:summary": fixed(),
    "workshops:detail": detail(WORKSHOP),
    "workshops:create": create_form(VILLAGE, lambda w, r: new_workshop(w, r, api=False), readers=STAFF),
    "workshops:edit": form(WORKSHOP, workshop_form, readers=STAFF),
    "workshops:report-create": form(
        WORKSHOP, lambda w, shop: {"month": "2025-02", **FIGURES}, readers=REPORTERS, writers=REPORTERS
    ),
    "workshops:report-edit": form(
        WORKSHOP_REPORT, lambda w, r: {"month": "2025-01", **FIGURES}, readers=REPORTERS, writers=REPORTERS
    ),
    "alliances:meeting-list": listing(MEETING),
    "alliances:meeting-detail": detail(MEETING),
    "alliances:meeting-create": form(
        ALLIANCE,
        lambda w, a: {**new_meeting(w), "minutes_file": pdf("纪要.pdf")},
        readers=RECORDERS,
        writers=RECORDERS,
    ),
    "alliances:meeting-edit": form(MEETING, meeting_form, readers=RECORDERS, writers=RECORDERS),
    "alliances:meeting-minutes": detail(MINUTES, binary=True),
    "alliances:meeting-photo-add": form(MEETING_FORM, photo, readers=RECORDERS, writers=RECORDERS),
    "alliances:photo-file": detail(MEETING_PHOTO, binary=True, args=lambda p: ["meeting", p.pk]),
    "alliances:photo-remove": update(
        ACTIVITY_PHOTO, nothing, method="post", writers=RECORDERS, args=lambda p: ["activity", p.pk]
    ),
    "alliances:activity-list": listing(ACTIVITY),
    "alliances:activity-detail": detail(ACTIVITY),
    "alliances:activity-create": form(ALLIANCE, lambda w, a: new_activity(w), readers=RECORDERS, writers=RECORDERS),
    "alliances:activity-edit": form(ACTIVITY, activity_form, readers=RECORDERS, writers=RECORDERS),
    "alliances:activity-photo-add": form(ACTIVITY_FORM, photo, readers=RECORDERS, writers=RECORDERS),
    "alliances:mentorship-list": listing(MENTORSHIP),
    "alliances:mentorship-detail": detail(MENTORSHIP),
    "alliances:mentorship-create": form(ALLIANCE, lambda w, a: new_mentorship(w), readers=RECORDERS, writers=RECORDERS),
    "alliances:mentorship-edit": form(
        MENTORSHIP,
        lambda w, m: {"mentor_title": "兴村治社名师", "started_on": m.started_on.isoformat(), "goals": "带出一名书记"},
        readers=RECORDERS,
        writers=RECORDERS,
    ),
    "alliances:mentorship-end": form(
        MENTORSHIP_FORM, lambda w, m: {"ended_on": TODAY}, readers=RECORDERS, writers=RECORDERS
    ),
    "alliances:platform-list": listing(PLATFORM),
    "alliances:platform-detail": detail(PLATFORM),
    # Platforms and their shareholders are managed by staff only.
    "alliances:platform-create": form(ALLIANCE, lambda w, a: NEW_PLATFORM, readers=STAFF),
    "alliances:platform-edit": form(PLATFORM, platform_form, readers=STAFF),
    "alliances:shareholding-set": form(PLATFORM_FORM, stake, readers=STAFF),
    "alliances:shareholding-remove": update(SHAREHOLDING, nothing, method="post"),
    "alliances:need-list": listing(NEED),
    "alliances:need-detail": detail(NEED),
    "alliances:need-create": form(ALLIANCE, lambda w, a: NEW_NEED, readers=RECORDERS, writers=RECORDERS),
    "alliances:need-edit": form(NEED, need_form, readers=RECORDERS, writers=RECORDERS),
    "alliances:need-claim": form(NEED, claim_for_org_a, readers=RECORDERS, writers=RECORDERS),
    "alliances:resource-list": listing(RESOURCE),
    "alliances:resource-detail": detail(RESOURCE),
    "alliances:resource-create": form(ALLIANCE, lambda w, a: NEW_RESOURCE, readers=RECORDERS, writers=RECORDERS),
    "alliances:resource-edit": form(RESOURCE, resource_form, readers=RECORDERS, writers=RECORDERS),
    "alliances:resource-claim": form(RESOURCE, claim_for_org_a, readers=RECORDERS, writers=RECORDERS),
    "alliances:claim-list": listing(CLAIM),
    "alliances:claim-detail": detail(CLAIM),
    # The poster's side or the claimant's side moves a claim along.
    "alliances:claim-start": form(CLAIM, start, readers=RECORDERS, writers=RECORDERS),
    "alliances:claim-resolve": form(CLAIM_IN_PROGRESS, close, readers=RECORDERS, writers=RECORDERS),
    "alliances:claim-withdraw": form(CLAIM, close, readers=RECORDERS, writers=RECORDERS),
    "projects:list": listing(PROJECT),
    "projects:detail": detail(PROJECT),
    # Staff manage projects and milestones.
    "projects:create": create_form(ALLIANCE, new_project),
    "projects:edit": form(PROJECT, project_form),
    "projects:status": form(PROJECT, delay),
    "projects:milestone-add": form(PROJECT, new_milestone),
    "projects:milestone-edit": form(
        MILESTONE,
        lambda w, m: {"title": f"{m.title}（改）", "due_on": m.due_on.isoformat()},
        args=lambda m: [m.project_id, m.pk],
    ),
    # The alliance's leader reports, and fixes a returned report; staff review it.
    "projects:report-submit": form(PROJECT, weekly_report, writers=frozenset({LEADER})),
    "projects:report-fix": form(RETURNED_REPORT, fixed_report, writers=frozenset({LEADER})),
    # A report's page is read by everyone who sees it; staff review it there.
    "projects:report-detail": form(PROGRESS_REPORT, accept, readers=READERS),
    "projects:attachment": detail(ATTACHMENT, binary=True),
    # Per-user pages about no one object: each shows the user's own scope.
    "evaluations:dashboard": fixed(),
    "projects:my-work": fixed(ok=frozenset({200, 302})),  # a leader's page; others are sent on
    "projects:review-queue": listing(QUEUED_REPORT),
    # 通过所选: staff only (others 403); with nothing ticked it goes back to the queue.
    "projects:review-accept": fixed(method="post", data=lambda w, _: {}, writers=STAFF, ok=frozenset({302})),
    "members:import": fixed(readers=STAFF),
    # An upload runs as a job: its page and status are read by staff who see it; only the
    # user who uploaded it confirms or cancels it (the others get 403).
    "members:import-job": detail(IMPORT_JOB, readers=STAFF),
    "members:import-job-status": detail(IMPORT_JOB, readers=STAFF, binary=True),
    "members:import-confirm": update(
        IMPORT_JOB, lambda w, job: {}, method="post", readers=STAFF, writers=frozenset({TOWNSHIP})
    ),
    "members:import-cancel": update(
        IMPORT_JOB, lambda w, job: {}, method="post", readers=STAFF, writers=frozenset({TOWNSHIP})
    ),
    # The region pickers' type-ahead: the regions of the user's own scope only.
    "members:region-lookup": listing(REGION_FOR_ORG),
    # The organization and person pickers' type-ahead: the rows the user may see only.
    "members:organization-lookup": listing(ORGANIZATION),
    "members:person-lookup": listing(PERSON),
    "members:token-list": fixed(readers=STAFF),
    "members:login-list": fixed(readers=LOGIN_MANAGERS),
    "members:person-login": detail(PERSON, readers=LOGIN_MANAGERS),
    # The answer to opening a login or a temporary password is the page showing it once (200).
    "members:login-create": form(
        PERSON,
        lambda w, p: {"role": "department_liaison", "department": DEPARTMENT.inside(w).pk, "username": "liaison-a"},
        writers=LOGIN_MANAGERS,
        ok=frozenset({200}),
    ),
    "members:login-password": form(
        LOGIN_PERSON,
        lambda w, p: {"method": "temporary"},
        writers=LOGIN_MANAGERS,
        invisible=frozenset({LEADER}),
        ok=frozenset({200}),
    ),
    "members:login-disable": form(
        LOGIN_PERSON, lambda w, p: {"note": "任期届满"}, writers=LOGIN_MANAGERS, invisible=frozenset({LEADER})
    ),
    # Tracked items: staff raise them and county or city staff assign them; the assigned
    # department's liaison (a role outside this matrix: tests/tracking/test_pages.py)
    # replies and marks them handled; the alliance's leader confirms or reopens them.
    "tracking:list": listing(ITEM),
    "tracking:detail": detail(ITEM),
    "tracking:raise": create_form(ALLIANCE, lambda w, a: {"alliance": a.pk, "title": "村道拓宽需协调"}),
    "tracking:assign": form(NEW_ITEM, assignment, writers=PUBLISHERS),
    "tracking:reply": form(ITEM, lambda w, i: {"note": "已答复"}, writers=frozenset()),
    "tracking:handle": form(ITEM, lambda w, i: {"note": "已办结"}, writers=frozenset()),
    "tracking:confirm": form(HANDLED_ITEM, lambda w, i: {"rating": 5}, writers=frozenset({LEADER})),
    "tracking:reopen": form(HANDLED_ITEM, lambda w, i: {"note": "仍未解决"}, writers=frozenset({LEADER})),
    # The bell's pages: a notice is for its addressee alone.
    "notices:list": listing(NOTICE, invisible=READERS - {LEADER}),
    "notices:read": update(
        NOTICE, lambda w, n: {"next": "/"}, method="post", writers=frozenset({LEADER}), invisible=READERS - {LEADER}
    ),
    "members:department-list": listing(DEPARTMENT, invisible=frozenset({LEADER})),
    "members:department-detail": detail(DEPARTMENT, invisible=frozenset({LEADER})),
    "members:department-create": create_form(
        COUNTY_FOR_ROLLUP,
        lambda w, r: {"county": r.pk, "name": "新建局", "kind": "county_department"},
        writers=PUBLISHERS,
    ),
    "members:department-edit": form(
        DEPARTMENT,
        lambda w, d: {"name": f"{d.name}（改）", "kind": d.kind},
        writers=PUBLISHERS,
        invisible=frozenset({LEADER}),
    ),
    "members:department-retire": update(
        DEPARTMENT, nothing, method="post", writers=PUBLISHERS, invisible=frozenset({LEADER})
    ),
    "notices:read-all": fixed(method="post", data=lambda w, _: {}, writers=READERS, ok=frozenset({302})),
    "notices:settings": form(None, preferences_form, writers=READERS - {VIEWER}),
    "notices:robot-list": listing(ROBOT, readers=frozenset({CITY, COUNTY})),
    "notices:robot-create": create_form(
        REGION_FOR_ROBOT,
        lambda w, region: {"region": region.pk, "kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/new"},
        writers=frozenset({CITY, COUNTY}),
    ),
    "notices:robot-edit": form(
        ROBOT,
        robot_form,
        writers=frozenset({CITY, COUNTY}),
        readers=frozenset({CITY, COUNTY}),
    ),
    # The form redirects to the page that shows the new token's key once, never again.
    "members:token-create": create_form(
        REGION_FOR_ALLIANCE, lambda w, r: {"name": "大厅大屏", "region": r.pk}, readers=STAFF
    ),
    "members:token-revoke": update(API_TOKEN, nothing, method="post"),
    "evaluations:score-create": fixed(readers=STAFF),
    "evaluations:veto-list": fixed(readers=STAFF),
    "evaluations:veto-create": fixed(readers=STAFF),
    "evaluations:veto-confirm": update(VETO, nothing, method="post"),
    "evaluations:evidence-file": detail(EVIDENCE, binary=True),
    # A finding's evidence goes to whoever sees the finding (its alliance).
    "evaluations:veto-evidence-file": detail(VETO, binary=True),
    "evaluations:rollup-list": listing(ROLLUP, invisible=frozenset({LEADER})),
    "evaluations:rollup-detail": detail(ROLLUP, invisible=frozenset({LEADER})),
    "evaluations:rollup-visit": form(OBSERVATION, visit, readers=STAFF, invisible=frozenset({LEADER, TOWNSHIP})),
    "evaluations:rollup-xlsx": detail(ROLLUP, invisible=frozenset({LEADER}), binary=True),
    "evaluations:rollup-create": create_form(
        COUNTY_FOR_ROLLUP,
        lambda w, r: {"kind": "monthly_bulletin", "period": "2025-06", "region": r.pk},
        readers=STAFF,
        writers=PUBLISHERS,
    ),
    "evaluations:rollup-publish": update(
        DRAFT, lambda w, r: {"reason": ""}, method="post", writers=PUBLISHERS, invisible=NOT_SEEING_DRAFTS
    ),
    "evaluations:proposal-list": listing(
        PROPOSAL, readers=frozenset({CITY, COUNTY, VIEWER}), invisible=frozenset({TOWNSHIP, LEADER})
    ),
    "evaluations:proposal-decide": update(
        PROPOSAL,
        lambda w, p: {"decision": "confirmed", "reason": "经研究同意约谈"},
        method="post",
        writers=PUBLISHERS,
        invisible=frozenset({TOWNSHIP, LEADER}),
    ),
    "evaluations:rollup-regenerate": update(
        DRAFT, nothing, method="post", writers=PUBLISHERS, invisible=NOT_SEEING_DRAFTS
    ),
    "evaluations:scorecard": detail(SCORECARD, args=lambda a: [a.alliance.code, "2025"]),
}


# --------------------------------------------------------------------------- API
# Every operation of the OpenAPI schema, by path and method.

API = {
    ("/api/v1/regions/", "get"): listing(REGION),
    ("/api/v1/regions/{id}/", "get"): detail(REGION),
    ("/api/v1/organizations/", "get"): listing(ORGANIZATION),
    ("/api/v1/organizations/", "post"): create(
        REGION_FOR_ORG, lambda w, region: {"name": "新建单位", "kind": "village", "region": region.code}
    ),
    ("/api/v1/organizations/{id}/", "get"): detail(ORGANIZATION),
    ("/api/v1/organizations/{id}/", "patch"): update(ORGANIZATION, lambda w, o: {"star_rating": 5}),
    ("/api/v1/people/", "get"): listing(PERSON),
    ("/api/v1/people/", "post"): create(ORGANIZATION, lambda w, org: {"name": "新人员", "organization": org.pk}),
    ("/api/v1/people/{id}/", "get"): detail(PERSON),
    ("/api/v1/people/{id}/", "patch"): update(PERSON, lambda w, p: {"title": "委员"}),
    ("/api/v1/alliances/", "get"): listing(ALLIANCE),
    ("/api/v1/alliances/", "post"): create(REGION_FOR_ALLIANCE, lambda w, region: new_alliance(region, api=True)),
    ("/api/v1/alliances/{id}/", "get"): detail(ALLIANCE),
    ("/api/v1/alliances/{id}/", "patch"): update(ALLIANCE, lambda w, a: {"description": "改", "version": a.version}),
    ("/api/v1/memberships/", "get"): listing(MEMBERSHIP),
    ("/api/v1/memberships/", "post"): create(
        ALLIANCE, lambda w, a: {"alliance": a.pk, "organization": fresh_org(w).pk, "joined_on": TODAY}
    ),
    ("/api/v1/memberships/{id}/", "get"): detail(MEMBERSHIP),
    ("/api/v1/memberships/{id}/", "patch"): update(MEMBERSHIP, lambda w, m: {"left_on": TODAY}),
    ("/api/v1/team-roles/", "get"): listing(TEAM_ROLE),
    ("/api/v1/team-roles/", "post"): create(
        ALLIANCE, lambda w, a: {"alliance": a.pk, "person": w.person_a.pk, "role": "advisor", "started_on": TODAY}
    ),
    ("/api/v1/team-roles/{id}/", "get"): detail(TEAM_ROLE),
    ("/api/v1/team-roles/{id}/", "patch"): update(TEAM_ROLE, lambda w, r: {"ended_on": TODAY}),
    ("/api/v1/workshops/", "get"): listing(WORKSHOP),
    ("/api/v1/workshops/", "post"): create(VILLAGE, lambda w, region: new_workshop(w, region, api=True)),
    ("/api/v1/workshops/{id}/", "get"): detail(WORKSHOP),
    ("/api/v1/workshops/{id}/", "patch"): update(WORKSHOP, lambda w, s: {"has_team": not s.has_team}),
    ("/api/v1/workshops/summary/", "get"): fixed(),
    ("/api/v1/workshop-reports/", "get"): listing(WORKSHOP_REPORT),
    ("/api/v1/workshop-reports/", "post"): create(
        WORKSHOP, lambda w, shop: {"workshop": shop.pk, "month": "2025-02", **FIGURES}, writers=REPORTERS
    ),
    ("/api/v1/workshop-reports/{id}/", "get"): detail(WORKSHOP_REPORT),
    ("/api/v1/workshop-reports/{id}/", "patch"): update(
        WORKSHOP_REPORT, lambda w, r: {"employed": 30}, writers=REPORTERS
    ),
    ("/api/v1/meetings/", "get"): listing(MEETING),
    ("/api/v1/meetings/", "post"): create(
        ALLIANCE, lambda w, a: {"alliance": a.pk, **new_meeting(w)}, writers=RECORDERS
    ),
    ("/api/v1/meetings/{id}/", "get"): detail(MEETING),
    ("/api/v1/meetings/{id}/", "patch"): update(MEETING, lambda w, m: {"decisions": "议定事项"}, writers=RECORDERS),
    ("/api/v1/meetings/{id}/photos/", "post"): update(MEETING, photo, method="post", multipart=True, writers=RECORDERS),
    ("/api/v1/activities/", "get"): listing(ACTIVITY),
    ("/api/v1/activities/", "post"): create(
        ALLIANCE, lambda w, a: {"alliance": a.pk, **new_activity(w)}, writers=RECORDERS
    ),
    ("/api/v1/activities/{id}/", "get"): detail(ACTIVITY),
    ("/api/v1/activities/{id}/", "patch"): update(ACTIVITY, lambda w, a: {"place": "村文化礼堂"}, writers=RECORDERS),
    ("/api/v1/activities/{id}/photos/", "post"): update(
        ACTIVITY, photo, method="post", multipart=True, writers=RECORDERS
    ),
    ("/api/v1/mentorships/", "get"): listing(MENTORSHIP),
    ("/api/v1/mentorships/", "post"): create(
        ALLIANCE, lambda w, a: {"alliance": a.pk, **new_mentorship(w)}, writers=RECORDERS
    ),
    ("/api/v1/mentorships/{id}/", "get"): detail(MENTORSHIP),
    ("/api/v1/mentorships/{id}/", "patch"): update(
        MENTORSHIP, lambda w, m: {"goals": "带出一名书记"}, writers=RECORDERS
    ),
    ("/api/v1/platforms/", "get"): listing(PLATFORM),
    ("/api/v1/platforms/", "post"): create(ALLIANCE, lambda w, a: {"alliance": a.pk, **NEW_PLATFORM}),
    ("/api/v1/platforms/{id}/", "get"): detail(PLATFORM),
    ("/api/v1/platforms/{id}/", "patch"): update(PLATFORM, lambda w, p: {"business_scope": "农产品加工"}),
    ("/api/v1/platforms/{id}/shareholdings/", "post"): update(PLATFORM, stake, method="post"),
    ("/api/v1/platforms/{id}/shareholdings/{holding_pk}/", "delete"): update(
        SHAREHOLDING, nothing, method="delete", args=lambda h: [h.platform_id, h.pk]
    ),
    ("/api/v1/needs/", "get"): listing(NEED),
    ("/api/v1/needs/", "post"): create(ALLIANCE, lambda w, a: {"alliance": a.pk, **NEW_NEED}, writers=RECORDERS),
    ("/api/v1/needs/{id}/", "get"): detail(NEED),
    ("/api/v1/needs/{id}/", "patch"): update(NEED, lambda w, n: {"description": "急需"}, writers=RECORDERS),
    ("/api/v1/resources/", "get"): listing(RESOURCE),
    ("/api/v1/resources/", "post"): create(
        ALLIANCE, lambda w, a: {"alliance": a.pk, **NEW_RESOURCE}, writers=RECORDERS
    ),
    ("/api/v1/resources/{id}/", "get"): detail(RESOURCE),
    ("/api/v1/resources/{id}/", "patch"): update(
        RESOURCE, lambda w, r: {"description": "可长期租用"}, writers=RECORDERS
    ),
    ("/api/v1/claims/", "get"): listing(CLAIM),
    ("/api/v1/claims/", "post"): create(NEED, lambda w, n: {"need": n.pk, **claim_for_org_a(w, n)}, writers=RECORDERS),
    ("/api/v1/claims/{id}/", "get"): detail(CLAIM),
    ("/api/v1/claims/{id}/start/", "post"): update(CLAIM, start, method="post", writers=RECORDERS),
    ("/api/v1/claims/{id}/resolve/", "post"): update(CLAIM_IN_PROGRESS, close, method="post", writers=RECORDERS),
    ("/api/v1/claims/{id}/withdraw/", "post"): update(CLAIM, close, method="post", writers=RECORDERS),
    ("/api/v1/projects/", "get"): listing(PROJECT),
    ("/api/v1/projects/", "post"): create(ALLIANCE, new_project),
    ("/api/v1/projects/{id}/", "get"): detail(PROJECT),
    ("/api/v1/projects/{id}/", "patch"): update(PROJECT, lambda w, p: {"description": "改", "version": p.version}),
    ("/api/v1/projects/{id}/status/", "post"): update(PROJECT, delay, method="post"),
    ("/api/v1/projects/{id}/reports/", "post"): update(
        PROJECT, weekly_report, method="post", multipart=True, writers=frozenset({LEADER})
    ),
    ("/api/v1/milestones/", "get"): listing(MILESTONE),
    ("/api/v1/milestones/", "post"): create(PROJECT, lambda w, p: {"project": p.pk, **new_milestone(w, p)}),
    ("/api/v1/milestones/{id}/", "get"): detail(MILESTONE),
    ("/api/v1/milestones/{id}/", "patch"): update(MILESTONE, lambda w, m: {"title": f"{m.title}（改）"}),
    ("/api/v1/progress-reports/", "get"): listing(PROGRESS_REPORT),
    ("/api/v1/progress-reports/", "post"): create(
        PROJECT,
        lambda w, p: {"project": p.pk, **weekly_report(w, p), "attachments": []},
        writers=frozenset({LEADER}),
    ),
    ("/api/v1/progress-reports/{id}/", "get"): detail(PROGRESS_REPORT),
    ("/api/v1/progress-reports/{id}/", "patch"): update(RETURNED_REPORT, fixed_report, writers=frozenset({LEADER})),
    ("/api/v1/progress-reports/{id}/review/", "post"): update(PROGRESS_REPORT, accept, method="post"),
    ("/api/v1/tracked-items/", "get"): listing(ITEM),
    ("/api/v1/tracked-items/{id}/", "get"): detail(ITEM),
    # The big-screen figures, summed over the caller's scope.
    ("/api/v1/dashboard/summary/", "get"): listing(EMPLOYMENT),
    ("/api/v1/dashboard/timeseries/", "get"): listing(
        EMPLOYMENT, params=lambda w, _: {"metric": "workshop_employed", "months": 3}
    ),
    ("/api/v1/rollups/", "get"): listing(ROLLUP, invisible=frozenset({LEADER})),
    ("/api/v1/rollups/{id}/", "get"): detail(ROLLUP, invisible=frozenset({LEADER})),
    # Roles that never write are refused (403) before any lookup; township staff do not find a draft.
    ("/api/v1/rollups/{id}/publish/", "post"): update(
        DRAFT, lambda w, r: {"reason": ""}, method="post", writers=PUBLISHERS, invisible=frozenset({TOWNSHIP})
    ),
    ("/api/v1/alliances/{id}/scorecard/", "get"): detail(
        SCORECARD, args=lambda a: [a.alliance_id], params=lambda w, a: {"period": "2025"}
    ),
}
