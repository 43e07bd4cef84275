"""Announcements: every five minutes, each community sends what is due, a batch per
transaction (a crash loses at most one batch's work, which the next sweep redoes without
sending anything twice: each email has its idempotency key)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id
from joren.tenants.announcements import services as announcements
from joren.workers.context import platform_job, tenant_job

SEND_JOB = announcements.SEND_JOB
EVERY_MINUTES = 5
UNIQUE_FOR = 1800


@platform_job
def fan_out_send_announcements(session: Session) -> int:
    """For cron: enqueue ``send_announcements(tenant_id, slot)`` once per community."""
    return len(platform_jobs.fan_out(session, SEND_JOB,
                                     platform_jobs.minutes_slot_key(EVERY_MINUTES),
                                     unique_for=UNIQUE_FOR))


@tenant_job
def send_announcements(session: Session, period: str | None = None) -> int:
    """Send the announcements due now, committing after each batch; returns the steps done."""
    community = session.get(Community, current_tenant_id(session))
    if community is None or community.deleted_at is not None:
        return 0  # (a closing community has no scheduled announcement: closing.py)
    steps = 0
    while announcements.send_batch(session, community):
        session.commit()
        steps += 1
    return steps
