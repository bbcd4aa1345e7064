"""Drafts, then publication: a rollup is drafted after its cut-off, shows what it lacks,
is published by staff of its region, and is corrected by a new version with a reason."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.periods import MONTH, Period
from evaluations import rollups
from evaluations.models import (
    AssessmentScheme,
    Indicator,
    ManualScore,
    Proposal,
    ProposalKind,
    Rollup,
    RollupSchedule,
    RollupWaiver,
)
from evaluations.services import (
    rollup_due_period,
    rollup_produce,
    rollup_publish,
    rollup_regenerate,
    rollups_due,
)
from evaluations.tasks import produce_rollup
from tests.projects.factories import ProjectFactory
from tests.projects.factories import ReportFactory as ProgressReportFactory
from tests.workshops.factories import ReportFactory as WorkshopReportFactory
from tests.workshops.factories import WorkshopFactory, recorded_workshop

pytestmark = pytest.mark.django_db

MARCH = Period.parse(MONTH, "2026-03")
# What the test kind reports for alliance A1: change it, regenerate, and the figure moves.
FIGURES = {"score": "80.00", "alliances": 2}


def scores_report(period, region):
    columns = [
        rollups.column("code", "联盟编号"),
        rollups.column("name", "联盟"),
        rollups.column("score", "总分", "decimal"),
    ]
    rows = [["LM-A-1", "姜山共富联盟", FIGURES["score"]], ["LM-A-2", "云龙产业联盟", "70.00"]]
    return {
        "summary": [rollups.summary_item("alliances", "参与排名的联盟", FIGURES["alliances"])],
        "tables": [rollups.table("ranking", "联盟排名", columns, rows)],
    }


@pytest.fixture
def bulletin_kind(monkeypatch):
    FIGURES.update(score="80.00", alliances=2)
    kind = rollups.RollupKind(
        key=rollups.MONTHLY_BULLETIN,
        label="月通报",
        period_kind=MONTH,
        region_levels=("county", "city"),
        compute=scores_report,
    )
    monkeypatch.setitem(rollups.KINDS, rollups.MONTHLY_BULLETIN, kind)
    return kind


@pytest.fixture
def draft(world, bulletin_kind) -> Rollup:
    return rollup_produce(kind=rollups.MONTHLY_BULLETIN, period=MARCH, region=world.county_a)[0]


@pytest.fixture
def brand(world) -> Indicator:
    """A staff-scored indicator of Ningbo's 2026 scheme: both county A alliances owe it."""
    scheme = AssessmentScheme.objects.create(name="宁波市考评", region=world.ningbo, year=2026, status="active")
    return Indicator.objects.create(scheme=scheme, dimension="brand", code="B1", name="品牌影响", max_score=10)


def page(client, rollup) -> str:
    return client.get(rollup.get_absolute_url()).content.decode()


# ------------------------------------------------------------------ draft → publish → correct


def test_it_drafts_publishes_corrects_and_shows_version_2_with_what_changed(client, world, draft):
    client.force_login(world.alice)
    assert draft.is_draft and draft.version is None
    assert "草稿（未发布）" in page(client, draft)

    response = client.post(reverse("evaluations:rollup-publish", args=[draft.pk]), {"reason": ""})
    assert response.status_code == 302
    first = Rollup.objects.get(pk=draft.pk)
    assert (first.status, first.version, first.published_by) == ("published", 1, world.alice)

    # A figure is found wrong: the data is fixed, the correction drafted and published.
    FIGURES.update(score="85.50", alliances=3)
    response = client.post(reverse("evaluations:rollup-regenerate", args=[first.pk]))
    correction = Rollup.objects.get(status="draft")
    assert response["Location"] == correction.get_absolute_url()
    assert "发布更正（第2版）" in page(client, correction)
    response = client.post(
        reverse("evaluations:rollup-publish", args=[correction.pk]), {"reason": "姜山共富联盟进度报告重新审核"}
    )
    assert response.status_code == 302
    second = Rollup.objects.get(pk=correction.pk)
    assert (second.version, second.correction_reason) == (2, "姜山共富联盟进度报告重新审核")
    assert Rollup.objects.get(pk=first.pk).report["tables"][0]["rows"][0][2] == "80.00"  # version 1 unchanged

    html = page(client, second)
    versions = html[html.index('id="version-list"') :]
    assert "第1版" in versions and "第2版" in versions and "姜山共富联盟进度报告重新审核" in versions
    assert "alice" in versions
    changes = html[html.index("第2版与第1版相比的变化") :]
    assert "LM-A-1 姜山共富联盟" in changes and "80.00" in changes and "85.50" in changes
    assert "LM-A-2" not in changes  # an unchanged row is not listed
    assert "参与排名的联盟" in changes


def test_regenerating_a_draft_recomputes_it_in_place(world, draft):
    FIGURES["score"] = "91.00"
    again = rollup_regenerate(actor=world.alice, rollup=draft)
    assert again.pk == draft.pk and again.is_draft
    assert again.report["tables"][0]["rows"][0][2] == "91.00"
    assert Rollup.objects.count() == 1


def test_a_correction_without_a_reason_is_refused_and_changes_nothing(client, world, draft):
    rollup_publish(actor=world.alice, rollup=draft)
    correction = rollup_regenerate(actor=world.alice, rollup=draft)
    client.force_login(world.alice)
    response = client.post(reverse("evaluations:rollup-publish", args=[correction.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert "请填写更正原因" in response.content.decode()
    assert Rollup.objects.get(pk=correction.pk).is_draft
    assert list(Rollup.objects.values_list("version", flat=True).order_by("version")) == [1, None]


def test_a_published_version_cannot_be_published_again(world, draft):
    published = rollup_publish(actor=world.alice, rollup=draft)
    with pytest.raises(ValidationError, match="已发布"):
        rollup_publish(actor=world.alice, rollup=published, reason="再发一次")
    assert Rollup.objects.get().version == 1


# ------------------------------------------------------------------ pending staff scores


def test_publication_is_refused_while_a_staff_score_is_pending(client, world, draft, brand):
    client.force_login(world.alice)
    html = page(client, draft)
    pending = html[html.index('id="pending-scores"') :]
    assert "姜山共富联盟" in pending and "云龙产业联盟" in pending and "B1 品牌影响" in pending

    response = client.post(reverse("evaluations:rollup-publish", args=[draft.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "还有 2 项人工评分未录入" in response.content.decode()
    assert Rollup.objects.get(pk=draft.pk).is_draft
    assert not RollupWaiver.objects.exists()


def test_a_waiver_with_a_reason_for_each_pending_score_allows_publication(client, world, draft, brand):
    client.force_login(world.alice)
    url = reverse("evaluations:rollup-publish", args=[draft.pk])
    first = f"waive-{world.alliance_a.pk}-{brand.pk}"
    second = f"waive-{world.alliance_a2.pk}-{brand.pk}"
    refused = client.post(url, {first: "材料在途，下月补评"})
    assert "还有 1 项人工评分未录入（云龙产业联盟·品牌影响）" in refused.content.decode()
    assert Rollup.objects.get(pk=draft.pk).is_draft and not RollupWaiver.objects.exists()

    response = client.post(url, {first: "材料在途，下月补评", second: "联盟负责人调整，暂缓评分"})
    assert response.status_code == 302
    published = Rollup.objects.get(pk=draft.pk)
    assert published.version == 1
    waivers = {w.alliance_id: (w.reason, w.waived_by) for w in published.waivers.all()}
    assert waivers == {
        world.alliance_a.pk: ("材料在途，下月补评", world.alice),
        world.alliance_a2.pk: ("联盟负责人调整，暂缓评分", world.alice),
    }
    assert "联盟负责人调整，暂缓评分" in page(client, published)


def test_an_entered_score_is_no_longer_pending(world, draft, brand):
    for alliance in (world.alliance_a, world.alliance_a2):
        ManualScore.objects.create(
            alliance=alliance,
            indicator=brand,
            period_kind="year",
            period_start=datetime.date(2026, 1, 1),
            score=8,
            evidence="获评市级品牌",
            scored_by=world.alice,
        )
    assert rollup_publish(actor=world.alice, rollup=draft).version == 1


def test_the_weekly_dispatch_is_not_held_by_staff_scores(world, brand, monkeypatch):
    kind = rollups.RollupKind(rollups.WEEKLY_DISPATCH, "周调度", "week", ("county",), scores_report)
    monkeypatch.setitem(rollups.KINDS, rollups.WEEKLY_DISPATCH, kind)
    week = Period.parse("week", "2026-W10")
    dispatch = rollup_produce(kind=rollups.WEEKLY_DISPATCH, period=week, region=world.county_a)[0]
    assert rollup_publish(actor=world.alice, rollup=dispatch).version == 1


# ------------------------------------------------------------------ what the draft lacks


def test_the_draft_lists_unreviewed_reports_and_missing_workshop_figures(client, world, draft):
    project = ProjectFactory(alliance=world.alliance_a, title="姜山蔬菜基地")
    ProgressReportFactory(project=project, period=datetime.date(2026, 3, 9))  # in March, waiting
    ProgressReportFactory(project=project, period=datetime.date(2026, 3, 16), status="accepted")
    ProgressReportFactory(project=project, period=datetime.date(2026, 4, 6))  # April: not this draft's
    filed = WorkshopFactory(name="走马塘来料加工共富工坊", region=world.village_a, host=world.org_a)
    WorkshopReportFactory(workshop=filed, month=datetime.date(2026, 3, 1))
    WorkshopFactory(name="姜山竹编共富工坊", region=world.village_a, host=world.org_a)
    client.force_login(world.alice)
    html = page(client, draft)
    reports = html[html.index('id="unreviewed-reports"') :]
    assert "待审核进度报告 1 份" in html and "姜山蔬菜基地" in reports
    figures = html[html.index('id="missing-figures"') :]
    assert "姜山竹编共富工坊" in figures and "2026年3月" in figures
    assert "走马塘来料加工共富工坊" not in figures


def test_a_quarters_missing_figures_are_the_months_each_open_workshop_owes(world):
    """Checked against the rows themselves: a workshop owes each month of the quarter it was
    open by the month's last day and filed nothing for; closed workshops owe nothing."""
    from evaluations.drafts import missing_workshop_figures
    from workshops.models import Workshop, WorkshopReport

    quarter = Period.parse("quarter", "2026-Q1")
    jan, feb, mar = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)

    def shop(name: str, opened_on: datetime.date, **extra):
        return WorkshopFactory(name=name, region=world.village_a, host=world.org_a, opened_on=opened_on, **extra)

    all_filed = shop("全部已报工坊", jan)
    for month in (jan, feb, mar):
        WorkshopReportFactory(workshop=all_filed, month=month)
    march_missing = shop("三月未报工坊", jan)
    for month in (jan, feb):
        WorkshopReportFactory(workshop=march_missing, month=month)
    shop("二月底开办工坊", datetime.date(2026, 2, 28))
    shop("四月开办工坊", datetime.date(2026, 4, 2))
    shop("已关停工坊", jan, status="closed")

    found = {workshop.name: months for workshop, months in missing_workshop_figures(quarter, world.county_a)}

    filed = set(WorkshopReport.objects.values_list("workshop_id", "month"))
    expected = {}
    for workshop in Workshop.objects.exclude(status="closed").filter(opened_on__lt=quarter.end):
        owed = [
            month
            for month in (jan, feb, mar)
            if Period(MONTH, month).last_day >= workshop.opened_on and (workshop.pk, month) not in filed
        ]
        if owed:
            expected[workshop.name] = owed
    assert found == expected == {"三月未报工坊": [mar], "二月底开办工坊": [feb, mar]}


def test_a_workshop_closed_after_the_period_still_owes_its_figures_in_the_draft(world):
    """The draft asks for the figures its period lacks: a workshop open all of the first
    quarter and closed in April without March's figures owes March; one closed in
    February owes nothing (its status at the quarter's end, from its history)."""
    from evaluations.drafts import missing_workshop_figures

    quarter = Period.parse("quarter", "2026-Q1")
    jan, feb = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)
    closed_in_april = recorded_workshop("四月关停工坊", world.village_a, closed_on=datetime.date(2026, 4, 10))
    closed_in_february = recorded_workshop("二月关停工坊", world.village_a, closed_on=datetime.date(2026, 2, 20))
    for workshop in (closed_in_april, closed_in_february):
        for month in (jan, feb):
            WorkshopReportFactory(workshop=workshop, month=month)

    found = {workshop.name: months for workshop, months in missing_workshop_figures(quarter, world.county_a)}

    assert found == {"四月关停工坊": [datetime.date(2026, 3, 1)]}


# ------------------------------------------------------------------ drafting on schedule


def test_the_bulletin_is_drafted_on_the_fifth_by_default_and_on_the_countys_own_day(world):
    # May 2026 ends with the week of Monday 25 May, reported by 3 June: the 5th rules.
    assert rollup_due_period(rollups.MONTHLY_BULLETIN, world.county_a, datetime.date(2026, 6, 4)).key == "2026-04"
    assert rollup_due_period(rollups.MONTHLY_BULLETIN, world.county_a, datetime.date(2026, 6, 5)).key == "2026-05"
    assert rollup_due_period(rollups.WEEKLY_DISPATCH, world.county_a, datetime.date(2026, 3, 9)).key == "2026-W10"
    assert rollup_due_period(rollups.ANNUAL_REVIEW, world.county_a, datetime.date(2027, 1, 14)).key == "2025"
    assert rollup_due_period(rollups.ANNUAL_REVIEW, world.county_a, datetime.date(2027, 1, 15)).key == "2026"
    RollupSchedule.objects.create(region=world.county_a, kind=rollups.MONTHLY_BULLETIN, cutoff_day=10)
    assert rollup_due_period(rollups.MONTHLY_BULLETIN, world.county_a, datetime.date(2026, 6, 9)).key == "2026-04"
    assert rollup_due_period(rollups.MONTHLY_BULLETIN, world.county_a, datetime.date(2026, 6, 10)).key == "2026-05"
    assert rollup_due_period(rollups.MONTHLY_BULLETIN, world.county_b, datetime.date(2026, 6, 5)).key == "2026-05"


def test_a_month_is_not_drafted_before_its_last_weeks_reports_are_due(world, settings):
    """March 2026 ends with the week of Monday 30 March, whose reports count for March and
    are due by the end of Wednesday 8 April: its bulletin waits for 9 April, not the 5th."""
    settings.REPORT_DEADLINE_GRACE_DAYS = 3
    last_monday = max(d for d in (datetime.date(2026, 3, day) for day in range(1, 32)) if d.weekday() == 0)
    first_day_after = last_monday + datetime.timedelta(days=7 + settings.REPORT_DEADLINE_GRACE_DAYS)
    assert first_day_after == datetime.date(2026, 4, 9)
    for today, due in [("2026-04-05", "2026-02"), ("2026-04-08", "2026-02"), ("2026-04-09", "2026-03")]:
        found = rollup_due_period(rollups.MONTHLY_BULLETIN, world.county_a, datetime.date.fromisoformat(today))
        assert found.key == due, today
    # The dispatch reads its week as of its own Monday: not held back.
    assert rollup_due_period(rollups.WEEKLY_DISPATCH, world.county_a, datetime.date(2026, 4, 6)).key == "2026-W14"


def test_a_draft_made_before_the_reporting_cut_off_is_not_published_until_made_again(client, world, draft):
    early = datetime.datetime(2026, 4, 6, 6, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    Rollup.objects.filter(pk=draft.pk).update(produced_at=early)
    draft.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        rollup_publish(actor=world.alice, rollup=draft)
    assert "2026年4月9日" in str(refused.value) and "重新生成" in str(refused.value)
    assert Rollup.objects.get(pk=draft.pk).status == "draft"
    # The page says why and offers no publication, only making it again.
    client.force_login(world.alice)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'id="drafted-before"' in page and "rollup-publish" not in page
    assert reverse("evaluations:rollup-publish", args=[draft.pk]) not in page
    assert reverse("evaluations:rollup-regenerate", args=[draft.pk]) in page

    fresh = rollup_regenerate(actor=world.alice, rollup=draft)
    assert rollup_publish(actor=world.alice, rollup=fresh).version == 1


def test_drafting_twice_or_after_a_crash_gives_one_draft(world, bulletin_kind):
    due = rollups_due(rollups.MONTHLY_BULLETIN, datetime.date(2026, 4, 9))
    assert (world.county_a, MARCH) in due
    first = produce_rollup(rollups.MONTHLY_BULLETIN, "2026-03", world.county_a.code)
    again = produce_rollup(rollups.MONTHLY_BULLETIN, "2026-03", world.county_a.code)
    assert first == again
    assert Rollup.objects.filter(region=world.county_a).count() == 1
    assert (world.county_a, MARCH) not in rollups_due(rollups.MONTHLY_BULLETIN, datetime.date(2026, 4, 9))


def test_a_published_rollup_is_not_drafted_again(world, draft):
    rollup_publish(actor=world.alice, rollup=draft)
    again, created = rollup_produce(kind=rollups.MONTHLY_BULLETIN, period=MARCH, region=world.county_a)
    assert (again.pk, created, again.version) == (draft.pk, False, 1)
    assert Rollup.objects.count() == 1


def test_the_command_and_the_list_button_draft_a_missing_rollup(client, world, bulletin_kind):
    out = io.StringIO()
    call_command("rollup", "monthly_bulletin", "--period", "2026-03", "--region", world.county_a.code, stdout=out)
    assert out.getvalue().startswith("created") and "draft" in out.getvalue()

    client.force_login(world.alice)
    assert reverse("evaluations:rollup-create") in client.get(reverse("evaluations:rollup-list")).content.decode()
    url = reverse("evaluations:rollup-create")
    response = client.post(url, {"kind": "monthly_bulletin", "period": "2026-04", "region": world.county_a.pk})
    april = Rollup.objects.get(period_key="2026-04")
    assert response["Location"] == april.get_absolute_url() and april.is_draft
    refused = client.post(url, {"kind": "monthly_bulletin", "period": "2026-05", "region": world.county_b.pk})
    assert "region" in refused.context["form"].errors
    wrong = client.post(url, {"kind": "monthly_bulletin", "period": "2026-W05", "region": world.county_a.pk})
    assert "period" in wrong.context["form"].errors
    assert Rollup.objects.count() == 2


def test_a_month_drafted_by_hand_before_its_cut_off_is_said_to_be_a_preview(client, world, bulletin_kind):
    from django.contrib.messages import get_messages

    from projects.weeks import local_today

    client.force_login(world.alice)
    this_month = Period.containing(MONTH, local_today())  # its last week is reported next month at the earliest
    response = client.post(
        reverse("evaluations:rollup-create"),
        {"kind": "monthly_bulletin", "period": this_month.key, "region": world.county_a.pk},
    )
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("供预览" in text and "截止后请重新生成" in text for text in said), said
    assert not any("请核对缺项后发布" in text for text in said)


# ------------------------------------------------------------------ who may publish


def test_a_draft_is_seen_only_by_staff_who_may_publish_it(world, draft):
    assert set(Rollup.objects.visible_to(world.alice)) == {draft}
    assert set(Rollup.objects.visible_to(world.carol)) == {draft}
    for outsider in (world.bob, world.tina, world.vera, world.lily):
        assert not Rollup.objects.visible_to(outsider).exists()
    published = rollup_publish(actor=world.alice, rollup=draft)
    # Township staff read no county rollup: it names the alliances of other townships.
    assert not Rollup.objects.visible_to(world.tina).exists()
    assert set(Rollup.objects.visible_to(world.vera)) == {published}


def test_only_staff_of_the_rollups_region_or_above_publish_it(client, api, world, draft):
    url = reverse("evaluations:rollup-publish", args=[draft.pk])
    for outsider in (world.bob, world.tina, world.vera, world.lily):
        client.force_login(outsider)
        assert client.post(url, {"reason": ""}).status_code == 404
        api_response = api.as_user(outsider).post(f"/api/v1/rollups/{draft.pk}/publish/", {}, format="json")
        # The API refuses a write by a role that never writes before any lookup.
        assert api_response.status_code == (403 if outsider in (world.vera, world.lily) else 404)
    with pytest.raises(PermissionDenied):
        rollup_publish(actor=world.tina, rollup=draft)
    assert Rollup.objects.get(pk=draft.pk).is_draft

    response = api.as_user(world.carol).post(f"/api/v1/rollups/{draft.pk}/publish/", {}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    # Township staff read no county rollup, published or not, and cannot start its correction.
    client.force_login(world.tina)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(reverse("evaluations:rollup-regenerate", args=[draft.pk])).status_code == 404
    assert Rollup.objects.count() == 1


def test_the_api_refuses_a_pending_score_and_accepts_waivers(api, world, draft, brand):
    url = f"/api/v1/rollups/{draft.pk}/publish/"
    refused = api.as_user(world.alice).post(url, {}, format="json")
    assert refused.status_code == 400 and "waivers" in refused.json()
    waivers = [
        {"alliance": alliance.pk, "indicator": brand.pk, "reason": "材料在途"}
        for alliance in (world.alliance_a, world.alliance_a2)
    ]
    response = api.as_user(world.alice).post(url, {"waivers": waivers}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert RollupWaiver.objects.count() == 2


# ------------------------------------------------------------------ proposals, not verdicts


@pytest.fixture
def review_2025(world, monkeypatch):
    """A county annual review whose assessments call for restructuring A1 and rectifying A2
    (a confirmed veto), and whose bound results strip 走马塘村党委 of 两优一先 eligibility."""
    from evaluations.models import Assessment, MemberResult

    kind = rollups.RollupKind(rollups.ANNUAL_REVIEW, "年考评", "year", ("county", "city"), scores_report)
    monkeypatch.setitem(rollups.KINDS, rollups.ANNUAL_REVIEW, kind)
    scheme = AssessmentScheme.objects.create(name="宁波市考评", region=world.ningbo, year=2025, status="active")
    start = datetime.date(2025, 1, 1)
    common = {"scheme": scheme, "period_kind": "year", "period_start": start, "status": "final"}
    Assessment.objects.create(alliance=world.alliance_a, total_score=52, grade="poor", county_rank=2, **common)
    Assessment.objects.create(
        alliance=world.alliance_a2, total_score=88, grade="poor", vetoed=True, county_rank=1, **common
    )
    MemberResult.objects.create(
        organization=world.org_a,
        period_kind="year",
        period_start=start,
        own_score=50,
        total_score=51,
        loses_award_eligibility=True,
    )
    period = Period.parse("year", "2025")
    return rollup_produce(kind=rollups.ANNUAL_REVIEW, period=period, region=world.county_a)[0]


def test_publishing_the_annual_review_proposes_consequences_that_apply_only_once_confirmed(world, review_2025):
    from evaluations.models import Proposal
    from evaluations.services import proposal_decide

    assert not Proposal.objects.exists()  # a draft proposes nothing
    rollup_publish(actor=world.alice, rollup=review_2025)
    proposals = {(p.kind, p.subject): p for p in Proposal.objects.all()}
    assert set(proposals) == {
        ("reorganize", "姜山共富联盟"),
        ("rectify", "云龙产业联盟"),
        ("award_ineligible", "走马塘村党委"),
    }
    assert {p.status for p in proposals.values()} == {"proposed"}
    assert "总分 52.00" in proposals["reorganize", "姜山共富联盟"].basis
    # Why a member loses its eligibility: the alliances graded 较差 it belonged to at the year's end.
    assert proposals["award_ineligible", "走马塘村党委"].basis == (
        "2025年度捆绑考评结果 51.00 分；所在联盟“姜山共富联盟”年度考评等次为较差。"
    )

    reorganize = proposals["reorganize", "姜山共富联盟"]
    with pytest.raises(ValidationError, match="请填写决定理由"):
        proposal_decide(actor=world.alice, proposal=reorganize, decision="overruled", reason=" ")
    with pytest.raises(PermissionDenied):
        proposal_decide(actor=world.tina, proposal=reorganize, decision="confirmed", reason="同意")
    assert Proposal.objects.get(pk=reorganize.pk).status == "proposed"

    overruled = proposal_decide(
        actor=world.alice, proposal=reorganize, decision="overruled", reason="数据口径有误，待复核后重新研究"
    )
    assert (overruled.status, overruled.decided_by) == ("overruled", world.alice)
    with pytest.raises(ValidationError, match="已作出决定"):
        proposal_decide(actor=world.carol, proposal=reorganize, decision="confirmed", reason="改为同意")
    assert list(Proposal.objects.filter(status="confirmed")) == []


def test_staff_confirm_a_proposal_on_its_page_and_only_confirmed_ones_are_listed_as_applying(
    client, world, review_2025
):
    from evaluations.models import Proposal

    rollup_publish(actor=world.alice, rollup=review_2025)
    award = Proposal.objects.get(kind="award_ineligible")
    url = reverse("evaluations:proposal-decide", args=[award.pk])
    client.force_login(world.tina)
    assert client.post(url, {"decision": "confirmed", "reason": "同意"}).status_code == 404
    client.force_login(world.alice)
    refused = client.post(url, {"decision": "confirmed", "reason": ""}, follow=True)
    assert "请填写决定理由" in refused.content.decode()
    assert Proposal.objects.get(pk=award.pk).status == "proposed"
    client.post(url, {"decision": "confirmed", "reason": "经部务会研究同意"})
    assert Proposal.objects.get(pk=award.pk).status == "confirmed"
    response = client.get(reverse("evaluations:proposal-list"), {"status": "confirmed"})
    confirmed = response.content.decode()
    assert "走马塘村党委" in confirmed and "经部务会研究同意" in confirmed
    assert [p.pk for p in response.context["object_list"]] == [award.pk]


def test_the_proposal_list_puts_those_waiting_for_a_decision_first(client, world, review_2025):
    from evaluations.models import Proposal
    from evaluations.services import proposal_decide

    rollup_publish(actor=world.alice, rollup=review_2025)
    award = Proposal.objects.get(kind="award_ineligible")
    proposal_decide(actor=world.alice, proposal=award, decision="confirmed", reason="经部务会研究同意")
    client.force_login(world.alice)
    rows = client.get(reverse("evaluations:proposal-list")).context["object_list"]
    assert [p.status for p in rows] == ["proposed", "proposed", "confirmed"]


def test_a_decision_returns_to_the_list_as_it_was_filtered_and_never_off_the_site(client, world, review_2025):
    from evaluations.models import Proposal

    rollup_publish(actor=world.alice, rollup=review_2025)
    award, rectify = Proposal.objects.filter(kind__in=["rectify", "award_ineligible"]).order_by("kind")
    client.force_login(world.alice)
    waiting = reverse("evaluations:proposal-list") + "?status=proposed"
    response = client.post(
        reverse("evaluations:proposal-decide", args=[award.pk]),
        {"decision": "confirmed", "reason": "经部务会研究同意", "next": waiting + "&page=1"},
    )
    # The same filtered list, from its first page (the page it was on may be gone).
    assert response.status_code == 302 and response["Location"] == waiting
    response = client.post(
        reverse("evaluations:proposal-decide", args=[rectify.pk]),
        {"decision": "overruled", "reason": "已整改到位", "next": "https://example.com/"},
    )
    assert response["Location"] == reverse("evaluations:proposal-list")
    assert dict(Proposal.objects.values_list("kind", "status")) == {
        "award_ineligible": "confirmed",
        "rectify": "overruled",
        "reorganize": "proposed",
    }
    page = client.get(waiting).content.decode()
    assert "姜山共富联盟" in page and "走马塘村党委" not in page and "云龙产业联盟" not in page
    # The choice is made on purpose: no decision is preselected.
    assert '<option value="">' in page


def test_a_published_review_says_when_proposals_were_decided_after_it_until_a_correction_lists_them(
    client, world, review_2025
):
    """Journey 3.3 then 2.8: the published version never changes, so after a decision its
    page says it still lists the proposals as they stood, until a correction is published
    (what a review lists for each state is tested in test_rollup_reports)."""
    from evaluations.models import Proposal
    from evaluations.services import proposal_decide

    v1 = rollup_publish(actor=world.alice, rollup=review_2025)
    client.force_login(world.alice)
    page = client.get(v1.get_absolute_url()).content.decode()
    assert 'id="decided-since"' not in page
    assert f"?year=2025&amp;region={world.county_a.code}" in page
    proposal_decide(
        actor=world.carol, proposal=Proposal.objects.get(kind="reorganize"), decision="confirmed", reason="同意"
    )
    decided = Proposal.objects.filter(year=2025, decided_at__gt=v1.published_at).count()
    page = client.get(v1.get_absolute_url()).content.decode()
    assert decided == 1 and "又有 1 项结果运用建议作出了决定" in page and "生成更正稿并发布后" in page
    client.force_login(world.vera)  # a viewer reads the note, without the step that is staff's
    page = client.get(v1.get_absolute_url()).content.decode()
    assert "又有 1 项" in page and "生成更正稿并发布后" not in page

    v2 = rollup_publish(
        actor=world.alice, rollup=rollup_regenerate(actor=world.alice, rollup=v1), reason="列出已确认的结果运用"
    )
    client.force_login(world.alice)
    corrected = client.get(v2.get_absolute_url()).content.decode()
    assert 'id="decided-since"' not in corrected
    assert 'id="decided-since"' not in client.get(v1.get_absolute_url()).content.decode()


# ------------------------------------------------------------------ the proposal list

DECIDED_AT = datetime.datetime(2026, 1, 15, 2, 30, tzinfo=datetime.UTC)  # 10:30 in Shanghai


def proposals_of_county_a(world, years=range(2020, 2026)) -> list:
    """Every kind of proposal for alliances A1 and A2 and 走马塘村党委 in each year, made by
    county A's annual review; the odd years' ones confirmed by alice."""
    subjects = [{"alliance": world.alliance_a}, {"alliance": world.alliance_a2}, {"organization": world.org_a}]

    def decision(year: int) -> dict:
        if year % 2 == 0:
            return {}
        return {
            "status": "confirmed",
            "reason": f"{year}年经部务会研究同意",
            "decided_by": world.alice,
            "decided_at": DECIDED_AT,
        }

    return Proposal.objects.bulk_create(
        Proposal(
            kind=kind, year=year, region=world.county_a, basis=f"{year}年度考评{kind}", **subject, **decision(year)
        )
        for year in years
        for kind in ProposalKind.values
        for subject in subjects
    )


def proposal_query_count(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("evaluations:proposal-list"), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_proposal_list_runs_the_same_number_of_queries_at_5_and_50_rows(client, world):
    proposals_of_county_a(world)
    client.force_login(world.alice)
    assert proposal_query_count(client, {"page_size": 5}) == proposal_query_count(client, {"page_size": 50})
    response = client.get(reverse("evaluations:proposal-list"), {"page_size": 50})
    assert len(response.context["object_list"]) == 50 and response.context["paginator"].count == 90
    # Newest year first: 2025 (confirmed), 2024 (to decide), 2023 (confirmed), then five of 2022.
    assert response.content.decode().count('name="decision"') == 15 + 5


def test_only_staff_of_the_proposals_county_or_above_get_its_decide_buttons(client, world):
    proposals_of_county_a(world, years=[2024, 2025])
    proposed = Proposal.objects.get(year=2024, kind="interview", alliance=world.alliance_a)
    confirmed = Proposal.objects.get(year=2025, kind="interview", alliance=world.alliance_a)
    decide = reverse("evaluations:proposal-decide", args=[proposed.pk])
    for staff in (world.alice, world.carol):
        client.force_login(staff)
        page = client.get(reverse("evaluations:proposal-list"), {"page_size": 30}).content.decode()
        assert decide in page
        assert reverse("evaluations:proposal-decide", args=[confirmed.pk]) not in page
        assert confirmed.reason in page
    client.force_login(world.vera)
    page = client.get(reverse("evaluations:proposal-list"), {"page_size": 30}).content.decode()
    assert proposed.basis in page and confirmed.reason in page
    assert 'name="decision"' not in page


def test_the_proposal_list_filters_by_status_kind_year_and_the_subjects_township(client, world):
    proposals_of_county_a(world)
    client.force_login(world.alice)
    url = reverse("evaluations:proposal-list")

    def subjects(**params) -> list[tuple]:
        rows = client.get(url, params | {"page_size": 100}).context["object_list"]
        return sorted((p.subject, p.kind, p.year, p.status) for p in rows)

    assert subjects(kind="interview", year=2025) == [
        ("云龙产业联盟", "interview", 2025, "confirmed"),
        ("姜山共富联盟", "interview", 2025, "confirmed"),
        ("走马塘村党委", "interview", 2025, "confirmed"),
    ]
    # 姜山镇: alliance A1, led there, and 走马塘村党委, in one of its villages; not A2 (云龙镇).
    assert {s for s, *_rest in subjects(region=world.town_a.code)} == {"姜山共富联盟", "走马塘村党委"}
    assert subjects(region=world.town_a.code, kind="rectify", status="proposed", year=2024) == [
        ("姜山共富联盟", "rectify", 2024, "proposed"),
        ("走马塘村党委", "rectify", 2024, "proposed"),
    ]
    refused = client.get(url, {"year": "去年"})
    assert "year" in refused.context["filter"].errors and not refused.context["object_list"]


def test_the_proposal_export_says_who_decided_what_when_and_why(client, world):
    proposals_of_county_a(world, years=[2025])
    client.force_login(world.carol)
    response = client.get(
        reverse("evaluations:proposal-list"),
        {"export": "xlsx", "kind": "demonstration", "region": world.alliance_a2.lead_region.code},
    )
    assert response["Content-Disposition"].startswith('attachment; filename="proposals-')
    sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    assert sheet.title == "结果运用建议"
    assert list(sheet.iter_rows(values_only=True)) == [
        ("联盟", "成员单位", "区划代码", "区域", "结果运用", "年度", "状态", "依据", "决定理由", "决定人", "决定时间"),
        (
            "云龙产业联盟",
            None,
            world.county_a.code,
            "鄞州区",
            "示范候选",
            2025,
            "已确认",
            "2025年度考评demonstration",
            "2025年经部务会研究同意",
            "alice",
            datetime.datetime(2026, 1, 15, 10, 30),
        ),
    ]
