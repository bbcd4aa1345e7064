"""The dashboard: every figure links to the list behind it, and that list shows the same number."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances.models import AllianceStatus
from core.templatetags.lists import wan
from evaluations import dashboard
from evaluations.dashboard import build, timeseries
from projects.models import Project
from projects.services import report_return
from projects.weeks import current_week, local_today
from tests.alliances.factories import AllianceFactory
from tests.html import Elements
from tests.projects.factories import ProjectFactory, ReportFactory
from tests.workshops.factories import ReportFactory as WorkshopReportFactory
from tests.workshops.factories import WorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    today = local_today()
    AllianceFactory(
        lead_region=world.town_a,
        code="LM-A-9",
        status="rectifying",
        is_demonstration=True,
        demonstration_year=2024,
        formation_mode="pairing",
    )
    p1 = ProjectFactory(alliance=world.alliance_a, category="service")
    ProjectFactory(alliance=world.alliance_a, status="planned")
    ProjectFactory(alliance=world.alliance_a2, status="delayed")
    ProjectFactory(alliance=world.alliance_b)  # another county: never counted for alice
    ReportFactory(project=p1, period=current_week(today))
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    shop = WorkshopFactory(name="一号工坊", region=world.village_a)
    WorkshopReportFactory(workshop=shop, month=month, employed=40, low_income_employed=10)
    return today


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


def test_each_dashboard_figure_equals_the_count_of_the_list_it_links_to(client, world, data):
    client.force_login(world.alice)
    board = build(world.alice)
    linked = [f for f in board.figures if f.url and f.type == "int"]
    linked += [row for b in board.breakdowns for row in b.rows]
    assert len(linked) > 20
    for figure in linked:
        assert list_count(client, figure.url) == figure.value, (figure.key, figure.url)
    assert board.figure("alliances").value == 3
    assert board.figure("demonstration").value == 1
    assert board.figure("reports_expected").value == 2 and board.figure("reports_silent").value == 1
    # The week under way is shown apart; the rate is last week's, when neither reported.
    assert board.figure("current_week_rate").value == "50.0"
    assert board.figure("reporting_rate").value == "0.0"
    assert board.figure("low_income_share").value == "25.0"


def test_each_money_figure_opens_a_list_whose_totals_equal_it_counted_from_the_rows(client, world, data):
    """累计完成投资 and 计划投资 open the year's projects with their totals shown, the same
    amounts; and a second count from the raw rows: each project not cancelled, its latest
    report not returned (a returned later week does not stand), its planned investment."""
    year = local_today().year
    shed = ProjectFactory(alliance=world.alliance_a, year=year, planned_investment=Decimal("1200000"))
    ReportFactory(project=shed, period=current_week() - datetime.timedelta(weeks=2), investment_to_date=300000)
    returned = ReportFactory(project=shed, period=current_week() - datetime.timedelta(weeks=1), investment_to_date=9)
    report_return(actor=world.alice, report=returned, comment="金额有误")
    ProjectFactory(alliance=world.alliance_a, year=year, status="cancelled", planned_investment=Decimal("5000000"))
    client.force_login(world.alice)
    board = build(world.alice)

    for key, total in (("investment_to_date", "spent"), ("investment_planned", "planned")):
        figure = board.figure(key)
        response = client.get(figure.url)
        assert response.context["totals"][total] == figure.value, key
        assert wan(figure.value) in response.content.decode().split('id="totals"')[1].split("</p>")[0]

    spent = planned = Decimal(0)
    for project in Project.objects.filter(alliance__lead_region__code__startswith="330212", year=year):
        if project.status == "cancelled":
            continue
        planned += project.planned_investment or 0
        standing = [r for r in project.reports.order_by("-period") if r.status != "returned"]
        spent += standing[0].investment_to_date if standing else 0
    assert (board.figure("investment_to_date").value, board.figure("investment_planned").value) == (spent, planned)
    assert spent >= Decimal("300000")


def test_a_list_shows_its_totals_only_when_asked_and_keeps_them_through_its_filters(client, world, data):
    client.force_login(world.alice)
    page = client.get(reverse("projects:list")).content.decode()
    assert 'id="totals"' not in page and 'id="show-totals"' in page
    page = client.get(reverse("projects:list"), {"totals": "1", "status": "in_progress"}).content.decode()
    assert 'id="totals"' in page
    assert '<input type="hidden" name="totals" value="1">' in page.split('class="filter-form"')[1].split("</form>")[0]


def test_each_breakdown_is_charted_as_one_bar_per_row_with_its_count(world, data):
    breakdown = build(world.alice).breakdown("status")
    assert breakdown.chart("bar") == {
        "type": "bar",
        "labels": [str(label) for _, label in AllianceStatus.choices],
        # forming, active, rectifying, dissolved
        "datasets": [{"label": breakdown.label, "data": [0, 2, 1, 0], "axis": "y"}],
        "axes": {},
    }


def test_the_dashboard_page_is_the_staff_home_and_runs_no_inline_script(client, world, data):
    client.force_login(world.alice)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/evaluations/dashboard/")
    page = Elements(response.content.decode())
    code = [(attrs, text) for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    specs = [(attrs, text) for attrs, text in page.scripts if attrs.get("type") == "application/json"]
    # Code comes only from static files, with nothing between the tags; no element runs a handler.
    assert code and all(attrs.get("src", "").startswith(settings.STATIC_URL) and not text for attrs, text in code)
    assert page.handlers == []
    # The data is JSON written by json_script: one chart spec for each canvas.
    charts = {attrs["id"]: json.loads(text) for attrs, text in specs}
    assert page.canvases == [f"chart-{b.key}" for b in build(world.alice).breakdowns] == list(charts)
    assert charts["chart-status"]["labels"] == [str(label) for _, label in AllianceStatus.choices]
    client.force_login(world.lily)
    assert client.get("/")["Location"] == reverse("projects:my-work")


def test_the_dashboard_runs_a_fixed_number_of_queries(client, world, data):
    client.force_login(world.carol)
    with CaptureQueriesContext(connection) as small:
        client.get("/evaluations/dashboard/")
    for n in range(20):
        alliance = AllianceFactory(lead_region=world.town_a, code=f"LM-D-{n}")
        ProjectFactory(alliance=alliance)
        WorkshopFactory(name=f"工坊D{n}", region=world.village_a)
    with CaptureQueriesContext(connection) as large:
        client.get("/evaluations/dashboard/")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_api_summary_matches_the_page_and_respects_scope(api, world, data):
    body = api.as_user(world.alice).get("/api/v1/dashboard/summary/").json()
    assert body["figures"]["alliances"]["value"] == 3
    other = api.as_user(world.bob).get("/api/v1/dashboard/summary/").json()
    assert other["figures"]["alliances"]["value"] == 1
    assert other["figures"]["projects"]["value"] == 1


def test_the_timeseries_counts_the_months_in_sql(api, world, data):
    series = timeseries(world.alice, "workshop_employed", months=3)
    assert len(series) == 3 and series[-1]["value"] == 40
    response = api.as_user(world.alice).get("/api/v1/dashboard/timeseries/?metric=workshop_employed&months=3")
    assert response.json() == series
    bad = api.as_user(world.alice).get("/api/v1/dashboard/timeseries/?metric=nonsense")
    assert bad.status_code == 400 and "metric" in bad.json()


def test_the_series_of_reports_received_counts_as_the_dashboard_does_not_those_left_returned(world, data):
    """Each month: the reports of the weeks beginning in it that stand received (sent, and
    not returned without being sent again: projects.reporting), as "上周已报" counts them."""
    p1 = ProjectFactory(alliance=world.alliance_a)
    last_month = (data.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    mondays = [
        last_month + datetime.timedelta(days=n)
        for n in range(31)
        if (last_month + datetime.timedelta(days=n)).weekday() == 0
    ]
    mondays = [monday for monday in mondays if monday.month == last_month.month]
    sent = [ReportFactory(project=p1, period=monday) for monday in mondays]
    report_return(actor=world.alice, report=sent[0], comment="数字不对，请核实")

    series = timeseries(world.alice, "reports_received", months=2)

    assert series[-1]["period"] == f"{last_month:%Y-%m}"
    # By hand: last month's Mondays, one report each, the first returned and not sent again.
    assert series[-1]["value"] == len(mondays) - 1


@pytest.mark.parametrize(
    ("alliances", "top", "bottom", "left_out"),
    [
        (4, [1, 2, 3, 4], [], False),
        (9, [1, 2, 3, 4, 5], [6, 7, 8, 9], False),
        (10, [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], False),
        (12, [1, 2, 3, 4, 5], [8, 9, 10, 11, 12], True),
    ],
)
def test_the_bulletins_ranking_shows_its_ends_in_rank_order_and_no_alliance_twice(alliances, top, bottom, left_out):
    ranking = [[rank, rank, f"联盟{rank}"] for rank in range(1, alliances + 1)]
    ends = dashboard.ends_of(ranking)
    assert [row[0] for row in ends["top"]] == top
    assert [row[0] for row in ends["bottom"]] == bottom
    assert ends["rows_left_out"] is left_out


def test_staff_see_first_what_waits_for_them_each_counted_from_the_rows_and_linked_to_that_list(client, world):
    """待办: reports to review, drafts to publish and workshops owing last month's figures,
    for county A's officer only (not county B's rows), each the same number as its list."""
    from evaluations.models import Proposal, Rollup, VetoFinding
    from projects.models import ProgressReport, ReportStatus
    from workshops.models import Workshop, WorkshopReport

    today = local_today()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    for project in ProjectFactory.create_batch(2, alliance=world.alliance_a):
        ReportFactory(project=project)  # submitted, waiting
    ReportFactory(project=ProjectFactory(alliance=world.alliance_a2), status=ReportStatus.ACCEPTED)
    ReportFactory(project=ProjectFactory(alliance=world.alliance_b))  # county B's
    for region, status in [(world.county_a, "draft"), (world.county_b, "draft"), (world.ningbo, "published")]:
        Rollup.objects.create(
            kind="monthly_bulletin",
            period_key=f"{last_month:%Y-%m}",
            period_start=last_month,
            region=region,
            report={},
            status=status,
            version=1 if status == "published" else None,
        )
    decided = {"reason": "经研究同意", "decided_by": world.alice, "decided_at": timezone.now()}
    for region, alliance, decision in [
        (world.county_a, world.alliance_a, {}),
        (world.county_a, world.alliance_a2, decided),
        (world.county_b, world.alliance_b, {}),
    ]:
        Proposal.objects.create(
            kind="interview",
            year=today.year - 1,
            region=region,
            alliance=alliance,
            basis="年度考评",
            status="confirmed" if decision else "proposed",
            **decision,
        )
    finding = {"year": today.year, "note": "联盟活动仅见于展板"}
    VetoFinding.objects.create(alliance=world.alliance_a, kind="show_only", recorded_by=world.carol, **finding)
    VetoFinding.objects.create(alliance=world.alliance_a2, kind="show_only", recorded_by=world.alice, **finding)
    VetoFinding.objects.create(
        alliance=world.alliance_a,
        kind="detached",
        recorded_by=world.carol,
        confirmed=True,
        confirmed_by=world.tina,
        confirmed_at=timezone.now(),
        **finding,
    )
    VetoFinding.objects.create(alliance=world.alliance_b, kind="show_only", recorded_by=world.carol, **finding)
    reported = WorkshopFactory(name="已报工坊", region=world.village_a)
    WorkshopReportFactory(workshop=reported, month=last_month, employed=5, low_income_employed=1)
    WorkshopFactory(name="未报工坊", region=world.village_a)
    WorkshopFactory(name="已关闭工坊", region=world.village_a, status="closed")
    WorkshopFactory(name="新开工坊", region=world.village_a, opened_on=today.replace(day=1))
    WorkshopFactory(name="县外工坊", region=world.town_b)

    board = build(world.alice)

    waiting = {f.key: f.value for f in board.to_do}
    # The same rows counted again from the tables, by the rule in words.
    in_county_a = "330212"
    assert (
        waiting["reports_waiting"]
        == ProgressReport.objects.filter(
            status="submitted", project__alliance__lead_region__code__startswith=in_county_a
        ).count()
        == 2
    )
    assert (
        waiting["drafts_waiting"]
        == Rollup.objects.filter(status="draft", region__code__startswith=in_county_a).count()
        == 1
    )
    assert (
        waiting["proposals_waiting"]
        == Proposal.objects.filter(status="proposed", region__code__startswith=in_county_a).count()
        == 1
    )
    # Not confirmed, in county A, recorded by someone else than alice: carol's finding on A1.
    assert [
        (f.alliance.code, f.kind)
        for f in VetoFinding.objects.filter(alliance__lead_region__code__startswith=in_county_a)
        if not f.confirmed and f.recorded_by != world.alice
    ] == [("LM-A-1", "show_only")]
    assert waiting["vetoes_waiting"] == 1
    owing = [
        w.name
        for w in Workshop.objects.filter(region__code__startswith=in_county_a)
        if w.status != "closed"
        and w.opened_on <= today.replace(day=1) - datetime.timedelta(days=1)
        and not WorkshopReport.objects.filter(workshop=w, month=last_month).exists()
    ]
    assert owing == ["未报工坊"] and waiting["workshops_unreported"] == 1
    assert waiting["items_overdue"] == 0
    client.force_login(world.alice)
    for figure in board.to_do:
        assert list_count(client, figure.url) == figure.value, (figure.key, figure.url)
    page = client.get("/evaluations/dashboard/").content.decode()
    assert page.index('id="to-do"') < page.index('id="figures"')


def test_township_staff_review_reports_but_have_no_drafts_to_publish_waiting(world):
    """Township staff read the bulletins and never publish one, nor decide what an annual
    review proposes: no 待发布的通报草稿 and no 待决定的结果运用建议 for them."""
    keys = [figure.key for figure in build(world.tina).to_do]
    assert "reports_waiting" in keys and "drafts_waiting" not in keys and "proposals_waiting" not in keys
    county_keys = [figure.key for figure in build(world.alice).to_do]
    assert "drafts_waiting" in county_keys and "proposals_waiting" in county_keys


def test_a_read_only_viewer_has_nothing_waiting_to_do(client, world):
    assert build(world.vera).to_do == []
    client.force_login(world.vera)
    assert 'id="to-do"' not in client.get("/evaluations/dashboard/").content.decode()


def test_a_veto_finding_waits_for_a_second_person_and_leaves_the_list_once_confirmed(client, world):
    """Journey 2.7's four eyes: the finding alice records waits on tina's 工作台, not on
    alice's; tina confirms it from the filtered list and comes back to that list, now empty."""
    from evaluations.models import VetoFinding
    from evaluations.services import veto_record

    finding = veto_record(actor=world.alice, alliance=world.alliance_a, kind="show_only", year=2025, note="墙上联盟")
    waiting = {user: {f.key: f for f in build(user).to_do}["vetoes_waiting"] for user in (world.alice, world.tina)}
    assert (waiting[world.alice].value, waiting[world.tina].value) == (0, 1)
    client.force_login(world.tina)
    url = waiting[world.tina].url
    assert list_count(client, url) == 1 and "墙上联盟" in client.get(url).content.decode()
    response = client.post(
        reverse("evaluations:veto-confirm", args=[finding.pk]), {"verification": "实地核实属实", "next": url}
    )
    assert response["Location"] == url
    assert VetoFinding.objects.get(pk=finding.pk).confirmed_by == world.tina
    assert list_count(client, url) == 0 and {f.key: f.value for f in build(world.tina).to_do}["vetoes_waiting"] == 0


def test_last_weeks_reporting_figures_open_the_projects_due_and_received_that_week(client, world):
    last_week = current_week() - datetime.timedelta(weeks=1)
    sunday = last_week + datetime.timedelta(days=6)
    sent = ProjectFactory(alliance=world.alliance_a, title="已报")
    returned = ProjectFactory(alliance=world.alliance_a, title="被退回")
    silent = ProjectFactory(alliance=world.alliance_a2, title="未报")
    ProjectFactory(alliance=world.alliance_a, title="上周日前已完成", status="completed", completed_on=sunday)
    ProjectFactory(alliance=world.alliance_a, title="本周才开工", start_on=sunday + datetime.timedelta(days=1))
    ProjectFactory(alliance=world.alliance_b, title="别的县")
    ReportFactory(project=sent, period=last_week)
    report_return(actor=world.alice, report=ReportFactory(project=returned, period=last_week), comment="请补充照片")
    client.force_login(world.alice)
    board = build(world.alice)

    def titles(figure):
        response = client.get(board.figure(figure).url)
        assert response.status_code == 200
        return sorted(p.title for p in response.context["object_list"])

    assert board.figure("reports_expected").value == 3
    assert titles("reports_expected") == sorted([sent.title, returned.title, silent.title])
    assert board.figure("reports_received").value == 1
    assert titles("reports_received") == [sent.title]
    assert board.figure("reporting_rate").value == "33.3"


def test_a_reporting_week_is_given_by_its_monday(client, api, world):
    tuesday = current_week() + datetime.timedelta(days=1)
    client.force_login(world.alice)
    ProjectFactory(alliance=world.alliance_a)
    page = client.get(f"/projects/?due_week={tuesday}")
    # the list shows nothing rather than every project, and the field says why
    assert page.context["paginator"].count == 0
    assert page.context["filter"].form.errors["due_week"] == [f"请填写一周的星期一，例如 {current_week()}。"]
    answer = api.as_user(world.alice).get(f"/api/v1/projects/?received_week={tuesday}")
    assert answer.status_code == 400 and "received_week" in answer.json()
    far = api.as_user(world.alice).get("/api/v1/projects/?due_week=9999-12-27")  # a Monday
    assert far.status_code == 400 and "due_week" in far.json()
    # the reports' week too: a Tuesday is refused, not read as a week without reports
    reports = api.as_user(world.alice).get(f"/api/v1/progress-reports/?period={tuesday}")
    assert reports.status_code == 400 and "period" in reports.json()


def test_the_years_tracked_items_figure_opens_the_items_raised_that_year(client, world):
    from tests.tracking.factories import make_desk

    desk = make_desk(world)
    desk.item("assigned", title="今年的事项")
    old = desk.item("new", title="去年的事项")
    old.raised_on = old.raised_on.replace(year=old.raised_on.year - 1)
    old.save(update_fields=["raised_on"])
    client.force_login(world.alice)
    figure = build(world.alice).figure("items_year")
    response = client.get(figure.url)
    assert figure.value == 1 == response.context["paginator"].count
    assert [item.title for item in response.context["object_list"]] == ["今年的事项"]
