"""A leader's whole journey on a slow phone network, in chromium, through nginx.

    DATABASE_URL=postgres://…/demo REDIS_URL=redis://127.0.0.1:6379/4 \\
        python benchmarks/slow_phone.py [--runs 3] [--original-runs 1]

Serves the site as production does (gunicorn with ``deploy/gunicorn.conf.py`` and nginx
with ``deploy/nginx.conf`` in front, both started as ``benchmarks/load.py`` starts them),
gives a sign-in account to the leader of an alliance with a project that still owes this
week's report (``load-leader-<alliance code>``, through the services, as load.py does) and
writes a 4000 × 3000 JPEG photo of about 2 MB, as a phone camera takes it.

Then, in Debian's chromium on a phone screen (390 × 844, Chinese), with the network
throttled through the DevTools protocol (``Network.emulateNetworkConditions``: 400 ms
latency, 50 KB/s down, 20 KB/s up by default) and the CPU slowed down 4 times
(``Emulation.setCPUThrottlingRate``, as Lighthouse does for a mid-range phone: the phone's
own CPU shrinks the photo), each run walks, with an empty browser cache: the sign-in form
→ sign in (lands on 我的填报) → the project's 填报本周进度 → fill the form → attach the
photo (the page shrinks it) → submit → the page after the redirect.

``--network proxy`` throttles in a TCP proxy between chromium and nginx instead
(``SlowLink``): every round trip pays the latency there, where chromium adds it once per
request.

Before the runs, the throttling itself is checked: the throttled page sends 100 KB to and
reads 250 KB from a small local server, which times what it receives.

It prints each step's time and the bytes it downloaded, the total, the bytes the page
uploaded with the report and what its progress bar showed, every HTTP status of 400 or
more, console error, script error and failed request, and checks in the database that
the report is stored exactly once with its photo. ``--original-runs`` more runs tick
保留原图 (keep the original), to show what an unshrunk photo costs. Then the median and
the maximum of the shrunk runs. The reports it sent are deleted at the end (and before
each run), as load.py does.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import load  # noqa: E402
from benchmarks.common import print_table, setup  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
TARGET_SECONDS = 30
NETWORKS = {"cdp": "chromium's throttling", "proxy": "a TCP proxy"}

# Added to every page of the journey before its own scripts: notes, in the tab's
# sessionStorage (it outlives the navigation after the upload), each XMLHttpRequest's
# upload events (bytes sent of the total) and, every 250 ms, the value of the page's
# upload progress bar while it is shown.
WATCH_UPLOADS = """
(() => {
  const note = (key, entry) => {
    const list = JSON.parse(sessionStorage.getItem(key) || "[]");
    list.push(entry);
    sessionStorage.setItem(key, JSON.stringify(list));
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    for (const kind of ["loadstart", "progress", "load"]) {
      this.upload.addEventListener(kind, (e) => note("uploads", [kind, Date.now(), e.loaded, e.total]));
    }
    this.addEventListener("loadend", () => note("uploads", ["answered", Date.now(), this.status, 0]));
    return send.call(this, body);
  };
  setInterval(() => {
    const bar = document.querySelector("progress.upload-progress");
    if (bar && !bar.hidden) { note("bar", [Date.now(), bar.value]); }
  }, 250);
})();
"""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="journeys with the photo shrunk on the phone (default 3)")
    parser.add_argument("--original-runs", type=int, default=1, help="journeys with 保留原图 ticked (default 1)")
    parser.add_argument("--latency", type=int, default=400, help="latency in ms (default 400)")
    parser.add_argument("--down", type=float, default=50, help="download speed in KB/s (default 50)")
    parser.add_argument("--up", type=float, default=20, help="upload speed in KB/s (default 20)")
    parser.add_argument(
        "--cpu-slowdown",
        type=float,
        default=4,
        help="the phone's CPU this many times slower (default 4, as Lighthouse)",
    )
    parser.add_argument(
        "--network",
        choices=("cdp", "proxy"),
        default="cdp",
        help="throttle in chromium (cdp, the default) or in a TCP proxy between chromium and nginx (proxy)",
    )
    parser.add_argument("--photo-kb", type=int, default=2048, help="the camera's photo (default 2048 KB)")
    parser.add_argument("--port", type=int, default=8791, help="gunicorn's port; nginx listens on the next one")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    args = parser.parse_args()
    # What load.start_server and load.start_nginx read.
    args.nginx, args.fault = args.port + 1, None
    return args


# ------------------------------------------------------------------- leader and photo


def leader_with_a_week_to_report() -> dict:
    """The first alliance (by code) with a project under way that has no report this week,
    and a sign-in account for its current leader (unless their person has one of their own)."""
    from alliances.models import TeamRole, TeamRoleKind
    from members.access import Role
    from members.services import user_with_role
    from projects.models import ACTIVE_STATUSES, Project
    from projects.weeks import current_week

    load.remove_submitted({})
    week = current_week()
    projects = (
        Project.objects.filter(status__in=ACTIVE_STATUSES)
        .exclude(reports__period=week)
        .select_related("alliance")
        .order_by("alliance__code", "pk")
    )
    for project in projects:
        role = (
            TeamRole.objects.filter(alliance=project.alliance, role=TeamRoleKind.LEADER, ended_on__isnull=True)
            .select_related("person__user")
            .first()
        )
        if role is None or (role.person.user_id and not role.person.user.username.startswith("load-leader-")):
            continue
        username = f"load-leader-{project.alliance.code}"
        user_with_role(username=username, password=load.PASSWORD, role=Role.ALLIANCE_LEADER, person=role.person)
        return {"username": username, "password": load.PASSWORD, "project": project.pk, "title": project.title,
                "alliance": project.alliance.name, "week": week}  # fmt: skip
    sys.exit("No project under way is left without this week's report under a leader without an account.")


def write_camera_photo(path: Path, kilobytes: int) -> tuple[Path, int]:
    """A 4000 × 3000 JPEG of about ``kilobytes``, as a phone camera saves it: colour
    gradients under blotches and grain, which compress like a photo; the quality is the
    one that comes nearest the size asked. Returns the path and the quality."""
    from PIL import Image, ImageChops

    size = (4000, 3000)
    ramp = Image.linear_gradient("L").resize(size)
    scene = Image.merge("RGB", (ramp, ramp.rotate(90).resize(size), ImageChops.invert(ramp)))
    blotches = Image.effect_noise((400, 300), 90).resize(size, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(size, 12)
    photo = ImageChops.blend(scene, Image.merge("RGB", (blotches, grain, ImageChops.blend(blotches, grain, 0.5))), 0.35)
    best: tuple[int, bytes] | None = None
    low, high = 40, 98
    while low <= high:  # the size grows with the quality: bisect it
        quality = (low + high) // 2
        buffer = io.BytesIO()
        photo.save(buffer, format="JPEG", quality=quality)
        data = buffer.getvalue()
        if best is None or abs(len(data) - kilobytes * 1024) < abs(len(best[1]) - kilobytes * 1024):
            best = (quality, data)
        low, high = (quality + 1, high) if len(data) < kilobytes * 1024 else (low, quality - 1)
    path.write_bytes(best[1])
    return path, best[0]


# ------------------------------------------------------------------------ throttling


def throttle(page, args: argparse.Namespace):
    """The phone, on this page (it holds across its navigations): its CPU, and its network
    unless a SlowLink carries it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.cpu_slowdown})
    if args.network == "proxy":
        return cdp
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": args.latency,
            "downloadThroughput": args.down * 1024,
            "uploadThroughput": args.up * 1024,
            "connectionType": "cellular3g",
        },
    )
    return cdp


class SlowLink:
    """The phone network as a TCP proxy in front of ``upstream`` (``--network proxy``): each
    direction is one link shared by all connections, carrying ``--up`` or ``--down`` KB/s,
    and every chunk arrives half the latency after the link has carried it; a new
    connection's first bytes wait one round trip more (the TCP handshake; TLS is not
    modelled). Chromium's own throttling adds the latency once per request; here every
    round trip pays it, as on a real network."""

    CHUNK = 4096

    def __init__(self, upstream: int, args: argparse.Namespace):
        self.upstream = upstream
        self.one_way = args.latency / 2000
        self.rates = {"up": args.up * 1024, "down": args.down * 1024}
        self.free = {"up": 0.0, "down": 0.0}  # when each link is next idle (event loop time)
        listener = socket.socket()
        # A small receive buffer: the browser can get only a few KB ahead of the link, so
        # its upload progress follows what the link has carried.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(asyncio.start_server(self.connection, sock=listener), self.loop).result()

    async def connection(self, client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            self.carry(client_reader, server_writer, "up", handshake=2 * self.one_way),
            self.carry(server_reader, client_writer, "down"),
            return_exceptions=True,
        )

    async def carry(self, reader, writer, direction: str, handshake: float = 0.0) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver() -> None:
            while (item := await queue.get()) is not None:
                due, data = item
                await asyncio.sleep(max(0.0, due - loop.time()))
                writer.write(data)
                await writer.drain()

        delivering = asyncio.create_task(deliver())
        try:
            while data := await reader.read(self.CHUNK):
                now = loop.time()
                self.free[direction] = max(self.free[direction], now) + len(data) / self.rates[direction]
                queue.put_nowait((self.free[direction] + self.one_way + handshake, data))
                handshake = 0.0
                # Read no faster than the link carries: the sender waits, as on the phone.
                if self.free[direction] - now > 0.2:
                    await asyncio.sleep(self.free[direction] - now - 0.2)
        finally:
            queue.put_nowait(None)
            await delivering
            writer.close()  # either side's close is passed on to the other


class _Timed(BaseHTTPRequestHandler):
    """Answers a GET with ``?bytes=N`` bytes and times how long a POST's body takes to arrive."""

    received: list[float] = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        size = int(self.path.partition("bytes=")[2] or 0)
        body = b"<!doctype html><title>throttle</title>" if not size else b"x" * size
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        length, got = int(self.headers["Content-Length"]), 0
        started = time.monotonic()
        while got < length:
            got += len(self.rfile.read(min(65536, length - got)))
        self.received.append(time.monotonic() - started)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def check_throttling(browser, args: argparse.Namespace) -> dict:
    """Upload and download speeds of a throttled page, as a server receives and sends them."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Timed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    if args.network == "proxy":
        base = f"http://127.0.0.1:{SlowLink(server.server_address[1], args).port}"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    throttle(page, args)
    page.goto(base + "/")
    up, down = 100 * 1024, 250 * 1024
    page.evaluate("n => fetch('/up', {method: 'POST', body: new Uint8Array(n)}).then(r => r.text())", up)
    upload = _Timed.received[-1]
    started = time.monotonic()
    page.evaluate("n => fetch('/down?bytes=' + n).then(r => r.arrayBuffer())", down)
    download = time.monotonic() - started - args.latency / 1000  # the request's own round trip
    context.close()
    server.shutdown()
    return {"up_kbps": up / 1024 / upload, "down_kbps": down / 1024 / download}


# -------------------------------------------------------------------------- the journey


def journey(browser, base: str, leader: dict, photo: Path, args: argparse.Namespace, keep_original: bool) -> dict:
    context = browser.new_context(**PHONE)
    context.add_init_script(WATCH_UPLOADS)
    page = context.new_page()
    cdp = throttle(page, args)
    # Bytes received (compressed, headers included) and requests sent, redirects included:
    # each request pays the latency once.
    received = {"bytes": 0, "requests": 0}
    cdp.on(
        "Network.loadingFinished", lambda event: received.update(bytes=received["bytes"] + event["encodedDataLength"])
    )
    cdp.on("Network.requestWillBeSent", lambda _event: received.update(requests=received["requests"] + 1))
    problems: list[str] = []
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status} {r.request.method} {r.url}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.method} {r.url} {r.failure}"))
    steps: list[tuple[str, float, int, int]] = []
    timeout, upload_timeout = 120_000, 600_000  # ms: a page, the upload (2 MB at 20 KB/s is 100 s)

    def step(name: str, action) -> None:
        before, started = dict(received), time.monotonic()
        action()
        steps.append(
            (
                name,
                time.monotonic() - started,
                received["bytes"] - before["bytes"],
                received["requests"] - before["requests"],
            )
        )

    def sign_in():
        page.fill("input[name=username]", leader["username"])
        page.fill("input[name=password]", leader["password"])
        with page.expect_navigation(url="**/my-work/", timeout=timeout):
            page.click("main button[type=submit]")

    def open_form():
        with page.expect_navigation(url="**/report/", timeout=timeout):
            page.click(f".project-work a.button[href$='/projects/{leader['project']}/report/']")

    def fill():
        page.fill("input[name=percent_complete]", "55")
        page.fill("input[name=investment_to_date]", "120000")
        page.fill("textarea[name=work_done]", "完成大棚钢架搭建 12 座，铺设滴灌管道 800 米")

    def attach():
        if keep_original:
            page.check("#keep-original")
        page.set_input_files("input[name=attachments]", str(photo))
        # The photo is ready to send once the input holds what the page made of it.
        page.wait_for_function(
            "([keep, size]) => { const input = document.querySelector('input[name=attachments]');"
            " return input.files.length === 1 && (keep || input.files[0].size !== size); }",
            arg=[keep_original, photo.stat().st_size],
            timeout=upload_timeout,
        )

    def submit():
        with page.expect_navigation(url="**/my-work/", timeout=upload_timeout):
            page.click("button[type=submit].primary")
        page.wait_for_load_state("load")

    from playwright.sync_api import Error as PlaywrightError

    started = time.monotonic()
    failed, sent_file = "", 0
    try:
        step("sign-in form", lambda: page.goto(f"{base}/accounts/login/", timeout=timeout))
        step("sign in → my work (我的填报)", sign_in)
        step("填报本周进度 → report form", open_form)
        step("fill the form", fill)
        step("attach the photo, shrunk" if not keep_original else "attach the photo, 保留原图", attach)
        sent_file = page.evaluate("document.querySelector('input[name=attachments]').files[0].size")
        step("submit → upload → my work", submit)
    except PlaywrightError as error:  # recorded as the run's outcome, with the page as it was
        failed = f"after {', '.join(name for name, *_figures in steps) or 'nothing'}: {str(error).splitlines()[0]}"
        page.screenshot(path=str(photo.parent / f"failed-{int(time.time())}.png"), full_page=True)
    total = time.monotonic() - started
    confirmed = "进度报告已提交" in page.locator("main").inner_text()
    uploads = json.loads(page.evaluate("sessionStorage.getItem('uploads') || '[]'"))
    bar = json.loads(page.evaluate("sessionStorage.getItem('bar') || '[]'"))
    lang = page.evaluate("document.documentElement.lang")
    context.close()
    return {
        "steps": steps,
        "total": total,
        "problems": problems + ([f"journey stopped {failed}"] if failed else []),
        "confirmed": confirmed,
        "lang": lang,
        "file_bytes": sent_file,
        "upload": upload_figures(uploads, bar),
    }


def upload_figures(uploads: list, bar: list) -> dict:
    """From the notes of WATCH_UPLOADS: the body's size, how long it took to send and to be
    answered, and the distinct values the progress bar showed on the way."""
    start = next((e for e in uploads if e[0] == "loadstart"), None)
    sent = next((e for e in uploads if e[0] == "load"), None)
    answered = next((e for e in uploads if e[0] == "answered"), None)
    if not (start and sent and answered):
        return {"body_bytes": 0, "sending_s": 0, "answer_s": 0, "bar": []}
    return {
        "body_bytes": sent[3],
        "sending_s": (sent[1] - start[1]) / 1000,
        "answer_s": (answered[1] - sent[1]) / 1000,
        "status": answered[2],
        "bar": sorted({round(value) for _at, value in bar}),
    }


def stored(leader: dict, media_root: Path) -> dict:
    """The week's report of the leader's project, as the database and the disk hold it."""
    from django.core.files.storage import FileSystemStorage
    from PIL import Image

    from projects.models import ProgressReport

    storage = FileSystemStorage(location=media_root)
    reports = list(ProgressReport.objects.filter(project_id=leader["project"], period=leader["week"]))
    photos = [a for report in reports for a in report.attachments.filter(kind="photo")]
    found = {"reports": len(reports), "photos": len(photos)}
    if len(photos) == 1 and storage.exists(photos[0].file.name):
        with storage.open(photos[0].file.name) as file, Image.open(file) as image:
            found |= {"photo_kb": storage.size(photos[0].file.name) / 1024, "photo_px": image.size}
    return found


# --------------------------------------------------------------------------- the record


def print_run(index: int, kind: str, run: dict, found: dict, args) -> None:
    upload = run["upload"]
    print_table(
        f"Run {index} ({kind}): {run['total']:.1f} s in all",
        ["step", "seconds", "KB down", "requests"],
        [[name, f"{seconds:.1f}", f"{down / 1024:.0f}", requests] for name, seconds, down, requests in run["steps"]],
    )
    bar = upload["bar"]
    print(
        f"  upload: {upload['body_bytes'] / 1024:.0f} KB sent (the photo {run['file_bytes'] / 1024:.0f} KB) in "
        f"{upload['sending_s']:.1f} s ({upload['body_bytes'] / 1024 / max(upload['sending_s'], 0.001):.1f} KB/s), "
        f"answered {upload.get('status')} {upload['answer_s']:.1f} s later; progress bar showed "
        f"{len(bar)} values {bar[:3]}…{bar[-3:]}"
    )
    if args.network == "proxy":
        print(
            "  (through the proxy, chromium's socket on loopback takes the whole body at once: its upload events"
            " and the progress bar end at once, and the link's time is in the wait for the answer)"
        )
    print(f"  stored: {found}; page says 进度报告已提交: {run['confirmed']}; lang {run['lang']}")
    print(f"  problems: {run['problems'] or 'none'}")
    sys.stdout.flush()


def print_summary(shrunk: list[dict], original: list[dict]) -> None:
    names = [name for name, *_figures in max((run["steps"] for run in shrunk), key=len, default=[])]
    rows = []
    for index, name in enumerate(names):  # a run stopped early has no time for the steps it did not reach
        times = [run["steps"][index][1] if index < len(run["steps"]) else None for run in shrunk]
        done = [t for t in times if t is not None]
        cells = ["-" if t is None else f"{t:.1f}" for t in times]
        rows.append([name] + cells + [f"{statistics.median(done):.1f}", f"{max(done):.1f}"])
    totals = [run["total"] for run in shrunk]
    rows.append(["total"] + [f"{t:.1f}" for t in totals] + [f"{statistics.median(totals):.1f}", f"{max(totals):.1f}"])
    header = ["step"] + [f"run {n + 1}" for n in range(len(shrunk))] + ["median", "max"]
    print_table("Photo shrunk on the phone: seconds per step", header, rows)
    for run in original:
        upload = run["upload"]
        print(
            f"\n保留原图: {run['total']:.1f} s in all; the upload sent in {upload['sending_s']:.1f} s "
            f"and answered {upload['answer_s']:.1f} s later"
        )
    runs = shrunk + original
    problems = sum(len(run["problems"]) for run in runs)
    met = all(run["total"] <= TARGET_SECONDS and not run["problems"] and run["stored_ok"] for run in shrunk)
    print(
        f"\nTarget (≤ {TARGET_SECONDS} s, never an error, stored once with its photo) with the photo shrunk: "
        f"{'met' if met else 'NOT met'}; problems in all runs: {problems}"
    )


def main() -> None:
    args = arguments()
    # One key for this process and the server (load.py's sessions); the server's uploads
    # under this run's folder, where this process looks for them.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    workdir = Path(tempfile.mkdtemp(prefix="phone-"))
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    # Playwright's sync API keeps an event loop in this thread; the ORM calls between the
    # runs are plain synchronous ones (as in tests/browser/conftest.py).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    setup()
    leader = leader_with_a_week_to_report()
    photo, quality = write_camera_photo(workdir / "IMG_20261207_101500.jpg", args.photo_kb)
    print(
        f"Leader {leader['username']} ({leader['alliance']}), project {leader['title']} (#{leader['project']}), "
        f"week of {leader['week']}; photo 4000 × 3000, {photo.stat().st_size / 1024:.0f} KB (JPEG quality "
        f"{quality}). Network ({NETWORKS[args.network]}): {args.latency} ms, {args.down:g} KB/s down, "
        f"{args.up:g} KB/s up; CPU {args.cpu_slowdown:g}× slower. Files in {workdir}."
    )
    server, _env = load.start_server(args, workdir)
    proxy = load.start_nginx(args, workdir)
    base = f"http://127.0.0.1:{args.nginx if args.network == 'cdp' else SlowLink(args.nginx, args).port}"
    from playwright.sync_api import sync_playwright

    shrunk: list[dict] = []
    original: list[dict] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            speeds = check_throttling(browser, args)
            print(
                f"Throttling check: {speeds['up_kbps']:.1f} KB/s up (asked {args.up:g}), "
                f"{speeds['down_kbps']:.1f} KB/s down (asked {args.down:g})"
            )
            plan = [(False, n) for n in range(args.runs)] + [(True, n) for n in range(args.original_runs)]
            for index, (keep, _n) in enumerate(plan, start=1):
                load.remove_submitted({})
                run = journey(browser, base, leader, photo, args, keep_original=keep)
                found = stored(leader, Path(os.environ["MEDIA_ROOT"]))
                run["stored_ok"] = found["reports"] == 1 and found["photos"] == 1 and "photo_kb" in found
                print_run(index, "保留原图" if keep else "shrunk on the phone", run, found, args)
                (original if keep else shrunk).append(run)
            browser.close()
    finally:
        os.killpg(proxy.pid, signal.SIGTERM)
        proxy.wait(timeout=30)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        load.remove_submitted({})
    print_summary(shrunk, original)


if __name__ == "__main__":
    main()
