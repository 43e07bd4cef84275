"""Payment jobs: members paying the organizer through Stripe Connect.

Refunds (``refund_payment``): the request is recorded on the payment first, this job makes
it in Stripe once (idempotency key per payment and amount), and ``sweep_refunds`` (cron, every
10 minutes) enqueues again the requests whose job was lost.

Online meetup fees (``expire_checkout``): a pending payment whose seat hold ended has its
Checkout closed in Stripe, so it can no longer be paid (the expiry sweep of seat holds,
``offer_jobs.expire_offers``, does the same for holds past their deadline).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.tenancy import unscoped
from joren.tenants.payments import refunds
from joren.tenants.payments.online import sync as online_sync
from joren.workers.context import platform_job, tenant_job

REFUND_SWEEP_EVERY_MINUTES = 10


@tenant_job
def refund_payment(session: Session, payment_id: int) -> str:
    """Make one requested refund in Stripe (a done request is skipped). A failure (Stripe
    unreachable, ...) fails the job, so RQ retries it; the sweep catches a lost one."""
    return refunds.perform_refund(session, payment_id)


@platform_job
def sweep_refunds(session: Session) -> int:
    """For cron: enqueue again the refund requests made a while ago and still not done, with a
    job id unique per payment and slot."""
    slot = platform_jobs.minutes_slot_key(REFUND_SWEEP_EVERY_MINUTES)
    with unscoped(session):
        stale = refunds.stale_requests(session)
    for tenant_id, payment_id in stale:
        platform_jobs.enqueue_now(refunds.REFUND_JOB, tenant_id, payment_id,
                                  job_id=f"payment-refund-{tenant_id}-{payment_id}-{slot}",
                                  unique_for=3600)
    return len(stale)


@tenant_job
def expire_checkout(session: Session, payment_id: int) -> str:
    """Close the open Checkout of a pending payment that is no longer needed (H3)."""
    return online_sync.expire_stale_checkout(session, payment_id)
