"""Assessment schemes for ``seed_demo --scale county|province`` (see demo.bulk.members): each
generated city gets the standard "五有" scheme for last year and this year, so rollups
that score alliances have a scheme for every county."""

from __future__ import annotations

from demo.bulk.members import BulkPlan
from demo.evaluations import ensure_scheme
from members.models import Region


def load(ctx) -> None:
    plan: BulkPlan = ctx.shared["bulk"]
    years = [ctx.live_today.year - 1, ctx.live_today.year]
    for city in Region.objects.filter(pk__in=plan.city_ids).order_by("code"):
        for year in years:
            ensure_scheme(city.code, f"{city.name}党建联盟“五有”考评办法", year, {})
