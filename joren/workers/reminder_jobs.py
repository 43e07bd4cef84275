"""Meetup reminders: every 15 minutes a fan-out enqueues one job per community."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id
from joren.tenants.meetups import reminders
from joren.workers.context import platform_job, tenant_job

SEND_REMINDERS_JOB = "joren.workers.reminder_jobs.send_meetup_reminders"
EVERY_MINUTES = 15
# Remember each quarter-hour's fan-out for an hour, well past the quarter itself.
UNIQUE_FOR = 3600


@platform_job
def fan_out_meetup_reminders(session: Session) -> int:
    """For cron: enqueue ``send_meetup_reminders(tenant_id, quarter)`` once per community."""
    return len(platform_jobs.fan_out(session, SEND_REMINDERS_JOB,
                                     platform_jobs.minutes_slot_key(EVERY_MINUTES),
                                     unique_for=UNIQUE_FOR))


@tenant_job
def send_meetup_reminders(session: Session, period: str = "") -> int:
    """Queue the reminder emails due now in this community (each at most once)."""
    community = session.get(Community, current_tenant_id(session))
    if community is None or community.is_closing:
        return 0  # a community closing for deletion sends no scheduled email
    return reminders.send_due_reminders(session, community)
