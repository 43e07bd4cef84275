"""Billing jobs: apply a stored Stripe event, and sweep up events whose job was lost."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.billing import events
from joren.workers.context import job_session, platform_job

log = logging.getLogger("joren.billing")

SWEEP_EVERY_MINUTES = 10


def process_event(event_row_id: int) -> str | None:
    """Apply one stored Stripe event (once; a processed event is skipped).

    On failure (Stripe unreachable, ...) the attempt and error are recorded and the job fails,
    so RQ retries it; the periodic sweep re-enqueues it if the job itself is lost.
    """
    try:
        with job_session(None) as session:
            return events.process_event(session, event_row_id)
    except Exception as exc:
        log.exception("Stripe event %s could not be processed", event_row_id)
        with job_session(None) as session:
            events.record_failure(session, event_row_id, f"{type(exc).__name__}: {exc}")
        raise


@platform_job
def sweep_events(session: Session) -> int:
    """For cron: enqueue again the events stored a while ago and still not processed."""
    slot = platform_jobs.minutes_slot_key(SWEEP_EVERY_MINUTES)
    ids = events.unprocessed(session)
    for event_row_id in ids:
        platform_jobs.enqueue_now(events.PROCESS_JOB, event_row_id,
                                  job_id=f"billing-event-{event_row_id}-{slot}",
                                  unique_for=3600)
    return len(ids)
