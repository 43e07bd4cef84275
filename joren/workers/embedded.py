"""Embedded mode (no ``REDIS_URL``): ``joren cron``'s schedule runs inside the web process.

Without Redis there is no ``joren cron`` and no worker, yet reminders, "people to meet",
follow-ups, introduction cycles, expiries and the series horizon must still happen under
``make run``. So the web process runs the same ``SCHEDULE`` (``joren.workers.cron``) in a
daemon thread. When an entry is due is RQ's own arithmetic (``rq.cron.CronJob``: an interval,
or a cron expression in the machine's local time, as ``joren cron`` reads it); a due entry is
enqueued by name through Flask-RQ, whose embedded queues run it inline, in this thread.

A web process starts and stops with the machine it runs on (a laptop that sleeps at 03:10 never
sees its daily jobs), so when the scheduler starts it also runs each cron entry once: what fell
due while nothing ran happens now. Every periodic job is safe to repeat (fan-outs are unique per
community and period, emails carry idempotency keys).

One scheduler per installation: only the process holding an exclusive OS lock on
``joren-scheduler.lock`` (next to the SQLite file, else in the instance folder) runs the
schedule. A second ``joren run`` or gunicorn's other workers find it held and try again each
tick, so one of them takes over when the holder exits (the OS releases the lock with it).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import click
from flask import Flask
from rq.cron import CronJob
from rq.utils import now as rq_now
from sqlalchemy.engine import make_url

from joren.platform.jobs import enqueue_now
from joren.workers.cron import SCHEDULE, Entry

log = logging.getLogger("joren.embedded")

LOCK_NAME = "joren-scheduler.lock"
EXTENSION = "joren.embedded_scheduler"


def lock_path(app: Flask) -> Path:
    """The lock file beside the SQLite database, or in the instance folder for another one."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / LOCK_NAME
    return Path(app.instance_path) / LOCK_NAME


def job_name(entry: Entry) -> str:
    return f"{entry.func.__module__}.{entry.func.__name__}"


def _cron_job(entry: Entry) -> CronJob:
    timing: dict[str, Any] = ({"interval": entry.interval} if isinstance(entry.interval, int)
                              else {"cron": entry.interval})
    return CronJob(queue_name=entry.queue, func=entry.func, args=entry.args, **timing)


class EmbeddedScheduler:
    """Runs a schedule's due entries in this process while it holds the installation's lock."""

    def __init__(self, app: Flask, schedule: Iterable[Entry] = SCHEDULE,
                 lock_file: Path | None = None, catch_up: bool = False) -> None:
        self.app = app
        self.entries = [(entry, _cron_job(entry)) for entry in schedule]
        if catch_up:  # the first tick runs every entry once (see the module's docstring)
            for _entry, timing in self.entries:
                timing.next_enqueue_time = rq_now()
        self.lock_file = lock_file or lock_path(app)
        self._lock: IO[str] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._starting = threading.Lock()

    @property
    def holds_lock(self) -> bool:
        return self._lock is not None

    def acquire(self) -> bool:
        """Take the installation's lock if nobody holds it (never waits)."""
        if self._lock is not None:
            return True
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = self.lock_file.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._lock = handle
        log.info("embedded scheduler: this process (pid %d) runs joren cron's schedule "
                 "(%d entries, lock %s)", os.getpid(), len(self.entries), self.lock_file)
        return True

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def tick(self) -> list[str]:
        """Run every entry that is due now, if this process holds the lock; return their
        names. An entry that fails is logged and tried again when it is next due."""
        if not self.acquire():
            return []
        ran = []
        for entry, timing in self.entries:
            if not timing.should_run():
                continue
            timing.set_enqueue_time(rq_now())
            ran.append(job_name(entry))
            self._run(entry)
        return ran

    def _run(self, entry: Entry) -> None:
        options: dict[str, Any] = {}
        if entry.job_timeout is not None:
            options["job_timeout"] = entry.job_timeout
        try:
            with self.app.app_context():
                enqueue_now(job_name(entry), *entry.args, queue=entry.queue, **options)
        except Exception:  # noqa: BLE001 - one failing entry must not stop the schedule
            log.exception("embedded scheduler: %s failed", job_name(entry))

    def start(self) -> None:
        """Tick every ``EMBEDDED_CRON_TICK`` seconds in a daemon thread (once per process; a
        forked child starts its own, since threads do not survive a fork)."""
        with self._starting:
            if self._pid != os.getpid():
                self._pid, self._thread, self._lock = os.getpid(), None, None
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="joren-embedded-cron",
                                            daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        return (self._pid == os.getpid() and self._thread is not None
                and self._thread.is_alive())

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.release()

    def _loop(self) -> None:
        interval = self.app.config["EMBEDDED_CRON_TICK"]
        held = None
        while not self._stop.is_set():
            self.tick()
            if held is None and not self.holds_lock:
                log.info("embedded scheduler: another process holds %s and runs the schedule; "
                         "this one (pid %d) stands by", self.lock_file, os.getpid())
            held = self.holds_lock
            self._stop.wait(interval)


def wanted(app: Flask) -> bool:
    """Embedded mode (no Redis, so no ``joren cron``), outside the test suite."""
    return not app.config.get("REDIS_URL") and not app.testing


def _serving_command() -> bool:
    """True under ``joren run`` (Flask's development server), false for other commands."""
    context = click.get_current_context(silent=True)
    return context is not None and context.command.name == "run"


def init_app(app: Flask) -> None:
    """In embedded mode, run the schedule in this process: at once under ``joren run``, else
    (gunicorn or another WSGI server) from the first request after the process started."""
    if not wanted(app):
        return
    scheduler = EmbeddedScheduler(app, catch_up=True)
    app.extensions[EXTENSION] = scheduler
    if _serving_command():
        scheduler.start()
        return

    @app.before_request
    def _start_embedded_scheduler() -> None:
        if not scheduler.running:
            scheduler.start()
