"""Enqueue background jobs by name, and only once the current transaction has committed.

Services call ``enqueue_after_commit(session, "joren.workers.jobs.x", ...)``; they never import
job modules. If the transaction rolls back, nothing is enqueued.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING_KEY = "joren_pending_jobs"


def enqueue_after_commit(
    session: Session, job_name: str, *args: Any, queue: str = "default", **options: Any
) -> None:
    """Enqueue ``job_name(*args)`` when ``session`` commits; drop it if the session rolls back."""
    session.info.setdefault(PENDING_KEY, []).append((queue, job_name, args, options))


def enqueue_now(job_name: str, *args: Any, queue: str = "default", **options: Any) -> Any:
    """Enqueue immediately (from code that has no transaction of its own, e.g. a fan-out job)."""
    rq = current_app.extensions["rq"]
    options.setdefault("job_timeout", current_app.config["JOB_TIMEOUT"])
    options.setdefault("retry", default_retry())
    return rq.get_queue(queue).enqueue(job_name, *args, **options)


def default_retry() -> Any:
    from rq import Retry

    return Retry(max=3, interval=[10, 60, 300])


@event.listens_for(Session, "after_commit")
def _flush_pending_jobs(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    for queue, job_name, args, options in pending:
        enqueue_now(job_name, *args, queue=queue, **options)


@event.listens_for(Session, "after_rollback")
def _drop_pending_jobs(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
