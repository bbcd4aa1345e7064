"""A long response tells the server's process manager that it is still making progress.

gunicorn kills a sync worker that has been silent for ``timeout`` seconds
(deploy/gunicorn.conf.py), and a worker is silent for the whole of a request: a streamed
Excel export of 100,000 rows takes longer than that on a busy machine, and would be cut
off half sent. deploy/gunicorn.conf.py hands each worker's heartbeat to :func:`set_beat`
when the worker starts; a streamed response calls :func:`still_working` between the pieces
it sends. A worker is then killed when it stops making progress (a hung query, a client
that reads nothing while nginx is not in front), never because a download is long.

Outside gunicorn (runserver, tests, Celery) there is no heartbeat and this does nothing.
Nothing here imports Django: gunicorn's configuration imports it before the application.
"""

from __future__ import annotations

from collections.abc import Callable

_beat: Callable[[], None] | None = None


def set_beat(beat: Callable[[], None] | None) -> None:
    global _beat  # noqa: PLW0603 - one heartbeat per worker process
    _beat = beat


def still_working() -> None:
    if _beat is not None:
        _beat()
