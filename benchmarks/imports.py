"""Excel import of 20,000 rows as a background job: preview (the check) and confirm (the
write), timed through the job services the Celery tasks call, and the weight of the pages.

    DATABASE_URL=postgres://.../db python benchmarks/imports.py [--rows 20000]

The workbook holds new organizations (half the rows) and one person in each (the other
half), under villages of a county made for the run (created once, reused). The preview and
the confirm run in this process, one after the other, as a worker runs them; the confirm
is rolled back at the end, so the run leaves the database as it found it (but for the
county, its villages and its staff user). ``--profile`` prints the top of a cProfile of
the preview and of the confirm instead of timing them.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from common import setup

VILLAGES = 50


def county_and_staff():
    from django.contrib.auth import get_user_model

    from members.models import AccessProfile, Region

    province, _ = Region.objects.get_or_create(code="990000000000", defaults={"name": "基准省", "level": "province"})
    city, _ = Region.objects.get_or_create(
        code="990100000000", defaults={"name": "基准市", "level": "city", "parent": province}
    )
    county, _ = Region.objects.get_or_create(
        code="990101000000", defaults={"name": "基准县", "level": "county", "parent": city}
    )
    town, _ = Region.objects.get_or_create(
        code="990101001000", defaults={"name": "基准镇", "level": "township", "parent": county}
    )
    villages = [
        Region.objects.get_or_create(
            code=f"990101001{n:03d}", defaults={"name": f"基准{n}村", "level": "village", "parent": town}
        )[0]
        for n in range(1, VILLAGES + 1)
    ]
    user, _ = get_user_model().objects.get_or_create(username="bench_import_staff")
    AccessProfile.objects.get_or_create(user=user, defaults={"role": "county_staff", "region": county})
    return user, villages


def workbook(villages, rows: int) -> bytes:
    from members.layouts import ORGANIZATION_COLUMNS, PERSON_COLUMNS
    from tests.core.factories import xlsx

    def sheet(columns, values):
        headers = [str(column.header) for column in columns]
        return [headers, *([row.get(header) for header in headers] for row in values)]

    units = rows // 2
    organizations, people = [], []
    for n in range(units):
        code = villages[n % len(villages)].code
        name = f"基准合作社{n:05d}"
        organizations.append({"区划代码": code, "单位名称": name, "单位类型": "合作社", "星级": n % 5 + 1})
        people.append(
            {"区划代码": code, "所在单位": name, "姓名": f"基准{n:05d}", "手机号码": f"139{n:08d}", "党员": "是"}
        )
    return xlsx({"成员单位": sheet(ORGANIZATION_COLUMNS, organizations), "人员": sheet(PERSON_COLUMNS, people)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    setup()
    from django.db import connection, transaction
    from django.test import Client

    from members import services
    from members.models import ImportJob, ImportState

    user, villages = county_and_staff()
    started = time.perf_counter()
    data = workbook(villages, args.rows)
    print(f"workbook: {args.rows} rows, {len(data) / 1048576:.1f} MB, built in {time.perf_counter() - started:.1f} s")

    with transaction.atomic():
        job = ImportJob.objects.create(owner=user, region=user.access_profile.region, filename="bench.xlsx", sha256="")
    import hashlib

    from django.core.files.base import ContentFile

    job.sha256 = hashlib.sha256(data).hexdigest()
    job.file.save("bench.xlsx", ContentFile(data))

    started = time.perf_counter()
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(services.import_job_preview, job.pk)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    else:
        services.import_job_preview(job.pk)
    preview = time.perf_counter() - started
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED, (job.state, job.message)
    print(f"preview: {preview:.1f} s ({job.summary['counts']})")

    client = Client()
    client.force_login(user)
    page = client.get(job.get_absolute_url(), HTTP_HOST="localhost")
    status = client.get(f"{job.get_absolute_url()}status/", HTTP_HOST="localhost")
    print(f"preview page: {len(page.content) / 1024:.0f} KB (HTTP {page.status_code}); status: {len(status.content)} B")

    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.CONFIRMING, confirmed_at=job.created_at)
    with transaction.atomic():
        started = time.perf_counter()
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(services.import_job_confirm, job.pk)
        else:
            services.import_job_confirm(job.pk)
        confirm = time.perf_counter() - started
        job.refresh_from_db()
        state = job.state
        transaction.set_rollback(True)  # leave the database as it was
    print(f"confirm: {confirm:.1f} s (state {state})")
    if args.profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).delete()
    print(f"database: {connection.vendor}")


if __name__ == "__main__":
    main()
