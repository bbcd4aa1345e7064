"""Journey 2: county staff at a desk (1366×768), in Chinese: figures, review, edits,
the monthly bulletin and the project ledger."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.periods import Period
from evaluations import rollups
from evaluations.services import rollup_due_period, rollup_produce
from projects.models import Milestone, ProgressReport, Project
from projects.weeks import current_week, local_today
from tests.browser.journeys import LAPTOP
from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory, days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_COMPARED = {"updated_at", "created_at", "version"}


def stored(obj) -> dict:
    """Every stored field of a row except the bookkeeping a save is expected to move."""
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in NOT_COMPARED}


def last_month(region) -> Period:
    """The latest month whose bulletin may be published today (its last week's reports are
    due by then): the month before last in the first days of a month."""
    return rollup_due_period(rollups.MONTHLY_BULLETIN, region, local_today())


def test_county_staff_check_a_figure_review_reports_edit_unchanged_and_export_the_ledger(journey, world):
    ginger = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚", funds_self_raised=Decimal("1200000.50"))
    water = ProjectFactory(alliance=world.alliance_a2, title="高山村供水管网")
    done = MilestoneFactory(project=ginger, title="钢架完工", due_on=days_ago(20), done_on=days_ago(25))
    ReportFactory(project=ginger, period=current_week(), percent_complete=40, work_done="完成钢架")
    ReportFactory(project=water, period=current_week(), percent_complete=10, work_done="勘测线路")
    bulletin, _ = rollup_produce(
        kind=rollups.MONTHLY_BULLETIN, period=last_month(world.county_a), region=world.county_a
    )

    staff = journey("county", "alice", LAPTOP)
    page = staff.page
    staff.step("dashboard")
    assert page.locator("h1").first.inner_text() == "工作台"

    # A figure opens the rows behind it, and the list counts the same.
    figure = page.locator(".figure[data-key=alliances]")
    shown = figure.locator(".figure-value").inner_text()
    figure.locator("a").click()
    staff.step("figure-rows")
    assert f"共 {shown} 条" in page.locator(".pagination").inner_text()
    assert page.locator("table.list tbody tr").count() == int(shown) == 2

    # The review queue: accept one report, return the other with a comment.
    staff.menu("进度审核")
    staff.step("review-queue")
    page.locator("#review-queue tr", has_text="红芽姜大棚").locator("a.button").click()
    staff.step("review-accept")
    page.check("input[name=decision][value=accepted]")
    page.click("#review button[type=submit]")
    staff.step("accepted")
    page.locator("#review-queue tr", has_text="高山村供水管网").locator("a.button").click()
    page.check("input[name=decision][value=returned]")
    page.fill("textarea[name=comment]", "请补充线路图")
    page.click("#review button[type=submit]")
    staff.step("returned")
    statuses = dict(ProgressReport.objects.values_list("project__title", "status"))
    assert statuses == {"红芽姜大棚": "accepted", "高山村供水管网": "returned"}
    assert ProgressReport.objects.get(project=water).review_comment == "请补充线路图"

    # An alliance and a project, edited and saved unchanged: nothing moves, dates shown are stored.
    before_alliance = stored(world.alliance_a)
    staff.menu("党建联盟")
    staff.click("table.list >> text=姜山共富联盟")
    staff.click("main a.button >> text=编辑")
    staff.step("alliance-edit")
    assert page.input_value("input[name=founded_on]") == world.alliance_a.founded_on.isoformat()
    page.click("main form button[type=submit]")
    staff.step("alliance-saved")
    assert stored(world.alliance_a) == before_alliance

    before_project, before_milestone = stored(ginger), stored(done)
    staff.menu("项目清单")
    staff.click("table.list >> text=红芽姜大棚")
    staff.step("project")
    staff.click("main a.button >> text=编辑")
    staff.step("project-edit")
    assert page.input_value("input[name=start_on]") == ginger.start_on.isoformat()
    assert page.input_value("input[name=due_on]") == ginger.due_on.isoformat()
    page.click("main form button[type=submit]")
    staff.step("project-saved")
    assert stored(Project.objects.get(pk=ginger.pk)) == before_project
    staff.click("#milestones >> text=编辑")
    staff.step("milestone-edit")
    assert page.input_value("input[name=done_on]") == done.done_on.isoformat()  # the actual completion is shown
    page.click("main form button[type=submit]")
    staff.step("milestone-saved")
    assert stored(Milestone.objects.get(pk=done.pk)) == before_milestone
    assert stored(Project.objects.get(pk=ginger.pk)) == before_project  # not turned overdue

    # The monthly bulletin, from 调度通报.
    staff.menu("调度通报")
    staff.step("rollups")
    staff.click(f"a[href='{bulletin.get_absolute_url()}']")
    staff.step("bulletin")
    assert "月通报" in page.locator("main").inner_text()
    assert last_month(world.county_a).label in page.locator("main").inner_text()

    # The project ledger, as a real Excel file.
    staff.menu("项目清单")
    with page.expect_download() as download:
        page.click("text=导出项目台账")
    workbook = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)  # noqa: PTH123, SIM115
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert any("红芽姜大棚" in (cell or "") for row in rows for cell in row if isinstance(cell, str))
    assert download.value.suggested_filename.endswith(".xlsx")


def test_county_staff_accept_the_reports_that_need_no_change_together(journey, world):
    """Journey 2.2, "bulk accept where fine": 全选本页 ticks every report waiting, 通过所选
    accepts them, and the one whose progress went down stays, named with why."""
    fine = [ReportFactory(project=ProjectFactory(alliance=world.alliance_a, title=f"村道{n}")) for n in (1, 2)]
    dropped = ProjectFactory(alliance=world.alliance_a, title="进度下降项目")
    last_week = current_week() - datetime.timedelta(weeks=1)
    ReportFactory(
        project=dropped, period=last_week - datetime.timedelta(weeks=1), percent_complete=60, status="accepted"
    )
    down = ReportFactory(project=dropped, percent_complete=40)

    officer = journey("county", "alice", LAPTOP)
    page = officer.page
    officer.menu("进度审核")
    officer.step("queue")
    page.check("input[data-select-all]")
    assert page.locator("input[name=report]:checked").count() == 3
    page.click("#accept-selected button[type=submit]")
    officer.step("accepted")
    messages = page.locator("ul.messages").inner_text()
    assert "已通过 2 份报告。" in messages and "进度下降项目" in messages
    assert [ProgressReport.objects.get(pk=r.pk).status for r in [*fine, down]] == ["accepted", "accepted", "submitted"]
    assert page.locator("#review-queue tbody tr").count() == 1
