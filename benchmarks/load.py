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
   memory is sampled while it runs. Beside Locust's times, each page's median and p95 as
   nginx logged them (``--nginx``) and as the gunicorn workers did, from the moment one took
   the request: the difference is the wait for a free worker.
4. Deletes the reports its leaders submitted (and their files) before each level and at
   the end, so the database is left as it was seeded (the accounts and tokens stay, and
   are reused by the next run).

``--json FILE`` keeps the figures for the record (docs/benchmarks.md).

``--nginx PORT`` serves the run as production does: nginx (Debian's package) on PORT in
front of gunicorn with the site of ``deploy/nginx.conf`` as it is (on plain HTTP, its
static folder this run's STATIC_ROOT), static files from nginx, pages and uploads
buffered by it; Locust then talks to nginx.

Faults under load (``--fault worker|postgres|redis``, one run of ``--users`` users, 30 by
default, leaders submitting): a third of the way in, the run kills a gunicorn worker
(SIGKILL, three times 15 s apart), restarts PostgreSQL (``pg_ctl restart -m fast``) or
stops Redis for ``--outage`` seconds (30) and starts it again. The PostgreSQL and Redis
faults need ``--servers DIR``, the folder of servers of one's own started by
``TEST_SERVERS_DIR=DIR TEST_PG_PORT=… TEST_REDIS_PORT=… scripts/test-servers.sh start``;
the run refuses servers that are not in that folder. With ``--fault redis`` the tasks go
to a Celery broker on the same Redis (``CELERY_BROKER_URL``), so that its outage is met by
the inline fallback of ``core.jobs``. Afterwards it prints the 5xx and lost connections
per page, and checks by SQL and a file listing that every report answered with its
redirect is stored exactly once, every stored report has its photo and its file, and no
stored file is left that no row names.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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
FAULTS = ("worker", "postgres", "redis")


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
    parser.add_argument(
        "--fault", choices=FAULTS, help="one run of --users users with this fault a third of the way in"
    )
    parser.add_argument("--users", type=int, default=30, help="concurrent users of a fault run (default 30)")
    parser.add_argument("--outage", type=int, default=30, help="seconds Redis stays stopped (default 30)")
    parser.add_argument("--servers", type=Path, help="the folder of one's own PostgreSQL and Redis (fault runs)")
    parser.add_argument(
        "--nginx",
        type=int,
        metavar="PORT",
        help="serve through nginx on this port with deploy/nginx.conf (static files from nginx), as production does",
    )
    args = parser.parse_args()
    if args.fault in {"postgres", "redis"} and not args.servers:
        parser.error(f"--fault {args.fault} needs --servers DIR: a PostgreSQL and Redis of one's own")
    return args


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
                .exclude(submitted_by__username__startswith="load-leader-")  # deleted before each level
                .order_by("-period")
                .values_list("pk", flat=True)[:PROJECTS_PER_ROLE]
            ),
            "rollup": rollup_of(region),
        }

    # Leaders: the current leaders of the county's alliances with the most projects under
    # way, each given an account unless their person has one already.
    this_week = current_week()
    weeks = [this_week - datetime.timedelta(weeks=n) for n in range(4)]
    # A fault run wants many reports sent (a small database holds few leaders per county):
    # its leaders are those of the busiest alliances anywhere.
    busiest = (
        Alliance.objects.filter(lead_region__code__startswith="" if args.fault else county.prefix)
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
    if args.nginx:
        env["TRUSTED_PROXY_COUNT"] = "1"  # the client address from nginx's X-Forwarded-For
    if os.environ.get("REDIS_URL"):
        env.setdefault("CACHE_URL", os.environ["REDIS_URL"])
        if args.fault == "redis":
            env.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"])
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
            # Each request's page and the time a worker spent on it (µs), from the moment it
            # took the request: beside nginx's time, what it waited for a worker.
            "--access-logfile",
            str(workdir / "gunicorn-access.log"),
            "--access-logformat",
            "%({x-load-page}i)s\t%(D)s",
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


def nginx_config(args: argparse.Namespace, workdir: Path) -> Path:
    """deploy/nginx.conf's site, as it is, on plain HTTP on ``--nginx`` in front of this
    run's gunicorn, its static files from this run's STATIC_ROOT; wrapped in a main
    configuration of its own (no root needed, its files in ``workdir``)."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = site[site.index("upstream alliances_app") : site.index("server {")]
    https = site[site.index("server {", site.index("listen 80;")) :]
    https = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{args.nginx};", https)
    https = re.sub(r"\n\s*ssl_certificate(_key)?\s+[^;]+;", "", https)
    https = re.sub(r"alias [^;]+;", f"alias {STATIC_ROOT}/;", https)
    upstream = upstream.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{args.port}")
    temp = workdir / "nginx"
    temp.mkdir(exist_ok=True)
    conf = temp / "nginx.conf"
    # Started as root (a throwaway benchmark machine), nginx's workers would run as nobody,
    # who may not enter this run's private work folder: they stay root here.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""daemon off;
{user}worker_processes 1;
pid {temp}/nginx.pid;
error_log {temp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    # Each request's page (the X-Load-Page header Locust sends) and nginx's time for it,
    # from its first byte read to its last byte sent: the server's view of the page.
    log_format load '$http_x_load_page\t$request_time';
    access_log {temp}/access.log load;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{upstream}{https}}}
"""
    )
    return conf


def start_nginx(args: argparse.Namespace, workdir: Path) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = nginx_config(args, workdir)
    subprocess.run([nginx, "-t", "-q", "-c", str(conf)], check=True)  # noqa: S603
    proxy = subprocess.Popen([nginx, "-c", str(conf)], start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.nginx}/accounts/login/", timeout=5).read()
            return proxy
        except OSError:
            if proxy.poll() is not None:
                sys.exit(f"nginx stopped: see {workdir / 'nginx' / 'error.log'}")
            time.sleep(0.3)
    sys.exit("nginx did not answer within 20 s")


def worker_memory(server: subprocess.Popen) -> int:
    """The largest resident set of the gunicorn workers now, in bytes."""
    import psutil

    try:
        return max((child.memory_info().rss for child in psutil.Process(server.pid).children()), default=0)
    except psutil.Error:
        return 0


# --------------------------------------------------------------------------- the runs


def server_times(log: Path, offset: int, unit: float) -> dict[str, list[float]]:
    """The times logged after ``offset`` of an access log of lines "page<TAB>time", in ms
    (``unit``: the log's unit in ms), by page: nginx's, from the request's first byte read to
    its answer's last byte sent (Locust's, less its own event loop's delays), and gunicorn's,
    from the moment a worker took the request (nginx's, less the wait for a free worker)."""
    times: dict[str, list[float]] = {}
    if not log.exists():
        return times
    with open(log, encoding="utf-8", errors="replace") as file:
        file.seek(offset)
        for line in file:
            page, value = (line.rstrip("\n").split("\t") + ["", ""])[:2]
            if page and page != "-":
                times.setdefault(page, []).append(float(value) * unit)
    return times


def percentile(values: list[float], share: float) -> float:
    """The value at ``share`` of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


def cores_busy(before, after) -> float:
    """The machine's cores busy between two ``psutil.cpu_times()``, in cores (0 to
    ``os.cpu_count()``): the site, PostgreSQL, nginx, Redis and Locust together."""
    spent = sum(after) - sum(before)
    idle = (after.idle + after.iowait) - (before.idle + before.iowait)
    return (1 - idle / spent) * (os.cpu_count() or 1) if spent else 0.0


def run_level(
    users: int, args: argparse.Namespace, plan_file: Path, workdir: Path, server, key_offset: int = 0
) -> list[dict]:
    """Each page's figures at ``users`` concurrent users (also kept in ``workdir``: Locust's
    CSV files, and the receipts of the reports sent). Each row also carries the level's
    ``cores_busy`` (the machine's, while Locust ran) and ``in_flight``, the mean number of
    requests being answered at once (Little's law: the sum of the requests' times over the
    level's seconds), the load the workers took."""
    import psutil

    classes = ["CountyStaff", "CityStaff", "Leader", "BigScreen"]
    # One user at a time: each kind of user in turn, so that every page is timed alone.
    runs = [([name], 1, max(args.seconds // 2, 10)) for name in classes] if users == 1 else []
    runs = runs or [(classes, users, args.seconds)]
    rows: dict[str, dict] = {}
    peak = 0
    busy: list[float] = []
    generator: list[float] = []
    # nginx's times (ms) and the workers' (µs), by page
    logs = {"nginx": (workdir / "nginx" / "access.log", 1000.0), "worker": (workdir / "gunicorn-access.log", 0.001)}
    logged: dict[str, dict[str, list[float]]] = {source: {} for source in logs}
    for index, (names, count, seconds) in enumerate(runs):
        prefix = workdir / f"u{users}-{index}"
        command = [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{args.nginx or args.port}",
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
        env = {
            "LOAD_PLAN": str(plan_file),
            "LOAD_KEY_OFFSET": str(key_offset),
            "LOAD_RECEIPTS": f"{prefix}_receipts.json",
        } | ({"LOAD_THINK": "0.05,0.1", "LOAD_SIGN_IN": "1"} if users == 1 else {"LOAD_THINK": args.think})
        with open(f"{prefix}.log", "w") as log:  # Locust's own report and errors, kept apart
            locust = subprocess.Popen(command, cwd=ROOT, env=os.environ | env, stdout=log, stderr=log)  # noqa: S603
        cpu = psutil.cpu_times()
        started = time.monotonic()
        offsets = {source: log.stat().st_size if log.exists() else 0 for source, (log, _unit) in logs.items()}
        generator_cpu = 0.0
        while locust.poll() is None:
            peak = max(peak, worker_memory(server))
            try:
                generator_cpu = sum(psutil.Process(locust.pid).cpu_times()[:2])
            except psutil.Error:
                pass
            time.sleep(1)
        busy.append(cores_busy(cpu, psutil.cpu_times()))
        generator.append(generator_cpu / max(time.monotonic() - started, 1))
        for source, (log, unit) in logs.items():
            for page, times in server_times(log, offsets[source], unit).items():
                logged[source].setdefault(page, []).extend(times)
        with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                if row["Name"] != "Aggregated":
                    rows[row["Name"]] = row
    seconds = sum(run[2] for run in runs)
    # The mean time a request waited for a free worker (nginx's times less the workers').
    answered = [time for times in logged["worker"].values() for time in times]
    waited = (
        (sum(sum(times) for times in logged["nginx"].values()) - sum(answered)) / len(answered)
        if answered and logged["nginx"]
        else None
    )
    in_flight = sum(int(row["Request Count"]) * float(row["Average Response Time"]) for row in rows.values()) / 1000
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
            "cores_busy": sum(busy) / len(busy),
            "in_flight": in_flight / seconds,
            "generator_cores": sum(generator) / len(generator),
            # nginx's own times (``--nginx`` only) and the workers', besides Locust's.
            "server_median": percentile(logged["nginx"][name], 0.5) if name in logged["nginx"] else None,
            "server_p95": percentile(logged["nginx"][name], 0.95) if name in logged["nginx"] else None,
            "worker_median": percentile(logged["worker"][name], 0.5) if name in logged["worker"] else None,
            "worker_p95": percentile(logged["worker"][name], 0.95) if name in logged["worker"] else None,
            "waited": waited,
        }
        for name, row in sorted(rows.items(), key=lambda item: order(item[0]))
    ]


# --------------------------------------------------------------------------- the faults


def as_postgres(command: list[str]) -> list[str]:
    """``command`` run as the postgres user when we are root (PostgreSQL refuses root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def own_servers(args: argparse.Namespace) -> dict:
    """The PostgreSQL data folder and Redis port of ``--servers``, after checking that
    DATABASE_URL and REDIS_URL point at them: a fault run never stops anybody else's server."""
    folder = args.servers.resolve()
    pgdata = folder / "pgdata"
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        sys.exit(f"No PostgreSQL runs from {pgdata}")
    pg_port = pid_file.read_text().splitlines()[3].strip()
    database_port = re.search(r":(\d+)/", os.environ["DATABASE_URL"])
    if database_port is None or database_port.group(1) != pg_port:
        sys.exit(f"DATABASE_URL does not point at the PostgreSQL of {pgdata} (port {pg_port})")
    redis_port = re.search(r":(\d+)(/|$)", os.environ.get("REDIS_URL", ""))
    if redis_port is None:
        sys.exit("Set REDIS_URL to the Redis of --servers")
    servers = {"pgdata": pgdata, "redis_port": redis_port.group(1)}
    if args.fault == "redis":
        config = redis_config(servers["redis_port"])
        if Path(config["dir"]).resolve() != folder:
            sys.exit(f"REDIS_URL does not point at the Redis of {folder} (its folder is {config['dir']})")
    return servers


def redis_config(port: str) -> dict:
    names = ("port", "bind", "dir", "pidfile", "logfile", "save", "appendonly")
    output = subprocess.run(  # noqa: S603
        ["redis-cli", "-p", port, "config", "get", "*"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    config = dict(zip(output[::2], output[1::2], strict=False))
    return {name: config[name] for name in names}


def pg_ctl() -> str:
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / "pg_ctl")
    return str(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1])


def fault_events(args: argparse.Namespace, server: subprocess.Popen, servers: dict) -> list[tuple[float, str]]:
    """The fault's steps: (seconds from the start of the run, what to do)."""
    start = max(args.seconds // 3, 10)
    if args.fault == "worker":
        return [(start + 15 * n, "kill a worker") for n in range(3)]
    if args.fault == "postgres":
        return [(start, "restart PostgreSQL")]
    return [(start, "stop Redis"), (start + args.outage, "start Redis")]


def inject(step: str, server: subprocess.Popen, servers: dict, log: list[dict], started: float) -> None:
    import psutil

    began = time.monotonic()
    if step == "kill a worker":
        workers = psutil.Process(server.pid).children()
        victim = max(workers, key=lambda worker: worker.cpu_times().user, default=None)
        if victim is not None:
            os.kill(victim.pid, signal.SIGKILL)
    elif step == "restart PostgreSQL":
        logfile = servers["pgdata"].parent / "postgres.log"
        command = [pg_ctl(), "-D", str(servers["pgdata"]), "-l", str(logfile), "-m", "fast", "-w", "restart"]
        subprocess.run(as_postgres(command), check=True, capture_output=True)  # noqa: S603
    elif step == "stop Redis":
        servers["redis_config"] = redis_config(servers["redis_port"])
        stop = ["redis-cli", "-p", servers["redis_port"], "shutdown", "nosave"]
        subprocess.run(stop, check=False, capture_output=True)  # noqa: S603
    elif step == "start Redis":
        config = servers["redis_config"]
        command = ["redis-server", "--daemonize", "yes"]
        for name, value in config.items():
            command += [f"--{name}", value]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603
    log.append({"at": round(began - started, 1), "step": step, "seconds": round(time.monotonic() - began, 1)})


def run_faults(args: argparse.Namespace, server: subprocess.Popen, servers: dict, log: list[dict]) -> list:
    """Timers that inject the fault's steps while a level runs."""
    started = time.monotonic()
    timers = [
        threading.Timer(at, inject, args=(step, server, servers, log, started))
        for at, step in fault_events(args, server, servers)
    ]
    for timer in timers:
        timer.start()
    return timers


def errors_by_page(workdir: Path, users: int) -> dict[str, dict[str, int]]:
    """Per page: answers 5xx, and requests that got no answer (the connection was lost)."""
    by: dict[str, dict[str, int]] = {}
    for path in workdir.glob(f"u{users}-*_failures.csv"):
        with open(path, encoding="utf-8") as file:
            for row in csv.DictReader(file):
                code = re.search(r"HTTP (\d+)", row["Error"])
                kind = "no answer" if code is None or code.group(1) == "0" else f"{code.group(1)[0]}xx"
                page = by.setdefault(row["Name"], {})
                page[kind] = page.get(kind, 0) + int(row["Occurrences"])
    return by


def check_submissions(workdir: Path, users: int, media_root: Path) -> dict:
    """What became of each report sent, by SQL and a file listing."""
    import collections

    from django.core.files.storage import FileSystemStorage
    from django.db import connection

    from core.orphans import remove_orphan_files
    from projects.models import ProgressReport, ReportAttachment

    connection.close()  # the database may have restarted under this process's connection
    # Locust stops its users mid-request: let the server finish what it received.
    time.sleep(10)
    receipts = []
    for path in workdir.glob(f"u{users}-*_receipts.json"):
        receipts += [tuple(receipt) for receipt in json.loads(path.read_text())]
    answered = {(project, week) for project, week, code in receipts if 200 <= code < 400}
    refused = {(project, week) for project, week, code in receipts if not 200 <= code < 400}
    stored = ProgressReport.objects.filter(submitted_by__username__startswith="load-leader-")
    rows = collections.Counter(
        (project, period.isoformat()) for project, period in stored.values_list("project_id", "period")
    )
    storage = FileSystemStorage(location=media_root)
    attachments = ReportAttachment.objects.filter(report__in=stored)
    photos = collections.Counter(attachments.values_list("report_id", flat=True))
    return {
        "sent": len(receipts),
        "answered 2xx/3xx": len(answered),
        "answered an error or not at all": len(refused),
        "answered but not stored": sum(1 for key in answered if rows[key] == 0),
        "stored more than once": sum(1 for count in rows.values() if count > 1),
        "stored although the answer was an error or lost": sum(1 for key in refused if rows[key]),
        "stored, sent as the run ended (no answer awaited)": sum(
            1 for key in rows if key not in answered and key not in refused
        ),
        "stored without their photo (half-written)": sum(
            1 for pk in stored.values_list("pk", flat=True) if photos[pk] != 1
        ),
        "photo rows whose file is missing": sum(
            1 for name in attachments.values_list("file", flat=True) if not storage.exists(name)
        ),
        "files no row names (orphans)": len(
            remove_orphan_files(min_age=datetime.timedelta(0), storage=storage, dry_run=True)
        ),
    }


def fault_run(args: argparse.Namespace, plan: dict, plan_file: Path, workdir: Path, server, env: dict) -> dict:
    servers = own_servers(args) if args.fault in {"postgres", "redis"} else {}
    remove_submitted(plan)
    log: list[dict] = []
    timers = run_faults(args, server, servers, log)
    try:
        rows = run_level(args.users, args, plan_file, workdir, server)
    finally:
        for timer in timers:
            timer.cancel()
    errors = errors_by_page(workdir, args.users)
    checks = check_submissions(workdir, args.users, Path(env["MEDIA_ROOT"]))
    print(f"\nFault: {args.fault}; steps (seconds from the start): {log}")
    print_table(
        f"{args.users} concurrent users, {args.seconds} s, {args.fault} fault",
        ["page", "requests", "5xx", "no answer", "4xx", "median ms", "p95 ms"],
        [
            [
                r["page"],
                r["requests"],
                errors.get(r["page"], {}).get("5xx", 0),
                errors.get(r["page"], {}).get("no answer", 0),
                errors.get(r["page"], {}).get("4xx", 0),
                f"{r['median']:.0f}",
                f"{r['p95']:.0f}",
            ]
            for r in rows
        ],
    )
    print_table("Reports sent by the leaders", ["check", "count"], [[name, value] for name, value in checks.items()])
    return {"fault": args.fault, "steps": log, "pages": rows, "errors": errors, "submissions": checks}


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
    proxy = start_nginx(args, workdir) if args.nginx else None
    plan["static"] = env["STATIC_PATH"]
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan))
    results = {}
    try:
        if args.fault:
            outcome = fault_run(args, plan, plan_file, workdir, server, env)
            if args.json:
                args.json.write_text(json.dumps(outcome | {"seconds": args.seconds, "workers": args.workers}, indent=1))
            return
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
                + f"; workers' peak RSS {max((r['peak_rss_mb'] for r in rows), default=0):.0f} MB"
                + (
                    f"; {rows[0]['cores_busy']:.2f} of {os.cpu_count()} cores busy "
                    f"({rows[0]['generator_cores']:.2f} of them Locust's), "
                    f"{rows[0]['in_flight']:.2f} requests in flight on average"
                    + (f", {rows[0]['waited']:.1f} ms waited for a worker on average" if rows[0]["waited"] else "")
                    if rows
                    else ""
                ),
                [
                    "page",
                    "requests",
                    "errors",
                    "median ms",
                    "p95 ms",
                    "p99 ms",
                    "KB",
                    "nginx median",
                    "nginx p95",
                    "worker median",
                    "worker p95",
                ],
                [
                    [
                        r["page"],
                        r["requests"],
                        r["errors"],
                        f"{r['median']:.0f}",
                        f"{r['p95']:.0f}",
                        f"{r['p99']:.0f}",
                        f"{r['kb']:.1f}",
                        server_figure(r["server_median"]),
                        server_figure(r["server_p95"]),
                        server_figure(r["worker_median"]),
                        server_figure(r["worker_p95"]),
                    ]
                    for r in rows
                ],
            )
            sys.stdout.flush()
    finally:
        if proxy is not None:
            os.killpg(proxy.pid, signal.SIGTERM)
            proxy.wait(timeout=30)
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
    sources = (("", "p95"), ("nginx ", "server_p95"), ("worker ", "worker_p95"))
    header = ["page"] + [f"{label}p95 @{users}" for label, _key in sources for users in levels]
    table = [
        [page]
        + [
            (f"{by[u][page][key]:.0f}" if key == "p95" else server_figure(by[u][page][key])) if page in by[u] else "-"
            for _label, key in sources
            for u in levels
        ]
        for page in pages
    ]
    print_table("p95 in ms by concurrent users (Locust's, nginx's, the worker's)", header, table)


def server_figure(value: float | None) -> str:
    """A time logged by nginx or a worker, in ms ("-": nginx without --nginx, or a static
    file, which neither logs)."""
    return "-" if value is None else f"{value:.0f}"


if __name__ == "__main__":
    main()
