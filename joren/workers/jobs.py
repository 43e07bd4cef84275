"""Job functions: thin wrappers that open a fresh session and call a service.

Jobs take ids, never objects, and are enqueued by name (``"joren.workers.jobs.<name>"``)
through ``joren.platform.jobs``; they run inside Flask-RQ's app context.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.db import utcnow
from joren.platform.mail import recovery, sender
from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.outbox import (
    SEND_BATCH_JOB,
    SEND_BATCH_SIZE,
    TRACK_PREFIX,
    mail_queue_for,
    render_stored,
)
from joren.workers.context import platform_job


def _send(session: Session, message_ids: list[int]) -> sender.SendReport:
    transport = sender.transport_from_config(current_app.config)
    report = sender.send_messages(session, message_ids, transport, prepare=render_stored)
    if report.retry:
        # Recorded and committed; raising hands the job to RQ's retry with back-off.
        raise sender.MailDeferred(f"not sent yet: outbox messages {report.retry}")
    return report


@platform_job
def send_outbox_message(session: Session, message_id: int) -> str:
    """Send one outbox message (at most once; see joren.platform.mail.sender)."""
    report = _send(session, [message_id])
    return "sent" if report.sent else "failed" if report.failed else "nothing to do"


@platform_job
def send_outbox_batch(session: Session, message_ids: list[int]) -> int:
    """Send several outbox messages over one SMTP connection; return how many went out."""
    return len(_send(session, list(message_ids)).sent)


@platform_job
def sweep_outbox(session: Session) -> int:
    """Re-enqueue messages a killed worker or a lost job left behind (run every minute).

    Messages whose send job is still queued, running or waiting for a retry are left to it, so
    a long queue does not collect jobs that find nothing to do; the rest go out in batches on
    their own queue (transactional or bulk). Returns how many were enqueued.
    """
    config = current_app.config
    due = recovery.sweep(
        session,
        now=utcnow(),
        stale_after=recovery.claim_timeout(config),
        max_attempts=sender.transport_from_config(config).max_attempts,
    )
    session.commit()  # the abandoned claims given back are kept even if enqueueing fails
    lanes: dict[str, list[int]] = {}
    templates = dict(session.execute(
        select(OutboxMessage.id, OutboxMessage.template).where(OutboxMessage.id.in_(due))
    ).all()) if due else {}
    for message_id in due:
        lanes.setdefault(mail_queue_for(templates.get(message_id, "")), []).append(message_id)
    enqueued = 0
    for queue, ids in lanes.items():
        on_their_way = platform_jobs.items_in_queued_jobs(TRACK_PREFIX, ids, queue)
        lost = [i for i in ids if i not in on_their_way]
        platform_jobs.enqueue_batches_now(SEND_BATCH_JOB, lost, queue=queue,
                                          size=SEND_BATCH_SIZE, track=TRACK_PREFIX)
        enqueued += len(lost)
    return enqueued


@platform_job
def redeliver_deferred(session: Session) -> int:
    """Enqueue the jobs that waited in the database while Redis was away (every minute)."""
    return platform_jobs.redeliver_deferred(session)


@platform_job
def fan_out(session: Session, job_name: str, period: str) -> int:
    """Enqueue ``job_name(tenant_id, period)`` once per community and period."""
    return len(platform_jobs.fan_out(session, job_name, period))


@platform_job
def fan_out_every(session: Session, job_name: str, every: str) -> int:
    """For cron: fan ``job_name`` out for the current hour, day, week or month."""
    period = platform_jobs.period_key(every)
    unique_for = platform_jobs.unique_for_period(every)
    return len(platform_jobs.fan_out(session, job_name, period, unique_for=unique_for))
