"""Journey 6: a workshop steward on a phone files last month's figures and corrects one
before the bulletin's cut-off, in Chinese; after it the month is closed to them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.periods import MONTH, Period
from evaluations.models import Rollup
from evaluations.rollups import MONTHLY_BULLETIN
from evaluations.services import rollup_produce, rollup_publish
from projects.reporting import period_cutoff
from tests.browser.journeys import PHONE
from tests.workshops.factories import Shops
from workshops.models import WorkshopReport
from workshops.months import format_month, last_complete_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_steward_files_last_month_on_a_phone_and_the_current_month_is_refused(journey, world):
    shops = Shops(world)
    last_month = last_complete_month(timezone.localdate())

    steward = journey("steward", "sam", PHONE)
    page = steward.page
    steward.step("landing")
    assert page.locator("table.list tbody tr").count() == 1  # only the workshop sam looks after
    steward.click("table.list >> text=走马塘来料加工共富工坊")
    steward.step("workshop")
    steward.click("text=填报月度数据")
    steward.step("report-form")
    assert page.input_value("input[name=month]") == format_month(last_month)  # offered, not typed

    # The month under way is refused, with what was typed kept.
    page.fill("input[name=month]", format_month(timezone.localdate()))
    page.fill("input[name=employed]", "18")
    page.fill("input[name=low_income_employed]", "5")
    page.fill("input[name=wages_paid]", "36000")
    page.fill("input[name=income_increase_per_person]", "2000")
    page.fill("input[name=sales]", "120000")
    page.click("main form button[type=submit]")
    steward.step("current-month-refused")
    assert page.locator("[role=alert]").count() >= 1
    assert page.input_value("input[name=employed]") == "18"
    assert not WorkshopReport.objects.exists()

    page.fill("input[name=month]", format_month(last_month))
    page.click("main form button[type=submit]")
    steward.step("filed")
    report = WorkshopReport.objects.get()
    assert (report.workshop_id, report.month, report.employed, report.low_income_employed) == (
        shops.a.pk,
        last_month,
        18,
        5,
    )

    # Before the bulletin's cut-off the steward corrects a figure from the workshop's page.
    steward.click(f"#reports a[href='/workshops/reports/{report.pk}/edit/']")
    steward.step("correct-form")
    page.fill("input[name=employed]", "19")
    page.click("main form button[type=submit]")
    steward.step("corrected")
    assert WorkshopReport.objects.get().employed == 19

    # The county publishes the month's bulletin: the month is closed to the steward, and the
    # page says so instead of offering 修改.
    # (In the first days of a month the bulletin waits for the last week's reports: the draft
    # is dated as the schedule makes it, at the reporting cut-off.)
    period = Period(MONTH, last_month)
    draft, _created = rollup_produce(kind=MONTHLY_BULLETIN, period=period, region=world.county_a)
    Rollup.objects.filter(pk=draft.pk).update(produced_at=max(draft.produced_at, period_cutoff(period)))
    rollup_publish(actor=world.alice, rollup=Rollup.objects.get(pk=draft.pk))
    page.reload()
    steward.step("closed-after-bulletin")
    assert page.locator(f"#reports a[href='/workshops/reports/{report.pk}/edit/']").count() == 0
    assert page.locator("#reports", has_text="已随通报发布").count() == 1
    assert page.get_by_text("已随月通报发布的月份不能再填报或修改").is_visible()
