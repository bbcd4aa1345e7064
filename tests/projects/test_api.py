"""/api/v1/projects/, /api/v1/milestones/, /api/v1/progress-reports/: same filters and rules as the pages."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Milestone, ProgressReport, ProgressReportRevision, Project, ReportAttachment
from projects.weeks import current_week, local_today
from tests.alliances.factories import AllianceFactory
from tests.projects.factories import ProjectFactory, ReportFactory, days_ago, photo

pytestmark = pytest.mark.django_db


def many_projects(world, n=110):
    """n projects in county A, each with a milestone, an accepted report last week and a pending one this week."""
    alliances = [world.alliance_a, world.alliance_a2] + [AllianceFactory(lead_region=world.town_a) for _ in range(3)]
    projects = [
        Project(
            alliance=alliances[i % len(alliances)],
            year=local_today().year,
            title=f"批量项目{i:03d}",
            category="industry",
            start_on=days_ago(100),
            due_on=days_ago(-100),
            status="in_progress",
        )
        for i in range(n)
    ]
    for project in projects:  # bulk_create skips save(), which keeps the pinyin the lists sort by
        project.set_pinyin()
    projects = Project.objects.bulk_create(projects)
    Milestone.objects.bulk_create(Milestone(project=p, title="开工", due_on=days_ago(50)) for p in projects)
    now = datetime.datetime.now(datetime.UTC)
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(
            project=p,
            period=current_week() - datetime.timedelta(weeks=weeks_ago),
            percent_complete=30 - weeks_ago,
            work_done="推进",
            submitted_at=now,
            status="accepted" if weeks_ago else "submitted",
        )
        for p in projects
        for weeks_ago in (1, 0)
    )
    ProgressReportRevision.objects.bulk_create(
        ProgressReportRevision(
            report=r,
            number=1,
            percent_complete=r.percent_complete,
            investment_to_date=0,
            work_done=r.work_done,
            submitted_at=now,
            decision="accepted",
            reviewed_at=now,
        )
        for r in reports
        if r.status == "accepted"
    )
    return projects


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("endpoint", ["projects", "milestones", "progress-reports"])
def test_lists_run_the_same_number_of_queries_at_page_sizes_10_and_100(api, world, endpoint):
    many_projects(world)
    api.as_user(world.alice)
    small = count_queries(lambda: api.get(f"/api/v1/{endpoint}/?page_size=10"))
    large = count_queries(lambda: api.get(f"/api/v1/{endpoint}/?page_size=100"))
    assert small == large
    assert len(api.get(f"/api/v1/{endpoint}/?page_size=100").json()["results"]) == 100


def test_project_rows_carry_percent_and_pending_counts(api, world):
    many_projects(world, n=3)
    row = api.as_user(world.alice).get("/api/v1/projects/?q=批量项目000").json()["results"][0]
    # the newer report, pending review, stands (as the figures read it), and is counted as pending
    assert (row["percent_complete"], row["last_period"], row["pending_reports"]) == (30, str(current_week()), 1)
    assert row["region"] == world.town_a.code and row["version"] == 1


def test_a_projects_percent_is_its_standing_figure_never_a_returned_reports(api, world):
    """The rule of the project-completion indicator (evaluations.metrics.completion_rows),
    worked out again by hand: 100 once completed, else the latest report not returned."""
    returned = ProjectFactory(alliance=world.alliance_a, title="退回的项目")
    ReportFactory(project=returned, period=current_week() - datetime.timedelta(weeks=1), percent_complete=35)
    ReportFactory(
        project=returned, period=current_week(), percent_complete=90, status="returned", review_comment="进度虚报"
    )
    done = ProjectFactory(alliance=world.alliance_a, title="已完成的项目", status="completed", completed_on=days_ago(3))
    ReportFactory(project=done, period=current_week() - datetime.timedelta(weeks=2), percent_complete=95)
    ProjectFactory(alliance=world.alliance_a, title="尚未填报的项目")

    rows = api.as_user(world.alice).get("/api/v1/projects/?page_size=100").json()["results"]
    shown = {row["title"]: row["percent_complete"] for row in rows}

    def by_hand(project) -> int | None:
        if project.status == "completed":
            return 100
        standing = project.reports.exclude(status="returned").order_by("-period").first()
        return standing.percent_complete if standing else None

    assert shown == {project.title: by_hand(project) for project in Project.objects.all()}
    assert shown == {"退回的项目": 35, "已完成的项目": 100, "尚未填报的项目": None}


def test_filters_region_alliance_year_category_and_status(api, world):
    ProjectFactory(alliance=world.alliance_a, title="屋顶光伏", category="industry", due_on=days_ago(-30))
    ProjectFactory(
        alliance=world.alliance_a2, title="供水管网改造", category="planning", status="planned", due_on=days_ago(-90)
    )
    ProjectFactory(alliance=world.alliance_b, title="岱山揭榜挂帅", year=2025, due_on=days_ago(-60))
    api.as_user(world.admin)

    def titles(query):
        return sorted(row["title"] for row in api.get(f"/api/v1/projects/?{query}").json()["results"])

    assert titles(f"region={world.county_a.code}") == ["供水管网改造", "屋顶光伏"]
    assert titles(f"region={world.town_a.code}") == ["屋顶光伏"]
    assert titles(f"alliance={world.alliance_a2.pk}") == ["供水管网改造"]
    assert titles("year=2025") == ["岱山揭榜挂帅"]
    assert titles("category=planning&status=planned") == ["供水管网改造"]
    ordered = [row["title"] for row in api.get("/api/v1/projects/?ordering=-due_on").json()["results"]]
    assert ordered == ["供水管网改造", "岱山揭榜挂帅", "屋顶光伏"]
    response = api.get("/api/v1/projects/?status=flying")
    assert response.status_code == 400 and "status" in response.json()


def test_staff_create_a_project_and_edit_it_with_the_version_they_read(api, world):
    api.as_user(world.alice)
    payload = {
        "alliance": world.alliance_a.pk,
        "year": local_today().year,
        "title": "红芽姜大棚",
        "category": "industry",
        "planned_investment": "1200000.00",
        "households_benefited": 86,
        "start_on": str(days_ago(10)),
        "due_on": str(days_ago(-300)),
        "status": "in_progress",
    }
    created = api.post("/api/v1/projects/", payload, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["version"], body["is_silent"]) == ("in_progress", 1, True)

    url = f"/api/v1/projects/{body['id']}/"
    assert api.patch(url, {"households_benefited": 90}, format="json").json() == {
        "version": ["请提供编辑所依据的版本号。"]
    }
    first = api.patch(url, {"households_benefited": 90, "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api.patch(url, {"households_benefited": 95, "version": 1}, format="json")
    assert stale.status_code == 400 and "version" in stale.json()
    assert Project.objects.get(pk=body["id"]).households_benefited == 90


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"planned_investment": "-5.00"}, "planned_investment"),
        ({"due_on": str(days_ago(20))}, "due_on"),
        ({"status": "completed"}, "status"),
    ],
)
def test_bad_project_input_through_the_api_names_the_field(api, world, changes, field):
    payload = {
        "alliance": world.alliance_a.pk,
        "year": local_today().year,
        "title": "精品民宿",
        "category": "industry",
        "start_on": str(days_ago(10)),
        "due_on": str(days_ago(-30)),
    } | changes
    response = api.as_user(world.alice).post("/api/v1/projects/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Project.objects.exists()


def test_status_changes_through_its_own_endpoint_and_illegal_ones_are_refused(api, world):
    project = ProjectFactory(alliance=world.alliance_a, status="planned")
    api.as_user(world.alice)
    url = f"/api/v1/projects/{project.pk}/status/"
    assert api.post(url, {"status": "completed", "version": 1}, format="json").status_code == 400
    response = api.post(url, {"status": "in_progress", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    assert Project.objects.get(pk=project.pk).version == 2


def test_a_leader_submits_through_the_api_with_a_photo(api, world):
    project = ProjectFactory(alliance=world.alliance_a)
    api.as_user(world.lily)
    payload = {
        "project": project.pk,
        "period": str(local_today()),
        "percent_complete": 35,
        "investment_to_date": "420000.00",
        "work_done": "完成大棚钢架",
        "needs_coordination": True,
        "coordination_request": "请协调电力接入",
        "attachments": [photo(gps=True)],
    }
    response = api.post("/api/v1/progress-reports/", payload, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["period"] == str(current_week()) and body["submitted_by"] == "lily"
    assert [a["kind"] for a in body["attachments"]] == ["photo"]
    assert body["attachments"][0]["url"].endswith(f"/projects/attachments/{body['attachments'][0]['id']}/")

    again = api.post("/api/v1/progress-reports/", payload | {"attachments": []}, format="multipart")
    assert again.status_code == 400 and "period" in again.json()
    assert ProgressReport.objects.count() == 1 and ReportAttachment.objects.count() == 1


def test_the_nested_submit_endpoint_answers_404_for_another_alliance(api, world):
    mine = ProjectFactory(alliance=world.alliance_a)
    theirs = ProjectFactory(alliance=world.alliance_b)
    api.as_user(world.lily)
    payload = {"period": str(local_today()), "percent_complete": 5, "work_done": "开工"}
    assert api.post(f"/api/v1/projects/{theirs.pk}/reports/", payload, format="json").status_code == 404
    created = api.post(f"/api/v1/projects/{mine.pk}/reports/", payload, format="json")
    assert created.status_code == 201 and created.json()["project"] == mine.pk
    assert list(ProgressReport.objects.values_list("project_id", flat=True)) == [mine.pk]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent_complete": 120}, "percent_complete"),
        ({"investment_to_date": "-1.00"}, "investment_to_date"),
        ({"period": str(current_week() + datetime.timedelta(weeks=2))}, "period"),
    ],
)
def test_bad_report_input_through_the_api_names_the_field_and_saves_nothing(api, world, changes, field):
    project = ProjectFactory(alliance=world.alliance_a)
    payload = {"project": project.pk, "period": str(local_today()), "percent_complete": 10, "work_done": "开工"}
    response = api.as_user(world.lily).post("/api/v1/progress-reports/", payload | changes, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not ProgressReport.objects.exists()


def test_review_return_resubmit_and_history_through_the_api(api, world):
    report = ReportFactory(project=ProjectFactory(alliance=world.alliance_a), percent_complete=40)
    url = f"/api/v1/progress-reports/{report.pk}/"
    returned = api.as_user(world.tina).post(url + "review/", {"decision": "returned", "comment": "请补充照片"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"

    assert api.as_user(world.lily).post(url + "review/", {"decision": "accepted"}).status_code == 403
    resubmitted = api.patch(url, {"work_done": "完成土地平整，附照片", "attachments": [photo()]}, format="multipart")
    assert resubmitted.status_code == 200, resubmitted.content
    body = resubmitted.json()
    assert (body["status"], body["revision"], len(body["attachments"])) == ("submitted", 2, 1)
    assert [(r["number"], r["decision"], r["review_comment"]) for r in body["revisions"]] == [
        (1, "returned", "请补充照片")
    ]
    accepted = api.as_user(world.alice).post(url + "review/", {"decision": "accepted"})
    assert accepted.json()["status"] == "accepted" and len(accepted.json()["revisions"]) == 2


def test_report_filters_status_period_and_coordination(api, world):
    project = ProjectFactory(alliance=world.alliance_a)
    ReportFactory(project=project, period=current_week(), needs_coordination=True, coordination_request="用地指标")
    ReportFactory(project=project, period=current_week() - datetime.timedelta(weeks=1), status="accepted")
    api.as_user(world.alice)

    def periods(query):
        return [row["period"] for row in api.get(f"/api/v1/progress-reports/?{query}").json()["results"]]

    assert periods("status=submitted") == [str(current_week())]
    assert periods("needs_coordination=true") == [str(current_week())]
    assert periods(f"period_to={current_week() - datetime.timedelta(days=1)}") == [
        str(current_week() - datetime.timedelta(weeks=1))
    ]
    assert periods(f"region={world.county_b.code}") == []


def test_milestones_are_created_and_completed_by_staff_only(api, world):
    project = ProjectFactory(alliance=world.alliance_a)
    payload = {"project": project.pk, "title": "钢架搭建", "due_on": str(days_ago(-10))}
    assert api.as_user(world.lily).post("/api/v1/milestones/", payload, format="json").status_code == 403
    created = api.as_user(world.alice).post("/api/v1/milestones/", payload, format="json")
    assert created.status_code == 201 and created.json()["is_overdue"] is False
    done = api.patch(f"/api/v1/milestones/{created.json()['id']}/", {"done_on": str(local_today())}, format="json")
    assert done.status_code == 200 and done.json()["done_on"] == str(local_today())
    assert (
        api.as_user(world.vera)
        .patch(f"/api/v1/milestones/{created.json()['id']}/", {"done_on": None}, format="json")
        .status_code
        == 403
    )


def test_progress_reports_are_paged_newest_first_by_cursor(api, world):
    project = ProjectFactory(alliance=world.alliance_a)
    weeks = [current_week() - datetime.timedelta(weeks=n) for n in range(5, 0, -1)]
    for week in weeks:  # oldest first: the newest report has the highest id
        ReportFactory(project=project, period=week)
    ReportFactory(project=ProjectFactory(alliance=world.alliance_b), period=weeks[0])  # county B
    api.as_user(world.alice)

    first = api.get("/api/v1/progress-reports/?page_size=2").json()
    assert "count" not in first and first["previous"] is None
    seen = [row["period"] for row in first["results"]]
    url = first["next"]
    while url:
        page = api.get(url).json()
        seen += [row["period"] for row in page["results"]]
        url = page["next"]
    assert seen == [str(week) for week in reversed(weeks)]  # each once, none of county B


def test_a_deep_cursor_page_takes_the_queries_of_the_first(api, world):
    project = ProjectFactory(alliance=world.alliance_a)
    for n in range(1, 7):
        ReportFactory(project=project, period=current_week() - datetime.timedelta(weeks=n))
    api.as_user(world.alice)
    first = api.get("/api/v1/progress-reports/?page_size=2")
    with CaptureQueriesContext(connection) as page_one:
        api.get("/api/v1/progress-reports/?page_size=2")
    with CaptureQueriesContext(connection) as page_two:
        api.get(first.json()["next"])
    assert len(page_two.captured_queries) == len(page_one.captured_queries)
    assert not any("COUNT(" in query["sql"] for query in page_two.captured_queries)


def test_a_forged_cursor_is_a_404_not_an_error(api, world):
    forged = base64.b64encode(b"o=abc&p=1").decode()  # an offset that is not a number
    response = api.as_user(world.alice).get(f"/api/v1/progress-reports/?cursor={forged}")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("ordering", ["", "&ordering=-percent_complete", "&ordering=due_on", "&late=true"])
def test_project_pages_hold_the_rows_a_plain_offset_would_in_the_same_order(api, world, ordering):
    for n in range(7):
        project = ProjectFactory(alliance=world.alliance_a if n % 2 else world.alliance_a2, title=f"项目{n}")
        ReportFactory(project=project, period=current_week(), percent_complete=n * 10)
    api.as_user(world.alice)
    expected = [
        row["id"] for row in api.get(f"/api/v1/projects/?page_size=100{ordering}").json()["results"]
    ]  # one page: no offset
    paged, url = [], f"/api/v1/projects/?page_size=3{ordering}"
    while url:
        body = api.get(url).json()
        assert body["count"] == len(expected)
        paged += [row["id"] for row in body["results"]]
        url = body["next"]
    assert paged == expected


def test_a_deep_project_page_takes_the_queries_of_the_first(api, world):
    for n in range(7):
        ProjectFactory(alliance=world.alliance_a, title=f"项目{n}")
    api.as_user(world.alice)
    with CaptureQueriesContext(connection) as first:
        api.get("/api/v1/projects/?page_size=2&page=1")
    with CaptureQueriesContext(connection) as last:
        assert len(api.get("/api/v1/projects/?page_size=2&page=4").json()["results"]) == 1
    assert len(last.captured_queries) == len(first.captured_queries)
