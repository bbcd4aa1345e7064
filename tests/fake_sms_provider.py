"""A stand-in for Alibaba Cloud's SendSms API on loopback, for the SMS adapter's tests.

``FakeSmsProvider`` is an ``http.server`` in a thread. Each request it receives is kept in
``requests`` (the merged query and form parameters), and it answers with the next entry of
``answers`` (or "OK" with a BizId when none is queued): ``("json", status, body)`` or
``("slow", seconds)`` to answer only after that long.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class FakeSmsProvider:
    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.headers: list[dict[str, str]] = []
        self.answers: list[tuple] = []
        self._lock = threading.Lock()
        self._count = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = dict(parse_qsl(urlsplit(self.path).query))
                params.update(parse_qsl(body))
                with provider._lock:
                    provider.requests.append(params)
                    provider.headers.append({key.lower(): value for key, value in self.headers.items()})
                    provider._count += 1
                    answer = provider.answers.pop(0) if provider.answers else None
                    biz_id = f"{provider._count:06d}^0"
                if answer and answer[0] == "slow":
                    time.sleep(answer[1])
                    answer = None
                if answer is None:
                    answer = ("json", 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": "R1"})
                _, status, payload = answer
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer_error(self, code: str, message: str = "", status: int = 200) -> None:
        self.answers.append(("json", status, {"Code": code, "Message": message or code, "RequestId": "R2"}))

    def answer_slowly(self, seconds: float) -> None:
        self.answers.append(("slow", seconds))

    def start(self) -> FakeSmsProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
