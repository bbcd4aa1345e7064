"""Factories and file helpers for projects, milestones and progress reports."""

from __future__ import annotations

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from projects.models import Milestone, ProgressReport, Project
from projects.weeks import current_week, local_today
from tests.alliances.factories import AllianceFactory


def days_ago(n: int) -> datetime.date:
    return local_today() - datetime.timedelta(days=n)


class ProjectFactory(factory.django.DjangoModelFactory):
    """An in-progress project of this year that started two months ago and is due in four."""

    class Meta:
        model = Project

    alliance = factory.SubFactory(AllianceFactory)
    year = factory.LazyFunction(lambda: local_today().year)
    title = factory.Sequence(lambda n: f"测试项目{n}")
    category = "industry"
    start_on = factory.LazyFunction(lambda: days_ago(60))
    due_on = factory.LazyFunction(lambda: local_today() + datetime.timedelta(days=120))
    status = "in_progress"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"节点{n}")
    due_on = factory.LazyFunction(lambda: local_today() + datetime.timedelta(days=30))


class ReportFactory(factory.django.DjangoModelFactory):
    """A submitted report for last week."""

    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    period = factory.LazyFunction(lambda: current_week() - datetime.timedelta(weeks=1))
    percent_complete = 20
    work_done = "完成土地平整"
    submitted_at = factory.LazyFunction(timezone.now)


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    options = {}
    if gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "TestPhone"
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (29.0, 52.0, 10.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (121.0, 33.0, 5.0),
        }
        options["exif"] = exif
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def photo(name: str = "现场.jpg", *, gps: bool = False, fmt: str = "JPEG") -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, image_bytes(fmt, gps=gps), content_type=content_type)


def pdf(name: str = "验收报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))
