"""List endpoints against the bare one-query views (benchmarks/bare.py), queries per request
and deep-page latency.

    DATABASE_URL=postgres://.../db CACHE_URL=redis://.../1 python benchmarks/lists.py [--seconds 5]

Requests go through Django's test Client in the same process (the full middleware stack,
DEBUG off, one database connection kept open), signed in as the superuser; no HTTP server or
network is involved, so the figures are the application's own cost per request on one core.
Give CACHE_URL as production does: signed-in requests then read their session from Redis.
"""

from __future__ import annotations

import argparse
import time

from common import print_table, setup

ENDPOINTS = [
    # (name, API path, bare path, flat or nested)
    ("alliances", "/api/v1/alliances/", "/bare/alliances/", "nested"),
    ("projects", "/api/v1/projects/", "/bare/projects/", "flat"),
    ("progress-reports", "/api/v1/progress-reports/", "/bare/progress-reports/", "nested"),
    ("workshops", "/api/v1/workshops/", "/bare/workshops/", "flat"),
]


def rates(client, urls: tuple[str, ...], seconds: float, slices: int = 8) -> list[float]:
    """Requests per second of each URL over ``seconds`` each (after two warm-up requests),
    measured in ``slices`` alternating slices, so that the machine's drift during the run
    (other tenants, CPU frequency) weighs on every URL alike and their ratio stays fair."""
    for url in urls:
        for _ in range(2):
            assert client.get(url).status_code == 200, url
    counts, spent = [0] * len(urls), [0.0] * len(urls)
    for _ in range(slices):
        for index, url in enumerate(urls):
            started = time.perf_counter()
            while time.perf_counter() - started < seconds / slices:
                response = client.get(url)
                assert response.status_code == 200, url
                counts[index] += 1
            spent[index] += time.perf_counter() - started
    return [count / total for count, total in zip(counts, spent, strict=True)]


def latency(client, url: str | None, repeat: int = 5) -> float | None:
    if url is None:
        return None
    times = []
    response = client.get(url)
    if response.status_code != 200:
        return None
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def page_1000(client, url: str) -> str | None:
    """The URL of page 1,000: ``&page=1000`` for numbered pages; for cursor-paged lists the
    ``next`` link reached by following 999 of them (None when the list is shorter)."""
    body = client.get(url).json()
    if "count" in body:
        return f"{url}&page=1000"
    for _ in range(999):
        if not body["next"]:
            return None
        next_url = body["next"]
        body = client.get(next_url).json()
    return next_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per endpoint and view")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.ROOT_URLCONF = "benchmarks.urls"
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(get_user_model().objects.filter(is_superuser=True).order_by("pk").first())

    throughput, queries, depth = [], [], []
    for name, api, floor, shape in ENDPOINTS:
        api_rate, floor_rate = rates(client, (f"{api}?page_size=50", f"{floor}?page_size=50"), args.seconds)
        throughput.append([name, shape, f"{api_rate:.1f}", f"{floor_rate:.1f}", f"{api_rate / floor_rate:.0%}"])
        counts = []
        for size in (10, 100):
            with CaptureQueriesContext(connection) as captured:
                client.get(f"{api}?page_size={size}")
            counts.append(len(captured.captured_queries))
        queries.append([name, counts[0], counts[1], "yes" if counts[0] == counts[1] else "NO"])
        first = latency(client, f"{api}?page_size=20")
        deep = latency(client, page_1000(client, f"{api}?page_size=20"))
        if first and deep:
            depth.append(
                [
                    name,
                    f"{first * 1000:.1f}",
                    f"{deep * 1000:.1f}",
                    f"{deep / first:.2f}",
                    "yes" if deep <= 1.5 * first else "NO",
                ]
            )
        else:
            depth.append([name, f"{first * 1000:.1f}" if first else "-", "no page 1000", "-", "-"])
    print_table(
        "Requests per second at page size 50 (API vs bare one-query view)",
        ["endpoint", "shape", "API req/s", "bare req/s", "API/bare"],
        throughput,
    )
    print_table("Queries per request", ["endpoint", "page_size=10", "page_size=100", "same"], queries)
    print_table(
        "Latency of page 1,000 vs page 1 (page size 20, median of 5)",
        ["endpoint", "page 1 ms", "page 1000 ms", "ratio", "≤ 1.5"],
        depth,
    )


if __name__ == "__main__":
    main()
