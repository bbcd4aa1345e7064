"""Every page a county's and a city's staff can reach, by size: a crawl from the home page.

    DATABASE_URL=postgres://.../province python benchmarks/pages.py [--pages 400] [--county CODE]

Signed in as county staff of the county with most alliances (or ``--county``) and as staff
of its city (accounts made through the services, as benchmarks/load.py makes them), each
follows the links of every page it opens, breadth first, at most two URLs of one shape
(``/projects/N/`` is one shape), until ``--pages`` pages. Downloads, prints and files are
not followed. Requests go through Django's test Client in this process (DEBUG off), so the
times are one view each on a warm process, not a service level: the crawl finds the pages
the HTTP load mix (benchmarks/load.py) does not open, by their size (target ≤ 100 KB of
HTML), their query count and any 5xx. It exits non-zero when a page is over the size or
answered 5xx.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import time
from collections import deque
from urllib.parse import urlsplit

from common import setup

LIMIT_BYTES = 100 * 1024
PASSWORD = secrets.token_urlsafe(24)  # the accounts are signed in directly; nobody types it
PER_SHAPE = 2
NOT_FOLLOWED = re.compile(
    r"export=|/xlsx/|/logout|/evidence/|/media/|/static/|/api/|setlang|\?all=1|/attachments/|/photos/\d+/|/files/"
)


def shape(url: str) -> str:
    parts = urlsplit(url)
    query = re.sub(r"=[^&]*", "=", parts.query)
    return re.sub(r"\d+", "N", parts.path) + (f"?{query}" if query else "")


def crawl(client, pages: int) -> list[tuple[int, float, int, int, str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(["/", "/evaluations/dashboard/"])
    rows = []
    while queue and len(rows) < pages:
        url = queue.popleft()
        if url in seen or shapes.get(shape(url), 0) >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[shape(url)] = shapes.get(shape(url), 0) + 1
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed = (time.perf_counter() - started) * 1000
        rows.append((len(body), elapsed, len(queries), response.status_code, url))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for found in re.findall(r'href="(/[^"#]*)"', body.decode("utf-8", "ignore")):
                href = found.replace("&amp;", "&")
                if not NOT_FOLLOWED.search(href) and href not in seen:
                    queue.append(href)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400, help="pages per account (default 400)")
    parser.add_argument("--county", help="the county's 12-digit code (default: the one with most alliances)")
    parser.add_argument("--show", type=int, default=10, help="largest and slowest pages listed (default 10)")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from members.access import Role
    from members.models import Region
    from members.services import user_with_role

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.county:
        county = Region.objects.get(code=args.county)
    else:
        county = Region.objects.filter(level="county").annotate(n=Count("alliances")).order_by("-n", "code").first()
    failed = False
    for role, region, level in (("county", county, Role.COUNTY_STAFF), ("city", county.parent, Role.CITY_STAFF)):
        user = user_with_role(username=f"pages-{role}", password=PASSWORD, role=level, region=region)
        client = Client()
        client.force_login(user)
        rows = crawl(client, args.pages)
        over = [row for row in rows if row[0] > LIMIT_BYTES]
        errors = [row for row in rows if row[3] >= 500]
        failed = failed or bool(over or errors)
        print(
            f"\n{role} staff of {region.name}: {len(rows)} pages, {len(over)} over {LIMIT_BYTES // 1024} KB, "
            f"{len(errors)} answered 5xx, queries {min(r[2] for r in rows)}–{max(r[2] for r in rows)}"
        )
        for title, ordered in (
            ("largest", sorted(rows, reverse=True)),
            ("slowest", sorted(rows, key=lambda row: -row[1])),
        ):
            print(f"  {title}:")
            for size, elapsed, queries, status, url in ordered[: args.show]:
                print(f"    {size / 1024:7.1f} KB {elapsed:6.0f} ms {queries:4d} q {status}  {url}")
        for size, _elapsed, _queries, status, url in over + errors:
            print(f"  ! {status} {size / 1024:.1f} KB {url}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
