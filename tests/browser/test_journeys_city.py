"""Journey 3: city staff at a desk, in Chinese: the city dashboard, then a county's bulletin."""

from __future__ import annotations

import pytest

from evaluations import rollups
from evaluations.services import rollup_produce, rollup_publish
from tests.browser.journeys import DESKTOP
from tests.browser.test_journeys_county import last_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_staff_read_the_city_dashboard_and_open_a_county_bulletin(journey, world):
    draft, _ = rollup_produce(kind=rollups.MONTHLY_BULLETIN, period=last_month(world.county_a), region=world.county_a)
    bulletin = rollup_publish(actor=world.alice, rollup=draft)

    city = journey("city", "carol", DESKTOP)
    page = city.page
    city.step("dashboard")
    assert page.locator("h1").first.inner_text() == "工作台"
    # The city's figures count both of its county's alliances, none of another city's.
    assert page.locator(".figure[data-key=alliances] .figure-value").inner_text() == "2"

    city.menu("调度通报")
    city.step("rollups")
    row = page.locator("table.list tbody tr", has_text="鄞州区")
    assert row.count() == 1
    row.locator(f"a[href='{bulletin.get_absolute_url()}']").click()
    city.step("county-bulletin")
    heading = page.locator("h1").first.inner_text()
    assert "鄞州区" in heading and "月通报" in heading and last_month(world.county_a).label in heading
    assert page.locator("text=发布").count() >= 1


def test_city_staff_confirm_one_proposed_consequence_and_overrule_another_each_with_a_reason(journey, world):
    """Journey 3.3: what a county's annual review proposed waits on the city's 工作台; the
    officer decides each with a reason, back on the same filtered list, and only the
    confirmed one is listed as applying."""
    from evaluations.models import Proposal

    review = {"year": 2025, "region": world.county_a}
    Proposal.objects.create(kind="interview", alliance=world.alliance_a, basis="2025年度考评：等次一般", **review)
    Proposal.objects.create(kind="rectify", alliance=world.alliance_a2, basis="2025年度考评：等次较差", **review)

    city = journey("city", "carol", DESKTOP)
    page = city.page
    city.step("dashboard")
    assert city.open_to_do("proposals_waiting") == "2"
    city.step("proposals-to-decide")
    assert "共 2 条" in page.locator("main").inner_text()

    row = page.locator("#proposals tbody tr", has_text="姜山共富联盟")
    row.locator("input[name=reason]").fill("经市委组织部部务会研究，同意提醒约谈")
    row.locator("button", has_text="提交").click()  # no decision chosen: the browser asks for one
    assert row.locator("select[name=decision]").evaluate("select => select.validity.valueMissing")
    page.wait_for_load_state("networkidle")
    assert "已记录决定" not in page.locator("main").inner_text() and "请选择确认或不予采纳" not in page.content()
    assert Proposal.objects.get(alliance=world.alliance_a).status == "proposed"
    row.locator("select[name=decision]").select_option(label="确认")
    row.locator("button", has_text="提交").click()
    city.step("confirmed")
    assert "已记录决定" in page.locator("main").inner_text()
    assert "status=proposed" in page.url and "共 1 条" in page.locator("main").inner_text()

    row = page.locator("#proposals tbody tr", has_text="云龙产业联盟")
    row.locator("select[name=decision]").select_option(label="不予采纳")
    row.locator("input[name=reason]").fill("已整改到位，不再整顿")
    row.locator("button", has_text="提交").click()
    city.step("overruled")
    assert "没有符合条件的建议" in page.locator("#proposals").inner_text()
    assert dict(Proposal.objects.values_list("kind", "status")) == {"interview": "confirmed", "rectify": "overruled"}

    page.select_option("select[name=status]", label="已确认")
    page.locator("button", has_text="查询").click()
    city.step("confirmed-list")
    listed = page.locator("#proposals tbody").inner_text()
    assert "姜山共富联盟" in listed and "同意提醒约谈" in listed and "云龙产业联盟" not in listed
