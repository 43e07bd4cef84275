"""Seat offers (paid meetups' waitlist): every 5 minutes a fan-out enqueues one job per
community that expires the offers past their deadline and passes the seats on."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.tenants.meetups.registrations import offers
from joren.workers.context import platform_job, tenant_job

EXPIRE_OFFERS_JOB = "joren.workers.offer_jobs.expire_offers"
EVERY_MINUTES = 5
UNIQUE_FOR = 3600


@platform_job
def fan_out_expire_offers(session: Session) -> int:
    """For cron: enqueue ``expire_offers(tenant_id, slot)`` once per community."""
    return len(platform_jobs.fan_out(session, EXPIRE_OFFERS_JOB,
                                     platform_jobs.minutes_slot_key(EVERY_MINUTES),
                                     unique_for=UNIQUE_FOR))


@tenant_job
def expire_offers(session: Session, period: str = "") -> int:
    """Cancel this community's expired seat offers and offer the seats to the next people."""
    return offers.expire_offers(session)
