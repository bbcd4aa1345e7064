"""An alliance's scorecard: its total opened down to the rows behind each indicator, on a
small hand-made data set (March 2025 in 鄞州区 and 岱山县)."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.periods import MONTH, Period
from demo.evaluations import ensure_scheme
from evaluations import scorecard
from evaluations.drafts import pending_scores
from evaluations.models import Assessment, Indicator, ManualScore, MemberResult, Rollup, VetoFinding
from evaluations.scoring import half_up
from evaluations.services import rollup_produce, rollup_publish
from projects.models import ProgressReport
from tests.alliances.factories import (
    ActivityFactory,
    ClaimFactory,
    MeetingFactory,
    MembershipFactory,
    NeedFactory,
    leader_of,
)
from tests.members.factories import user_with_scope
from tests.projects.factories import ProjectFactory, ReportFactory
from tests.workshops.factories import ReportFactory as WorkshopReportFactory
from tests.workshops.factories import WorkshopFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MARCH = Period.parse(MONTH, "2025-03")


def at(text: str) -> datetime.datetime:
    """A Shanghai wall-clock time at 10:00 on the day."""
    day = datetime.date.fromisoformat(text)
    return datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def march(world, settings):
    settings.REPORT_DEADLINE_GRACE_DAYS = 3
    return march_data(world)


def march_data(world):
    """Ningbo's and Zhoushan's standard schemes, a month of data, and March's bulletins
    (鄞州区's published, the staff scores still missing waived).

    姜山共富联盟 (alliance_a) has one project owing the five weeks of March: week 10 on time,
    week 11 late, week 12 missing, week 13 returned and not sent again, week 14 on time
    (timeliness 2/5); two claims, one resolved in March and one only in April; two monthly
    meetings (the second counts no further); a staff score with evidence; a four-star member.
    云龙产业联盟 (alliance_a2) has nothing due and a confirmed veto. 岱山海岛联盟 (alliance_b)
    has one project that reported every week on time (deadline grace: 3 days)."""
    ensure_scheme("330200000000", "宁波市考评办法", 2025, {})
    ensure_scheme("330900000000", "舟山市考评办法", 2025, {})
    project = ProjectFactory(
        alliance=world.alliance_a,
        title="走马塘村民宿改造",
        year=2025,
        start_on=d("2025-01-06"),
        due_on=d("2025-12-31"),
        planned_investment=Decimal("1000000"),
    )
    week = {10: d("2025-03-03"), 11: d("2025-03-10"), 12: d("2025-03-17"), 13: d("2025-03-24"), 14: d("2025-03-31")}
    ReportFactory(project=project, period=week[10], submitted_at=at("2025-03-05"), percent_complete=40)
    ReportFactory(project=project, period=week[11], submitted_at=at("2025-03-21"), percent_complete=45)
    ReportFactory(
        project=project,
        period=week[13],
        submitted_at=at("2025-03-25"),
        status="returned",
        reviewed_at=at("2025-03-27"),
        review_comment="照片不清楚",
        percent_complete=60,
    )
    ReportFactory(
        project=project,
        period=week[14],
        submitted_at=at("2025-04-02"),
        percent_complete=50,
        investment_to_date=Decimal("300000"),
    )
    resolved_claim(world, "灌溉水渠修缮", claimed="2025-02-01", closed="2025-03-15")
    resolved_claim(world, "农产品冷库", claimed="2025-03-02", closed="2025-04-10")
    MeetingFactory(alliance=world.alliance_a, kind="monthly", held_on=d("2025-03-10"), topics="三月碰头会")
    MeetingFactory(alliance=world.alliance_a, kind="monthly", held_on=d("2025-03-24"), topics="三月加开碰头会")
    ActivityFactory(alliance=world.alliance_a, held_on=d("2025-03-12"), title="联合党课：共富路上")
    shop = WorkshopFactory(alliance=world.alliance_a, region=world.village_a, name="走马塘竹编工坊")
    WorkshopReportFactory(workshop=shop, month=d("2025-03-01"), employed=20, low_income_employed=6)
    member_score = Indicator.objects.get(scheme__region=world.ningbo, code="C2")
    ManualScore.objects.create(
        alliance=world.alliance_a,
        indicator=member_score,
        period_kind="year",
        period_start=d("2025-01-01"),
        score=8,
        evidence="成员单位全部参加季度专题会",
        scored_by=world.alice,
    )
    VetoFinding.objects.create(
        alliance=world.alliance_a2,
        kind="show_only",
        year=2025,
        note="台账造假",
        confirmed=True,
        recorded_by=world.alice,
        verification="实地查看台账，与现场不符",
        confirmed_by=world.carol,
    )
    world.org_a.star_rating = 4
    world.org_a.save(update_fields=["star_rating"])
    island = ProjectFactory(
        alliance=world.alliance_b, title="海岛渔家乐", year=2025, start_on=d("2025-01-06"), due_on=d("2025-12-31")
    )
    for monday in week.values():
        ReportFactory(project=island, period=monday, submitted_at=at((monday + datetime.timedelta(days=1)).isoformat()))
    draft, _created = rollup_produce(kind="monthly_bulletin", period=MARCH, region=world.county_a)
    waivers = {item.key: "年底统一评分" for item in pending_scores(MARCH, world.county_a)}
    world.bulletin = rollup_publish(actor=world.alice, rollup=draft, waivers=waivers)
    rollup_produce(kind="monthly_bulletin", period=MARCH, region=world.county_b)
    return world


def resolved_claim(world, title: str, *, claimed: str, closed: str):
    """A claim by 云龙产业联盟 on a need of 姜山共富联盟, resolved on ``closed``."""
    return ClaimFactory(
        need=NeedFactory(alliance=world.alliance_a, title=title, posted_on=d("2025-01-20")),
        claimant_alliance=world.alliance_a2,
        claimed_on=d(claimed),
        started_on=d(claimed) + datetime.timedelta(days=3),
        status="resolved",
        closed_on=d(closed),
        note="已解决",
    )


def line_of(card, metric: str):
    return next(line for d in card.dimensions for line in d.indicators if line.indicator.metric == metric)


def assert_adds_up(card) -> None:
    """Dimensions and the member part add up to the total, each dimension's indicators to
    it, and each computed indicator's rows give its attainment again."""
    total = card.exact_total
    assert min(Decimal(100), max(Decimal(0), half_up(Decimal(total.numerator) / total.denominator))) == card.total
    shown = sum(d.shown_points for d in card.dimensions) + card.shown_member_points
    assert abs(shown - card.total) <= Decimal("0.01") * (len(card.dimensions) + 1)
    base_part = Decimal(1) - card.assessment.scheme.member_weight
    base = sum(d.points for d in card.dimensions)
    assert half_up(Decimal(base.numerator) / base.denominator / base_part) == card.assessment.base_score
    for dimension in card.dimensions:
        assert {line.indicator.dimension for line in dimension.indicators} <= {dimension.key}
        assert dimension.points == sum(line.points for line in dimension.indicators)
        for line in dimension.indicators:
            if line.rows is not None:
                assert line.rows.attainment == line.attainment, (card.alliance.code, line.indicator.code)


def test_every_alliance_of_the_hand_made_set_adds_up_to_its_total(march):
    assessments = Assessment.objects.filter(period_kind="month", period_start=MARCH.start).select_related("alliance")
    assert {a.alliance.code for a in assessments} == {"LM-A-1", "LM-A-2", "LM-B-1"}
    for assessment in assessments:
        assert_adds_up(scorecard.build(assessment.alliance, MARCH))


def test_it_shows_which_weeks_were_on_time_late_missing_and_returned(march):
    card = scorecard.build(march.alliance_a, MARCH)
    timeliness = line_of(card, "reporting_timeliness")
    assert timeliness.attainment == Decimal("0.4000")
    [row] = timeliness.rows.rows
    title, due, on_time, late, missing, returned = row.cells
    assert (title, due, on_time) == ("走马塘村民宿改造", 5, 2)
    assert late == "第11周（3.10–3.16）"
    assert missing == "第12周（3.17–3.23）"
    assert returned == "第13周（3.24–3.30）"
    assert row.mark == "bad"


def test_it_counts_only_claims_resolved_by_the_period_end(march):
    claims = line_of(scorecard.build(march.alliance_a, MARCH), "claims_resolved")
    assert [(row.cells[0], row.cells[3]) for row in claims.rows.rows] == [
        ("灌溉水渠修缮", "已办结"),
        ("农产品冷库", "未办结"),
    ]
    assert claims.attainment == Decimal("0.5000")


def test_it_marks_an_indicator_with_nothing_due_not_applicable_and_gives_its_weight_to_the_others(march):
    card = scorecard.build(march.alliance_a2, MARCH)
    timeliness = line_of(card, "reporting_timeliness")
    assert not timeliness.applicable and timeliness.points == 0 and timeliness.rows.rows == []
    applicable = [line for d in card.dimensions for line in d.indicators if line.applicable]
    assert sum(line.share for line in applicable) == 1
    assert all(line.share > line.nominal_share for line in applicable)
    assert card.assessment.grade == "poor" and [v.get_kind_display() for v in card.confirmed_vetoes] == ["样子货"]


def test_it_counts_the_meetings_the_period_expects_and_no_more(march):
    meetings = line_of(scorecard.build(march.alliance_a, MARCH), "meetings_on_rhythm")
    assert [row.cells[3] for row in meetings.rows.rows] == ["计入", "不计入"]
    assert meetings.attainment == Decimal("1.0000")


def test_it_shows_the_members_standing_behind_the_member_part(march):
    card = scorecard.build(march.alliance_a, MARCH)
    assert [(m.name, m.stars, m.own_score) for m in card.members] == [("走马塘村党委", 4, Decimal(80))]
    assert card.four_star_share_recomputed == card.assessment.four_star_share == Decimal(1)
    assert card.member_average_recomputed == card.assessment.member_average == Decimal(80)


def test_a_period_the_alliance_was_not_assessed_for_is_not_found(client, march):
    client.force_login(march.alice)
    url = reverse("evaluations:scorecard", args=[march.alliance_a.code, "2025-04"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("evaluations:scorecard", args=[march.alliance_a.code, "2025-13"])).status_code == 404


# ------------------------------------------------------------------- pages and access


def scorecard_url(world, alliance=None) -> str:
    return reverse("evaluations:scorecard", args=[(alliance or world.alliance_a).code, "2025-03"])


def test_the_alliances_leader_sees_their_own_scorecard(client, march):
    client.force_login(march.lily)
    response = client.get(scorecard_url(march))
    assert response.status_code == 200
    body = response.content.decode()
    assert "第11周（3.10–3.16）" in body and "进度按时报送率" in body and "成员单位全部参加季度专题会" in body


def test_another_alliances_leader_does_not_find_it(client, march):
    client.force_login(leader_of(march.alliance_a2, username="leo"))
    assert client.get(scorecard_url(march)).status_code == 404
    own = client.get(scorecard_url(march, march.alliance_a2))
    assert own.status_code == 200
    assert "台账造假" in own.content.decode() and "实地查看台账，与现场不符" in own.content.decode()


def test_county_staff_see_their_countys_scorecards_and_not_anothers(client, march):
    client.force_login(march.alice)
    assert client.get(scorecard_url(march)).status_code == 200
    assert client.get(scorecard_url(march, march.alliance_b)).status_code == 404
    client.force_login(march.bob)
    assert client.get(scorecard_url(march)).status_code == 404
    assert client.get(scorecard_url(march, march.alliance_b)).status_code == 200


def test_the_api_gives_the_scorecard_within_the_callers_scope(api, march):
    url = f"/api/v1/alliances/{march.alliance_a.pk}/scorecard/"
    response = api.as_user(march.lily).get(url, {"period": "2025-03"})
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == str(Assessment.objects.get(alliance=march.alliance_a, period_kind="month").total_score)
    development = next(d for d in data["dimensions"] if d["key"] == "development")
    timeliness = next(i for i in development["indicators"] if i["metric"] == "reporting_timeliness")
    assert timeliness["rows"]["rows"][0][3] == "第11周（3.10–3.16）"
    assert api.as_user(march.bob).get(url, {"period": "2025-03"}).status_code == 404
    assert api.as_user(march.alice).get(url, {"period": "2025-04"}).status_code == 404
    assert api.as_user(march.alice).get(url, {"period": "三月"}).status_code == 400


def test_every_total_of_the_bulletin_opens_its_scorecard(client, march):
    client.force_login(march.alice)
    body = client.get(march.bulletin.get_absolute_url()).content.decode()
    for alliance in (march.alliance_a, march.alliance_a2):
        assert f'href="{scorecard_url(march, alliance)}"' in body


def test_the_alliance_page_links_each_assessed_period(client, march):
    client.force_login(march.alice)
    body = client.get(march.alliance_a.get_absolute_url()).content.decode()
    assert f'href="{scorecard_url(march)}"' in body and "2025年3月" in body


def test_a_member_organizations_page_shows_its_bound_result(client, march):
    result = MemberResult.objects.get(organization=march.org_a, period_kind="month", period_start=MARCH.start)
    client.force_login(march.alice)
    body = client.get(march.org_a.get_absolute_url()).content.decode()
    assert 'id="results"' in body and "2025年3月" in body and str(result.total_score) in body


def test_the_dashboards_bulletin_totals_open_their_scorecards(client, march):
    client.force_login(march.alice)
    body = client.get(reverse("evaluations:dashboard")).content.decode()
    assert f'href="{scorecard_url(march)}"' in body


def test_it_shows_each_projects_latest_standing_figure_and_its_week(march):
    card = scorecard.build(march.alliance_a, MARCH)
    investment = line_of(card, "investment_vs_target")
    assert [row.cells for row in investment.rows.rows] == [
        ["走马塘村民宿改造", "第14周（3.31–4.6）", Decimal("1000000.00"), Decimal("300000.00")]
    ]
    assert investment.attainment == Decimal("0.3000")
    completion = line_of(card, "project_completion")
    # the returned week-13 report (60 %) does not stand: week 14's 50 % does
    assert [row.cells[2:] for row in completion.rows.rows] == [["第14周（3.31–4.6）", 50]]


def test_a_scorecard_whose_rows_changed_after_scoring_says_so_with_both_figures(client, march):
    """Week 14's report (50 %) returned after March was scored: its rows now give week 11's
    45 % as the standing figure. The score stays as computed, and the page says why the
    rows and the score differ, rather than showing two figures that disagree."""
    client.force_login(march.alice)
    page = client.get(scorecard_url(march)).content.decode()
    assert 'id="changed-' not in page  # the rows give the scores: nothing to explain

    ProgressReport.objects.filter(project__title="走马塘村民宿改造", period=d("2025-03-31")).update(
        status="returned", reviewed_at=at("2025-04-20"), review_comment="数据有误"
    )
    card = scorecard.build(march.alliance_a, MARCH)
    completion = line_of(card, "project_completion")
    assert completion.attainment == Decimal("0.5000") and completion.rows.attainment == Decimal("0.4500")
    assert completion.changed_since
    assert not line_of(card, "meetings_on_rhythm").changed_since
    assert card.total == Assessment.objects.get(alliance=march.alliance_a, period_start=MARCH.start).total_score

    page = client.get(scorecard_url(march)).content.decode()
    code = completion.indicator.code
    assert f'id="changed-{code}"' in page
    note = page.split(f'id="changed-{code}">')[1].split("</p>")[0]
    assert "得分所用达成度为 50.00%" in note and "重算为 45.00%" in note and "更正稿" in note


def test_the_member_part_shows_the_sum_that_gives_its_points(client, march):
    client.force_login(march.alice)
    page = client.get(scorecard_url(march)).content.decode()
    formula = page.split('id="member-formula">')[1].split("</p>")[0]
    a = Assessment.objects.select_related("scheme").get(alliance=march.alliance_a, period_start=MARCH.start)
    by_hand = a.scheme.member_weight * (
        a.scheme.four_star_weight * a.four_star_share * 100 + (1 - a.scheme.four_star_weight) * a.member_average
    )
    share = half_up(a.four_star_share * 100)
    assert f"× {share}% × 100" in formula and f"× {a.member_average}）" in formula
    assert formula.endswith(f"= {half_up(by_hand)}")


def test_a_drafts_scores_are_read_by_the_staff_who_see_the_draft_and_by_the_leader_once_published(client, api, march):
    """County B's March bulletin is only a draft: its alliance's scorecard, its entry on the
    alliance page and the API answer its staff, not its leader, until it is published."""
    island_leader = user_with_scope("dao", "alliance_leader")
    march.person_b.user = island_leader  # the alliance's leader (its open team role)
    march.person_b.save(update_fields=["user"])
    url = scorecard_url(march, march.alliance_b)
    api_url = f"/api/v1/alliances/{march.alliance_b.pk}/scorecard/"
    alliance_page = reverse("alliances:detail", args=[march.alliance_b.pk])

    client.force_login(island_leader)
    assert client.get(url).status_code == 404
    assert url not in client.get(alliance_page).content.decode()
    assert api.as_user(island_leader).get(api_url, {"period": "2025-03"}).status_code == 404
    client.force_login(march.bob)
    assert client.get(url).status_code == 200
    assert url in client.get(alliance_page).content.decode()

    draft = Rollup.objects.get(region=march.county_b, kind="monthly_bulletin")
    rollup_publish(
        actor=march.bob,
        rollup=draft,
        waivers=dict.fromkeys([item.key for item in pending_scores(MARCH, draft.region)], "年底统一评分"),
    )
    client.force_login(island_leader)
    assert client.get(url).status_code == 200
    assert url in client.get(alliance_page).content.decode()
    assert api.as_user(island_leader).get(api_url, {"period": "2025-03"}).status_code == 200


def published_part(client, url) -> tuple[str, bool]:
    """The scorecard's 已发布的通报 line (empty when none) and whether it warns of a change."""
    body = client.get(url).content.decode()
    line = body.split('data-key="published">', 1)[1].split("</dd>", 1)[0] if 'data-key="published"' in body else ""
    return line, 'data-key="published-differs"' in body


def test_the_scorecard_names_the_published_total_and_warns_when_a_correction_changed_it(client, march):
    """A figure published stays what it was until a correction is published: the scorecard,
    which shows the latest computation, says what the bulletin published and when they differ."""
    from evaluations.services import manual_score_set, rollup_regenerate

    client.force_login(march.alice)
    url = scorecard_url(march)
    published = Assessment.objects.get(alliance=march.alliance_a, period_kind="month", period_start=MARCH.start)
    line, differs = published_part(client, url)
    assert f'href="{march.bulletin.get_absolute_url()}"' in line and f"总分 {published.total_score}" in line
    assert not differs

    member_score = Indicator.objects.get(scheme__region=march.ningbo, code="C2")
    manual_score_set(
        actor=march.alice,
        alliance=march.alliance_a,
        indicator=member_score,
        period=Period.parse("year", "2025"),
        score=Decimal("2"),
        evidence="核减：两家成员单位未参加",
    )
    correction = rollup_regenerate(actor=march.alice, rollup=march.bulletin)
    corrected = Assessment.objects.get(pk=published.pk)
    assert corrected.total_score < published.total_score
    line, differs = published_part(client, url)
    assert f"总分 {published.total_score}" in line and differs
    assert f"本页按当前数据计算为 {corrected.total_score}" in client.get(url).content.decode()

    waivers = {item.key: "年底统一评分" for item in pending_scores(MARCH, march.county_a)}
    version_2 = rollup_publish(actor=march.alice, rollup=correction, reason="成员单位参与度评分核减", waivers=waivers)
    line, differs = published_part(client, url)
    assert f'href="{version_2.get_absolute_url()}"' in line and f"总分 {corrected.total_score}" in line
    assert not differs


def test_a_scorecard_with_no_published_bulletin_names_none(client, march):
    """岱山县's March bulletin is still a draft."""
    client.force_login(march.bob)
    assert published_part(client, scorecard_url(march, march.alliance_b)) == ("", False)


def test_the_scorecard_page_reads_as_many_queries_for_more_rows(client, march, django_assert_num_queries):
    client.force_login(march.alice)
    url = scorecard_url(march)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for n in range(3):
        ProjectFactory(alliance=march.alliance_a, year=2025, start_on=d("2025-02-03"), due_on=d("2025-12-31"))
        MeetingFactory(alliance=march.alliance_a, kind="quarterly", held_on=d(f"2025-03-2{n}"))
        resolved_claim(march, f"新需求{n}", claimed="2025-03-01", closed="2025-03-20")
        MembershipFactory(alliance=march.alliance_a, organization__star_rating=3)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200
    assert len(first.captured_queries) <= 30


def test_a_rollups_totals_link_only_the_scorecards_the_reader_may_open(march):
    from evaluations.templatetags.scorecards import rollup_row_scorecard, visible_alliances

    report = march.bulletin.report
    table = next(t for t in report["tables"] if "alliance" in [c["key"] for c in t["columns"]])
    cells = list(zip(table["rows"][0], table["columns"], strict=False))
    assert march.alliance_a.code in visible_alliances(report, march.alice)
    # County B's staff (who could read a city bulletin naming county A's alliances) get no link.
    assert visible_alliances(report, march.bob) == set()
    assert rollup_row_scorecard(march.bulletin, cells, visible_alliances(report, march.bob)) == ""
    assert rollup_row_scorecard(march.bulletin, cells, visible_alliances(report, march.alice)).startswith(
        "/evaluations/scorecards/"
    )


def test_the_scorecard_api_answers_404_for_a_malformed_alliance_id(api, march):
    response = api.as_user(march.alice).get("/api/v1/alliances/null,null/scorecard/", {"period": "2025-03"})
    assert response.status_code == 404


def test_the_rows_behind_each_figure_read_as_one_sentence_in_either_language(client, march, settings):
    client.force_login(march.alice)
    chinese = client.get(scorecard_url(march)).content.decode()
    assert "进度按时报送率：依据明细 1 条，按明细重算达成度 40.00%" in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(scorecard_url(march)).content.decode()
    assert "On-time progress reporting rate: 1 row behind the figure, attainment recomputed from it 40.00%" in english
    # A staff-scored indicator's name is the scheme's own, shown as written.
    assert Indicator.objects.get(scheme__region=march.ningbo, code="C2").name in english
