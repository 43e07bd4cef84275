"""Keep ``joren worker`` and ``joren cron`` running through a Redis outage.

RQ's worker retries a blocking dequeue when Redis goes away, but a connection error anywhere
else (a heartbeat, registry clean-up, finishing a job) ends ``work()``, and RQ's cron
scheduler ends on the first one. An orchestrator would restart the process, but a systemd
unit with a start limit, a Procfile runner or a plain shell does not, and every restart
costs a fresh app. So these loops wait for Redis with exponential back-off, say so in the
log, and start a new worker (or scheduler) when it answers again. A stop signal (SIGTERM,
SIGINT) ends them at any point, as it ends RQ's own.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.exceptions import StopRequested

log = logging.getLogger("joren.workers")

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
FIRST_WAIT = 1.0
MAX_WAIT = 30.0


class Stopped(Exception):
    """A stop signal arrived while waiting for Redis."""


def run_worker(make_worker: Callable[[], Any], connection: Redis, *, burst: bool = False,
               max_jobs: int | None = None, with_scheduler: bool = True,
               max_wait: float = MAX_WAIT) -> None:
    """Run RQ workers from ``make_worker()`` until one stops for a reason other than Redis."""
    while True:
        worker = None
        try:
            worker = make_worker()  # RQ's Worker names its Redis connection: Redis is needed
            worker.work(burst=burst, max_jobs=max_jobs, with_scheduler=with_scheduler)
        except StopRequested:
            return
        except REDIS_ERRORS as exc:
            log.error("worker %s lost Redis: %s", worker.name if worker else "(starting)", exc)
        else:
            if getattr(worker, "_shutdown_requested_date", None) is not None:
                return  # SIGTERM/SIGINT: RQ finished the current job and stopped
            if (burst or max_jobs is not None) and _answers(connection):
                return
            log.error("worker %s stopped on an error; checking Redis", worker.name)
        try:
            wait_for_redis(connection, max_wait=max_wait)
        except Stopped:
            return
        log.info("Redis answers again: starting a new worker")


def run_cron(make_scheduler: Callable[[], Any], connection: Redis, *,
             max_wait: float = MAX_WAIT) -> None:
    """Run RQ's cron scheduler; when Redis goes away, wait for it and start a new one."""
    while True:
        try:
            make_scheduler().start()  # returns on SIGTERM/SIGINT
            return
        except StopRequested:
            return
        except REDIS_ERRORS as exc:
            log.error("cron scheduler lost Redis: %s", exc)
        try:
            wait_for_redis(connection, max_wait=max_wait)
        except Stopped:
            return
        log.info("Redis answers again: starting the cron scheduler again")


def _answers(connection: Redis) -> bool:
    try:
        return bool(connection.ping())
    except REDIS_ERRORS:
        return False


def wait_for_redis(connection: Redis, *, first_wait: float = FIRST_WAIT,
                   max_wait: float = MAX_WAIT) -> None:
    """Ping Redis with exponential back-off until it answers; raise Stopped on SIGTERM/SIGINT."""
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        wait = first_wait
        attempt = 0
        while not _answers(connection):
            attempt += 1
            log.warning("Redis unreachable (attempt %d); next try in %.0f s", attempt, wait)
            if stop.wait(wait):
                raise Stopped
            wait = min(wait * 2, max_wait)
        if stop.is_set():
            raise Stopped
    finally:
        _restore_handlers(previous)


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, lambda *_: stop.set())
    return previous


def _restore_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
