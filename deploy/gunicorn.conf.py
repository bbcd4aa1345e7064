"""gunicorn for production, behind deploy/nginx.conf: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi``.

Every value can be overridden on the command line or by gunicorn's own environment
variables (``WEB_CONCURRENCY``, ``GUNICORN_CMD_ARGS``).

- Sync workers, because nginx buffers every request body and every response: a worker
  receives an upload only once nginx holds all of it, and hands a page to nginx at loopback
  speed, so a slow phone never holds a worker. Without a buffering proxy in front, a 2 MB
  photo sent at 20 KB/s would hold a sync worker for 100 s; do not expose gunicorn directly.
- 4 workers on 2 cores (2 per core): a page spends part of its time waiting on PostgreSQL,
  so two workers per core keep the cores busy; more only queue for the same two cores
  (benchmarks/load.py, docs/benchmarks.md).
- ``timeout`` 60 s is the longest a request may work once its body is in: the longest
  path is a report with nine photos of 10 MB each, every one decoded and re-encoded (a few
  seconds). An Excel export of a list is streamed as it is written and may take longer
  (100,000 projects: under a minute, docs/benchmarks.md): ``post_fork`` gives each worker's
  heartbeat to core.heartbeat, which the export calls after each piece it sends, so the
  timeout counts from its last piece, not from its start. A worker silent for longer is
  killed and restarted; the request gets a 502 from nginx and leaves
  no row (each write is one transaction) and, at worst, a photo file that
  ``manage.py remove_orphan_files`` (run daily by Celery beat) deletes later.
- ``graceful_timeout`` 30 s: on a restart or deploy, a worker finishes what it is doing
  (an upload being stored) before it stops.
- ``max_requests`` recycles a worker after a few thousand requests (with jitter, so they
  do not all restart at once) to bound any slow growth of its memory.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# nginx is the only client: it sets X-Forwarded-For and X-Forwarded-Proto.
forwarded_allow_ips = "127.0.0.1"
# Request line and headers: what nginx lets through (core.uploads limits the body).
limit_request_line = 8190
limit_request_fields = 100
accesslog = None
errorlog = "-"


def post_fork(server, worker):
    """A streamed response keeps the worker's heartbeat going (core.heartbeat)."""
    from core.heartbeat import set_beat

    set_beat(worker.notify)
