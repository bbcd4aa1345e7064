"""Peak memory of a rollup task at county and at province scale.

    python benchmarks/memory.py --county-db postgres://.../county --province-db postgres://.../province

Each measurement runs in a fresh Python process: it computes the monthly bulletin (the
rollup that scores every alliance) inside a transaction that is rolled back, then reports
the process's peak resident set size (resource.getrusage ru_maxrss). It runs twice: once
as the task runs, and once under tracemalloc for the peak of Python allocations during the
rollup (tracing keeps a record per allocation, which raises the resident size too, so that
run's resident peak is printed apart). Three regions: the county database's county; one
county of the province database (what the scheduled task computes there, per county); and
the whole province at once (the largest bulletin there is). The month is the one before
``--as-of`` (default: the Monday after the newest progress report's week: the last month
``seed_demo`` wrote reports for, whatever today's date).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tracemalloc

from common import data_day, print_table, setup


def child() -> None:
    setup()
    from django.db import transaction

    from core.periods import MONTH, Period
    from evaluations.rollups import KINDS
    from members.models import Region

    level = os.environ["BENCH_LEVEL"]
    region = Region.objects.filter(level=level).order_by("code").first()
    month = Period.containing(MONTH, data_day(os.environ.get("BENCH_AS_OF"))).previous()
    traced = os.environ["BENCH_TRACE"] == "1"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    with transaction.atomic():
        KINDS["monthly_bulletin"].compute(month, region)
        transaction.set_rollback(True)
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"region": f"{region.name} {region.code}", "rss_before": before, "rss_peak": after, "python_peak": peak}
        )
    )


def measure(url: str, level: str, as_of: str | None) -> dict:
    """The untraced run's figures, with the traced run's as ``traced_rss_peak`` and ``python_peak``."""
    runs = []
    for trace in ("0", "1"):
        output = subprocess.run(  # noqa: S603 - this script itself, with the same interpreter
            [sys.executable, __file__, "--child"],
            env={
                **os.environ,
                "DATABASE_URL": url,
                "BENCH_LEVEL": level,
                "BENCH_TRACE": trace,
                "BENCH_AS_OF": as_of or "",
            },
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    untraced, traced = runs
    return {**untraced, "traced_rss_peak": traced["rss_peak"], "python_peak": traced["python_peak"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--county-db")
    parser.add_argument("--province-db")
    parser.add_argument(
        "--as-of",
        help="YYYY-MM-DD: the bulletin of the month before this day "
        "(default: the Monday after the newest report's week)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    results = {
        "county": measure(args.county_db, "county", args.as_of),
        "province, one county": measure(args.province_db, "county", args.as_of),
        "province, whole": measure(args.province_db, "province", args.as_of),
    }
    rows = [
        [
            scale,
            result["region"],
            f"{result['rss_before'] / 1024:.0f}",
            f"{result['rss_peak'] / 1024:.0f}",
            f"{result['traced_rss_peak'] / 1024:.0f}",
            f"{result['python_peak'] / 1024 / 1024:.1f}",
        ]
        for scale, result in results.items()
    ]
    county = results["county"]
    for scale in ("province, one county", "province, whole"):
        rows.append(
            [
                f"{scale} / county",
                "",
                "",
                f"{results[scale]['rss_peak'] / county['rss_peak']:.2f}",
                f"{results[scale]['traced_rss_peak'] / county['traced_rss_peak']:.2f}",
                f"{results[scale]['python_peak'] / county['python_peak']:.2f}",
            ]
        )
    print_table(
        "Peak memory of the monthly bulletin rollup (target: province ≤ 1.5 × county)",
        ["scale", "region", "RSS before MiB", "RSS peak MiB", "traced RSS peak MiB", "Python peak MiB"],
        rows,
    )


if __name__ == "__main__":
    main()
