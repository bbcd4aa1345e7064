"""Generated alliances for ``seed_demo --scale county|province`` (see demo.bulk.members).

Each township gets its alliances; each alliance is led by one of the township's
organizations (a village first), has four to six further current members from the same
township, and a current leader (the lead organization's secretary), a township instructor
and an advisor (another member's secretary)."""

from __future__ import annotations

import datetime

from alliances.models import Alliance, AllianceScope, AllianceStatus, FormationMode, Membership, TeamRole
from demo.bulk.members import BulkPlan

MODES = [mode for mode in FormationMode.values if mode != FormationMode.OTHER]
THEMES = ["强村富民", "共富", "乡村振兴", "红色共建", "产业融合", "山海协作", "美丽乡村", "基层治理"]


def load(ctx) -> None:
    plan: BulkPlan = ctx.shared["bulk"]
    rng = ctx.rng
    spec = plan.spec
    alliances, memberships, roles = [], [], []
    alliance_id = membership_id = role_id = 0
    for item in plan.townships:
        for number in range(spec.alliances_per_township):
            alliance_id += 1
            item.alliance_ids.append(alliance_id)
            founded = datetime.date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28))
            demonstration = rng.random() < 0.1
            status = rng.choices(
                [AllianceStatus.ACTIVE, AllianceStatus.FORMING, AllianceStatus.RECTIFYING], weights=[90, 6, 4]
            )[0]
            alliances.append(
                (
                    alliance_id,
                    f"LM{item.index + 1:05d}{number + 1:02d}",
                    f"{rng.choice(THEMES)}党建联盟{number + 1}号",
                    rng.choice(MODES),
                    "",
                    rng.choice(AllianceScope.values),
                    item.village_ids[number % len(item.village_ids)],
                    founded,
                    status,
                    demonstration,
                    rng.randint(max(founded.year, 2020), 2025) if demonstration else None,
                )
            )
            lead = item.village_org_ids[number % len(item.village_org_ids)]
            others = rng.sample([org for org in item.org_ids if org != lead], rng.randint(4, 6))
            for org, role in [(lead, "lead"), *((org, "member") for org in others)]:
                membership_id += 1
                memberships.append((membership_id, alliance_id, org, role, founded, None))
            team = [
                (item.secretary_of[lead], "leader"),
                (item.instructor_ids[number % len(item.instructor_ids)], "instructor"),
                (item.secretary_of[others[0]], "advisor"),
            ]
            plan.leader_person_of[alliance_id] = team[0][0]
            for person, role in team:
                role_id += 1
                roles.append((role_id, alliance_id, person, role, founded, None))
    writer = plan.writer
    writer.write(
        Alliance,
        [
            "id",
            "code",
            "name",
            "formation_mode",
            "formation_mode_other",
            "scope",
            "lead_region_id",
            "founded_on",
            "status",
            "is_demonstration",
            "demonstration_year",
        ],
        alliances,
    )
    writer.write(Membership, ["id", "alliance_id", "organization_id", "role", "joined_on", "left_on"], memberships)
    writer.write(TeamRole, ["id", "alliance_id", "person_id", "role", "started_on", "ended_on"], roles)
    writer.reset_sequences()
