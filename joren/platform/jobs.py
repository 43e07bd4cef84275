"""Enqueue background jobs by name, and only once the current transaction has committed.

Services call ``enqueue_after_commit(session, "joren.workers.jobs.x", ...)``; they never import
job modules. If the transaction rolls back, nothing is enqueued.

Every job gets the configured hard time limit (``JOB_TIMEOUT``) and up to three retries with
back-off (10 s, 1 min, 5 min). RQ's scheduler moves a retried job back to its queue when its
time comes, so ``joren worker`` runs with the scheduler on.

Embedded mode (no ``REDIS_URL``): the queues are fakeredis queues with ``RQ_ASYNC`` off, so a
job runs inline in the process that enqueued it, right after the commit. That keeps a
one-command local run working on one machine; there are no retries or time limits there, and
the cron schedule runs inside the web process (``joren.workers.embedded``). A job enqueued
with ``background=True`` runs there in the process's background thread instead, after the
request (``joren.platform.inprocess``): for work nobody should wait for; under RQ the option
changes nothing.

Redis unreachable after a commit: the request still succeeds and its jobs wait in the
``deferred_jobs`` table until the every-minute sweep (``redeliver_deferred``) enqueues them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from joren.platform import deferred, inprocess
from joren.platform.db import db, utcnow
from joren.platform.identity.community import Community

log = logging.getLogger("joren.jobs")

# Queues, in the order ``joren worker`` serves them (RQ always takes the first non-empty one):
# mail a waiting person needs now (sign-in, verification, reset); periodic work from
# ``joren cron``; everything else; bulk mail (reminders, introductions, confirmations) last.
TRANSACTIONAL_QUEUE = "transactional"
PERIODIC_QUEUE = "cron"
DEFAULT_QUEUE = "default"
BULK_MAIL_QUEUE = "mail"
QUEUES = (TRANSACTIONAL_QUEUE, PERIODIC_QUEUE, DEFAULT_QUEUE, BULK_MAIL_QUEUE)

PENDING_KEY = "joren_pending_jobs"
BATCH_KEY = "joren_pending_batches"
ONCE_PREFIX = "joren:once:"
PERIOD_SECONDS = {"hour": 3600, "day": 86400, "week": 7 * 86400, "month": 31 * 86400}
PERIODS = tuple(PERIOD_SECONDS)
_JOB_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def enqueue_after_commit(
    session: Session, job_name: str, *args: Any, queue: str = "default", **options: Any
) -> None:
    """Enqueue ``job_name(*args)`` when ``session`` commits; drop it if the session rolls back."""
    _begin(session)
    session.info.setdefault(PENDING_KEY, []).append((queue, job_name, args, options))


def enqueue_batch_after_commit(
    session: Session, job_name: str, item: Any, *, queue: str = "default", size: int = 50,
    track: str | None = None,
) -> None:
    """Collect ``item`` and, on commit, enqueue ``job_name(items)`` once per ``size`` items.

    Many emails queued in one transaction (invitations to a whole list) then go out in a few
    jobs, each over one SMTP connection, instead of one job per message. With ``track`` (a key
    prefix), each item remembers its job, so ``items_in_queued_jobs`` can tell a sweep which
    items are already on their way.
    """
    _begin(session)
    batches: dict[tuple[str, str, int, str | None], list[Any]] = session.info.setdefault(
        BATCH_KEY, {})
    batches.setdefault((queue, job_name, size, track), []).append(item)


def enqueue_batches_now(
    job_name: str, items: Sequence[Any], *, queue: str, size: int, track: str | None = None
) -> list[Any]:
    """Enqueue ``job_name(chunk)`` per ``size`` items now; with ``track``, as above."""
    jobs = []
    for chunk in _chunks(items, size):
        job = enqueue_now(job_name, chunk, queue=queue)
        if track is not None:
            _track(job, track, chunk)
        jobs.append(job)
    return jobs


TRACK_SECONDS = 2 * 86400


def _track(job: Any, track: str, items: Sequence[Any]) -> None:
    pipe = job.connection.pipeline(transaction=False)
    for item in items:
        pipe.set(f"{track}{item}", job.id, ex=TRACK_SECONDS)
    pipe.execute()


def items_in_queued_jobs(track: str, items: Sequence[Any], queue: str) -> set[Any]:
    """Which of ``items`` (enqueued with ``track``) have a job still in ``queue``, running, or
    scheduled for a retry: re-enqueueing those would only make jobs that find nothing to do."""
    if not items:
        return set()
    target = current_app.extensions["rq"].get_queue(queue)
    waiting = {*target.get_job_ids(),
               *target.started_job_registry.get_job_ids(cleanup=False),
               *target.scheduled_job_registry.get_job_ids(cleanup=False)}
    job_ids = target.connection.mget([f"{track}{item}" for item in items])
    return {item for item, job_id in zip(items, job_ids, strict=True)
            if job_id is not None and _text(job_id) in waiting}


# A job in one of these states will still run (or is running): a sweep leaves it alone.
WAITING_STATES = frozenset({"queued", "started", "scheduled", "deferred"})


def job_state(job_id: str) -> str | None:
    """The RQ status of the job ``job_id`` ("queued", "failed", ...), or None when Redis does
    not know it (never enqueued, expired, or lost)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    connection = current_app.extensions["rq"].get_queue().connection
    try:
        status = Job.fetch(job_id, connection=connection).get_status(refresh=False)
    except NoSuchJobError:
        return None
    return None if status is None else str(getattr(status, "value", status))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _begin(session: Session) -> None:
    """Make sure a transaction is open, so that its rollback (or close) drops these jobs."""
    if not session.in_transaction():
        session.begin()


def enqueue_now(
    job_name: str,
    *args: Any,
    queue: str = "default",
    unique_for: int | None = None,
    background: bool = False,
    **options: Any,
) -> Any:
    """Enqueue immediately (from code that has no transaction of its own, e.g. a fan-out job).

    With ``unique_for`` (seconds) and a ``job_id``, the job is enqueued only if no job with that
    id was enqueued in the last ``unique_for`` seconds; otherwise nothing happens and None is
    returned. RQ's own job ids are forgotten when the job's result expires, so the marker is
    kept separately for as long as the caller asks.

    With ``background`` in embedded mode (no Redis), the job goes to the process's background
    runner (``joren.platform.inprocess``) and None is returned; under RQ it is enqueued as any.
    """
    if background and not current_app.config["RQ_ASYNC"]:
        inprocess.runner.submit(current_app._get_current_object(),  # type: ignore[attr-defined]
                                job_name, args, {})
        return None
    rq = current_app.extensions["rq"]
    target = rq.get_queue(queue)
    if unique_for is not None:
        job_id = options.get("job_id")
        if not job_id:
            raise ValueError("unique_for needs a job_id")
        if not target.connection.set(ONCE_PREFIX + job_id, "1", nx=True, ex=unique_for):
            return None
    options.setdefault("job_timeout", current_app.config["JOB_TIMEOUT"])
    options.setdefault("retry", default_retry())
    return target.enqueue(job_name, *args, **options)


def default_retry() -> Any:
    from rq import Retry

    return Retry(max=3, interval=[10, 60, 300])


def period_key(every: str, now: datetime | None = None) -> str:
    """The current period, in UTC: '2025-01-05T13', '2025-01-05', '2025-W01' or '2025-01'."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if every == "hour":
        return now.strftime("%Y-%m-%dT%H")
    if every == "day":
        return now.strftime("%Y-%m-%d")
    if every == "week":
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    if every == "month":
        return now.strftime("%Y-%m")
    raise ValueError(f"unknown period {every!r}; use one of {', '.join(PERIODS)}")


def minutes_slot_key(every_minutes: int, now: datetime | None = None) -> str:
    """The current slot of ``every_minutes`` in UTC, e.g. '2026-11-22T06-15' for 15."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    minute = now.minute - now.minute % every_minutes
    return now.strftime("%Y-%m-%dT%H-") + f"{minute:02d}"


def unique_for_period(every: str) -> int:
    """Seconds to remember a fan-out: the period's length plus an hour of slack."""
    return PERIOD_SECONDS[every] + 3600


def fan_out_job_id(job_name: str, tenant_id: int, period: str) -> str:
    """``<job>__<tenant>__<period>``: RQ 3 job ids allow only letters, digits, '_' and '-'."""
    return "__".join(_JOB_ID_UNSAFE.sub("-", part) for part in (job_name, str(tenant_id), period))


def fan_out(
    session: Session,
    job_name: str,
    period: str,
    *,
    queue: str = PERIODIC_QUEUE,
    unique_for: int = PERIOD_SECONDS["month"] + 3600,
) -> list[int]:
    """Enqueue ``job_name(tenant_id, period)`` once per community, after ``session`` commits.

    The job id is unique per job, community and period, so a second fan-out in the same period
    (a restarted cron, a manual run) enqueues nothing. ``unique_for`` must outlast the period
    (see ``unique_for_period``). Returns the communities' ids.
    """
    # A deleted community (a tombstone, tenants/privacy/closing.py) has nothing left to do.
    tenant_ids = list(session.scalars(
        select(Community.id).where(Community.deleted_at.is_(None)).order_by(Community.id)))
    for tenant_id in tenant_ids:
        enqueue_after_commit(
            session, job_name, tenant_id, period, queue=queue,
            job_id=fan_out_job_id(job_name, tenant_id, period), unique_for=unique_for,
        )
    return tenant_ids


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


@event.listens_for(Session, "after_commit")
def _flush_pending_jobs(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the transaction itself may still roll back
    pending = session.info.pop(PENDING_KEY, None) or []
    batches = session.info.pop(BATCH_KEY, None) or {}
    calls = [(queue, job_name, args, options, None)
             for queue, job_name, args, options in pending]
    for (queue, job_name, size, track), items in batches.items():
        calls.extend((queue, job_name, (chunk,), {}, track) for chunk in _chunks(items, size))
    for index, (queue, job_name, args, options, track) in enumerate(calls):
        try:
            job = enqueue_now(job_name, *args, queue=queue, **options)
            if track is not None and job is not None:
                _track(job, track, args[0])
        except (RedisError, OSError) as exc:
            # The transaction is already committed: failing the request now would report an
            # error for work that was saved. The job and every one after it wait in the
            # database until Redis answers again (joren.platform.deferred).
            log.warning("Redis unreachable (%s): %d job(s) from %s wait in the database",
                        type(exc).__name__, len(calls) - index, job_name)
            # Messages sent in batches are not tracked while they wait; the sender claims each
            # row once, so a sweep that enqueues them again sends nothing twice.
            # (``background`` means something only without Redis: it is not stored.)
            _defer([(queue, name, args, {k: v for k, v in options.items() if k != "background"})
                    for queue, name, args, options, _track_ in calls[index:]])
            return


def _defer(calls: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]) -> None:
    """Store jobs that Redis did not take, in their own transaction (this one has ended)."""
    try:
        with db.sessionmaker() as own:
            deferred.store(own, calls, utcnow())
            own.commit()
    except Exception:  # noqa: BLE001 - the request's own work is committed; say what is lost
        log.exception("could not keep %d job(s) in the database either: %s", len(calls),
                      ", ".join(sorted({name for _queue, name, _args, _options in calls})))


def redeliver_deferred(session: Session) -> int:
    """Enqueue the jobs that waited in the database for Redis (see joren.platform.deferred)."""
    return deferred.redeliver(session, enqueue_now)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending_jobs(session: Session, transaction: SessionTransaction) -> None:
    """When the outermost transaction ends without a commit (rollback, close), forget its jobs."""
    if transaction.parent is None and not transaction.nested:
        session.info.pop(PENDING_KEY, None)
        session.info.pop(BATCH_KEY, None)
