"""The site under concurrent load over HTTP, served as production serves it.

    DATABASE_URL=postgres://…/province REDIS_URL=redis://127.0.0.1:6379/4 \\
        python benchmarks/load.py [--levels 1,10,50,100] [--seconds 60]

1. Collects the static files and starts gunicorn with ``deploy/gunicorn.conf.py`` (4
   workers by default) on the production settings (``benchmarks/settings.py``: the same,
   over plain HTTP, with the bare floor views), sessions and the rate-limit counts in Redis
   when ``REDIS_URL`` is set.
2. Creates, through the services, the accounts it drives: county staff of the county with
   the most alliances, city staff of its city, alliance leaders of that county's busiest
   alliances, and big-screen API tokens of the county.
3. Runs Locust (``benchmarks/locustfile.py``) headless for ``--seconds`` at each level of
   concurrent users (at 1 user, each kind of user in turn), and prints per page: requests,
   errors, median, p95 and p99 in ms, and the mean size of the answer in KB, with the bare
   one-query views of the same rows and a static file as floors. The workers' peak resident
   memory is sampled while it runs.
4. Deletes the reports its leaders submitted (and their files) before each level and at
   the end, so the database is left as it was seeded (the accounts and tokens stay, and
   are reused by the next run).

``--json FILE`` keeps the figures for the record (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import data_day, print_table, setup  # noqa: E402

# The accounts' password, new at each run (the accounts stay, their password changes).
PASSWORD = secrets.token_urlsafe(24)
SCREEN_LABEL = "负载测试大屏"
# The production default of STATIC_ROOT (git-ignored), kept from one run to the next.
STATIC_ROOT = ROOT / "staticfiles"
PROJECTS_PER_ROLE = 200


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,10,50,100", help="concurrent users, comma-separated")
    parser.add_argument("--seconds", type=int, default=60, help="how long each level runs")
    parser.add_argument(
        "--think", default="1,3", help="seconds a user waits between two pages above 1 user (min,max; default 1,3)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--leaders", type=int, default=30, help="leader accounts to create")
    parser.add_argument("--county", help="region code of the county (default: the one with most alliances)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    return parser.parse_args()


# ----------------------------------------------------------------------- the accounts


def prepare(args: argparse.Namespace, workdir: Path) -> dict:
    from django.db.models import Count, Q

    from alliances.models import Alliance, TeamRole, TeamRoleKind
    from members.access import Role
    from members.models import ApiToken, Region
    from members.services import user_with_role
    from members.tokens import api_token_create, api_token_revoke
    from projects.models import ACTIVE_STATUSES, ProgressReport, Project, ReportStatus
    from projects.weeks import current_week

    if args.county:
        county = Region.objects.get(code=args.county)
    else:
        county = Region.objects.filter(level="county").annotate(n=Count("alliances")).order_by("-n", "code").first()
    city = county.parent
    plan: dict = {}
    for role, region, level in (("county", county, Role.COUNTY_STAFF), ("city", city, Role.CITY_STAFF)):
        user_with_role(username=f"load-{role}", password=PASSWORD, role=level, region=region)
        projects = Project.objects.filter(alliance__lead_region__code__startswith=region.prefix)
        plan[role] = {
            "username": f"load-{role}",
            "password": PASSWORD,
            "prefix": region.prefix,
            "region": region.name,
            "alliances": list(
                Alliance.objects.filter(lead_region__code__startswith=region.prefix)
                .order_by("?")
                .values_list("pk", flat=True)[:PROJECTS_PER_ROLE]
            ),
            "projects": list(projects.order_by("?").values_list("pk", flat=True)[:PROJECTS_PER_ROLE]),
            "reports": list(
                ProgressReport.objects.filter(
                    project__alliance__lead_region__code__startswith=region.prefix, status=ReportStatus.SUBMITTED
                )
                .order_by("-period")
                .values_list("pk", flat=True)[:PROJECTS_PER_ROLE]
            ),
            "rollup": rollup_of(region),
        }

    # Leaders: the current leaders of the county's alliances with the most projects under
    # way, each given an account unless their person has one already.
    this_week = current_week()
    weeks = [this_week - datetime.timedelta(weeks=n) for n in range(4)]
    busiest = (
        Alliance.objects.filter(lead_region__code__startswith=county.prefix)
        .annotate(active=Count("projects", filter=Q(projects__status__in=ACTIVE_STATUSES)))
        .filter(active__gt=0)
        .order_by("-active", "code")
    )
    leaders = []
    for alliance in busiest[: args.leaders * 3]:
        role = (
            TeamRole.objects.filter(alliance=alliance, role=TeamRoleKind.LEADER, ended_on__isnull=True)
            .select_related("person")
            .first()
        )
        if role is None or (role.person.user_id and not role.person.user.username.startswith("load-leader-")):
            continue
        username = f"load-leader-{alliance.code}"
        user_with_role(username=username, password=PASSWORD, role=Role.ALLIANCE_LEADER, person=role.person)
        projects = list(
            Project.objects.filter(alliance=alliance, status__in=ACTIVE_STATUSES).values_list("pk", "start_on")
        )
        filed = set(
            ProgressReport.objects.filter(project__in=[pk for pk, _ in projects], period__in=weeks).values_list(
                "project_id", "period"
            )
        )
        slots = [
            (pk, week.isoformat())
            for pk, start in projects
            for week in weeks
            if week >= start - datetime.timedelta(days=start.weekday()) and (pk, week) not in filed
        ]
        leaders.append(
            {
                "username": username,
                "password": PASSWORD,
                "alliance": alliance.pk,
                "projects": [pk for pk, _ in projects],
                "slots": slots,
            }
        )
        if len(leaders) == args.leaders:
            break
    plan["leaders"] = leaders

    county_user = _user("load-county")
    for token in ApiToken.objects.filter(name=SCREEN_LABEL, revoked_at__isnull=True):
        api_token_revoke(actor=county_user, token=token)
    plan["tokens"] = [api_token_create(actor=county_user, name=SCREEN_LABEL, region=county)[1] for _ in range(40)]
    plan["photo"] = str(write_photo(workdir / "site.jpg"))
    for account in [plan["county"], plan["city"], *plan["leaders"]]:
        account["session"] = open_session(account["username"])
    return plan


def rollup_of(region) -> int:
    """The region's latest rollup; without one, the monthly bulletin of the last month the
    data covers, drafted through the service as the nightly task does."""
    from core.periods import Period
    from evaluations.models import Rollup
    from evaluations.rollups import MONTHLY_BULLETIN, PERIOD_OF_KIND
    from evaluations.services import rollup_produce

    latest = Rollup.objects.filter(region=region).order_by("-produced_at").values_list("pk", flat=True).first()
    if latest is not None:
        return latest
    period = Period.containing(PERIOD_OF_KIND[MONTHLY_BULLETIN], data_day()).previous()
    return rollup_produce(kind=MONTHLY_BULLETIN, period=period, region=region)[0].pk


def open_session(username: str) -> str:
    """A signed-in session of the account, as the log-in form leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    user = _user(username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def write_photo(path: Path, kilobytes: int = 300) -> Path:
    """A 1600 × 1200 photo of about ``kilobytes`` KB: by default as the report page sends
    it, shrunk on the phone to 1600 px and about 300 KB."""
    import random

    from PIL import Image, ImageFilter

    rng = random.Random(32)
    coarse = Image.frombytes("RGB", (400, 300), bytes(rng.randrange(256) for _ in range(400 * 300 * 3)))
    fine = Image.frombytes("RGB", (1600, 1200), rng.randbytes(1600 * 1200 * 3))
    candidates = [(fine, 0), (fine, 0.6), (fine, 1)] + [(coarse.resize((1600, 1200)), r) for r in (0, 1, 2, 3, 4, 6)]
    best = None
    for image, radius in candidates:
        buffer = io.BytesIO()
        (image.filter(ImageFilter.GaussianBlur(radius)) if radius else image).save(buffer, format="JPEG", quality=90)
        data = buffer.getvalue()
        if best is None or abs(len(data) - kilobytes * 1024) < abs(len(best) - kilobytes * 1024):
            best = data
    path.write_bytes(best)
    return path


def remove_submitted(plan: dict) -> int:
    """Delete the reports the benchmark's leaders submitted, and their files."""
    from projects.models import ProgressReport, ReportAttachment

    reports = ProgressReport.objects.filter(submitted_by__username__startswith="load-leader-")
    for attachment in ReportAttachment.objects.filter(report__in=reports):
        attachment.file.delete(save=False)
    deleted, _ = reports.delete()
    return deleted


# ------------------------------------------------------------------------ the server


def start_server(args: argparse.Namespace, workdir: Path) -> tuple[subprocess.Popen, dict]:
    env = dict(os.environ)
    env |= {
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "STATIC_ROOT": str(STATIC_ROOT),
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(workdir / "media"),
        "WEB_CONCURRENCY": str(args.workers),
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("REDIS_URL"):
        env.setdefault("CACHE_URL", os.environ["REDIS_URL"])
    python = sys.executable
    # Our own interpreter and its tools, with fixed arguments. Collected (and compressed)
    # again only when a static file changed: on a busy machine it takes minutes.
    manifest = STATIC_ROOT / "staticfiles.json"
    sources = [path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file()]
    if not manifest.exists() or manifest.stat().st_mtime < max(sources):
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(python).parent / "gunicorn"),
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{args.port}",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115 - kept open while it runs
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/accounts/login/", timeout=5).read()
            break
        except OSError:
            if server.poll() is not None:
                sys.exit(f"gunicorn stopped: see {workdir / 'gunicorn.log'}")
            time.sleep(0.5)
    else:
        sys.exit("gunicorn did not answer within 60 s")
    paths = json.loads(manifest.read_text())["paths"]
    return server, env | {"STATIC_PATH": "/static/" + paths["css/site.css"]}


def worker_memory(server: subprocess.Popen) -> int:
    """The largest resident set of the gunicorn workers now, in bytes."""
    import psutil

    try:
        return max((child.memory_info().rss for child in psutil.Process(server.pid).children()), default=0)
    except psutil.Error:
        return 0


# --------------------------------------------------------------------------- the runs


def run_level(
    users: int, args: argparse.Namespace, plan_file: Path, workdir: Path, server, key_offset: int = 0
) -> list[dict]:
    classes = ["CountyStaff", "CityStaff", "Leader", "BigScreen"]
    # One user at a time: each kind of user in turn, so that every page is timed alone.
    runs = [([name], 1, max(args.seconds // 2, 10)) for name in classes] if users == 1 else []
    runs = runs or [(classes, users, args.seconds)]
    rows: dict[str, dict] = {}
    peak = 0
    for index, (names, count, seconds) in enumerate(runs):
        prefix = workdir / f"u{users}-{index}"
        command = [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--users",
            str(count),
            "--spawn-rate",
            str(max(count / 5, 1)),
            "--run-time",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
            "--exit-code-on-error",
            "0",
            *names,
        ]
        # At one user, little think time (many samples of each page alone) and the sign-in
        # form timed; above, the think time of people reading, and the sessions of the day.
        env = {"LOAD_PLAN": str(plan_file), "LOAD_KEY_OFFSET": str(key_offset)} | (
            {"LOAD_THINK": "0.05,0.1", "LOAD_SIGN_IN": "1"} if users == 1 else {"LOAD_THINK": args.think}
        )
        with open(f"{prefix}.log", "w") as log:  # Locust's own report and errors, kept apart
            locust = subprocess.Popen(command, cwd=ROOT, env=os.environ | env, stdout=log, stderr=log)  # noqa: S603
        while locust.poll() is None:
            peak = max(peak, worker_memory(server))
            time.sleep(1)
        with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                if row["Name"] != "Aggregated":
                    rows[row["Name"]] = row
    return [
        {
            "page": name,
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "median": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
            "kb": float(row["Average Content Size"]) / 1024,
            "peak_rss_mb": peak / 2**20,
        }
        for name, row in sorted(rows.items(), key=lambda item: order(item[0]))
    ]


def order(name: str) -> tuple:
    group = name.split(":", maxsplit=1)[0]
    return (["county", "city", "leader", "screen", "floor", "sign-in"].index(group.split()[0]), name)


def main() -> None:
    args = arguments()
    # One key for this process and the server: the sessions opened here are signed with it.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    setup()
    levels = [int(level) for level in args.levels.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    plan = prepare(args, workdir)
    print(
        f"County {plan['county']['region']} ({plan['county']['prefix']}), city {plan['city']['region']}, "
        f"{len(plan['leaders'])} leaders with {sum(len(leader['slots']) for leader in plan['leaders'])} weeks "
        f"to report, {len(plan['tokens'])} big-screen keys. Work files in {workdir}."
    )
    server, env = start_server(args, workdir)
    plan["static"] = env["STATIC_PATH"]
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan))
    results = {}
    try:
        for users in levels:
            remove_submitted(plan)
            # Each level's big screens use keys the levels before did not.
            rows = run_level(users, args, plan_file, workdir, server, key_offset=sum(levels[: levels.index(users)]))
            results[users] = rows
            print_table(
                (
                    f"1 user: each kind of user alone, in turn, {max(args.seconds // 2, 10)} s each"
                    if users == 1
                    else f"{users} concurrent users, {args.seconds} s"
                )
                + f"; workers' peak RSS {max((r['peak_rss_mb'] for r in rows), default=0):.0f} MB",
                ["page", "requests", "errors", "median ms", "p95 ms", "p99 ms", "KB"],
                [
                    [
                        r["page"],
                        r["requests"],
                        r["errors"],
                        f"{r['median']:.0f}",
                        f"{r['p95']:.0f}",
                        f"{r['p99']:.0f}",
                        f"{r['kb']:.1f}",
                    ]
                    for r in rows
                ],
            )
            sys.stdout.flush()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        remove_submitted(plan)
    if args.json:
        args.json.write_text(
            json.dumps({"levels": results, "seconds": args.seconds, "workers": args.workers}, indent=1)
        )
    summary(results)


def summary(results: dict) -> None:
    """Each page's p95 at every level (the targets are in docs/benchmarks.md)."""
    levels = sorted(results)
    pages = sorted({row["page"] for rows in results.values() for row in rows}, key=order)
    by = {users: {row["page"]: row for row in rows} for users, rows in results.items()}
    header = ["page"] + [f"p95 @{users}" for users in levels]
    table = [[page] + [f"{by[u][page]['p95']:.0f}" if page in by[u] else "-" for u in levels] for page in pages]
    print_table("p95 in ms by concurrent users", header, table)


if __name__ == "__main__":
    main()
