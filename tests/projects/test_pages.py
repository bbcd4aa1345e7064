"""Browser pages: the leader's my work and weekly report, the staff's lists, timeline and review."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Milestone, ProgressReport, ProgressReportRevision, Project
from projects.services import report_return
from projects.weeks import current_week, local_today
from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory, days_ago, pdf, photo
from tests.projects.test_api import many_projects
from tests.site.test_forms_roundtrip import own_form, submitted

pytestmark = pytest.mark.django_db


def query_count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["projects:list", "projects:review-queue"])
def test_list_pages_run_the_same_number_of_queries_at_10_and_100(client, world, name):
    many_projects(world)
    client.force_login(world.alice)
    url = reverse(name)
    params = {"status": ""} if name == "projects:review-queue" else {}
    assert query_count(client, url, params | {"page_size": 10}) == query_count(client, url, params | {"page_size": 100})
    response = client.get(url, params | {"page_size": 100})
    assert len(response.context["object_list"]) == 100


def test_my_work_and_the_alliance_panel_run_a_constant_number_of_queries(client, world):
    many_projects(world, n=4)
    client.force_login(world.lily)
    my_work = query_count(client, reverse("projects:my-work"))
    panel = query_count(client, reverse("alliances:detail", args=[world.alliance_a.pk]))
    many_projects_more = Project.objects.filter(alliance=world.alliance_a).first()
    for i in range(20):
        ProjectFactory(alliance=world.alliance_a, title=f"新增项目{i}")
    ReportFactory(project=many_projects_more, period=current_week() - datetime.timedelta(weeks=3))
    assert query_count(client, reverse("projects:my-work")) == my_work
    assert query_count(client, reverse("alliances:detail", args=[world.alliance_a.pk])) == panel


def test_the_review_queue_shows_only_reports_awaiting_review_by_default(client, world):
    project = ProjectFactory(alliance=world.alliance_a, title="屋顶光伏")
    waiting = ReportFactory(project=project, period=current_week())
    ReportFactory(project=project, period=current_week() - datetime.timedelta(weeks=1), status="accepted")
    ReportFactory(project=ProjectFactory(alliance=world.alliance_b))
    client.force_login(world.alice)
    response = client.get(reverse("projects:review-queue"))
    assert list(response.context["object_list"]) == [waiting]
    everything = client.get(reverse("projects:review-queue"), {"status": ""})
    assert len(everything.context["object_list"]) == 2


def test_the_alliance_page_lists_this_years_projects_with_flags(client, world):
    ProjectFactory(alliance=world.alliance_a, title="康养基地", due_on=days_ago(2), start_on=days_ago(90))
    ProjectFactory(alliance=world.alliance_a, title="去年的项目", year=local_today().year - 1)
    client.force_login(world.alice)
    page = client.get(reverse("alliances:detail", args=[world.alliance_a.pk])).content.decode()
    panel = page.split('id="alliance-projects"')[1]
    assert "康养基地" in panel and "去年的项目" not in panel
    assert "逾期" in panel and "本周未报" in panel


def test_a_leader_submits_this_weeks_report_with_a_photo_from_the_form(client, world):
    project = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    client.force_login(world.lily)
    my_work = client.get(reverse("projects:my-work")).content.decode()
    assert reverse("projects:report-submit", args=[project.pk]) in my_work
    response = client.post(
        reverse("projects:report-submit", args=[project.pk]),
        {
            "period": current_week().isoformat(),
            "percent_complete": "25",
            "investment_to_date": "300000",
            "work_done": "完成大棚基础",
            "blockers": "雨水多，工期紧",
            "attachments": [photo("大棚.jpg"), photo("基础.png", fmt="PNG")],
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("projects:my-work")
    report = ProgressReport.objects.get(project=project)
    assert (report.percent_complete, report.period, report.attachments.count()) == (25, current_week(), 2)
    assert "本周已提交，待审核" in client.get(reverse("projects:my-work")).content.decode()


def test_a_report_form_with_percent_120_names_the_field_and_saves_nothing(client, world):
    project = ProjectFactory(alliance=world.alliance_a)
    client.force_login(world.lily)
    response = client.post(
        reverse("projects:report-submit", args=[project.pk]),
        {"period": current_week().isoformat(), "percent_complete": "120", "work_done": "完成"},
    )
    assert response.status_code == 200
    assert "percent_complete" in response.context["form"].errors
    assert not ProgressReport.objects.exists()


def test_staff_return_a_report_and_the_leader_fixes_it(client, world):
    project = ProjectFactory(alliance=world.alliance_a, title="供水管网改造")
    report = ReportFactory(project=project, submitted_by=world.lily, percent_complete=30)
    client.force_login(world.alice)
    detail = client.get(reverse("projects:report-detail", args=[report.pk])).content.decode()
    assert 'id="review"' in detail
    response = client.post(
        reverse("projects:report-detail", args=[report.pk]), {"decision": "returned", "comment": "请补充管网长度"}
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).status == "returned"

    client.force_login(world.lily)
    my_work = client.get(reverse("projects:my-work")).content.decode()
    assert "请补充管网长度" in my_work.split('id="returned"')[1]
    fix_url = reverse("projects:report-fix", args=[report.pk])
    assert "请补充管网长度" in client.get(fix_url).content.decode()
    response = client.post(
        fix_url, {"percent_complete": "32", "work_done": "已铺设管网 12 公里", "investment_to_date": "0"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.revision, report.work_done) == ("submitted", 2, "已铺设管网 12 公里")
    timeline = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "请补充管网长度" in timeline and "已铺设管网 12 公里" in timeline


def test_a_leader_cannot_review_and_sees_no_review_form(client, world):
    report = ReportFactory(project=ProjectFactory(alliance=world.alliance_a))
    client.force_login(world.lily)
    url = reverse("projects:report-detail", args=[report.pk])
    assert 'id="review"' not in client.get(url).content.decode()
    assert client.post(url, {"decision": "accepted"}).status_code == 403
    assert ProgressReport.objects.get(pk=report.pk).status == "submitted"


def test_the_project_timeline_shows_reports_revisions_and_milestones_in_constant_queries(client, world):
    project = ProjectFactory(alliance=world.alliance_a, start_on=days_ago(200))
    MilestoneFactory(project=project, title="钢架搭建", due_on=days_ago(30), done_on=days_ago(31))
    first = ReportFactory(project=project, period=current_week() - datetime.timedelta(weeks=2), percent_complete=10)
    report_return(actor=world.alice, report=first, comment="照片不清晰")
    client.force_login(world.alice)
    url = reverse("projects:detail", args=[project.pk])
    few = query_count(client, url)
    for weeks in range(3, 12):
        ReportFactory(project=project, period=current_week() - datetime.timedelta(weeks=weeks))
    assert query_count(client, url) == few
    page = client.get(url).content.decode()
    timeline = page.split('id="timeline"')[1]
    assert "钢架搭建" in timeline and "照片不清晰" in timeline
    assert timeline.count("timeline-report") == 10


def test_two_people_edit_the_same_project_and_the_second_is_told_to_reload(client, world):
    project = ProjectFactory(alliance=world.alliance_a, title="屋顶光伏")
    url = reverse("projects:edit", args=[project.pk])
    client.force_login(world.alice)
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data |= {"category": "industry", "start_on": project.start_on, "due_on": project.due_on, "year": project.year}
    first = client.post(url, data | {"title": "屋顶光伏（一期）"})
    assert first.status_code == 302
    second = client.post(url, data | {"title": "屋顶光伏（二期）"})
    assert second.status_code == 200
    assert "version" in second.context["form"].errors
    assert "刷新" in second.content.decode()
    project.refresh_from_db()
    assert (project.title, project.version) == ("屋顶光伏（一期）", 2)


def new_project_form(world, **changes) -> dict:
    data = {
        "alliance": world.alliance_a.pk,
        "year": local_today().year,
        "title": "精品民宿",
        "category": "industry",
        "status": "planned",
        "start_on": days_ago(5),
        "due_on": days_ago(-100),
        "funds_higher_level": "0",
        "funds_self_raised": "800000",
        "funds_common_prosperity": "0",
        "funds_social_capital": "0",
    }
    return data | changes


def test_staff_create_a_project_change_its_status_and_add_a_milestone_from_pages(client, world):
    client.force_login(world.tina)
    response = client.post(reverse("projects:create"), new_project_form(world))
    assert response.status_code == 302, response.context["form"].errors
    project = Project.objects.get(title="精品民宿")
    assert project.funds_self_raised == 800000
    client.post(reverse("projects:status", args=[project.pk]), {"status": "in_progress", "version": 1})
    client.post(reverse("projects:milestone-add", args=[project.pk]), {"title": "改造完成", "due_on": days_ago(-50)})
    project.refresh_from_db()
    assert (project.status, project.version) == ("in_progress", 2)
    assert list(Milestone.objects.filter(project=project).values_list("title", flat=True)) == ["改造完成"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_on": days_ago(10)}, "due_on"),
        ({"funds_self_raised": "-1"}, "funds_self_raised"),
        ({"households_benefited": "-5"}, "households_benefited"),
    ],
)
def test_bad_project_input_on_the_page_names_the_field_and_saves_nothing(client, world, changes, field):
    client.force_login(world.alice)
    response = client.post(reverse("projects:create"), new_project_form(world, **changes))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Project.objects.exists()


def test_staff_are_sent_from_my_work_to_the_review_queue(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("projects:my-work"))["Location"] == reverse("projects:review-queue")
    client.force_login(world.vera)
    assert client.get(reverse("projects:my-work"))["Location"] == reverse("projects:list")


def test_revisions_are_listed_on_the_report_page(client, world):
    report = ReportFactory(project=ProjectFactory(alliance=world.alliance_a))
    report_return(actor=world.alice, report=report, comment="投资额与台账不符")
    assert ProgressReportRevision.objects.count() == 1
    client.force_login(world.lily)
    page = client.get(reverse("projects:report-detail", args=[report.pk])).content.decode()
    assert "投资额与台账不符" in page and reverse("projects:report-fix", args=[report.pk]) in page


# --------------------------------------------------------------------------- bad input


def token_of(page: str) -> str:
    """The form's one-time submission token, as the browser sends it back."""
    return re.search(r'name="submission" value="([0-9a-f]+)"', page).group(1)


def test_a_report_at_150_percent_keeps_what_was_typed_and_asks_for_the_photos_again(client, world):
    project = ProjectFactory(alliance=world.alliance_a)
    client.force_login(world.lily)
    response = client.post(
        reverse("projects:report-submit", args=[project.pk]),
        {
            "period": current_week().isoformat(),
            "percent_complete": "150",
            "work_done": "完成大棚钢架安装",
            "attachments": [photo("钢架.jpg")],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "100" in errors["percent_complete"][0]
    assert "重新选择" in errors["attachments"][0]
    page = response.content.decode()
    assert "完成大棚钢架安装" in page and 'value="150"' in page
    assert not ProgressReport.objects.exists()


def test_a_pdf_renamed_png_is_refused_by_name_and_nothing_is_saved(client, world):
    project = ProjectFactory(alliance=world.alliance_a)
    client.force_login(world.lily)
    fake = pdf("现场.png")
    fake.content_type = "image/png"
    response = client.post(
        reverse("projects:report-submit", args=[project.pk]),
        {"period": current_week().isoformat(), "percent_complete": "30", "work_done": "完成", "attachments": [fake]},
    )
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["attachments"])
    assert "现场.png" in message and "扩展名与内容不符" in message
    assert "完成" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_double_tap_on_a_new_project_saves_it_once_and_says_so(client, world):
    client.force_login(world.alice)
    url = reverse("projects:create")
    data = new_project_form(world) | {"submission": token_of(client.get(url).content.decode())}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "已经提交并保存过" in " ".join(second.context["form"].non_field_errors())
    assert "精品民宿" in second.content.decode()
    assert Project.objects.filter(title="精品民宿").count() == 1


def test_a_double_tap_on_add_milestone_adds_one(client, world):
    project = ProjectFactory(alliance=world.alliance_a)
    client.force_login(world.alice)
    url = reverse("projects:milestone-add", args=[project.pk])
    data = {"title": "主体完工", "due_on": days_ago(-30), "submission": token_of(client.get(url).content.decode())}
    assert client.post(url, data).status_code == 302
    assert "已经提交并保存过" in client.post(url, data).content.decode()
    assert Milestone.objects.filter(project=project).count() == 1


def test_a_corrected_form_is_saved_with_the_same_token(client, world):
    """A refusal, by the form or by the service, does not use the token up."""
    project = ProjectFactory(alliance=world.alliance_a, status="planned")
    client.force_login(world.lily)
    url = reverse("projects:report-submit", args=[project.pk])
    token = token_of(client.get(url).content.decode())
    data = {"period": current_week().isoformat(), "work_done": "完成", "submission": token}
    assert "percent_complete" in client.post(url, data | {"percent_complete": "150"}).context["form"].errors
    refused = client.post(url, data | {"percent_complete": "40"})
    assert "project" not in refused.context["form"].fields and "推进中" in refused.content.decode()
    Project.objects.filter(pk=project.pk).update(status="in_progress")
    assert client.post(url, data | {"percent_complete": "40"}).status_code == 302
    assert ProgressReport.objects.get().percent_complete == 40


# --------------------------------------------------------------------------- amending a report waiting for review


def test_a_leader_amends_a_report_still_waiting_for_review(client, world):
    report = ReportFactory(project=ProjectFactory(alliance=world.alliance_a), submitted_by=world.lily)
    client.force_login(world.lily)
    detail = client.get(reverse("projects:report-detail", args=[report.pk])).content.decode()
    url = reverse("projects:report-fix", args=[report.pk])
    assert url in detail
    assert "等待审核" in client.get(url).content.decode()
    response = client.post(
        url, {"percent_complete": "24", "work_done": "完成土地平整和围栏", "investment_to_date": "0"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.revision, report.percent_complete, report.work_done) == (
        "submitted",
        1,
        24,
        "完成土地平整和围栏",
    )
    assert not ProgressReportRevision.objects.exists()


def sent_untouched(client, url: str, **extra) -> object:
    """The page's form sent back as a browser sends it (textareas with CR LF)."""
    return client.post(url, submitted(own_form(client.get(url).content.decode(), url)) | extra)


def test_a_report_waiting_for_review_sent_back_untouched_keeps_its_time_of_submission(client, world):
    """Whether a week came on time is read from when its report was sent: a tap on 保存
    without a change must not move it past the deadline."""
    sent = timezone.now() - datetime.timedelta(days=9)
    report = ReportFactory(
        project=ProjectFactory(alliance=world.alliance_a),
        submitted_by=world.lily,
        submitted_at=sent,
        work_done="平整\n围栏",
    )
    client.force_login(world.lily)
    url = reverse("projects:report-fix", args=[report.pk])
    response = sent_untouched(client, url)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["没有修改，无需保存。"]
    report.refresh_from_db()
    assert (report.submitted_at, report.work_done, report.status) == (sent, "平整\n围栏", "submitted")
    with_a_photo = sent_untouched(client, url, attachments=[photo()])
    assert with_a_photo.status_code == 302
    report.refresh_from_db()
    assert report.submitted_at > sent and report.attachments.count() == 1


def test_a_returned_report_sent_back_untouched_is_sent_again(client, world):
    report = ReportFactory(project=ProjectFactory(alliance=world.alliance_a), submitted_by=world.lily)
    report_return(actor=world.alice, report=report, comment="请核对")
    client.force_login(world.lily)
    assert sent_untouched(client, reverse("projects:report-fix", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.revision) == ("submitted", 2)


def test_an_accepted_report_cannot_be_amended(client, world):
    report = ReportFactory(project=ProjectFactory(alliance=world.alliance_a), status="accepted")
    client.force_login(world.lily)
    url = reverse("projects:report-fix", args=[report.pk])
    assert client.get(url)["Location"] == report.get_absolute_url()
    response = client.post(url, {"percent_complete": "90", "work_done": "改", "investment_to_date": "0"})
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).percent_complete == 20


def test_refiling_a_week_waiting_for_review_is_refused_with_a_link_to_it(client, world):
    project = ProjectFactory(alliance=world.alliance_a)
    pending = ReportFactory(project=project, period=current_week())
    client.force_login(world.lily)
    url = reverse("projects:report-submit", args=[project.pk])
    amend = reverse("projects:report-fix", args=[pending.pk])
    assert amend in client.get(url).content.decode()
    assert amend in client.get(reverse("projects:my-work")).content.decode()
    response = client.post(
        url, {"period": current_week().isoformat(), "percent_complete": "30", "work_done": "再报一次"}
    )
    assert response.status_code == 200 and "period" in response.context["form"].errors
    page = response.content.decode()
    assert amend in page and "再报一次" in page
    assert ProgressReport.objects.filter(project=project).count() == 1


def test_the_project_list_names_the_latest_week_reported_and_not_a_day(client, world):
    """A week reported is shown as its week (第N周 with its Monday and Sunday), not as its
    Monday's date, which read as the day the report was sent."""
    project = ProjectFactory(alliance=world.alliance_a, title="屋顶光伏")
    ReportFactory(project=project, period=datetime.date(2026, 11, 30), status="accepted")
    client.force_login(world.alice)
    row = client.get(reverse("projects:list")).content.decode().split("屋顶光伏", 1)[1].split("</tr>", 1)[0]
    assert "第49周（11.30–12.6）" in row and "2026年11月30日" not in row


def test_a_leader_reading_their_report_is_led_back_to_their_work_and_offered_to_amend_not_review(client, world):
    project = ProjectFactory(alliance=world.alliance_a)
    pending = ReportFactory(project=project, period=current_week(), status="submitted")
    client.force_login(world.lily)
    page = client.get(reverse("projects:report-detail", args=[pending.pk])).content.decode()
    crumbs = page.split('class="breadcrumbs">')[1].split("</nav>")[0]
    assert reverse("projects:my-work") in crumbs and reverse("projects:review-queue") not in crumbs
    assert "修改报告" in page and "修改后重新提交" not in page
    queue = client.get(reverse("projects:review-queue")).content.decode()
    row = queue.split('id="review-queue"')[1]
    assert ">查看</a>" in row and ">审核</a>" not in row
    # Staff who review keep the queue's way back and its 审核.
    client.force_login(world.alice)
    page = client.get(reverse("projects:report-detail", args=[pending.pk])).content.decode()
    assert reverse("projects:review-queue") in page.split('class="breadcrumbs">')[1].split("</nav>")[0]
    assert ">审核</a>" in client.get(reverse("projects:review-queue")).content.decode()
    # Returned, the leader is to correct it and send it again.
    report_return(actor=world.alice, report=pending, comment="请补充照片")
    client.force_login(world.lily)
    assert "修改后重新提交" in client.get(reverse("projects:report-detail", args=[pending.pk])).content.decode()


def test_the_project_list_marks_a_latest_week_that_was_returned(client, world):
    returned = ProjectFactory(alliance=world.alliance_a, title="退回项目")
    report_return(actor=world.alice, report=ReportFactory(project=returned, period=current_week()), comment="数据有误")
    steady = ProjectFactory(alliance=world.alliance_a, title="正常项目")
    ReportFactory(project=steady, period=current_week(), status="accepted")
    client.force_login(world.alice)
    page = client.get(reverse("projects:list")).content.decode()
    rows = {title: row for row in page.split("<tr")[1:] for title in ("退回项目", "正常项目") if title in row}
    assert "已退回" in rows["退回项目"] and "已退回" not in rows["正常项目"]


def test_the_report_form_offers_the_weeks_still_to_report_and_links_the_week_filed(client, world):
    project = ProjectFactory(alliance=world.alliance_a, start_on=days_ago(60))
    this_week = current_week()
    last_week = this_week - datetime.timedelta(weeks=1)
    filed = ReportFactory(project=project, period=this_week, status="submitted")
    client.force_login(world.lily)
    url = reverse("projects:report-submit", args=[project.pk])

    response = client.get(url)

    offered = [value for value, _label in response.context["form"].fields["period"].choices]
    assert this_week.isoformat() not in offered and last_week.isoformat() in offered
    assert response.context["form"].initial["period"] == last_week.isoformat()
    assert reverse("projects:report-fix", args=[filed.pk]) in response.content.decode()
    # A page opened before the week was filed still sends it: it is told as filed, not unknown.
    sent = client.post(url, {"period": this_week.isoformat(), "percent_complete": "30", "work_done": "完成"})
    assert sent.status_code == 200
    assert ProgressReport.objects.filter(project=project).count() == 1
    assert "请选择有效的选项" not in sent.content.decode()


def sent_with_photos(world, *names: str) -> ProgressReport:
    """This week's report of a new project of lily's, sent by her with these photos."""
    from projects.services import report_submit

    return report_submit(
        actor=world.lily,
        project=ProjectFactory(alliance=world.alliance_a, start_on=days_ago(30)),
        period=current_week(),
        percent_complete=30,
        work_done="完成地基",
        attachments=[photo(name) for name in names],
    )


def test_a_leader_takes_back_a_wrong_photo_from_a_report_still_waiting(
    client, world, django_capture_on_commit_callbacks
):
    report = sent_with_photos(world, "对的.jpg", "错的.jpg")
    right, wrong = report.attachments.order_by("pk")
    storage, wrong_name = wrong.file.storage, wrong.file.name
    client.force_login(world.lily)
    url = reverse("projects:report-fix", args=[report.pk])

    page = client.get(url).content.decode()
    fieldset = page.split('id="attached"')[1].split("</fieldset>")[0]
    assert fieldset.count('class="thumb"') == 2 and fieldset.count('name="remove_attachments"') == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"percent_complete": "30", "work_done": "完成地基", "remove_attachments": [str(wrong.pk)]},
        )
    assert response.status_code == 302
    assert list(report.attachments.values_list("original_name", flat=True)) == ["对的.jpg"]
    assert not storage.exists(wrong_name) and storage.exists(right.file.name)


def test_photos_of_a_version_already_reviewed_stay_on_record(client, world):
    from projects.services import report_amend

    report = sent_with_photos(world, "第一版.jpg")
    report_return(actor=world.alice, report=report, comment="照片不清楚")
    client.force_login(world.lily)
    page = client.get(reverse("projects:report-fix", args=[report.pk])).content.decode()
    fieldset = page.split('id="attached"')[1].split("</fieldset>")[0]
    assert 'class="thumb"' in fieldset and "remove_attachments" not in fieldset
    # Sent again, then amended: the first version's photo is not the amendment's to take back.
    from projects.services import report_resubmit

    report = report_resubmit(actor=world.lily, report=report, work_done="完成地基，补拍照片")
    first = report.attachments.get()
    with pytest.raises(ValidationError):
        report_amend(actor=world.lily, report=report, remove=[first.pk], work_done="完成地基")
    assert report.attachments.count() == 1


def test_a_project_whose_report_of_the_week_was_returned_has_not_reported_this_week(client, world):
    project = ProjectFactory(alliance=world.alliance_a, title="退回本周")
    report = ReportFactory(project=project, period=current_week())
    client.force_login(world.alice)
    silent = reverse("projects:list") + "?silent=true"
    assert "退回本周" not in client.get(silent).content.decode()
    report_return(actor=world.alice, report=report, comment="请补充照片")
    assert "退回本周" in client.get(silent).content.decode()
    assert Project.objects.with_flags().get(pk=project.pk).is_silent


def test_when_every_recent_week_is_filed_the_form_offers_nothing_to_file_and_says_where_to_amend(client, world):
    project = ProjectFactory(alliance=world.alliance_a, start_on=days_ago(90))
    for weeks_back in range(4):
        ReportFactory(project=project, period=current_week() - datetime.timedelta(weeks=weeks_back))
    client.force_login(world.lily)

    page = client.get(reverse("projects:report-submit", args=[project.pk])).content.decode()

    assert 'id="all-filed"' in page and "最近 4 周的进度都已填报" in page
    assert 'enctype="multipart/form-data"' not in page  # no form to send
    assert project.get_absolute_url() in page
    # One week missing again: the form is back, offering that week alone.
    ProgressReport.objects.filter(project=project, period=current_week()).delete()
    response = client.get(reverse("projects:report-submit", args=[project.pk]))
    assert 'id="all-filed"' not in response.content.decode()
    offered = [value for value, _label in response.context["form"].fields["period"].choices]
    assert offered == [current_week().isoformat()]
