"""An Excel export of every project, downloaded over HTTP from the site served as production.

    DATABASE_URL=postgres://…/province python benchmarks/export.py [--path /projects/] [--runs 2]

The database is one of ``manage.py seed_demo --scale province`` (100,000 projects), or a
copy of it (``CREATE DATABASE copy TEMPLATE province``: the script adds one account).

1. Checks the database holds at least ``--min-rows`` projects, and creates (or reuses) the
   superuser ``export-bench``, who sees the whole province, with a signed-in session.
2. Starts gunicorn with ``deploy/gunicorn.conf.py`` on the production settings, as
   ``benchmarks/load.py`` does, with one worker (``--workers``), so the worker that answers
   is known; opens the project list once so the worker has loaded what a page needs.
3. Downloads ``--path?export=xlsx`` ``--runs`` times, one after the other, and prints for
   each: the time to the response's headers and to its first body byte, the total time,
   the bytes, the rows of the file's first sheet (counted in its XML), and the worker's peak
   resident memory (``VmHWM`` of ``/proc/<pid>/status``) before and after.

``--verify`` also opens the last file with openpyxl (read-only) and checks every row and
the types of the first one. ``--json FILE`` keeps the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import print_table, setup  # noqa: E402

USERNAME = "export-bench"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", default="/projects/", help="the list page to export (default /projects/)")
    parser.add_argument("--runs", type=int, default=2, help="downloads, one after the other (default 2)")
    parser.add_argument("--min-rows", type=int, default=100_000, help="projects the database must hold")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (default 1)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--verify", action="store_true", help="read the last file back with openpyxl")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    return parser.parse_args()


def prepare(min_rows: int) -> tuple[str, int]:
    """The session key of the benchmark's superuser, and how many projects there are."""
    from django.contrib.auth import get_user_model

    from benchmarks.load import open_session
    from projects.models import Project

    projects = Project.objects.count()
    if projects < min_rows:
        sys.exit(
            f"The database holds {projects:,} projects, fewer than {min_rows:,}: "
            "load one with manage.py seed_demo --scale province."
        )
    user_model = get_user_model()
    if not user_model.objects.filter(username=USERNAME).exists():
        user_model.objects.create_superuser(username=USERNAME, password=secrets.token_urlsafe(24), email="")
    return open_session(USERNAME), projects


def peak_rss(pid: int) -> int:
    """The process's peak resident set (VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) * 1024


def worker_pids(server) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def download(port: int, path: str, session: str, target: Path) -> dict:
    """One GET, timed: headers, first body byte, last byte."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("GET", path, headers={"Cookie": f"sessionid={session}", "Accept-Encoding": "identity"})
    response = connection.getresponse()
    headers_at = time.perf_counter() - started
    if response.status != 200:
        sys.exit(f"{path} answered {response.status}: {response.read(500)!r}")
    first_at = None
    size = 0
    with open(target, "wb") as file:
        while chunk := response.read1(256 * 1024):
            if first_at is None:
                first_at = time.perf_counter() - started
            size += len(chunk)
            file.write(chunk)
    total = time.perf_counter() - started
    connection.close()
    return {
        "headers_s": headers_at,
        "first_byte_s": first_at,
        "total_s": total,
        "bytes": size,
        "content_type": response.getheader("Content-Type"),
        "chunked": response.getheader("Transfer-Encoding") == "chunked",
    }


def rows_in_first_sheet(target: Path) -> int:
    """Rows below the header of the file's first sheet, counted in its XML as it inflates."""
    count, tail = 0, b""
    with zipfile.ZipFile(target) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while block := sheet.read(1024 * 1024):
            text = tail + block
            count += text.count(b"</row>")
            tail = text[-5:]  # a tag cut in two is whole in the next block, never counted twice
    return count - 1


def verify(target: Path, expected: int) -> str:
    import datetime

    from openpyxl import load_workbook

    workbook = load_workbook(target, read_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    first = dict(zip(header, next(rows), strict=True))
    count = 1 + sum(1 for _ in rows)
    workbook.close()
    if count != expected:
        sys.exit(f"openpyxl read {count:,} rows, {expected:,} expected")
    typed = {
        "年度": int,
        "计划投资（元）": (int, float, type(None)),
        "开工日期": (datetime.datetime, type(None)),
        "联盟编号": str,
    }
    for header_name, kind in typed.items():
        if header_name in first and not isinstance(first[header_name], kind):
            sys.exit(f"{header_name}: {first[header_name]!r} is not {kind}")
    return f"openpyxl read {count:,} rows; first row {first.get('联盟编号')} {first.get('项目名称')}"


def main() -> None:
    args = arguments()
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    setup()
    from benchmarks.load import start_server

    session, projects = prepare(args.min_rows)
    workdir = Path(tempfile.mkdtemp(prefix="export-"))
    server, _env = start_server(SimpleNamespace(workers=args.workers, port=args.port), workdir)
    results = []
    try:
        warm = download(args.port, args.path, session, workdir / "page.html")
        print(f"{projects:,} projects; list page {args.path} in {warm['total_s'] * 1000:.0f} ms. Files in {workdir}.")
        query = "&" if "?" in args.path else "?"
        for run in range(1, args.runs + 1):
            before = {pid: peak_rss(pid) for pid in worker_pids(server)}
            target = workdir / f"export-{run}.xlsx"
            figures = download(args.port, f"{args.path}{query}export=xlsx", session, target)
            after = {pid: peak_rss(pid) for pid in worker_pids(server)}
            figures |= {
                "run": run,
                "rows": rows_in_first_sheet(target),
                "peak_rss_before_mb": max(before.values()) / 2**20,
                "peak_rss_mb": max(after.values()) / 2**20,
            }
            results.append(figures)
        print_table(
            f"Excel export of {args.path} over HTTP, gunicorn with {args.workers} worker(s)",
            ["run", "headers s", "first byte s", "total s", "MB", "rows", "chunked", "peak RSS before/after MB"],
            [
                [
                    r["run"],
                    f"{r['headers_s']:.2f}",
                    f"{r['first_byte_s']:.2f}",
                    f"{r['total_s']:.1f}",
                    f"{r['bytes'] / 2**20:.1f}",
                    f"{r['rows']:,}",
                    "yes" if r["chunked"] else "no",
                    f"{r['peak_rss_before_mb']:.0f} / {r['peak_rss_mb']:.0f}",
                ]
                for r in results
            ],
        )
        if args.verify:
            print(verify(workdir / f"export-{args.runs}.xlsx", results[-1]["rows"]))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    if args.json:
        args.json.write_text(json.dumps({"projects": projects, "path": args.path, "runs": results}, indent=1))


if __name__ == "__main__":
    main()
