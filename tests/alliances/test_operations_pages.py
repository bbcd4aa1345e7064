"""Operations pages: lists, details, forms and the alliance page's norm and records."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from alliances.models import Claim, EntityPlatform, Meeting, Mentorship, Need
from core.periods import MONTH, Period
from tests.alliances.factories import (
    ActivityFactory,
    MeetingFactory,
    MentorshipFactory,
    NeedFactory,
    PlatformFactory,
    ResourceFactory,
    ShareholdingFactory,
    TeamRoleFactory,
    png_upload,
    upload,
)
from tests.alliances.test_operations_api import count_queries, many_records
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

D = datetime.date
LISTS = [
    "meeting-list",
    "activity-list",
    "mentorship-list",
    "platform-list",
    "need-list",
    "resource-list",
    "claim-list",
]


@pytest.mark.parametrize("name", LISTS)
def test_list_pages_run_the_same_number_of_queries_at_10_and_100_rows(client, world, name):
    many_records(world)
    client.force_login(world.alice)
    url = reverse(f"alliances:{name}")
    assert count_queries(lambda: client.get(url, {"page_size": 10})) == count_queries(
        lambda: client.get(url, {"page_size": 100})
    )
    response = client.get(url, {"page_size": 100})
    assert len(response.context["object_list"]) == 100


@pytest.mark.parametrize("name", LISTS)
def test_list_pages_are_phone_friendly_and_label_every_cell(client, world, name):
    many_records(world, n=3)
    client.force_login(world.alice)
    page = client.get(reverse(f"alliances:{name}")).content.decode()
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    assert 'name="viewport"' in page
    assert body.count("<td") == body.count("data-label=") > 0


def test_the_meeting_list_filters_by_alliance_kind_and_dates(client, world):
    MeetingFactory(alliance=world.alliance_a, kind="monthly", held_on=D(2025, 3, 31), topics="三月碰头")
    MeetingFactory(alliance=world.alliance_a, kind="quarterly", held_on=D(2025, 4, 1), topics="二季度专题")
    MeetingFactory(alliance=world.alliance_a2, kind="monthly", held_on=D(2025, 4, 2), topics="云龙碰头")
    client.force_login(world.alice)
    url = reverse("alliances:meeting-list")
    topics = lambda **q: [m.topics for m in client.get(url, q).context["object_list"]]  # noqa: E731
    assert topics(alliance=world.alliance_a.pk, ordering="held_on") == ["三月碰头", "二季度专题"]
    assert topics(kind="monthly", ordering="held_on") == ["三月碰头", "云龙碰头"]
    assert topics(held_after="2025-04-01", held_before="2025-04-01") == ["二季度专题"]


def test_the_alliance_page_shows_the_norm_the_missing_meetings_and_the_records(client, world):
    alliance = world.alliance_a  # founded 2023-03-01, led by lily
    last_month = Period.containing(MONTH, timezone.localdate()).previous()
    TeamRoleFactory(alliance=alliance, role="instructor")
    MeetingFactory(alliance=alliance, kind="monthly", held_on=last_month.start, topics="上月碰头会议题")
    ActivityFactory(alliance=alliance, title="七一联合党课", held_on=D(2025, 7, 1))
    MentorshipFactory(alliance=alliance, mentor_title="金牌导师", apprentice=world.person_a)
    PlatformFactory(alliance=alliance, name="姜山强村发展有限公司")
    NeedFactory(alliance=alliance, title="高山村组缺水", open_to_all=True)
    ResourceFactory(alliance=alliance, title="抛荒地 200 亩")
    client.force_login(world.alice)
    page = client.get(reverse("alliances:detail", args=[alliance.pk])).content.decode()

    norm = page.split('id="norm"')[1].split("</section>")[0]
    assert re.search(r'class="unmet" data-key="structure">.*?缺少：顾问', norm, re.S)
    assert re.search(r'class="unmet" data-key="mechanism">.*?月度碰头会缺 11 次', norm, re.S)
    assert re.search(r'class="met" data-key="platforms">.*?运营实体平台 1 个', norm, re.S)
    monthly_row = page.split('id="meeting-rhythm"')[1].split("</tr>")[1]
    missing_cell = monthly_row.split('class="missing">')[1].split("</td>")[0]
    assert last_month.label not in missing_cell
    assert last_month.previous().label in missing_cell
    for text in ("上月碰头会议题", "七一联合党课", "金牌导师", "姜山强村发展有限公司", "高山村组缺水", "抛荒地 200 亩"):
        assert text in page
    assert page.count('id="norm"') == 1


def test_the_alliance_page_runs_a_fixed_number_of_queries_however_many_records(client, world):
    client.force_login(world.alice)
    url = reverse("alliances:detail", args=[world.alliance_a.pk])
    few = count_queries(lambda: client.get(url))
    many_records(world, n=40)
    assert count_queries(lambda: client.get(url)) == few


def test_the_alliance_page_offers_recording_to_its_leader_but_platforms_only_to_staff(client, world):
    url = reverse("alliances:detail", args=[world.alliance_a.pk])
    client.force_login(world.lily)
    page = client.get(url).content.decode()
    assert reverse("alliances:meeting-create", args=[world.alliance_a.pk]) in page
    assert reverse("alliances:platform-create", args=[world.alliance_a.pk]) not in page
    client.force_login(world.vera)
    page = client.get(url).content.decode()
    assert reverse("alliances:meeting-create", args=[world.alliance_a.pk]) not in page


@pytest.mark.parametrize(("name", "create"), [("meeting-list", "meeting-create"), ("activity-list", "activity-create")])
def test_a_leader_records_from_the_meeting_and_activity_lists_for_the_alliance_they_lead(client, world, name, create):
    """On a phone, journey 1.6 starts from 联盟运行: the list offers a button per alliance the
    leader leads (only those), each opening its form; staff add from an alliance's page."""
    client.force_login(world.lily)
    page = client.get(reverse(f"alliances:{name}")).content.decode()
    offered = re.findall(r'<a class="button" href="(/alliances/\d+/[a-z]+/new/)">', page)
    assert offered == [reverse(f"alliances:{create}", args=[world.alliance_a.pk])]
    assert world.alliance_a.name in page.split('class="actions record-for"', 1)[1].split("</div>", 1)[0]
    assert client.get(offered[0]).status_code == 200
    assert "请在联盟页面登记" not in page  # the page does not send them elsewhere
    client.force_login(world.alice)
    page = client.get(reverse(f"alliances:{name}")).content.decode()
    assert "record-for" not in page and "请在联盟页面登记" in page


def test_a_leader_records_a_meeting_with_attendance_on_the_form(client, world):
    client.force_login(world.lily)
    url = reverse("alliances:meeting-create", args=[world.alliance_a.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["attending_organizations"].queryset) == [world.org_a]
    response = client.post(
        url,
        {
            "kind": "monthly",
            "held_on": "2025-03-31",
            "place": "走马塘村文化礼堂",
            "topics": "研究供水管网建设",
            "attending_organizations": [world.org_a.pk],
            "attendees": [world.person_a.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert (meeting.alliance, meeting.place) == (world.alliance_a, "走马塘村文化礼堂")
    assert list(meeting.attendees.all()) == [world.person_a]
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "走马塘村党委" in page.split('id="attending-organizations"')[1]


def test_the_meeting_form_names_a_future_date_and_saves_nothing(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("alliances:meeting-create", args=[world.alliance_a.pk]),
        {"kind": "monthly", "held_on": "2099-01-01", "topics": "未来"},
    )
    assert response.status_code == 200
    assert "held_on" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_recording_forms_are_403_for_viewers_and_404_outside_the_scope(client, world):
    url = reverse("alliances:meeting-create", args=[world.alliance_a.pk])
    client.force_login(world.vera)
    assert client.get(url).status_code == 403
    client.force_login(world.lily)
    assert client.get(reverse("alliances:meeting-create", args=[world.alliance_a2.pk])).status_code == 404
    client.force_login(world.bob)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("factory", "name"),
    [
        (lambda w: MeetingFactory(alliance=w.alliance_a), "meeting-detail"),
        (lambda w: ActivityFactory(alliance=w.alliance_a), "activity-detail"),
        (lambda w: MentorshipFactory(alliance=w.alliance_a), "mentorship-detail"),
        (lambda w: PlatformFactory(alliance=w.alliance_a), "platform-detail"),
        (lambda w: NeedFactory(alliance=w.alliance_a), "need-detail"),
        (lambda w: ResourceFactory(alliance=w.alliance_a), "resource-detail"),
    ],
)
def test_detail_pages_are_404_for_another_county(client, world, factory, name):
    record = factory(world)
    client.force_login(world.alice)
    assert client.get(reverse(f"alliances:{name}", args=[record.pk])).status_code == 200
    client.force_login(world.bob)
    assert client.get(reverse(f"alliances:{name}", args=[record.pk])).status_code == 404


def test_photos_are_uploaded_on_the_page_and_a_fake_image_is_refused(client, world):
    activity = ActivityFactory(alliance=world.alliance_a)
    client.force_login(world.lily)
    url = reverse("alliances:activity-photo-add", args=[activity.pk])
    response = client.post(url, {"image": upload("fake.jpg", b"GIF89a not really"), "caption": "x"})
    assert "image" in response.context["form"].errors
    response = client.post(url, {"image": png_upload(), "caption": "联合党课现场"})
    assert response["Location"] == activity.get_absolute_url()
    photo = activity.photos.get()
    page = client.get(activity.get_absolute_url()).content.decode()
    assert reverse("alliances:photo-file", args=["activity", photo.pk]) in page
    client.post(reverse("alliances:photo-remove", args=["activity", photo.pk]))
    assert not activity.photos.exists()


def test_the_photo_form_tells_that_location_data_is_removed(client, world):
    activity = ActivityFactory(alliance=world.alliance_a)
    client.force_login(world.lily)
    url = reverse("alliances:activity-photo-add", args=[activity.pk])
    assert "照片中的位置信息会被删除" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "location data in photos is removed" in client.get(url).content.decode()


def test_the_mentorship_form_refuses_a_self_mentorship_on_the_apprentice_field(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("alliances:mentorship-create", args=[world.alliance_a.pk]),
        {"mentor": world.person_a.pk, "apprentice": world.person_a.pk, "started_on": "2025-01-01"},
    )
    assert "apprentice" in response.context["form"].errors
    assert not Mentorship.objects.exists()


def test_a_mentorship_is_ended_on_its_page(client, world):
    mentorship = MentorshipFactory(alliance=world.alliance_a, apprentice=world.person_a)
    client.force_login(world.lily)
    client.post(reverse("alliances:mentorship-end", args=[mentorship.pk]), {"ended_on": "2025-12-31"})
    mentorship.refresh_from_db()
    assert mentorship.ended_on == D(2025, 12, 31)


def test_staff_create_a_platform_and_set_its_shareholders_up_to_100_percent(client, world):
    client.force_login(world.alice)
    client.post(
        reverse("alliances:platform-create", args=[world.alliance_a.pk]),
        {
            "name": "姜山共富联合社",
            "kind": "joint_cooperative",
            "ownership": "multi_village",
            "registered_capital": "3000000.00",
        },
    )
    platform = EntityPlatform.objects.get()
    url = reverse("alliances:shareholding-set", args=[platform.pk])
    client.post(url, {"alliance": world.alliance_a.pk, "percentage": "55"})
    response = client.post(url, {"organization": world.org_a.pk, "percentage": "45.5"})
    assert "percentage" in response.context["form"].errors
    client.post(url, {"organization": world.org_a.pk, "percentage": "45"})
    page = client.get(platform.get_absolute_url()).content.decode()
    assert "合计 100.00%" in page
    assert platform.shareholdings.count() == 2


def test_the_platform_list_shows_the_share_total(client, world):
    platform = PlatformFactory(alliance=world.alliance_a)
    ShareholdingFactory(platform=platform, percentage=Decimal("62.50"))
    client.force_login(world.alice)
    row = client.get(reverse("alliances:platform-list")).context["object_list"][0]
    assert (row.shareholder_count, row.share_total) == (1, Decimal("62.50"))


def test_the_claim_workflow_on_the_pages(client, world):
    need = NeedFactory(alliance=world.alliance_a, title="村道亮化", posted_on=D(2025, 1, 5))
    client.force_login(world.alice)
    client.post(
        reverse("alliances:need-claim", args=[need.pk]),
        {"claimant_alliance": world.alliance_a2.pk, "claimed_on": "2025-01-10", "offer": "捐建路灯"},
    )
    claim = Claim.objects.get()
    client.post(reverse("alliances:claim-start", args=[claim.pk]), {"started_on": "2025-02-01"})
    response = client.post(reverse("alliances:claim-resolve", args=[claim.pk]), {"note": ""})
    assert "note" in response.context["form"].errors
    project = ProjectFactory(alliance=world.alliance_a, title="村道亮化工程")
    client.post(
        reverse("alliances:claim-resolve", args=[claim.pk]), {"note": "安装路灯 40 盏", "project_id": str(project.pk)}
    )
    claim.refresh_from_db()
    need.refresh_from_db()
    assert (claim.status, claim.started_on, need.status, need.resolved_by_project_id) == (
        "resolved",
        D(2025, 2, 1),
        "resolved",
        project.pk,
    )
    page = client.get(need.get_absolute_url()).content.decode()
    assert "安装路灯 40 盏" in page and "云龙产业联盟" in page.split('id="claims"')[1]


def test_the_claim_form_offers_only_claimants_the_user_acts_for(client, world):
    need = NeedFactory(alliance=world.alliance_a2, open_to_all=True)
    client.force_login(world.lily)
    form = client.get(reverse("alliances:need-claim", args=[need.pk])).context["form"]
    assert list(form.fields["claimant_alliance"].queryset) == [world.alliance_a]
    assert list(form.fields["claimant_organization"].queryset) == [world.org_a]


def test_claim_pages_are_404_for_a_third_county(client, world):
    need = NeedFactory(alliance=world.alliance_a, open_to_all=True)
    claim = Claim.objects.create(need=need, claimant_alliance=world.alliance_a2, claimed_on=D(2025, 5, 2))
    Need.objects.filter(pk=need.pk).update(status="claimed")
    client.force_login(world.bob)
    assert client.get(need.get_absolute_url()).status_code == 200
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert client.get(reverse("alliances:claim-start", args=[claim.pk])).status_code == 404
    assert "云龙产业联盟" not in client.get(need.get_absolute_url()).content.decode()
