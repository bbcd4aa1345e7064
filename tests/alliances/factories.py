"""factory_boy factories of the alliances app: alliances, memberships, 1+1+N teams and the
operations (meetings, activities, mentorships, platforms, needs, resources, claims)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from alliances.models import (
    Activity,
    Alliance,
    Claim,
    EntityPlatform,
    Meeting,
    Membership,
    Mentorship,
    Need,
    Resource,
    Shareholding,
    TeamRole,
)
from tests.members.factories import OrganizationFactory, PersonFactory, RegionFactory, user_with_scope


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance

    code = factory.Sequence(lambda n: f"LM-T-{n:04d}")
    name = factory.Sequence(lambda n: f"测试联盟{n}")
    formation_mode = "neighbour"
    scope = "cross_region"
    lead_region = factory.SubFactory(RegionFactory)
    founded_on = datetime.date(2023, 3, 1)
    status = "active"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    alliance = factory.SubFactory(AllianceFactory)
    organization = factory.SubFactory(OrganizationFactory, region=factory.SelfAttribute("..alliance.lead_region"))
    role = "member"
    joined_on = datetime.date(2023, 3, 1)


class TeamRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamRole

    alliance = factory.SubFactory(AllianceFactory)
    person = factory.SubFactory(PersonFactory)
    role = "advisor"
    started_on = datetime.date(2023, 3, 1)


def leader_of(*alliances: Alliance, username: str = "leader"):
    """A user who holds the open leader role of the given alliances."""
    user = user_with_scope(username, "alliance_leader")
    person = PersonFactory(user=user, organization__region=alliances[0].lead_region)
    for alliance in alliances:
        TeamRole.objects.create(alliance=alliance, person=person, role="leader", started_on=datetime.date(2024, 1, 1))
    return user


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    alliance = factory.SubFactory(AllianceFactory)
    kind = "monthly"
    held_on = datetime.date(2025, 3, 10)
    place = "联盟党群服务中心"
    topics = factory.Sequence(lambda n: f"议题{n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    alliance = factory.SubFactory(AllianceFactory)
    kind = "joint_training"
    title = factory.Sequence(lambda n: f"联合党课{n}")
    held_on = datetime.date(2025, 4, 1)
    summary = "成员单位党员集中学习。"


class MentorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentorship

    alliance = factory.SubFactory(AllianceFactory)
    mentor = factory.SubFactory(PersonFactory)
    mentor_title = "金牌导师"
    apprentice = factory.SubFactory(PersonFactory)
    started_on = datetime.date(2024, 3, 1)


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntityPlatform

    alliance = factory.SubFactory(AllianceFactory)
    name = factory.Sequence(lambda n: f"共富强村公司{n}")
    kind = "strong_village"
    ownership = "multi_village"
    registered_capital = Decimal("5000000.00")


class ShareholdingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shareholding

    platform = factory.SubFactory(PlatformFactory)
    alliance = factory.SelfAttribute("platform.alliance")
    percentage = Decimal("40.00")


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    alliance = factory.SubFactory(AllianceFactory)
    title = factory.Sequence(lambda n: f"饮水困难{n}")
    category = "infrastructure"
    posted_on = datetime.date(2025, 5, 1)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    alliance = factory.SubFactory(AllianceFactory)
    title = factory.Sequence(lambda n: f"闲置资金{n}")
    category = "funds"
    quantity = Decimal("200.00")
    unit = "万元"
    posted_on = datetime.date(2025, 5, 1)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    need = factory.SubFactory(NeedFactory, status="claimed")
    claimant_alliance = factory.SubFactory(AllianceFactory)
    claimed_on = datetime.date(2025, 5, 2)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return upload(name, image_bytes("PNG"), "image/png")


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
