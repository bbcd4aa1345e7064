"""Demo data for the alliances app: alliances, dated memberships and "1+1+N" teams.

Called by ``manage.py seed_demo`` after ``members.demo``, whose plan (``ctx.shared["members"]``)
it chooses organizations and people from, so the random draws never depend on the database.
Rows are keyed on natural keys (alliance code; alliance, organization, role and joining date;
alliance, person, role and start date) and written through ``alliances.services``; a second
run writes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from members.demo import (
    COUNTY_BY_CODE6,
    DEMO_LEADER_MOBILE,
    PRODUCTS,
    DemoContext,
    MembersPlan,
    OrgPlan,
    PersonPlan,
    changes,
    short_name,
)
from members.models import OrganizationKind
from members.services import validated_save

from .models import (
    Alliance,
    AllianceScope,
    AllianceStatus,
    FormationMode,
    Membership,
    MembershipRole,
    TeamRole,
    TeamRoleKind,
)
from .services import alliance_create, alliance_update, membership_add, membership_end, team_role_assign

Date = datetime.date

# Alliances per county and scale: weighted towards Ningbo, at least 8 in Yinzhou and 3 in Daishan.
QUOTAS: dict[str, dict[str, int]] = {
    "demo": {
        "330203": 5,
        "330205": 5,
        "330206": 5,
        "330211": 4,
        "330212": 10,
        "330213": 5,
        "330225": 4,
        "330226": 5,
        "330281": 5,
        "330282": 6,
        "330902": 3,
        "330903": 4,
        "330921": 4,
        "330922": 2,
        "370784": 4,
    },
}

VILLAGE_KINDS = {OrganizationKind.VILLAGE, OrganizationKind.COMMUNITY}
# Which other kinds of organizations join, by the alliance's scope.
SCOPE_KINDS = {
    AllianceScope.CROSS_REGION: {
        OrganizationKind.ENTERPRISE,
        OrganizationKind.COOPERATIVE,
        OrganizationKind.INSTITUTION,
    },
    AllianceScope.CROSS_FIELD: {
        OrganizationKind.GOVERNMENT,
        OrganizationKind.INSTITUTION,
        OrganizationKind.UNIVERSITY,
        OrganizationKind.ENTERPRISE,
        OrganizationKind.NEW_ORG,
    },
    AllianceScope.CROSS_INDUSTRY: {OrganizationKind.ENTERPRISE, OrganizationKind.COOPERATIVE, OrganizationKind.NEW_ORG},
}
MODE_WEIGHTS = {
    FormationMode.LEADER_DRIVEN: 3,
    FormationMode.INDUSTRY_CHAIN: 2,
    FormationMode.ENCLAVE_CLUSTER: 1,
    FormationMode.NEIGHBOUR: 3,
    FormationMode.COMMUNITY: 2,
    FormationMode.PROJECT_DRIVEN: 2,
    FormationMode.PAIRING: 2,
    FormationMode.OTHER: 1,
}
STATUS_WEIGHTS = {
    AllianceStatus.ACTIVE: 36,
    AllianceStatus.FORMING: 5,
    AllianceStatus.RECTIFYING: 4,
    AllianceStatus.DISSOLVED: 3,
}
SCOPE_WEIGHTS = {AllianceScope.CROSS_REGION: 5, AllianceScope.CROSS_FIELD: 3, AllianceScope.CROSS_INDUSTRY: 2}
# The Chinese labels, independent of the active language (the data is Chinese whatever the UI shows).
MODE_LABELS = {
    FormationMode.LEADER_DRIVEN: "龙头带动",
    FormationMode.INDUSTRY_CHAIN: "产业链接",
    FormationMode.ENCLAVE_CLUSTER: "飞地抱团",
    FormationMode.NEIGHBOUR: "毗邻协作",
    FormationMode.COMMUNITY: "社区共建",
    FormationMode.PROJECT_DRIVEN: "项目牵引",
    FormationMode.PAIRING: "结对帮促",
    FormationMode.OTHER: "其他",
}
OTHER_MODES = ["头雁领航", "强村带弱", "产业拉动", "山海协作", "村企共建", "校地合作"]
THEMES = [
    "共富",
    "红色根脉",
    "强村富民",
    "生态共富",
    "农文旅融合",
    "数字乡村",
    "善治",
    "睦邻",
    "产业振兴",
    "和美乡村",
    "先锋",
    "同心",
    "红帆",
    "聚力",
    "乡村振兴",
    "共建共享",
]
ISLAND_THEMES = ["海岛共富", "渔旅融合", "蓝色海湾", "渔港"]
PLATFORMS = ["强村公司", "强社公司", "联合社", "共富公司"]
OWNERSHIPS = ["联盟独资", "多村合作", "镇村联营"]
CN_NUMBERS = "一二三四五六七八九十"

COVENANT_CLAUSES = [
    "组织共建：成立联合党委，实行月度碰头会、季度专题会、年度述职会“三会”制度，重大事项集体研究。",
    "五联机制：党员联培、骨干联育、活动联办、要事联商、工作联推，成员单位党组织书记轮值召集。",
    "三张清单：建立资源清单、需求清单、项目清单，双向认领、动态更新，项目实行订单、领单、评单闭环管理。",
]
COVENANT_CLOSING_CLAUSE = (
    "履约评约：联盟工作纳入成员单位年度考评，实行捆绑考评，坚决防止“拉郎配”“两张皮”“过头事”“样子货”。"
)
# The covenant clause of each formation mode.
FOCUS = {
    FormationMode.LEADER_DRIVEN: "发挥{lead}龙头带动作用，先富带后富、强村带弱村，每年至少帮扶一个薄弱村落地发展项目。",
    FormationMode.INDUSTRY_CHAIN: "围绕{product}等特色产业统一品牌、统一标准、统一销售，延伸产业链、提升价值链。",
    FormationMode.ENCLAVE_CLUSTER: "成员村统筹资金和土地指标抱团入股飞地项目，按出资比例分红，"
    "收益优先壮大村级集体经济。",
    FormationMode.NEIGHBOUR: "毗邻村社打破行政边界，统筹规划道路、供水和环境整治等基础设施，一体建设、共建共享。",
    FormationMode.COMMUNITY: "社区与驻区单位共享阵地、共办活动、共解难题，在职党员到社区报到并认领微心愿。",
    FormationMode.PROJECT_DRIVEN: "围绕群众“急难愁盼”，每年确定一批产业融合、治理联动、服务提质、规划建设项目。",
    FormationMode.PAIRING: "机关企事业单位与村社结对帮促，每季度至少上门服务一次、帮助解决一件实事。",
    FormationMode.OTHER: "坚持“{mode}”，选优配强带头人，带动联建村共同发展。",
}
# What the alliance has achieved, for the description, by formation mode.
RESULTS = {
    FormationMode.LEADER_DRIVEN: "联盟内村级集体经济总收入年均增长{percent}%，带动{households}户农户增收。",
    FormationMode.INDUSTRY_CHAIN: "组建联合社统一销售{product}，带动{households}户农户增收。",
    FormationMode.ENCLAVE_CLUSTER: "各村抱团投资{amount}万元建设飞地产业园，盘活抛荒土地{land}余亩。",
    FormationMode.NEIGHBOUR: "一体推进道路、供水和环境整治，惠及群众{households}户。",
    FormationMode.COMMUNITY: "累计认领微心愿{wishes}个、办结民生工单{issues}件。",
    FormationMode.PROJECT_DRIVEN: "累计实施项目{projects}个，盘活闲置资金{amount}万元。",
    FormationMode.PAIRING: "结对单位落实帮扶资金{amount}万元，帮助解决实事{issues}件。",
    FormationMode.OTHER: "选派优秀党员干部担任联建村第一书记，争取各类资金{amount}万元。",
}


@dataclass(frozen=True)
class Featured:
    """An alliance from the sources, placed in its real township where the demo regions have it."""

    county: str
    name: str
    mode: str
    scope: str
    founded_on: Date
    township: str | None = None  # township name; None: the county itself leads
    mode_other: str = ""
    demonstration_year: int | None = None
    lead_village: str | None = None
    size: int | None = None
    kinds: frozenset[str] | None = None
    story: str = ""
    demo_leader: bool = False


FEATURED = [
    Featured(
        "330212",
        "姜山共富党建联盟",
        FormationMode.LEADER_DRIVEN,
        AllianceScope.CROSS_FIELD,
        Date(2021, 7, 1),
        township="姜山镇",
        demonstration_year=2023,
        demo_leader=True,
        story="联盟以强村带弱村，统筹片区内闲置厂房和土地资源，联合高校院所发展特色农业和研学旅游。",
    ),
    Featured(
        "330212",
        "姜山片区强村富民党建联盟",
        FormationMode.NEIGHBOUR,
        AllianceScope.CROSS_REGION,
        Date(2022, 3, 15),
        township="姜山镇",
        demo_leader=True,
        story="毗邻村社打破行政边界，一体推进道路、供水和人居环境整治，共建共享党群服务阵地。",
    ),
    Featured(
        "330282",
        "徐福党建联盟",
        FormationMode.PROJECT_DRIVEN,
        AllianceScope.CROSS_REGION,
        Date(2021, 5, 20),
        township="龙山镇",
        demonstration_year=2022,
        lead_village="徐福村",
        size=3,
        kinds=frozenset(),
        story="联盟围绕破解产业同质、竞争无序问题，研究确定建设“最美康养基地”项目，引导强村出资金、出规划，"
        "弱村出土地、出指标，盘活2000多万元闲置资金和200余亩抛荒土地，发展休闲观光、创意农旅、"
        "低碳康养等错位特色产业，推动联盟内3村增收超百万元。",
    ),
    Featured(
        "330282",
        "匡堰镇南部片区党建联盟",
        FormationMode.NEIGHBOUR,
        AllianceScope.CROSS_REGION,
        Date(2021, 9, 1),
        township="匡堰镇",
        story="南部片区联合党委统筹片区规划，推动村庄建设一体实施、公共服务共建共享。",
    ),
    Featured(
        "330205",
        "环云湖党建联盟",
        FormationMode.NEIGHBOUR,
        AllianceScope.CROSS_FIELD,
        Date(2021, 8, 10),
        township="慈城镇",
        demonstration_year=2022,
        lead_village="云湖村",
        size=6,
        kinds=frozenset({OrganizationKind.GOVERNMENT}),
        story="云湖周边村地势高、地处偏远，长期供水不足。联盟建立工作联推机制，6个月内铺设供水管网62公里，"
        "解决2600多户村民饮水难题，带动农旅产业发展。",
    ),
    Featured(
        "330203",
        "“零碳共富”党建联盟",
        FormationMode.INDUSTRY_CHAIN,
        AllianceScope.CROSS_INDUSTRY,
        Date(2022, 2, 18),
        township="龙观乡",
        demonstration_year=2023,
        lead_village="李岙村",
        size=6,
        story="由李岙村牵头，带动大路村、山下村等村共同出资组建阳光共富有限公司，统筹片区内农业基地、"
        "生态宝地、风景胜地等山坳资源，打造零碳光伏发电、生物多样研学、精品体验民宿三大主营业务，"
        "半年创造营收超100万元。",
    ),
    Featured(
        "330206",
        "九峰山片区党建联盟",
        FormationMode.LEADER_DRIVEN,
        AllianceScope.CROSS_REGION,
        Date(2021, 4, 1),
        township="大碶街道",
        demonstration_year=2022,
        lead_village="九峰村",
        story="九峰山脚下村社组建片区联合党委，统筹景区开发与村庄建设，九峰山成为国家4A级景区，"
        "周边村共享发展红利，实现“山美村好、靠山吃山”。",
    ),
    Featured(
        "330903",
        "“锋领善治”党建联盟",
        FormationMode.COMMUNITY,
        AllianceScope.CROSS_FIELD,
        Date(2022, 6, 1),
        township="朱家尖街道",
        story="街道、社区与驻区单位共建全域党建联盟，在职党员到社区报到，认领微心愿、参与志愿服务，"
        "群众诉求以工单形式闭环办结。",
    ),
    Featured(
        "330903",
        "“锋领兴旅”党建联盟",
        FormationMode.INDUSTRY_CHAIN,
        AllianceScope.CROSS_INDUSTRY,
        Date(2022, 9, 1),
        township="朱家尖街道",
        story="联合景区、民宿和渔家乐经营主体，统一服务标准、共推旅游线路，带动渔农民家门口就业。",
    ),
    Featured(
        "330922",
        "嵊泗县民宿行业党建联盟",
        FormationMode.INDUSTRY_CHAIN,
        AllianceScope.CROSS_INDUSTRY,
        Date(2021, 10, 1),
        demonstration_year=2024,
        kinds=frozenset({OrganizationKind.NEW_ORG, OrganizationKind.ENTERPRISE, OrganizationKind.COOPERATIVE}),
        story="全市首个民宿行业党建联盟，实行“党建联盟-党组织-民宿协会”三级联动，出具问题、需求、项目三张清单，"
        "助力民宿业提档升级。",
    ),
    Featured(
        "330921",
        "岱山县“红色单元·共富联盟”",
        FormationMode.PROJECT_DRIVEN,
        AllianceScope.CROSS_REGION,
        Date(2022, 4, 1),
        demonstration_year=2023,
        story="组织合作社开展村级集体经济项目“揭榜挂帅”行动，各村在联盟内自主抱团、组成“红色单元”团队化揭榜，"
        "首批13个项目总投资3784万元，预计年增收650万元，红色共富基金给予启动资金补助92万元。",
    ),
    Featured(
        "370784",
        "景芝头雁领航联村党委",
        FormationMode.OTHER,
        AllianceScope.CROSS_REGION,
        Date(2023, 3, 1),
        township="景芝镇",
        mode_other="头雁领航",
        story="选准“带头人”，由强村党组织书记兼任联村党委书记，按照地缘相近、产业相近的原则3至5村联建。",
    ),
    Featured(
        "370784",
        "石埠子强村带弱联村党委",
        FormationMode.OTHER,
        AllianceScope.CROSS_REGION,
        Date(2023, 3, 1),
        township="石埠子镇",
        mode_other="强村带弱",
        story="强村带弱村，实行订单、领单、评单，推行“月跟踪、季考评、年述职”全过程绩效考评。",
    ),
    Featured(
        "370784",
        "辉渠产业拉动联村党委",
        FormationMode.OTHER,
        AllianceScope.CROSS_INDUSTRY,
        Date(2023, 4, 1),
        township="辉渠镇",
        mode_other="产业拉动",
        story="围绕生姜、大葱等特色产业，联建村共建基地、共享品牌，第一书记协调争取项目资金。",
    ),
]


@dataclass
class MembershipPlan:
    org: OrgPlan
    role: str
    joined_on: Date
    left_on: Date | None = None


@dataclass
class TeamPlan:
    mobile: str
    role: str
    started_on: Date
    ended_on: Date | None = None


@dataclass
class AlliancePlan:
    code: str
    name: str
    formation_mode: str
    formation_mode_other: str
    scope: str
    lead_region: str
    founded_on: Date
    status: str
    demonstration_year: int | None
    covenant: str = ""
    description: str = ""
    memberships: list[MembershipPlan] = field(default_factory=list)
    team: list[TeamPlan] = field(default_factory=list)  # in the order the roles were taken up


def random_date(rng: random.Random, start: Date, end: Date) -> Date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def shuffled_cover(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    """``count`` values drawn by weight, every value at least once, in random order."""
    values = list(weights)
    values += rng.choices(values, weights=list(weights.values()), k=max(count - len(values), 0))
    rng.shuffle(values)
    return values


class Planner:
    """Builds the alliance plans from the members plan, with the context's generator only."""

    def __init__(self, ctx: DemoContext, members: MembersPlan) -> None:
        self.rng = ctx.rng
        self.today = ctx.today
        self.members = members
        self.names: set[str] = {featured.name for featured in FEATURED}
        self.leading: set[str] = set()
        self.demo_leader = next(person for person in members.people if person.mobile == DEMO_LEADER_MOBILE)
        self.demo_leader_alliances = 0

    # ----------------------------------------------------------------- whole plan

    def build(self, quotas: dict[str, int]) -> list[AlliancePlan]:
        generated = sum(quotas.values()) - sum(1 for featured in FEATURED if featured.county in quotas)
        modes = shuffled_cover(self.rng, MODE_WEIGHTS, generated)
        statuses = shuffled_cover(self.rng, STATUS_WEIGHTS, generated)
        scopes = shuffled_cover(self.rng, SCOPE_WEIGHTS, generated)
        plans: list[AlliancePlan] = []
        for county, quota in quotas.items():
            featured = [item for item in FEATURED if item.county == county][:quota]
            codes = (f"LM-{county}-{number:03d}" for number in range(1, quota + 1))
            for item in featured:
                plans.append(self.featured(next(codes), item))
            for _ in range(quota - len(featured)):
                plans.append(self.generated(next(codes), county, modes.pop(), statuses.pop(), scopes.pop()))
        return plans

    def featured(self, code: str, item: Featured) -> AlliancePlan:
        county = item.county
        lead_region = self.members.township_by_name(county, item.township) if item.township else f"{county}000000"
        plan = AlliancePlan(
            code=code,
            name=item.name,
            formation_mode=item.mode,
            formation_mode_other=item.mode_other,
            scope=item.scope,
            lead_region=lead_region,
            founded_on=item.founded_on,
            status=AllianceStatus.ACTIVE,
            demonstration_year=item.demonstration_year,
        )
        lead = None
        if item.demo_leader and self.demo_leader_alliances == 0 and self.demo_leader.org:
            # The demo leader's own village leads the first of his alliances; the second is led by another one.
            lead = self.members.org_by_key[self.demo_leader.org]
        elif item.lead_village:
            lead = next(
                org
                for org in self.members.orgs_in(lead_region)
                if self.members.region_names[org.region_code] == item.lead_village
            )
        self.choose_members(plan, lead=lead, size=item.size, kinds=item.kinds)
        self.choose_team(plan, leader=self.demo_leader if item.demo_leader else None)
        if item.demo_leader:
            self.demo_leader_alliances += 1
        self.write_texts(plan, story=item.story)
        return plan

    def generated(self, code: str, county: str, mode: str, status: str, scope: str) -> AlliancePlan:
        rng = self.rng
        townships = self.members.townships[county]
        lead_region = f"{county}000000" if rng.random() < 0.2 else rng.choice(townships)
        if status == AllianceStatus.FORMING:
            founded_on = random_date(rng, Date(2025, 10, 1), self.today - datetime.timedelta(days=30))
        else:
            founded_on = random_date(rng, Date(2021, 3, 1), Date(2025, 6, 30))
        demonstration_year = None
        if status == AllianceStatus.ACTIVE and rng.random() < 0.2:
            demonstration_year = rng.randint(max(founded_on.year, 2022), 2025)
        mode_other = rng.choice(OTHER_MODES) if mode == FormationMode.OTHER else ""
        plan = AlliancePlan(
            code=code,
            name=self.alliance_name(county, lead_region),
            formation_mode=mode,
            formation_mode_other=mode_other,
            scope=scope,
            lead_region=lead_region,
            founded_on=founded_on,
            status=status,
            demonstration_year=demonstration_year,
        )
        self.choose_members(plan)
        self.choose_team(plan)
        self.write_texts(plan)
        return plan

    def alliance_name(self, county: str, lead_region: str) -> str:
        spec = COUNTY_BY_CODE6[county]
        place = spec.short if lead_region.endswith("000000") else short_name(self.members.region_names[lead_region])
        themes = THEMES + (ISLAND_THEMES if spec.style == "island" else [])
        while True:
            name = f"{place}{self.rng.choice(themes)}党建联盟"
            if name not in self.names:
                self.names.add(name)
                return name

    # ----------------------------------------------------------------- members

    def choose_members(
        self,
        plan: AlliancePlan,
        *,
        lead: OrgPlan | None = None,
        size: int | None = None,
        kinds: frozenset[str] | None = None,
    ) -> None:
        rng, members = self.rng, self.members
        county = plan.lead_region[:6]
        townships = members.townships[county]
        county_leads = plan.lead_region.endswith("000000")
        size = size or rng.randint(3, 6)
        if county_leads:
            area = rng.sample(townships, 2)
        else:
            area = [plan.lead_region]
            if plan.scope == AllianceScope.CROSS_REGION:
                index = townships.index(plan.lead_region)
                area.append(townships[index + 1] if index + 1 < len(townships) else townships[index - 1])
        villages = [org for township in area for org in members.orgs_in(township) if org.tier == "village"]
        wanted = kinds if kinds is not None else SCOPE_KINDS[plan.scope]
        others = [
            org
            for township in area
            for org in members.orgs_in(township)
            if org.tier == "township" and org.kind in wanted
        ]
        if county_leads or plan.scope != AllianceScope.CROSS_REGION:
            others += [org for org in members.county_orgs(county) if org.kind in wanted]
        if plan.demonstration_year:  # all members of demonstration alliances are rated four stars or more
            villages = [org for org in villages if (org.star_rating or 0) >= 4] or villages
            others = [org for org in others if (org.star_rating or 0) >= 4] or others

        if lead is None:
            if county_leads and others and rng.random() < 0.5:
                lead = rng.choice(others)
            else:
                local = [org for org in villages if county_leads or org.township == plan.lead_region]
                if plan.formation_mode == FormationMode.COMMUNITY:
                    local = [org for org in local if org.kind == OrganizationKind.COMMUNITY] or local
                lead = rng.choice(local or villages)
        villages = [org for org in villages if org is not lead]
        others = [org for org in others if org is not lead]

        if kinds is not None and not kinds:
            n_others = 0
        elif plan.scope == AllianceScope.CROSS_REGION:
            n_others = rng.randint(0, 1)
        else:
            n_others = rng.randint(1, 2)
        n_others = min(n_others, len(others))
        n_villages = min(size - 1 - n_others, len(villages))
        chosen = rng.sample(villages, n_villages) + rng.sample(others, n_others)

        founded, today = plan.founded_on, self.today
        plan.memberships.append(MembershipPlan(lead, MembershipRole.LEAD, founded))
        for org in chosen:
            joined = founded
            if rng.random() < 0.2:
                joined = min(founded + datetime.timedelta(days=rng.randint(30, 540)), today)
            plan.memberships.append(MembershipPlan(org, MembershipRole.MEMBER, joined))
        rest = [org for org in villages + others if org not in chosen]
        if rest and rng.random() < 0.35:
            org = rng.choice(rest)
            left = min(founded + datetime.timedelta(days=rng.randint(60, 720)), today)
            plan.memberships.append(MembershipPlan(org, MembershipRole.MEMBER, founded, left))

    # ----------------------------------------------------------------- "1+1+N" team

    def choose_team(self, plan: AlliancePlan, *, leader: PersonPlan | None = None) -> None:
        rng, members = self.rng, self.members
        county = plan.lead_region[:6]
        current = [item.org for item in plan.memberships if item.left_on is None]
        lead_org = current[0]
        village_secretaries = [members.secretary_of[org.key] for org in current if org.kind in VILLAGE_KINDS]
        if leader is not None:
            leader_mobile = leader.mobile
        elif lead_org.kind in VILLAGE_KINDS:
            leader_mobile = members.secretary_of[lead_org.key]
        else:
            fresh = [mobile for mobile in village_secretaries if mobile not in self.leading]
            leader_mobile = (fresh or village_secretaries or [members.secretary_of[lead_org.key]])[0]
        self.leading.add(leader_mobile)

        if plan.lead_region.endswith("000000"):  # a county leads: the instructor comes from a member's township
            township = next((org.township for org in current if org.township), members.townships[county][0])
        else:
            township = plan.lead_region
        instructors = members.people_tagged("instructor", township=township) or members.people_tagged(
            "instructor", county=county
        )
        instructor = rng.choice(instructors)

        advisor_pool = [person.mobile for person in members.people_tagged("advisor", county=county)]
        advisor_pool += [members.secretary_of[org.key] for org in members.county_orgs(county)]
        advisors = rng.sample(advisor_pool, min(rng.randint(1, 4), len(advisor_pool)))

        founded, today = plan.founded_on, self.today
        leader_since = founded
        age = (today - founded).days
        if rng.random() < 0.34 and age > 240:
            previous = [mobile for mobile in village_secretaries if mobile != leader_mobile]
            if previous:
                leader_since = founded + datetime.timedelta(days=rng.randint(120, age - 60))
                plan.team.append(TeamPlan(rng.choice(previous), TeamRoleKind.LEADER, founded, leader_since))
        plan.team.append(TeamPlan(instructor.mobile, TeamRoleKind.INSTRUCTOR, founded))
        for mobile in advisors:
            started = min(founded + datetime.timedelta(days=rng.randint(0, 60)), today)
            plan.team.append(TeamPlan(mobile, TeamRoleKind.ADVISOR, started))
        # First secretaries sent to a member village serve in the team as members.
        villages = {members.region_names[org.region_code] for org in current if org.kind in VILLAGE_KINDS}
        for person in members.people_tagged("first_secretary", county=county):
            if person.title.removeprefix("驻").removesuffix("第一书记") in villages:
                plan.team.append(TeamPlan(person.mobile, TeamRoleKind.MEMBER, founded))
        plan.team.append(TeamPlan(leader_mobile, TeamRoleKind.LEADER, leader_since))

    # ----------------------------------------------------------------- texts

    def write_texts(self, plan: AlliancePlan, *, story: str = "") -> None:
        rng, members = self.rng, self.members
        spec = COUNTY_BY_CODE6[plan.lead_region[:6]]
        product = rng.choice(PRODUCTS[spec.style])
        current = [item.org for item in plan.memberships if item.left_on is None]
        lead, others = current[0].name, [org.name for org in current[1:]]
        mode = plan.formation_mode_other or MODE_LABELS[plan.formation_mode]
        numbers = {
            "amount": rng.randint(30, 900) * 10,
            "households": rng.randint(30, 300) * 10,
            "percent": rng.randint(8, 35),
            "wishes": rng.randint(20, 300),
            "issues": rng.randint(10, 120),
            "projects": rng.randint(4, 15),
            "land": rng.randint(5, 30) * 10,
        }
        words = {"lead": lead, "product": product, "mode": mode, **numbers}
        organization, five_links, three_lists = COVENANT_CLAUSES
        clauses = [organization, five_links, FOCUS[plan.formation_mode].format(**words), three_lists]
        if rng.random() < 0.6:
            clauses.append(
                f"实体支撑：按照“{rng.choice(OWNERSHIPS)}”方式组建{rng.choice(PLATFORMS)}，"
                "统筹经营联盟内闲置资产资源，收益按约定分配。"
            )
        clauses.append(COVENANT_CLOSING_CLAUSE)
        plan.covenant = "\n".join(
            [f"为深化党建联建、推动组团发展、促进共同富裕，{lead}等成员单位经充分协商，自愿签订本公约："]
            + [f"{CN_NUMBERS[index]}、{clause}" for index, clause in enumerate(clauses)]
        )

        result = story or RESULTS[plan.formation_mode].format(**words)
        joined = "、".join(others[:3]) + ("等" if len(others) > 3 else "")
        region = members.region_names[plan.lead_region]
        text = (
            f"{plan.name}于{plan.founded_on.year}年{plan.founded_on.month}月在{region}成立，由{lead}牵头"
            + (f"，联合{joined}" if joined else "")
            + f"共{len(current)}家单位组建，采用“{mode}”模式。{result}"
        )
        if plan.demonstration_year:
            text += f"{plan.demonstration_year}年被认定为示范性党建联盟。"
        text += {
            AllianceStatus.FORMING: "目前正在完善组织架构和项目清单。",
            AllianceStatus.RECTIFYING: "因联建工作推进不力，年度考评被列入整顿，正在调整重组。",
            AllianceStatus.DISSOLVED: "因成员单位调整，联盟已撤销，历史记录予以保留。",
        }.get(AllianceStatus(plan.status), "")
        plan.description = text


# --------------------------------------------------------------------------- writing


def seed(ctx: DemoContext) -> None:
    members: MembersPlan = ctx.shared["members"]
    db: dict[str, Any] = ctx.shared["members_db"]
    plans = Planner(ctx, members).build(QUOTAS[ctx.scale])
    regions, organizations, people = db["regions"], db["organizations"], db["people"]
    actor = ctx.actor

    existing = {alliance.code: alliance for alliance in Alliance.objects.filter(code__in=[p.code for p in plans])}
    alliances: dict[str, Alliance] = {}
    for plan in plans:
        values = {
            "name": plan.name,
            "formation_mode": plan.formation_mode,
            "formation_mode_other": plan.formation_mode_other,
            "scope": plan.scope,
            "lead_region": regions[plan.lead_region],
            "founded_on": plan.founded_on,
            "status": plan.status,
            "is_demonstration": plan.demonstration_year is not None,
            "demonstration_year": plan.demonstration_year,
            "covenant": plan.covenant,
            "description": plan.description,
        }
        alliance = existing.get(plan.code)
        if alliance is None:
            ctx.count("created", Alliance)
            alliance = alliance_create(actor=actor, code=plan.code, **values)
        elif changed := changes(alliance, values):
            ctx.count("updated", Alliance)
            alliance_update(actor=actor, alliance=alliance, **changed)
        alliances[plan.code] = alliance

    ids = [alliance.pk for alliance in alliances.values()]
    memberships = {
        (m.alliance_id, m.organization_id, m.role, m.joined_on): m
        for m in Membership.objects.filter(alliance_id__in=ids)
    }
    roles = {
        (r.alliance_id, r.person_id, r.role, r.started_on): r for r in TeamRole.objects.filter(alliance_id__in=ids)
    }
    for plan in plans:
        alliance = alliances[plan.code]
        for item in plan.memberships:
            organization = organizations[item.org.key]
            membership = memberships.get((alliance.pk, organization.pk, item.role, item.joined_on))
            if membership is None:
                ctx.count("created", Membership)
                membership = membership_add(
                    actor=actor, alliance=alliance, organization=organization, joined_on=item.joined_on, role=item.role
                )
                if item.left_on:
                    membership_end(actor=actor, membership=membership, left_on=item.left_on)
            elif membership.left_on != item.left_on:
                ctx.count("updated", Membership)
                membership.left_on = item.left_on
                validated_save(membership)
        sync_team(ctx, alliance, plan, people, roles)


def sync_team(
    ctx: DemoContext, alliance: Alliance, plan: AlliancePlan, people: dict[str, Any], roles: dict[tuple, TeamRole]
) -> None:
    """Take up the planned roles in order (a new leader ends the previous one), then check the end dates."""
    created = False
    for item in plan.team:
        person = people[item.mobile]
        if (alliance.pk, person.pk, item.role, item.started_on) not in roles:
            ctx.count("created", TeamRole)
            team_role_assign(
                actor=ctx.actor, alliance=alliance, person=person, role=item.role, started_on=item.started_on
            )
            created = True
    if created:
        roles = {
            (r.alliance_id, r.person_id, r.role, r.started_on): r for r in TeamRole.objects.filter(alliance=alliance)
        }
    for item in plan.team:
        role = roles[(alliance.pk, people[item.mobile].pk, item.role, item.started_on)]
        if role.ended_on != item.ended_on:
            ctx.count("updated", TeamRole)
            role.ended_on = item.ended_on
            validated_save(role)
