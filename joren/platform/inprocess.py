"""Embedded mode's background jobs: run beside the request instead of before its answer.

Without Redis (``RQ_ASYNC`` off) a job enqueued after a commit runs inline, in the request
that committed (``joren.platform.jobs``). That is right for most jobs (an email, a recount),
but not for one a member should never wait for: judging a saved profile's sentences loads the
sentence encoder the first time in a process (seconds). Such a job is enqueued with
``background=True``; under RQ that changes nothing (a worker runs it), and in embedded mode it
goes to this runner instead: one daemon thread per process that runs the jobs in order, each
in its own application context (and, through the job's own wrapper, its own session), logging
an error instead of raising it into nobody's request.

What the runner holds is lost if the process is killed; at a normal exit it finishes the jobs
it holds (at most ``EXIT_WAIT`` seconds). The jobs given to it must therefore be ones the
application can do without (judging a profile early: the next cycle judges whatever is
missing). ``drain()`` waits until every job given so far has run: tests call it, and so does a
command that needs the results before it goes on (``joren demo``).
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from flask import Flask
from rq.utils import import_attribute
from structlog.contextvars import bind_contextvars

log = logging.getLogger("joren.jobs.inprocess")
jobs_log = logging.getLogger("joren.jobs")     # the line every job writes, as a worker's does

QUEUE = "inprocess"   # the queue its jobs' lines name

EXIT_WAIT = 60.0

Call = tuple[Flask, str, tuple[Any, ...], dict[str, Any]]


class Runner:
    """A FIFO of job calls and the one thread that runs them (started when first needed, and
    again in a forked child, which inherits no thread)."""

    def __init__(self) -> None:
        self._calls: deque[Call] = deque()
        self._held: list[Call] = []
        self._ready = threading.Condition()
        self._unfinished = 0
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self.hold = False  # tests: keep the calls until ``drain`` (see tests/conftest.py)
        self.failures = 0

    def submit(self, app: Flask, job_name: str, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> None:
        with self._ready:
            if self._pid != os.getpid():  # a forked child: the parent's thread is not here
                self._calls.clear()
                self._held.clear()
                self._unfinished, self._thread, self._pid = 0, None, os.getpid()
            call = (app, job_name, tuple(args), dict(kwargs))
            self._unfinished += 1
            if self.hold:
                self._held.append(call)
                return
            self._calls.append(call)
            self._start()
            self._ready.notify_all()

    def drain(self, timeout: float | None = None) -> bool:
        """Run what is held and wait until no job is waiting or running; False if ``timeout``
        (seconds) passed first."""
        with self._ready:
            self._calls.extend(self._held)
            self._held.clear()
            if self._calls:
                self._start()
                self._ready.notify_all()
            return self._ready.wait_for(lambda: self._unfinished == 0, timeout)

    @property
    def pending(self) -> int:
        """Jobs given and not finished yet."""
        with self._ready:
            return self._unfinished

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="joren-inprocess-jobs",
                                            daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while True:
            with self._ready:
                self._ready.wait_for(lambda: bool(self._calls))
                app, job_name, args, kwargs = self._calls.popleft()
            try:
                run(app, job_name, args, kwargs)
            except Exception:  # noqa: BLE001 - a background job's error has no caller: log it
                self.failures += 1
                log.exception("in-process job %s failed", job_name)
            finally:
                with self._ready:
                    self._unfinished -= 1
                    self._ready.notify_all()


def run(app: Flask, job_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run one job by name in a fresh application context, as a worker would, and log it as
    a worker's job is logged (``observability.jobs``: "job done" or "job failed" on the
    ``joren.jobs`` logger with its id, queue, name and ``duration_ms``), in a context of its
    own, so that what the job binds (its community) ends with it."""
    return contextvars.copy_context().run(_logged, app, job_name, args, kwargs)


def _logged(app: Flask, job_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    bind_contextvars(job_id=uuid.uuid4().hex, queue=QUEUE, job=job_name)
    started = time.perf_counter()
    failed = True
    try:
        func: Callable[..., Any] = import_attribute(job_name)
        with app.app_context():
            result = func(*args, **kwargs)
        failed = False
        return result
    finally:
        jobs_log.info("job %s", "failed" if failed else "done",
                      extra={"duration_ms": round((time.perf_counter() - started) * 1000, 1)})


runner = Runner()


@atexit.register
def _finish_at_exit() -> None:
    if runner.pending and not runner.drain(EXIT_WAIT):
        log.warning("%d in-process job(s) left unfinished at exit", runner.pending)
