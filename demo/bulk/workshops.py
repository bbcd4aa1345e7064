"""Generated workshops and their monthly figures for ``seed_demo --scale county|province``
(see demo.bulk.members).

Each township's workshops sit in its villages, hosted by the village organization, most of
them in one of the township's alliances; the township's monthly reports are spread over
its workshops (one per month each, the latest for last month)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from demo.bulk.members import BulkPlan
from demo.workshops import filed_at
from workshops.models import Workshop, WorkshopReport, WorkshopStatus, WorkshopType


def month_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def load(ctx) -> None:
    plan: BulkPlan = ctx.shared["bulk"]
    rng = ctx.rng
    spec = plan.spec
    last_month = month_back(ctx.live_today.replace(day=1), 1)
    workshops: list[tuple] = []
    months: list[tuple[int, int]] = []  # (workshop id, months of reports)
    workshop_id = 0
    base, extra = divmod(spec.workshop_reports_per_township, spec.workshops_per_township)
    type_labels = dict(WorkshopType.choices)
    for item in plan.townships:
        for number in range(spec.workshops_per_township):
            workshop_id += 1
            village = number % len(item.village_ids)
            kind = rng.choice(WorkshopType.values)
            count = base + (1 if number < extra else 0)
            checks = [rng.random() < 0.8 for _ in range(6)]
            workshops.append(
                (
                    workshop_id,
                    f"{str(type_labels[kind])[:-1]}共富工坊{number + 1}号",
                    kind,
                    item.alliance_ids[number % len(item.alliance_ids)] if rng.random() < 0.85 else None,
                    item.village_org_ids[village],
                    item.village_ids[village],
                    item.secretary_of[item.village_org_ids[village]],
                    month_back(last_month, count + rng.randint(0, 6)),
                    WorkshopStatus.ACTIVE if rng.random() < 0.92 else WorkshopStatus.PAUSED,
                    *checks,
                )
            )
            months.append((workshop_id, count))
    writer = plan.writer
    writer.write(
        Workshop,
        [
            "id",
            "name",
            "type",
            "alliance_id",
            "host_id",
            "region_id",
            "steward_id",
            "opened_on",
            "status",
            "has_team",
            "has_projects",
            "has_beneficiaries",
            "has_steward",
            "has_base",
            "has_reports",
        ],
        workshops,
    )
    writer.write(
        WorkshopReport,
        [
            "id",
            "workshop_id",
            "month",
            "employed",
            "low_income_employed",
            "wages_paid",
            "income_increase_per_person",
            "sales",
            "created_at",
        ],
        report_rows(rng, months, last_month, ctx.live_today),
    )
    writer.reset_sequences()


def report_rows(rng, months: list[tuple[int, int]], last_month: datetime.date, today: datetime.date) -> Iterator[tuple]:
    report_id = 0
    for workshop_id, count in months:
        employed = rng.randint(5, 60)
        for back in range(count - 1, -1, -1):
            report_id += 1
            employed = max(1, employed + rng.randint(-3, 3))
            income = rng.randint(800, 3000)
            month = month_back(last_month, back)
            yield (
                report_id,
                workshop_id,
                month,
                employed,
                rng.randint(0, employed),
                employed * income,
                income,
                rng.randint(1, 400) * 1000,
                filed_at(month, today),
            )
