"""Crawl the seeded demo as each demo account, in one process, and fail on any 5xx.

Run by ``scripts/sqlite-smoke.sh`` after ``migrate`` and ``seed_demo`` on a fresh SQLite
file, with the local settings and DEBUG off: the path ``make run`` takes. Each account
starts at the home page and at the API's root and follows the links it is shown (same
site, GET only), breadth first. Of the links that differ only by their numbers
(``/projects/12/``, ``/projects/13/``) or by the values of their query (``?page=2``,
``?page=3``) the first is followed: every kind of page, with the detail pages of each
list's first rows. Signing out, Excel exports and downloads are left out.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

LIMIT = int(os.environ.get("SMOKE_PAGES_PER_ACCOUNT", "200"))
SKIPPED = re.compile(r"logout|/static/|/media/|/xlsx/|/i18n/|\.xlsx$")
SKIPPED_QUERY_KEYS = {"export", "format"}
HOST = "127.0.0.1"  # the host make run serves on, which the local settings allow
STARTS = ("/", "/api/v1/")  # the pages, and the API's root (its lists link their rows)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def json_links(value):
    """The same-site URLs among the strings of an API answer."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from json_links(item)
    elif isinstance(value, str) and value.startswith((f"http://{HOST}/", "/api/")):
        yield value


def shape(url: str) -> tuple[str, tuple[str, ...]]:
    """A URL with its numbers and the values of its query left out."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path), tuple(sorted({key for key, _ in parse_qsl(parts.query)}))


def followed(base: str, href: str) -> str | None:
    """The same-site URL of a link worth following, else None."""
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc not in ("", HOST) or parts.scheme not in ("", "http"):
        return None
    url = parts.path + (f"?{parts.query}" if parts.query else "")
    if SKIPPED.search(url) or SKIPPED_QUERY_KEYS & {key for key, _ in parse_qsl(parts.query)}:
        return None
    return url


def crawl(client, limit: int = LIMIT) -> tuple[Counter, list[tuple[str, int, str]]]:
    """(status counts, failures as (url, status, referrer)) of one signed-in client."""
    statuses: Counter = Counter()
    failures: list[tuple[str, int, str]] = []
    queue: deque[tuple[str, str]] = deque((start, "-") for start in STARTS)
    seen = {shape(start) for start in STARTS}
    while queue and sum(statuses.values()) < limit:
        url, referrer = queue.popleft()
        response = client.get(url)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append((url, response.status_code, referrer))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            hrefs = [response["Location"]]
        elif response.streaming:
            continue
        elif "html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(response.content.decode("utf-8", "replace"))
            hrefs = parser.hrefs
        elif response.get("Content-Type", "").startswith("application/json"):
            hrefs = list(json_links(json.loads(response.content)))
        else:
            continue
        for href in hrefs:
            target = followed(url, href)
            if target is not None and shape(target) not in seen:
                seen.add(shape(target))
                queue.append((target, url))
    if not statuses[200]:  # signed out, or the site refuses the host: nothing was crawled
        failures.append(("/", next(iter(statuses)), "no page answered 200"))
    return statuses, failures


def main() -> int:
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, not scripts/
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from demo.members import DEMO_ACCOUNTS

    if settings.DEBUG:
        print("The smoke test serves the demo as make run does: run it with DEBUG off.", file=sys.stderr)
        return 2
    users = get_user_model().objects.in_bulk([account.username for account in DEMO_ACCOUNTS], field_name="username")
    missing = [account.username for account in DEMO_ACCOUNTS if account.username not in users]
    failures: list[tuple[str, str, int, str]] = []
    if missing:
        print(f"Demo accounts missing after seed_demo: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"{'account':<16} {'pages':>5}  statuses                      seconds")
    started = time.monotonic()
    for account in DEMO_ACCOUNTS:
        client = Client(raise_request_exception=False, HTTP_HOST=HOST)
        client.force_login(users[account.username])
        begun = time.monotonic()
        statuses, failed = crawl(client)
        counts = " ".join(f"{status}×{count}" for status, count in sorted(statuses.items()))
        pages = sum(statuses.values())
        print(f"{account.username:<16} {pages:>5}  {counts:<28} {time.monotonic() - begun:>7.1f}")
        failures += [(account.username, *failure) for failure in failed]
    print(f"Crawled in {time.monotonic() - started:.1f} s.")
    for username, url, status, referrer in failures:
        print(f"FAIL {username}: {status} on {url} (linked from {referrer})", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
