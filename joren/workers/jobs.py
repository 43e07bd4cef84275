"""Job functions: thin wrappers that open a fresh session and call a service.

Jobs take ids, never objects, and are enqueued by name (``"joren.workers.jobs.<name>"``)
through ``joren.platform.jobs``; they run inside Flask-RQ's app context.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.db import utcnow
from joren.platform.mail import sender
from joren.platform.mail.outbox import MAIL_QUEUE, SEND_BATCH_JOB
from joren.workers.context import platform_job

SEND_BATCH_SIZE = 50


def _send(session: Session, message_ids: list[int]) -> sender.SendReport:
    transport = sender.transport_from_config(current_app.config)
    report = sender.send_messages(session, message_ids, transport)
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
    """Re-enqueue messages a killed worker or a lost job left behind (run every minute)."""
    config = current_app.config
    due = sender.sweep(
        session,
        now=utcnow(),
        stale_after=sender.claim_timeout(config),
        max_attempts=sender.transport_from_config(config).max_attempts,
    )
    for message_id in due:
        platform_jobs.enqueue_batch_after_commit(
            session, SEND_BATCH_JOB, message_id, queue=MAIL_QUEUE, size=SEND_BATCH_SIZE
        )
    return len(due)


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
