"""Stand-ins for the 企业微信 and 钉钉 group robot webhooks on loopback.

``FakeRobots`` is an ``http.server`` in a thread with two paths: ``/wecom`` (企业微信: any
JSON message) and ``/dingtalk`` (钉钉: the URL must carry ``timestamp`` and ``sign``
computed from ``secret`` as DingTalk checks them, else it answers errcode 310000 as the
real robot does). Every request is kept in ``received`` (path, query, JSON body, accepted or not); the next
answer comes from ``answers`` when one is queued: ``("status", 500)``, ``("json", {...})``,
``("slow", seconds)`` (hangs, then drops the message) or ``("late", seconds)`` (posts the
message but answers only after that long); otherwise ``{"errcode": 0, "errmsg": "ok"}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def dingtalk_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FakeRobots:
    def __init__(self, secret: str = "SEC-test-secret") -> None:
        self.secret = secret
        self.received: list[dict] = []
        self.answers: list[tuple] = []
        self._lock = threading.Lock()
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with robots._lock:
                    answer = robots.answers.pop(0) if robots.answers else None
                if answer and answer[0] in ("slow", "late"):
                    time.sleep(answer[1])
                    # slow: a gateway that hung and dropped the message; late: the robot
                    # posted it, but answered after the caller stopped waiting.
                    answer = ("status", 504) if answer[0] == "slow" else None
                if answer and answer[0] == "status":
                    status, payload = answer[1], {"errcode": -1, "errmsg": "system busy"}
                elif answer and answer[0] == "json":
                    status, payload = 200, answer[1]
                elif parts.path == "/dingtalk" and not robots.signature_ok(query):
                    status, payload = 200, {"errcode": 310000, "errmsg": "sign not match"}
                else:
                    status, payload = 200, {"errcode": 0, "errmsg": "ok"}
                accepted = status == 200 and payload.get("errcode") == 0
                with robots._lock:
                    robots.received.append({"path": parts.path, "query": query, "body": body, "accepted": accepted})
                self.reply(status, payload)

            def reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def signature_ok(self, query: dict[str, str]) -> bool:
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
            return False
        return hmac.compare_digest(sign, dingtalk_sign(timestamp, self.secret))

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def messages(self, path: str) -> list[dict]:
        """The messages the robot accepted (posted to its group), in order."""
        return [r["body"] for r in self.received if r["path"] == path and r["accepted"]]

    def start(self) -> FakeRobots:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
