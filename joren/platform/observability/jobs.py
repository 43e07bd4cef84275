"""The RQ job class of Joren's queues: every job logs with its ids and is timed and counted.

Installed on the queues in ``create_app``, so it applies however the job runs: in a worker's
work-horse, in a test's worker, or inline in embedded mode (where the job's lines also carry
the request id of the request that enqueued it).
"""

from __future__ import annotations

import contextvars
import logging
import time
from typing import Any

from flask import Flask
from flask_rq._job_class import FlaskJob
from structlog.contextvars import bind_contextvars

from joren.platform.observability.metrics import record_job

log = logging.getLogger("joren.jobs")


class ObservedJob(FlaskJob):
    """Binds job id, queue and job name to the log context; records duration and failure."""

    def perform(self) -> Any:
        # A copy of the context: what the job binds (its community) ends with the job.
        return contextvars.copy_context().run(self._observed_perform)

    def _observed_perform(self) -> Any:
        name = self.func_name or "unknown"
        bind_contextvars(job_id=self.id, queue=self.origin, job=name)
        started = time.perf_counter()
        failed = True
        try:
            result = super().perform()
            failed = False
            return result
        finally:
            seconds = time.perf_counter() - started
            record_job(self.connection, self.origin, name, seconds, failed)
            log.info("job %s", "failed" if failed else "done",
                     extra={"duration_ms": round(seconds * 1000, 1)})


def bind_community(community_id: int) -> None:
    """Log the rest of this job as inside that community."""
    bind_contextvars(community_id=community_id)


def init_app(app: Flask) -> None:
    """Make every configured queue create, fetch and run ObservedJobs."""
    with app.app_context():
        for queue in app.extensions["rq"].queues.values():
            queue.job_class = ObservedJob
