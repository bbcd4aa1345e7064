"""The operations API: scoped lists at a constant number of queries, writes through the services."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from alliances.models import (
    Activity,
    ActivityPhoto,
    Claim,
    EntityPlatform,
    Meeting,
    MeetingPhoto,
    Mentorship,
    Need,
    Resource,
    Shareholding,
)
from members.models import Person
from tests.alliances.factories import (
    PDF_BYTES,
    ActivityFactory,
    MeetingFactory,
    MentorshipFactory,
    NeedFactory,
    PlatformFactory,
    ResourceFactory,
    png_upload,
    upload,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ENDPOINTS = ["meetings", "activities", "mentorships", "platforms", "needs", "resources", "claims"]


def many_records(world, n=110):
    """n of every operations record in county A (alliance A1), with their related rows."""
    alliance = world.alliance_a
    start = D(2024, 1, 1)
    people = Person.objects.bulk_create(Person(name=f"成员{i}", organization=world.org_a) for i in range(n + 1))
    meetings = Meeting.objects.bulk_create(
        Meeting(alliance=alliance, kind="other", held_on=start + datetime.timedelta(days=i), topics=f"议题{i}")
        for i in range(n)
    )
    activities = Activity.objects.bulk_create(
        Activity(alliance=alliance, kind="joint_event", title=f"活动{i}", held_on=start, summary="联办")
        for i in range(n)
    )
    for record, orgs, persons in ((meetings, "attending_organizations", "attendees"),):
        through_orgs = getattr(Meeting, orgs).through
        through_people = getattr(Meeting, persons).through
        through_orgs.objects.bulk_create(through_orgs(meeting=m, memberorganization=world.org_a) for m in record)
        through_people.objects.bulk_create(through_people(meeting=m, person=people[0]) for m in record)
    through = Activity.participants.through
    through.objects.bulk_create(through(activity=a, person=people[1]) for a in activities)
    MeetingPhoto.objects.bulk_create(MeetingPhoto(meeting=m, image=f"alliances/x/{m.pk}.png") for m in meetings[:3])
    ActivityPhoto.objects.bulk_create(
        ActivityPhoto(activity=a, image=f"alliances/x/{a.pk}.png") for a in activities[:3]
    )
    Mentorship.objects.bulk_create(
        Mentorship(alliance=alliance, mentor=people[0], apprentice=people[i + 1], started_on=start) for i in range(n)
    )
    platforms = EntityPlatform.objects.bulk_create(
        EntityPlatform(alliance=alliance, name=f"平台{i}", kind="other", ownership="alliance_owned") for i in range(n)
    )
    Shareholding.objects.bulk_create(
        Shareholding(platform=p, alliance=alliance, percentage=Decimal("51")) for p in platforms
    )
    needs = Need.objects.bulk_create(
        Need(alliance=alliance, title=f"需求{i}", category="other", posted_on=start, status="claimed") for i in range(n)
    )
    Resource.objects.bulk_create(
        Resource(alliance=alliance, title=f"资源{i}", category="land", posted_on=start, quantity=10, unit="亩")
        for i in range(n)
    )
    Claim.objects.bulk_create(Claim(need=need, claimant_alliance=world.alliance_a2, claimed_on=start) for need in needs)


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_lists_run_the_same_number_of_queries_at_page_sizes_10_and_100(api, world, endpoint):
    many_records(world)
    api.as_user(world.alice)
    small = count_queries(lambda: api.get(f"/api/v1/{endpoint}/?page_size=10"))
    large = count_queries(lambda: api.get(f"/api/v1/{endpoint}/?page_size=100"))
    assert small == large
    assert len(api.get(f"/api/v1/{endpoint}/?page_size=100").json()["results"]) == 100


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_county_sees_none_of_these_records_and_gets_404_for_each(api, world, endpoint):
    many_records(world, n=2)
    body = api.as_user(world.bob).get(f"/api/v1/{endpoint}/").json()
    assert body["count"] == 0
    first = api.as_user(world.alice).get(f"/api/v1/{endpoint}/").json()["results"][0]
    assert api.as_user(world.bob).get(f"/api/v1/{endpoint}/{first['id']}/").status_code == 404


def test_a_leader_records_a_meeting_with_attendance_for_their_alliance(api, world):
    response = api.as_user(world.lily).post(
        "/api/v1/meetings/",
        {
            "alliance": world.alliance_a.pk,
            "kind": "monthly",
            "held_on": "2025-03-31",
            "topics": "研究高山村组供水问题",
            "attending_organizations": [world.org_a.pk],
            "attendees": [world.person_a.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get()
    assert list(meeting.attending_organizations.all()) == [world.org_a]
    assert list(meeting.attendees.all()) == [world.person_a]
    assert response.json()["alliance_name"] == "姜山共富联盟"


def test_a_leader_cannot_record_for_another_alliance_and_a_viewer_not_at_all(api, world):
    payload = {"alliance": world.alliance_a2.pk, "kind": "monthly", "held_on": "2025-03-31", "topics": "x"}
    response = api.as_user(world.lily).post("/api/v1/meetings/", payload, format="json")
    assert response.status_code == 400 and "alliance" in response.json()
    payload["alliance"] = world.alliance_a.pk
    assert api.as_user(world.vera).post("/api/v1/meetings/", payload, format="json").status_code == 403
    assert not Meeting.objects.exists()


def test_attendees_must_belong_to_the_alliance(api, world):
    outsider = Person.objects.create(name="外人", organization=world.org_b)
    response = api.as_user(world.admin).post(
        "/api/v1/meetings/",
        {
            "alliance": world.alliance_a.pk,
            "kind": "monthly",
            "held_on": "2025-03-31",
            "topics": "x",
            "attendees": [outsider.pk],
        },
        format="json",
    )
    assert response.status_code == 400 and "attendees" in response.json()
    assert not Meeting.objects.exists()


def test_a_meeting_in_the_future_or_before_the_founding_is_refused(api, world):
    for day in ("2099-01-01", "2001-01-01"):
        response = api.as_user(world.alice).post(
            "/api/v1/meetings/",
            {"alliance": world.alliance_a.pk, "kind": "monthly", "held_on": day, "topics": "x"},
            format="json",
        )
        assert response.status_code == 400 and "held_on" in response.json()
    assert not Meeting.objects.exists()


def test_two_meetings_of_one_kind_on_one_day_are_refused(api, world):
    MeetingFactory(alliance=world.alliance_a, kind="monthly", held_on=D(2025, 3, 31))
    response = api.as_user(world.alice).post(
        "/api/v1/meetings/",
        {"alliance": world.alliance_a.pk, "kind": "monthly", "held_on": "2025-03-31", "topics": "重复"},
        format="json",
    )
    assert response.status_code == 400
    assert Meeting.objects.count() == 1


def test_the_alliance_of_a_meeting_cannot_be_changed(api, world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    response = api.as_user(world.alice).patch(
        f"/api/v1/meetings/{meeting.pk}/", {"alliance": world.alliance_a2.pk}, format="json"
    )
    assert response.status_code == 400 and "alliance" in response.json()
    meeting.refresh_from_db()
    assert meeting.alliance == world.alliance_a


def test_photos_are_uploaded_checked_and_served_only_within_scope(api, client, world):
    meeting = MeetingFactory(alliance=world.alliance_a)
    response = api.as_user(world.lily).post(
        f"/api/v1/meetings/{meeting.pk}/photos/", {"image": png_upload("现场.PNG"), "caption": "会议现场"}
    )
    assert response.status_code == 201, response.content
    photo = meeting.photos.get()
    assert photo.caption == "会议现场"
    assert photo.image.name.endswith(".png") and "现场" not in photo.image.name
    url = response.json()["image"]
    assert url.endswith(f"/alliances/photos/meeting/{photo.pk}/")

    client.force_login(world.alice)
    served = client.get(url)
    assert served["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as stored:  # the re-encoded copy
        assert (stored.format, stored.size, stored.getpixel((0, 0))) == ("PNG", (8, 8), (200, 30, 30))
    client.force_login(world.bob)
    assert client.get(url).status_code == 404


def test_a_file_that_is_not_an_image_is_refused_as_a_photo(api, world):
    activity = ActivityFactory(alliance=world.alliance_a)
    for name, content in (("x.png", b"<html>not an image</html>"), ("minutes.pdf", PDF_BYTES)):
        response = api.as_user(world.alice).post(
            f"/api/v1/activities/{activity.pk}/photos/", {"image": upload(name, content)}
        )
        assert response.status_code == 400 and "image" in response.json()
    assert not activity.photos.exists()


def test_minutes_are_uploaded_as_pdf_and_served_through_the_scoped_view(api, client, world):
    response = api.as_user(world.alice).post(
        "/api/v1/meetings/",
        {
            "alliance": world.alliance_a.pk,
            "kind": "quarterly",
            "held_on": "2025-03-31",
            "topics": "一季度专题",
            "minutes_file": upload("纪要.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get()
    assert meeting.minutes_file.name.endswith(".pdf")
    client.force_login(world.vera)
    served = client.get(response.json()["minutes_file"])
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == PDF_BYTES


def test_a_self_mentorship_is_a_400_naming_the_apprentice(api, world):
    response = api.as_user(world.lily).post(
        "/api/v1/mentorships/",
        {
            "alliance": world.alliance_a.pk,
            "mentor": world.person_a.pk,
            "apprentice": world.person_a.pk,
            "mentor_title": "金牌导师",
            "started_on": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "apprentice" in response.json()
    assert not Mentorship.objects.exists()


def test_a_mentorship_is_ended_by_patching_ended_on(api, world):
    mentorship = MentorshipFactory(alliance=world.alliance_a, apprentice=world.person_a)
    response = api.as_user(world.lily).patch(
        f"/api/v1/mentorships/{mentorship.pk}/", {"ended_on": "2025-06-30", "goals": "带出一名村书记"}, format="json"
    )
    assert response.status_code == 200, response.content
    mentorship.refresh_from_db()
    assert (mentorship.ended_on, mentorship.goals) == (D(2025, 6, 30), "带出一名村书记")


def test_shareholders_are_set_and_removed_through_the_platform(api, world):
    platform = PlatformFactory(alliance=world.alliance_a)
    api.as_user(world.alice)
    body = api.post(
        f"/api/v1/platforms/{platform.pk}/shareholdings/",
        {"alliance": world.alliance_a.pk, "percentage": "70.00"},
        format="json",
    ).json()
    assert body["share_total"] == "70.00"
    response = api.post(
        f"/api/v1/platforms/{platform.pk}/shareholdings/",
        {"organization": world.org_a.pk, "percentage": "30.01"},
        format="json",
    )
    assert response.status_code == 400 and "percentage" in response.json()
    holding = platform.shareholdings.get()
    body = api.delete(f"/api/v1/platforms/{platform.pk}/shareholdings/{holding.pk}/").json()
    assert body["shareholdings"] == [] and body["share_total"] == "0.00"
    assert api.delete(f"/api/v1/platforms/{platform.pk}/").status_code == 405  # platforms are never deleted
    assert EntityPlatform.objects.filter(pk=platform.pk).exists()


def test_a_leader_cannot_manage_platforms(api, world):
    platform = PlatformFactory(alliance=world.alliance_a)
    response = api.as_user(world.lily).post(
        f"/api/v1/platforms/{platform.pk}/shareholdings/", {"alliance": world.alliance_a.pk, "percentage": "10"}
    )
    assert response.status_code == 403
    assert not platform.shareholdings.exists()


def test_a_need_open_to_all_is_listed_and_claimed_from_another_county(api, world):
    hidden = NeedFactory(alliance=world.alliance_a, title="内部需求")
    public = NeedFactory(alliance=world.alliance_a, title="公开需求", open_to_all=True)
    api.as_user(world.bob)
    assert [n["title"] for n in api.get("/api/v1/needs/").json()["results"]] == ["公开需求"]
    assert api.get(f"/api/v1/needs/{hidden.pk}/").status_code == 404

    refused = api.post("/api/v1/claims/", {"need": hidden.pk, "claimant_alliance": world.alliance_b.pk}, format="json")
    assert refused.status_code == 400 and "need" in refused.json()
    response = api.post("/api/v1/claims/", {"need": public.pk, "claimant_alliance": world.alliance_b.pk}, format="json")
    assert response.status_code == 201, response.content
    claim = response.json()
    assert (claim["status"], claim["need_title"], claim["claimant_alliance_name"]) == (
        "claimed",
        "公开需求",
        "岱山海岛联盟",
    )

    started = api.post(f"/api/v1/claims/{claim['id']}/start/", {}, format="json").json()
    assert started["status"] == "in_progress"
    missing_note = api.post(f"/api/v1/claims/{claim['id']}/resolve/", {}, format="json")
    assert missing_note.status_code == 400 and "note" in missing_note.json()
    project = ProjectFactory(alliance=world.alliance_a, title="红芽姜大棚")
    resolved = api.as_user(world.alice).post(
        f"/api/v1/claims/{claim['id']}/resolve/", {"note": "签订销售协议", "project_id": project.pk}, format="json"
    )
    assert resolved.json()["status"] == "resolved"
    public.refresh_from_db()
    assert (public.status, public.resolved_by_project) == ("resolved", project)
    assert api.as_user(world.alice).get(f"/api/v1/needs/{public.pk}/").json()["resolved_by_project_id"] == project.pk


def test_a_withdrawn_claim_reopens_the_resource(api, world):
    resource = ResourceFactory(alliance=world.alliance_a, title="闲置厂房")
    api.as_user(world.alice)
    claim = api.post(
        "/api/v1/claims/", {"resource": resource.pk, "claimant_organization": world.org_a.pk}, format="json"
    ).json()
    body = api.post(f"/api/v1/claims/{claim['id']}/withdraw/", {"note": "场地不合适"}, format="json").json()
    assert body["status"] == "withdrawn" and body["note"] == "场地不合适"
    assert api.get(f"/api/v1/resources/{resource.pk}/").json()["status"] == "open"


def test_claims_cannot_be_edited_with_patch(api, world):
    need = NeedFactory(alliance=world.alliance_a)
    claim = (
        api.as_user(world.alice)
        .post("/api/v1/claims/", {"need": need.pk, "claimant_alliance": world.alliance_a2.pk}, format="json")
        .json()
    )
    assert api.patch(f"/api/v1/claims/{claim['id']}/", {"status": "resolved"}, format="json").status_code == 405
    assert Claim.objects.get().status == "claimed"


def test_the_openapi_schema_documents_every_operations_route(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for endpoint in ENDPOINTS:
        assert f"/api/v1/{endpoint}/" in text
    for action in ("meetings/{id}/photos/", "platforms/{id}/shareholdings/", "claims/{id}/resolve/"):
        assert f"/api/v1/{action}" in text
