"""Jobs that could not be enqueued because Redis was unreachable, kept in the database.

A transaction commits first and its jobs are enqueued after (``joren.platform.jobs``). When
Redis is down at that moment the request must still succeed (its work is saved) and the job
must not be lost: it is written here, in PostgreSQL, and ``redeliver`` (run every minute by
the outbox sweep) enqueues it once Redis answers again. Jobs are idempotent (DESIGN.md,
decision 4), so one that reaches Redis twice does no harm.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from joren.platform.db import Base, Timestamped, intpk

log = logging.getLogger("joren.jobs")

# Options that survive a trip through the database (all that the services pass today).
PORTABLE_OPTIONS = ("job_id", "unique_for", "job_timeout")
REDELIVER_BATCH = 500


class DeferredJob(Timestamped, Base):
    """One job to enqueue once Redis answers again. Platform-level (jobs carry their ids)."""

    __tablename__ = "deferred_jobs"
    __table_args__ = (Index("ix_deferred_jobs_created", "created_at"),)

    id: Mapped[intpk]
    queue: Mapped[str] = mapped_column(String(40))
    job_name: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JSON)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)


def portable(args: tuple[Any, ...], options: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The job's arguments and options as JSON values; raises TypeError when they are not."""
    kept = {key: options[key] for key in PORTABLE_OPTIONS if options.get(key) is not None}
    dropped = set(options) - set(PORTABLE_OPTIONS)
    if dropped:
        raise TypeError(f"options {sorted(dropped)} cannot be stored")
    json.dumps([list(args), kept])
    return list(args), kept


def store(session: Session, calls: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]],
          now: datetime) -> int:
    """Add the (queue, job_name, args, options) calls as deferred jobs; return how many."""
    stored = 0
    for queue, job_name, args, options in calls:
        try:
            json_args, json_options = portable(args, options)
        except TypeError:
            log.exception("job %s cannot wait in the database and is lost", job_name)
            continue
        session.add(DeferredJob(queue=queue, job_name=job_name, args=json_args,
                                options=json_options, created_at=now))
        stored += 1
    return stored


def redeliver(session: Session, enqueue: Callable[..., Any]) -> int:
    """Enqueue the deferred jobs, oldest first, and delete each once Redis took it.

    Rows are locked (SKIP LOCKED on PostgreSQL) so two sweeps never hand over the same job.
    Stops at the first failure: Redis is still away, the rest waits for the next sweep.
    """
    rows = session.scalars(
        select(DeferredJob).order_by(DeferredJob.id).limit(REDELIVER_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    done: list[int] = []
    for row in rows:
        try:
            enqueue(row.job_name, *row.args, queue=row.queue, **row.options)
        except Exception:  # noqa: BLE001 - the job stays for the next sweep
            log.warning("deferred job %s still cannot be enqueued", row.job_name, exc_info=True)
            break
        done.append(row.id)
    if done:
        session.execute(delete(DeferredJob).where(DeferredJob.id.in_(done)))
        log.info("enqueued %d deferred job(s)", len(done))
    return len(done)
