"""Leaders on a slow phone network, with and without nginx in front of gunicorn.

    DATABASE_URL=postgres://…/province python benchmarks/slow_clients.py [--uploads 8] [--kbps 20]

Starts gunicorn as ``benchmarks/load.py`` does (4 sync workers, deploy/gunicorn.conf.py),
then twice (straight to gunicorn, then through nginx with ``deploy/nginx.conf``, its TLS
left out) sends ``--uploads`` report submissions at once, each with a photo of ``--photo-kb``
KB, at ``--kbps`` KB/s after ``--latency`` ms, as a phone on a slow network does. While they
upload, a fast client on the same machine opens the sign-in page every half second.

It prints, for each set-up, how long the uploads took and what they were answered, and
the fast client's median and worst wait: without a buffering proxy, each slow upload
holds a worker for its whole length and the fast client queues behind them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import load  # noqa: E402
from benchmarks.common import print_table, setup  # noqa: E402


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=8, help="slow uploads at once (default 8, twice the workers)")
    parser.add_argument("--photo-kb", type=int, default=300, help="photo size (default 300: shrunk on the phone)")
    parser.add_argument("--kbps", type=float, default=20, help="upload speed in KB/s (default 20)")
    parser.add_argument("--latency", type=int, default=400, help="network latency in ms (default 400)")
    parser.add_argument("--port", type=int, default=8781)
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    args = parser.parse_args()
    args.workers, args.leaders, args.county = 4, args.uploads, None
    return args


def nginx_config(workdir: Path, port: int, upstream: int) -> Path:
    """deploy/nginx.conf on plain HTTP on ``port``, in front of gunicorn on ``upstream``."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", site, count=1, flags=re.S)  # the HTTPS redirect
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    site = re.sub(r"\s*ssl_certificate(_key)? [^;]+;", "", site)
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{upstream}")
    site = site.replace("/srv/alliances/staticfiles/", f"{load.STATIC_ROOT}/")
    config = workdir / "nginx.conf"
    config.write_text(
        f"pid {workdir}/nginx.pid;\nerror_log {workdir}/nginx-error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {workdir}/nginx-body;\n"
        f"  proxy_temp_path {workdir}/nginx-proxy;\n{site}\n}}\n"
    )
    return config


def slow_upload(port: int, leader: dict, slot: tuple, photo: bytes, args, results: list) -> None:
    """One report with a photo, sent at ``args.kbps`` after ``args.latency`` ms; the report
    form is read first (its CSRF token), as the phone does."""
    started = time.monotonic()
    cookie = f"sessionid={leader['session']}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/projects/{slot[0]}/report/", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - our own http URL
            page = response.read()
            csrf = re.search(r"csrftoken=([^;]+)", response.headers.get("Set-Cookie", ""))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    except Exception as error:  # noqa: BLE001 - recorded as the outcome
        results.append(("form: " + type(error).__name__, time.monotonic() - started))
        return
    from urllib3 import encode_multipart_formdata

    body, content_type = encode_multipart_formdata(
        [
            ("csrfmiddlewaretoken", token),
            ("period", slot[1]),
            ("percent_complete", "60"),
            ("investment_to_date", "1"),
            ("work_done", "慢速网络下提交"),
            ("attachments", ("site.jpg", photo, "image/jpeg")),
        ]
    )
    head = (
        f"POST /projects/{slot[0]}/report/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: {cookie}; csrftoken={csrf.group(1) if csrf else ''}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=300) as sock:
            time.sleep(args.latency / 1000)
            sock.sendall(head)
            chunk = int(args.kbps * 1024 / 10)
            for start in range(0, len(body), chunk):
                sock.sendall(body[start : start + chunk])
                time.sleep(0.1)
            time.sleep(args.latency / 1000)
            answer = sock.recv(200).split(b"\r\n", 1)[0].decode(errors="replace")
    except OSError as error:
        answer = type(error).__name__
    results.append((answer, time.monotonic() - started))


def fast_client(port: int, stop: threading.Event, waits: list) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=300).read()
            waits.append(time.monotonic() - started)
        except OSError:
            waits.append(float("inf"))
        time.sleep(0.5)


def run(port: int, plan: dict, photo: bytes, args) -> dict:
    load.remove_submitted(plan)
    results: list = []
    waits: list = []
    stop = threading.Event()
    watcher = threading.Thread(target=fast_client, args=(port, stop, waits))
    watcher.start()
    time.sleep(1)
    uploads = []
    for leader in plan["leaders"][: args.uploads]:
        thread = threading.Thread(target=slow_upload, args=(port, leader, leader["slots"][0], photo, args, results))
        thread.start()
        uploads.append(thread)
    for thread in uploads:
        thread.join()
    stop.set()
    watcher.join()
    statuses: dict[str, int] = {}
    for answer, _seconds in results:
        statuses[answer] = statuses.get(answer, 0) + 1
    return {
        "uploads": ", ".join(f"{n} × {answer}" for answer, n in sorted(statuses.items())),
        "upload_median_s": statistics.median(seconds for _answer, seconds in results),
        "upload_max_s": max(seconds for _answer, seconds in results),
        "page_median_ms": statistics.median(waits) * 1000,
        "page_max_ms": max(waits) * 1000,
    }


def main() -> None:
    args = arguments()
    os.environ.setdefault("SECRET_KEY", load.secrets.token_urlsafe(50))
    setup()
    workdir = Path(tempfile.mkdtemp(prefix="slow-"))
    plan = load.prepare(args, workdir)
    plan["leaders"] = [leader for leader in plan["leaders"] if leader["slots"]]
    if len(plan["leaders"]) < args.uploads:
        sys.exit(f"Only {len(plan['leaders'])} leaders have a week left to report.")
    photo = load.write_photo(workdir / "site.jpg", kilobytes=args.photo_kb).read_bytes()
    server, _env = load.start_server(args, workdir)
    rows = {}
    nginx = None
    try:
        rows["gunicorn alone"] = run(args.port, plan, photo, args)
        config = nginx_config(workdir, args.port + 1, args.port)
        # nginx's workers run as an unprivileged user when it is started as root: they
        # must reach the work folder and write the request bodies they buffer there.
        workdir.chmod(0o755)
        for folder in ("nginx-body", "nginx-proxy"):
            (workdir / folder).mkdir(mode=0o777)
            (workdir / folder).chmod(0o777)
        nginx = subprocess.Popen([args.nginx, "-c", str(config), "-p", str(workdir), "-g", "daemon off;"])  # noqa: S603
        time.sleep(1)
        rows["nginx in front"] = run(args.port + 1, plan, photo, args)
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(timeout=30)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        load.remove_submitted(plan)
    print_table(
        f"{args.uploads} reports at once, each with a {len(photo) // 1024} KB photo at {args.kbps:g} KB/s, "
        f"{args.latency} ms latency; a fast client opens the sign-in page every 0.5 s",
        ["set-up", "uploads answered", "upload median s", "upload max s", "page median ms", "page max ms"],
        [
            [name, r["uploads"], f"{r['upload_median_s']:.1f}", f"{r['upload_max_s']:.1f}",
             f"{r['page_median_ms']:.0f}", f"{r['page_max_ms']:.0f}"]
            for name, r in rows.items()
        ],
    )  # fmt: skip
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
