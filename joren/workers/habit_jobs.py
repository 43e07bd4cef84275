"""Meetup habits: before/after-meetup emails every 15 minutes, introduction nudges hourly.

Each fan-out enqueues one job per community with a job id unique per community and slot, so a
restarted cron or a manual run in the same slot enqueues nothing more; the emails themselves
carry idempotency keys, so even a second run sends nothing twice.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id
from joren.workers.context import platform_job, tenant_job

SEND_MEETUP_EMAILS_JOB = "joren.workers.habit_jobs.send_meetup_habit_emails"
SEND_NUDGES_JOB = "joren.workers.habit_jobs.send_introduction_nudges"
EVERY_MINUTES = 15
# Remember each quarter-hour's fan-out for an hour, well past the quarter itself.
UNIQUE_FOR = 3600


@platform_job
def fan_out_meetup_habit_emails(session: Session) -> int:
    """For cron: enqueue ``send_meetup_habit_emails(tenant_id, quarter)`` per community."""
    return len(platform_jobs.fan_out(session, SEND_MEETUP_EMAILS_JOB,
                                     platform_jobs.minutes_slot_key(EVERY_MINUTES),
                                     unique_for=UNIQUE_FOR))


@platform_job
def fan_out_introduction_nudges(session: Session) -> int:
    """For cron: enqueue ``send_introduction_nudges(tenant_id, hour)`` per community."""
    return len(platform_jobs.fan_out(session, SEND_NUDGES_JOB, platform_jobs.period_key("hour"),
                                     unique_for=platform_jobs.unique_for_period("hour")))


@tenant_job
def send_meetup_habit_emails(session: Session, period: str = "") -> int:
    """Queue the "people to meet" and next-day emails due now (each at most once)."""
    # Imported here, not at the top: the matching engine loads numpy and scipy, which the web
    # processes (they import every job module through the CLI) never need.
    from joren.tenants.relationships.habits import services as habits

    community = session.get(Community, current_tenant_id(session))
    if community is None or community.is_closing:
        return 0  # a community closing for deletion sends no scheduled email
    return habits.send_meetup_emails(session, community)


@tenant_job
def send_introduction_nudges(session: Session, period: str = "") -> int:
    """Queue the month-later nudges due now (once per introduction)."""
    from joren.tenants.relationships.habits import nudges as habit_nudges  # see above

    community = session.get(Community, current_tenant_id(session))
    if community is None or community.is_closing:
        return 0  # a community closing for deletion sends no scheduled email
    return habit_nudges.send_nudges(session, community)
